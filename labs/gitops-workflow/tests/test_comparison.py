"""Pruebas de course.comparison: la tabla, el gráfico Mermaid y la puerta.

Dos conjuntos de métricas conocidos (``main``, un cambio que empeora el modelo
y otro que lo mejora un poco) dan un texto exacto: el que se lee en el
comentario del pull request.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from course.comparison import (
    DEFAULT_AUC_TOLERANCE,
    METRIC_ROWS,
    SECTION_CHAR_LIMIT,
    change_cell,
    check_gate,
    read_tolerance,
    render_markdown,
    render_text,
)
from labkit.cli import LabError
from tests.helpers import LAB_ROOT

GRID = [step / 10 for step in range(11)]


def report(metrics: dict[str, float], tpr: list[float]) -> dict[str, Any]:
    """Un metrics.json con los 5000 clientes de evaluación (semilla 777)."""
    return {
        "metrics": metrics,
        "baseline": {
            "roc_auc": 0.5,
            "accuracy": 0.75,
            "precision": 0.0,
            "recall": 0.0,
            "f1_score": 0.0,
            "brier_score": 0.1875,
        },
        "threshold": 0.5,
        "confusion_matrix": [[3535, 215], [800, 450]],
        "roc_curve": {"fpr": GRID, "tpr": tpr},
        "num_samples": 10_000,
        "test_rows": 5000,
        "random_seed": 42,
        "evaluation_seed": 777,
        "evaluation_first_id": 10_501,
    }


MAIN = report(
    {
        "roc_auc": 0.8322,
        "accuracy": 0.797,
        "precision": 0.6767,
        "recall": 0.36,
        "f1_score": 0.47,
        "brier_score": 0.1372,
    },
    [0.0, 0.486, 0.696, 0.814, 0.88, 0.938, 0.962, 0.984, 0.992, 0.996, 1.0],
)
SHALLOW = report(
    {
        "roc_auc": 0.7412,
        "accuracy": 0.75,
        "precision": 0.0,
        "recall": 0.0,
        "f1_score": 0.0,
        "brier_score": 0.1688,
    },
    [0.0, 0.3, 0.5, 0.62, 0.72, 0.8, 0.86, 0.91, 0.95, 0.98, 1.0],
)
BETTER = report(
    {
        "roc_auc": 0.8351,
        "accuracy": 0.799,
        "precision": 0.6911,
        "recall": 0.358,
        "f1_score": 0.4717,
        "brier_score": 0.1359,
    },
    [0.0, 0.49, 0.7, 0.82, 0.884, 0.94, 0.962, 0.984, 0.992, 0.996, 1.0],
)

# El texto exacto que se espera, revisado a mano: tests/golden/*.md.
GOLDEN = Path(__file__).resolve().parent / "golden"
GOLDEN_WORSE = (GOLDEN / "modelo_peor.md").read_text(encoding="utf-8")
GOLDEN_BETTER = (GOLDEN / "modelo_mejor.md").read_text(encoding="utf-8")


def test_golden_comparison_of_a_worse_model() -> None:
    assert render_markdown(MAIN, SHALLOW, 0.01) == GOLDEN_WORSE


def test_golden_comparison_of_a_better_model() -> None:
    assert render_markdown(MAIN, BETTER, 0.01, base_label="develop") == GOLDEN_BETTER


def test_terminal_shows_the_same_table_without_the_chart() -> None:
    text = render_text(MAIN, SHALLOW, 0.01)
    table = [line for line in GOLDEN_WORSE.splitlines() if line.startswith("|")]
    assert [line for line in text.splitlines() if line.startswith("|")] == table
    assert "mermaid" not in text
    assert "❌ Puerta de calidad: no pasa." in text


def test_unchanged_model_says_so_instead_of_a_table() -> None:
    same = copy.deepcopy(MAIN)
    text = render_markdown(MAIN, same, 0.01)
    assert "sin cambios en el modelo" in text.lower()
    assert "|" not in text and "mermaid" not in text
    assert "Puerta de calidad: pasa" in text
    assert "sin cambios en el modelo" in render_text(MAIN, same, 0.01).lower()


def test_gate_passes_within_the_tolerance() -> None:
    assert check_gate(MAIN, BETTER, 0.01).passed
    slightly_worse = copy.deepcopy(MAIN)
    slightly_worse["metrics"]["roc_auc"] = 0.8222
    assert check_gate(MAIN, slightly_worse, 0.01).passed


def test_gate_fails_on_a_drop_and_says_how_much() -> None:
    gate = check_gate(MAIN, SHALLOW, 0.01)
    assert not gate.passed
    assert gate.reasons == (
        "El ROC-AUC bajó 0,091 (de 0,832 a 0,741): más que la tolerancia de "
        "0,010 (auc_tolerance en pyproject.toml).",
    )
    # Con una tolerancia mayor, la misma caída pasa.
    assert check_gate(MAIN, SHALLOW, 0.1).passed


def test_gate_fails_below_the_constant_reference() -> None:
    backwards = copy.deepcopy(MAIN)
    backwards["metrics"]["roc_auc"] = 0.4613
    gate = check_gate(backwards, backwards, 0.01)
    assert not gate.passed
    assert gate.reasons == (
        "El ROC-AUC (0,461) no supera el de la referencia, que da a todos los "
        "clientes la misma probabilidad (la proporción de abandonos) y no "
        "ordena a nadie (0,500): el modelo no ordena mejor que no ordenar.",
    )
    both = check_gate(MAIN, backwards, 0.01)
    assert len(both.reasons) == 2
    assert "bajó 0,371" in both.reasons[0]
    text = render_markdown(MAIN, backwards, 0.01)
    for reason in both.reasons:
        assert f"- {reason}" in text


def test_gate_fails_when_the_auc_equals_the_reference() -> None:
    # Un modelo constante (la misma probabilidad para todos) tiene un ROC-AUC
    # de exactamente 0,5, el de la referencia: igualarla no es pasar.
    constant = copy.deepcopy(MAIN)
    constant["metrics"]["roc_auc"] = 0.5
    gate = check_gate(constant, constant, 0.01)
    assert not gate.passed
    assert "no supera el de la referencia" in gate.reasons[0]


def test_change_arrows_follow_what_is_good_for_each_metric() -> None:
    rows = {row.key: row for row in METRIC_ROWS}
    assert change_cell(rows["roc_auc"], 0.80, 0.85) == "▲ +0,050 🟢"
    assert change_cell(rows["roc_auc"], 0.85, 0.80) == "▼ -0,050 🔴"
    assert change_cell(rows["brier_score"], 0.15, 0.12) == "▼ -0,030 🟢"
    assert change_cell(rows["brier_score"], 0.12, 0.15) == "▲ +0,030 🔴"
    assert change_cell(rows["f1_score"], 0.47, 0.47) == "= 0"
    assert change_cell(rows["roc_auc"], 0.8322, 0.8319) == "≈ 0"


def test_long_section_drops_the_chart_to_stay_short() -> None:
    many = copy.deepcopy(MAIN)
    many["roc_curve"] = {"fpr": [0.0] * 3000, "tpr": [0.5] * 3000}
    text = render_markdown(MAIN, many, 0.01)
    assert len(text) <= SECTION_CHAR_LIMIT
    assert "mermaid" not in text and "| ROC-AUC |" in text


def test_tolerance_is_read_from_pyproject(tmp_path: Path) -> None:
    assert read_tolerance(LAB_ROOT / "pyproject.toml") == 0.01
    path = tmp_path / "pyproject.toml"
    assert read_tolerance(path) == DEFAULT_AUC_TOLERANCE
    path.write_text("[tool.churn_lab]\nauc_tolerance = 0.05\n", encoding="utf-8")
    assert read_tolerance(path) == 0.05
    path.write_text("[tool.black]\nline-length = 88\n", encoding="utf-8")
    assert read_tolerance(path) == DEFAULT_AUC_TOLERANCE


@pytest.mark.parametrize(
    "content",
    [
        "[tool.churn_lab]\nauc_tolerance = -0.1\n",
        '[tool.churn_lab]\nauc_tolerance = "x"\n',
        "[tool",
    ],
)
def test_bad_tolerance_is_explained(content: str, tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LabError, match="pyproject.toml"):
        read_tolerance(path)


def test_a_change_to_the_gate_files_is_flagged_first() -> None:
    flagged = [".github/workflows/ci.yml", "pyproject.toml [tool.churn_lab]"]
    text = render_markdown(MAIN, SHALLOW, 0.01, flagged=flagged)
    lines = text.splitlines()
    assert lines[2] == (
        "⚠️ **Este cambio toca archivos de la puerta de calidad**: "
        "`.github/workflows/ci.yml`, `pyproject.toml [tool.churn_lab]`. Esta "
        "medición usó el código de `main`, pero al fusionar la puerta será la "
        "nueva: que los revise quien indica `.github/CODEOWNERS` antes de aprobar."
    )
    # También cuando el modelo no cambia (un pull request que solo toca CI).
    same = render_markdown(MAIN, copy.deepcopy(MAIN), 0.01, flagged=flagged)
    assert "Sin cambios en el modelo" in same and "puerta de calidad**:" in same
    plain = render_text(MAIN, SHALLOW, 0.01, flagged=flagged)
    assert plain.startswith("⚠️ Este cambio toca archivos de la puerta de calidad: ")
    assert "**" not in plain
    assert (
        "puerta de calidad" not in render_markdown(MAIN, SHALLOW, 0.01).split("\n")[2]
    )


def test_file_and_branch_names_from_the_pull_request_stay_text() -> None:
    # Un archivo con un nombre hecho para romper el comentario.
    evil = ".github/<img src=x>`|@profesor[a](https://x.example)"
    text = render_markdown(MAIN, SHALLOW, 0.01, base_label="ma`in", flagged=[evil])
    warning = text.splitlines()[2]
    assert "``.github/<img src=x>`\\|@profesor[a](https://x.example)``" in warning
    assert "| Métrica | ``ma`in`` | Este cambio | Diferencia |" in text
    many = render_markdown(MAIN, SHALLOW, 0.01, flagged=[f"f{i}" for i in range(30)])
    assert "y 20 más" in many


def test_the_section_tells_the_seed_and_how_to_repeat_it() -> None:
    text = render_markdown(MAIN, SHALLOW, 0.01)
    assert "sorteados después de entrenar las dos versiones con la semilla 777" in text
    assert "`python scripts/compare_models.py --semilla-evaluacion 777`" in text
    plain = render_text(MAIN, SHALLOW, 0.01)
    assert "python scripts/compare_models.py --semilla-evaluacion 777\n" in plain
