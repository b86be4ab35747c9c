"""The endpoints of the emulated services, grouped by the client that calls them."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from .app import (
    API_HOST,
    ARM,
    BLOB_HOST,
    CLIENT_ID,
    CLIENT_SECRET,
    LOGIN,
    REGION,
    RESOURCE_GROUP,
    SUBSCRIPTION,
    SUBSCRIPTIONS,
    TENANT,
    TENANTS,
    WORKSPACE,
    WORKSPACE_ID,
    arm_error,
    json_response,
)

if TYPE_CHECKING:
    from .app import AzureEmulator

RG_PATH = r"/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<rg>[^/]+)"
WS_PATH = (
    RG_PATH + r"/providers/Microsoft\.MachineLearningServices/workspaces/(?P<ws>[^/]+)"
)


def add_routes(emulator: AzureEmulator) -> None:
    """Registers every endpoint on ``emulator``."""
    from .login.responses import add_routes as add_login_routes

    add_login_routes(emulator)
    _workspace(emulator)
    from .blob.responses import add_routes as add_blob_routes

    add_blob_routes(emulator)
    _artifacts(emulator)
    _run_artifacts(emulator)
    _datastores(emulator)
    emulator.assets = Assets(emulator)
    _assets(emulator, emulator.assets)
    from .jobs import add_job_routes

    add_job_routes(emulator)


# --------------------------------------------------------------------------
# Azure Resource Manager: the workspace
# --------------------------------------------------------------------------


def arm_faults(
    emulator: AzureEmulator, sub: str, rg: str, ws: str | None
) -> Response | None:
    """The errors ARM gives before reaching the workspace, in its own format."""
    if "expired_token" in emulator.faults:
        return arm_error(
            401,
            "ExpiredAuthenticationToken",
            "The access token expiry UTC time '11/28/2026 10:00:00 PM' is earlier "
            "than current UTC time '11/28/2026 11:00:00 PM'.",
        )
    if "forbidden" in emulator.faults:
        return arm_error(
            403,
            "AuthorizationFailed",
            f"The client '{CLIENT_ID}' with object id '{CLIENT_ID}' does not have "
            "authorization to perform action "
            "'Microsoft.MachineLearningServices/workspaces/read' over scope "
            f"'{WORKSPACE_ID}' or the scope is invalid. If access was recently "
            "granted, please refresh your credentials.",
        )
    if sub != SUBSCRIPTION:
        return arm_error(
            404, "SubscriptionNotFound", f"The subscription '{sub}' could not be found."
        )
    if rg != RESOURCE_GROUP or "no_resource_group" in emulator.faults:
        return arm_error(
            404, "ResourceGroupNotFound", f"Resource group '{rg}' could not be found."
        )
    if ws is not None and (ws != WORKSPACE or "no_workspace" in emulator.faults):
        return arm_error(
            404,
            "ResourceNotFound",
            f"The Resource 'Microsoft.MachineLearningServices/workspaces/{ws}' under "
            f"resource group '{rg}' was not found. For more details please go to "
            "https://aka.ms/ARMResourceNotFoundFix",
        )
    return None


def workspace_body() -> Any:
    """The workspace as ``GET .../workspaces/<name>`` returns it."""
    from azure.ai.ml._restclient.arm_ml_service import models

    return models.Workspace(
        {
            "id": WORKSPACE_ID,
            "name": WORKSPACE,
            "type": "Microsoft.MachineLearningServices/workspaces",
            "location": REGION,
            "kind": "Default",
            "sku": {"name": "Basic", "tier": "Basic"},
            "identity": {
                "type": "SystemAssigned",
                "principalId": CLIENT_ID,
                "tenantId": TENANT,
            },
            "properties": {
                "friendlyName": WORKSPACE,
                "workspaceId": "0b0b0b0b-1c1c-2d2d-3e3e-4f4f4f4f4f4f",
                "discoveryUrl": f"https://{API_HOST}/discovery",
                "mlFlowTrackingUri": (
                    f"azureml://{API_HOST}/mlflow/v1.0{WORKSPACE_ID}"
                ),
                "storageAccount": (
                    f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{RESOURCE_GROUP}"
                    f"/providers/Microsoft.Storage/storageAccounts/{BLOB_HOST.split('.')[0]}"
                ),
                "provisioningState": "Succeeded",
                "publicNetworkAccess": "Enabled",
                "v1LegacyMode": False,
            },
        }
    )


def _workspace(emulator: AzureEmulator) -> None:
    @emulator.route("GET", ARM, WS_PATH)
    def get_workspace(request: Request, sub: str, rg: str, ws: str) -> Response:
        return arm_faults(emulator, sub, rg, ws) or json_response(workspace_body())

    @emulator.route("GET", API_HOST, r"/discovery")
    def discovery(request: Request) -> Response:
        base = f"https://{API_HOST}"
        return json_response(
            {
                "api": base,
                "catalog": base,
                "experimentation": base,
                "gallery": base,
                "history": base,
                "hyperdrive": base,
                "labeling": base,
                "modelmanagement": base,
                "pipelines": base,
                "studiourl": "https://ml.azure.com",
            }
        )




# --------------------------------------------------------------------------
# Artifacts (azureml-mlflow): /artifact/v2.0, which hands out blob SAS links
# --------------------------------------------------------------------------

ARTIFACT_PATH = (
    r"/artifact/v2\.0" + WS_PATH + r"/artifacts/(?P<origin>[^/]+)/(?P<container>[^/]+)"
)


def _artifacts(emulator: AzureEmulator) -> None:
    from azureml.mlflow._restclient.artifact import models

    from .app import ARTIFACT_CONTAINER

    def content(origin: str, container: str, path: str) -> Any:
        name = f"{origin}/{container}/{path}"
        return models.ArtifactContentInformation(
            content_uri=emulator.blobs.url(ARTIFACT_CONTAINER, name),
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
        if not emulator.blobs.path(
            ARTIFACT_CONTAINER, f"{origin}/{container}/{path}"
        ).is_file():
            return arm_error(404, "NotFound", f"Artifact {path} not found.")
        return json_response(
            content(origin, container, path).serialize(keep_readonly=True)
        )

    @emulator.route("GET", API_HOST, ARTIFACT_PATH)
    def list_in_container(
        request: Request, sub: str, rg: str, ws: str, origin: str, container: str
    ) -> Response:
        root = emulator.blobs.path(ARTIFACT_CONTAINER, f"{origin}/{container}")
        paths = (
            sorted(
                p.relative_to(root).as_posix()
                for p in root.rglob("*")
                if p.is_file() and not p.name.endswith(".metadata.json")
            )
            if root.is_dir()
            else []
        )
        page = models.PaginatedArtifactList(
            value=[
                models.Artifact(origin=origin, container=container, path=p)
                for p in paths
            ]
        )
        return json_response(page.serialize(keep_readonly=True))


RUN_ARTIFACT_PATH = (
    r"/history/v1\.0"
    + WS_PATH
    + r"/experiments/(?P<experiment>[^/]+)/runs/(?P<run>[^/]+)/artifacts"
)


def _run_artifacts(emulator: AzureEmulator) -> None:
    """A run's artifacts (``mlflow.log_artifact``): run history hands out SAS links.

    A run's artifact URI is ``azureml://experiments/<name>/runs/<id>/artifacts``
    (``AzureEmulator._create_experiment``), which azureml-mlflow turns into
    these calls; the files live where Azure ML keeps them, under
    ``ExperimentRun/dcid.<run id>/`` in the workspace's artifact container,
    next to the logs of a job (whose run id is its name).
    """
    from azureml.mlflow._restclient.run_artifact import models

    from .app import ARTIFACT_CONTAINER

    def run_missing(run: str) -> Response | None:
        from mlflow.exceptions import MlflowException
        from mlflow.server.handlers import _get_tracking_store

        try:
            _get_tracking_store().get_run(run)
        except MlflowException:
            return arm_error(404, "UserError", f"Run {run} was not found.")
        return None

    def content(run: str, path: str) -> Any:
        name = f"ExperimentRun/dcid.{run}/{path}"
        return models.ArtifactContentInformation(
            content_uri=emulator.blobs.url(ARTIFACT_CONTAINER, name),
            origin="ExperimentRun",
            container=f"dcid.{run}",
            path=path,
        )

    @emulator.route("POST", API_HOST, RUN_ARTIFACT_PATH + r"/batch/metadata")
    def batch_create(
        request: Request, sub: str, rg: str, ws: str, experiment: str, run: str
    ) -> Response:
        missing = run_missing(run)
        if missing:
            return missing
        body = models.ArtifactPathList.deserialize(json.loads(request.get_data()))
        paths = [item.path for item in body.paths]
        result = models.BatchArtifactContentInformationResult(
            artifacts={
                path: models.Artifact(
                    origin="ExperimentRun", container=f"dcid.{run}", path=path
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
        blob = emulator.blobs.path(
            ARTIFACT_CONTAINER, f"ExperimentRun/dcid.{run}/{path}"
        )
        if not blob.is_file():
            return arm_error(404, "UserError", f"Artifact {path} was not found.")
        return json_response(content(run, path).serialize(keep_readonly=True))

    @emulator.route("GET", API_HOST, RUN_ARTIFACT_PATH)
    def list_in_container(
        request: Request, sub: str, rg: str, ws: str, experiment: str, run: str
    ) -> Response:
        missing = run_missing(run)
        if missing:
            return missing
        root = emulator.blobs.path(ARTIFACT_CONTAINER, f"ExperimentRun/dcid.{run}")
        paths = sorted(
            p.relative_to(root).as_posix()
            for p in (root.rglob("*") if root.is_dir() else [])
            if p.is_file() and not p.name.endswith(".metadata.json")
        )
        page = models.PaginatedArtifactList(
            value=[
                models.Artifact(origin="ExperimentRun", container=f"dcid.{run}", path=p)
                for p in paths
            ]
        )
        return json_response(page.serialize(keep_readonly=True))


# --------------------------------------------------------------------------
# Workspace assets through ARM: datastores, data, models, code, environments
# --------------------------------------------------------------------------

DATASTORE_ID = WORKSPACE_ID + "/datastores/"


def rest_model(kind: str, data: Any) -> Any:
    """``data`` parsed with azure-ai-ml's REST model for ``kind`` (with discriminators)."""
    from azure.ai.ml._restclient.arm_ml_service import models

    cls = {
        "data": models.DataVersionBase,
        "models": models.ModelVersion,
        "codes": models.CodeVersion,
        "environments": models.EnvironmentVersion,
        "jobs": models.JobBase,
        "computes": models.ComputeResource,
        "datastores": models.Datastore,
    }[kind]
    return cls._deserialize(data, [])


