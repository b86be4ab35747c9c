"""Lo primero que importan los comandos del profesor: el código del laboratorio.

Pone ``labs/gitops-workflow/src`` al principio de ``sys.path``: así el
informe y el reparto usan las mismas comprobaciones que el estudiante
(``course``), una sola copia, sin instalar nada. No escribe ``__pycache__``
dentro del laboratorio.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.dont_write_bytecode = True
LAB_SRC = str(Path(__file__).resolve().parents[1] / "labs" / "gitops-workflow" / "src")
if LAB_SRC not in sys.path:
    sys.path.insert(0, LAB_SRC)
