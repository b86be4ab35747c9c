"""El trabajo de Azure ML por dentro: su entorno, la espera y lo que queda al terminar.

- ``job_environment``: de ``conda.yml`` salen la imagen publicada con el
  Python que pide (``- python=3.X``) y un ``requirements.txt`` con su sección
  ``pip:``. El trabajo instala esas versiones al empezar con uv (segundos), en
  lugar de pedir a Azure ML que construya una imagen con conda, que la
  primera vez tarda de 10 a 45 minutos (MicrosoftLearning/mslearn-azure-ml#58),
  usa Azure Container Registry y gasta cuota en la máquina que construye.
- ``latest_asset_versions``: la última versión del modelo y de los datos como
  ``nombre:versión`` (con ``azureml:`` y ``@latest``, azure-ai-ml 1.35 busca
  un activo llamado literalmente ``azureml:<nombre>``).
- ``wait_for_job``: muestra cada estado en español con el tiempo, avisa si la
  cola se alarga y deja de esperar, sin cancelar, pasado un límite o con Ctrl+C.
- ``raise_job_failure``: baja los registros y explica el fallo con la última
  línea de ``user_logs/std_log.txt``.
- ``copy_predictions``: copia el CSV de ``named-outputs/<salida>/``.

Las bibliotecas de Azure se importan dentro de las funciones para que
``--help`` responda al instante.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from churn_lab.schema import PREDICTIONS_FILENAME
from labkit.cli import LabError, atomic_output

if TYPE_CHECKING:
    from azure.ai.ml import MLClient

    from labkit.workspace import WorkspaceConfig

# La imagen oficial de uv (Debian trixie slim con CPython y uv): el Python de
# conda.yml y el instalador ya están dentro, no hay nada que construir.
JOB_IMAGE = "ghcr.io/astral-sh/uv:0.13-python{python}-trixie-slim"
# Las versiones de Python para las que uv publica esa imagen.
JOB_PYTHONS = ("3.11", "3.12", "3.13", "3.14")
OUTPUT_NAME = "predictions"
POLL_SECONDS = 15
# Tras tantos segundos en cola, la espera explica por qué y qué mirar (y sigue)…
QUEUED_WARNING_SECONDS = 600
# …y tras tantos, deja de esperar (el trabajo sigue en la cola de Azure ML).
MAX_QUEUED_SECONDS = 1800
# Los estados en que un trabajo ya no avanza solo (los mismos que azure-ai-ml).
TERMINAL_STATUSES = {"Completed", "Failed", "Canceled", "NotResponding", "Paused"}
# Qué hace el trabajo en cada estado (azure-ai-ml, _run_history_constants.py).
STATUS_TEXT = {
    "NotStarted": "sin empezar",
    "Queued": "en cola: esperando una máquina con cuota libre",
    "Preparing": "preparando: descarga la imagen de Python (sin construir nada)",
    "Provisioning": "encendiendo la máquina",
    "Starting": "iniciando",
    "Running": "ejecutando: instala las versiones de conda.yml y corre score.py",
    "Finalizing": "guardando la salida",
    "CancelRequested": "cancelando",
    "Completed": "completado",
    "Failed": "fallido",
    "Canceled": "cancelado",
    "NotResponding": "sin respuesta",
    "Paused": "en pausa",
}
# Así responde Azure Container Registry cuando la suscripción no deja construir
# imágenes (se ha visto con suscripciones de crédito gratuito en az acr build).
# El trabajo del laboratorio no construye imágenes; uno con conda_file, sí.
IMAGE_BUILD_REFUSED = "TasksOperationsNotAllowed"
# Los registros del trabajo que explican un fallo: la salida del comando y,
# si falló al preparar el entorno, la construcción de la imagen.
USER_LOG = "user_logs/std_log.txt"
IMAGE_BUILD_LOG = "azureml-logs/20_image_build_log.txt"


# --------------------------------------------------------------------------
# El entorno del trabajo: conda.yml
# --------------------------------------------------------------------------


def read_conda_file(conda_file: Path) -> tuple[str, list[str]]:
    """``(versión de Python, líneas de pip)`` de ``conda_file`` (o ``LabError``)."""
    import yaml

    try:
        spec = yaml.safe_load(Path(conda_file).read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise LabError(
            f"no se pudo leer {conda_file} ({type(error).__name__}). Recupéralo "
            "del repositorio: git checkout -- conda.yml"
        ) from None
    python = ""
    pip_lines: list[str] = []
    others: list[str] = []
    for dependency in spec.get("dependencies") or [] if isinstance(spec, dict) else []:
        if isinstance(dependency, dict):
            pip_lines.extend(str(line) for line in dependency.get("pip") or [])
        elif str(dependency).split("=", maxsplit=1)[0].strip() == "python":
            python = str(dependency).split("=", 1)[-1].lstrip("=").strip()
        elif str(dependency).strip() != "pip":
            others.append(str(dependency))
    version = ".".join(python.split(".")[:2])
    if version not in JOB_PYTHONS or not pip_lines or others:
        raise LabError(
            f"{conda_file} debe tener «- python=3.X» ({', '.join(JOB_PYTHONS)}), "
            "«- pip» y "
            "las bibliotecas en la sección «pip:» con su versión (pandas==…): el "
            f"trabajo las instala con uv pip install. Tiene python={python or '?'}"
            + (
                f" y paquetes de conda que pip no instala: {', '.join(others)}"
                if others
                else ""
            )
            + ". Recupéralo con: git checkout -- conda.yml"
        )
    return version, pip_lines


def job_environment(conda_file: Path, folder: Path) -> tuple[str, Path]:
    """La imagen del trabajo y su ``requirements.txt`` (en ``folder``), de conda.yml."""
    version, pip_lines = read_conda_file(conda_file)
    requirements = Path(folder) / "requirements.txt"
    with atomic_output(requirements) as temporary:
        temporary.write_text("\n".join(pip_lines) + "\n", encoding="utf-8")
    return JOB_IMAGE.format(python=version), requirements


# --------------------------------------------------------------------------
# Las entradas: la última versión registrada
# --------------------------------------------------------------------------


def latest_asset_versions(
    ml_client: MLClient, model_name: str, data_asset_name: str
) -> tuple[str, str]:
    """``nombre:versión`` de la última versión del modelo y de los datos."""
    from azure.core.exceptions import ResourceNotFoundError

    try:
        model = ml_client.models.get(model_name, label="latest")
    except ResourceNotFoundError:
        raise LabError(
            f"no hay ningún modelo {model_name!r} registrado en el workspace. "
            "Regístralo primero con: python scripts/register_model.py"
        ) from None
    try:
        data = ml_client.data.get(data_asset_name, label="latest")
    except ResourceNotFoundError:
        raise LabError(
            f"no hay ningún activo de datos {data_asset_name!r} en el workspace. "
            "Súbelo primero con: python scripts/upload_data.py"
        ) from None
    print(f"📦 Modelo: {model_name} versión {model.version}")
    print(f"📄 Datos:  {data_asset_name} versión {data.version}")
    return f"{model_name}:{model.version}", f"{data_asset_name}:{data.version}"


# --------------------------------------------------------------------------
# La espera
# --------------------------------------------------------------------------


def describe_status(status: str) -> str:
    """El estado de un trabajo de Azure ML en español."""
    return STATUS_TEXT.get(status, status)


def status_value(status: Any) -> str:
    """El estado como texto: azure-ai-ml lo da como enum (``JobStatus.COMPLETED``)."""
    return str(getattr(status, "value", status))


def az_ml_job(action: str, job_name: str, config: WorkspaceConfig) -> str:
    """``az ml job <action>`` tal como hay que escribirlo: con grupo y workspace."""
    return (
        f"az ml job {action} --name {job_name} --resource-group "
        f"{config.resource_group} --workspace-name {config.workspace_name}"
    )


def queued_warning(minutes: int, where: str) -> str:
    """Por qué un trabajo sigue en cola y qué mirar, sin dejar de esperar."""
    return (
        f"⚠️  El trabajo lleva {minutes} min en cola: Azure ML aún no le da una "
        f"máquina ({where}). Encenderla tarda de 1 a 5 minutos; si pasa mucho "
        "más, suele ser la cuota de vCPU de Azure ML, ocupada por otros trabajos "
        "o clústeres: míralo en Azure ML Studio → Cuota y → Proceso. Sigo "
        "esperando; Ctrl+C deja de esperar sin cancelar el trabajo."
    )


def stopped_waiting(job_name: str, studio_url: str, config: WorkspaceConfig) -> str:
    """Qué hacer con un trabajo que sigue en Azure ML si el script deja de esperar."""
    return (
        f"el trabajo {job_name} sigue en Azure ML. Míralo en {studio_url} o con: "
        f"{az_ml_job('show', job_name, config)}. Cuando termine, baja las "
        f"predicciones con: {az_ml_job('download', job_name, config)} "
        f"--output-name {OUTPUT_NAME}"
    )


def wait_for_job(
    ml_client: MLClient,
    job: Any,
    config: WorkspaceConfig,
    wait: Mapping[str, Any] | None = None,
) -> str:
    """Espera a que ``job`` termine mostrando cada cambio de estado y el tiempo.

    ``wait`` puede traer ``poll_seconds``, ``where`` (la máquina o el clúster),
    ``queued_warning_seconds`` (cuánto esperar en cola antes de explicar por
    qué, una vez) y ``max_queued_seconds`` (cuánto, como mucho, antes de dejar
    de esperar: ``LabError``; el trabajo sigue en la cola de Azure ML).
    """
    wait = dict(wait or {})
    poll = float(wait.get("poll_seconds", POLL_SECONDS))
    warn_after = float(wait.get("queued_warning_seconds", QUEUED_WARNING_SECONDS))
    give_up = float(wait.get("max_queued_seconds", MAX_QUEUED_SECONDS))
    studio_url = str(job.studio_url)
    started = time.monotonic()
    status, queued_since, warned = "", 0.0, False
    try:
        while status not in TERMINAL_STATUSES:
            current = status_value(ml_client.jobs.get(job.name).status)
            now = time.monotonic()
            if current != status:
                status, elapsed = current, int(now - started)
                # flush: se ve al momento aunque la salida vaya a un archivo o
                # al registro de GitHub Actions, no al terminar el trabajo.
                print(
                    f"   [{elapsed // 60:02d}:{elapsed % 60:02d}] "
                    f"{describe_status(status)}",
                    flush=True,
                )
                queued_since, warned = now, False
            elif status == "Queued" and now - queued_since >= give_up:
                minutes = max(int(now - queued_since) // 60, 1)
                raise LabError(
                    f"dejé de esperar tras {minutes} min en cola sin máquina "
                    f"({wait.get('where', 'Azure ML')}): "
                    + stopped_waiting(job.name, studio_url, config)
                    + ". Si no lo necesitas, cancélalo: "
                    + az_ml_job("cancel", job.name, config)
                )
            elif status == "Queued" and not warned and now - queued_since >= warn_after:
                minutes = max(int(now - queued_since) // 60, 1)
                where = str(wait.get("where", "Azure ML"))
                print(queued_warning(minutes, where), flush=True)
                warned = True
            if status not in TERMINAL_STATUSES:
                time.sleep(poll)
    except KeyboardInterrupt:
        raise LabError(
            "dejaste de esperar, pero " + stopped_waiting(job.name, studio_url, config)
        ) from None
    return status


# --------------------------------------------------------------------------
# El final: registros de un fallo, o la salida
# --------------------------------------------------------------------------


def job_logs(ml_client: MLClient, job_name: str, download_dir: Path) -> dict[str, str]:
    """Los registros de un trabajo terminado, por nombre (vacío si no se bajan)."""
    from azure.core.exceptions import AzureError

    try:
        ml_client.jobs.download(job_name, download_path=str(download_dir))
    except AzureError:
        return {}
    logs = {}
    for name in (USER_LOG, IMAGE_BUILD_LOG):
        found = sorted((download_dir / "artifacts").rglob(name))
        if found:
            logs[name] = found[0].read_text(encoding="utf-8", errors="replace")
    return logs


def last_line(text: str) -> str:
    """La última línea con texto de un registro."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def failure_message(
    job_name: str,
    status: str,
    studio_url: str,
    logs: dict[str, str],
    config: WorkspaceConfig,
) -> str:
    """Qué hacer cuando el trabajo no termina bien.

    ``logs`` son los registros del trabajo por nombre (``USER_LOG``,
    ``IMAGE_BUILD_LOG``): se cita la última línea de la salida del comando, o
    la de la construcción del entorno si el trabajo no llegó a ejecutarse.
    """
    if IMAGE_BUILD_REFUSED in logs.get(IMAGE_BUILD_LOG, ""):
        return (
            f"el trabajo {job_name} no pudo preparar su entorno: tu suscripción no "
            f"permite construir imágenes en Azure Container Registry "
            f"({IMAGE_BUILD_REFUSED}; se ha visto con suscripciones de crédito "
            "gratuito). Haz que el workspace las construya en un clúster tuyo con: "
            f"az ml workspace update --name {config.workspace_name} "
            f"--resource-group {config.resource_group} --image-build-compute "
            "<clúster> y vuelve a ejecutar este script."
        )
    log_name = USER_LOG if logs.get(USER_LOG, "").strip() else IMAGE_BUILD_LOG
    line = last_line(logs.get(log_name, ""))
    cause = f" La última línea de {log_name} dice: «{line[:300]}»." if line else ""
    return (
        f"el trabajo {job_name} terminó en estado {describe_status(status)} "
        f"({status}).{cause} Mira sus registros en Azure ML Studio ({studio_url}), "
        f"pestaña «Salidas y registros» → {USER_LOG}, o en la terminal con: "
        f"{az_ml_job('stream', job_name, config)}. Si falta una biblioteca, "
        "añádela a conda.yml con su versión; sin Azure, usa --local."
    )


