"""El trabajo de inferencia en tu computadora (``--local``), como lo haría Azure ML.

Toma la última versión del modelo del registro local de MLflow y la del
activo de datos local, las deja en una carpeta de trabajo
(``outputs/local-<fecha>/inputs/``, como Azure ML monta las entradas) y
ejecuta **la misma línea de comandos** de ``score.py`` en un subproceso, con
el Python de tu entorno virtual. La salida queda en
``outputs/local-<fecha>/named-outputs/predictions/``, donde la dejaría
``ml_client.jobs.download``.

Una ejecución que falla no deja nada a medias: sin ``mlflow.db`` no crea el
almacén (un almacén vacío no es un registro, y ``check_progress.py`` lo
contaría como la Parte 4), y si falla después borra su carpeta de trabajo.

MLflow se importa dentro de las funciones para que ``--help`` responda al
instante.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from labkit import LAB_ROOT
from labkit.azure_job import OUTPUT_NAME, copy_predictions
from labkit.cli import LabError, display_path, first_line
from labkit.local_store import (
    LocalStore,
    latest_local_data_asset,
    prepare_local_store,
)

# Donde quedan las descargas de Azure y las ejecuciones locales (ignorada por git).
JOBS_DIR = LAB_ROOT / "outputs"
CODE_DIR = LAB_ROOT / "src"


def job_command_line(
    command: str, model: Path, input_data: Path, predictions: Path
) -> list[str]:
    """``command`` con las rutas locales en lugar de las entradas del trabajo."""
    values = {
        "python": sys.executable,
        "${{inputs.model}}": str(model),
        "${{inputs.input_data}}": str(input_data),
        "${{outputs.predictions}}": str(predictions),
    }
    return [values.get(part, part) for part in shlex.split(command)]


def latest_model_version(store: LocalStore, model_name: str) -> int:
    """La última versión registrada de ``model_name`` en el almacén local.

    Sin ``mlflow.db`` no hay ningún modelo registrado: se dice sin crear el
    almacén.
    """
    missing = LabError(
        f"no hay ningún modelo {model_name!r} registrado en el almacén local. "
        "Regístralo primero con: python scripts/register_model.py --local"
    )
    if not store.db_path.is_file():
        raise missing
    prepare_local_store(store)
    from mlflow import MlflowClient

    versions = MlflowClient().search_model_versions(f"name = '{model_name}'")
    if not versions:
        raise missing
    return max(int(version.version) for version in versions)


def download_model(
    store: LocalStore, model_name: str, version: int, job_dir: Path
) -> Path:
    """Copia la versión ``version`` del modelo a la carpeta del trabajo."""
    import mlflow
    from mlflow.exceptions import MlflowException

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
    return Path(model_dir)


def run_local_job(
    command: str,
    names: tuple[str, str],
    store: LocalStore,
    output_path: Path,
    jobs_dir: Path = JOBS_DIR,
) -> int:
    """Ejecuta ``command`` (la de score.py) con la última versión del modelo y datos.

    ``names`` son el nombre del modelo y el del activo de datos. Devuelve las
    filas puntuadas, ya copiadas a ``output_path``.
    """
    model_name, data_asset_name = names
    version = latest_model_version(store, model_name)
    asset = latest_local_data_asset(store, data_asset_name)
    print(f"📦 Modelo: {model_name} versión {version}")
    print(f"📄 Datos:  {asset.name} versión {asset.version} ({asset.path})")
    job_dir = jobs_dir / datetime.now().strftime("local-%Y%m%d-%H%M%S-%f")
    try:
        model_dir = download_model(store, model_name, version, job_dir)
        predictions_dir = job_dir / "named-outputs" / OUTPUT_NAME
        command_line = job_command_line(
            command, model_dir, asset.path.resolve(), predictions_dir.resolve()
        )
        # flush: lo de arriba sale antes que lo del trabajo (en un archivo o en CI).
        print(f"🚀 Ejecutando en {CODE_DIR}: {shlex.join(command_line)}", flush=True)
        finished = subprocess.run(command_line, cwd=CODE_DIR, check=False)
        if finished.returncode != 0:
            raise LabError(
                f"score.py terminó con error (código {finished.returncode}); el "
                "motivo está en el mensaje de arriba."
            )
        return copy_predictions(job_dir, output_path)
    except BaseException:
        shutil.rmtree(job_dir, ignore_errors=True)
        raise
