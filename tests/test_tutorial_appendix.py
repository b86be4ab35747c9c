"""El Apéndice B responde a los errores en inglés que ve un principiante.

Cada prueba reproduce el error de verdad en el repositorio de un estudiante
(``tests/student_repo.py``), toma el texto que imprime la herramienta y busca
la entrada del Apéndice B que lo cita (entre acentos graves; «…» vale por
cualquier texto, como una ruta). La entrada tiene que decir el arreglo, y
donde se puede, la prueba lo sigue y comprueba que arregla:

- pre-commit, al volver a hacer commit sin ``git add`` después de que Black
  corrigió un archivo: «Stashed changes conflicted with hook auto-fixes...
  Rolling back fixes...». El arreglo: ``git add`` de lo que corrigió el hook
  y commit otra vez.
- Python y pip desde la carpeta de arriba del repositorio: «can't open file
  …» y «Could not open requirements file». El arreglo: ``cd`` a la carpeta
  del repositorio (``ls``/``dir`` muestra ``scripts/``), no las rutas largas
  de Windows.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from student_repo import StudentRepo
from test_tutorial import CHANGE_MARK, apply_change, dedented, section, tutorial_text

ELLIPSIS = "…"
# Una cita tiene que decir algo: al menos tantos caracteres fuera de los «…».
QUOTE_MIN_CHARS = 20


def appendix_entries() -> list[str]:
    """Las entradas del Apéndice B: cada viñeta, fila de tabla o párrafo."""
    text = section(tutorial_text(), "Apéndice B")
    parts = re.split(r"\n(?=- |\| |#{2,4} )|\n[ \t]*\n", text)
    return [part.strip() for part in parts if part.strip()]


def quotes(entry: str) -> list[str]:
    """Los textos citados de una entrada (entre acentos graves) que dicen algo."""
    return [
        quote
        for quote in re.findall(r"`([^`\n]+)`", entry)
        if len(quote.replace(ELLIPSIS, "").strip()) >= QUOTE_MIN_CHARS
    ]


def entries_quoting(line: str) -> list[str]:
    """Las entradas del Apéndice B que citan ``line`` (o un trozo de ella)."""
    found = []
    for entry in appendix_entries():
        for quote in quotes(entry):
            pattern = ".*".join(map(re.escape, quote.split(ELLIPSIS)))
            if re.search(pattern, line):
                found.append(entry)
                break
    return found


def run(
    repo: StudentRepo, args: list[str], cwd: Path, pre_commit_home: Path
) -> subprocess.CompletedProcess[str]:
    """Un comando en la terminal del estudiante (``.venv`` activado)."""
    return subprocess.run(
        args,
        cwd=cwd,
        env=repo.env(PRE_COMMIT_HOME=str(pre_commit_home)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        timeout=600,
        check=False,
    )


def test_matcher() -> None:
    entry = "- **`can't open file '…': [Errno 2] No such file`**: haz `cd`."
    assert quotes(entry) == ["can't open file '…': [Errno 2] No such file"]
    line = "python: can't open file '/x/scripts/a.py': [Errno 2] No such file"
    assert re.search(".*".join(map(re.escape, quotes(entry)[0].split("…"))), line)


def test_commit_again_after_the_hook_fixed_a_file(
    tmp_path: Path, student_repo: StudentRepo
) -> None:
    repo = student_repo.clone(tmp_path / "mi-repo")
    home = tmp_path / "pre-commit"

    def shell(*args: str) -> subprocess.CompletedProcess[str]:
        return run(repo, list(args), repo.root, home)

    # Parte 2: «pre-commit install» con el entorno activado, y el cambio que
    # Black corrige («Cuando un chequeo falla»), en otra rama.
    installed = shell("pre-commit", "install")
    assert "pre-commit installed at .git/hooks/pre-commit" in installed.stdout
    repo.git("switch", "--quiet", "-c", "prueba/formato")
    changes = {
        match.group("kind"): dedented(match)
        for match in CHANGE_MARK.finditer(tutorial_text())
    }
    target = apply_change(repo.root, changes["error"])
    shell("git", "add", "scripts/train_model.py")
    head = repo.git("rev-parse", "HEAD")

    first = shell("git", "commit", "-m", "feat: saludo desde mi rama")
    assert first.returncode == 1, first.stdout
    fixed = target.read_text(encoding="utf-8")
    # Otra vez, sin git add: pre-commit guarda lo no preparado (el arreglo de
    # Black), vuelve a correr Black sobre lo preparado y no puede reponerlo.
    second = shell("git", "commit", "-m", "feat: saludo desde mi rama")
    assert second.returncode == 1, second.stdout
    assert repo.git("rev-parse", "HEAD") == head
    assert target.read_text(encoding="utf-8") == fixed

    for output in (first.stdout, second.stdout):
        said = [line for line in output.splitlines() if "modified by this hook" in line]
        assert said, output
        for line in said:
            entries = entries_quoting(line)
            assert entries, f"el Apéndice B no cita «{line}»"
            assert all("git add" in entry for entry in entries), entries
    rollback = [line for line in second.stdout.splitlines() if "Rolling back" in line]
    assert len(rollback) == 1, second.stdout
    entries = entries_quoting(rollback[0])
    assert entries, f"el Apéndice B no cita «{rollback[0]}»"
    assert all("git add" in entry for entry in entries), entries

    # El arreglo que dice la entrada funciona: git add y commit otra vez.
    shell("git", "add", "scripts/train_model.py")
    third = shell("git", "commit", "-m", "feat: saludo desde mi rama")
    assert third.returncode == 0, third.stdout
    assert repo.git("status", "--porcelain") == ""


def test_commands_from_the_parent_folder(
    tmp_path: Path, student_repo: StudentRepo
) -> None:
    repo = student_repo.clone(tmp_path / "mi-repo")
    parent = repo.root.parent
    home = tmp_path / "pre-commit"
    python = str(repo.python)
    commands = (
        [python, "scripts/train_model.py"],
        [python, "-m", "pip", "install", "--require-hashes", "-r", "requirements.lock"],
    )
    for command in commands:
        result = run(repo, command, parent, home)
        assert result.returncode != 0, result.stdout
        assert "No such file or directory" in result.stdout, result.stdout
        line = next(
            line
            for line in result.stdout.splitlines()
            if "No such file or directory" in line
        )
        entries = entries_quoting(line)
        assert entries, f"el Apéndice B no cita «{line}»"
        for entry in entries:
            assert "cd " in entry and "scripts/" in entry, entry
            assert re.search(r"`ls`.*`dir`|`dir`.*`ls`", entry, re.S), entry
            assert not re.search(r"rutas? largas?|long path", entry, re.I), entry
        # El arreglo que dice la entrada: el mismo comando, desde el repositorio.
        again = run(repo, command, repo.root, home)
        assert again.returncode == 0, again.stdout
