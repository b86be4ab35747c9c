"""Pruebas de scripts/test_model.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scripts.test_model import SAMPLE_CUSTOMERS, main, predict_samples
from tests.helpers import assert_clean_failure, assert_main_fails, run_script


def test_risk_rises_from_first_to_last_customer(trained_model: Path) -> None:
    probabilities = predict_samples(trained_model / "model.pkl")
    assert len(probabilities) == len(SAMPLE_CUSTOMERS) == 5
    assert all(0.0 <= value <= 1.0 for value in probabilities)
    assert probabilities == sorted(probabilities)
    assert probabilities[-1] - probabilities[0] > 0.5


def test_prints_an_aligned_table(
    trained_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--model-path", str(trained_model / "model.pkl")]) == 0
    output = capsys.readouterr().out
    assert "RandomForestClassifier · 7 columnas de entrada" in output
    lines = output.splitlines()
    header = next(line for line in lines if line.startswith("#  Cliente"))
    rows = [line for line in lines if line[:1] in "12345" and "%" in line]
    assert len(rows) == 5
    # Columnas alineadas: la probabilidad y el veredicto empiezan a la misma altura.
    assert len({row.index("%") for row in rows}) == 1, rows
    verdict = header.index("Veredicto")
    assert all(row[verdict - 2 : verdict] == "  " for row in rows), rows
    assert all(row[verdict] != " " for row in rows), rows
    assert "se queda" in rows[0] and "abandonaría" in rows[-1]
    # Como el tutorial: después de probar el modelo viene la Parte 4 (Azure ML o
    # el almacén local), no la Parte 6.
    assert output.rstrip().splitlines()[-2:] == [
        "➡️  Siguiente paso: conecta con Azure ML (Parte 4): "
        "python scripts/verify_azure_connection.py",
        "   Sin Azure: python scripts/verify_azure_connection.py --local",
    ]
    # Porcentajes en español: coma decimal y espacio antes de «%».
    assert all(re.search(r"\d,\d %", row) for row in rows), rows


def test_missing_model_explains_how_to_train(tmp_path: Path) -> None:
    result = run_script(["scripts/test_model.py", "--model-path", tmp_path / "no.pkl"])
    assert_clean_failure(result, "no se encontró el modelo", "train_model.py")


@pytest.mark.parametrize("content", [b"", b"esto no es un modelo", b"\x80\x04K\x01."])
def test_corrupt_model_is_reported(
    tmp_path: Path, content: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "model.pkl"
    broken.write_bytes(content)
    args = ["--model-path", broken]
    assert_main_fails(main, args, capsys, str(broken), "Vuelve a entrenarlo")
