"""Pruebas de scripts/run_inference_pipeline.py: objetos de Azure ML y modo local."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from azure.ai.ml import MLClient
from azure.ai.ml.constants import AssetTypes, InputOutputModes

from churn_lab.schema import INFERENCE_COLUMNS, PREDICTION_COLUMN
from labkit.cli import LabError
from labkit.workspace import WorkspaceConfig
from scripts.run_inference_pipeline import (
    BASE_IMAGE,
    IDLE_SECONDS_BEFORE_SCALE_DOWN,
    IMAGE_BUILD_LOG,
    JOB_COMMAND,
    OUTPUT_NAME,
    USER_LOG,
    build_compute,
    build_environment,
    build_job,
    copy_predictions,
    failure_message,
    job_command_line,
    status_value,
)
from tests.helpers import LAB_ROOT, assert_clean_failure, copy_lab_code, run_script


class NoTokenCredential:  # pylint: disable=too-few-public-methods
    """Una credencial que hace fallar la prueba si alguien le pide un token."""

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        """Nunca devuelve un token: la prueba falla si se llega aquí."""
        raise AssertionError(f"se pidió un token de Azure: {scopes} {kwargs}")


def test_compute_is_small_and_scales_to_zero() -> None:
    compute = build_compute("cpu-cluster")
    assert compute.name == "cpu-cluster"
    assert compute.size == "Standard_DS2_v2"
    assert build_compute("cpu-cluster", "Standard_D2as_v4").size == "Standard_D2as_v4"
    assert (compute.min_instances, compute.max_instances) == (0, 1)
    assert compute.idle_time_before_scale_down == IDLE_SECONDS_BEFORE_SCALE_DOWN
    as_dict = compute._to_dict()  # pylint: disable=protected-access
    assert as_dict["type"] == "amlcompute"


def test_environment_uses_conda_yml_on_a_current_image() -> None:
    environment = build_environment()
    assert environment.image == BASE_IMAGE
    assert re.search(r"ubuntu(22|24)\.04", BASE_IMAGE)
    # Una versión fechada que publica Microsoft, no :latest (cambia sin avisar).
    assert re.search(r":\d{8}\.v\d+$", BASE_IMAGE), BASE_IMAGE
    conda = yaml.safe_load((LAB_ROOT / "conda.yml").read_text(encoding="utf-8"))
    assert environment.conda_file == conda


def test_job_wires_model_data_and_output() -> None:
    job = build_job("churn-prediction-model:3", "churn-inference-data:2", "cpu-cluster")
    assert job.command == JOB_COMMAND
    assert Path(str(job.code)) == LAB_ROOT / "src"
    assert (LAB_ROOT / "src" / "score.py").is_file()
    assert job.compute == "cpu-cluster"
    model, data = job.inputs["model"], job.inputs["input_data"]
    assert model.type == AssetTypes.MLFLOW_MODEL
    assert model.path == "churn-prediction-model:3"
    assert data.type == AssetTypes.URI_FILE
    assert data.path == "churn-inference-data:2"
    assert job.outputs[OUTPUT_NAME].type == AssetTypes.URI_FOLDER
    # Azure ML sube la carpeta al terminar: score.py escribe en disco local.
    assert job.outputs[OUTPUT_NAME].mode == InputOutputModes.UPLOAD
    # La línea de comandos solo usa entradas y salidas que existen.
    for kind, name in re.findall(r"\$\{\{(inputs|outputs)\.(\w+)\}\}", JOB_COMMAND):
        assert name in (job.inputs if kind == "inputs" else job.outputs)
    as_dict = job._to_dict()  # pylint: disable=protected-access
    assert as_dict["environment"]["image"] == BASE_IMAGE


def test_job_passes_sdk_validation_offline() -> None:
    """La validación del SDK no pide token ni sale a la red (ver conftest)."""
    ml_client = MLClient(
        NoTokenCredential(),
        subscription_id="00000000-0000-0000-0000-000000000000",
        resource_group_name="rg-lab",
        workspace_name="ws-lab",
    )
    result = ml_client.jobs.validate(build_job())
    assert result.passed, result.error_messages


def make_named_output(folder: Path, filename: str = "predictions.csv") -> Path:
    """La carpeta como la deja ``ml_client.jobs.download(output_name=...)``."""
    output = folder / "named-outputs" / OUTPUT_NAME
    output.mkdir(parents=True)
    (output / filename).write_text("customer_id,churn_probability\nC1,0.5\nC2,0.1\n")
    return output


def test_copies_predictions_from_the_sdk_layout(tmp_path: Path) -> None:
    make_named_output(tmp_path / "job")
    destination = tmp_path / "data" / "inference_output.csv"
    assert copy_predictions(tmp_path / "job", destination) == 2
    assert destination.read_text().startswith("customer_id,churn_probability\n")
    make_named_output(tmp_path / "otro", "part-0.csv")
    assert copy_predictions(tmp_path / "otro", destination) == 2


def test_missing_predictions_say_where_to_look(tmp_path: Path) -> None:
    (tmp_path / "named-outputs" / OUTPUT_NAME).mkdir(parents=True)
    destination = tmp_path / "inference_output.csv"
    with pytest.raises(LabError, match="user_logs/std_log.txt"):
        copy_predictions(tmp_path, destination)
    assert not destination.exists()


def test_local_command_line_is_the_job_command(tmp_path: Path) -> None:
    line = job_command_line(tmp_path / "m", tmp_path / "d.csv", tmp_path / "out")
    assert line[1:] == [
        "score.py",
        "--model",
        str(tmp_path / "m"),
        "--input-path",
        str(tmp_path / "d.csv"),
        "--output-path",
        str(tmp_path / "out"),
    ]


@pytest.fixture(name="lab_copy", scope="module")
def fixture_lab_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Una copia limpia del laboratorio, como la que un estudiante sube a su repo."""
    root = tmp_path_factory.mktemp("lab") / "gitops-workflow"
    shutil.copytree(
        LAB_ROOT,
        root,
        ignore=shutil.ignore_patterns(
            ".venv",
            ".git",
            "tests",
            "mlflow.db",
            "mlartifacts",
            "mlruns",
            "outputs",
            "*.pkl",
            "*.csv",
            "*.egg-info",
            "__pycache__",
            ".*_cache",
        ),
    )
    return root