def _datastores(emulator: AzureEmulator) -> None:
    from azure.ai.ml._restclient.arm_ml_service import models

    from .app import ARTIFACT_CONTAINER, CONTAINER, DATASTORE

    ARTIFACT_DATASTORE = "workspaceartifactstore"

    def datastore(
        name: str = DATASTORE, container: str = CONTAINER, default: bool = True
    ) -> Any:
        return models.Datastore(
            {
                "id": DATASTORE_ID + name,
                "name": name,
                "type": "Microsoft.MachineLearningServices/workspaces/datastores",
                "properties": {
                    "datastoreType": "AzureBlob",
                    "accountName": BLOB_HOST.split(".")[0],
                    "containerName": container,
                    "endpoint": "core.windows.net",
                    "protocol": "https",
                    "isDefault": default,
                    "serviceDataAccessAuthIdentity": "WorkspaceSystemAssignedIdentity",
                    "credentials": {
                        "credentialsType": "AccountKey",
                        "secrets": {"secretsType": "AccountKey"},
                    },
                },
            }
        )

    @emulator.route("GET", ARM, WS_PATH + r"/datastores/(?P<name>[^/]+)")
    def get_datastore(
        request: Request, sub: str, rg: str, ws: str, name: str
    ) -> Response:
        fault = arm_faults(emulator, sub, rg, ws)
        if fault:
            return fault
        if name == ARTIFACT_DATASTORE:  # where run history keeps logs
            return json_response(
                datastore(ARTIFACT_DATASTORE, ARTIFACT_CONTAINER, False)
            )
        if name != DATASTORE:
            return arm_error(404, "UserError", f"Datastore {name} not found.")
        return json_response(datastore())

    @emulator.route("GET", ARM, WS_PATH + r"/datastores")
    def list_datastores(request: Request, sub: str, rg: str, ws: str) -> Response:
        return arm_faults(emulator, sub, rg, ws) or json_response(
            {"value": [datastore()]}
        )

    @emulator.route("POST", ARM, WS_PATH + r"/datastores/(?P<name>[^/]+)/listSecrets")
    def list_secrets(
        request: Request, sub: str, rg: str, ws: str, name: str
    ) -> Response:
        import base64

        key = base64.b64encode(b"clave-de-pruebas-del-emulador").decode()
        return json_response(
            models.AccountKeyDatastoreSecrets({"secretsType": "AccountKey", "key": key})
        )


