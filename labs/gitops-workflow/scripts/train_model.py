"""Entrena el modelo de abandono de clientes (churn) en tu computadora.

Se lee de arriba abajo: clientes sintéticos con una semilla fija, separados en
entrenamiento (80 %) y prueba (20 %); un ``Pipeline`` de scikit-learn
(codificación one-hot y bosque aleatorio) que se entrena y se mide con los
clientes de prueba, que no vio; y en ``artifacts/``, el modelo (``model.pkl``),
su evaluación (``metrics.json`` y dos PNG) y ``model_metadata.json``.
Para probar otro modelo, cambia ``build_model`` y compáralo con el de main:
python scripts/compare_models.py (Parte 3).

Uso: python scripts/train_model.py [--seed 42] [--n-samples 10000]
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from _lab import LAB_ROOT  # va primero: encuentra src/ y revisa tu Python

from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from churn_lab.data import TRAINING_SAMPLES, TRAINING_SEED, generate_training_data
from churn_lab.evaluation import TEST_SIZE, evaluate
from churn_lab.schema import CATEGORIES, FEATURES, NUMERIC_FEATURES, TARGET_COLUMN
from labkit.cli import build_parser, positive_int, report_errors, seed_int
from labkit.training import check_data, print_data, print_fit, print_results, save_run


def build_model(seed: int) -> Pipeline:
    """Codificación one-hot de las columnas de texto y después un bosque aleatorio."""
    encoder = OneHotEncoder(
        categories=[list(values) for values in CATEGORIES.values()],
        handle_unknown="ignore",  # una categoría que no vio no rompe la predicción
    )
    preprocess = ColumnTransformer(
        [
            ("categorical", encoder, list(CATEGORIES)),
            ("numeric", "passthrough", list(NUMERIC_FEATURES)),
        ]
    )
    forest = RandomForestClassifier(
        n_estimators=100,  # cuántos árboles votan
        max_depth=8,  # cuántas preguntas seguidas puede hacer cada árbol
        min_samples_leaf=20,  # clientes como mínimo en cada hoja: no memoriza ruido
        random_state=seed,  # misma semilla, mismo modelo
        n_jobs=-1,  # usa todos los núcleos
    )
    return Pipeline([("preprocess", preprocess), ("classifier", forest)])


def train(n_samples: int, seed: int, output_dir: Path) -> None:
    """Datos → separación → modelo → entrenamiento → métricas → archivos."""
    customers = generate_training_data(n_samples, seed)
    churned = customers[TARGET_COLUMN]
    check_data(churned, seed)
    x_train, x_test, y_train, y_test = train_test_split(
        customers[list(FEATURES)],
        churned,
        test_size=TEST_SIZE,  # el 20 % se aparta para medir el modelo
        stratify=churned,  # con la misma proporción de abandonos en las dos partes
        random_state=seed,
    )
    print_data(churned, len(x_train), len(x_test), seed)

    model = build_model(seed)
    started = time.perf_counter()
    model.fit(x_train, y_train)
    print_fit(time.perf_counter() - started)

    evaluation = evaluate(model, x_test, y_test, n_samples, seed)
    # O todo o nada: model_metadata.json, el último, guarda la huella de los demás.
    metadata = save_run(model, evaluation, output_dir)
    print_results(metadata, output_dir)


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
    train(args.n_samples, args.seed, args.output_dir)
    print("✅ Entrenamiento completado. Siguiente paso: python scripts/test_model.py")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
