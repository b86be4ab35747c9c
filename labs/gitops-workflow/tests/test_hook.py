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


def test_a_latin1_file_gets_one_spanish_line_per_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Un editor de Windows en Latin-1: «ñ» es el byte 0xF1, que no es UTF-8.
    latin = tmp_path / "latin.py"
    latin.write_bytes('"""Doc."""\n\n# añade\nVALUE = 1\n'.encode("latin-1"))
    for tool in ("black", "isort", "flake8"):
        assert main([tool, str(latin)]) == 1
        err = capsys.readouterr().err
        assert err.strip().splitlines() == [
            f"❌ {latin} no está guardado en UTF-8 (línea 3): guárdalo en UTF-8 "
            "desde tu editor (en VS Code: la codificación, abajo a la derecha → "
            "«Save with Encoding» → UTF-8) y vuelve a intentarlo."
        ]


def test_a_file_that_declares_its_encoding_goes_to_the_tool(tmp_path: Path) -> None:
    declared = tmp_path / "declarado.py"
    declared.write_bytes(
        '# -*- coding: latin-1 -*-\n"""Doc."""\n\n# añade\nVALUE = 1\n'.encode(
            "latin-1"
        )
    )
    assert main(["black", str(declared)]) == 0


def test_a_latin1_file_through_the_script_has_no_traceback(tmp_path: Path) -> None:
    latin = tmp_path / "latin.py"
    latin.write_bytes("# año\n".encode("latin-1"))
    result = run_script([SCRIPT, "black", str(latin)])
    assert result.returncode == 1
    assert "no está guardado en UTF-8" in result.stderr
    assert "Traceback" not in result.stderr and "codec" not in result.stderr


def test_bad_indentation_is_said_in_spanish_before_the_tool(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # El error 2 de la Parte 2: la línea nueva con un espacio de más.
    bad = tmp_path / "train_model.py"
    bad.write_text('def f():\n    print("a")\n     print("b")\n', encoding="utf-8")
    for tool in ("black", "flake8"):
        assert main([tool, str(bad)]) != 0
        output = capsys.readouterr()
        first = output.out.splitlines()[0]
        assert first.startswith(f"❌ {bad}, línea 3: esta línea tiene más sangría")
        assert "Arreglo: deja esta línea con la misma sangría" in first
    # Después, la salida de la herramienta (aquí, la de Flake8).
    assert "E999" in output.out