class Assets:
    """Versioned assets (data, code, environments, models) kept in memory."""

    def __init__(self, emulator: AzureEmulator) -> None:
        self.emulator = emulator
        self.versions: dict[tuple[str, str], dict[str, Any]] = {}

    def all_versions(self, kind: str, name: str) -> dict[str, Any]:
        from .mlflow.models import model_versions

        found = dict(self.versions.get((kind, name), {}))
        if kind == "models":
            found.update(model_versions(name))
        return found

    def container(self, kind: str, name: str) -> Any:
        versions = self.all_versions(kind, name)
        if not versions:
            return None
        numeric = [int(v) for v in versions if v.isdigit()]
        latest = str(max(numeric)) if numeric else sorted(versions)[-1]
        return {
            "id": f"{WORKSPACE_ID}/{kind}/{name}",
            "name": name,
            "type": f"Microsoft.MachineLearningServices/workspaces/{kind}",
            "properties": {
                "latestVersion": latest,
                "nextVersion": str(max(numeric, default=0) + 1),
                "isArchived": False,
            },
        }


def _assets(emulator: AzureEmulator, assets: Assets) -> None:
    kinds = r"(?P<kind>data|models|codes|environments)"

    @emulator.route("GET", ARM, WS_PATH + "/" + kinds + r"/(?P<name>[^/]+)")
    def get_container(
        request: Request, sub: str, rg: str, ws: str, kind: str, name: str
    ) -> Response:
        fault = arm_faults(emulator, sub, rg, ws)
        if fault:
            return fault
        container = assets.container(kind, name)
        if container is None:
            return not_found(kind, name)
        return json_response(container)

    @emulator.route("GET", ARM, WS_PATH + "/" + kinds + r"/(?P<name>[^/]+)/versions")
    def list_versions(
        request: Request, sub: str, rg: str, ws: str, kind: str, name: str
    ) -> Response:
        fault = arm_faults(emulator, sub, rg, ws)
        if fault:
            return fault
        versions = assets.all_versions(kind, name)
        ordered = sorted(
            versions.items(),
            key=lambda item: int(item[0]) if item[0].isdigit() else 0,
            reverse=True,
        )
        top = int(request.args.get("$top", len(ordered) or 1))
        return json_response({"value": [body for _, body in ordered[:top]]})

    @emulator.route(
        "GET",
        ARM,
        WS_PATH + "/" + kinds + r"/(?P<name>[^/]+)/versions/(?P<version>[^/]+)",
    )
    def get_version(
        request: Request, sub: str, rg: str, ws: str, kind: str, name: str, version: str
    ) -> Response:
        fault = arm_faults(emulator, sub, rg, ws)
        if fault:
            return fault
        body = assets.all_versions(kind, name).get(version)
        if body is None:
            return not_found(kind, name, version)
        return json_response(body)

    @emulator.route(
        "PUT",
        ARM,
        WS_PATH + "/" + kinds + r"/(?P<name>[^/]+)/versions/(?P<version>[^/]+)",
    )
    def put_version(
        request: Request, sub: str, rg: str, ws: str, kind: str, name: str, version: str
    ) -> Response:
        fault = arm_faults(emulator, sub, rg, ws)
        if fault:
            return fault
        sent = json.loads(request.get_data())
        parsed = rest_model(kind, sent)
        problem = check_asset(emulator, kind, parsed)
        if problem:
            return arm_error(400, "UserError", problem)
        body = {
            **sent,
            "id": f"{WORKSPACE_ID}/{kind}/{name}/versions/{version}",
            "name": version,
            "type": f"Microsoft.MachineLearningServices/workspaces/{kind}/versions",
            "systemData": {
                "createdAt": emulator.now(),
                "createdBy": CLIENT_ID,
                "createdByType": "Application",
            },
        }
        body["properties"] = {
            **sent.get("properties", {}),
            "provisioningState": "Succeeded",
        }
        with emulator.lock:
            assets.versions.setdefault((kind, name), {})[version] = body
        return json_response(rest_model(kind, body), 201 if version else 200)

    @emulator.route(
        "POST",
        ARM,
        WS_PATH
        + "/"
        + kinds
        + r"/(?P<name>[^/]+)/versions/(?P<version>[^/]+)/startPendingUpload",
    )
    def start_pending_upload(
        request: Request, sub: str, rg: str, ws: str, kind: str, name: str, version: str
    ) -> Response:
        from azure.ai.ml._restclient.arm_ml_service import models

        from .app import CONTAINER

        folder = f"LocalUpload/{emulator.new_id()}"
        url = f"https://{BLOB_HOST}/{CONTAINER}/{folder}"
        return json_response(
            models.PendingUploadResponseDto(
                {
                    "pendingUploadId": emulator.new_id(),
                    "pendingUploadType": "TemporaryBlobReference",
                    "blobReferenceForConsumption": {
                        "blobUri": url,
                        "storageAccountArmId": f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{RESOURCE_GROUP}/providers/Microsoft.Storage/storageAccounts/{BLOB_HOST.split('.')[0]}",
                        "credential": {
                            "credentialType": "SAS",
                            "sasUri": url + "?sv=2021-08-06&sig=emulador",
                        },
                    },
                }
            )
        )


