"""Fixtures de toda la sesión: el repositorio del estudiante y el laboratorio intacto.

Las pruebas no escriben en el laboratorio: trabajan en copias
(``tests/lab_copy.py``) o en el repositorio de un estudiante
(``tests/student_repo.py``), e importan el código de la copia, nunca el de
``labs/gitops-workflow/``. Python escribe ``__pycache__`` como en la
computadora de un estudiante o en un runner de GitHub (aquí no se apaga):
si una prueba importara del laboratorio, la comprobación del final de la
sesión lo vería, porque falla si algún archivo de ``labs/gitops-workflow/``
apareció, cambió o desapareció.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from lab_copy import lab_state
from student_repo import StudentRepo, session_repo

ROOT = Path(__file__).resolve().parents[1]


# Las pruebas corren en dos procesos (pytest-xdist, «-n 2 --dist loadgroup» en
# pyproject.toml), un archivo entero en cada uno, para que las fixtures caras
# de cada módulo (el emulador de Azure, las copias del laboratorio) se creen
# una sola vez. Los escenarios de act van juntos, de uno en uno.
# Ojo: xdist añade el grupo al id de cada prueba en su propio
# pytest_collection_modifyitems, que corre antes que este, así que hoy estos
# grupos no se aplican (las pruebas se reparten una a una).
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


@pytest.fixture(scope="session")
def student_repo(tmp_path_factory: pytest.TempPathFactory) -> StudentRepo:
    """El repositorio de un estudiante tras las Partes 1 y 2 del tutorial.

    El laboratorio en la raíz, un commit en ``main`` y ``.venv`` dentro con
    ``requirements.lock`` instalado (ver ``tests/student_repo.py``). Uno por
    sesión, compartido por los procesos de pytest-xdist; su ``.venv`` se
    copia de una plantilla que se guarda entre sesiones en
    ``.venv/student-repo/``. Es de solo lectura: para
    cambiar archivos o ramas, ``student_repo.clone(tmp_path / "repo")``.
    """
    basetemp = tmp_path_factory.getbasetemp()
    # Con pytest-xdist, cada proceso tiene su carpeta dentro de la de la sesión.
    session_dir = basetemp.parent if os.environ.get("PYTEST_XDIST_WORKER") else basetemp
    return session_repo(ROOT / ".venv" / "student-repo", session_dir)
