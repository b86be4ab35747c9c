"""Lo primero que importa cada script: el código de esta copia del laboratorio.

Pone la carpeta ``src/`` de este laboratorio al principio de ``sys.path``, así
``import churn_lab`` (y ``labkit``, ``course``) usa el código de esta misma
copia desde cualquier carpeta (aunque el entorno virtual se haya instalado en
otra copia). Al importarse, ``labkit`` revisa la versión de Python y que el
entorno virtual esté activo, y si no, termina con una línea en español que
dice cómo arreglarlo.

Solo usa la biblioteca estándar.
"""

from __future__ import annotations

import sys
from pathlib import Path

_SRC = str(Path(__file__).resolve().parents[1] / "src")
if sys.path[:1] != [_SRC]:
    sys.path.insert(0, _SRC)

# pylint: disable-next=wrong-import-position
from labkit import LAB_ROOT  # noqa: E402

__all__ = ["LAB_ROOT"]
