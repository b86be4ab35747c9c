"""Evaluación del modelo: métricas en ``metrics.json`` y dos gráficos en PNG.

``scripts/train_model.py`` mide el modelo con el 20 % de los clientes que no
vio al entrenar (``evaluate``; la separación es siempre la misma para una
semilla). Se guardan, en la carpeta de los artefactos (``save_evaluation``):

- ``metrics.json``: ROC-AUC, exactitud, precisión, sensibilidad, F1 y Brier
  (el error cuadrático medio de la probabilidad: cuanto más bajo, mejor), las
  mismas métricas de la **referencia** que predice siempre la clase
  mayoritaria («nadie abandona»), la matriz de confusión, la curva ROC en
  once puntos, el tamaño de los datos y la semilla;
- ``roc_curve.png`` y ``confusion_matrix.png``, dibujados con matplotlib.

Para comparar dos versiones del modelo, ``compare_models.py`` las mide en cambio
con clientes nuevos que se sortean después de entrenar las dos
(``course.gate``), con las mismas métricas (``measure``); así, entrenar
también con las filas de prueba (cuya semilla y separación se conocen) no gana
nada.
``register_model.py`` guarda el de ``train_model.py`` en la ejecución de
MLflow, así que también se ve en ``mlflow ui`` y en Azure ML Studio.

pandas, scikit-learn y matplotlib se importan dentro de las funciones para que
``--help`` responda al instante.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from labkit.cli import LabError, atomic_output, format_number

METRICS_FILENAME = "metrics.json"
ROC_FILENAME = "roc_curve.png"
CONFUSION_FILENAME = "confusion_matrix.png"
PLOT_FILENAMES = (ROC_FILENAME, CONFUSION_FILENAME)
# Proporción de clientes que train_model.py reserva para medir el modelo.
TEST_SIZE = 0.2
# Un cliente se marca como «abandona» si su probabilidad supera este umbral
# (lo mismo que hace model.predict).
THRESHOLD = 0.5
# Tasas de falsos positivos en las que se resume la curva ROC (0, 0,1, …, 1).
ROC_GRID: tuple[float, ...] = tuple(step / 10 for step in range(11))
DECIMALS = 4


def predicted_labels(probability: Any, threshold: float = THRESHOLD) -> list[int]:
    """1 (abandona) si la probabilidad supera el umbral, como ``model.predict``."""
    return [int(value > threshold) for value in probability]


def compute_metrics(y_true: Any, probability: Any) -> dict[str, float]:
    """Métricas de una probabilidad de abandono frente a lo que pasó de verdad."""
    return _metrics(y_true, probability, predicted_labels(probability))


def _metrics(y_true: Any, probability: Any, predicted: Any) -> dict[str, float]:
    from sklearn.metrics import (
        accuracy_score,
        brier_score_loss,
        f1_score,
        precision_score,
        recall_score,
        roc_auc_score,
    )

    metrics = {
        "roc_auc": roc_auc_score(y_true, probability),
        "accuracy": accuracy_score(y_true, predicted),
        "precision": precision_score(y_true, predicted, zero_division=0),
        "recall": recall_score(y_true, predicted, zero_division=0),
        "f1_score": f1_score(y_true, predicted, zero_division=0),
        "brier_score": brier_score_loss(y_true, probability),
    }
    return {name: round(float(value), DECIMALS) for name, value in metrics.items()}


def baseline_metrics(y_true: Any) -> dict[str, float]:
    """Las métricas de la referencia: predecir siempre la clase mayoritaria.

    Su probabilidad es la misma para todos los clientes (la proporción de
    abandonos), así que no ordena a nadie: su ROC-AUC es 0,5.
    """
    labels = [int(value) for value in y_true]
    rate = sum(labels) / len(labels)
    majority = int(rate > THRESHOLD)
    return _metrics(labels, [rate] * len(labels), [majority] * len(labels))


def roc_on_grid(y_true: Any, probability: Any) -> list[float]:
    """La curva ROC resumida: tasa de verdaderos positivos en cada punto de ROC_GRID."""
    import numpy as np
    from sklearn.metrics import roc_curve

    false_positive, true_positive, _ = roc_curve(y_true, probability)
    values = np.interp(ROC_GRID, false_positive, true_positive)
    return [round(float(value), 3) for value in values]


def confusion(y_true: Any, probability: Any) -> list[list[int]]:
    """Matriz de confusión: filas lo que pasó, columnas la predicción (0, 1)."""
    from sklearn.metrics import confusion_matrix

    matrix = confusion_matrix(y_true, predicted_labels(probability), labels=[0, 1])
    return [[int(cell) for cell in row] for row in matrix]


@dataclass(frozen=True)
class Evaluation:
    """El informe de ``metrics.json`` y las probabilidades con que se calculó."""

    report: dict[str, Any]
    y_true: Any
    probability: Any


def evaluate(
    model: Any, x_test: Any, y_test: Any, n_samples: int, seed: int
) -> Evaluation:
    """Mide ``model`` con los clientes de prueba (sin escribir nada)."""
    probability = model.predict_proba(x_test)[:, 1]
    return measure(y_test, probability, n_samples, seed, test_size=TEST_SIZE)


def measure(
    y_true: Any, probability: Any, n_samples: int, seed: int, **extra: Any
) -> Evaluation:
    """El informe (``metrics.json``) de unas probabilidades frente a lo que pasó.

    ``n_samples`` y ``seed`` describen el entrenamiento; ``extra`` añade datos
    de los clientes medidos (``test_size``, o la semilla de la puerta).
    """
    report = {
        "metrics": compute_metrics(y_true, probability),
        "baseline": baseline_metrics(y_true),
        "threshold": THRESHOLD,
        "confusion_matrix": confusion(y_true, probability),
        "roc_curve": {"fpr": list(ROC_GRID), "tpr": roc_on_grid(y_true, probability)},
        "num_samples": n_samples,
        "test_rows": len(y_true),
        **extra,
        "random_seed": seed,
    }
    return Evaluation(report, y_true, probability)


def _save_roc_plot(y_true: Any, probability: Any, auc: float, path: Path) -> None:
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter
    from sklearn.metrics import roc_curve

    false_positive, true_positive, _ = roc_curve(y_true, probability)
    figure = Figure(figsize=(5, 5), dpi=100)
    axes = figure.add_subplot()
    axes.plot(
        false_positive, true_positive, label=f"modelo (AUC {format_number(auc, 3)})"
    )
    axes.plot([0, 1], [0, 1], linestyle="--", color="gray", label="azar (AUC 0,5)")
    axes.set_xlabel("Tasa de falsos positivos")
    axes.set_ylabel("Tasa de verdaderos positivos")
    axes.set_title("Curva ROC (clientes de prueba)")
    spanish = FuncFormatter(lambda value, _: format_number(value, 1))
    axes.xaxis.set_major_formatter(spanish)
    axes.yaxis.set_major_formatter(spanish)
    axes.legend(loc="lower right")
    with atomic_output(path) as temporary:
        figure.savefig(temporary, format="png")


def _save_confusion_plot(matrix: list[list[int]], path: Path) -> None:
    from matplotlib.figure import Figure

    labels = ["se queda", "abandona"]
    figure = Figure(figsize=(5, 4.5), dpi=100)
    axes = figure.add_subplot()
    axes.imshow(matrix, cmap="Blues")
    top = max(max(row) for row in matrix)
    for row, cells in enumerate(matrix):
        for column, count in enumerate(cells):
            color = "white" if count > top / 2 else "black"
            axes.text(column, row, format_number(count), ha="center", color=color)
    axes.set_xticks([0, 1], labels=labels)
    axes.set_yticks([0, 1], labels=labels)
    axes.set_xlabel("Predicción del modelo")
    axes.set_ylabel("Lo que pasó")
    axes.set_title(f"Matriz de confusión (umbral {format_number(THRESHOLD, 1)})")
    figure.tight_layout()
    with atomic_output(path) as temporary:
        figure.savefig(temporary, format="png")


def save_evaluation(evaluation: Evaluation, output_dir: Path) -> None:
    """Guarda metrics.json y los dos PNG en ``output_dir``."""
    output_dir = Path(output_dir)
    report = evaluation.report
    _save_roc_plot(
        evaluation.y_true,
        evaluation.probability,
        report["metrics"]["roc_auc"],
        output_dir / ROC_FILENAME,
    )
    _save_confusion_plot(report["confusion_matrix"], output_dir / CONFUSION_FILENAME)
    with atomic_output(output_dir / METRICS_FILENAME) as temporary:
        temporary.write_text(
            json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )


def read_report(path: Path) -> dict[str, Any]:
    """Lee un ``metrics.json``; si falta o está dañado, dice cómo rehacerlo."""
    path = Path(path)
    fix = "Vuelve a entrenar el modelo con: python scripts/train_model.py"
    if not path.is_file():
        raise LabError(f"no se encontró {path}. {fix}")
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
        for name in ("roc_auc", "accuracy", "brier_score"):
            float(report["metrics"][name])
            float(report["baseline"][name])
    except (ValueError, KeyError, TypeError):
        raise LabError(f"el archivo {path} está dañado o incompleto. {fix}") from None
    return dict(report)
