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


# Las pruebas corren en dos procesos (pytest-xdist, «-n 2 --dist loadgroup» en
# pyproject.toml), un archivo entero en cada uno, para que las fixtures caras
# de cada módulo (el emulador de Azure, las copias del laboratorio) se creen
# una sola vez. Los escenarios de act van juntos y de uno en uno: comparten el
# Python del runner, en el que cada flujo instala el laboratorio.
_ACT_MODULES = (
    "test_workflows_act.py",
    "test_workflows_act_model.py",
    "test_progress_act.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Agrupa cada prueba con las de su archivo (y las de act, todas juntas)."""
    for item in items:
        module = item.path.name
        group = "act" if module in _ACT_MODULES else module
        item.add_marker(pytest.mark.xdist_group(name=group))


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
