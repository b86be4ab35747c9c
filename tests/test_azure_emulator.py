"""The lab's Azure scripts against the Azure ML emulator (tests/azure_emulator).

Every script runs unmodified in a child process, in a copy of the lab, with the
lab's network guard: only the environment points it at the emulator
(``HTTPS_PROXY``, the test CA, the service principal variables). The clients
are the real ones: azure-identity/MSAL, azure-ai-ml, azure-storage-blob,
MLflow and azureml-mlflow.

``AZURE_EMULATOR_LAB=/path/to/labs/gitops-workflow`` runs the same tests
against another copy of the lab (for example an older commit's).
"""

from __future__ import annotations

import csv
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.azure_emulator import Emulator, start
from tests.azure_emulator.app import API_HOST, WORKSPACE_ID

ROOT = Path(__file__).resolve().parents[1]
LAB = Path(os.environ.get("AZURE_EMULATOR_LAB", ROOT / "labs" / "gitops-workflow"))
POLL = ["--poll-seconds", "1"]
# The order azure-ai-ml documents (the image is built before the job is queued).
JOB_STATES = [
    "sin empezar",
    "preparando",
    "en cola",
    "iniciando",
    "encendiendo un nodo",
    "ejecutando",
    "guardando la salida",
    "completado",
]


def copy_lab(destination: Path) -> Path:
    """The lab as a student copies it (nothing generated)."""
    ignore = shutil.ignore_patterns(
        "*.pkl",
        "*.csv",
        "mlflow.db",
        "mlartifacts",
        "outputs",
        "config.json",
        "*.egg-info",
        "__pycache__",
        ".*_cache",
    )
    shutil.copytree(LAB, destination, ignore=ignore)
    return destination


def run(
    lab: Path, emulator: Emulator, *args: str, timeout: int = 600
) -> subprocess.CompletedProcess[str]:
    """``python args`` in ``lab`` with the emulator's environment and the network guard."""
    env = emulator.env()
    env["PYTHONIOENCODING"] = "utf-8"
    env["PYTHONPATH"] = os.pathsep.join(
        [str(lab / "tests" / "netguard"), str(lab / "src")]
    )
    return subprocess.run(
        [sys.executable, *args],
        cwd=lab,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        check=False,
    )


def run_sdk(
    lab: Path, emulator: Emulator, code: str
) -> subprocess.CompletedProcess[str]:
    """A short program using azure-ai-ml directly against the emulator."""
    prelude = """
        import json
        from azure.ai.ml import MLClient
        from azure.identity import EnvironmentCredential
        config = json.load(open("config.json"))
        ml_client = MLClient(EnvironmentCredential(), config["subscription_id"],
                             config["resource_group"], config["workspace_name"])
    """
    return run(lab, emulator, "-c", textwrap.dedent(prelude) + textwrap.dedent(code))


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def one_spanish_error(result: subprocess.CompletedProcess[str], *words: str) -> str:
    """Exit 1, no traceback, one ``❌ Error:`` line on stderr naming ``words``."""
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output, output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("❌ Error: "), result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def in_order(text: str, *parts: str) -> bool:
    position = 0
    for part in parts:
        position = text.find(part, position)
        if position < 0:
            return False
    return True


@pytest.fixture(scope="module", name="emulator")
def fixture_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    emulator = start(tmp_path_factory.mktemp("azure-ml"))
    print(f"emulador listo en {emulator.ready['start_seconds']} s")
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture(scope="module", name="lab")
def fixture_lab(tmp_path_factory: pytest.TempPathFactory, emulator: Emulator) -> Path:
    """A lab copy with a trained model, inference data and the workspace's config.json."""
    lab = copy_lab(tmp_path_factory.mktemp("alumno") / "mi-repo")
    (lab / "config.json").write_text(json.dumps(emulator.config), encoding="utf-8")
    ok(run(lab, emulator, "scripts/train_model.py"))
    ok(run(lab, emulator, "scripts/create_inference_data.py"))
    return lab


@pytest.fixture(scope="module", name="published")
def fixture_published(lab: Path, emulator: Emulator) -> dict[str, int]:
    """The model registered and the data uploaded once, as Partes 5 and 6 do."""
    register = ok(run(lab, emulator, "scripts/register_model.py"))
    upload = ok(run(lab, emulator, "scripts/upload_data.py"))
    return {
        "model": int(register.split("Versión registrada: ")[1].split()[0]),
        "data": int(upload.split("Versión: ")[1].split()[0]),
    }


@pytest.fixture(autouse=True)
def no_faults(emulator: Emulator) -> Iterator[None]:
    emulator.set_faults()
    yield
    emulator.set_faults()


# The tutorial's Azure outputs (Partes 4 to 6) come from runs against the emulator.
AZURE_OUTPUT_MARK = re.compile(
    r"^(?P<indent> *)<!-- salida-azure: (?P<command>.+?) -->\n"
    r"(?P=indent)```text\n(?P<body>.*?)\n(?P=indent)```",
    re.S | re.M,
)


