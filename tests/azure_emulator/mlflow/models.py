"""Azure ML's MLflow: MLflow's own server app and stores, and Azure ML's differences.

An experiment keeps its runs' artifacts in the workspace (``azureml://``), a
model version's source must be a model uploaded there, and the registered
versions are also the workspace's model assets (one registry). No HTTP here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..app import ARTIFACT_CONTAINER, WORKSPACE_ID
from ..blob.models import BlobStore

ARTIFACTS_PREFIX = "azureml://artifacts/"


class InvalidSource(Exception):
    """A model version whose source is not an MLflow model uploaded to the workspace."""


def server_app(workdir: Path) -> Any:
    """MLflow's Flask app, with its SQLite store and artifacts in ``workdir``."""
    os.environ["_MLFLOW_SERVER_FILE_STORE"] = (
        f"sqlite:///{(workdir / 'mlflow.db').as_posix()}"
    )
    os.environ["_MLFLOW_SERVER_ARTIFACT_ROOT"] = (workdir / "mlruns").as_uri()
    os.environ["_MLFLOW_SERVER_SERVE_ARTIFACTS"] = "false"
    from mlflow.server import app

    return app


def create_experiment(name: str) -> str:
    """An experiment whose runs keep their artifacts in the workspace: its id.

    Azure ML gives each run the artifact URI
    ``azureml://experiments/<name>/runs/<run id>/artifacts`` (as printed in
    mlflow/mlflow#7806), which azureml-mlflow uploads through run history
    (``/history/v1.0``, SAS links, blob PUTs); MLflow's store derives a
    run's URI from its experiment's location, so that is set here. MLflow's
    refusals are its ``MlflowException``.
    """
    from mlflow.server.handlers import _get_tracking_store

    return str(
        _get_tracking_store().create_experiment(
            name, artifact_location=f"azureml://experiments/{name}/runs"
        )
    )


def create_model_version(blobs: BlobStore, body: dict[str, Any]) -> Any:
    """A model version whose files azureml-mlflow uploaded (``azureml://artifacts/``).

    Azure ML keeps the files it holds; MLflow's own handler would try to
    open the ``azureml://`` source itself, so the store is called here.
    Raises ``InvalidSource`` for any other source.
    """
    from mlflow.server.handlers import _get_model_registry_store

    source = str(body.get("source", ""))
    if (
        not source.startswith(ARTIFACTS_PREFIX)
        or not blobs.path(
            ARTIFACT_CONTAINER, source[len(ARTIFACTS_PREFIX) :] + "/MLmodel"
        ).is_file()
    ):
        raise InvalidSource(source)
    from mlflow.entities.model_registry import ModelVersionTag

    return _get_model_registry_store().create_model_version(
        name=body["name"],
        source=source,
        run_id=body.get("run_id") or None,
        tags=[ModelVersionTag(t["key"], t["value"]) for t in body.get("tags", [])],
        run_link=body.get("run_link") or None,
        description=body.get("description") or None,
    )


def model_versions(name: str) -> dict[str, Any]:
    """The MLflow-registered versions of ``name`` as Azure ML model versions.

    In Azure ML one registry holds both: a model registered with MLflow is a
    model asset of type ``mlflow_model`` whose files are the uploaded folder.
    """
    from mlflow.exceptions import MlflowException
    from mlflow.server.handlers import _get_model_registry_store

    try:
        found = _get_model_registry_store().search_model_versions(f"name = '{name}'")
    except MlflowException:
        return {}
    versions = {}
    for version in found:
        versions[str(version.version)] = {
            "id": f"{WORKSPACE_ID}/models/{name}/versions/{version.version}",
            "name": str(version.version),
            "type": "Microsoft.MachineLearningServices/workspaces/models/versions",
            "properties": {
                "modelType": "mlflow_model",
                "modelUri": version.source,
                "description": version.description,
                # One registry: MLflow's version tags are the asset's tags.
                "tags": dict(version.tags or {}),
                "properties": {},
                "flavors": {"python_function": {"data": {}}},
                "isAnonymous": False,
                "isArchived": False,
                "provisioningState": "Succeeded",
                "jobName": version.run_id,
            },
        }
    return versions
