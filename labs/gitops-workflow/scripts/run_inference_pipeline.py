"""Ejecuta el pipeline de inferencia en Azure ML (o en local) y baja las predicciones.

El trabajo (*command job*) ejecuta ``src/score.py`` con dos entradas: el
modelo registrado (``mlflow_model``) y el activo de datos, ambos en su última
versión, montados como carpetas; no necesita credenciales. Corre en
**cómputo sin servidor**: Azure ML enciende una máquina del tamaño pedido
(``Standard_D2as_v5``, 2 vCPU) solo para el trabajo y la apaga al terminar.
Antes de enviarlo, el script comprueba que tu suscripción tiene cuota para
ese tamaño. El entorno es una imagen publicada con el Python de ``conda.yml``
(nada que construir) y el trabajo instala al empezar las versiones de su
sección ``pip:``. Al terminar, el script descarga la salida y escribe
``data/inference_output.csv``.

Con ``--compute-name`` usa (o crea) tu clúster de Azure ML. Con ``--local``
hace lo mismo en tu computadora: la última versión del modelo y de los datos
del almacén local y la misma línea de comandos de ``score.py``.

Uso: python scripts/run_inference_pipeline.py [--local] [--vm-size Standard_D2as_v5]
"""

from __future__ import annotations

import time
from argparse import Namespace
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from _lab import LAB_ROOT  # va primero: revisa Python y el entorno virtual

from churn_lab.model import MODEL_NAME
from labkit.azure_job import (
    MAX_QUEUED_SECONDS,
    OUTPUT_NAME,
    POLL_SECONDS,
    QUEUED_WARNING_SECONDS,
    copy_predictions,
    job_environment,
    latest_asset_versions,
    raise_job_failure,
    wait_for_job,
)
from labkit.cli import (
    build_parser,
    check_asset_name,
    display_path,
    format_number,
    positive_int,
    quantity,
    report_errors,
    wait_seconds,
)
from labkit.compute import DEFAULT_VM_SIZE, JOB_TIER, prepare_compute
from labkit.local_job import CODE_DIR, JOBS_DIR, run_local_job
from labkit.local_store import local_store, mlflow_ui_hint
from labkit.workspace import (
    EXPERIMENT_NAME,
    WorkspaceConfig,
    add_workspace_arguments,
    azure_errors,
    create_ml_client,
    workspace_config_from_args,
)

if TYPE_CHECKING:
    from azure.ai.ml.entities import Command

DEFAULT_DATA_ASSET = "churn-inference-data"
DEFAULT_OUTPUT = LAB_ROOT / "data" / "inference_output.csv"
CONDA_FILE = LAB_ROOT / "conda.yml"
# La misma línea se ejecuta en Azure ML y, con --local, en tu computadora.
SCORE_COMMAND = (
    "python score.py --model ${{inputs.model}} "
    "--input-path ${{inputs.input_data}} "
    "--output-path ${{outputs.predictions}}"
)
# En Azure ML, antes: instalar en la imagen las versiones de conda.yml.
INSTALL_COMMAND = "uv pip install --system --quiet -r ${{inputs.requirements}}"


def inference_job(
    model: str,
    data: str,
    environment: tuple[str, Path],
    vm_size: str,
    cluster: str | None = None,
) -> Command:
    """El trabajo: score.py con el modelo y los datos, en el entorno de conda.yml.

    ``model`` y ``data`` son ``nombre:versión``; ``environment``, la imagen y
    el ``requirements.txt`` de ``job_environment``. Sin ``cluster``, corre en
    cómputo sin servidor con una máquina ``vm_size``.
    """
    from azure.ai.ml import Input, Output, command
    from azure.ai.ml.entities import (
        Environment,
        JobResourceConfiguration,
        QueueSettings,
    )

    image, requirements = environment
    return command(
        display_name="inferencia-churn",
        experiment_name=EXPERIMENT_NAME,
        code=str(CODE_DIR),
        command=f"{INSTALL_COMMAND} && {SCORE_COMMAND}",
        environment=Environment(image=image),
        inputs={
            "model": Input(type="mlflow_model", path=model, mode="ro_mount"),
            "input_data": Input(type="uri_file", path=data, mode="ro_mount"),
            "requirements": Input(type="uri_file", path=str(requirements)),
        },
        # upload: score.py escribe en el disco de la máquina y Azure ML sube la
        # carpeta al terminar.
        outputs={OUTPUT_NAME: Output(type="uri_folder", mode="upload")},
        compute=cluster,  # None: cómputo sin servidor
        resources=(
            None
            if cluster
            else JobResourceConfiguration(instance_type=vm_size, instance_count=1)
        ),
        queue_settings=None if cluster else QueueSettings(job_tier=JOB_TIER),
    )


def run_in_azure(config: WorkspaceConfig, args: Namespace) -> int:
    """Envía el trabajo a Azure ML, espera, baja la salida y devuelve las filas."""
    with azure_errors(config):
        ml_client = create_ml_client(config)
        model, data = latest_asset_versions(
            ml_client, args.model_name, args.data_asset_name
        )
        # La cuota, antes de enviar nada (y el clúster, si pediste uno).
        vm_size = prepare_compute(ml_client, args.compute_name, args.vm_size, config)
        environment = job_environment(CONDA_FILE, JOBS_DIR / "entorno")

        job = inference_job(model, data, environment, vm_size, args.compute_name)
        job = ml_client.jobs.create_or_update(job)
        print(f"🚀 Trabajo enviado: {job.name}")
        print(f"🔗 Síguelo en Azure ML Studio: {job.studio_url}")
        print("⏳ Esperando… Ctrl+C deja de esperar sin cancelar el trabajo.")

        where = args.compute_name or f"{vm_size}, sin servidor"
        status = wait_for_job(ml_client, job, config, {**vars(args), "where": where})
        download_dir = JOBS_DIR / str(job.name)
        if status != "Completed":
            raise_job_failure(ml_client, job, status, config, download_dir)
        print(f"⬇️  Descargando la salida en {display_path(download_dir)}…")
        ml_client.jobs.download(
            job.name, output_name=OUTPUT_NAME, download_path=str(download_dir)
        )
    return copy_predictions(download_dir, args.output_path)


def parse_arguments(argv: Sequence[str] | None) -> Namespace:
    """Las opciones del script (todas tienen un valor por defecto)."""
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
        "--vm-size",
        default=DEFAULT_VM_SIZE,
        help="tamaño de la máquina (serie actual con cuota libre en tu suscripción)",
    )
    parser.add_argument(
        "--compute-name",
        help="tu clúster de Azure ML (se crea con --vm-size si no existe); sin "
        "él, cómputo sin servidor",
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
    parser.add_argument(
        "--max-queued-seconds",
        type=wait_seconds,
        default=MAX_QUEUED_SECONDS,
        help="segundos en cola tras los que se deja de esperar (el trabajo sigue)",
    )
    add_workspace_arguments(parser)
    return parser.parse_args(argv)


@report_errors
def main(argv: Sequence[str] | None = None) -> int:
    """Lee los argumentos, ejecuta el pipeline y devuelve el código de salida."""
    args = parse_arguments(argv)
    started = time.perf_counter()
    if args.local:
        store = local_store()
        print(f"🏠 Pipeline local con el almacén {store.db_path}")
        names = (args.model_name, args.data_asset_name)
        rows = run_local_job(SCORE_COMMAND, names, store, args.output_path)
    else:
        config = workspace_config_from_args(args)
        print(f"☁️  Pipeline en Azure ML ({config.workspace_name})")
        rows = run_in_azure(config, args)
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
