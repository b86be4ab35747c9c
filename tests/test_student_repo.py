"""Los chequeos del laboratorio pasan donde el estudiante los ejecuta.

En su repositorio (``tests/student_repo.py``: el laboratorio en la raíz,
``.venv`` dentro, rama ``main``), con el cambio de la Parte 2 ya en commit en
su rama: los cinco linters y la suite entera del laboratorio
(``run_checks.py --completo``), sin recortar. Los otros dos lugares:
- con el cambio aún sin commit (la Parte 2, paso 4, al pie de la letra):
  ``test_tutorial.py::test_part_two_change``;
- en el checkout que hace GitHub para un pull request (profundidad 1, HEAD
  separado en ``refs/pull/1/merge``, sin rama ``main`` local): el primer pull
  request de ``test_workflows_act.py``, donde el propio ``actions/checkout``
  lo hace bajo act y el trabajo Pruebas corre la suite entera.
"""

from __future__ import annotations

import re

import pytest
from student_repo import FIRST_COMMIT, StudentRepo
from test_tutorial import CHANGE_MARK, apply_change, dedented, tutorial_text

# El resumen de pytest cuando todo pasó: nada fallido, saltado ni con error.
PASSED = r"\d+ passed(, \d+ deselected)?(, \d+ warnings?)?"


def part_two_change() -> str:
    """El cambio de la Parte 2, paso 3 (``<!-- cambio-parte-2 -->``)."""
    changes = {
        match.group("kind"): dedented(match)
        for match in CHANGE_MARK.finditer(tutorial_text())
    }
    return changes["cambio"]


def assert_all_passed(result_output: str, returncode: int) -> None:
    """Código 0, «Todo en orden» y ninguna prueba fallida, saltada o con error."""
    assert returncode == 0, result_output[-6000:]
    assert "✅ Todo en orden" in result_output, result_output[-3000:]
    summary = re.findall(r"=+ (.*(?:passed|failed|error).*) in [\d.]+s", result_output)
    assert summary, result_output[-3000:]
    assert re.fullmatch(PASSED, summary[-1]), summary[-1]


def test_the_repository_is_the_one_the_tutorial_makes(
    student_repo: StudentRepo,
) -> None:
    repo = student_repo
    assert repo.git("branch", "--show-current").strip() == "main"
    assert repo.git("log", "--format=%s").splitlines() == [FIRST_COMMIT]
    # .venv está dentro y .gitignore lo deja fuera: nada queda sin commit.
    assert repo.python.is_file()
    assert repo.git("status", "--porcelain", "--ignored=no") == ""
    assert ".github/workflows/ci.yml" in repo.git("ls-files").splitlines()
    # El laboratorio no se instala: scripts/_lab.py pone el src/ de este
    # repositorio primero, y eso importa cada script.
    assert "gitops-lab" not in repo.run(["-m", "pip", "list"]).stdout
    shown = repo.run(
        [
            "-c",
            "import sys; sys.path.insert(0, 'scripts'); import _lab, labkit; "
            "print(labkit.__file__)",
        ]
    )
    assert shown.stdout.strip() == str(repo.root / "src" / "labkit" / "__init__.py")


@pytest.fixture(scope="module", name="committed")
def fixture_committed(
    student_repo: StudentRepo, tmp_path_factory: pytest.TempPathFactory
) -> StudentRepo:
    """Parte 2, pasos 2–5: la rama ``feat/mi-firma`` con el cambio en un commit."""
    repo = student_repo.clone(tmp_path_factory.mktemp("committed") / "gitops-lab")
    repo.git("switch", "--quiet", "-c", "feat/mi-firma")
    apply_change(repo.root, part_two_change())
    repo.git("add", "scripts/train_model.py")
    repo.git("commit", "--quiet", "-m", "feat: muestra el autor del laboratorio")
    return repo


def test_whole_suite_in_the_repository_after_the_commit(
    committed: StudentRepo,
) -> None:
    result = committed.run(["scripts/run_checks.py", "--completo"])
    assert_all_passed(result.stdout, result.returncode)
    # Las pruebas no dejaron nada sin ignorar en el repositorio.
    assert committed.git("status", "--porcelain") == ""
