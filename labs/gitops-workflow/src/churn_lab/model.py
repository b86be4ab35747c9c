"""El modelo de abandono ya entrenado: cargarlo, revisarlo y sus tipos de confianza.

El modelo (un ``Pipeline`` de scikit-learn: codificación one-hot de las tres
columnas categóricas y un bosque aleatorio) se arma y se entrena a la vista en
``scripts/train_model.py``. Como la codificación vive dentro del ``Pipeline``,
el modelo recibe las columnas en bruto (``churn_lab.schema.FEATURES``): el
modelo registrado en MLflow acepta los mismos datos que el CSV de inferencia y
puntuar no necesita copiar ningún preprocesamiento.

Un modelo es datos solo si se guarda en un formato que no ejecuta código al
cargarse. ``model.pkl`` es de joblib (pickle): cargarlo **ejecuta** lo que
lleve dentro, así que solo se cargan los que entrenaste tú. Una carpeta de
MLflow puede venir de otra persona (un workspace compartido, la versión
``@latest`` que escribió cualquiera con permiso): antes de cargarla,
``check_model_folder`` revisa su ``MLmodel`` y rechaza el código (``code:``),
cualquier formato distinto de skops y los tipos de skops que no estén en
``TRUSTED_SKOPS_TYPES``, la única lista de confianza del laboratorio
(``trusted_types`` la aplica también al registrar el modelo).
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
# lista: trusted_types la usa al registrar y check_model_folder al cargar.
TRUSTED_SKOPS_TYPES: tuple[str, ...] = ("sklearn.tree._tree.Tree",)
# El único formato de scikit-learn que se carga: skops no ejecuta código.
SAFE_SERIALIZATION = "skops"


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


def model_type(model: object) -> str:
    """Nombre legible del modelo: el del último paso si es un ``Pipeline``."""
    steps = getattr(model, "steps", None)
    final = steps[-1][1] if steps else model
    return type(final).__name__


def trusted_types(model: Any) -> list[str]:
    """Los tipos que skops debe aceptar para guardar ``model``, si están permitidos.

    MLflow 3 guarda los modelos de scikit-learn con skops, que rechaza los
    tipos que no se declaran de confianza: solo se declaran los de la lista.
    """
    import skops.io

    needed = skops.io.get_untrusted_types(data=skops.io.dumps(model))
    unexpected = sorted(set(needed) - set(TRUSTED_SKOPS_TYPES))
    if unexpected:
        raise LabError(
            "el modelo usa tipos que skops no considera seguros y que no están en "
            f"TRUSTED_SKOPS_TYPES: {', '.join(unexpected)}. Si son de scikit-learn "
            "y entiendes por qué aparecen, añádelos a esa lista en "
            "src/churn_lab/model.py."
        )
    return sorted(needed)


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

    folder = Path(folder)
    sklearn = _check_flavors(folder, _read_mlmodel(folder)["flavors"])
    filename = str(sklearn.get("pickled_model", ""))
    model_file = folder / filename
    if not filename or Path(filename).name != filename or not model_file.is_file():
        raise _refuse(folder, f"no tiene el archivo del modelo ({filename!r})")
    import skops.io  # solo ahora: lo de arriba se decide sin importar nada pesado

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