def not_found(kind: str, name: str, version: str | None = None) -> Response:
    """Azure ML's 404 for a missing asset container or version."""
    singular = {
        "data": "Data",
        "models": "Model",
        "codes": "Code",
        "environments": "Environment",
    }[kind]
    if version is None:
        message = f"{singular} container with name: {name} not found."
    else:
        message = f"{singular} version {name}:{version} not found."
    return arm_error(404, "UserError", message)


def check_asset(emulator: AzureEmulator, kind: str, parsed: Any) -> str | None:
    """What the service refuses in an asset version, or None."""
    properties = parsed.properties
    if kind == "data":
        if properties.data_type not in ("uri_file", "uri_folder", "mltable"):
            return f"Unknown data type {properties.data_type}."
        if not str(properties.data_uri).startswith("azureml://"):
            return f"Data uri {properties.data_uri} is not in a datastore."
        if not blob_for_uri(emulator, properties.data_uri):
            return f"No file at {properties.data_uri}."
    return None


def blob_for_uri(emulator: AzureEmulator, uri: str) -> Any:
    """The stored file or folder for ``azureml://.../datastores/<d>/paths/<p>``."""
    from .app import CONTAINER

    blob_prefix = f"https://{BLOB_HOST}/{CONTAINER}/"
    if uri.startswith(blob_prefix):  # code versions keep the blob URL
        relative = uri[len(blob_prefix) :]
    elif "/paths/" in uri:
        relative = uri.split("/paths/", 1)[1]
    else:
        return None
    path = emulator.blobs.path(CONTAINER, relative.rstrip("/"))
    return path if path.exists() else None
