"""Pruebas de scripts/run_checks.py.

Los chequeos se ejecutan sobre una carpeta temporal con un par de archivos
pequeños, no sobre el laboratorio: así la prueba es rápida y no depende del
estado del resto del código.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scripts.run_checks import CHECKS, CODE_PATHS, main, run_checks
from tests.helpers import LAB_ROOT, run_script

WELL_FORMATTED = '"""Un módulo bien formateado."""\n\nVALUE = {"a": 1}\n'
BADLY_FORMATTED = "VALUE = {'a':1}\n"


@pytest.fixture(name="project")
def fixture_project(tmp_path: Path) -> Path:
    """Un proyecto mínimo con la configuración del laboratorio y código correcto."""
    shutil.copy(LAB_ROOT / "pyproject.toml", tmp_path)
    shutil.copy(LAB_ROOT / ".flake8", tmp_path)
    for folder in CODE_PATHS:
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "src" / "good.py").write_text(WELL_FORMATTED, encoding="utf-8")
    return tmp_path


def test_help_is_spanish_and_exits_zero() -> None:
    result = run_script(["scripts/run_checks.py", "--help"])
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("uso: ")
    assert "chequeos a ejecutar" in result.stdout
    assert "--fix" in result.stdout


def test_list_prints_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--list"]) == 0
    output = capsys.readouterr().out
    for name in CHECKS:
        assert name in output
    assert "python -m black --check --diff scripts src tests" in output
    assert "python -m pytest" in output


def test_unknown_check_is_rejected_in_spanish(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["blak"])
    assert exit_info.value.code == 1
    error = capsys.readouterr().err
    assert "chequeo desconocido: blak" in error
    assert "black" in error


def test_clean_code_passes(project: Path) -> None:
    results = run_checks(["black", "isort", "flake8"], root=project)
    assert [result.name for result in results] == ["black", "isort", "flake8"]
    assert all(result.passed for result in results)


def test_badly_formatted_file_fails_black_and_the_others_still_run(
    project: Path,
) -> None:
    (project / "scripts" / "bad.py").write_text(BADLY_FORMATTED, encoding="utf-8")
    results = {
        result.name: result.passed
        for result in run_checks(["flake8", "black", "isort"], root=project)
    }
    # Se ejecutan en el orden de CI aunque se pidan en otro.
    assert list(results) == ["black", "isort", "flake8"]
    assert results == {"black": False, "isort": True, "flake8": False}


def test_checks_run_together_and_each_output_is_shown_whole_in_ci_order(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "scripts" / "bad.py").write_text("import os,sys\n", encoding="utf-8")
    results = run_checks(["flake8", "black"], root=project)
    assert [(result.name, result.passed) for result in results] == [
        ("black", False),
        ("flake8", False),
    ]
    output = capsys.readouterr().out
    black = output.index("▶ python -m black")
    flake8 = output.index("▶ python -m flake8")
    assert black < output.index("would reformat") < flake8 < output.index("E231")


def test_fix_formats_the_file_before_checking(project: Path) -> None:
    bad = project / "scripts" / "bad.py"
    bad.write_text(BADLY_FORMATTED, encoding="utf-8")
    results = run_checks(["black"], fix=True, root=project)
    assert results[0].passed
    assert bad.read_text(encoding="utf-8") == 'VALUE = {"a": 1}\n'


def test_script_exits_one_and_prints_summary_when_a_check_fails(
    project: Path,
) -> None:
    # run_checks.py y lo que importa: _lab.py y labkit (la raíz es su copia).
    for script in ("_lab.py", "run_checks.py"):
        shutil.copy(LAB_ROOT / "scripts" / script, project / "scripts")
    shutil.copytree(
        LAB_ROOT / "src" / "labkit",
        project / "src" / "labkit",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    (project / "src" / "bad.py").write_text(BADLY_FORMATTED, encoding="utf-8")
    result = run_script(["scripts/run_checks.py", "black", "isort"], cwd=project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "📋 Resumen de los chequeos" in result.stdout
    assert "❌ falló" in result.stdout
    assert "✅ correcto" in result.stdout
    assert "Fallaron: black" in result.stdout
    assert "--fix" in result.stdout


def test_slow_tests_run_only_with_completo(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--list"]) == 0
    assert 'python -m pytest -m "not slow"' in capsys.readouterr().out
    assert main(["--list", "--completo"]) == 0
    commands = capsys.readouterr().out.splitlines()
    assert "pytest   python -m pytest" in commands


def test_slow_marker_is_declared_and_used() -> None:
    """El marcador existe (--strict-markers) y marca las pruebas de integración."""
    marked = [
        path.name
        for path in (LAB_ROOT / "tests").glob("test_*.py")
        if "@pytest.mark.slow" in path.read_text(encoding="utf-8")
    ]
    assert {"test_register_model.py", "test_run_inference_pipeline.py"} <= set(marked)
    assert '"slow: ' in (LAB_ROOT / "pyproject.toml").read_text(encoding="utf-8")
