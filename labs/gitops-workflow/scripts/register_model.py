"""Registra el modelo entrenado en MLflow: en tu workspace de Azure ML o en local.

Se lee de arriba abajo: abre una ejecución (run) de MLflow, guarda en ella los
parámetros del entrenamiento, sus métricas y los archivos de la evaluación,
guarda el modelo como carpeta de MLflow (con su firma: las columnas en bruto
que recibe, y un ejemplo de entrada) y registra esa carpeta con un nombre:
cada registro crea una versión nueva. Con ``--local`` usa el almacén local
(``mlflow.db`` y ``mlartifacts/``) en lugar de Azure.

El modelo se guarda con skops, un formato que no ejecuta código al cargarse,
declarando de confianza solo los tipos de la lista del laboratorio
(``churn_lab.model.TRUSTED_SKOPS_TYPES``, la misma que revisa ``score.py``).
Cada versión lleva su linaje en etiquetas y en su descripción: la ejecución de
MLflow, el commit de git (y su etiqueta de versión, ``v0.2.0``, si la tiene),
las métricas y los datos.

Uso: python scripts/register_model.py [--local] [--model-path artifacts/model.pkl]
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from _lab import LAB_ROOT  # va primero: encuentra src/ y revisa tu Python

import mlflow
import mlflow.sklearn
from mlflow.models import infer_signature

from churn_lab.data import generate_inference_data
from churn_lab.model import (
    DEFAULT_MODEL_PATH,
    METADATA_FILENAME,
    MODEL_NAME,
    load_model,
    trusted_types,
)
from churn_lab.schema import as_model_input
from labkit.cli import build_parser, check_asset_name, report_errors, require_file
from labkit.local_store import local_store, mlflow_ui_hint, prepare_local_store
from labkit.registry import (
    RegisteredModel,
    describe_version,
    lineage_tags,
    mlflow_in_spanish,
    pip_requirements,
)
from labkit.training import read_training_run
from labkit.workspace import (
    EXPERIMENT_NAME,
    WorkspaceConfig,
    add_workspace_arguments,
    azure_errors,
    create_ml_client,
    workspace_config_from_args,
)

RUN_NAME = "registro-modelo"
# Filas reales del esquema en bruto para inferir la firma y el ejemplo.
SIGNATURE_ROWS = 50
EXAMPLE_ROWS = 3


def save_model_folder(model: Any, folder: Path, skops_types: list[str]) -> Path:
    """Guarda ``model`` en ``folder`` como modelo de MLflow (con ``MLmodel``)."""
    rows = as_model_input(generate_inference_data(SIGNATURE_ROWS))
    mlflow.sklearn.save_model(
        model,
        str(folder),
        signature=infer_signature(rows, model.predict(rows)),  # entrada y salida
        input_example=rows.head(EXAMPLE_ROWS),
        skops_trusted_types=skops_types,  # skops: solo datos, sin código
        pip_requirements=pip_requirements(),  # las versiones de este entorno
    )
    return folder


def register_model(
    model_path: Path,
    model_name: str,
    tracking_uri: str,
    models_dir: Path,
    config: WorkspaceConfig | None = None,
) -> RegisteredModel:
    """Registra ``model_path`` como versión nueva de ``model_name`` en MLflow.

    Se registra la carpeta del modelo (``file://`` y su ruta absoluta), no un
    modelo «logged» de MLflow 3 (``mlflow.sklearn.log_model``), que Azure ML no
    implementa: así funciona igual en Azure ML, que sube la carpeta, y en el
    almacén local. ``config`` es el workspace de Azure (``None`` en local).
    """
    training = read_training_run(model_path)  # archivos de un mismo entrenamiento
    # model.pkl es de joblib (pickle, ejecuta código al cargar): el tuyo, de
    # train_model.py. En el registro se guarda con skops, que solo son datos.
    model = load_model(model_path)
    skops_types = trusted_types(model)

    with mlflow_in_spanish(tracking_uri):
        mlflow.set_tracking_uri(tracking_uri)
        mlflow.set_experiment(EXPERIMENT_NAME)
        with mlflow.start_run(run_name=RUN_NAME) as run:
            mlflow.log_params(training.params)
            mlflow.log_metrics(training.metrics)
            mlflow.log_metrics(training.baseline_metrics)
            for path in training.evaluation_files:
                mlflow.log_artifact(path, artifact_path="evaluacion")

            folder = save_model_folder(model, models_dir / run.info.run_id, skops_types)
            # Sin run_id (Azure ML no lo acepta con file://): el linaje va en
            # las etiquetas y en la descripción de la versión.
            tags = lineage_tags(training.metadata, run.info.run_id)
            version = mlflow.register_model(
                "file://" + os.path.abspath(folder), model_name, tags=tags
            )
            description = describe_version(version, tags, run, config)
    return RegisteredModel(
        model_name, int(version.version), run.info.run_id, tags, description
    )


def register_in_azure(args: argparse.Namespace) -> RegisteredModel:
    """Registra en el MLflow del workspace de Azure ML de ``config.json``."""
    config = workspace_config_from_args(args)
    print(f"☁️  Conectando con el workspace {config.workspace_name}…")
    with azure_errors(config):
        ml_client = create_ml_client(config)
        workspace = ml_client.workspaces.get(config.workspace_name)
        print(f"🗂️  Registrando en el MLflow de {config.workspace_name}…")
        with tempfile.TemporaryDirectory(prefix="modelo-") as models_dir:
            return register_model(
                args.model_path,
                args.model_name,
                str(workspace.mlflow_tracking_uri),
                Path(models_dir),
                config,
            )


@report_errors
def main(argv: Sequence[str] | None = None) -> int:
    """Lee los argumentos, registra el modelo y devuelve el código de salida."""
    parser = build_parser(__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument(
        "--model-name",
        default=MODEL_NAME,
        type=check_asset_name,
        help="nombre del modelo en el registro",
    )
    parser.add_argument(
        "--model-path",
        type=Path,
        default=LAB_ROOT / DEFAULT_MODEL_PATH,
        help=f"modelo entrenado (junto a él debe estar {METADATA_FILENAME})",
    )
    add_workspace_arguments(parser)
    args = parser.parse_args(argv)

    require_file(
        args.model_path,
        "el modelo",
        "Entrénalo primero con: python scripts/train_model.py",
    )
    if args.local:
        store = local_store()
        tracking_uri = prepare_local_store(store)
        print(f"🗂️  Registrando en el almacén local de MLflow ({store.db_path})…")
        registered = register_model(
            args.model_path, args.model_name, tracking_uri, store.models_dir
        )
    else:
        registered = register_in_azure(args)

    print(f"✅ Modelo registrado: {registered.name}")
    print(f"Versión registrada: {registered.version}")
    print(f"URI del modelo: {registered.model_uri}")
    print(f"Ejecución de MLflow: {registered.run_id}")
    print(f"Commit: {registered.tags.get('git_commit', 'sin git')}")
    print(f"🏷️  Etiquetas: {', '.join(sorted(registered.tags))}")
    print(f"🔗 {registered.description.rsplit(': ', 1)[-1]}")
    if args.local:
        print(f"👀 Para verlo en el navegador: {mlflow_ui_hint()}")
    else:
        print(
            f"👀 Míralo en Azure ML Studio → Modelos → {registered.name} → "
            f"versión {registered.version} (Etiquetas y Descripción)"
        )
    print("➡️  Siguiente paso: python scripts/create_inference_data.py")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
