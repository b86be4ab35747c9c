"""``run_checks.py`` sin --completo da los mismos veredictos que los pasos de CI.

En el repositorio de un estudiante (``tests/student_repo.py``: git, ``.venv``
dentro), como en la Parte 2:

1. la primera vez no hay nada guardado: lo revisa todo y recuerda lo que pasó;
2. un cambio que pasa (el de la Parte 2, aún sin commit): ``run_checks.py``
   solo repite lo que ese cambio puede afectar, y lo dice; cada herramienta
   da lo mismo que su paso de CI, con el mismo comando que ejecutan
   ``ci.yml`` y ``reusable_lint.yml`` (``python scripts/run_checks.py
   <herramienta> --completo``);
3. encima, un cambio que falla donde no se ve: ``churn_lab/data.py`` deja de
   tener una función que usan archivos que no cambiaron (Pylint y MyPy la
   echan de menos en ellos, y las pruebas que los usan no se pueden cargar):
   otra vez, los mismos veredictos que CI.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from student_repo import StudentRepo
from test_tutorial import CHANGE_MARK, apply_change, dedented, tutorial_text

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / "labs" / "gitops-workflow" / ".github" / "workflows"
STEP = re.compile(r"^python (scripts/run_checks\.py) (\w+) --completo$")
ROW = re.compile(r"^(\w+) +(✅ correcto|❌ falló) +[\d,]+ s$", re.M)
RENAMED = "generate_inference_data"


def ci_commands() -> dict[str, list[str]]:
    """Cada herramienta con el comando de su paso en los flujos de CI."""
    found: dict[str, list[str]] = {}

    def steps(node: Any) -> Any:
        if isinstance(node, dict):
            if isinstance(node.get("run"), str):
                yield node["run"].strip()
            for value in node.values():
                yield from steps(value)
        elif isinstance(node, list):
            for value in node:
                yield from steps(value)

    for name in ("ci.yml", "reusable_lint.yml"):
        workflow = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
        for script in steps(workflow):
            match = STEP.match(script)
            if match:
                found[match.group(2)] = [match.group(1), match.group(2), "--completo"]
    return found


def ci_verdicts(repo: StudentRepo) -> dict[str, bool]:
    """Lo que diría CI: cada paso, uno tras otro, en el repositorio."""
    commands = ci_commands()
    assert set(commands) == {"black", "isort", "flake8", "pylint", "mypy", "pytest"}
    return {
        name: repo.run(command).returncode == 0 for name, command in commands.items()
    }


def quick_verdicts(repo: StudentRepo) -> tuple[dict[str, bool], str]:
    """``python scripts/run_checks.py`` como antes de un push: su tabla y su salida."""
    result = repo.run(["scripts/run_checks.py"])
    rows = {name: mark.startswith("✅") for name, mark in ROW.findall(result.stdout)}
    assert (result.returncode == 0) is all(rows.values()), result.stdout[-3000:]
    return rows, result.stdout


@pytest.fixture(scope="module", name="repo")
def fixture_repo(
    student_repo: StudentRepo, tmp_path_factory: pytest.TempPathFactory
) -> StudentRepo:
    """Un clon del repositorio del estudiante, revisado una vez (nada guardado)."""
    repo = student_repo.clone(tmp_path_factory.mktemp("veredictos") / "gitops-lab")
    rows, output = quick_verdicts(repo)
    assert all(rows.values()) and len(rows) == 6, output[-3000:]
    assert "la primera vez" in output
    return repo


def test_quick_checks_give_the_verdicts_of_ci_on_a_passing_and_a_failing_change(
    repo: StudentRepo,
) -> None:
    # El cambio de la Parte 2 (pasa): solo lo que puede afectar, y lo dice.
    changes = {
        match.group("kind"): dedented(match)
        for match in CHANGE_MARK.finditer(tutorial_text())
    }
    apply_change(repo.root, changes["cambio"])
    quick, output = quick_verdicts(repo)
    assert quick == dict.fromkeys(quick, True), output[-3000:]
    assert re.search(r"pytest: solo \d+ de \d+ archivos de pruebas", output), output
    assert re.search(r"Pylint: solo \d+ de \d+ archivos", output), output
    assert "python scripts/run_checks.py --completo" in output
    assert ci_verdicts(repo) == quick

    # Encima, un cambio que rompe archivos que no cambian.
    data = repo.root / "src" / "churn_lab" / "data.py"
    source = data.read_text(encoding="utf-8")
    assert f"def {RENAMED}(" in source
    data.write_text(
        source.replace(f"def {RENAMED}(", f"def {RENAMED}_v2("), encoding="utf-8"
    )
    quick, output = quick_verdicts(repo)
    expected = {
        "black": True,
        "isort": True,
        "flake8": True,
        "pylint": False,
        "mypy": False,
        "pytest": False,
    }
    assert quick == expected, output[-3000:]
    # Pylint lo encontró en scripts/create_inference_data.py, que no cambió.
    assert re.search(
        rf"scripts/create_inference_data\.py:\d+:\d+: E0611: No name '{RENAMED}'",
        output,
    ), output[-3000:]
    assert ci_verdicts(repo) == expected
