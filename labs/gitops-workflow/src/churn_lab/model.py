"""El modelo de abandono: un ``Pipeline`` de scikit-learn y cómo cargarlo.

El modelo recibe las columnas en bruto (``churn_lab.schema.FEATURES``): la
codificación one-hot de las tres columnas categóricas vive dentro del propio
``Pipeline``. Así el modelo registrado en MLflow acepta los mismos datos que
el CSV de inferencia y puntuar no necesita copiar ningún preprocesamiento.
Un lote con una sola fila, o al que le falta alguna categoría, se codifica con
las mismas columnas que los datos de entrenamiento.

Un modelo es datos solo si se guarda en un formato que no ejecuta código al
cargarse. ``model.pkl`` es de joblib (pickle): cargarlo **ejecuta** lo que
lleve dentro, así que solo se cargan los que entrenaste tú. Una carpeta de
MLflow puede venir de otra persona (un workspace compartido, la versión
``@latest`` que escribió cualquiera con permiso): antes de cargarla,
``check_model_folder`` revisa su ``MLmodel`` y rechaza el código (``code:``),
cualquier formato distinto de skops y los tipos de skops que no estén en
``TRUSTED_SKOPS_TYPES``, la única lista de confianza del laboratorio (la usa
también ``scripts/register_model.py`` al guardar el modelo).
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import TYPE_CHECKING, Any

from churn_lab.schema import CATEGORICAL_FEATURES, CATEGORIES, NUMERIC_FEATURES
from labkit.cli import LabError, require_file

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

MODEL_NAME = "churn-prediction-model"
MODEL_FILENAME = "model.pkl"
DEFAULT_MODEL_PATH = Path("artifacts") / MODEL_FILENAME
METADATA_FILENAME = "model_metadata.json"
MLMODEL_FILENAME = "MLmodel"
# Tipos que skops no acepta por defecto y que este modelo sí necesita.
# sklearn.tree._tree.Tree es la estructura compilada de cada árbol del bosque
# aleatorio: es de scikit-learn y no ejecuta código al cargarse. Es la única
# lista: register_model.py la usa al guardar y check_model_folder al cargar.
TRUSTED_SKOPS_TYPES: tuple[str, ...] = ("sklearn.tree._tree.Tree",)
# El único formato de scikit-learn que se carga: skops no ejecuta código.
SAFE_SERIALIZATION = "skops"

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
    """Carga ``model.pkl`` con joblib, con un mensaje claro si falta o está dañado.

    joblib es pickle: cargar un archivo ejecuta el código que lleve dentro. Usa
    solo el ``model.pkl`` que entrenaste tú (``scripts/train_model.py``); un
    modelo de otra persona se carga como carpeta de MLflow (skops).
    """
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


def file_digest(path: Path) -> str:
    """La huella SHA-256 de un archivo (en hexadecimal), leída por bloques."""
    import hashlib

    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def model_type(model: object) -> str:
    """Nombre legible del modelo: el del último paso si es un ``Pipeline``."""
    steps = getattr(model, "steps", None)
    final = steps[-1][1] if steps else model
    return type(final).__name__


def _refuse(folder: Path, problem: str) -> LabError:
    return LabError(
        f"la carpeta {folder} no se carga porque {problem}. Un modelo solo se carga "
        "como datos (skops, sin código). Si el modelo es tuyo, vuelve a "
        "registrarlo con: python scripts/register_model.py"
    )


def _read_mlmodel(folder: Path) -> dict[str, Any]:
    import yaml

    try:
        text = (folder / MLMODEL_FILENAME).read_text(encoding="utf-8")
        content = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        problem = f"su archivo {MLMODEL_FILENAME} no se puede leer"
        raise _refuse(folder, problem) from None
    if not isinstance(content, dict) or not isinstance(content.get("flavors"), dict):
        raise _refuse(folder, f"su archivo {MLMODEL_FILENAME} no tiene «flavors»")
    return content


def _check_flavors(folder: Path, flavors: dict[str, Any]) -> dict[str, Any]:
    """Sin código, scikit-learn con skops y solo tipos de la lista; da su flavor."""
    for name, flavor in flavors.items():
        if isinstance(flavor, dict) and flavor.get("code"):
            raise _refuse(
                folder,
                f"trae código ({name}: code: {flavor['code']}) que se ejecutaría",
            )
    sklearn = flavors.get("sklearn")
    if not isinstance(sklearn, dict):
        raise _refuse(folder, "no es un modelo de scikit-learn guardado con MLflow")
    serialization = sklearn.get("serialization_format")
    if serialization != SAFE_SERIALIZATION:
        raise _refuse(
            folder,
            f"está guardada con {serialization!r}, que ejecuta código al cargarse "
            f"(solo se acepta {SAFE_SERIALIZATION!r})",
        )
    declared = sklearn.get("skops_trusted_types") or []
    if not isinstance(declared, list):
        declared = [declared]
    unexpected = sorted({str(item) for item in declared} - set(TRUSTED_SKOPS_TYPES))
    if unexpected:
        raise _refuse(
            folder,
            "declara de confianza tipos de skops que no están en la lista del "
            f"laboratorio: {', '.join(unexpected)}",
        )
    return sklearn


def check_model_folder(folder: Path) -> Path:
    """Revisa una carpeta de MLflow antes de cargarla; devuelve el archivo skops.

    Lanza ``LabError`` (sin cargar ni importar nada de la carpeta) si su
    ``MLmodel`` trae código (``code:``), si el modelo de scikit-learn no está
    guardado con skops, o si declara de confianza tipos de skops fuera de
    ``TRUSTED_SKOPS_TYPES``; también si el propio archivo skops usa otros.
    """
    import zipfile

    import skops.io

    folder = Path(folder)
    sklearn = _check_flavors(folder, _read_mlmodel(folder)["flavors"])
    filename = str(sklearn.get("pickled_model", ""))
    model_file = folder / filename
    if not filename or Path(filename).name != filename or not model_file.is_file():
        raise _refuse(folder, f"no tiene el archivo del modelo ({filename!r})")
    try:
        needed = skops.io.get_untrusted_types(file=model_file)
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as error:
        raise _refuse(folder, f"su archivo {filename} está dañado ({error})") from None
    unexpected = sorted(set(needed) - set(TRUSTED_SKOPS_TYPES))
    if unexpected:
        raise _refuse(
            folder,
            f"su archivo {filename} usa tipos que no están en la lista del "
            f"laboratorio: {', '.join(unexpected)}",
        )
    return model_file
