"""Lo primero que importa cada script: el código de esta copia y tu Python.

Su primera línea de código pone la carpeta ``src/`` de este laboratorio al
principio de ``sys.path``: así ``import churn_lab`` (y ``labkit``, ``course``)
usa el código de esta misma copia desde cualquier carpeta. Es la única línea
del laboratorio que toca ``sys.path``.

Después, ``guard_environment()`` revisa la versión de Python (si no es de las
admitidas, el script termina con una línea en español que dice qué instalar)
y prepara el aviso de las bibliotecas: si el script importa pandas,
scikit-learn, MLflow… y este Python no las tiene (casi siempre, porque el
entorno virtual no está activado), termina con una línea en español que dice
cómo activarlo o qué instalar, en lugar de un traceback. Un script que solo
usa la biblioteca estándar funciona sin el entorno virtual.

Por eso cada script lo importa antes que cualquier otra biblioteca. Solo usa
la biblioteca estándar.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

# pylint: disable=wrong-import-position
from labkit import LAB_ROOT  # noqa: E402
from labkit.environment import guard_environment  # noqa: E402

guard_environment()

__all__ = ["LAB_ROOT"]
