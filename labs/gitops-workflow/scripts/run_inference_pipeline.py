"""Ejecuta el pipeline de inferencia en Azure ML (o en local) y baja las predicciones.

En Azure ML: prepara el clúster ``cpu-cluster`` (Standard_DS2_v2, de 0 a 1
nodos, se apaga solo cuando no se usa; ``--vm-size`` elige otro tamaño si tu
cuota no alcanza), un entorno con las bibliotecas de ``conda.yml`` y un
trabajo (command job) que ejecuta ``src/score.py`` con dos entradas: el
modelo registrado (``mlflow_model``) y el activo de datos, ambos en su última
versión. El trabajo no necesita credenciales: Azure ML le monta el modelo y
los datos como carpetas y sube la carpeta de salida al terminar. Luego el
script descarga esa salida y escribe ``data/inference_output.csv``.

Con ``--local`` hace lo mismo en tu computadora: toma la última versión del
modelo y de los datos del almacén local y ejecuta la misma línea de comandos
de ``score.py`` en un subproceso.

Uso: python scripts/run_inference_pipeline.py [--local] [--compute-name cpu-cluster]
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from _lab import LAB_ROOT  # va primero: revisa Python y el entorno virtual

from churn_lab.model import MODEL_NAME
from churn_lab.schema import PREDICTIONS_FILENAME
from labkit.cli import (
    LabError,
    atomic_output,
    build_parser,
    check_asset_name,
    display_path,
    first_line,
    format_number,
    positive_int,
    quantity,
    report_errors,
    wait_seconds,
)
from labkit.local_store import (
    LocalStore,
    latest_local_data_asset,
    local_store,
    mlflow_ui_hint,
    prepare_local_store,
)
from labkit.workspace import (
    EXPERIMENT_NAME,
    WorkspaceConfig,
    add_workspace_arguments,
    azure_errors,
    create_ml_client,
    workspace_config_from_args,
)

if TYPE_CHECKING:
    from azure.ai.ml import MLClient
    from azure.ai.ml.entities import AmlCompute, Command, Environment

DEFAULT_COMPUTE = "cpu-cluster"
DEFAULT_DATA_ASSET = "churn-inference-data"
DEFAULT_OUTPUT = LAB_ROOT / "data" / "inference_output.csv"
# Donde quedan las descargas de Azure y las ejecuciones locales (ignorada por git).
JOBS_DIR = LAB_ROOT / "outputs"

VM_SIZE = "Standard_DS2_v2"
# Segundos sin trabajos antes de apagar el nodo: mientras hay un nodo
# encendido se cobra, aunque no haga nada.
IDLE_SECONDS_BEFORE_SCALE_DOWN = 180
# Imagen base de Azure ML con soporte vigente (Ubuntu 24.04), en una versión
# fechada que publica Microsoft (:latest cambiaría sin avisar y obligaría a
# construir el entorno otra vez); conda.yml añade Python y las bibliotecas con
# las mismas versiones que requirements.txt. Un entorno «curated» de Microsoft
# se ahorraría la primera construcción solo si se usa tal cual, y el más nuevo
# de scikit-learn (sklearn-1.5) trae scikit-learn 1.5 y pandas 1.5: no puede
# cargar un modelo entrenado con las versiones del laboratorio, y añadirle
# nuestras versiones lo vuelve un entorno propio que también se construye.
BASE_IMAGE = "mcr.microsoft.com/azureml/openmpi5.0-ubuntu24.04:20260901.v1"
ENVIRONMENT_NAME = "churn-inference-env"
CODE_DIR = LAB_ROOT / "src"
CONDA_FILE = LAB_ROOT / "conda.yml"
OUTPUT_NAME = "predictions"
# La misma línea se ejecuta en Azure ML y, con --local, en tu computadora.
JOB_COMMAND = (
    "python score.py --model ${{inputs.model}} "
    "--input-path ${{inputs.input_data}} "
    "--output-path ${{outputs.predictions}}"
)
POLL_SECONDS = 15
# Tras tantos segundos en cola, la espera explica por qué y qué mirar (y sigue).
QUEUED_WARNING_SECONDS = 600
# Los estados en que un trabajo ya no avanza solo (los mismos que azure-ai-ml).
TERMINAL_STATUSES = {"Completed", "Failed", "Canceled", "NotResponding", "Paused"}
STATUS_TEXT = {
    "NotStarted": "sin empezar",
    "Queued": "en cola: esperando un nodo del clúster",
    "Provisioning": "encendiendo un nodo",
    "Preparing": "preparando el entorno (la primera vez construye la imagen)",
    "Starting": "iniciando",
    "Running": "ejecutando score.py",
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
IMAGE_BUILD_REFUSED = "TasksOperationsNotAllowed"
# Los registros del trabajo que explican un fallo: la salida de score.py y,
# si falló al preparar el entorno, la construcción de la imagen.
USER_LOG = "user_logs/std_log.txt"
IMAGE_BUILD_LOG = "azureml-logs/20_image_build_log.txt"


# --------------------------------------------------------------------------
# Los objetos de Azure ML (se construyen sin conexión)
# --------------------------------------------------------------------------


def build_compute(name: str = DEFAULT_COMPUTE, size: str = VM_SIZE) -> AmlCompute:
    """Clúster de 0 a 1 nodos (``size``) que se apaga cuando no se usa."""
    from azure.ai.ml.entities import AmlCompute

    return AmlCompute(
        name=name,
        size=size,
        min_instances=0,
        max_instances=1,
        idle_time_before_scale_down=IDLE_SECONDS_BEFORE_SCALE_DOWN,
        tier="Dedicated",
    )


def build_environment(conda_file: Path = CONDA_FILE) -> Environment:
    """Entorno del trabajo: la imagen base más las bibliotecas de ``conda.yml``."""
    from azure.ai.ml.entities import Environment

    return Environment(
        name=ENVIRONMENT_NAME,
        description="Bibliotecas para puntuar con el modelo de abandono.",
        image=BASE_IMAGE,
        conda_file=str(conda_file),
    )


def build_job(
    model: str = f"{MODEL_NAME}@latest",
    data_asset: str = f"{DEFAULT_DATA_ASSET}@latest",
    compute_name: str = DEFAULT_COMPUTE,
    code_dir: Path = CODE_DIR,
    conda_file: Path = CONDA_FILE,
) -> Command:
    """El trabajo que ejecuta ``score.py`` con el modelo y los datos como entradas.

    ``model`` y ``data_asset`` son ``nombre:versión`` o ``nombre@latest``, sin
    el prefijo ``azureml:``: con él, azure-ai-ml 1.35 busca ``@latest`` en un
    activo llamado literalmente ``azureml:<nombre>`` y Azure no lo encuentra.
    """
    from azure.ai.ml import Input, Output, command
    from azure.ai.ml.constants import AssetTypes, InputOutputModes

    return command(
        name=None,
        display_name="inferencia-churn",
        description="Puntúa los clientes con la última versión del modelo.",
        experiment_name=EXPERIMENT_NAME,
        code=str(code_dir),
        command=JOB_COMMAND,
        environment=build_environment(conda_file),
        compute=compute_name,
        inputs={
            "model": Input(
                type=AssetTypes.MLFLOW_MODEL,
                path=model,
                mode=InputOutputModes.RO_MOUNT,
            ),
            "input_data": Input(
                type=AssetTypes.URI_FILE,
                path=data_asset,
                mode=InputOutputModes.RO_MOUNT,
            ),
        },
        outputs={
            # upload: score.py escribe en una carpeta local del nodo (con un
            # temporal que renombra al final) y Azure ML la sube al terminar.
            OUTPUT_NAME: Output(
                type=AssetTypes.URI_FOLDER, mode=InputOutputModes.UPLOAD
            )
        },
    )


# --------------------------------------------------------------------------
# La salida del trabajo
# --------------------------------------------------------------------------


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
                "Revisa los registros del trabajo (user_logs/std_log.txt)."
            )
        source = csv_files[0]
    with atomic_output(destination) as temporary:
        shutil.copyfile(source, temporary)
    with destination.open(encoding="utf-8") as predictions:
        return max(sum(1 for _ in predictions) - 1, 0)


# --------------------------------------------------------------------------
# Ejecución en local
# --------------------------------------------------------------------------


def job_command_line(model: Path, input_data: Path, predictions: Path) -> list[str]:
    """``JOB_COMMAND`` con las rutas locales en lugar de las entradas del trabajo."""
    values = {
        "python": sys.executable,
        "${{inputs.model}}": str(model),
        "${{inputs.input_data}}": str(input_data),
        "${{outputs.predictions}}": str(predictions),
    }
    return [values.get(part, part) for part in shlex.split(JOB_COMMAND)]


def latest_model_version(model_name: str) -> int:
    """La última versión registrada de ``model_name`` en el MLflow actual."""
    from mlflow import MlflowClient

    versions = MlflowClient().search_model_versions(f"name = '{model_name}'")
    if not versions:
        raise LabError(
            f"no hay ningún modelo {model_name!r} registrado en el almacén local. "
            "Regístralo primero con: python scripts/register_model.py --local"
        )
    return max(int(version.version) for version in versions)


def run_local(
    model_name: str,
    data_asset_name: str,
    store: LocalStore,
    output_path: Path,
    jobs_dir: Path = JOBS_DIR,
) -> int:
    """Ejecuta el trabajo en local con la última versión del modelo y de los datos."""
    import mlflow
    from mlflow.exceptions import MlflowException

    prepare_local_store(store)
    version = latest_model_version(model_name)
    asset = latest_local_data_asset(store, data_asset_name)
    job_dir = jobs_dir / datetime.now().strftime("local-%Y%m%d-%H%M%S-%f")
    print(f"📦 Modelo: {model_name} versión {version}")
    print(f"📄 Datos:  {asset.name} versión {asset.version} ({asset.path})")
    try:
        model_dir = mlflow.artifacts.download_artifacts(
            artifact_uri=f"models:/{model_name}/{version}",
            dst_path=str(job_dir / "inputs" / "model"),
        )
    except (MlflowException, OSError) as error:
        raise LabError(
            f"no se pudo leer el modelo {model_name} versión {version} del almacén "
            f"local ({first_line(error, 150)}). Vuelve a registrarlo con: "
            "python scripts/register_model.py --local"
        ) from None
    if not (Path(model_dir) / "MLmodel").is_file():
        # El almacén local guarda rutas absolutas: si la carpeta del laboratorio
        # se movió (o se copió) después de registrar, apuntan a la de antes.
        raise LabError(
            f"el almacén local ({display_path(store.db_path)}) no encuentra los "
            f"archivos del modelo {model_name} versión {version}: guarda rutas "
            "absolutas y esta carpeta del laboratorio se movió o se copió desde "
            "otra después de registrarlo. Borra mlflow.db y la carpeta mlartifacts/ "
            "y vuelve a registrar el modelo y los datos: "
            "python scripts/register_model.py --local y "
            "python scripts/upload_data.py --local"
        )
    predictions_dir = job_dir / "named-outputs" / OUTPUT_NAME
    command_line = job_command_line(
        Path(model_dir), asset.path.resolve(), predictions_dir.resolve()
    )
    print(f"🚀 Ejecutando en {CODE_DIR}: {shlex.join(command_line)}")
    finished = subprocess.run(command_line, cwd=CODE_DIR, check=False)
    if finished.returncode != 0:
        raise LabError(
            f"score.py terminó con error (código {finished.returncode}); el motivo "
            "está en el mensaje de arriba."
        )
    return copy_predictions(job_dir, output_path)


# --------------------------------------------------------------------------
# Ejecución en Azure ML
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


def failure_message(
    job_name: str,
    status: str,
    studio_url: str,
    logs: dict[str, str],
    config: WorkspaceConfig,
) -> str:
    """Qué hacer cuando el trabajo no termina bien.

    ``logs`` son los registros del trabajo por nombre (``USER_LOG``,
    ``IMAGE_BUILD_LOG``): se cita la última línea de la salida de score.py, o
    la de la construcción del entorno si el trabajo no llegó a ejecutarse.
    """
    build_log = logs.get(IMAGE_BUILD_LOG, "")
    if IMAGE_BUILD_REFUSED in build_log:
        return (
            f"el trabajo {job_name} no pudo preparar su entorno: tu suscripción no "
            f"permite construir imágenes en Azure Container Registry "
            f"({IMAGE_BUILD_REFUSED}; se ha visto con suscripciones de crédito "
            "gratuito). Haz que el workspace las construya en tu clúster con: az ml "
            f"workspace update --name {config.workspace_name} --resource-group "
            f"{config.resource_group} --image-build-compute {DEFAULT_COMPUTE} y "
            "vuelve a ejecutar este script."
        )
    log_name = USER_LOG if logs.get(USER_LOG, "").strip() else IMAGE_BUILD_LOG
    last_line = next(
        (
            line.strip()
            for line in reversed(logs.get(log_name, "").splitlines())
            if line.strip()
        ),
        "",
    )
    cause = (
        f" La última línea de {log_name} dice: «{last_line[:300]}»."
        if last_line
        else ""
    )
    return (
        f"el trabajo {job_name} terminó en estado {describe_status(status)} "
        f"({status}).{cause} Mira sus registros en Azure ML Studio ({studio_url}), "
        f"pestaña «Salidas y registros» → {USER_LOG}, o en la terminal con: "
        f"{az_ml_job('stream', job_name, config)}. Si el error es de cuota, pide "
        "más en Azure ML Studio → Cuota, usa --vm-size con otro tamaño o usa --local."
    )


def queued_warning(minutes: int, compute_name: str) -> str:
    """Por qué un trabajo sigue en cola y qué mirar, sin dejar de esperar."""
    return (
        f"⚠️  El trabajo lleva {minutes} min en cola: Azure ML aún no le da un nodo "
        f"del clúster {compute_name}. Encender un nodo tarda de 3 a 5 minutos; si "
        "pasa mucho más, suele ser la cuota de vCPU de Azure ML (ocupada por otros "
        "clústeres o en 0): míralo en Azure ML Studio → Cuota y, en Proceso → "
        f"Clústeres de proceso, el estado de {compute_name}. Sigo esperando; "
        "Ctrl+C deja de esperar sin cancelar el trabajo."
    )


def wait_for_job(
    ml_client: MLClient,
    job_name: str,
    studio_url: str,
    poll_seconds: float,
    config: WorkspaceConfig,
    wait: Mapping[str, Any] | None = None,
) -> str:
    """Espera a que el trabajo termine mostrando cada cambio de estado y el tiempo.

    ``wait`` puede traer ``compute_name`` y ``queued_warning_seconds``: cuánto
    esperar en cola antes de explicar por qué (una vez; la espera sigue).
    """
    wait = wait or {}
    warn_after = float(wait.get("queued_warning_seconds", QUEUED_WARNING_SECONDS))
    started = time.monotonic()
    status = ""
    queued_since: float | None = None
    try:
        while status not in TERMINAL_STATUSES:
            current = status_value(ml_client.jobs.get(job_name).status)
            now = time.monotonic()
            elapsed = int(now - started)
            if current != status:
                status = current
                clock = f"{elapsed // 60:02d}:{elapsed % 60:02d}"
                print(f"   [{clock}] {describe_status(status)}", flush=True)
                queued_since = now if status == "Queued" else None
            elif queued_since is not None and now - queued_since >= warn_after:
                minutes = max(int(now - queued_since) // 60, 1)
                compute = str(wait.get("compute_name", DEFAULT_COMPUTE))
                print(queued_warning(minutes, compute), flush=True)
                queued_since = None  # una vez por espera en cola
            if status not in TERMINAL_STATUSES:
                time.sleep(poll_seconds)
    except KeyboardInterrupt:
        raise LabError(
            f"dejaste de esperar, pero el trabajo {job_name} sigue en Azure ML. "
            f"Míralo en {studio_url} o con: {az_ml_job('show', job_name, config)}. "
            "Cuando termine, baja las predicciones con: "
            f"{az_ml_job('download', job_name, config)} --output-name {OUTPUT_NAME}"
        ) from None
    return status


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


def get_or_create_compute(ml_client: MLClient, name: str, size: str) -> None:
    """Usa el clúster ``name`` si existe; si no, lo crea (tarda un par de minutos)."""
    from azure.core.exceptions import ResourceNotFoundError

    try:
        compute = ml_client.compute.get(name)
    except ResourceNotFoundError:
        print(f"🖥️  Creando el clúster {name} ({size}, de 0 a 1 nodos)…")
        ml_client.compute.begin_create_or_update(build_compute(name, size)).result()
        print(f"🖥️  Clúster {name} creado.")
        return
    if compute.provisioning_state == "Failed":
        # Un clúster cuya creación falló (por ejemplo, por cuota) no arranca nodos.
        raise LabError(
            f"el clúster {name} existe pero está en estado Failed "
            f"({compute.provisioning_errors or 'sin detalle'}). Bórralo en Azure ML "
            "Studio → Proceso → Clústeres de proceso (revisa antes tu cuota en "
            "Azure ML Studio → Cuota) y vuelve a ejecutar este script, o usa otro "
            "clúster con --compute-name."
        )
    print(f"🖥️  Clúster {name} listo ({getattr(compute, 'size', '?')}).")


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


def run_azure(
    config: WorkspaceConfig,
    job_options: Mapping[str, Any],
    output_path: Path,
    poll_seconds: float = POLL_SECONDS,
) -> int:
    """Envía el trabajo a Azure ML, espera, descarga la salida y copia el CSV.

    ``job_options`` tiene ``model_name``, ``data_asset_name``, ``compute_name``,
    ``vm_size`` y, si se quiere, ``queued_warning_seconds``.
    """
    with azure_errors(config):
        ml_client = create_ml_client(config)
        model, data = latest_asset_versions(
            ml_client, job_options["model_name"], job_options["data_asset_name"]
        )
        compute_name = job_options["compute_name"]
        get_or_create_compute(ml_client, compute_name, job_options["vm_size"])
        job: Any = ml_client.jobs.create_or_update(build_job(model, data, compute_name))
        studio_url = str(job.studio_url)
        print(f"🚀 Trabajo enviado: {job.name}")
        print(f"🔗 Síguelo en Azure ML Studio: {studio_url}")
        print(
            "⏳ Esperando… si el clúster estaba apagado, encender el nodo tarda "
            "de 3 a 5 minutos (y la primera vez, construir el entorno, unos más). "
            "Ctrl+C deja de esperar sin cancelar el trabajo.",
            flush=True,
        )
        status = wait_for_job(
            ml_client,
            job.name,
            studio_url,
            poll_seconds,
            config,
            {
                "compute_name": compute_name,
                "queued_warning_seconds": job_options.get(
                    "queued_warning_seconds", QUEUED_WARNING_SECONDS
                ),
            },
        )
        download_dir = JOBS_DIR / str(job.name)
        if status != "Completed":
            logs = job_logs(ml_client, job.name, download_dir)
            raise LabError(failure_message(job.name, status, studio_url, logs, config))
        print(f"⬇️  Descargando la salida en {display_path(download_dir)}…")
        ml_client.jobs.download(
            job.name, output_name=OUTPUT_NAME, download_path=str(download_dir)
        )
    return copy_predictions(download_dir, output_path)


@report_errors
def main(argv: Sequence[str] | None = None) -> int:
    """Lee los argumentos, ejecuta el pipeline y devuelve el código de salida."""
    parser = build_parser(__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument(
        "--model-name",
        type=check_asset_name,
        default=MODEL_NAME,
        help="modelo registrado (última versión)",
    )
    parser.add_argument(
        "--data-asset-name",
        type=check_asset_name,
        default=DEFAULT_DATA_ASSET,
        help="activo de datos a puntuar (última versión)",
    )
    parser.add_argument(
        "--compute-name", default=DEFAULT_COMPUTE, help="clúster de Azure ML"
    )
    parser.add_argument(
        "--vm-size",
        default=VM_SIZE,
        help=(
            "tamaño de máquina del clúster si hay que crearlo (otro, como "
            "Standard_D2as_v4, si tu cuota de esa familia es 0)"
        ),
    )
    parser.add_argument(
        "--output-path",
        type=Path,
        default=DEFAULT_OUTPUT,
        help="dónde se guarda el CSV con las predicciones",
    )
    parser.add_argument(
        "--poll-seconds",
        type=wait_seconds,
        default=POLL_SECONDS,
        help="cada cuántos segundos se pregunta a Azure ML por el trabajo",
    )
    parser.add_argument(
        "--queued-warning-seconds",
        type=positive_int,
        default=QUEUED_WARNING_SECONDS,
        help="segundos en cola tras los que la espera explica por qué (y sigue)",
    )
    add_workspace_arguments(parser)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    if args.local:
        store = local_store()
        print(f"🏠 Pipeline local con el almacén {store.db_path}")
        rows = run_local(args.model_name, args.data_asset_name, store, args.output_path)
    else:
        config = workspace_config_from_args(args)
        print(f"☁️  Pipeline en Azure ML ({config.workspace_name})")
        job_options = {
            "model_name": args.model_name,
            "data_asset_name": args.data_asset_name,
            "compute_name": args.compute_name,
            "vm_size": args.vm_size,
            "queued_warning_seconds": args.queued_warning_seconds,
        }
        rows = run_azure(config, job_options, args.output_path, args.poll_seconds)
    elapsed = time.perf_counter() - started
    print(
        f"✅ Pipeline completado en {format_number(elapsed)} s: "
        f"{quantity(rows, 'cliente puntuado', 'clientes puntuados')}."
    )
    print(f"💾 Predicciones en {display_path(args.output_path)}")
    if args.local:
        print(f"👀 Almacén de MLflow: {mlflow_ui_hint()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
