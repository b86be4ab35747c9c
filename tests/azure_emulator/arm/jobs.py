"""Command jobs: submitted through ARM, really executed here. No HTTP here.

A job moves one state per ``GET``, as a student sees it over successive polls,
in the order azure-ai-ml documents: NotStarted → Preparing → Queued →
Starting → Provisioning → Running → Finalizing → Completed (or Failed with
its log, or Paused / Canceled, or stuck in Queued, when the tests ask for it).
When it leaves Running its command runs for real in a folder laid out as on a cluster node: the code
folder as uploaded, the model input as the registered MLflow model's folder
(with ``MLmodel``), the data input as the uploaded file, both read-only, and
an empty output folder that is collected to ``azureml/<job>/<output>/`` in the
default datastore, where ``jobs.download`` finds it through run history. The
command's ``python`` is the job environment's (``environment.py``: conda.yml's Python
with the conda file's pip section), not the project's; a conda file that
cannot be built fails the job with the build's log.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import environment
from ..app import (
    API_HOST,
    ARTIFACT_CONTAINER,
    CONTAINER,
    DATASTORE,
    REGION,
    RESOURCE_GROUP,
    SUBSCRIPTION,
    WORKSPACE,
    WORKSPACE_ID,
    ArmError,
)
from .models import blob_for_uri, rest_model

if TYPE_CHECKING:
    from ..app import AzureEmulator

# The order azure-ai-ml documents (_run_history_constants.py): the image is
# built in Preparing, before the job waits for a node in Queued.
PROGRESSION = [
    "NotStarted",
    "Preparing",
    "Queued",
    "Starting",
    "Provisioning",
    "Running",
    "Finalizing",
    "Completed",
]
IMAGE_BUILD_LOG = (
    "2026-11-28T23:00:00Z Building image for environment churn-inference-env\n"
    "Failed to start the image build: (TasksOperationsNotAllowed) ACR Tasks "
    "requests for the registry are not permitted. Please file an Azure support "
    "request at http://aka.ms/azuresupport for assistance.\n"
)
NETGUARD = Path(__file__).resolve().parents[3] / "labs/gitops-workflow/tests/netguard"
UNSHARE = ["unshare", "--user", "--map-root-user", "--mount"]
WORKSPACE_GUID = "0b0b0b0b-1c1c-2d2d-3e3e-4f4f4f4f4f4f"
EXPERIMENT_ID = "5e5e5e5e-6f6f-7a7a-8b8b-9c9c9c9c9c9c"
ASSET_ID = re.compile(
    r"^(?:azureml:)?/?subscriptions/.+/workspaces/[^/]+/(?P<kind>[a-z]+)/(?P<name>[^/]+)/versions/(?P<version>[^/]+)$"
)


def submit(emulator: AzureEmulator, name: str, sent: dict[str, Any]) -> dict[str, Any]:
    """A new command job, ``NotStarted`` (``ArmError`` 400 for what is refused)."""
    parsed = rest_model("jobs", sent)
    problem = check_job(emulator, parsed.properties)
    if problem:
        raise ArmError(400, "UserError", problem)
    body = {
        **sent,
        "id": f"{WORKSPACE_ID}/jobs/{name}",
        "name": name,
        "type": "Microsoft.MachineLearningServices/workspaces/jobs",
        "systemData": {"createdAt": emulator.now()},
    }
    body["properties"] = {
        **sent["properties"],
        "status": "NotStarted",
        "services": {
            "Studio": {
                "jobServiceType": "Studio",
                "endpoint": f"https://ml.azure.com/runs/{name}?wsid={WORKSPACE_ID}",
            }
        },
    }
    emulator.jobs[name] = body
    return body


def poll(emulator: AzureEmulator, name: str) -> dict[str, Any]:
    """The job as one ``GET`` sees it, one step further in its life."""
    job = emulator.jobs.get(name)
    if job is None:
        raise ArmError(404, "UserError", f"Job {name} not found.")
    with emulator.lock:
        advance(emulator, name, job)
        return {key: value for key, value in job.items() if not key.startswith("_")}


def output_asset_id(job: str, output: str) -> str:
    return f"azureml://locations/{REGION}/workspaces/0b0b0b0b/data/azureml_{job}_output_data_{output}/versions/1"


def output_uri(job: str, output: str) -> str:
    return f"azureml://subscriptions{WORKSPACE_ID.split('/subscriptions', 1)[1].replace('/providers/Microsoft.MachineLearningServices', '')}/datastores/{DATASTORE}/paths/azureml/{job}/{output}/"


def asset_version(
    emulator: AzureEmulator, uri: str
) -> tuple[str, dict[str, Any]] | None:
    """The asset version an ``azureml:`` ARM id names, as ``(kind, body)``."""
    match = ASSET_ID.match(uri)
    if not match:
        return None
    body = emulator.assets.all_versions(match["kind"], match["name"]).get(
        match["version"]
    )
    return (match["kind"], body) if body else None


def check_job(emulator: AzureEmulator, properties: Any) -> str | None:
    """What Azure ML refuses in a command job, or None."""
    if properties.job_type != "Command":
        return f"Job type {properties.job_type} is not supported by this emulator."
    for name, job_input in (properties.inputs or {}).items():
        found = asset_version(emulator, str(job_input.uri))
        if found is None:
            return f"Input {name}: asset {job_input.uri} not found."
        kind, body = found
        wanted = job_input.job_input_type
        if kind == "models" and (
            wanted != "mlflow_model"
            or body["properties"].get("modelType") != "mlflow_model"
        ):
            return (
                f"Input {name}: the model input type {wanted} does not match the "
                f"asset type {body['properties'].get('modelType')}; use mlflow_model."
            )
    compute = str(properties.compute_id or "").rsplit("/", 1)[-1]
    if compute not in emulator.computes:
        return f"Compute {compute} not found in the workspace."
    if not asset_version(emulator, str(properties.environment_id)):
        return f"Environment {properties.environment_id} not found."
    if not asset_version(emulator, str(properties.code_id)):
        return f"Code {properties.code_id} not found."
    for name, job_output in (properties.outputs or {}).items():
        if name != "default" and job_output.mode not in (
            "Upload",
            "ReadWriteMount",
            "Direct",
            None,
        ):
            return f"Output {name}: unknown mode {job_output.mode}."
    return None


def advance(emulator: AzureEmulator, name: str, job: dict[str, Any]) -> None:
    """One more step of the job's life, as seen by one poll."""
    properties = job["properties"]
    status = properties["status"]
    if not job.setdefault("_polled", False):
        job["_polled"] = True  # the first poll still sees NotStarted
        return
    if status in ("Completed", "Failed", "Canceled", "Paused", "NotResponding"):
        return
    if status == "Preparing" and "image_build_refused" in emulator.faults:
        write_logs(
            emulator, name, {"azureml-logs/20_image_build_log.txt": IMAGE_BUILD_LOG}
        )
        properties["status"] = "Failed"
        return
    if status == "Queued" and "job_stays_queued" in emulator.faults:
        return  # no node is granted
    if status == "Finalizing":
        properties["status"] = "Completed"
        return
    if status != "Running":
        properties["status"] = PROGRESSION[PROGRESSION.index(status) + 1]
        return
    if "job_never_ends" in emulator.faults:
        return
    if "job_paused" in emulator.faults or "job_canceled" in emulator.faults:
        properties["status"] = (
            "Paused" if "job_paused" in emulator.faults else "Canceled"
        )
        return
    properties["status"] = (
        "Finalizing" if execute(emulator, name, properties) else "Failed"
    )


