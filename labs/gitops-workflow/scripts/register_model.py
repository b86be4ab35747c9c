"""Registra el modelo entrenado en MLflow: en tu workspace de Azure ML o en local.

En una ejecución (run) de MLflow guarda los parámetros del entrenamiento
(tipo de modelo, semilla, número de clientes), las métricas de
``artifacts/model_metadata.json`` y el modelo con su firma (las columnas en
bruto que recibe) y un ejemplo de entrada, y lo registra con un nombre: cada
registro crea una versión nueva. Con ``--local`` usa el almacén local
(``mlflow.db`` y ``mlartifacts/``) en lugar de Azure.

MLflow 3 guarda los modelos de scikit-learn con skops, un formato que no
ejecuta código al cargar y que rechaza los tipos que no se declaran de
confianza. Este script calcula qué tipos necesita el modelo, comprueba que
están en la lista corta y conocida del laboratorio
(``churn_lab.model.TRUSTED_SKOPS_TYPES``, la misma que revisa ``score.py``
antes de cargar un modelo) y solo entonces los declara.

Cada versión lleva su linaje, en el registro de Azure ML y en el local:
etiquetas (tags) con la ejecución de MLflow, el commit de git, la etiqueta de
versión de ese commit si la tiene (``v0.2.0``), ROC-AUC, exactitud, semilla y
número de clientes, y una descripción con el enlace a la ejecución (Azure ML
Studio, o ``mlflow ui`` en local). MLflow no enlaza la versión con la
ejecución cuando se registra una carpeta (``file://``): las etiquetas lo dicen.

Uso: python scripts/register_model.py [--local] [--model-path artifacts/model.pkl]
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _lab import LAB_ROOT  # va primero: revisa Python y el entorno virtual
from churn_lab.evaluation import log_evaluation
from churn_lab.model import (
    DEFAULT_MODEL_PATH,
    METADATA_FILENAME,
    MODEL_NAME,
    TRUSTED_SKOPS_TYPES,
)
from labkit.cli import (
    LabError,
    build_parser,
    check_asset_name,
    first_line,
    git,
    report_errors,
    require_file,
)
from labkit.local_store import (
    local_store,
    mlflow_ui_hint,
    prepare_local_store,
    quiet_mlflow_logs,
)
from labkit.workspace import (
    EXPERIMENT_NAME,
    WorkspaceConfig,
    add_workspace_arguments,
    azure_errors,
    create_ml_client,
    workspace_config_from_args,
)

# Filas reales del esquema en bruto para inferir la firma y el ejemplo.
SIGNATURE_ROWS = 50
EXAMPLE_ROWS = 3
RUN_NAME = "registro-modelo"
# Donde abre mlflow ui (el comando de mlflow_ui_hint) y Azure ML Studio.
MLFLOW_UI_URL = "http://127.0.0.1:5000"
STUDIO_URL = "https://ml.azure.com"
# Avisos de MLflow (en inglés) que este script ya da en español.
MLFLOW_NOTICES = (
    "Successfully registered model",
    "Registered model",
    "Registering model",
    "Created version",
    "🏃 View run",
    "🧪 View experiment",
)
# Lo que hace falta instalar para cargar el modelo, con las versiones de este
# entorno (las mismas que conda.yml). Decirlo evita que MLflow lo adivine
# cargando el modelo en otro proceso, que tarda varios segundos.
MODEL_REQUIREMENTS: tuple[str, ...] = (
    "mlflow-skinny",
    "scikit-learn",
    "numpy",
    "pandas",
    "skops",
)


@dataclass(frozen=True)
class RegisteredModel:
    """Lo que queda registrado: nombre, versión, URI y ejecución de MLflow."""

    name: str
    version: int
    model_uri: str
    run_id: str
    tags: dict[str, str]
    description: str


def read_metadata(model_path: Path) -> dict[str, Any]:
    """Lee ``model_metadata.json`` (junto al modelo) con las métricas."""
    metadata_path = require_file(
        Path(model_path).parent / METADATA_FILENAME,
        "el archivo de metadatos del modelo",
        "Entrena el modelo con: python scripts/train_model.py",
    )
    try:
        metadata = json.loads(metadata_path.read_text(encoding="utf-8"))
        metrics = {name: float(value) for name, value in metadata["metrics"].items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        raise LabError(
            f"el archivo {metadata_path} está dañado o no tiene las métricas. "
            "Vuelve a entrenar el modelo con: python scripts/train_model.py"
        ) from None
    metadata["metrics"] = metrics
    return dict(metadata)


def check_training_files(folder: Path, metadata: dict[str, Any]) -> None:
    """Comprueba que model.pkl, metrics.json y los PNG son del mismo entrenamiento.

    ``train_model.py`` guarda en ``model_metadata.json`` la huella (SHA-256) de
    cada archivo que escribió. Si un entrenamiento se interrumpió a medias, o se
    mezclaron archivos de dos, las huellas no coinciden y no se registra nada.
    """
    from churn_lab.model import file_digest

    fix = "Vuelve a entrenar el modelo con: python scripts/train_model.py"
    files = metadata.get("files")
    if not isinstance(files, dict) or not files:
        raise LabError(
            f"{folder / METADATA_FILENAME} no dice qué archivos escribió el "
            f"entrenamiento (falta «files»). {fix}"
        )
    for name, digest in sorted(files.items()):
        path = folder / str(name)
        if not path.is_file() or file_digest(path) != digest:
            raise LabError(
                f"{path} no es del mismo entrenamiento que "
                f"{METADATA_FILENAME} (falta o cambió después). {fix}"
            )


def trusted_types(model: Any) -> list[str]:
    """Los tipos que skops debe aceptar para este modelo, si están permitidos."""
    import skops.io

    needed = skops.io.get_untrusted_types(data=skops.io.dumps(model))
    unexpected = sorted(set(needed) - set(TRUSTED_SKOPS_TYPES))
    if unexpected:
        raise LabError(
            "el modelo usa tipos que skops no considera seguros y que no están en "
            f"TRUSTED_SKOPS_TYPES: {', '.join(unexpected)}. Si son de scikit-learn "
            "y entiendes por qué aparecen, añádelos a esa lista en "
            "src/churn_lab/model.py."
        )
    return sorted(needed)


def pip_requirements() -> list[str]:
    """Las bibliotecas del modelo fijadas a la versión instalada."""
    from importlib.metadata import version

    return [f"{name}=={version(name)}" for name in MODEL_REQUIREMENTS]


def signature_rows(rows: int = SIGNATURE_ROWS) -> Any:
    """Filas reales con las columnas en bruto que recibe el modelo."""
    from churn_lab.data import generate_inference_data
    from churn_lab.schema import as_model_input

    return as_model_input(generate_inference_data(rows))


def log_training_run(metadata: dict[str, Any]) -> None:
    """Guarda en la ejecución activa de MLflow lo que describe el entrenamiento."""
    import mlflow

    mlflow.log_params(
        {
            "model_type": metadata.get("model_type", "desconocido"),
            "random_seed": metadata.get("random_seed", "desconocida"),
            "num_samples": metadata.get("num_samples", "desconocido"),
        }
    )
    mlflow.log_metrics(metadata["metrics"])


def save_model_folder(model: Any, folder: Path, skops_types: list[str]) -> Path:
    """Guarda ``model`` en ``folder`` como modelo de MLflow (con ``MLmodel``)."""
    import warnings

    import mlflow.sklearn
    from mlflow.models import infer_signature

    rows = signature_rows()
    with warnings.catch_warnings():
        # MLflow avisa de que una columna entera no admite vacíos: el esquema
        # de clientes ya no los admite (score.py los rechaza antes de puntuar).
        warnings.filterwarnings(
            "ignore", message=".*integer column", category=UserWarning
        )
        signature = infer_signature(rows, model.predict(rows))
        mlflow.sklearn.save_model(
            model,
            str(folder),
            signature=signature,
            input_example=rows.head(EXAMPLE_ROWS),
            skops_trusted_types=skops_types,
            pip_requirements=pip_requirements(),
        )
    return folder


def git_lineage(root: Path = LAB_ROOT) -> dict[str, str]:
    """El commit de ``root`` y su etiqueta de versión, si la tiene (sin git: nada)."""
    lineage: dict[str, str] = {}
    try:
        lineage["git_commit"] = git(["rev-parse", "HEAD"], root)
    except LabError:
        return lineage  # no es un repositorio (o no hay git): no hay commit que anotar
    try:
        lineage["release"] = git(["describe", "--tags", "--exact-match", "HEAD"], root)
    except LabError:
        pass  # este commit no tiene etiqueta de versión
    return lineage


def lineage_tags(
    metadata: dict[str, Any], run_id: str, root: Path = LAB_ROOT
) -> dict[str, str]:
    """Las etiquetas de la versión: de qué ejecución, commit y datos viene."""
    metrics = metadata["metrics"]
    tags = {
        "mlflow_run_id": run_id,
        **git_lineage(root),
        "random_seed": str(metadata.get("random_seed", "desconocida")),
        "num_samples": str(metadata.get("num_samples", "desconocido")),
    }
    for name in ("roc_auc", "accuracy"):
        if name in metrics:
            tags[name] = f"{metrics[name]:.4f}"
    return tags


def run_url(run_id: str, experiment_id: str, config: WorkspaceConfig | None) -> str:
    """Dónde se ve la ejecución: Azure ML Studio, o ``mlflow ui`` en local."""
    if config is None:
        return f"{MLFLOW_UI_URL}/#/experiments/{experiment_id}/runs/{run_id}"
    workspace = (
        f"/subscriptions/{config.subscription_id}/resourceGroups/"
        f"{config.resource_group}/providers/Microsoft.MachineLearningServices/"
        f"workspaces/{config.workspace_name}"
    )
    return f"{STUDIO_URL}/runs/{run_id}?wsid={workspace}"


def lineage_description(tags: dict[str, str], url: str) -> str:
    """La descripción de la versión: la ejecución que la registró y su enlace."""
    commit = tags.get("git_commit", "")
    source = f"commit {commit[:7]}" if commit else "una carpeta sin git"
    if "release" in tags:
        source += f" ({tags['release']})"
    return (
        f"Modelo de abandono de clientes registrado por register_model.py desde "
        f"{source}. Ejecución de MLflow {tags['mlflow_run_id']}: {url}"
    )


def register_model(
    model_path: Path,
    model_name: str,
    tracking_uri: str,
    models_dir: Path,
    config: WorkspaceConfig | None = None,
) -> RegisteredModel:
    """Registra ``model_path`` como versión nueva de ``model_name`` en MLflow.

    El modelo se guarda primero como carpeta de MLflow en ``models_dir`` y se
    registra esa carpeta (``file://`` y su ruta absoluta). Así funciona igual
    en Azure ML, que sube la carpeta a su almacén y no implementa los «logged
    models» de MLflow 3 que usaría ``mlflow.sklearn.log_model``, y en el
    almacén local, donde la carpeta queda guardada. ``config`` es el
    workspace de Azure (``None`` en local): decide el enlace de la descripción.
    """
    import mlflow
    from mlflow.exceptions import MlflowException

    from churn_lab.model import load_model

    metadata = read_metadata(model_path)
    check_training_files(Path(model_path).parent, metadata)
    # model.pkl es de joblib (pickle, ejecuta código al cargar): el tuyo, de
    # train_model.py. En el registro se guarda con skops, que solo son datos.
    model = load_model(model_path)
    skops_types = trusted_types(model)  # antes de conectarse a MLflow
    quiet_mlflow_logs()

    mlflow.set_tracking_uri(tracking_uri)
    # MLflow anuncia en inglés el registro y el enlace de la ejecución
    # («Successfully registered model…», «View run…»); este script da lo mismo
    # en español al terminar. Cualquier otro mensaje suyo se muestra tal cual.
    notices = io.StringIO()
    try:
        with contextlib.redirect_stdout(notices), contextlib.redirect_stderr(notices):
            mlflow.set_experiment(EXPERIMENT_NAME)
            with mlflow.start_run(run_name=RUN_NAME) as run:
                log_training_run(metadata)
                log_evaluation(Path(model_path).parent)
                folder = save_model_folder(
                    model, models_dir / run.info.run_id, skops_types
                )
                # Sin run_id: el registro de Azure ML no lo acepta con file://;
                # el linaje va en las etiquetas y en la descripción.
                tags = lineage_tags(metadata, run.info.run_id)
                description = lineage_description(
                    tags, run_url(run.info.run_id, run.info.experiment_id, config)
                )
                version = mlflow.register_model(
                    "file://" + os.path.abspath(folder), model_name, tags=tags
                )
                mlflow.MlflowClient().update_model_version(
                    model_name, version.version, description=description
                )
    except MlflowException as error:
        raise LabError(
            f"MLflow no pudo registrar el modelo en {tracking_uri}: "
            f"{first_line(error)}. "
            "Revisa la conexión y los permisos del workspace."
        ) from None
    finally:
        for line in notices.getvalue().splitlines():
            if not line.startswith(MLFLOW_NOTICES):
                print(line, file=sys.stderr)
    number = int(version.version)
    return RegisteredModel(
        model_name,
        number,
        f"models:/{model_name}/{number}",
        run.info.run_id,
        tags,
        description,
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
        config = workspace_config_from_args(args)
        print(f"☁️  Conectando con el workspace {config.workspace_name}…")
        with azure_errors(config):
            ml_client = create_ml_client(config)
            workspace = ml_client.workspaces.get(config.workspace_name)
            tracking_uri = str(workspace.mlflow_tracking_uri)
            print(f"🗂️  Registrando en el MLflow de {config.workspace_name}…")
            with tempfile.TemporaryDirectory(prefix="modelo-") as models_dir:
                registered = register_model(
                    args.model_path,
                    args.model_name,
                    tracking_uri,
                    Path(models_dir),
                    config,
                )

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
