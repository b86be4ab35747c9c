"""The artifact service and run history's endpoints: HTTP only.

Bodies are built with azureml-mlflow's and azure-ai-ml's own REST models;
what is stored where is in ``models.RunHistory``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from ..app import API_HOST, ArmError, json_response
from ..arm.responses import WS_PATH
from .models import RUN_ORIGIN, RunHistory, run_container

if TYPE_CHECKING:
    from ..app import AzureEmulator

ARTIFACT_PATH = (
    r"/artifact/v2\.0" + WS_PATH + r"/artifacts/(?P<origin>[^/]+)/(?P<container>[^/]+)"
)
RUN_ARTIFACT_PATH = (
    r"/history/v1\.0"
    + WS_PATH
    + r"/experiments/(?P<experiment>[^/]+)/runs/(?P<run>[^/]+)/artifacts"
)


def add_routes(emulator: AzureEmulator) -> None:
    """The artifact service's endpoints, then a run's artifacts."""
    history = emulator.history
    _artifacts(emulator, history)
    _run_artifacts(emulator, history)


def add_job_data_routes(emulator: AzureEmulator) -> None:
    """A job's run data and its outputs' URIs (``ml_client.jobs.download``)."""
    history = emulator.history

    @emulator.route("POST", API_HOST, r"/history/v1\.0" + WS_PATH + r"/rundata")
    def run_data(request: Request, sub: str, rg: str, ws: str) -> Response:
        from azure.ai.ml._restclient.runhistory import models

        run_id = json.loads(request.get_data())["runId"]
        return json_response(models.GetRunDataResult(history.run_data(run_id)))

    @emulator.route(
        "POST",
        API_HOST,
        r"/data/v1\.0" + WS_PATH + r"/dataversion/batchGetResolvedUris",
    )
    def resolve_uris(request: Request, sub: str, rg: str, ws: str) -> Response:
        from azure.ai.ml._restclient.dataset_dataplane import models

        asked = (
            models.BatchGetResolvedURIs(json.loads(request.get_data())).values_property
            or []
        )
        found = history.resolved_uris(asked)
        return json_response(models.BatchDataUriResponse({"values": found}))


def _artifacts(emulator: AzureEmulator, history: RunHistory) -> None:
    """``/artifact/v2.0`` (azureml-mlflow), which hands out blob SAS links."""
    from azureml.mlflow._restclient.artifact import models

    def content(origin: str, container: str, path: str) -> Any:
        return models.ArtifactContentInformation(
            content_uri=history.content_uri(origin, container, path),
            origin=origin,
            container=container,
            path=path,
        )

    @emulator.route("POST", API_HOST, ARTIFACT_PATH + r"/batch/metadata")
    def batch_create(
        request: Request, sub: str, rg: str, ws: str, origin: str, container: str
    ) -> Response:
        body = models.ArtifactPathList.deserialize(json.loads(request.get_data()))
        paths = [item.path for item in body.paths]
        result = models.BatchArtifactContentInformationResult(
            artifacts={
                path: models.Artifact(origin=origin, container=container, path=path)
                for path in paths
            },
            artifact_content_information={
                path: content(origin, container, path) for path in paths
            },
            errors={},
        )
        return json_response(result.serialize(keep_readonly=True))

    @emulator.route("GET", API_HOST, ARTIFACT_PATH + r"/contentinfo")
    def content_info(
        request: Request, sub: str, rg: str, ws: str, origin: str, container: str
    ) -> Response:
        path = request.args.get("path", "")
        if not history.exists(origin, container, path):
            raise ArmError(404, "NotFound", f"Artifact {path} not found.")
        return json_response(
            content(origin, container, path).serialize(keep_readonly=True)
        )

    @emulator.route("GET", API_HOST, ARTIFACT_PATH)
    def list_in_container(
        request: Request, sub: str, rg: str, ws: str, origin: str, container: str
    ) -> Response:
        page = models.PaginatedArtifactList(
            value=[
                models.Artifact(origin=origin, container=container, path=p)
                for p in history.paths(origin, container)
            ]
        )
        return json_response(page.serialize(keep_readonly=True))


def _run_artifacts(emulator: AzureEmulator, history: RunHistory) -> None:
    """A run's artifacts (``mlflow.log_artifact``): run history hands out SAS links.

    A run's artifact URI is ``azureml://experiments/<name>/runs/<id>/artifacts``
    (``mlflow.models.create_experiment``), which azureml-mlflow turns into
    these calls; the files live where Azure ML keeps them, under
    ``ExperimentRun/dcid.<run id>/`` in the workspace's artifact container,
    next to the logs of a job (whose run id is its name).
    """
    from azureml.mlflow._restclient.run_artifact import models

    def content(run: str, path: str) -> Any:
        return models.ArtifactContentInformation(
            content_uri=history.content_uri(RUN_ORIGIN, run_container(run), path),
            origin=RUN_ORIGIN,
            container=run_container(run),
            path=path,
        )

    @emulator.route("POST", API_HOST, RUN_ARTIFACT_PATH + r"/batch/metadata")
    def batch_create(
        request: Request, sub: str, rg: str, ws: str, experiment: str, run: str
    ) -> Response:
        history.check_run(run)
        body = models.ArtifactPathList.deserialize(json.loads(request.get_data()))
        paths = [item.path for item in body.paths]
        result = models.BatchArtifactContentInformationResult(
            artifacts={
                path: models.Artifact(
                    origin=RUN_ORIGIN, container=run_container(run), path=path
                )
                for path in paths
            },
            artifact_content_information={path: content(run, path) for path in paths},
            errors={},
        )
        return json_response(result.serialize(keep_readonly=True))

    @emulator.route("GET", API_HOST, RUN_ARTIFACT_PATH + r"/contentinfo")
    def content_info(
        request: Request, sub: str, rg: str, ws: str, experiment: str, run: str
    ) -> Response:
        path = request.args.get("path", "")
        if not history.exists(RUN_ORIGIN, run_container(run), path):
            raise ArmError(404, "UserError", f"Artifact {path} was not found.")
        return json_response(content(run, path).serialize(keep_readonly=True))

    @emulator.route("GET", API_HOST, RUN_ARTIFACT_PATH)
    def list_in_container(
        request: Request, sub: str, rg: str, ws: str, experiment: str, run: str
    ) -> Response:
        history.check_run(run)
        page = models.PaginatedArtifactList(
            value=[
                models.Artifact(origin=RUN_ORIGIN, container=run_container(run), path=p)
                for p in history.paths(RUN_ORIGIN, run_container(run))
            ]
        )
        return json_response(page.serialize(keep_readonly=True))
