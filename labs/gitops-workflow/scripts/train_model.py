"""Entrena el modelo de abandono de clientes (churn) en tu computadora.

Genera clientes sintéticos con una semilla fija, los separa en entrenamiento
(80 %) y prueba (20 %) manteniendo la proporción de abandonos, entrena un
``Pipeline`` (codificación one-hot y bosque aleatorio) y lo evalúa con datos
que no vio. Guarda ``artifacts/model.pkl`` y ``artifacts/model_metadata.json``
con las métricas, las columnas y las versiones de las bibliotecas usadas.

Uso: python scripts/train_model.py [--seed 42] [--n-samples 10000]
"""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from _lab import LAB_ROOT  # va primero: revisa Python y el entorno virtual
from churn_lab.cli import (
    LabError,
    atomic_output,
    build_parser,
    display_path,
    format_number,
    format_percent,
    positive_int,
    quantity,
    report_errors,
    seed_int,
)
from churn_lab.data import TRAINING_SAMPLES, TRAINING_SEED
from churn_lab.model import METADATA_FILENAME, MODEL_FILENAME, MODEL_NAME
from churn_lab.schema import FEATURES, TARGET_COLUMN

TEST_SIZE = 0.2
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


def evaluate(model: Any, x_test: Any, y_test: Any) -> dict[str, float]:
    """Métricas del modelo con los clientes de prueba, redondeadas a 4 decimales."""
    from sklearn.metrics import (
        accuracy_score,
        f1_score,
        precision_score,
        recall_score,
        roc_auc_score,
    )

    predicted = model.predict(x_test)
    probability = model.predict_proba(x_test)[:, 1]
    metrics = {
        "accuracy": accuracy_score(y_test, predicted),
        "precision": precision_score(y_test, predicted, zero_division=0),
        "recall": recall_score(y_test, predicted, zero_division=0),
        "f1_score": f1_score(y_test, predicted, zero_division=0),
        "roc_auc": roc_auc_score(y_test, probability),
    }
    return {name: round(float(value), 4) for name, value in metrics.items()}


def save(model: Any, metadata: dict[str, Any], output_dir: Path) -> None:
    """Guarda el modelo y sus metadatos; si algo falla no queda ninguno a medias."""
    import joblib

    with atomic_output(output_dir / MODEL_FILENAME) as model_tmp:
        with atomic_output(output_dir / METADATA_FILENAME) as metadata_tmp:
            joblib.dump(model, model_tmp, compress=3)
            metadata_tmp.write_text(
                json.dumps(metadata, indent=2, ensure_ascii=False) + "\n",
                encoding="utf-8",
            )


def train(n_samples: int, seed: int, output_dir: Path) -> dict[str, Any]:
    """Entrena, evalúa y guarda el modelo; devuelve los metadatos guardados."""
    from sklearn.model_selection import train_test_split

    from churn_lab.data import generate_training_data
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
    x_train, x_test, y_train, y_test = train_test_split(
        customers.loc[:, list(FEATURES)],
        target,
        test_size=TEST_SIZE,
        stratify=target,
        random_state=seed,
    )
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

    metadata: dict[str, Any] = {
        "model_name": MODEL_NAME,
        "model_type": model_type(model),
        "training_date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "num_samples": n_samples,
        "random_seed": seed,
        "test_size": TEST_SIZE,
        "features": list(FEATURES),
        "metrics": evaluate(model, x_test, y_test),
        "baseline_accuracy": round(float(max(y_test.mean(), 1 - y_test.mean())), 4),
        "library_versions": library_versions(),
    }
    save(model, metadata, output_dir)
    return metadata


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
    print_report(metadata, args.output_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
