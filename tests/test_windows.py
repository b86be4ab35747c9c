"""Windows como viene: Git for Windows con ``core.autocrlf=true``.

Su instalador deja ``core.autocrlf=true``: sin ``.gitattributes``, el primer
``git add .`` de la Parte 1 avisaba «LF will be replaced by CRLF» por cada
archivo (unos 75) y el checkout dejaba los archivos con CRLF. El
``.gitattributes`` del laboratorio fija LF: ni avisos, ni archivos distintos
de los que revisan los linters.

Y los comandos que los scripts imprimen para que el estudiante los copie
funcionan igual en PowerShell 5.1 y 7, cmd y bash: sin ``&&`` (PowerShell 5.1
lo rechaza) ni comillas simples (cmd no las entiende).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from lab_copy import LAB, copy_lab
from student_repo import GIT_ENV, copy_lab_files

WINDOWS_GIT = ("-c", "core.autocrlf=true", "-c", "core.safecrlf=warn")


def git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *WINDOWS_GIT, *args],
        cwd=repo,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_git_add_with_autocrlf_prints_no_warning(tmp_path: Path) -> None:
    """Parte 1 en Windows: git add . sin «LF will be replaced by CRLF»."""
    repo = tmp_path / "mi-repo"
    copy_lab_files(repo)
    assert git(repo, "init", "--quiet", "-b", "main").returncode == 0
    added = git(repo, "add", ".")
    assert added.returncode == 0, added.stderr
    assert "CRLF" not in added.stderr, added.stderr
    committed = git(repo, "commit", "--quiet", "-m", "chore: contenido inicial")
    assert committed.returncode == 0, committed.stderr
    # Lo que Git guarda: LF en todos los archivos de texto.
    staged = git(repo, "ls-files", "--eol").stdout.splitlines()
    assert staged and all(
        "i/crlf" not in line and "i/mixed" not in line for line in staged
    ), [line for line in staged if "crlf" in line]


def test_a_clone_with_autocrlf_keeps_lf_for_the_linters(tmp_path: Path) -> None:
    """El clon de un compañero en Windows: los .py con LF, git status limpio."""
    origin = tmp_path / "origen"
    copy_lab_files(origin)
    for args in (
        ("init", "--quiet", "-b", "main"),
        ("add", "."),
        ("commit", "-qm", "x"),
    ):
        assert git(origin, *args).returncode == 0
    clone = tmp_path / "clon"
    cloned = git(tmp_path, "clone", "--quiet", str(origin), str(clone))
    assert cloned.returncode == 0, cloned.stderr
    with_crlf = [
        path.relative_to(clone)
        for path in clone.rglob("*")
        if path.is_file() and ".git" not in path.parts and b"\r\n" in path.read_bytes()
    ]
    assert not with_crlf, with_crlf
    status = git(clone, "status", "--porcelain")
    assert status.stdout == "", status.stdout


# Lo que arregla quien lleva el progreso (issue del profesor): sus comandos con &&.
NOT_MINE = ("check_progress.py", "progress.py")


def test_no_printed_command_chains_with_and_and() -> None:
    """PowerShell 5.1 rechaza «a && b»: ningún texto de los scripts lo usa."""
    chained = [
        f"{path.relative_to(LAB)}:{number}"
        for path in sorted(LAB.glob("scripts/*.py")) + sorted(LAB.glob("src/**/*.py"))
        if path.name not in NOT_MINE
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if "&&" in line and not line.lstrip().startswith("#")
        # El comando del trabajo de Azure ML corre en bash, en Linux.
        and not line.lstrip().startswith("command=")
    ]
    assert not chained, chained


def test_run_checks_prints_commands_cmd_understands(tmp_path: Path) -> None:
    """cmd no entiende las comillas simples: -m "not slow", no -m 'not slow'."""
    lab = copy_lab(tmp_path / "lab")
    listed = subprocess.run(
        [sys.executable, "scripts/run_checks.py", "--list"],
        cwd=lab,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )
    assert listed.returncode == 0, listed.stderr
    assert "'" not in listed.stdout, listed.stdout
    # Un argumento con espacios, como el que imprimiría un chequeo con -m.
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "from labkit.checks import display; "
            "print(display(['pytest', '-m', 'not slow']))",
        ],
        cwd=lab / "src",
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )
    assert shown.stdout.strip() == 'python -m pytest -m "not slow"', shown.stderr