def run_in_copy(lab: Path, *args: str) -> str:
    """Ejecuta un script en la copia con su propio churn_lab y sin red."""
    result = run_script(
        args,
        cwd=lab,
        PYTHONPATH=str(lab / "src"),
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Traceback" not in output, output
    return output


@pytest.mark.slow
def test_whole_local_pipeline(lab_copy: Path) -> None:
    run_in_copy(lab_copy, "scripts/train_model.py", "--n-samples", "1000")
    registered = run_in_copy(lab_copy, "scripts/register_model.py", "--local")
    assert "Versión registrada: 1" in registered
    run_in_copy(lab_copy, "scripts/create_inference_data.py")
    uploaded = run_in_copy(lab_copy, "scripts/upload_data.py", "--local")
    assert "Versión: 1" in uploaded
    piped = run_in_copy(lab_copy, "scripts/run_inference_pipeline.py", "--local")
    assert "500 clientes puntuados" in piped

    predictions = pd.read_csv(lab_copy / "data" / "inference_output.csv")
    assert len(predictions) == 500
    assert list(predictions.columns) == [*INFERENCE_COLUMNS, PREDICTION_COLUMN]
    assert predictions[PREDICTION_COLUMN].between(0, 1).all()
    assert (lab_copy / "mlflow.db").is_file()
    assert list((lab_copy / "outputs").glob("local-*/named-outputs/predictions/*.csv"))


@pytest.mark.slow
def test_moved_lab_folder_says_so_and_how_to_recover(tmp_path: Path) -> None:
    before = copy_lab_code(tmp_path / "antes")
    run_in_copy(before, "scripts/train_model.py", "--n-samples", "1000")
    run_in_copy(before, "scripts/register_model.py", "--local")
    run_in_copy(before, "scripts/create_inference_data.py", "--n-samples", "50")
    run_in_copy(before, "scripts/upload_data.py", "--local")
    # La carpeta se mueve con su almacén (mlflow.db guarda rutas absolutas).
    lab = before.rename(tmp_path / "despues")
    result = run_script(
        ["scripts/run_inference_pipeline.py", "--local"],
        cwd=lab,
        PYTHONPATH=str(lab / "src"),
    )
    assert_clean_failure(result, "se movió", "Borra mlflow.db", "register_model.py")
    assert "MLmodel" not in result.stderr
    # Lo que dice el mensaje, hecho al pie de la letra, lo arregla.
    (lab / "mlflow.db").unlink()
    shutil.rmtree(lab / "mlartifacts")
    run_in_copy(lab, "scripts/register_model.py", "--local")
    run_in_copy(lab, "scripts/upload_data.py", "--local")
    piped = run_in_copy(lab, "scripts/run_inference_pipeline.py", "--local")
    assert "50 clientes puntuados" in piped


@pytest.mark.slow
def test_local_pipeline_without_a_registered_model(tmp_path: Path) -> None:
    lab = copy_lab_code(tmp_path / "lab")
    result = run_script(
        ["scripts/run_inference_pipeline.py", "--local"],
        cwd=lab,
        PYTHONPATH=str(lab / "src"),
    )
    assert result.returncode == 1
    assert "no hay ningún modelo 'churn-prediction-model' registrado" in result.stderr
    assert "Traceback" not in result.stderr


def test_status_is_compared_by_value() -> None:
    """azure-ai-ml da el estado como enum: su ``str()`` es ``JobStatus.COMPLETED``."""
    from azure.ai.ml._restclient.arm_ml_service.models import JobStatus

    assert str(JobStatus.COMPLETED) != "Completed"
    assert status_value(JobStatus.COMPLETED) == "Completed"
    assert status_value("Paused") == "Paused"


def test_failure_message_explains_refused_image_builds() -> None:
    config = WorkspaceConfig("sub", "rg-lab", "mlw-lab")
    build = "Failed to start the image build: (TasksOperationsNotAllowed) ACR Tasks"
    message = failure_message(
        "job-1",
        "Failed",
        "https://ml.azure.com/runs/job-1",
        {IMAGE_BUILD_LOG: build},
        config,
    )
    assert "--image-build-compute" in message and "si ves" not in message
    assert "--name mlw-lab --resource-group rg-lab" in message


def test_failure_message_quotes_the_user_log() -> None:
    """La última línea de user_logs/std_log.txt, no la de otro registro."""
    config = WorkspaceConfig("sub", "rg-lab", "mlw-lab")
    logs = {
        USER_LOG: "uno\nValueError: malo\n",
        IMAGE_BUILD_LOG: "Environment built in 3.1 s\n",
    }
    plain = failure_message("job-1", "Failed", "https://x", logs, config)
    assert f"La última línea de {USER_LOG} dice: «ValueError: malo»" in plain
    assert (
        "az ml job stream --name job-1 --resource-group rg-lab "
        "--workspace-name mlw-lab" in plain
    )


@pytest.mark.usefixtures("lab_root")
def test_model_name_like_a_filter_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from scripts.run_inference_pipeline import main

    args = ["--local", "--model-name", "x' OR name = 'y"]
    assert main([*args, "--output-path", str(tmp_path / "o.csv")]) == 1
    assert "el nombre \"x' OR name = 'y\" no es válido" in capsys.readouterr().err
