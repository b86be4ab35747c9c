"""Lo primero que se revisa: la versión de Python y las bibliotecas del laboratorio.

Cada script llama a ``guard_environment()`` al empezar (desde ``scripts/_lab.py``;
``src/score.py`` la llama él mismo). Revisa enseguida la versión de Python y,
si no es de las admitidas, termina con una línea en español que dice qué hacer.
Las bibliotecas no se revisan por adelantado: un script que solo usa la
biblioteca estándar (``check_commit_message.py``) funciona con cualquier Python
admitido, sin el entorno virtual. Si un script importa una biblioteca del
laboratorio (pandas, scikit-learn, MLflow…) y falta, casi siempre porque el
entorno virtual no está activado, el ``ModuleNotFoundError`` se convierte en una
sola línea en español que dice cómo arreglarlo, en lugar de un traceback.

Solo usa la biblioteca estándar y una sintaxis que cualquier Python 3 entiende:
tiene que funcionar justo con el Python equivocado. ``./dev.sh`` lo ejecuta como
programa (``python src/labkit/environment.py``) para revisar solo la versión.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from types import TracebackType

# Versiones de Python admitidas (primera y última, ambas incluidas): las que
# instalan todas las versiones fijadas de requirements.lock desde paquetes ya
# compilados (wheels) en Windows, macOS y Linux, y con las que pasan las
# pruebas del laboratorio. Python 3.10 dejó de recibir parches en octubre de
# 2026. La recomendada es la que python.org ofrece desde hace un año.
OLDEST_PYTHON = (3, 11)
NEWEST_PYTHON = (3, 15)
RECOMMENDED_PYTHON = "3.14"

# Bibliotecas que usa todo el laboratorio, también el trabajo de Azure ML (las
# de conda.yml), con el nombre con que se importan.
REQUIRED_MODULES: dict[str, str] = {
    "numpy": "numpy",
    "pandas": "pandas",
    "scikit-learn": "sklearn",
    "joblib": "joblib",
    "skops": "skops",
    "mlflow-skinny": "mlflow",
}

ACTIVATE = (
    "actívalo desde la carpeta del laboratorio (macOS/Linux: "
    "source .venv/bin/activate; Windows PowerShell: .venv\\Scripts\\Activate.ps1; "
    "cmd: .venv\\Scripts\\activate.bat)"
)
INSTALL = "python -m pip install --require-hashes -r requirements.lock"


def supported_range() -> str:
    """Las versiones admitidas como texto: «3.11 a 3.15»."""
    oldest = ".".join(map(str, OLDEST_PYTHON))
    newest = ".".join(map(str, NEWEST_PYTHON))
    return f"{oldest} a {newest}"


def install_advice(platform: str | None = None) -> str:
    """Cómo instalar la versión recomendada y crear ``.venv`` con ella.

    En Windows, python.org ofrece el administrador de instalación de Python
    (``py install``); en macOS, su instalador; en Linux, el paquete de la
    distribución suele bastar.
    """
    version = RECOMMENDED_PYTHON
    if (platform or sys.platform) == "win32":
        return (
            f"Instala Python {version} con el administrador de instalación de "
            f"Python (https://www.python.org/downloads/), en una terminal: py "
            f"install {version}; después borra la carpeta .venv si existe y crea "
            f"el entorno con: py -V:{version} -m venv .venv"
        )
    return (
        f"Instala Python {version} (macOS: el instalador de "
        f"https://www.python.org/downloads/; Linux: el paquete python{version} "
        f"de tu distribución o python.org); después borra la carpeta .venv si "
        f"existe y crea el entorno con: python{version} -m venv .venv"
    )


def python_problem(
    version: Sequence[int] | None = None,
    executable: str | None = None,
    platform: str | None = None,
) -> str | None:
    """Qué hacer si ``version`` (la de este Python) no es una de las admitidas."""
    version = tuple(version or sys.version_info[:3])
    if OLDEST_PYTHON <= tuple(version[:2]) <= NEWEST_PYTHON:
        return None
    found = ".".join(str(part) for part in version[:3])
    return (
        f"este laboratorio funciona con Python {supported_range()} y este es "
        f"Python {found} ({executable or sys.executable}). "
        + install_advice(platform)
        + "."
    )


def missing_libraries(
    find_spec: Callable[[str], object] = importlib.util.find_spec,
) -> list[str]:
    """Las bibliotecas de ``REQUIRED_MODULES`` que este Python no encuentra."""
    return [
        package
        for package, module in REQUIRED_MODULES.items()
        if find_spec(module) is None
    ]


def in_virtual_environment() -> bool:
    """Si este Python es el de un entorno virtual (venv) o de conda."""
    return sys.prefix != sys.base_prefix or "CONDA_PREFIX" in os.environ


def libraries_problem(missing: Sequence[str], in_venv: bool) -> str | None:
    """Qué hacer si faltan bibliotecas: activar el entorno o instalar lo fijado."""
    if not missing:
        return None
    names = ", ".join(missing)
    if os.environ.get("AZUREML_RUN_ID"):  # dentro de un trabajo de Azure ML
        return (
            f"al entorno del trabajo de Azure ML le faltan bibliotecas del "
            f"laboratorio ({names}). Añádelas a la sección pip de conda.yml con "
            "la misma versión que en requirements.txt y vuelve a lanzar el "
            "pipeline: python scripts/run_inference_pipeline.py"
        )
    if in_venv:
        return (
            f"al entorno de Python activo ({sys.prefix}) le faltan bibliotecas "
            f"del laboratorio ({names}). Instálalas desde la carpeta del "
            f"laboratorio con: {INSTALL}"
        )
    return (
        f"este Python ({sys.executable}) no tiene las bibliotecas del laboratorio "
        f"({names}): el entorno virtual no está activo. Si ya lo creaste, "
        f"{ACTIVATE}; si no, créalo con python -m venv .venv, actívalo e instala "
        f"los requisitos: {INSTALL}"
    )


def environment_problem() -> str | None:
    """El primer problema de este Python para el laboratorio, o ``None``."""
    return python_problem() or libraries_problem(
        missing_libraries(), in_virtual_environment()
    )


def write_problem(problem: str) -> None:
    """Escribe el problema en una línea, en español, en la salida de errores."""
    message = f"❌ Error: {problem}\n"
    stream = sys.stderr
    try:
        stream.write(message)
    except UnicodeEncodeError:  # una consola que no sabe escribir «❌» ni tildes
        stream.write(message.encode("ascii", "replace").decode("ascii"))
    stream.flush()


def fail(problem: str) -> None:
    """Escribe el problema en una línea, en español, y termina con código 1."""
    write_problem(problem)
    raise SystemExit(1)


def require_environment() -> None:
    """Termina con un mensaje claro si a este Python le falta algo del laboratorio."""
    problem = environment_problem()
    if problem:
        fail(problem)


# Lo que los scripts y las pruebas del laboratorio importan de
# requirements.txt, con el nombre con que se importa y el del paquete: si falta
# uno de estos, el problema es el entorno, no el código.
LAB_LIBRARIES: dict[str, str] = {
    **{module: package for package, module in REQUIRED_MODULES.items()},
    "azure": "azure-ai-ml",
    "azureml": "azureml-mlflow",
    "matplotlib": "matplotlib",
    "yaml": "PyYAML",
    "tomli": "tomli",
    "black": "black",
    "isort": "isort",
    "flake8": "flake8",
    "pylint": "pylint",
    "mypy": "mypy",
    "pytest": "pytest",
    "xdist": "pytest-xdist",
    "pre_commit": "pre-commit",
}


def require_libraries(modules: Iterable[str]) -> None:
    """Termina con una línea en español si este Python no tiene esos módulos.

    Para lo que corre en otro proceso (``run_checks.py`` ejecuta Black, pytest…
    con ``python -m``): allí la falta no llega a ``guard_environment``.
    """
    missing = [
        LAB_LIBRARIES.get(module, module)
        for module in modules
        if importlib.util.find_spec(module) is None
    ]
    problem = libraries_problem(missing, in_virtual_environment())
    if problem:
        fail(problem)


def missing_lab_library(error: BaseException) -> str | None:
    """El paquete del laboratorio que falta, si ``error`` viene de no encontrarlo.

    Mira también las excepciones encadenadas (``raise … from``). ``None`` si el
    módulo que falta no es una biblioteca del laboratorio (``LAB_LIBRARIES``):
    un nombre mal escrito en el código no es un problema del entorno.
    """
    seen: BaseException | None = error
    visited: set[int] = set()
    while seen is not None and id(seen) not in visited:
        if isinstance(seen, ModuleNotFoundError) and seen.name:
            return LAB_LIBRARIES.get(seen.name.partition(".")[0])
        visited.add(id(seen))
        seen = seen.__cause__ or seen.__context__
    return None


def _explain_missing_library(
    kind: type[BaseException],
    error: BaseException,
    traceback: TracebackType | None,
) -> None:
    """``sys.excepthook``: una biblioteca que falta, en una línea; lo demás, igual.

    Python termina con código 1 después de cualquier excepción no capturada.
    """
    package = missing_lab_library(error)
    if package is None:
        sys.__excepthook__(kind, error, traceback)
        return
    missing = [package, *(name for name in missing_libraries() if name != package)]
    write_problem(str(libraries_problem(missing, in_virtual_environment())))


def guard_environment() -> None:
    """Revisa la versión de Python y explica en español la biblioteca que falte.

    Termina ya si la versión no es de las admitidas. Después, si el script
    importa una biblioteca del laboratorio que este Python no tiene, la
    excepción que nadie captura (``ModuleNotFoundError``) se muestra como una
    línea que dice cómo arreglarlo (activar el entorno virtual, instalar
    ``requirements.lock`` o, en un trabajo de Azure ML, añadirla a
    ``conda.yml``) y el script termina con código 1.
    """
    problem = python_problem()
    if problem:
        fail(problem)
    sys.excepthook = _explain_missing_library


if __name__ == "__main__":
    # ./dev.sh: solo la versión (las bibliotecas aún no están instaladas).
    PROBLEM = python_problem()
    if PROBLEM:
        fail(PROBLEM)
