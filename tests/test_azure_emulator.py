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
from typing import Any

import pytest
import yaml

from tests.azure_emulator import Emulator, running, start
from tests.azure_emulator.app import API_HOST, WORKSPACE_ID

ROOT = Path(__file__).resolve().parents[1]
LAB = Path(os.environ.get("AZURE_EMULATOR_LAB", ROOT / "labs" / "gitops-workflow"))
POLL = ["--poll-seconds", "1"]
# The order azure-ai-ml documents (the image is prepared before the job is queued).
JOB_STATES = [
    "sin empezar",
    "preparando",
    "en cola",
    "iniciando",
    "encendiendo la máquina",
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
    with running(tmp_path_factory.mktemp("azure-ml")) as emulator:
        yield emulator


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
    """verify, register, upload and run on a new workspace; the tutorial's outputs.

    The workspace is in a subscription created today (``arm/quota.py``): the
    default path runs serverless on a current size, with no cluster to create.
    """
    from tests.test_tutorial import dedented, shown_lines_appear_in_order, tutorial_text

    blocks = list(AZURE_OUTPUT_MARK.finditer(tutorial_text()))
    commands = [shlex.split(block.group("command"))[1:] for block in blocks]
    assert [command[0] for command in commands] == [
        "scripts/verify_azure_connection.py",
        "scripts/register_model.py",
        "scripts/upload_data.py",
        "scripts/run_inference_pipeline.py",
    ]
    # A new workspace (no model, no cluster) in a subscription created today.
    emulator = start(tmp_path / "azure-ml", subscription="new")
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
    assert "🧮 Cuota: Standard_D2as_v5 (2 vCPU) cabe en Standard DASv5" in (
        pipeline.stdout
    )
    with (lab / "data" / "inference_output.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 500
    assert all(0.0 <= float(row["churn_probability"]) <= 1.0 for row in rows)
    job_folders = list((lab / "outputs").glob("*/named-outputs/predictions"))
    assert len(job_folders) == 1 and (job_folders[0] / "predictions.csv").is_file()
    assert not any("/logged-models" in line for line in log), "logged models"
    # The quota was read before the job was sent, and no cluster was created.
    quota = [i for i, line in enumerate(log) if "/locations/eastus/usages" in line]
    jobs = [
        i for i, line in enumerate(log) if line.startswith("PUT") and "/jobs/" in line
    ]
    assert quota and len(jobs) == 1 and quota[0] < jobs[0], log
    assert not any("/computes/" in line for line in log), log


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
        (
            ["quota"],
            ["--compute-name", "sin-cuota"],
            ["cuota de vCPU", "--vm-size", "ya lo borré"],
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


def test_the_job_builds_no_image(
    lab: Path, emulator: Emulator, published: dict[str, int]
) -> None:
    """A subscription that refuses ACR build tasks runs the lab's job all the same.

    The environment is a published image (no conda file): nothing is built, so
    ``TasksOperationsNotAllowed`` (which stops a conda build) never comes up.
    """
    emulator.set_faults("image_build_refused")
    result = run(lab, emulator, "scripts/run_inference_pipeline.py", *POLL)
    assert "500 clientes puntuados" in ok(result)


def test_failing_command_ends_failed_with_its_log(
    tmp_path: Path, lab: Path, emulator: Emulator, published: dict[str, int]
) -> None:
    """The uploaded code really runs: a score.py that exits with an error fails the job."""
    broken = copy_lab(tmp_path / "roto")
    shutil.copytree(lab / "artifacts", broken / "artifacts", dirs_exist_ok=True)
    shutil.copytree(lab / "data", broken / "data", dirs_exist_ok=True)
    (broken / "data" / "inference_output.csv").unlink(missing_ok=True)
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
            "PYTHONUNBUFFERED": "1",  # the step sets it too
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


# --------------------------------------------------------------------------
# The job in its own environment (tests/azure_emulator/environment.py)
# --------------------------------------------------------------------------

PROBE = """
import importlib.metadata as metadata
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

model = Path(sys.argv[1])
try:
    (model / "intruso.txt").write_text("no debería poder", encoding="utf-8")
    written = "escrito"
except OSError as error:
    written = f"{type(error).__name__}: {error.strerror}"
variables = ("MLFLOW_TRACKING_URI", "MLFLOW_RUN_ID", "MLFLOW_EXPERIMENT_NAME",
             "AZUREML_RUN_ID", "AZUREML_ARM_WORKSPACE_NAME", "AZUREML_SERVICE_ENDPOINT")
print(json.dumps({
    "python": list(sys.version_info[:2]),
    # Names as PEP 503 normalizes them (importlib_metadata → importlib-metadata).
    "installed": {
        re.sub(r"[-_.]+", "-", d.metadata["Name"]).lower(): d.version
        for d in metadata.distributions()
    },
    "model_files": sorted(p.name for p in model.iterdir()),
    "written": written,
    "env": {name: os.environ.get(name) for name in variables},
}))
"""


def submit_and_download(
    lab: Path, emulator: Emulator, code: Path, command: str, name: str
) -> tuple[str, dict[str, str]]:
    """A serverless job in the lab's environment and the latest model; (status, logs).

    The environment is the lab's: the image and requirements that
    ``job_environment`` makes from conda.yml, installed by the lab's
    ``INSTALL_COMMAND`` before ``command``.
    """
    result = run_sdk(
        lab,
        emulator,
        f"""
        import sys, time
        from pathlib import Path
        sys.path.insert(0, "scripts")
        from azure.ai.ml import Input, command
        from azure.ai.ml.entities import Environment, JobResourceConfiguration
        from labkit.azure_job import job_environment
        from run_inference_pipeline import CONDA_FILE, INSTALL_COMMAND
        image, requirements = job_environment(CONDA_FILE, Path("outputs/sonda-env"))
        version = ml_client.models.get("churn-prediction-model", label="latest").version
        job = ml_client.jobs.create_or_update(command(
            name={name!r}, code={str(code)!r},
            command=INSTALL_COMMAND + " && " + {command!r},
            environment=Environment(image=image),
            resources=JobResourceConfiguration(instance_type="Standard_D2as_v5"),
            inputs={{"model": Input(type="mlflow_model", mode="ro_mount",
                                   path=f"churn-prediction-model:{{version}}"),
                     "requirements": Input(type="uri_file", path=str(requirements))}},
        ))
        terminal = {{"Completed", "Failed", "Canceled", "NotResponding", "Paused"}}
        while (status := ml_client.jobs.get(job.name).status).value not in terminal:
            time.sleep(0.2)
        ml_client.jobs.download(job.name, download_path="outputs/sonda")
        logs = {{str(p.relative_to("outputs/sonda/artifacts")): p.read_text()
                for p in Path("outputs/sonda/artifacts").rglob("*") if p.is_file()}}
        print(json.dumps({{"status": status.value, "logs": logs}}))
        """,
    )
    shown = json.loads(ok(result).strip().splitlines()[-1])
    prefix = f"ExperimentRun/dcid.{name}/"
    return shown["status"], {
        path.removeprefix(prefix): text for path, text in shown["logs"].items()
    }


def test_job_runs_in_conda_yml_python_with_exactly_its_pins(
    tmp_path: Path, lab: Path, emulator: Emulator, published: dict[str, int]
) -> None:
    """conda.yml's Python and pip pins, nothing of the project's, a read-only model.

    And nothing built: the image is pulled as published (no image build log).
    """
    code = tmp_path / "sonda"
    code.mkdir()
    (code / "probe.py").write_text(PROBE, encoding="utf-8")
    status, logs = submit_and_download(
        lab, emulator, code, "python probe.py ${{inputs.model}}", "sonda-entorno"
    )
    assert status == "Completed", logs
    seen = json.loads(logs["user_logs/std_log.txt"].strip().splitlines()[-1])
    conda = yaml.safe_load((lab / "conda.yml").read_text(encoding="utf-8"))
    python = next(
        str(item).split("=", 1)[1]
        for item in conda["dependencies"]
        if str(item).startswith("python=")
    )
    assert seen["python"] == [int(part) for part in python.split(".")[:2]]
    assert python == "3.12"  # con parches hasta 2028
    pins = dict(
        line.split("==", 1)
        for item in conda["dependencies"]
        if isinstance(item, dict)
        for line in item["pip"]
    )
    for package, version in pins.items():
        assert seen["installed"].get(package.split()[0]) == version.split()[0], package
    for leaked in ("matplotlib", "azure-ai-ml", "azureml-mlflow", "pytest"):
        assert leaked not in seen["installed"], leaked
    assert "MLmodel" in seen["model_files"]
    assert seen["written"].startswith(("OSError", "PermissionError")), seen["written"]
    assert seen["env"]["MLFLOW_TRACKING_URI"] == (
        f"azureml://{API_HOST}/mlflow/v1.0{WORKSPACE_ID}"
    )
    assert (
        seen["env"]["MLFLOW_RUN_ID"]
        == seen["env"]["AZUREML_RUN_ID"]
        == ("sonda-entorno")
    )
    assert (
        seen["env"]["AZUREML_ARM_WORKSPACE_NAME"] == emulator.config["workspace_name"]
    )
    assert "azureml-logs/20_image_build_log.txt" not in logs
    assert "nothing built" in logs["system_logs/lifecycler/execution-wrapper.log"]
    assert (
        "inputs: read-only" in logs["system_logs/data_capability/data-capability.log"]
    )


def lab_with_model(tmp_path: Path, lab: Path, emulator: Emulator, name: str) -> Path:
    copy = copy_lab(tmp_path / name)
    shutil.copytree(lab / "artifacts", copy / "artifacts", dirs_exist_ok=True)
    shutil.copytree(lab / "data", copy / "data", dirs_exist_ok=True)
    (copy / "config.json").write_text(json.dumps(emulator.config), encoding="utf-8")
    return copy


def test_package_missing_from_conda_yml_fails_the_job_with_its_log(
    tmp_path: Path, lab: Path, emulator: Emulator, published: dict[str, int]
) -> None:
    """Without skops in conda.yml the job fails, and the student reads why."""
    broken = lab_with_model(tmp_path, lab, emulator, "sin-skops")
    conda = broken / "conda.yml"
    text = conda.read_text(encoding="utf-8")
    conda.write_text(
        "".join(
            line
            for line in text.splitlines(keepends=True)
            if not line.strip().startswith("- skops")
        ),
        encoding="utf-8",
    )
    assert "skops" not in conda.read_text(encoding="utf-8").split("pip:")[1]
    result = run(broken, emulator, "scripts/run_inference_pipeline.py", *POLL)
    line = one_spanish_error(
        result, "fallido (Failed)", "La última línea de user_logs/std_log.txt dice"
    )
    assert "skops" in line and "conda.yml" in line, line
    assert "--resource-group rg-gitops-lab --workspace-name mlw-gitops-lab" in line


def test_module_the_job_imports_but_conda_yml_lacks(
    tmp_path: Path, lab: Path, emulator: Emulator, published: dict[str, int]
) -> None:
    """A score.py that imports what only the student's laptop has: ModuleNotFoundError."""
    broken = lab_with_model(tmp_path, lab, emulator, "con-matplotlib")
    score = broken / "src" / "score.py"
    score.write_text(
        score.read_text(encoding="utf-8").replace(
            "import time\n", "import time\n\nimport matplotlib\n", 1
        ),
        encoding="utf-8",
    )
    result = run(broken, emulator, "scripts/run_inference_pipeline.py", *POLL)
    one_spanish_error(
        result,
        "La última línea de user_logs/std_log.txt dice: "
        "«ModuleNotFoundError: No module named 'matplotlib'»",
    )


# --------------------------------------------------------------------------
# Run artifacts through azureml-mlflow, and the lineage of a model version
# --------------------------------------------------------------------------

LINEAGE_MODEL = "churn-linaje"


def git_repository_with_release(lab: Path, tag: str) -> str:
    """``lab`` as a student's repository whose HEAD has the release tag ``tag``."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-c", "user.name=Alumna", "-c", "user.email=a@example.com", *args],
            cwd=lab,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    if not (lab / ".git").exists():
        git("init", "-q", "-b", "main")
        git("add", "-A")
        git("commit", "-q", "-m", "chore: laboratorio")
    git("tag", "-f", tag)
    return git("rev-parse", "HEAD")


def registered_run(output: str) -> tuple[int, str]:
    return (
        int(output.split("Versión registrada: ")[1].split()[0]),
        output.split("Ejecución de MLflow: ")[1].split()[0],
    )


@pytest.fixture(scope="module", name="lineage")
def fixture_lineage(lab: Path, emulator: Emulator) -> dict[str, Any]:
    """The model registered from a tagged commit, on Azure and in the local store."""
    commit = git_repository_with_release(lab, "v0.3.0")
    azure = ok(
        run(lab, emulator, "scripts/register_model.py", "--model-name", LINEAGE_MODEL)
    )
    local = ok(
        run(
            lab,
            emulator,
            "scripts/register_model.py",
            "--local",
            "--model-name",
            LINEAGE_MODEL,
        )
    )
    return {
        "commit": commit,
        "azure": registered_run(azure),
        "local": registered_run(local),
    }


def expected_tags(lab: Path, run_id: str, commit: str) -> dict[str, str]:
    metadata = json.loads(
        (lab / "artifacts" / "model_metadata.json").read_text(encoding="utf-8")
    )
    return {
        "mlflow_run_id": run_id,
        "git_commit": commit,
        "release": "v0.3.0",
        "roc_auc": f"{metadata['metrics']['roc_auc']:.4f}",
        "accuracy": f"{metadata['metrics']['accuracy']:.4f}",
        "random_seed": "42",
        "num_samples": "10000",
    }


def test_model_version_lineage_in_the_workspace(
    lab: Path, emulator: Emulator, lineage: dict[str, Any]
) -> None:
    """Tags and description, read back through MLflow and through azure-ai-ml."""
    version, run_id = lineage["azure"]
    result = run_sdk(
        lab,
        emulator,
        f"""
        import mlflow
        mlflow.set_tracking_uri("azureml://{API_HOST}/mlflow/v2.0{WORKSPACE_ID}")
        seen = mlflow.MlflowClient().get_model_version({LINEAGE_MODEL!r}, "{version}")
        asset = ml_client.models.get({LINEAGE_MODEL!r}, version="{version}")
        print(json.dumps({{"mlflow": [seen.tags, seen.description],
                          "azure": [asset.tags, asset.description]}}))
        """,
    )
    shown = json.loads(ok(result).strip().splitlines()[-1])
    tags = expected_tags(lab, run_id, lineage["commit"])
    studio = f"https://ml.azure.com/runs/{run_id}?wsid={WORKSPACE_ID}"
    for registry in ("mlflow", "azure"):
        seen_tags, description = shown[registry]
        assert seen_tags == tags, registry
        assert description.endswith(studio), description
        assert f"commit {lineage['commit'][:7]} (v0.3.0)" in description


def test_model_version_lineage_in_the_local_store(
    lab: Path, lineage: dict[str, Any]
) -> None:
    """The same tags in mlflow.db, and the description links to mlflow ui's run page."""
    version, run_id = lineage["local"]
    import mlflow

    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{lab / 'mlflow.db'}")
    seen = client.get_model_version(LINEAGE_MODEL, str(version))
    run_info = client.get_run(run_id).info
    assert seen.tags == expected_tags(lab, run_id, lineage["commit"])
    assert seen.description.endswith(
        f"http://127.0.0.1:5000/#/experiments/{run_info.experiment_id}/runs/{run_id}"
    )


def test_run_artifacts_go_through_run_history(
    tmp_path: Path, lab: Path, emulator: Emulator, lineage: dict[str, Any]
) -> None:
    """log_evaluation's files: azureml:// artifact URI, SAS links, blob PUTs, read back."""
    _, run_id = lineage["azure"]
    result = run(
        lab,
        emulator,
        "-c",
        textwrap.dedent(
            f"""
            import json
            import mlflow
            mlflow.set_tracking_uri("azureml://{API_HOST}/mlflow/v2.0{WORKSPACE_ID}")
            client = mlflow.MlflowClient()
            # By URI: with run_id=, MLflow 3 first searches logged models (404 here).
            uri = client.get_run("{run_id}").info.artifact_uri
            folder = mlflow.artifacts.download_artifacts(
                artifact_uri=uri + "/evaluacion", dst_path={str(tmp_path)!r}
            )
            print(json.dumps({{
                "uri": uri,
                "listed": sorted(f.path for f in mlflow.artifacts.list_artifacts(uri + "/evaluacion")),
                "folder": folder,
            }}))
            """
        ),
    )
    shown = json.loads(ok(result).strip().splitlines()[-1])
    assert (
        shown["uri"]
        == f"azureml://experiments/churn-prediction/runs/{run_id}/artifacts"
    )
    names = ["confusion_matrix.png", "metrics.json", "roc_curve.png"]
    assert shown["listed"] == [f"evaluacion/{name}" for name in names]
    for name in names:
        assert (Path(shown["folder"]) / name).read_bytes() == (
            lab / "artifacts" / name
        ).read_bytes(), name
    log = emulator.requests_log()
    history = f"/history/v1.0{WORKSPACE_ID}/experiments/churn-prediction/runs/{run_id}"
    assert any(
        line.startswith("POST") and history + "/artifacts/batch/metadata" in line
        for line in log
    )
    assert any(
        line.startswith("PUT")
        and f".blob.core.windows.net/azureml/ExperimentRun/dcid.{run_id}/evaluacion/roc_curve.png"
        in line
        for line in log
    )