def test_four_scripts_end_to_end_as_the_tutorial_shows(tmp_path: Path) -> None:
    """verify, register, upload and run on a new workspace; the tutorial's outputs."""
    from tests.test_tutorial import dedented, shown_lines_appear_in_order, tutorial_text

    blocks = list(AZURE_OUTPUT_MARK.finditer(tutorial_text()))
    commands = [shlex.split(block.group("command"))[1:] for block in blocks]
    assert [command[0] for command in commands] == [
        "scripts/verify_azure_connection.py",
        "scripts/register_model.py",
        "scripts/upload_data.py",
        "scripts/run_inference_pipeline.py",
    ]
    emulator = start(tmp_path / "azure-ml")  # a new workspace: no model, no cluster
    try:
        lab = copy_lab(tmp_path / "mi-repo")
        (lab / "config.json").write_text(json.dumps(emulator.config), encoding="utf-8")
        ok(run(lab, emulator, "scripts/train_model.py"))
        ok(run(lab, emulator, "scripts/create_inference_data.py"))
        outputs = []
        for block, command in zip(blocks, commands):
            result = run(lab, emulator, *command)
            real = ok(result) + result.stderr
            missing = shown_lines_appear_in_order(dedented(block), real)
            assert not missing, f"{command}:\n{missing}\n--- real ---\n{real}"
            outputs.append(result)
        log = emulator.requests_log()
    finally:
        emulator.stop()

    pipeline = outputs[-1]
    # Nothing in English on the side (azure-ai-ml always prints a colour reset
    # after an upload: Fore.RESET and a blank line).
    for result in outputs:
        assert re.sub(r"\x1b\[\d+m|\s", "", result.stderr) == "", result.stderr
    assert in_order(pipeline.stdout, *JOB_STATES), pipeline.stdout
    assert "Creando el clúster cpu-cluster (Standard_DS2_v2" in pipeline.stdout
    with (lab / "data" / "inference_output.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 500
    assert all(0.0 <= float(row["churn_probability"]) <= 1.0 for row in rows)
    job_folders = list((lab / "outputs").glob("*/named-outputs/predictions"))
    assert len(job_folders) == 1 and (job_folders[0] / "predictions.csv").is_file()
    assert not any("/logged-models" in line for line in log), "logged models"
    assert any(
        "/computes/cpu-cluster" in line and line.startswith("PUT") for line in log
    )


def test_logged_models_answer_404(lab: Path, emulator: Emulator) -> None:
    """MLflow 3's logged-models API, as ``mlflow.sklearn.log_model`` calls it."""
    result = run(
        lab,
        emulator,
        "-c",
        textwrap.dedent(
            f"""
            import mlflow
            from mlflow.exceptions import MlflowException
            mlflow.set_tracking_uri("azureml://{API_HOST}/mlflow/v2.0{WORKSPACE_ID}")
            experiment = mlflow.set_experiment("sondeo")
            try:
                mlflow.MlflowClient().create_logged_model(experiment.experiment_id)
            except MlflowException as error:
                print("ERROR", error)
            """
        ),
    )
    assert "logged-models failed with error code 404" in ok(result), result.stdout


def test_versions_increment_and_latest_resolves(
    lab: Path, emulator: Emulator, published: dict[str, int]
) -> None:
    upload = ok(run(lab, emulator, "scripts/upload_data.py"))
    assert f"Versión: {published['data'] + 1}" in upload
    register = ok(run(lab, emulator, "scripts/register_model.py"))
    assert f"Versión registrada: {published['model'] + 1}" in register
    latest = ok(
        run_sdk(
            lab,
            emulator,
            """
            print(ml_client.models.get("churn-prediction-model", label="latest").version,
                  ml_client.data.get("churn-inference-data", label="latest").version)
            """,
        )
    )
    assert latest.split() == [str(published["model"] + 1), str(published["data"] + 1)]


def test_azureml_prefix_with_a_label_is_not_found(
    lab: Path, emulator: Emulator, published: dict[str, int]
) -> None:
    """azure-ai-ml 1.35.2 looks ``@latest`` up under the literal name ``azureml:<name>``."""
    result = run_sdk(
        lab,
        emulator,
        """
        from azure.ai.ml._utils._asset_utils import _resolve_label_to_asset
        from azure.ai.ml.exceptions import ValidationException
        for name in ("azureml:churn-prediction-model", "churn-prediction-model"):
            try:
                _resolve_label_to_asset(ml_client.models, name, "latest")
                print(name, "encontrado")
            except ValidationException as error:
                print(name, "ERROR", str(error).splitlines()[0])
        """,
    )
    output = ok(result)
    assert "ERROR Asset azureml:churn-prediction-model does not exist" in output
    assert "churn-prediction-model encontrado" in output


def test_model_input_must_be_an_mlflow_model(
    lab: Path, emulator: Emulator, published: dict[str, int]
) -> None:
    result = run_sdk(
        lab,
        emulator,
        """
        from azure.ai.ml import Input, command
        from azure.ai.ml.entities import Environment
        from azure.core.exceptions import HttpResponseError
        version = ml_client.models.get("churn-prediction-model", label="latest").version
        job = command(
            code="src", command="python score.py --model ${{inputs.model}}",
            environment=Environment(image="mcr.microsoft.com/azureml/openmpi5.0-ubuntu24.04:latest"),
            compute="cpu-cluster",
            inputs={"model": Input(type="custom_model", path=f"churn-prediction-model:{version}")},
        )
        try:
            ml_client.jobs.create_or_update(job)
        except HttpResponseError as error:
            print("ERROR", error.status_code, str(error.message).splitlines()[0])
        """,
    )
    assert "ERROR 400" in ok(result) and "use mlflow_model" in result.stdout


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        ("expired_token", ["tu sesión de Azure expiró", "az login"]),
        ("forbidden", ["no tiene permiso", "AzureML Data Scientist"]),
        ("no_resource_group", ["no se encontró el grupo de recursos", "rg-gitops-lab"]),
        ("no_workspace", ["no se encontró el workspace", "Apéndice A"]),
        ("invalid_secret", ["AADSTS7000215", "AZURE_CLIENT_SECRET"]),
    ],
)
def test_azure_errors_reach_the_student_in_spanish(
    lab: Path, emulator: Emulator, fault: str, words: list[str]
) -> None:
    emulator.set_faults(fault)
    one_spanish_error(run(lab, emulator, "scripts/verify_azure_connection.py"), *words)


