"""El modelo de abandono: un ``Pipeline`` de scikit-learn y cómo cargarlo.

El modelo recibe las columnas en bruto (``churn_lab.schema.FEATURES``): la
codificación one-hot de las tres columnas categóricas vive dentro del propio
``Pipeline``. Así el modelo registrado en MLflow acepta los mismos datos que
el CSV de inferencia y puntuar no necesita copiar ningún preprocesamiento.
Un lote con una sola fila, o al que le falta alguna categoría, se codifica con
las mismas columnas que los datos de entrenamiento.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import TYPE_CHECKING

from churn_lab.cli import LabError, require_file
from churn_lab.schema import CATEGORICAL_FEATURES, CATEGORIES, NUMERIC_FEATURES

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

MODEL_NAME = "churn-prediction-model"
MODEL_FILENAME = "model.pkl"
DEFAULT_MODEL_PATH = Path("artifacts") / MODEL_FILENAME
METADATA_FILENAME = "model_metadata.json"

# Hiperparámetros del bosque aleatorio. La profundidad máxima y el mínimo de
# clientes por hoja lo regularizan: no memoriza el ruido de los datos y el
# archivo model.pkl ocupa unos pocos MB en lugar de decenas.
FOREST_PARAMS: dict[str, int | str] = {
    "n_estimators": 100,
    "max_depth": 8,
    "min_samples_leaf": 20,
}


def build_pipeline(seed: int) -> Pipeline:
    """Codificación one-hot de las categóricas y después un bosque aleatorio."""

    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    encoder = OneHotEncoder(
        categories=[list(CATEGORIES[column]) for column in CATEGORICAL_FEATURES],
        handle_unknown="ignore",
    )
    preprocess = ColumnTransformer(
        [
            ("categorical", encoder, list(CATEGORICAL_FEATURES)),
            ("numeric", "passthrough", list(NUMERIC_FEATURES)),
        ]
    )
    forest = RandomForestClassifier(random_state=seed, n_jobs=-1, **FOREST_PARAMS)
    return Pipeline([("preprocess", preprocess), ("classifier", forest)])


def load_model(path: Path) -> Pipeline:
    """Carga ``model.pkl`` con joblib, con un mensaje claro si falta o está dañado."""
    import joblib

    require_file(
        path,
        "el modelo",
        "Entrénalo primero con: python scripts/train_model.py",
    )
    try:
        model = joblib.load(path)
    except (
        pickle.UnpicklingError,
        EOFError,
        ValueError,
        KeyError,
        IndexError,
        AttributeError,
        ModuleNotFoundError,
        TypeError,
    ) as error:
        raise LabError(
            f"el archivo {path} no es un modelo válido o está dañado "
            f"({type(error).__name__}). Vuelve a entrenarlo con: "
            "python scripts/train_model.py"
        ) from None
    if not hasattr(model, "predict_proba"):
        raise LabError(
            f"el archivo {path} no contiene un modelo de clasificación. "
            "Vuelve a entrenarlo con: python scripts/train_model.py"
        )
    return model


def model_type(model: object) -> str:
    """Nombre legible del modelo: el del último paso si es un ``Pipeline``."""
    steps = getattr(model, "steps", None)
    final = steps[-1][1] if steps else model
    return type(final).__name__
