"""Pruebas de churn_lab.evaluation: métricas, metrics.json y los PNG."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import joblib
import pytest
from sklearn.metrics import (
    accuracy_score,
    brier_score_loss,
    confusion_matrix,
    f1_score,
    precision_score,
    recall_score,
    roc_auc_score,
)
from sklearn.model_selection import train_test_split

from churn_lab.data import (
    generate_training_data,
)
from churn_lab.evaluation import (
    METRICS_FILENAME,
    PLOT_FILENAMES,
    ROC_GRID,
    TEST_SIZE,
    baseline_metrics,
    compute_metrics,
    confusion,
    evaluate,
    predicted_labels,
    read_report,
    roc_on_grid,
)
from churn_lab.schema import FEATURES, TARGET_COLUMN
from course import gate
from course.comparison import DEFAULT_AUC_TOLERANCE, check_gate, render_markdown
from labkit.cli import LabError
from scripts.train_model import build_model


def split_customers(customers: Any, seed: int) -> list[Any]:
    """La separación de train_model.py: 80/20 con la proporción de abandonos."""
    target = customers[TARGET_COLUMN]
    return list(
        train_test_split(
            customers[list(FEATURES)],
            target,
            test_size=TEST_SIZE,
            stratify=target,
            random_state=seed,
        )
    )


def unseen_report(model: Any, x_unseen: Any, y_unseen: Any) -> dict[str, Any]:
    """El informe de ``model`` con los clientes de la puerta, como compare_models.py."""
    probability = model.predict_proba(x_unseen)[:, 1]
    return gate.evaluation_report(y_unseen, probability, (10_000, 42), 0).report


# Un conjunto fijo y pequeño: 4 abandonos de 10, probabilidades a mano.
Y_TRUE = [0, 0, 1, 1, 0, 1, 0, 0, 1, 0]
PROBABILITY = [0.1, 0.4, 0.35, 0.8, 0.2, 0.9, 0.6, 0.05, 0.45, 0.3]


def test_metrics_match_scikit_learn_on_a_fixed_set() -> None:
    predicted = [int(value > 0.5) for value in PROBABILITY]
    expected = {
        "roc_auc": roc_auc_score(Y_TRUE, PROBABILITY),
        "accuracy": accuracy_score(Y_TRUE, predicted),
        "precision": precision_score(Y_TRUE, predicted),
        "recall": recall_score(Y_TRUE, predicted),
        "f1_score": f1_score(Y_TRUE, predicted),
        "brier_score": brier_score_loss(Y_TRUE, PROBABILITY),
    }
    assert compute_metrics(Y_TRUE, PROBABILITY) == pytest.approx(expected, abs=5e-5)


def test_metrics_by_hand_on_the_fixed_set() -> None:
    metrics = compute_metrics(Y_TRUE, PROBABILITY)
    # Predice «abandona» para 0.8, 0.9 (aciertos) y 0.6 (falsa alarma); no ve
    # los abandonos con 0.35 y 0.45: 7 de 10 bien.
    assert metrics["accuracy"] == 0.7
    assert metrics["precision"] == round(2 / 3, 4)
    assert metrics["recall"] == 0.5
    assert metrics["f1_score"] == round(4 / 7, 4)
    # Pares (abandona, se queda) bien ordenados: 4 + 6 + 6 + 5 = 21 de 24.
    assert metrics["roc_auc"] == 0.875
    squares = [(p - y) ** 2 for p, y in zip(PROBABILITY, Y_TRUE)]
    assert metrics["brier_score"] == round(sum(squares) / len(squares), 4)
    assert confusion(Y_TRUE, PROBABILITY) == [[5, 1], [2, 2]]
    assert (
        confusion(Y_TRUE, PROBABILITY)
        == confusion_matrix(Y_TRUE, [int(p > 0.5) for p in PROBABILITY]).tolist()
    )


def test_baseline_is_the_majority_class() -> None:
    baseline = baseline_metrics(Y_TRUE)
    assert baseline["accuracy"] == 0.6
    assert baseline["roc_auc"] == 0.5
    assert baseline["recall"] == 0.0
    # Probabilidad constante 0,4: Brier = 0,4 × 0,6.
    assert baseline["brier_score"] == 0.24


def test_roc_on_grid_is_the_curve_at_eleven_points() -> None:
    tpr = roc_on_grid(Y_TRUE, PROBABILITY)
    assert len(tpr) == len(ROC_GRID) == 11
    assert tpr == sorted(tpr)
    assert tpr[-1] == 1.0
    # Con una falsa alarma de seis (FPR 1/6 ≈ 0,17) ya encontró 3 de 4.
    assert tpr[2] == 0.75


def test_predicted_labels_agree_with_the_model(trained_model: Path) -> None:
    model = joblib.load(trained_model / "model.pkl")
    _, x_test, _, y_test = split_customers(generate_training_data(10_000, 42), 42)
    probability = model.predict_proba(x_test)[:, 1]
    assert predicted_labels(probability) == model.predict(x_test).tolist()
    # Son las filas de prueba de train_model.py: dan sus mismas métricas.
    saved = json.loads((trained_model / METRICS_FILENAME).read_text("utf-8"))
    assert evaluate(model, x_test, y_test, 10_000, 42).report == saved


def test_training_writes_metrics_json_and_pictures(trained_model: Path) -> None:
    report = json.loads((trained_model / METRICS_FILENAME).read_text("utf-8"))
    metadata = json.loads((trained_model / "model_metadata.json").read_text("utf-8"))
    assert report["metrics"] == metadata["metrics"]
    assert set(report["metrics"]) == {
        "roc_auc",
        "accuracy",
        "precision",
        "recall",
        "f1_score",
        "brier_score",
    }
    assert report["baseline"]["accuracy"] == metadata["baseline_accuracy"] == 0.75
    assert report["num_samples"] == 10_000
    assert report["random_seed"] == 42
    assert report["test_rows"] == 2000
    assert sum(map(sum, report["confusion_matrix"])) == 2000
    assert report["roc_curve"]["fpr"] == list(ROC_GRID)
    for name in PLOT_FILENAMES:
        picture = (trained_model / name).read_bytes()
        assert picture.startswith(b"\x89PNG\r\n\x1a\n"), name
        assert len(picture) > 10_000, name


@pytest.fixture(scope="module", name="leaky_and_honest")
def fixture_leaky_and_honest() -> dict[str, dict[str, Any]]:
    """Dos modelos: el de train_model.py y uno entrenado con TODAS las filas.

    El segundo comete un error común: entrena también con las filas de prueba
    (su semilla y su separación se conocen) y con árboles sin límite, que las
    memorizan. Devuelve, para cada uno, su informe con los clientes de prueba
    y con los de evaluación (los de compare_models.py).
    """
    customers = generate_training_data(10_000, 42)
    x_train, x_test, y_train, y_test = split_customers(customers, 42)
    models = {
        "honest": build_model(42).fit(x_train, y_train),
        "leaky": build_model(42)
        .set_params(classifier__max_depth=None, classifier__min_samples_leaf=1)
        .fit(customers.loc[:, list(FEATURES)], customers[TARGET_COLUMN]),
    }
    # Los clientes que sortea la puerta después de entrenar (course.gate).
    x_unseen, y_unseen = gate.evaluation_customers(gate.new_seed())
    reports = {}
    for name, model in models.items():
        reports[name] = {
            "test": evaluate(model, x_test, y_test, 10_000, 42).report,
            "unseen": unseen_report(model, x_unseen, y_unseen),
        }
    return reports


def test_training_on_the_test_rows_gains_nothing_at_the_gate(
    leaky_and_honest: dict[str, dict[str, Any]],
) -> None:
    honest, leaky = leaky_and_honest["honest"], leaky_and_honest["leaky"]

    def gain(kind: str) -> float:
        return float(
            leaky[kind]["metrics"]["roc_auc"] - honest[kind]["metrics"]["roc_auc"]
        )

    # Con las filas de prueba, la fuga parece una gran mejora…
    assert leaky["test"]["metrics"]["roc_auc"] > 0.95
    assert gain("test") > 0.1
    # …con los clientes de evaluación, que nadie vio, no gana nada.
    assert gain("unseen") < DEFAULT_AUC_TOLERANCE
    markdown = render_markdown(honest["unseen"], leaky["unseen"], 0.01)
    auc_row = next(line for line in markdown.splitlines() if "| ROC-AUC |" in line)
    assert "🟢" not in auc_row, auc_row


def test_a_constant_model_fails_the_gate(
    leaky_and_honest: dict[str, dict[str, Any]],
) -> None:
    from sklearn.dummy import DummyClassifier

    customers = generate_training_data(10_000, 42)
    constant = DummyClassifier(strategy="prior").fit(
        customers.loc[:, list(FEATURES)], customers[TARGET_COLUMN]
    )
    report = unseen_report(constant, *gate.evaluation_customers(gate.new_seed()))
    assert report["metrics"]["roc_auc"] == report["baseline"]["roc_auc"] == 0.5
    # Frente a sí mismo (no baja nada) y frente al modelo de main: no pasa.
    assert not check_gate(report, report, 0.01).passed
    verdict = check_gate(leaky_and_honest["honest"]["unseen"], report, 1.0)
    assert not verdict.passed
    assert "no supera el de la referencia" in verdict.reasons[-1]


def test_damaged_report_is_explained(tmp_path: Path) -> None:
    path = tmp_path / METRICS_FILENAME
    with pytest.raises(LabError, match="no se encontró"):
        read_report(path)
    path.write_text('{"metrics": {}}', encoding="utf-8")
    with pytest.raises(LabError, match="dañado o incompleto"):
        read_report(path)