def write_logs(emulator: AzureEmulator, job: str, logs: dict[str, str]) -> None:
    """The job's logs, where Azure ML keeps them: ``ExperimentRun/dcid.<job>/``."""
    for relative, text in logs.items():
        path = emulator.blobs.path(
            ARTIFACT_CONTAINER, f"ExperimentRun/dcid.{job}/{relative}"
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def job_variables(name: str, properties: dict[str, Any]) -> dict[str, str]:
    """The variables Azure ML sets for a command job's process.

    MLflow is pointed at the workspace (``MLFLOW_TRACKING_URI``, the workspace's
    ``azureml://`` URI, and the job's run), and ``AZUREML_*`` name the run and
    the workspace, as azureml-mlflow and the SDKs read them. Azure ML also
    passes a run token (``AZUREML_RUN_TOKEN``, ``MLFLOW_TRACKING_TOKEN``); the
    emulator gives none: the lab's job needs no credentials (its inputs are
    mounted) and must not start to depend on one.
    """
    experiment = str(properties.get("experimentName") or "Default")
    return {
        "MLFLOW_TRACKING_URI": f"azureml://{API_HOST}/mlflow/v1.0{WORKSPACE_ID}",
        "MLFLOW_RUN_ID": name,
        "MLFLOW_EXPERIMENT_NAME": experiment,
        "MLFLOW_EXPERIMENT_ID": EXPERIMENT_ID,
        "AZUREML_RUN_ID": name,
        "AZUREML_ARM_SUBSCRIPTION": SUBSCRIPTION,
        "AZUREML_ARM_RESOURCEGROUP": RESOURCE_GROUP,
        "AZUREML_ARM_WORKSPACE_NAME": WORKSPACE,
        "AZUREML_ARM_PROJECT_NAME": experiment,
        "AZUREML_EXPERIMENT_ID": EXPERIMENT_ID,
        "AZUREML_WORKSPACE_ID": WORKSPACE_GUID,
        "AZUREML_SERVICE_ENDPOINT": f"https://{API_HOST}",
    }


def read_only_supported() -> bool:
    """Whether a read-only bind mount works here (a user and mount namespace)."""
    if not hasattr(read_only_supported, "answer"):
        probe = subprocess.run(
            [*UNSHARE, "true"], capture_output=True, check=False, timeout=60
        )
        read_only_supported.answer = probe.returncode == 0  # type: ignore[attr-defined]
    return bool(read_only_supported.answer)  # type: ignore[attr-defined]


def read_only_inputs(inputs: Path, argv: list[str]) -> tuple[list[str], str]:
    """``argv`` run with ``inputs`` read-only, as ``ro_mount`` inputs are on Azure.

    The files are made read-only, which is enough for a normal user; root
    ignores file modes, so the command also runs in its own user and mount
    namespace where ``inputs`` is bind-mounted read-only (EROFS on a write,
    as on Azure's read-only mounts).
    """
    for path in [inputs, *inputs.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    if read_only_supported():
        script = 'mount --bind -o ro "$0" "$0" && exec "$@"'
        return [*UNSHARE, "sh", "-c", script, str(inputs), *argv], "read-only mount"
    if os.geteuid() == 0:
        return argv, "read-only NOT enforced (root without user namespaces)"
    return argv, "read-only files"


def execute(emulator: AzureEmulator, name: str, properties: dict[str, Any]) -> bool:
    """Runs the job's command as a node would; True if it exited with 0.

    The command runs in the Python of the job's environment (built from its
    conda file: ``environment.build``), in the uploaded code folder, with the
    inputs read-only, an empty output folder and Azure ML's variables; its
    output goes to ``user_logs/std_log.txt``, the node's own steps to the
    system logs.
    """
    node = emulator.workdir / "nodes" / name
    if node.exists():
        for path in node.rglob("*"):
            if path.is_dir():
                path.chmod(0o755)
        shutil.rmtree(node)
    _, environment_asset = asset_version(emulator, properties["environmentId"])  # type: ignore[misc]
    try:
        built = environment.build(
            str(environment_asset["properties"].get("condaFile") or "")
        )
    except environment.EnvironmentBuildError as error:
        write_logs(emulator, name, {"azureml-logs/20_image_build_log.txt": error.log})
        return False
    code = node / "code"
    _, code_asset = asset_version(emulator, properties["codeId"])  # type: ignore[misc]
    shutil.copytree(blob_for_uri(emulator, code_asset["properties"]["codeUri"]), code)
    inputs = node / "inputs"
    values: dict[str, str] = {}
    mounts = []
    for input_name, job_input in properties.get("inputs", {}).items():
        kind, body = asset_version(emulator, job_input["uri"])  # type: ignore[misc]
        if kind == "models":
            uri = body["properties"]["modelUri"].removeprefix("azureml://artifacts/")
            source = emulator.blobs.path(ARTIFACT_CONTAINER, uri)
        else:
            source = blob_for_uri(emulator, body["properties"]["dataUri"])
        target = inputs / input_name / source.name
        target.parent.mkdir(parents=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copyfile(source, target)
        values[f"inputs.{input_name}"] = str(target)
        mounts.append(
            f"{input_name}: {job_input.get('mode', 'ReadOnlyMount')} {target}"
        )
    outputs = {}
    for output_name in properties.get("outputs", {}):
        if output_name == "default":
            continue
        folder = node / "outputs" / output_name
        folder.mkdir(parents=True)
        outputs[output_name] = folder
        values[f"outputs.{output_name}"] = str(folder)
    command = re.sub(
        r"\$\{\{\s*([\w.]+)\s*\}\}", lambda m: values[m.group(1)], properties["command"]
    )
    argv = shlex.split(command)
    if argv and argv[0] in ("python", "python3"):
        argv[0] = str(built.python)
    if inputs.is_dir():
        argv, protection = read_only_inputs(inputs, argv)
    else:
        protection = "no inputs"
    # The lab's network guard: a job here never leaves 127.0.0.1 (a copy, so
    # that the job Python's bytecode is not written into the lab).
    guard = shutil.copytree(NETGUARD, node / "netguard")
    started = time.perf_counter()
    finished = subprocess.run(
        argv,
        cwd=code,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=600,
        check=False,
        env={
            "PATH": f"{built.python.parent}:/usr/bin:/bin",
            "HOME": str(node),
            "LANG": "C.UTF-8",
            "PYTHONPATH": str(guard),
            **job_variables(name, properties),
        },
    )
    seconds = time.perf_counter() - started
    write_logs(
        emulator,
        name,
        {
            "user_logs/std_log.txt": finished.stdout,
            "azureml-logs/20_image_build_log.txt": built.log,
            "system_logs/data_capability/data-capability.log": (
                "\n".join(mounts) + f"\ninputs: {protection}\n"
            ),
            "system_logs/lifecycler/execution-wrapper.log": (
                f"environment {'reused' if built.cached else 'built'} in "
                f"{built.seconds:.1f} s: {built.python}\n"
                f"command: {shlex.join(argv)}\n"
                f"exit code {finished.returncode} after {seconds:.1f} s\n"
            ),
        },
    )
    if finished.returncode != 0:
        return False
    for output_name, folder in outputs.items():
        target = emulator.blobs.path(CONTAINER, f"azureml/{name}/{output_name}")
        shutil.copytree(folder, target, dirs_exist_ok=True)
    return True
