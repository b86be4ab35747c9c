"""Pruebas de la validación del esquema (churn_lab.schema)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from churn_lab.data import generate_inference_data
from churn_lab.schema import (
    FEATURES,
    INFERENCE_COLUMNS,
    SchemaError,
    as_model_input,
    schema_problems,
    validate,
    validated_chunks,
)
from labkit.cli import LabError


@pytest.fixture(name="customers")
def fixture_customers() -> pd.DataFrame:
    return generate_inference_data(20, seed=3)


def test_valid_data_has_no_problems(customers: pd.DataFrame) -> None:
    assert not schema_problems(customers, INFERENCE_COLUMNS)
    validate(customers, INFERENCE_COLUMNS, "datos")


def test_missing_columns_are_named(customers: pd.DataFrame) -> None:
    problems = schema_problems(
        customers.drop(columns=["tenure_months", "payment_method"]), INFERENCE_COLUMNS
    )
    assert problems == ["faltan las columnas: tenure_months, payment_method"]


def test_unknown_categories_are_listed(customers: pd.DataFrame) -> None:
    customers.loc[0, "contract_type"] = "weekly"
    customers.loc[1, "internet_service"] = "satellite"
    with pytest.raises(SchemaError) as error:
        validate(customers, INFERENCE_COLUMNS, "entrada.csv")
    message = str(error.value)
    assert "entrada.csv" in message
    assert "contract_type" in message and "'weekly'" in message
    assert "internet_service" in message and "'satellite'" in message
    assert "month-to-month, one-year, two-year" in message


def test_text_in_numeric_column(customers: pd.DataFrame) -> None:
    customers["monthly_charges"] = customers["monthly_charges"].astype(object)
    customers.loc[2, "monthly_charges"] = "caro"
    problems = schema_problems(customers, INFERENCE_COLUMNS)
    assert problems == ["la columna monthly_charges debe ser numérica y tiene 'caro'"]


def test_out_of_range_empty_and_decimals(customers: pd.DataFrame) -> None:
    customers["tenure_months"] = customers["tenure_months"].astype(float)
    customers.loc[0, "tenure_months"] = 500
    customers.loc[1, "tenure_months"] = 3.5
    customers.loc[2, "num_support_tickets"] = None
    customers.loc[3, "payment_method"] = None
    problems = " | ".join(schema_problems(customers, INFERENCE_COLUMNS))
    assert "tenure_months debe estar entre 1 y 72 y tiene '500'" in problems
    assert "tenure_months debe tener números enteros" in problems
    assert "num_support_tickets tiene 1 valor vacío" in problems
    assert "payment_method tiene 1 valor vacío" in problems
    customers.loc[4, "payment_method"] = None
    problems = " | ".join(schema_problems(customers, INFERENCE_COLUMNS))
    assert "payment_method tiene 2 valores vacíos" in problems


def test_empty_frame_is_rejected() -> None:
    empty = pd.DataFrame(columns=list(INFERENCE_COLUMNS))
    with pytest.raises(SchemaError, match="no tiene filas"):
        validate(empty, INFERENCE_COLUMNS, "vacío.csv")


def test_model_input_has_model_columns_and_types(customers: pd.DataFrame) -> None:
    as_text = customers.astype(str)
    features = as_model_input(as_text)
    assert tuple(features.columns) == FEATURES
    assert str(features["tenure_months"].dtype) == "int64"
    assert str(features["monthly_charges"].dtype) == "float64"
    assert features["contract_type"].tolist() == customers["contract_type"].tolist()


def excel_csv(customers: pd.DataFrame, path: Path) -> Path:
    """Los clientes como los guarda Excel en español: «;», coma decimal, BOM, CRLF."""
    text = customers.to_csv(index=False, sep=";", decimal=",", lineterminator="\r\n")
    path.write_bytes(text.encode("utf-8-sig"))
    return path


def test_reads_a_csv_saved_by_excel_in_spanish(
    customers: pd.DataFrame, tmp_path: Path
) -> None:
    path = excel_csv(customers, tmp_path / "clientes.csv")
    assert b";" in path.read_bytes() and b"," in path.read_bytes()
    # list(): Pylint en Python 3.15 creía que chunk era el generador.
    (chunk,) = list(validated_chunks(path, INFERENCE_COLUMNS))
    assert list(chunk.columns) == list(INFERENCE_COLUMNS)
    assert chunk["customer_id"].tolist() == customers["customer_id"].tolist()
    assert chunk["monthly_charges"].tolist() == pytest.approx(
        customers["monthly_charges"].tolist()
    )
    pd.testing.assert_frame_equal(as_model_input(chunk), as_model_input(customers))


def test_a_broken_semicolon_csv_names_the_separator(
    customers: pd.DataFrame, tmp_path: Path
) -> None:
    path = excel_csv(customers, tmp_path / "roto.csv")
    path.write_bytes(path.read_bytes() + b"CUST-99;1;2;3;4;5;6;7;8;9\r\n")
    with pytest.raises(LabError) as error:
        list(validated_chunks(path, INFERENCE_COLUMNS))
    assert "separador (punto y coma (;), como lo guarda Excel" in str(error.value)
    assert "CSV UTF-8 (delimitado por comas)" in str(error.value)


@pytest.mark.parametrize("text", ["inf", "-inf", "1e309", "Infinity"])
def test_non_finite_numbers_are_refused_with_column_and_row(
    text: str, customers: pd.DataFrame, tmp_path: Path
) -> None:
    broken = customers.astype({"total_charges": object})
    broken.loc[6, "total_charges"] = text
    path = tmp_path / "infinito.csv"
    broken.to_csv(path, index=False)
    with pytest.raises(SchemaError) as caught:
        list(validated_chunks(path, INFERENCE_COLUMNS))
    message = str(caught.value)
    assert "la columna total_charges tiene números infinitos" in message
    # La fila 8 del archivo: la cabecera es la 1 y el índice 6 la 8.
    assert "en la fila 8 del archivo" in message, message


def test_a_huge_field_is_refused_before_pandas_reads_it(
    customers: pd.DataFrame, tmp_path: Path
) -> None:
    import tracemalloc

    path = tmp_path / "enorme.csv"
    customers.to_csv(path, index=False)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("CUST-99999," + "9" * 30_000_000 + ",1,1,dsl,dsl,dsl,1\n")
    tracemalloc.start()
    try:
        with pytest.raises(SchemaError, match="la línea 22 .* ocupa más de 4096 bytes"):
            list(validated_chunks(path, INFERENCE_COLUMNS))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Se lee por bloques de 1 MB: la memoria no depende del tamaño del campo.
    assert peak < 8_000_000, peak


def test_a_quoted_field_across_lines_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "comillas.csv"
    header = ",".join(INFERENCE_COLUMNS)
    path.write_text(header + '\n"CUST-1\n' + "x\n" * 10 + '",1\n', encoding="utf-8")
    with pytest.raises(SchemaError, match="la línea 2 .* comillas que no cierra"):
        list(validated_chunks(path, INFERENCE_COLUMNS))
