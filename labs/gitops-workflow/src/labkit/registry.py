"""El registro de modelos de MLflow: lo que ``register_model.py`` usa además de él.

``scripts/register_model.py`` muestra la lección de MLflow de arriba abajo (la
ejecución, sus parámetros y métricas, la carpeta del modelo y su registro).
Aquí vive lo demás, una llamada por cada cosa:

- ``mlflow_in_spanish``: MLflow anuncia en inglés el registro y el enlace de la
  ejecución («Successfully registered model…», «View run…»); el script lo dice
  en español al terminar. Sus errores (``MlflowException``) se convierten en
  un ``LabError`` con el arreglo, y nada sale de tu computadora hacia MLflow
  (la telemetría queda apagada).
- ``pip_requirements``: las bibliotecas que necesita el modelo, fijadas.
- ``lineage_tags`` y ``describe_version``: el linaje de cada versión. MLflow no
  enlaza la versión con su ejecución cuando se registra una carpeta
  (``file://``), y el registro de Azure ML no acepta ``run_id``: las
  etiquetas (tags) y la descripción dicen de qué ejecución, commit y datos
  viene, con el enlace a Azure ML Studio o a ``mlflow ui``.
"""

from __future__ import annotations

import contextlib
import io
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from labkit import LAB_ROOT
from labkit.cli import LabError, first_line, git
from labkit.local_store import quiet_mlflow_logs
from labkit.workspace import WorkspaceConfig

# Donde abre mlflow ui (el comando de mlflow_ui_hint) y Azure ML Studio.
MLFLOW_UI_URL = "http://127.0.0.1:5000"
STUDIO_URL = "https://ml.azure.com"
# Avisos de MLflow (en inglés) que register_model.py ya da en español.
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
    """Lo que queda registrado: nombre, versión, ejecución de MLflow y linaje."""

    name: str
    version: int
    run_id: str
    tags: dict[str, str]
    description: str

    @property
    def model_uri(self) -> str:
        """La URI de MLflow de esta versión: ``models:/<nombre>/<versión>``."""
        return f"models:/{self.name}/{self.version}"


@contextlib.contextmanager
def mlflow_in_spanish(tracking_uri: str) -> Iterator[None]:
    """Lo que MLflow dice en inglés, en español; sus errores, como ``LabError``.

    Dentro del bloque, los avisos de MLflow que el script ya da en español
    (``MLFLOW_NOTICES``) no se muestran; cualquier otro mensaje suyo sí, al
    terminar, tal cual. MLflow avisa también de que una columna entera no
    admite vacíos: el esquema de clientes ya no los admite (``score.py`` los
    rechaza antes de puntuar), así que ese aviso se omite.
    """
    from mlflow.exceptions import MlflowException

    quiet_mlflow_logs()
    notices = io.StringIO()
    try:
        with contextlib.redirect_stdout(notices), contextlib.redirect_stderr(notices):
            with warnings.catch_warnings():
                warnings.filterwarnings(
                    "ignore", message=".*integer column", category=UserWarning
                )
                yield
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


def pip_requirements() -> list[str]:
    """Las bibliotecas del modelo fijadas a la versión instalada."""
    return [f"{name}=={version(name)}" for name in MODEL_REQUIREMENTS]


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


def describe_version(
    model_version: Any,
    tags: dict[str, str],
    run: Any,
    config: WorkspaceConfig | None,
) -> str:
    """Pone a la versión registrada su descripción con el linaje; la devuelve.

    ``mlflow.register_model`` no recibe una descripción: se añade después, con
    el cliente de MLflow, en el registro de Azure ML o en el local.
    """
    import mlflow

    url = run_url(run.info.run_id, run.info.experiment_id, config)
    description = lineage_description(tags, url)
    mlflow.MlflowClient().update_model_version(
        model_version.name, model_version.version, description=description
    )
    return description
