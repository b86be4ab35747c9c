"""Lo primero que se revisa: la versión de Python y el entorno virtual.

``labkit`` llama a ``require_environment()`` al importarse, antes de cargar
pandas o scikit-learn. Si el Python no es de las versiones admitidas, o si
faltan las bibliotecas (casi siempre porque el entorno virtual no está
activado), el script termina con una sola línea en español que dice qué hacer,
en lugar de un traceback con ``ModuleNotFoundError``.

Solo usa la biblioteca estándar y una sintaxis que cualquier Python 3 entiende:
tiene que funcionar justo con el Python equivocado. ``./dev.sh`` lo ejecuta como
programa (``python src/labkit/environment.py``) para revisar solo la versión.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable, Sequence

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


def fail(problem: str) -> None:
    """Escribe el problema en una línea, en español, y termina con código 1."""
    message = f"❌ Error: {problem}\n"
    stream = sys.stderr
    try:
        stream.write(message)
    except UnicodeEncodeError:  # una consola que no sabe escribir «❌» ni tildes
        stream.write(message.encode("ascii", "replace").decode("ascii"))
    stream.flush()
    raise SystemExit(1)


def require_environment() -> None:
    """Termina con un mensaje claro si este Python no sirve para el laboratorio."""
    problem = environment_problem()
    if problem:
        fail(problem)


if __name__ == "__main__":
    # ./dev.sh: solo la versión (las bibliotecas aún no están instaladas).
    PROBLEM = python_problem()
    if PROBLEM:
        fail(PROBLEM)
