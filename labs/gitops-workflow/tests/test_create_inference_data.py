"""Pruebas de scripts/create_inference_data.py."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from churn_lab.schema import INFERENCE_COLUMNS
from tests.helpers import (
    LAB_ROOT,
    assert_clean_failure,
    copy_lab_code,
    run_script,
    terminate_when,
)

SCRIPT = LAB_ROOT / "scripts" / "create_inference_data.py"


def test_default_run_writes_500_customers_in_the_lab_data_folder(
    tmp_path: Path,
) -> None:
    lab = copy_lab_code(tmp_path / "lab")
    # Desde scripts/, como un estudiante que entró a esa carpeta: el archivo va
    # igual a data/ de la raíz del laboratorio, no a scripts/data/.
    result = run_script(["create_inference_data.py"], cwd=lab / "scripts")
    assert result.returncode == 0, result.stderr
    assert "500 clientes generados" in result.stdout
    assert "CUST-10001" in result.stdout
    assert not (lab / "scripts" / "data").exists()
    customers = pd.read_csv(lab / "data" / "inference_input.csv")
    assert tuple(customers.columns) == INFERENCE_COLUMNS
    assert len(customers) == 500
    assert customers["customer_id"].iloc[0] == "CUST-10001"
    assert customers["customer_id"].iloc[-1] == "CUST-10500"


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for folder in (first, second):
        result = run_script([SCRIPT, "--n-samples", "50", "--output-dir", folder])
        assert result.returncode == 0, result.stderr
    content = (first / "inference_input.csv").read_bytes()
    assert content == (second / "inference_input.csv").read_bytes()
    assert b"\r\n" not in content


def test_rejects_zero_samples(tmp_path: Path) -> None:
    result = run_script([SCRIPT, "--n-samples", "0", "--output-dir", tmp_path])
    assert_clean_failure(result, "--n-samples", "mayor que 0")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--n-samples", "1e30"),
        ("--n-samples", "1" + "0" * 30),
        ("--seed", "1e38"),
        ("--seed", "1" + "0" * 38),
        ("--seed", "nan"),
    ],
)
def test_rejects_numbers_out_of_range(option: str, value: str, tmp_path: Path) -> None:
    result = run_script([SCRIPT, option, value, "--output-dir", tmp_path])
    assert_clean_failure(result, option)
    assert not list(tmp_path.iterdir())


def test_sigterm_leaves_no_temporary_file(tmp_path: Path) -> None:
    def writing() -> bool:
        return any(tmp_path.glob(".inference_input.csv.*.tmp"))

    args: list[str | Path] = [SCRIPT, "--n-samples", "1000000"]
    args += ["--output-dir", tmp_path]
    code, stderr, caught = terminate_when(args, writing)
    assert caught, "create_inference_data.py terminó antes de poder detenerlo"
    assert code == 1, stderr
    assert "Detenido (SIGTERM)" in stderr and "Traceback" not in stderr
    assert not list(tmp_path.iterdir())
