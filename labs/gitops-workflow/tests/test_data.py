"""Pruebas del generador de datos sintéticos (churn_lab.data)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from churn_lab.data import (
    churn_probability,
    generate_customers,
    generate_inference_data,
    generate_training_data,
)
from churn_lab.schema import (
    CATEGORIES,
    INFERENCE_COLUMNS,
    TRAINING_COLUMNS,
    schema_problems,
)


@pytest.fixture(scope="module", name="training")
def fixture_training() -> pd.DataFrame:
    return generate_training_data()


def test_training_data_follows_e1_schema(training: pd.DataFrame) -> None:
    assert tuple(training.columns) == TRAINING_COLUMNS
    assert len(training) == 10_000
    assert training["customer_id"].iloc[0] == "CUST-00001"
    assert training["customer_id"].iloc[-1] == "CUST-10000"
    assert training["customer_id"].is_unique
    assert training["tenure_months"].between(1, 72).all()
    assert training["monthly_charges"].between(20.0, 120.0).all()
    assert training["num_support_tickets"].between(0, 10).all()
    assert set(training["churned"].unique()) == {0, 1}
    for column, values in CATEGORIES.items():
        assert set(training[column].unique()) == set(values)
    assert training["tenure_months"].dtype == np.int64
    assert training["num_support_tickets"].dtype == np.int64
    assert training["monthly_charges"].dtype == np.float64
    assert not schema_problems(training, TRAINING_COLUMNS)


def test_total_charges_track_tenure_times_monthly(training: pd.DataFrame) -> None:
    expected = training["tenure_months"] * training["monthly_charges"]
    ratio = training["total_charges"] / expected
    assert ratio.between(0.75, 1.25).all()
    assert abs(ratio.mean() - 1.0) < 0.01


def test_inference_data_follows_e2_schema() -> None:
    inference = generate_inference_data()
    assert tuple(inference.columns) == INFERENCE_COLUMNS
    assert "churned" not in inference.columns
    assert len(inference) == 500
    assert inference["customer_id"].iloc[0] == "CUST-10001"
    assert inference["customer_id"].iloc[-1] == "CUST-10500"
    assert not schema_problems(inference, INFERENCE_COLUMNS)


def test_same_seed_same_bytes_other_seed_other_data() -> None:
    first = generate_training_data(2_000, 7).to_csv(index=False)
    again = generate_training_data(2_000, 7).to_csv(index=False)
    other = generate_training_data(2_000, 8).to_csv(index=False)
    assert first == again
    assert first != other


def test_ids_keep_five_digits_and_grow_past_them() -> None:
    customers = generate_customers(3, seed=1, first_id=99_999, with_target=False)
    assert list(customers["customer_id"]) == [
        "CUST-99999",
        "CUST-100000",
        "CUST-100001",
    ]


def test_rates_follow_the_documented_model(training: pd.DataFrame) -> None:
    churned = training["churned"]
    assert 0.20 <= churned.mean() <= 0.30
    month_to_month = churned[training["contract_type"] == "month-to-month"].mean()
    electronic = churned[training["payment_method"] == "electronic_check"].mean()
    long_tenure = churned[training["tenure_months"] > 24].mean()
    assert month_to_month == pytest.approx(0.40, abs=0.04)
    assert electronic == pytest.approx(0.35, abs=0.04)
    assert long_tenure < churned.mean()
    fiber = training["internet_service"] == "fiber_optic"
    many_tickets = training["num_support_tickets"] >= 4
    assert churned[fiber & many_tickets].mean() > churned[fiber & ~many_tickets].mean()


def test_true_probability_has_enough_signal(training: pd.DataFrame) -> None:
    probability = churn_probability(training)
    assert ((probability > 0) & (probability < 1)).all()
    assert roc_auc_score(training["churned"], probability) >= 0.80


@pytest.mark.parametrize("size", [0, -5])
def test_rejects_non_positive_sizes(size: int) -> None:
    with pytest.raises(ValueError):
        generate_customers(size, seed=1)