def predictions_snapshot(lab: Path) -> bytes | None:
    path = lab / "data" / "inference_output.csv"
    return path.read_bytes() if path.is_file() else None


@pytest.mark.parametrize(
    ("faults", "args", "words"),
    [
        (["quota"], ["--compute-name", "sin-cuota"], ["cuota de vCPU", "--vm-size"]),
        (
            ["image_build_refused"],
            [],
            ["TasksOperationsNotAllowed", "--image-build-compute"],
        ),
        (["job_paused"], [], ["en pausa (Paused)"]),
        (["job_canceled"], [], ["cancelado (Canceled)"]),
    ],
)
def test_jobs_that_do_not_complete_end_the_wait(
    lab: Path,
    emulator: Emulator,
    published: dict[str, int],
    faults: list[str],
    args: list[str],
    words: list[str],
) -> None:
    before = predictions_snapshot(lab)
    emulator.set_faults(*faults)
    result = run(
        lab, emulator, "scripts/run_inference_pipeline.py", *POLL, *args, timeout=300
    )
    one_spanish_error(result, *words)
    assert predictions_snapshot(lab) == before  # nothing half-written


def test_failing_command_ends_failed_with_its_log(
    tmp_path: Path, lab: Path, emulator: Emulator, published: dict[str, int]
) -> None:
    """The uploaded code really runs: a score.py that exits with an error fails the job."""
    broken = copy_lab(tmp_path / "roto")
    shutil.copytree(lab / "artifacts", broken / "artifacts", dirs_exist_ok=True)
    shutil.copytree(lab / "data", broken / "data", dirs_exist_ok=True)
    (broken / "config.json").write_text(json.dumps(emulator.config), encoding="utf-8")
    score = broken / "src" / "score.py"
    score.write_text(
        score.read_text(encoding="utf-8").replace(
            "    started = time.perf_counter()\n",
            '    raise SystemExit("fallo de prueba en el nodo")\n',
            1,
        ),
        encoding="utf-8",
    )
    new_cluster = ["--compute-name", "cpu-d2as", "--vm-size", "Standard_D2as_v4"]
    result = run(
        broken, emulator, "scripts/run_inference_pipeline.py", *POLL, *new_cluster
    )
    one_spanish_error(result, "fallido (Failed)", "«fallo de prueba en el nodo»")
    assert "Creando el clúster cpu-d2as (Standard_D2as_v4" in result.stdout
    assert not (broken / "data" / "inference_output.csv").exists()


def test_deploy_workflow_register_step(
    tmp_path: Path, lab: Path, emulator: Emulator
) -> None:
    """The «Register model» step of deploy_model.yml, run by bash as the runner would."""
    workflow = yaml.safe_load(
        (lab / ".github" / "workflows" / "deploy_model.yml").read_text(encoding="utf-8")
    )
    steps = workflow["jobs"]["deploy"]["steps"]
    step = next(step for step in steps if step.get("name") == "Register model")
    env = emulator.env()
    env.update(
        {
            "PYTHONIOENCODING": "utf-8",
            "PYTHONPATH": os.pathsep.join(
                [str(lab / "tests" / "netguard"), str(lab / "src")]
            ),
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), env["PATH"]]),
            "MODEL_NAME": "churn-prediction-model",
            "AZURE_SUBSCRIPTION_ID": emulator.config["subscription_id"],
            "AZURE_RESOURCE_GROUP": emulator.config["resource_group"],
            "AZURE_ML_WORKSPACE_NAME": emulator.config["workspace_name"],
            "GITHUB_OUTPUT": str(tmp_path / "github_output"),
        }
    )
    for name in step["env"]:
        assert name in env, name
    result = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", step["run"]],
        cwd=lab,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    outputs = (tmp_path / "github_output").read_text(encoding="utf-8")
    assert outputs.startswith("version=") and outputs.strip() != "version=", outputs
