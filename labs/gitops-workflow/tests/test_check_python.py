"""scripts/check_python.py: antes de instalar, dice si este Python sirve y qué hacer.

Las combinaciones que no tienen paquetes (32 bits, Windows ARM64, la versión
sin GIL, un glibc viejo, sin ``venv``) se prueban con sus valores; el script
entero, con el Python de estas pruebas (que sí sirve) y como programa aparte,
que es como lo ejecuta el estudiante antes de crear el entorno.
"""

from __future__ import annotations

import pytest

import check_python
from check_python import next_step, platform_problem, venv_problem
from labkit.environment import RECOMMENDED_PYTHON
from tests.helpers import LAB_ROOT, run_script

SCRIPT = LAB_ROOT / "scripts" / "check_python.py"


def test_a_64_bit_python_on_a_current_system_has_no_problem() -> None:
    for system, machine in (
        ("win32", "AMD64"),
        ("darwin", "arm64"),
        ("darwin", "x86_64"),
        ("linux", "x86_64"),
        ("linux", "aarch64"),
    ):
        glibc = (2, 39) if system == "linux" else None
        assert platform_problem(system, machine, 64, False, glibc) is None


@pytest.mark.parametrize(
    ("system", "machine", "bits", "free_threaded", "glibc", "expected"),
    [
        ("win32", "x86", 32, False, None, f"py install {RECOMMENDED_PYTHON}-64"),
        ("win32", "ARM64", 64, False, None, f"py -V:{RECOMMENDED_PYTHON}-64 -m venv"),
        ("win32", "AMD64", 64, True, None, f"py install {RECOMMENDED_PYTHON}"),
        ("linux", "x86_64", 64, True, (2, 39), f"python{RECOMMENDED_PYTHON} -m venv"),
        ("linux", "x86_64", 64, False, (2, 17), "glibc 2.17"),
    ],
)
def test_platforms_without_packages_get_what_to_install(
    system: str,
    machine: str,
    bits: int,
    free_threaded: bool,
    glibc: tuple[int, int] | None,
    expected: str,
) -> None:
    problem = platform_problem(system, machine, bits, free_threaded, glibc)
    assert problem is not None and expected in problem
    assert "\n" not in problem


def test_a_python_without_venv_says_which_package_to_install() -> None:
    assert venv_problem("3.14", lambda name: object()) is None
    for missing in ("venv", "ensurepip"):
        message = venv_problem("3.14", lambda name, gone=missing: name != gone or None)
        assert message is not None
        assert "a este Python le falta el módulo venv o ensurepip" in message
        assert "sudo apt install python3.14-venv" in message


def test_the_next_step_is_one_command_for_every_shell() -> None:
    assert next_step("win32", "3.14", False) == "py -V:3.14 -m venv .venv"
    assert next_step("darwin", "3.15", False) == "python3.15 -m venv .venv"
    inside = next_step("linux", "3.12", True)
    assert inside == "python -m pip install --require-hashes -r requirements.lock"
    for command in (next_step("win32", "3.14", False), inside):
        assert "&&" not in command and ";" not in command


def test_main_on_this_python(capsys: pytest.CaptureFixture[str]) -> None:
    assert check_python.main([]) == 0
    out = capsys.readouterr().out
    assert "✅ Este Python sirve para el laboratorio (Python 3.11 a 3.15)." in out
    assert "➡️  Siguiente paso: " in out


def test_it_runs_as_a_program_with_help_in_spanish() -> None:
    """Como lo ejecuta el estudiante: python scripts/check_python.py [--help]."""
    for args, code, expected in (
        ([], 0, "✅ Este Python sirve"),
        (["--help"], 0, "muestra esta ayuda y termina"),
        (["--otra"], 1, "❌ Error: --otra no es una opción de este chequeo"),
    ):
        result = run_script([SCRIPT, *args])
        assert result.returncode == code, result.stderr
        assert expected in result.stdout + result.stderr
        assert "Traceback" not in result.stderr
