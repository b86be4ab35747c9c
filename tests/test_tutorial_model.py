"""El paso de la Parte 3 que compara el modelo con main dice la verdad.

En una copia nueva del laboratorio hecha repositorio de git (la rama ``main``
con el laboratorio tal cual), se crea una rama, se aplica el cambio que
muestra el tutorial (``<!-- cambio-del-modelo -->``: la línea nueva de
``src/churn_lab/model.py``), se ejecuta ``python scripts/compare_models.py``
y la salida mostrada (``<!-- salida-de-la-comparacion -->``) aparece en la
real, en orden. La puerta de calidad no pasa, como dice el tutorial.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from lab_copy import copy_lab
from test_tutorial import (
    dedented,
    run_in_copy,
    shown_lines_appear_in_order,
    tutorial_text,
)

MODEL_CHANGE = re.compile(
    r"^(?P<indent> *)<!-- cambio-del-modelo -->\n"
    r"(?P=indent)```python\n(?P<body>.*?)\n(?P=indent)```",
    re.S | re.M,
)
COMPARISON_OUTPUT = re.compile(
    r"^(?P<indent> *)<!-- salida-de-la-comparacion -->\n"
    r"(?P=indent)```text\n(?P<body>.*?)\n(?P=indent)```",
    re.S | re.M,
)
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Estudiante",
    "GIT_AUTHOR_EMAIL": "estudiante@example.com",
    "GIT_COMMITTER_NAME": "Estudiante",
    "GIT_COMMITTER_EMAIL": "estudiante@example.com",
}


def git(repo: Path, *args: str) -> str:
    """git en ``repo`` con un autor fijo; devuelve su salida."""
    completed = subprocess.run(
        ["git", *args],
        cwd=repo,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout.strip()


def student_repo(destination: Path, branch: str) -> tuple[Path, str]:
    """Copia del laboratorio hecha repositorio: ``main`` y una rama nueva.

    Devuelve la carpeta y el SHA de ``main``.
    """
    repo = copy_lab(destination)
    git(repo, "init", "--quiet", "--initial-branch", "main")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--message", "chore: laboratorio inicial")
    git(repo, "switch", "--quiet", "--create", branch)
    return repo, git(repo, "rev-parse", "main")


def apply_model_change(repo: Path, new_line: str) -> None:
    """Sustituye en model.py la línea con la misma clave (``"max_depth":``)."""
    key = new_line.split(":")[0].strip()
    target = repo / "src" / "churn_lab" / "model.py"
    lines = target.read_text(encoding="utf-8").split("\n")
    matches = [
        index for index, line in enumerate(lines) if line.strip().startswith(key)
    ]
    assert len(matches) == 1, f"model.py no tiene una sola línea {key}"
    assert lines[matches[0]] != new_line, "el cambio ya está hecho"
    lines[matches[0]] = new_line
    target.write_text("\n".join(lines), encoding="utf-8")


def test_model_comparison_step(tmp_path: Path) -> None:
    text = tutorial_text()
    changes = [dedented(match) for match in MODEL_CHANGE.finditer(text)]
    shown = [dedented(match) for match in COMPARISON_OUTPUT.finditer(text)]
    assert len(changes) == len(shown) == 1
    assert "python scripts/compare_models.py" in text

    repo, _ = student_repo(tmp_path / "mi-repo", "feat/arboles-de-un-corte")
    apply_model_change(repo, changes[0])

    result = run_in_copy(repo, ["scripts/compare_models.py"])

    assert result.returncode == 1, result.stdout
    missing = shown_lines_appear_in_order(shown[0], result.stdout)
    assert not missing, f"{missing}\n--- real ---\n{result.stdout}"
