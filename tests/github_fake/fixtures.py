"""Fixtures de pytest para ejecutar los flujos con act (ver :mod:`github_fake.act`).

Para usarlas en otro archivo de pruebas, impórtalas (pytest registra las
fixtures importadas en el módulo) y salta si falta algo::

    from github_fake.act import missing_requirements
    from github_fake.fixtures import (  # noqa: F401
        fixture_act_environment,
        fixture_github,
        fixture_student,
    )

    MISSING = missing_requirements()
    pytestmark = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from github_fake.act import (
    REPOSITORY,
    RUNNER_PYTHONS,
    ActEnvironment,
    StudentRepo,
    runner_python_version,
)
from github_fake.server import FakeGitHub
from student_repo import StudentRepo as StudentRepoOfTheSession


@pytest.fixture(scope="session", name="act_environment")
def fixture_act_environment(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ActEnvironment]:
    """act y su caché (acciones, espacios de trabajo, Python, PyPI), compartidos."""
    environment = ActEnvironment(cache=tmp_path_factory.mktemp("act-cache"))
    for home in RUNNER_PYTHONS:
        version = runner_python_version(home)
        if version is not None:
            environment.prepare_python(version, home)
    yield environment
    environment.close()


@pytest.fixture(name="student")
def fixture_student(
    tmp_path: Path, student_repo: StudentRepoOfTheSession
) -> StudentRepo:
    """El repositorio del estudiante de la sesión, clonado, con su «GitHub» vacío.

    ``student_repo`` (``tests/conftest.py``) es el repositorio hecho como dicen
    las Partes 1 y 2 del tutorial: ``main`` con el primer commit, aún sin push.
    """
    return StudentRepo(tmp_path, source=student_repo.root)


@pytest.fixture(name="github")
def fixture_github(student: StudentRepo) -> Iterator[FakeGitHub]:
    """La API de GitHub falsa de ese repositorio."""
    with FakeGitHub(REPOSITORY, student.bare) as fake:
        yield fake
