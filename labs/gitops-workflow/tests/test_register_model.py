"""Pruebas de scripts/register_model.py: registro real en el almacén SQLite.

El registro en el MLflow de Azure ML (servidor remoto, con azureml-mlflow) se
prueba contra el emulador de Azure ML, en las pruebas del proyecto
(tests/test_azure_emulator.py en la raíz del repositorio).
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import joblib
import pytest
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from churn_lab.model import MODEL_NAME, TRUSTED_SKOPS_TYPES, trusted_types
from churn_lab.schema import FEATURES
from labkit.cli import LabError
from labkit.local_store import local_store, prepare_local_store
from labkit.registry import git_lineage, run_url
from labkit.workspace import WorkspaceConfig
from scripts.register_model import main, register_model
from tests.helpers import assert_main_fails, script_env

# Se ejecuta en un proceso nuevo: carga la última versión como lo haría otra
# persona y puntúa filas en bruto del esquema de inferencia.
LOAD_AND_PREDICT = """
import json, mlflow.pyfunc
from churn_lab.data import generate_inference_data
model = mlflow.pyfunc.load_model("models:/churn-prediction-model/latest")
rows = generate_inference_data(7)
print(json.dumps({
    "inputs": model.metadata.get_input_schema().input_names(),
    "predictions": [int(value) for value in model.predict(rows)],
}))
"""


def load_in_fresh_process(tracking_uri: str) -> dict[str, list[object]]:
    """Carga el modelo y puntúa en otro proceso; devuelve columnas y predicciones."""
    result = subprocess.run(
        [sys.executable, "-c", LOAD_AND_PREDICT],
        env=script_env(MLFLOW_TRACKING_URI=tracking_uri),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def check_registered(
    tracking_uri: str, model_dir: Path, times: int, models_dir: Path
) -> None:
    """Registrar ``times`` veces da las versiones 1, 2…, con métricas y firma."""
    from mlflow import MlflowClient

    results = [
        register_model(model_dir / "model.pkl", MODEL_NAME, tracking_uri, models_dir)
        for _ in range(times)
    ]
    assert [result.version for result in results] == list(range(1, times + 1))
    last = results[-1]
    assert last.model_uri == f"models:/{MODEL_NAME}/{times}"

    metadata = json.loads((model_dir / "model_metadata.json").read_text("utf-8"))
    run = MlflowClient(tracking_uri).get_run(last.run_id)
    logged = {name: run.data.metrics[name] for name in metadata["metrics"]}
    assert logged == pytest.approx(metadata["metrics"])
    # La evaluación (metrics.json y sus PNG) también queda en la ejecución.
    assert run.data.metrics["baseline_roc_auc"] == 0.5
    artifacts = MlflowClient(tracking_uri).list_artifacts(last.run_id, "evaluacion")
    assert {Path(item.path).name for item in artifacts} == {
        "metrics.json",
        "roc_curve.png",
        "confusion_matrix.png",
    }
    assert run.data.params["model_type"] == "RandomForestClassifier"
    assert run.data.params["num_samples"] == str(metadata["num_samples"])
    # El linaje: etiquetas y descripción de la versión, leídas del registro.
    version = MlflowClient(tracking_uri).get_model_version(MODEL_NAME, str(times))
    assert version.tags == last.tags
    assert version.tags["mlflow_run_id"] == last.run_id
    assert version.tags["roc_auc"] == f"{metadata['metrics']['roc_auc']:.4f}"
    assert version.tags["num_samples"] == str(metadata["num_samples"])
    assert version.description == last.description
    assert version.description.endswith(
        f"/#/experiments/{run.info.experiment_id}/runs/{last.run_id}"
    )

    loaded = load_in_fresh_process(tracking_uri)
    assert loaded["inputs"] == list(FEATURES)
    assert len(loaded["predictions"]) == 7
    assert set(loaded["predictions"]) <= {0, 1}


@pytest.mark.slow
def test_registers_in_the_local_sqlite_store(
    trained_model: Path, tmp_path: Path
) -> None:
    tracking_uri = prepare_local_store(local_store(tmp_path))
    check_registered(tracking_uri, trained_model, 2, local_store(tmp_path).models_dir)
    # Los artefactos quedan en mlartifacts/, no en ./mlruns de la carpeta actual.
    assert list((tmp_path / "mlartifacts").rglob("MLmodel"))


def test_lineage_names_the_commit_and_its_release_tag(tmp_path: Path) -> None:
    """El commit de HEAD y, si la tiene, su etiqueta de versión; sin git, nada."""
    assert not git_lineage(tmp_path)

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-c", "user.name=Ana", "-c", "user.email=ana@example.com", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    git("init", "-q")
    (tmp_path / "README.md").write_text("hola\n", encoding="utf-8")
    git("add", "README.md")
    git("commit", "-q", "-m", "chore: inicio")
    head = git("rev-parse", "HEAD")
    assert git_lineage(tmp_path) == {"git_commit": head}
    git("tag", "v0.1.0")
    assert git_lineage(tmp_path) == {"git_commit": head, "release": "v0.1.0"}


def test_run_url_points_to_studio_or_mlflow_ui() -> None:
    config = WorkspaceConfig("sub", "rg-lab", "mlw-lab")
    assert run_url("abc", "7", config) == (
        "https://ml.azure.com/runs/abc?wsid=/subscriptions/sub/resourceGroups/rg-lab"
        "/providers/Microsoft.MachineLearningServices/workspaces/mlw-lab"
    )
    assert run_url("abc", "7", None) == "http://127.0.0.1:5000/#/experiments/7/runs/abc"


def test_trusts_only_the_listed_skops_types(trained_model: Path) -> None:
    model = joblib.load(trained_model / "model.pkl")
    assert trusted_types(model) == list(TRUSTED_SKOPS_TYPES)
    unknown = Pipeline([("log", FunctionTransformer(math.log1p)), *model.steps])
    with pytest.raises(LabError, match="TRUSTED_SKOPS_TYPES: math.log1p"):
        trusted_types(unknown)


@pytest.mark.slow
@pytest.mark.usefixtures("lab_root")
def test_main_local_prints_the_version(
    trained_model: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    model_path = trained_model / "model.pkl"
    assert main(["--local", "--model-path", str(model_path)]) == 0
    captured = capsys.readouterr()
    output = captured.out
    # Los avisos en inglés de MLflow sobre el registro no llegan al estudiante.
    assert "Successfully registered" not in captured.err
    assert "Created version" not in captured.err
    # El flujo de despliegue busca exactamente esta línea.
    assert "\nVersión registrada: 1\n" in output
    assert f"URI del modelo: models:/{MODEL_NAME}/1" in output
    assert "python scripts/mlflow_ui.py" in output


def test_missing_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert_main_fails(
        main,
        ["--local", "--model-path", tmp_path / "model.pkl"],
        capsys,
        "no se encontró el modelo",
        "python scripts/train_model.py",
    )


def test_missing_metadata(
    trained_model: Path,
    lab_root: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    shutil.copy(trained_model / "model.pkl", lab_root / "model.pkl")
    assert_main_fails(
        main,
        ["--local", "--model-path", lab_root / "model.pkl"],
        capsys,
        "no se encontró el archivo de metadatos del modelo",
    )


def test_parts_of_two_trainings_are_not_registered(
    trained_model: Path, lab_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mixed = lab_root / "artifacts"
    shutil.copytree(trained_model, mixed)
    # Como si otro entrenamiento se hubiera detenido después de escribir sus
    # métricas: metrics.json es de otro, model.pkl y sus metadatos del primero.
    metrics = json.loads((mixed / "metrics.json").read_text(encoding="utf-8"))
    metrics["random_seed"] = 7
    (mixed / "metrics.json").write_text(json.dumps(metrics), encoding="utf-8")
    assert_main_fails(
        main,
        ["--local", "--model-path", mixed / "model.pkl"],
        capsys,
        "metrics.json no es del mismo entrenamiento",
        "python scripts/train_model.py",
    )
    assert not list((lab_root / "mlartifacts").rglob("MLmodel"))


def test_model_name_like_a_filter_is_refused(
    trained_model: Path, lab_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--local", "--model-path", trained_model / "model.pkl"]
    assert_main_fails(
        main, [*args, "--model-name", "x' OR name = 'y"], capsys, "no es válido"
    )
    assert not (lab_root / "mlflow.db").exists()
