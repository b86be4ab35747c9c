"""Comparar dos versiones del modelo: la tabla, la curva ROC y la puerta de calidad.

Recibe dos informes de evaluación (el ``metrics.json`` de
``churn_lab.evaluation``), el de la rama base (``main``) y el del cambio, medidos
con los mismos clientes de evaluación (generados con su propia semilla: ningún
entrenamiento los ve), y produce:

- una tabla en Markdown con cada métrica para los dos y el cambio: ▲ sube,
  ▼ baja, y 🟢 o 🔴 según si ese cambio es bueno para esa métrica (en Brier,
  bajar es mejorar);
- las dos curvas ROC en un gráfico Mermaid (``xychart-beta``), que GitHub
  dibuja dentro del comentario del pull request sin subir imágenes;
- la **puerta de calidad**: el cambio no pasa si su ROC-AUC baja más que la
  tolerancia (``auc_tolerance`` en la sección ``[tool.churn_lab]`` de
  ``pyproject.toml``) o si no supera el de la **referencia**: dar a todos los
  clientes la misma probabilidad (la proporción de abandonos), que no ordena a
  nadie y tiene un ROC-AUC de exactamente 0,5. Igualarlo (un modelo constante)
  tampoco pasa.

Solo usa la biblioteca estándar.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from labkit.cli import LabError, format_number

DEFAULT_AUC_TOLERANCE = 0.01
# El comentario del pull request admite 65 536 caracteres en total: la sección
# del modelo nunca usa más que esto (si no cabe, se omite el gráfico).
SECTION_CHAR_LIMIT = 20_000
DECIMALS = 3
# Colores de las líneas del gráfico, en orden: azar, base y cambio.
PALETTE = ("#9e9e9e", "#1f77b4", "#d62728")
COLOR_NAMES = ("gris", "azul", "rojo")
UNCHANGED = "Sin cambios en el modelo"


@dataclass(frozen=True)
class MetricRow:
    """Una fila de la tabla: clave en metrics.json, nombre y si subir es mejor."""

    key: str
    label: str
    higher_is_better: bool


METRIC_ROWS: tuple[MetricRow, ...] = (
    MetricRow("roc_auc", "ROC-AUC", True),
    MetricRow("accuracy", "Exactitud (accuracy)", True),
    MetricRow("precision", "Precisión", True),
    MetricRow("recall", "Sensibilidad (recall)", True),
    MetricRow("f1_score", "F1", True),
    MetricRow("brier_score", "Brier (error de la probabilidad)", False),
)


@dataclass(frozen=True)
class GateResult:
    """Si el cambio pasa la puerta de calidad y, si no, por qué (en español)."""

    passed: bool
    reasons: tuple[str, ...]


def number(value: float) -> str:
    """Una métrica como la leen los estudiantes: ``0,832``."""
    return format_number(value, DECIMALS)


def signed(value: float) -> str:
    """Una diferencia con su signo: ``+0,012`` o ``-0,085``."""
    text = number(value)
    return text if text.startswith("-") else f"+{text}"


def read_tolerance(pyproject: Path) -> float:
    """La tolerancia de la puerta: ``[tool.churn_lab] auc_tolerance`` o 0,01."""
    import tomllib

    try:
        settings = tomllib.loads(Path(pyproject).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return DEFAULT_AUC_TOLERANCE
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise LabError(
            f"no se pudo leer {pyproject} ({error}). Corrige su sintaxis TOML."
        ) from None
    value = settings.get("tool", {}).get("churn_lab", {}).get("auc_tolerance")
    if value is None:
        return DEFAULT_AUC_TOLERANCE
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise LabError(
            f"auc_tolerance en {pyproject} debe ser un número desde 0, "
            f"por ejemplo 0.01 (tiene: {value!r})."
        )
    return float(value)


def metric(report: Mapping[str, Any], key: str) -> float:
    """Una métrica del modelo en un informe de evaluación."""
    return float(report["metrics"][key])


def unchanged(base: Mapping[str, Any], head: Mapping[str, Any]) -> bool:
    """True si las dos versiones dan exactamente las mismas métricas y curva."""
    return bool(
        base["metrics"] == head["metrics"] and base["roc_curve"] == head["roc_curve"]
    )


def check_gate(
    base: Mapping[str, Any], head: Mapping[str, Any], tolerance: float
) -> GateResult:
    """La puerta de calidad: ¿el ROC-AUC del cambio es aceptable?"""
    base_auc = metric(base, "roc_auc")
    head_auc = metric(head, "roc_auc")
    reference_auc = float(head["baseline"]["roc_auc"])
    reasons = []
    drop = round(base_auc - head_auc, 6)
    if drop > tolerance:
        reasons.append(
            f"El ROC-AUC bajó {number(drop)} (de {number(base_auc)} a "
            f"{number(head_auc)}): más que la tolerancia de {number(tolerance)} "
            "(auc_tolerance en pyproject.toml)."
        )
    if head_auc <= reference_auc:
        reasons.append(
            f"El ROC-AUC ({number(head_auc)}) no supera el de la referencia, que da "
            "a todos los clientes la misma probabilidad (la proporción de "
            f"abandonos) y no ordena a nadie ({number(reference_auc)}): el modelo "
            "no ordena mejor que no ordenar."
        )
    return GateResult(not reasons, tuple(reasons))


def change_cell(row: MetricRow, base_value: float, head_value: float) -> str:
    """El cambio de una métrica: flecha, diferencia y si es bueno (🟢) o malo (🔴)."""
    delta = round(head_value - base_value, 6)
    if round(delta, DECIMALS) == 0:
        # Igual, o una diferencia que no se ve con tres decimales.
        return "= 0" if delta == 0 else "≈ 0"
    arrow = "▲" if delta > 0 else "▼"
    good = (delta > 0) == row.higher_is_better
    return f"{arrow} {signed(delta)} {'🟢' if good else '🔴'}"


def comparison_table(
    base: Mapping[str, Any], head: Mapping[str, Any], base_label: str
) -> list[str]:
    """La tabla en Markdown: métrica, base, cambio y diferencia."""
    lines = [
        f"| Métrica | `{base_label}` | Este cambio | Diferencia |",
        "|---|---:|---:|---|",
    ]
    for row in METRIC_ROWS:
        base_value, head_value = metric(base, row.key), metric(head, row.key)
        lines.append(
            f"| {row.label} | {number(base_value)} | {number(head_value)} "
            f"| {change_cell(row, base_value, head_value)} |"
        )
    base_reference = float(base["baseline"]["accuracy"])
    head_reference = float(head["baseline"]["accuracy"])
    lines.append(
        "| Exactitud de referencia (siempre «no abandona») "
        f"| {number(base_reference)} | {number(head_reference)} | |"
    )
    return lines


def data_line(head: Mapping[str, Any]) -> str:
    """De qué datos salen las métricas."""
    first = int(head["evaluation_first_id"])
    last = first + int(head["test_rows"]) - 1
    return (
        f"Medido con los mismos {format_number(head['test_rows'])} clientes de "
        f"evaluación (CUST-{first:05d} … CUST-{last:05d}, semilla "
        f"{head['evaluation_seed']}), que ninguna versión vio al entrenar "
        f"(entrenadas con {format_number(head['num_samples'])} clientes de la "
        f"semilla {head['random_seed']}; umbral {format_number(head['threshold'], 1)})."
    )


def roc_chart(base: Mapping[str, Any], head: Mapping[str, Any]) -> list[str]:
    """Las curvas ROC de la base y del cambio como gráfico Mermaid ``xychart-beta``."""
    grid = [float(value) for value in head["roc_curve"]["fpr"]]
    labels = ", ".join(f'"{format_number(value, 1)}"' for value in grid)

    def series(values: list[float]) -> str:
        return "[" + ", ".join(f"{float(value):.3f}" for value in values) + "]"

    theme = {"themeVariables": {"xyChart": {"plotColorPalette": ", ".join(PALETTE)}}}
    return [
        "```mermaid",
        f"%%{{init: {json.dumps(theme)}}}%%",
        "xychart-beta",
        '    title "Curva ROC con los clientes de evaluación"',
        f'    x-axis "Tasa de falsos positivos" [{labels}]',
        '    y-axis "Tasa de verdaderos positivos" 0 --> 1',
        f"    line {series(grid)}",
        f"    line {series(base['roc_curve']['tpr'])}",
        f"    line {series(head['roc_curve']['tpr'])}",
        "```",
    ]


def chart_legend(
    base: Mapping[str, Any], head: Mapping[str, Any], base_label: str
) -> str:
    """Qué línea es cuál (Mermaid no dibuja leyenda)."""
    chance, base_color, head_color = COLOR_NAMES
    return (
        f"Líneas: {chance}, azar (AUC 0,5); {base_color}, `{base_label}` "
        f"(AUC {number(metric(base, 'roc_auc'))}); {head_color}, este cambio "
        f"(AUC {number(metric(head, 'roc_auc'))})."
    )


def gate_lines(
    gate: GateResult, tolerance: float, head: Mapping[str, Any]
) -> list[str]:
    """El veredicto de la puerta de calidad, con el porqué si falla."""
    if gate.passed:
        reference_auc = float(head["baseline"]["roc_auc"])
        return [
            "✅ **Puerta de calidad: pasa.** El ROC-AUC no bajó más que la "
            f"tolerancia ({number(tolerance)}) y supera el de la referencia "
            f"({number(reference_auc)})."
        ]
    return ["❌ **Puerta de calidad: no pasa.**", ""] + [
        f"- {reason}" for reason in gate.reasons
    ]


def render_markdown(
    base: Mapping[str, Any],
    head: Mapping[str, Any],
    tolerance: float,
    base_label: str = "main",
    heading: str = "## 📈 Modelo",
) -> str:
    """La sección «Modelo» del comentario del pull request."""
    gate = check_gate(base, head, tolerance)
    lines = [heading, ""]
    if unchanged(base, head):
        lines += [
            f"➖ **{UNCHANGED}**: las métricas son idénticas a las de "
            f"`{base_label}` (ROC-AUC {number(metric(head, 'roc_auc'))}).",
            "",
            *gate_lines(gate, tolerance, head),
        ]
        return "\n".join(lines) + "\n"
    table = comparison_table(base, head, base_label)
    chart = ["", *roc_chart(base, head), "", chart_legend(base, head, base_label)]
    tail = ["", data_line(head), "", *gate_lines(gate, tolerance, head)]
    text = "\n".join([*lines, *table, *chart, *tail]) + "\n"
    if len(text) > SECTION_CHAR_LIMIT:
        text = "\n".join([*lines, *table, *tail]) + "\n"
    return text


def render_text(
    base: Mapping[str, Any],
    head: Mapping[str, Any],
    tolerance: float,
    base_label: str = "main",
) -> str:
    """Lo mismo para la terminal: la tabla y el veredicto, sin el gráfico."""
    gate = check_gate(base, head, tolerance)
    if unchanged(base, head):
        body = [
            f"➖ {UNCHANGED}: las métricas son idénticas a las de {base_label} "
            f"(ROC-AUC {number(metric(head, 'roc_auc'))})."
        ]
    else:
        body = [*comparison_table(base, head, base_label), "", data_line(head)]
    verdict = gate_lines(gate, tolerance, head)
    plain = [line.replace("**", "") for line in verdict]
    return "\n".join([*body, "", *plain]) + "\n"