def raise_job_failure(
    ml_client: MLClient, job: Any, status: str, config: WorkspaceConfig, folder: Path
) -> None:
    """Baja los registros del trabajo a ``folder`` y lanza ``LabError`` con la causa."""
    logs = job_logs(ml_client, job.name, folder)
    raise LabError(failure_message(job.name, status, str(job.studio_url), logs, config))


def copy_predictions(
    download_dir: Path, destination: Path, output_name: str = OUTPUT_NAME
) -> int:
    """Copia el CSV de ``named-outputs/<salida>/`` a ``destination``; cuenta las filas.

    Es la carpeta donde ``ml_client.jobs.download`` deja una salida con nombre,
    y la que usa también la ejecución local.
    """
    folder = Path(download_dir) / "named-outputs" / output_name
    source = folder / PREDICTIONS_FILENAME
    if not source.is_file():
        csv_files = sorted(folder.rglob("*.csv")) if folder.is_dir() else []
        if len(csv_files) != 1:
            raise LabError(
                f"la salida del trabajo no tiene el archivo de predicciones: se "
                f"esperaba {source} y hay {len(csv_files)} archivos .csv en {folder}. "
                f"Revisa los registros del trabajo ({USER_LOG})."
            )
        source = csv_files[0]
    with atomic_output(destination) as temporary:
        shutil.copyfile(source, temporary)
    with destination.open(encoding="utf-8") as predictions:
        return max(sum(1 for _ in predictions) - 1, 0)
