"""Las pruebas del proyecto no escriben en el laboratorio.

Trabajan en copias (``tests/lab_copy.py``); para que ni siquiera Python deje
``__pycache__`` al importar un script del laboratorio, aquí se apaga la
escritura de bytecode en este proceso y en los que lance. Al final de la
sesión se comprueba que ningún archivo de ``labs/gitops-workflow/`` apareció,
cambió o desapareció.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

import pytest
from lab_copy import lab_state

sys.dont_write_bytecode = True
os.environ["PYTHONDONTWRITEBYTECODE"] = "1"


@pytest.fixture(scope="session", autouse=True)
def lab_left_untouched() -> Iterator[None]:
    """Falla la sesión si alguna prueba tocó el laboratorio."""
    before = lab_state()
    yield
    after = lab_state()
    changed = sorted(
        name
        for name in before.keys() | after.keys()
        if before.get(name) != after.get(name)
    )
    assert not changed, f"las pruebas tocaron el laboratorio: {changed[:20]}"
