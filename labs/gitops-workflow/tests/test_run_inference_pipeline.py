"""Pruebas de run_inference_pipeline.py: el trabajo, su entorno, la cuota y --local.

Lo que habla con Azure se prueba contra el emulador (tests/test_azure_emulator.py
del proyecto); aquí, lo que se decide sin red: la definición del trabajo (que
el SDK valida sin pedir token), el entorno que sale de conda.yml, la lectura
de la cuota con las entidades de azure-ai-ml, los mensajes y el modo local.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from azure.ai.ml import MLClient
from azure.ai.ml._restclient.arm_ml_service import models as rest
from azure.ai.ml.constants import AssetTypes, InputOutputModes
from azure.ai.ml.entities import Usage
from azure.ai.ml.entities import VmSize as SdkVmSize

from churn_lab.schema import INFERENCE_COLUMNS, PREDICTION_COLUMN
from labkit.azure_job import (
    IMAGE_BUILD_LOG,
    JOB_PYTHONS,
    OUTPUT_NAME,
    USER_LOG,
    copy_predictions,
    failure_message,
    job_environment,
    status_value,
)
from labkit.cli import LabError
from labkit.compute import quota_problem, read_quotas, read_sizes, runnable_sizes
from labkit.local_job import job_command_line
from labkit.vm_families import DEFAULT_VM_SIZE
from labkit.workspace import WorkspaceConfig
from scripts.run_inference_pipeline import (
    CONDA_FILE,
    INSTALL_COMMAND,
    SCORE_COMMAND,
    inference_job,
)
from tests.helpers import LAB_ROOT, assert_clean_failure, copy_lab_code, run_script

CONFIG = WorkspaceConfig("sub", "rg-lab", "mlw-lab")


class NoTokenCredential:  # pylint: disable=too-few-public-methods
    """Una credencial que hace fallar la prueba si alguien le pide un token."""

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        """Nunca devuelve un token: la prueba falla si se llega aquí."""
        raise AssertionError(f"se pidió un token de Azure: {scopes} {kwargs}")


@pytest.fixture(name="environment")
def fixture_environment(tmp_path: Path) -> tuple[str, Path]:
    """La imagen y el requirements.txt que salen del conda.yml del laboratorio."""
    return job_environment(CONDA_FILE, tmp_path)


# --------------------------------------------------------------------------
# El entorno del trabajo: conda.yml
# --------------------------------------------------------------------------


def test_environment_is_a_published_image_with_conda_yml_python_and_pins(
    environment: tuple[str, Path],
) -> None:
    image, requirements = environment
    conda = yaml.safe_load(CONDA_FILE.read_text(encoding="utf-8"))
    python = next(
        str(item).split("=", 1)[1]
        for item in conda["dependencies"]
        if str(item).startswith("python=")
    )
    pins = next(item["pip"] for item in conda["dependencies"] if isinstance(item, dict))
    # La imagen oficial de uv con ese Python: nada que construir.
    assert image == f"ghcr.io/astral-sh/uv:0.13-python{python}-trixie-slim"
    assert python in JOB_PYTHONS
    assert requirements.read_text(encoding="utf-8").splitlines() == pins


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("dependencies: [python=3.9, pip, {pip: [numpy==2.2.6]}]", ["python=3.9"]),
        ("dependencies: [python=3.12, pip, scikit-learn]", ["scikit-learn"]),
        ("dependencies: [python=3.12, pip]", ["«pip:»"]),
        ("dependencies: [python=3.12\n  - [", ["git checkout -- conda.yml"]),
    ],
)
def test_a_conda_yml_the_job_cannot_use_is_one_spanish_line(
    tmp_path: Path, text: str, words: list[str]
) -> None:
    conda = tmp_path / "conda.yml"
    conda.write_text(text, encoding="utf-8")
    with pytest.raises(LabError) as raised:
        job_environment(conda, tmp_path / "entorno")
    message = str(raised.value)
    assert "\n" not in message and "git checkout -- conda.yml" in message
    for word in words:
        assert word in message, message
    assert not (tmp_path / "entorno").exists()


# --------------------------------------------------------------------------
# La definición del trabajo
# --------------------------------------------------------------------------


def test_job_runs_serverless_on_a_current_size(environment: tuple[str, Path]) -> None:
    job = inference_job(
        "churn-prediction-model:3", "churn-inference-data:2", environment, "X"
    )
    assert job.compute is None  # sin nombre de clúster: cómputo sin servidor
    assert job.resources.instance_type == "X" and job.resources.instance_count == 1
    assert job.queue_settings.job_tier.lower() == "standard"
    assert job.environment.image == environment[0]
    assert job.environment.conda_file is None  # nada que construir
    assert DEFAULT_VM_SIZE == "Standard_D2as_v5"


def test_job_on_a_cluster_has_no_serverless_settings(
    environment: tuple[str, Path],
) -> None:
    job = inference_job("m:1", "d:1", environment, DEFAULT_VM_SIZE, "cpu-cluster")
    assert job.compute == "cpu-cluster"
    assert job.resources is None or job.resources.instance_type is None
    assert job.queue_settings is None


def test_job_wires_model_data_requirements_and_output(
    environment: tuple[str, Path],
) -> None:
    job = inference_job(
        "churn-prediction-model:3",
        "churn-inference-data:2",
        environment,
        DEFAULT_VM_SIZE,
    )
    assert job.command == f"{INSTALL_COMMAND} && {SCORE_COMMAND}"
    assert Path(str(job.code)) == LAB_ROOT / "src"
    assert (LAB_ROOT / "src" / "score.py").is_file()
    model, data = job.inputs["model"], job.inputs["input_data"]
    assert model.type == AssetTypes.MLFLOW_MODEL
    assert model.path == "churn-prediction-model:3"
    assert model.mode == InputOutputModes.RO_MOUNT
    assert data.type == AssetTypes.URI_FILE
    assert data.path == "churn-inference-data:2"
    assert job.inputs["requirements"].path == str(environment[1])
    assert job.outputs[OUTPUT_NAME].type == AssetTypes.URI_FOLDER
    # Azure ML sube la carpeta al terminar: score.py escribe en disco local.
    assert job.outputs[OUTPUT_NAME].mode == InputOutputModes.UPLOAD
    # La línea de comandos solo usa entradas y salidas que existen.
    found = re.findall(r"\$\{\{(inputs|outputs)\.(\w+)\}\}", str(job.command))
    assert {name for _, name in found} == {
        "model",
        "input_data",
        "predictions",
        "requirements",
    }
    for kind, name in found:
        assert name in (job.inputs if kind == "inputs" else job.outputs)


def test_job_passes_sdk_validation_offline(environment: tuple[str, Path]) -> None:
    """La validación del SDK no pide token ni sale a la red (ver conftest)."""
    ml_client = MLClient(
        NoTokenCredential(),
        subscription_id="00000000-0000-0000-0000-000000000000",
        resource_group_name="rg-lab",
        workspace_name="ws-lab",
    )
    for cluster in (None, "cpu-cluster"):
        job = inference_job("m:1", "d:1", environment, DEFAULT_VM_SIZE, cluster)
        result = ml_client.jobs.validate(job)
        assert result.passed, result.error_messages


# --------------------------------------------------------------------------
# La cuota, leída con las entidades de azure-ai-ml
# --------------------------------------------------------------------------


def usage(value: str, shown: str, used: int, limit: int) -> Usage:
    """Una fila de ``ml_client.compute.list_usage()``, como la da azure-ai-ml."""
    row = rest.Usage(
        {
            "type": "Microsoft.MachineLearningServices/vmFamily/usages",
            "unit": "Count",
            "currentValue": used,
            "limit": limit,
            "name": {"value": value, "localizedValue": shown},
        }
    )
    return Usage._from_rest_object(row)  # pylint: disable=protected-access


def vm_size(name: str, family: str, vcpus: int) -> SdkVmSize:
    """Un tamaño de ``ml_client.compute.list_sizes()``, como lo da azure-ai-ml."""
    row = rest.VirtualMachineSize(
        {"name": name, "family": family, "vCPUs": vcpus, "gpus": 0, "memoryGB": 8.0}
    )
    return SdkVmSize._from_rest_object(row)  # pylint: disable=protected-access


SIZES = [
    vm_size("Standard_DS2_v2", "standardDSv2Family", 2),
    vm_size("Standard_D2as_v5", "standardDASv5Family", 2),
    vm_size("Standard_D2s_v5", "standardDSv5Family", 2),
    vm_size("Standard_D2as_v4", "standardDASv4Family", 2),
]


def family_row(family: str, used: int, limit: int) -> Usage:
    """La fila de una familia, con sus dos nombres (``standardDSv2Family``)."""
    label = family.removeprefix("standard").removesuffix("Family")
    shown = f"Standard {label} Family Cluster Dedicated vCPUs"
    return usage(family, shown, used, limit)


def new_subscription(
    dasv5: tuple[int, int] = (0, 6), regional: tuple[int, int] = (0, 6)
) -> list[Usage]:
    """Una suscripción creada hoy: las series restringidas a 0."""
    return [
        usage("TotalCores", "Total Cluster Dedicated Regional vCPUs", *regional),
        family_row("standardDSv2Family", 0, 0),
        family_row("standardDASv4Family", 0, 0),
        family_row("standardDASv5Family", *dasv5),
        family_row("standardDSv5Family", 0, 6),
    ]


def problem_for(size: str, usages: list[Usage]) -> str | None:
    """Por qué ``size`` no cabe en la suscripción de ``usages`` (o None)."""
    sizes = read_sizes(SIZES)
    families, total = read_quotas(usages)
    return quota_problem(
        sizes[size.lower()], families, total, runnable_sizes(sizes, families, total)
    )


def test_sdk_entities_are_read_although_their_fields_are_camel_case() -> None:
    """azure-ai-ml 1.35.2 deja ``current_value`` y ``v_cp_us`` en None."""
    row = usage("standardDASv5Family", "Standard DASv5 Family …", 2, 6)
    assert row.current_value is None  # el defecto del SDK que se esquiva
    families, _ = read_quotas([row])
    assert (
        families["standarddasv5family"].used,
        families["standarddasv5family"].limit,
    ) == (2, 6)
    assert read_sizes(SIZES)["standard_d2as_v5"].vcpus == 2


def test_a_restricted_series_names_the_restriction_and_sizes_that_work() -> None:
    message = problem_for("Standard_DS2_v2", new_subscription())
    assert message is not None
    assert "serie Dsv2" in message and "julio de 2026" in message
    assert "pedir cuota no sirve" in message
    assert "--vm-size Standard_D2as_v5 (2 vCPU, 6 libres)" in message
    assert "--vm-size Standard_D2s_v5" in message
    assert "Standard_D2as_v4" not in message  # sin cuota: no se sugiere


def test_the_default_size_fits_a_new_subscription() -> None:
    assert problem_for(DEFAULT_VM_SIZE, new_subscription()) is None


def test_no_regional_quota_says_another_size_does_not_help() -> None:
    message = problem_for(DEFAULT_VM_SIZE, new_subscription(regional=(0, 0)))
    assert message is not None and "otro --vm-size no ayuda" in message


def test_quota_in_use_is_said_before_the_job_waits_in_the_queue() -> None:
    message = problem_for(DEFAULT_VM_SIZE, new_subscription(dasv5=(6, 6)))
    assert message is not None and "ocupada (6 de 6 vCPU en uso" in message
    assert "--vm-size Standard_D2s_v5" in message


def test_a_current_family_at_zero_can_be_asked_for() -> None:
    message = problem_for("Standard_D2as_v4", new_subscription())
    assert message is not None and "pide cuota" in message.lower()
    assert "--vm-size Standard_D2as_v5" in message


# --------------------------------------------------------------------------
# La salida y los mensajes
# --------------------------------------------------------------------------


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


def test_local_command_line_is_the_job_score_command(tmp_path: Path) -> None:
    line = job_command_line(
        SCORE_COMMAND, tmp_path / "m", tmp_path / "d.csv", tmp_path / "out"
    )
    assert line[1:] == [
        "score.py",
        "--model",
        str(tmp_path / "m"),
        "--input-path",
        str(tmp_path / "d.csv"),
        "--output-path",
        str(tmp_path / "out"),
    ]


def test_status_is_compared_by_value() -> None:
    """azure-ai-ml da el estado como enum: su ``str()`` es ``JobStatus.COMPLETED``."""
    from azure.ai.ml._restclient.arm_ml_service.models import JobStatus

    assert str(JobStatus.COMPLETED) != "Completed"
    assert status_value(JobStatus.COMPLETED) == "Completed"
    assert status_value("Paused") == "Paused"


def test_failure_message_explains_refused_image_builds() -> None:
    build = "Failed to start the image build: (TasksOperationsNotAllowed) ACR Tasks"
    message = failure_message(
        "job-1",
        "Failed",
        "https://ml.azure.com/runs/job-1",
        {IMAGE_BUILD_LOG: build},
        CONFIG,
    )
    assert "--image-build-compute" in message and "si ves" not in message
    assert "--name mlw-lab --resource-group rg-lab" in message


def test_failure_message_quotes_the_user_log() -> None:
    """La última línea de user_logs/std_log.txt, no la de otro registro."""
    logs = {
        USER_LOG: "uno\nValueError: malo\n",
        IMAGE_BUILD_LOG: "Environment built in 3.1 s\n",
    }
    plain = failure_message("job-1", "Failed", "https://x", logs, CONFIG)
    assert f"La última línea de {USER_LOG} dice: «ValueError: malo»" in plain
    assert (
        "az ml job stream --name job-1 --resource-group rg-lab "
        "--workspace-name mlw-lab" in plain
    )


# --------------------------------------------------------------------------
# --local
# --------------------------------------------------------------------------


@pytest.fixture(name="lab_copy")
def fixture_lab_copy(tmp_path: Path) -> Path:
    """Una copia limpia del laboratorio, como la que un estudiante sube a su repo."""
    root = tmp_path / "antes" / "gitops-workflow"
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
def test_whole_local_pipeline_then_the_folder_moves(
    lab_copy: Path, tmp_path: Path, trained_model: Path
) -> None:
    """Partes 3–6 en local, como las hace el estudiante, y después mueve la carpeta.

    El modelo es el de ``python scripts/train_model.py`` (la fixture
    ``trained_model`` lo ejecuta así), en ``artifacts/``, donde lo deja.
    El almacén local (mlflow.db) guarda rutas absolutas: tras moverla, el
    pipeline dice qué pasó y cómo seguir, y hacerlo al pie de la letra basta.
    Una sola historia: cada paso cuesta un Python nuevo que importa MLflow.
    """
    shutil.copytree(trained_model, lab_copy / "artifacts", dirs_exist_ok=True)
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
    jobs = [job.name for job in (lab_copy / "outputs").glob("local-*")]
    assert len(jobs) == 1

    # La carpeta se mueve con su almacén (mlflow.db guarda rutas absolutas).
    lab = lab_copy.rename(tmp_path / "despues")
    result = run_script(
        ["scripts/run_inference_pipeline.py", "--local"],
        cwd=lab,
        PYTHONPATH=str(lab / "src"),
    )
    assert_clean_failure(result, "se movió", "Borra mlflow.db", "register_model.py")
    assert "MLmodel" not in result.stderr
    # El intento fallido no deja su carpeta de trabajo a medias en outputs/.
    assert [job.name for job in (lab / "outputs").glob("local-*")] == jobs
    # Lo que dice el mensaje, hecho al pie de la letra, lo arregla.
    (lab / "mlflow.db").unlink()
    shutil.rmtree(lab / "mlartifacts")
    run_in_copy(lab, "scripts/register_model.py", "--local")
    run_in_copy(lab, "scripts/upload_data.py", "--local")
    piped = run_in_copy(lab, "scripts/run_inference_pipeline.py", "--local")
    assert "500 clientes puntuados" in piped


@pytest.mark.slow
def test_local_pipeline_without_a_registered_model_leaves_no_store(
    tmp_path: Path,
) -> None:
    """Error 8 del issue 22: un fallo no deja un mlflow.db que cuente como Parte 4."""
    lab = copy_lab_code(tmp_path / "lab")
    result = run_script(
        ["scripts/run_inference_pipeline.py", "--local"],
        cwd=lab,
        PYTHONPATH=str(lab / "src"),
    )
    assert_clean_failure(
        result, "no hay ningún modelo 'churn-prediction-model' registrado"
    )
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert not (lab / "mlflow.db").exists()
    assert not (lab / "mlartifacts").exists()
    assert not (lab / "outputs").exists()


@pytest.mark.usefixtures("lab_root")
def test_model_name_like_a_filter_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from scripts.run_inference_pipeline import main

    args = ["--local", "--model-name", "x' OR name = 'y"]
    assert main([*args, "--output-path", str(tmp_path / "o.csv")]) == 1
    assert "el nombre \"x' OR name = 'y\" no es válido" in capsys.readouterr().err
