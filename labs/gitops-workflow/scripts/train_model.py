"""Entrena el modelo de abandono de clientes (churn) en tu computadora.

Genera clientes sintéticos con una semilla fija, los separa en entrenamiento
(80 %) y prueba (20 %) manteniendo la proporción de abandonos, entrena un
``Pipeline`` (codificación one-hot y bosque aleatorio) y lo evalúa con datos
que no vio. Guarda ``artifacts/model.pkl`` y ``artifacts/model_metadata.json``
con las métricas, las columnas y las versiones de las bibliotecas usadas.

Todo se escribe primero en una carpeta temporal y se mueve a su sitio al
final, con ``model_metadata.json`` el último: guarda la huella (SHA-256) de
cada archivo, y ``register_model.py`` no registra un modelo cuyos archivos no
son todos del mismo entrenamiento (por ejemplo, si se detuvo a medias).

Uso: python scripts/train_model.py [--seed 42] [--n-samples 10000]
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import tempfile
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from _lab import LAB_ROOT  # va primero: revisa Python y el entorno virtual
from churn_lab.data import TRAINING_SAMPLES, TRAINING_SEED
from churn_lab.evaluation import METRICS_FILENAME, PLOT_FILENAMES, TEST_SIZE
from churn_lab.model import METADATA_FILENAME, MODEL_FILENAME, MODEL_NAME
from churn_lab.schema import FEATURES, TARGET_COLUMN
from labkit.cli import (
    LabError,
    build_parser,
    display_path,
    format_number,
    format_percent,
    positive_int,
    quantity,
    report_errors,
    seed_int,
)

# Con menos clientes, el 20 % de prueba no tiene abandonos suficientes para
# medir algo con sentido.
MIN_SAMPLES = 100
LIBRARIES = ("scikit-learn", "pandas", "numpy", "joblib")


def library_versions() -> dict[str, str]:
    """Versiones de Python y de las bibliotecas con las que se entrena."""
    from importlib.metadata import version

    versions = {"python": platform.python_version()}
    versions.update({name: version(name) for name in LIBRARIES})
    return versions


def save(
    model: Any, metadata: dict[str, Any], evaluation: Any, output_dir: Path
) -> None:
    """Guarda el modelo, la evaluación y los metadatos como un solo conjunto.

    Se escriben en una carpeta temporal dentro de ``output_dir`` y después se
    mueven a su sitio; ``model_metadata.json``, con la huella de los demás,
    va el último. Si algo falla (o se detiene el proceso), no queda nada a
    medias y la carpeta temporal se borra.
    """
    import joblib

    from churn_lab.evaluation import save_evaluation
    from churn_lab.model import file_digest

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
        names = (MODEL_FILENAME, METRICS_FILENAME, *PLOT_FILENAMES)
        metadata["files"] = {name: file_digest(staging / name) for name in names}
        (staging / METADATA_FILENAME).write_text(
            json.dumps(metadata, indent=2, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
        for name in (*names, METADATA_FILENAME):
            os.replace(staging / name, output_dir / name)
    except OSError as error:
        raise LabError(
            f"no se pudo guardar el modelo en {output_dir} ({error.strerror}). "
            "Revisa que haya espacio y permisos en la carpeta."
        ) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def train(n_samples: int, seed: int, output_dir: Path) -> dict[str, Any]:
    """Entrena, evalúa y guarda el modelo; devuelve los metadatos guardados."""
    from churn_lab.data import generate_training_data
    from churn_lab.evaluation import evaluate, split_customers
    from churn_lab.model import build_pipeline, model_type

    if n_samples < MIN_SAMPLES:
        raise LabError(
            f"--n-samples debe ser al menos {MIN_SAMPLES} para separar "
            f"entrenamiento y prueba con ambas clases (recibido: {n_samples})."
        )
    customers = generate_training_data(n_samples, seed)
    target = customers[TARGET_COLUMN]
    if target.nunique() < 2 or target.value_counts().min() < 2 / TEST_SIZE:
        raise LabError(
            f"con {n_samples} clientes y la semilla {seed} no hay suficientes "
            "ejemplos de cada clase (abandona / se queda). Usa más clientes, "
            "por ejemplo --n-samples 10000."
        )
    x_train, x_test, y_train, y_test = split_customers(customers, seed)
    print(
        f"📊 {quantity(n_samples, 'cliente generado', 'clientes generados')} "
        f"(semilla {seed}): {format_percent(target.mean())} abandonan."
    )
    print(
        f"   Entrenamiento: {quantity(len(x_train), 'fila', 'filas')} · "
        f"prueba: {quantity(len(x_test), 'fila', 'filas')}"
    )

    started = time.perf_counter()
    model = build_pipeline(seed)
    model.fit(x_train, y_train)
    seconds = time.perf_counter() - started
    print(f"🌲 Modelo entrenado en {format_number(seconds, 1)} s")

    evaluation = evaluate(model, x_test, y_test, n_samples, seed)
    metadata: dict[str, Any] = {
        "model_name": MODEL_NAME,
        "model_type": model_type(model),
        "training_date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "num_samples": n_samples,
        "random_seed": seed,
        "test_size": TEST_SIZE,
        "features": list(FEATURES),
        "metrics": evaluation.report["metrics"],
        "baseline_accuracy": evaluation.report["baseline"]["accuracy"],
        "library_versions": library_versions(),
    }
    save(model, metadata, evaluation, output_dir)
    return metadata


def print_evaluation_files(output_dir: Path) -> None:
    """Dice dónde quedaron metrics.json y los gráficos de la evaluación."""
    names = ", ".join((METRICS_FILENAME, *PLOT_FILENAMES))
    print(f"🖼️  Evaluación guardada en {display_path(output_dir)}: {names}")


def print_report(metadata: dict[str, Any], output_dir: Path) -> None:
    """Muestra las métricas en español y dónde quedaron los archivos."""
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
    model_path = output_dir / MODEL_FILENAME
    size_mb = model_path.stat().st_size / 1_000_000
    print(
        f"\n💾 Modelo guardado en {display_path(model_path)} "
        f"({format_number(size_mb, 1)} MB)"
    )
    print(f"💾 Metadatos guardados en {display_path(output_dir / METADATA_FILENAME)}")
    print("✅ Entrenamiento completado. Siguiente paso: python scripts/test_model.py")


@report_errors
def main(argv: Sequence[str] | None = None) -> int:
    """Lee los argumentos, entrena el modelo y devuelve el código de salida."""
    parser = build_parser(__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument(
        "--seed",
        type=seed_int,
        default=TRAINING_SEED,
        help="semilla aleatoria (mismos datos y mismo modelo en cada ejecución)",
    )
    parser.add_argument(
        "--n-samples",
        type=positive_int,
        default=TRAINING_SAMPLES,
        help="número de clientes sintéticos a generar",
    )
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=LAB_ROOT / "artifacts",
        help="carpeta donde se guardan model.pkl y model_metadata.json",
    )
    args = parser.parse_args(argv)
    print("🚀 Entrenando el modelo de abandono de clientes…")
    metadata = train(args.n_samples, args.seed, args.output_dir)
    print_evaluation_files(args.output_dir)
    print_report(metadata, args.output_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
