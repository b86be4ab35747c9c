"""Guardar y leer un entrenamiento entero: el modelo, su evaluación y sus metadatos.

``scripts/train_model.py`` entrena a la vista y guarda todo con una sola
llamada, ``save_run``: ``model.pkl`` (joblib), ``metrics.json`` y los
dos gráficos de la evaluación, y ``model_metadata.json``. Se escriben primero
en una carpeta temporal dentro de la de salida y se mueven a su sitio al
final, con ``model_metadata.json`` el último: guarda la huella (SHA-256) de
cada uno de los otros. Si algo falla o el proceso se detiene (Ctrl+C, SIGTERM),
no queda nada a medias y la carpeta temporal se borra.

``scripts/register_model.py`` lo lee con ``read_training_run``, que se niega a
registrar un modelo cuyos archivos no son todos del mismo entrenamiento (por
ejemplo, si se detuvo a medias o se mezclaron dos).

También están aquí los mensajes que ``train_model.py`` imprime, en español.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path
from typing import Any

from churn_lab.evaluation import (
    METRICS_FILENAME,
    PLOT_FILENAMES,
    TEST_SIZE,
    Evaluation,
    read_report,
    save_evaluation,
)
from churn_lab.model import METADATA_FILENAME, MODEL_FILENAME, MODEL_NAME, model_type
from churn_lab.schema import FEATURES
from labkit.cli import (
    LabError,
    display_path,
    format_number,
    format_percent,
    quantity,
    require_file,
)

# Con menos clientes, el 20 % de prueba no tiene abandonos suficientes para
# medir algo con sentido.
MIN_SAMPLES = 100
# Las versiones que quedan anotadas en model_metadata.json.
LIBRARIES = ("scikit-learn", "pandas", "numpy", "joblib")
EVALUATION_FILES = (METRICS_FILENAME, *PLOT_FILENAMES)
TRAINING_FILES = (MODEL_FILENAME, *EVALUATION_FILES)
# Lo que register_model.py guarda como parámetros de la ejecución de MLflow.
PARAMS = ("model_type", "random_seed", "num_samples")
RETRAIN = "Vuelve a entrenar el modelo con: python scripts/train_model.py"


def check_data(churned: Any, seed: int) -> None:
    """Comprueba que hay clientes suficientes de cada clase para separar y medir.

    ``churned`` es la columna objetivo (0 se queda, 1 abandona).
    """
    n_samples = len(churned)
    if n_samples < MIN_SAMPLES:
        raise LabError(
            f"--n-samples debe ser al menos {MIN_SAMPLES} para separar "
            f"entrenamiento y prueba con ambas clases (recibido: {n_samples})."
        )
    if churned.nunique() < 2 or churned.value_counts().min() < 2 / TEST_SIZE:
        raise LabError(
            f"con {n_samples} clientes y la semilla {seed} no hay suficientes "
            "ejemplos de cada clase (abandona / se queda). Usa más clientes, "
            "por ejemplo --n-samples 10000."
        )


def file_digest(path: Path) -> str:
    """La huella SHA-256 de un archivo (en hexadecimal), leída por bloques."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def training_metadata(model: Any, evaluation: Evaluation) -> dict[str, Any]:
    """Lo que describe el entrenamiento: modelo, datos, métricas y versiones."""
    report = evaluation.report
    return {
        "model_name": MODEL_NAME,
        "model_type": model_type(model),
        "training_date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "num_samples": report["num_samples"],
        "random_seed": report["random_seed"],
        "test_size": report["test_size"],
        "features": list(FEATURES),
        "metrics": report["metrics"],
        "baseline_accuracy": report["baseline"]["accuracy"],
        "library_versions": {
            "python": platform.python_version(),
            **{name: version(name) for name in LIBRARIES},
        },
    }


