"""Pruebas de labkit.local_store: el almacén local de MLflow (--local)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from labkit import LAB_ROOT
from labkit.cli import LabError
from labkit.local_store import (
    MLFLOW_UI_COMMAND,
    latest_local_data_asset,
    local_store,
    mlflow_ui_hint,
    prepare_local_store,
    quiet_mlflow_logs,
    register_local_data_asset,
)
from labkit.workspace import EXPERIMENT_NAME


def test_local_store_lives_in_the_lab_root(tmp_path: Path) -> None:
    store = local_store(tmp_path)
    assert store.db_path == tmp_path / "mlflow.db"
    assert store.artifact_dir == tmp_path / "mlartifacts"
    assert store.tracking_uri == f"sqlite:///{(tmp_path / 'mlflow.db').as_posix()}"
    assert local_store().root == Path(__file__).resolve().parents[1]
    assert MLFLOW_UI_COMMAND == "python scripts/mlflow_ui.py"


def test_mlflow_ui_hint_works_from_any_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """El comando no depende de la carpeta actual (mlflow ui sí: error 6)."""
    for folder in (LAB_ROOT, LAB_ROOT / "scripts", tmp_path):
        monkeypatch.chdir(folder)
        assert mlflow_ui_hint() == MLFLOW_UI_COMMAND


def test_mlflow_telemetry_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MLFLOW_DISABLE_TELEMETRY", raising=False)
    quiet_mlflow_logs()
    assert os.environ["MLFLOW_DISABLE_TELEMETRY"] == "true"


@pytest.mark.slow
def test_prepare_puts_artifacts_in_mlartifacts(tmp_path: Path) -> None:
    import mlflow

    store = local_store(tmp_path)
    assert prepare_local_store(store) == store.tracking_uri
    assert prepare_local_store(store) == store.tracking_uri  # dos veces no falla
    experiment = mlflow.get_experiment_by_name(EXPERIMENT_NAME)
    assert experiment is not None
    assert experiment.artifact_location == store.artifact_dir.resolve().as_uri()
    assert store.db_path.is_file()


def test_local_data_assets_get_new_versions(tmp_path: Path) -> None:
    store = local_store(tmp_path)
    source = tmp_path / "datos.csv"
    for text in ("a\n1\n", "a\n2\n"):
        source.write_text(text, encoding="utf-8")
        asset = register_local_data_asset(store, "clientes", source)
    assert asset.version == 2
    latest = latest_local_data_asset(store, "clientes")
    assert latest == asset
    assert latest.path.read_text(encoding="utf-8") == "a\n2\n"
    assert latest.uri == "clientes:2"
    record = json.loads((latest.path.parent / "asset.json").read_text("utf-8"))
    assert record["name"] == "clientes" and record["version"] == 2


def test_missing_or_invalid_asset_names(tmp_path: Path) -> None:
    store = local_store(tmp_path)
    with pytest.raises(LabError, match="no hay ningún activo de datos 'nada'"):
        latest_local_data_asset(store, "nada")
    with pytest.raises(LabError, match="no es válido"):
        latest_local_data_asset(store, "../fuera")
