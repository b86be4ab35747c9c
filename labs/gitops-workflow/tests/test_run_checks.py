"""Pruebas de scripts/run_checks.py y de su aviso de archivos que no compilan.

Los chequeos se ejecutan sobre una carpeta temporal con un par de archivos
pequeños, no sobre el laboratorio: así la prueba es rápida y no depende del
estado del resto del código.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from labkit.check_cache import Plan, Step, full_plan
from labkit.checks import run_plans
from labkit.syntax import describe, syntax_problem, syntax_problems
from scripts.run_checks import CHECKS, CODE_PATHS, main, run_checks
from tests.helpers import LAB_ROOT, run_script

WELL_FORMATTED = '"""Un módulo bien formateado."""\n\nVALUE = {"a": 1}\n'
BADLY_FORMATTED = "VALUE = {'a':1}\n"
# El error de la Parte 2 más común: la línea nueva con un espacio de más.
BAD_INDENT = (
    '"""Informe."""\n\n\ndef report() -> None:\n'
    '    """Imprime."""\n    print("a")\n     print("b")\n'
)


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
    assert "--fix" in result.stdout and "--completo" in result.stdout


def test_list_prints_the_commands_ci_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--list"]) == 0
    output = capsys.readouterr().out.splitlines()
    assert output == [
        f"{name:<8} python -m {' '.join(args)}" for name, args in CHECKS.items()
    ]
    assert "black    python -m black --check --diff scripts src tests" in output
    # Todas las pruebas, también las lentas: lo que corre CI.
    assert "pytest   python -m pytest" in output


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


def test_black_shows_what_it_would_change_only_when_something_fails(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Sin --completo, Black revisa primero con su caché (--check --diff no la
    # usa); el comando de CI, con lo que cambiaría, solo si algo falla.
    ci_command = "▶ python -m black --check --diff scripts src tests"
    assert run_checks(["black", "isort"], root=project)[0].passed
    assert ci_command not in capsys.readouterr().out
    (project / "scripts" / "bad.py").write_text(BADLY_FORMATTED, encoding="utf-8")
    assert not run_checks(["black", "isort"], root=project)[0].passed
    output = capsys.readouterr().out
    assert ci_command in output and "would reformat" in output
    assert '+VALUE = {"a": 1}' in output


def test_flake8_checks_again_only_what_changed_and_what_failed(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = project / "src" / "other.py"
    # En una carpeta que .flake8 excluye: CI no lo revisa, aquí tampoco.
    excluded = project / "src" / "build" / "old.py"
    excluded.parent.mkdir()
    for path in (other, excluded):
        path.write_text(WELL_FORMATTED, encoding="utf-8")
    assert run_checks(["flake8"], root=project)[0].passed
    capsys.readouterr()
    for path in (other, excluded):
        path.write_text("import os,sys\n", encoding="utf-8")
    for _ in range(2):  # sin arreglarlo, sigue fallando
        assert not run_checks(["flake8", "isort"], root=project)[1].passed
        output = capsys.readouterr().out
        assert "src/other.py:1:10: E231 missing whitespace after ','" in output
        assert "old.py:1:" not in output
    assert "ℹ️ Flake8: solo 1 de 6 archivos" in output
    other.write_text(WELL_FORMATTED, encoding="utf-8")
    assert run_checks(["flake8", "isort"], root=project)[1].passed
    assert run_checks(["flake8", "isort"], root=project)[1].passed
    assert "ninguno de los 6 archivos cambió" in capsys.readouterr().out
    assert run_checks(["flake8"], root=project, full=True)[0].passed


def test_checks_run_together_and_each_output_is_shown_whole_in_ci_order(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "scripts" / "bad.py").write_text("import os,sys\n", encoding="utf-8")
    results = run_checks(["flake8", "black"], root=project, full=True)
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


# --------------------------------------------------------------------------
# Un archivo que no compila (el error 2 de la Parte 2): una línea en español
# --------------------------------------------------------------------------


def test_bad_indentation_is_said_first_in_one_spanish_line(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "scripts" / "train.py").write_text(BAD_INDENT, encoding="utf-8")
    results = run_checks(["black", "flake8"], root=project)
    assert [result.passed for result in results] == [False, False]
    output = capsys.readouterr().out
    line = (
        "❌ scripts/train.py, línea 7: esta línea tiene más sangría que la de "
        "arriba (IndentationError: unexpected indent). Arreglo: deja esta línea "
        "con la misma sangría que las de alrededor del mismo bloque (4 espacios "
        "por nivel, sin tabuladores) y vuelve a intentarlo."
    )
    assert output.splitlines()[0] == line
    # Después, la salida de las herramientas, como en CI.
    assert output.index(line) < output.index("▶ python -m black")
    assert "E999 IndentationError" in output


def test_a_latin1_file_is_said_as_the_hook_says_it(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Un editor de Windows en Latin-1: «ñ» es el byte 0xF1, que no es UTF-8.
    latin = project / "scripts" / "firma.py"
    latin.write_bytes('"""Doc."""\n\n# añade\nVALUE = 1\n'.encode("latin-1"))
    results = run_checks(["black"], root=project)
    assert [result.passed for result in results] == [False]
    first = capsys.readouterr().out.splitlines()[0]
    assert first == (
        "❌ scripts/firma.py no está guardado en UTF-8 (línea 3): guárdalo en "
        "UTF-8 desde tu editor (en VS Code: la codificación, abajo a la derecha → "
        "«Save with Encoding» → UTF-8) y vuelve a intentarlo."
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def f():\nx = 1\n", "línea 2: falta sangría en el bloque que empieza aquí"),
        (
            "def f():\n    x = 1\n  y = 2\n",
            "línea 3: la sangría de esta línea no coincide con la de ninguna",
        ),
        ("def f():\n\tx = 1\n        y = 2\n", "la sangría mezcla tabuladores"),
        ("print( 'a'\nx = 1\n", "línea 1: Python no entiende esta línea"),
    ],
    ids=["falta", "no-coincide", "tabuladores", "parentesis"],
)
def test_each_kind_of_error_gets_its_explanation(
    tmp_path: Path, source: str, expected: str
) -> None:
    path = tmp_path / "mal.py"
    path.write_text(source, encoding="utf-8")
    problem = syntax_problem(path, "scripts/mal.py")
    assert problem is not None and problem.startswith("❌ scripts/mal.py, ")
    assert expected in problem and "Arreglo: " in problem
    assert len(problem.splitlines()) == 1


def test_valid_files_and_other_files_say_nothing(tmp_path: Path) -> None:
    good = tmp_path / "bien.py"
    good.write_text(WELL_FORMATTED, encoding="utf-8")
    notes = tmp_path / "notas.txt"
    notes.write_text("def (\n", encoding="utf-8")
    assert not syntax_problems([good, notes, tmp_path / "no-existe.py"], tmp_path)


def test_a_null_byte_is_explained_too() -> None:
    assert "guárdalo de nuevo como texto UTF-8" in describe(
        ValueError("source code string cannot contain null bytes"), "x.py"
    )


def test_a_check_that_cannot_be_planned_stops_everything_with_its_error(
    tmp_path: Path,
) -> None:
    # pytest calcula su plan ya en marcha (mientras corren los linters): si
    # eso falla, el error llega igual que antes, no un «✅» sin pruebas.
    def broken() -> Plan:
        raise OSError("sin espacio en el disco")

    plans = [Plan("pytest", [], prepare=broken), full_plan("isort", ["isort", "-h"])]
    with pytest.raises(OSError, match="sin espacio en el disco"):
        run_plans(plans, tmp_path)


# Anota su prioridad («nice») cuando es la esperada (o a los dos minutos): la
# baja run_plans justo después de crear el proceso.
NICENESS_PROBE = """
import os
import sys
import time