def save_run(model: Any, evaluation: Evaluation, output_dir: Path) -> dict[str, Any]:
    """Guarda el modelo, la evaluación y los metadatos como un solo conjunto.

    Devuelve los metadatos guardados. Los archivos se escriben en una carpeta
    temporal dentro de ``output_dir`` y después se mueven a su sitio;
    ``model_metadata.json``, con la huella de los demás, va el último.
    """
    import joblib

    output_dir = Path(output_dir)
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".entrenamiento-", dir=output_dir))
    except OSError as error:
        raise LabError(
            f"no se puede escribir en la carpeta {output_dir} ({error.strerror}). "
            "Elige otra carpeta con --output-dir o revisa sus permisos."
        ) from None
    try:
        joblib.dump(model, staging / MODEL_FILENAME, compress=3)
        save_evaluation(evaluation, staging)
        metadata = training_metadata(model, evaluation)
        metadata["files"] = {
            name: file_digest(staging / name) for name in TRAINING_FILES
        }
        (staging / METADATA_FILENAME).write_text(
            json.dumps(metadata, indent=2, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
        for name in (*TRAINING_FILES, METADATA_FILENAME):
            os.replace(staging / name, output_dir / name)
    except OSError as error:
        raise LabError(
            f"no se pudo guardar el modelo en {output_dir} ({error.strerror}). "
            "Revisa que haya espacio y permisos en la carpeta."
        ) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return metadata


@dataclass(frozen=True)
class TrainingRun:
    """Un entrenamiento guardado por ``train_model.py``, con sus archivos revisados."""

    folder: Path
    metadata: dict[str, Any]
    evaluation: dict[str, Any]

    @property
    def params(self) -> dict[str, Any]:
        """Cómo se entrenó: tipo de modelo, semilla y número de clientes."""
        return {name: self.metadata[name] for name in PARAMS}

    @property
    def metrics(self) -> dict[str, float]:
        """Las métricas con el 20 % de prueba (ROC-AUC, exactitud…)."""
        return dict(self.metadata["metrics"])

    @property
    def baseline_metrics(self) -> dict[str, float]:
        """Las de la referencia (siempre «no abandona»), como ``baseline_<métrica>``."""
        baseline = self.evaluation["baseline"]
        return {f"baseline_{name}": float(value) for name, value in baseline.items()}

    @property
    def evaluation_files(self) -> list[str]:
        """metrics.json y los dos gráficos, como rutas de texto."""
        return [str(self.folder / name) for name in EVALUATION_FILES]


def _read_metadata(folder: Path) -> dict[str, Any]:
    metadata_path = require_file(
        folder / METADATA_FILENAME,
        "el archivo de metadatos del modelo",
        "Entrena el modelo con: python scripts/train_model.py",
    )
    try:
        metadata = dict(json.loads(metadata_path.read_text(encoding="utf-8")))
        metadata["metrics"] = {
            name: float(value) for name, value in metadata["metrics"].items()
        }
        if not all(name in metadata for name in PARAMS):
            raise KeyError(PARAMS)
    except (ValueError, KeyError, TypeError, AttributeError):
        raise LabError(
            f"el archivo {metadata_path} está dañado o no tiene las métricas. "
            f"{RETRAIN}"
        ) from None
    return metadata


def _check_digests(folder: Path, metadata: dict[str, Any]) -> None:
    """Cada archivo que anota ``model_metadata.json`` está y no cambió."""
    files = metadata.get("files")
    if not isinstance(files, dict) or not files:
        raise LabError(
            f"{folder / METADATA_FILENAME} no dice qué archivos escribió el "
            f"entrenamiento (falta «files»). {RETRAIN}"
        )
    for name in sorted({*files, *TRAINING_FILES}):
        path = folder / str(name)
        if not path.is_file() or file_digest(path) != files.get(name):
            raise LabError(
                f"{path} no es del mismo entrenamiento que "
                f"{METADATA_FILENAME} (falta o cambió después). {RETRAIN}"
            )


def read_training_run(model_path: Path) -> TrainingRun:
    """Lee el entrenamiento de ``model_path`` y comprueba que sus archivos van juntos.

    ``train_model.py`` guarda en ``model_metadata.json`` la huella (SHA-256) de
    cada archivo que escribió. Si un entrenamiento se interrumpió a medias, o
    se mezclaron archivos de dos, las huellas no coinciden: ``LabError``.
    """
    folder = Path(model_path).parent
    metadata = _read_metadata(folder)
    _check_digests(folder, metadata)
    return TrainingRun(folder, metadata, read_report(folder / METRICS_FILENAME))


def print_data(churned: Any, train_rows: int, test_rows: int, seed: int) -> None:
    """Cuántos clientes hay, cuántos abandonan y cómo se separaron."""
    print(
        f"📊 {quantity(len(churned), 'cliente generado', 'clientes generados')} "
        f"(semilla {seed}): {format_percent(churned.mean())} abandonan."
    )
    print(
        f"   Entrenamiento: {quantity(train_rows, 'fila', 'filas')} · "
        f"prueba: {quantity(test_rows, 'fila', 'filas')}"
    )


def print_fit(seconds: float) -> None:
    """Cuánto tardó ``fit``."""
    print(f"🌲 Modelo entrenado en {format_number(seconds, 1)} s")


def print_results(metadata: dict[str, Any], output_dir: Path) -> None:
    """Las métricas en español y dónde quedaron los archivos."""
    print(
        f"🖼️  Evaluación guardada en {display_path(output_dir)}: "
        f"{', '.join(EVALUATION_FILES)}"
    )
    metrics = metadata["metrics"]
    print("\n📈 Métricas con el 20 % de prueba (clientes que el modelo no vio):")
    print(f"   Exactitud (accuracy):      {format_number(metrics['accuracy'], 4)}")
    print(
        "   Exactitud de referencia:   "
        f"{format_number(metadata['baseline_accuracy'], 4)}"
        "  (decir siempre «no abandona»)"
    )
    print(f"   Precisión (precision):     {format_number(metrics['precision'], 4)}")
    print(f"   Sensibilidad (recall):     {format_number(metrics['recall'], 4)}")
    print(f"   F1:                        {format_number(metrics['f1_score'], 4)}")
    print(f"   ROC-AUC:                   {format_number(metrics['roc_auc'], 4)}")
    model_path = Path(output_dir) / MODEL_FILENAME
    size_mb = model_path.stat().st_size / 1_000_000
    print(
        f"\n💾 Modelo guardado en {display_path(model_path)} "
        f"({format_number(size_mb, 1)} MB)"
    )
    print(f"💾 Metadatos guardados en {display_path(output_dir / METADATA_FILENAME)}")
