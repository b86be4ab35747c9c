"""Pruebas de scripts/_hook.py: Black, isort y Flake8 para pre-commit."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts._hook import main
from tests.helpers import run_script

SCRIPT = "scripts/_hook.py"


def test_runs_the_tool_and_returns_its_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "bien.py"
    good.write_text('"""Bien."""\n\nVALUE = 1\n', encoding="utf-8")
    bad = tmp_path / "mal.py"
    bad.write_text("import os,sys\n", encoding="utf-8")
    assert main(["flake8", str(good)]) == 0
    assert main(["flake8", str(bad)]) == 1
    assert "E231" in capsys.readouterr().out


def test_unknown_tool_is_refused_in_spanish() -> None:
    result = run_script([SCRIPT, "pylint"])
    assert result.returncode == 1
    assert "elige entre 'black', 'isort', 'flake8'" in result.stderr
    assert "Traceback" not in result.stderr


def test_help_is_spanish() -> None:
    result = run_script([SCRIPT, "--help"])
    assert result.returncode == 0
    assert "black" in result.stdout and "muestra esta ayuda" in result.stdout