deadline = time.monotonic() + 120
while os.getpriority(os.PRIO_PROCESS, 0) != int(sys.argv[2]):
    if time.monotonic() > deadline:
        break
    time.sleep(0.05)
with open(sys.argv[1], "w", encoding="utf-8") as output:
    output.write(str(os.getpriority(os.PRIO_PROCESS, 0)))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="en Windows es otra marca")
def test_the_other_checks_yield_the_processor_to_pytest(tmp_path: Path) -> None:
    (tmp_path / "probe.py").write_text(NICENESS_PROBE, encoding="utf-8")
    base = os.getpriority(os.PRIO_PROCESS, 0)
    lowered = min(base + 10, 19)

    def probe(name: str, expected: int) -> Plan:
        report = str(tmp_path / f"{name}.txt")
        step = Step(("probe", report, str(expected)), {"PYTHONPATH": str(tmp_path)})
        return Plan(name, [step])

    results = run_plans([probe("pylint", lowered), probe("pytest", base)], tmp_path)
    assert all(result.passed for result in results)
    assert (tmp_path / "pylint.txt").read_text(encoding="utf-8") == str(lowered)
    assert (tmp_path / "pytest.txt").read_text(encoding="utf-8") == str(base)
    # Solo (como lo llama CI, un chequeo por paso), nadie cede nada.
    assert run_plans([probe("pylint", base)], tmp_path)[0].passed
    assert (tmp_path / "pylint.txt").read_text(encoding="utf-8") == str(base)
