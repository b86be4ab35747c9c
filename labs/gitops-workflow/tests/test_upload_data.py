"""Pruebas de scripts/upload_data.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from azure.ai.ml.constants import AssetTypes

from churn_lab.data import generate_inference_data
from labkit.local_store import latest_local_data_asset, local_store
from scripts.upload_data import build_data_asset, main
from tests.helpers import assert_main_fails


@pytest.fixture(name="input_csv")
def fixture_input_csv(tmp_path: Path) -> Path:
    path = tmp_path / "inference_input.csv"
    generate_inference_data(40).to_csv(path, index=False)
    return path


def test_builds_a_uri_file_asset_without_version(input_csv: Path) -> None:
    asset = build_data_asset("churn-inference-data", input_csv)
    assert asset.type == AssetTypes.URI_FILE
    assert asset.name == "churn-inference-data"
    # Sin versión, el SDK pide a Azure ML la siguiente (1, 2, 3…) al subirlo.
    assert asset.version is None
    assert asset._auto_increment_version  # pylint: disable=protected-access
    assert Path(str(asset.path)).resolve() == input_csv.resolve()
    assert asset._to_dict()["type"] == "uri_file"  # pylint: disable=protected-access


def test_local_upload_creates_a_new_version_each_time(
    input_csv: Path,
    lab_root: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for _ in range(2):
        assert main(["--local", "--file-path", str(input_csv)]) == 0
    output = capsys.readouterr().out
    assert "40 clientes" in output and "Versión: 2" in output
    # En local no hay «azureml:»: el pipeline local toma la versión más alta.
    assert "azureml:" not in output
    assert "En el pipeline: churn-inference-data@latest" in output
    assert output.rstrip().endswith(
        "Siguiente paso: python scripts/run_inference_pipeline.py --local"
    )
    latest = latest_local_data_asset(local_store(lab_root), "churn-inference-data")
    assert latest.version == 2
    assert latest.path.read_bytes() == input_csv.read_bytes()


def test_rejects_a_file_that_breaks_the_schema(
    lab_root: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    broken = lab_root / "roto.csv"
    generate_inference_data(5).drop(columns="contract_type").to_csv(broken, index=False)
    assert_main_fails(
        main,
        ["--local", "--file-path", broken],
        capsys,
        "no sigue el esquema de clientes",
        "faltan las columnas: contract_type",
    )
    assert not (lab_root / "mlartifacts").exists()


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert_main_fails(
        main,
        ["--local", "--file-path", tmp_path / "no.csv"],
        capsys,
        "no se encontró el archivo de datos",
        "python scripts/create_inference_data.py",
    )


def test_invalid_asset_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--local", "--asset-name", "../fuera"]) == 1
    assert "no es válido" in capsys.readouterr().err


@pytest.mark.parametrize("text", ["inf", "-inf", "1e309"])
def test_rejects_infinite_numbers_with_column_and_row(
    text: str, lab_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = generate_inference_data(5).astype({"monthly_charges": object})
    broken.loc[2, "monthly_charges"] = text
    path = lab_root / "infinito.csv"
    broken.to_csv(path, index=False)
    assert_main_fails(
        main,
        ["--local", "--file-path", path],
        capsys,
        "la columna monthly_charges tiene números infinitos",
        "en la fila 4 del archivo",
    )
    assert not (lab_root / "mlartifacts").exists()
