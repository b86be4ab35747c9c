"""El paso de la Parte 3 que compara el modelo con main dice la verdad.

En el repositorio de un estudiante (``tests/student_repo.py``: la rama
``main`` con el laboratorio tal cual y ``.venv`` dentro), se crea una rama, se aplica el cambio que
muestra el tutorial (``<!-- cambio-del-modelo -->``: la línea nueva de
``scripts/train_model.py``), se ejecuta ``python scripts/compare_models.py``
y la salida mostrada (``<!-- salida-de-la-comparacion -->``) aparece en la
real, en orden. La puerta de calidad no pasa, como dice el tutorial.
"""

from __future__ import annotations

import re
from pathlib import Path

from student_repo import StudentRepo
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


def apply_model_change(repo: Path, new_line: str) -> None:
    """Sustituye en train_model.py la línea con la misma clave (``max_depth=``)."""
    key = new_line.split("=")[0].strip() + "="
    target = repo / "scripts" / "train_model.py"
    lines = target.read_text(encoding="utf-8").split("\n")
    matches = [
        index for index, line in enumerate(lines) if line.strip().startswith(key)
    ]
    assert len(matches) == 1, f"train_model.py no tiene una sola línea {key}"
    assert lines[matches[0]] != new_line, "el cambio ya está hecho"
    lines[matches[0]] = new_line
    target.write_text("\n".join(lines), encoding="utf-8")


def test_model_comparison_step(tmp_path: Path, student_repo: StudentRepo) -> None:
    text = tutorial_text()
    changes = [dedented(match) for match in MODEL_CHANGE.finditer(text)]
    shown = [dedented(match) for match in COMPARISON_OUTPUT.finditer(text)]
    assert len(changes) == len(shown) == 1
    assert "python scripts/compare_models.py" in text

    repo = student_repo.clone(tmp_path / "mi-repo")
    repo.git("switch", "--quiet", "--create", "feat/arboles-de-un-corte")
    apply_model_change(repo.root, changes[0])

    result = run_in_copy(repo.root, ["scripts/compare_models.py"])

    assert result.returncode == 1, result.stdout
    missing = shown_lines_appear_in_order(shown[0], result.stdout)
    assert not missing, f"{missing}\n--- real ---\n{result.stdout}"
