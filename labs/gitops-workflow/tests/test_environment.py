"""Las versiones de requirements.txt y conda.yml coinciden.

Un modelo guardado con una versión de scikit-learn puede no cargar con otra:
el trabajo de Azure ML (conda.yml) debe usar las mismas versiones con las que
se entrena en local (requirements.txt).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from churn_lab.environment import (
    REQUIRED_MODULES,
    environment_problem,
    libraries_problem,
    missing_libraries,
    python_problem,
    supported_range,
)
from tests.helpers import LAB_ROOT

PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;#]+)")
# Lo mínimo que necesita src/score.py dentro del trabajo de Azure ML.
SCORING_PACKAGES = {
    "numpy",
    "pandas",
    "scikit-learn",
    "joblib",
    "skops",
    "mlflow-skinny",
}


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(lines: list[str]) -> dict[str, str]:
    """Paquetes fijados con == en unas líneas de requisitos."""
    found = {}
    for line in lines:
        match = PIN.match(line.strip())
        if match:
            found[_normalise(match.group(1))] = match.group(2)
    return found


def requirements_pins(path: Path = LAB_ROOT / "requirements.txt") -> dict[str, str]:
    """Versiones fijadas en requirements.txt."""
    return pins(path.read_text(encoding="utf-8").splitlines())


def conda_pins(path: Path = LAB_ROOT / "conda.yml") -> dict[str, str]:
    """Versiones fijadas en la sección pip de conda.yml."""
    environment = yaml.safe_load(path.read_text(encoding="utf-8"))
    pip_lines: list[str] = []
    for dependency in environment["dependencies"]:
        if isinstance(dependency, dict):
            pip_lines.extend(dependency.get("pip", []))
    return pins(pip_lines)


def disagreements(local: dict[str, str], azure: dict[str, str]) -> list[str]:
    """Paquetes que están en los dos archivos con versiones distintas."""
    return [
        f"{name}: requirements.txt {local[name]} ≠ conda.yml {azure[name]}"
        for name in sorted(local.keys() & azure.keys())
        if local[name] != azure[name]
    ]


def test_shared_pins_agree() -> None:
    assert not disagreements(requirements_pins(), conda_pins())


def test_scoring_packages_pinned_in_both() -> None:
    assert SCORING_PACKAGES <= conda_pins().keys()
    assert SCORING_PACKAGES <= requirements_pins().keys()


def test_every_requirement_is_pinned() -> None:
    lines = (LAB_ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    requirements = [
        line.strip()
        for line in lines
        if line.strip() and not line.startswith("#") and line.strip() != "-e ."
    ]
    assert requirements
    assert all(PIN.match(line) for line in requirements), requirements


def test_a_mismatch_is_detected(tmp_path: Path) -> None:
    conda = (LAB_ROOT / "conda.yml").read_text(encoding="utf-8")
    changed = tmp_path / "conda.yml"
    changed.write_text(
        conda.replace("scikit-learn==1.7.2", "scikit-learn==1.3.2"), encoding="utf-8"
    )
    problems = disagreements(requirements_pins(), conda_pins(changed))
    assert problems == ["scikit-learn: requirements.txt 1.7.2 ≠ conda.yml 1.3.2"]


def test_conda_python_is_supported() -> None:
    environment = yaml.safe_load((LAB_ROOT / "conda.yml").read_text(encoding="utf-8"))
    python = [
        dependency
        for dependency in environment["dependencies"]
        if isinstance(dependency, str) and dependency.startswith("python=")
    ]
    assert python and python[0].split("=")[1] in {"3.10", "3.11", "3.12"}


def test_the_environment_check_looks_for_what_scoring_needs() -> None:
    """churn_lab exige al importarse lo que score.py necesita, también en Azure ML."""
    assert set(REQUIRED_MODULES) == SCORING_PACKAGES
    assert SCORING_PACKAGES <= set(conda_pins())


def test_unsupported_pythons_get_the_range_and_the_fix() -> None:
    assert python_problem((3, 12, 1)) is None
    assert python_problem((3, 10, 0)) is None
    for version in ((3, 9, 18), (3, 14, 0)):
        problem = python_problem(version, "/usr/bin/python3")
        assert problem is not None
        assert f"Python {'.'.join(map(str, version))}" in problem
        assert f"Python {supported_range()}" in problem
        assert "-m venv .venv" in problem


def test_missing_libraries_say_activate_or_install() -> None:
    assert missing_libraries(lambda module: object()) == []
    missing = missing_libraries(lambda module: None)
    assert missing == list(REQUIRED_MODULES)
    outside = libraries_problem(["pandas"], in_venv=False)
    assert outside is not None
    for fix in (
        "source .venv/bin/activate",
        ".venv\\Scripts\\Activate.ps1",
        ".venv\\Scripts\\activate.bat",
        "python -m pip install -r requirements.txt",
    ):
        assert fix in outside
    inside = libraries_problem(["pandas"], in_venv=True)
    assert inside is not None and "pip install -r requirements.txt" in inside
    assert libraries_problem([], in_venv=False) is None


def test_missing_libraries_in_an_azure_ml_job_point_to_conda_yml(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """En un trabajo de Azure ML (AZUREML_RUN_ID), el arreglo es conda.yml."""
    monkeypatch.delenv("AZUREML_RUN_ID", raising=False)
    assert "conda.yml" not in str(libraries_problem(["skops"], in_venv=True))
    monkeypatch.setenv("AZUREML_RUN_ID", "trabajo-1")
    problem = libraries_problem(["skops"], in_venv=True)
    assert problem is not None
    assert "trabajo de Azure ML" in problem and "(skops)" in problem
    assert "sección pip de conda.yml" in problem


def test_this_environment_passes_the_check() -> None:
    assert environment_problem() is None
