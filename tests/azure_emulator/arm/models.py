"""The workspace's state and rules: scope, datastores, assets, compute clusters.

No HTTP here: what ARM or Azure ML refuses is an ``ArmError`` (status, code,
message), which the app answers in ARM's format. Bodies are ARM's JSON (or
azure-ai-ml's REST models of it).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Container
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import quota
from ..app import (
    API_HOST,
    ARM,
    ARTIFACT_CONTAINER,
    BLOB_HOST,
    CLIENT_ID,
    CONTAINER,
    DATASTORE,
    REGION,
    RESOURCE_GROUP,
    SUBSCRIPTION,
    TENANT,
    WORKSPACE,
    WORKSPACE_ID,
    ArmError,
)

if TYPE_CHECKING:
    from ..app import AzureEmulator

DATASTORE_ID = WORKSPACE_ID + "/datastores/"
ARTIFACT_DATASTORE = "workspaceartifactstore"
STORAGE_ACCOUNT_ID = (
    f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{RESOURCE_GROUP}"
    f"/providers/Microsoft.Storage/storageAccounts/{BLOB_HOST.split('.')[0]}"
)


# ---------------------------------------------------------------- the workspace
def check_scope(faults: Container[str], sub: str, rg: str, ws: str | None) -> None:
    """The errors ARM gives before reaching the workspace (``ArmError``)."""
    if "expired_token" in faults:
        raise ArmError(
            401,
            "ExpiredAuthenticationToken",
            "The access token expiry UTC time '11/28/2026 10:00:00 PM' is earlier "
            "than current UTC time '11/28/2026 11:00:00 PM'.",
        )
    if "forbidden" in faults:
        raise ArmError(
            403,
            "AuthorizationFailed",
            f"The client '{CLIENT_ID}' with object id '{CLIENT_ID}' does not have "
            "authorization to perform action "
            "'Microsoft.MachineLearningServices/workspaces/read' over scope "
            f"'{WORKSPACE_ID}' or the scope is invalid. If access was recently "
            "granted, please refresh your credentials.",
        )
    if sub != SUBSCRIPTION:
        raise ArmError(
            404, "SubscriptionNotFound", f"The subscription '{sub}' could not be found."
        )
    if rg != RESOURCE_GROUP or "no_resource_group" in faults:
        raise ArmError(
            404, "ResourceGroupNotFound", f"Resource group '{rg}' could not be found."
        )
    if ws is not None and (ws != WORKSPACE or "no_workspace" in faults):
        raise ArmError(
            404,
            "ResourceNotFound",
            f"The Resource 'Microsoft.MachineLearningServices/workspaces/{ws}' under "
            f"resource group '{rg}' was not found. For more details please go to "
            "https://aka.ms/ARMResourceNotFoundFix",
        )


def workspace() -> Any:
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
                "storageAccount": STORAGE_ACCOUNT_ID,
                "provisioningState": "Succeeded",
                "publicNetworkAccess": "Enabled",
                "v1LegacyMode": False,
            },
        }
    )


def discovery() -> dict[str, str]:
    """The workspace's service endpoints (``discoveryUrl``): all on one host."""
    base = f"https://{API_HOST}"
    return {
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


# ---------------------------------------------------------------- datastores
def datastore(
    name: str = DATASTORE, container: str = CONTAINER, default: bool = True
) -> Any:
    """A blob datastore of the workspace's storage account."""
    from azure.ai.ml._restclient.arm_ml_service import models

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


def get_datastore(name: str) -> Any:
    """The default datastore, or the artifact store (where run history keeps logs)."""
    if name == ARTIFACT_DATASTORE:
        return datastore(ARTIFACT_DATASTORE, ARTIFACT_CONTAINER, False)
    if name != DATASTORE:
        raise ArmError(404, "UserError", f"Datastore {name} not found.")
    return datastore()


def datastore_secrets() -> Any:
    """The storage account key ``listSecrets`` gives."""
    from azure.ai.ml._restclient.arm_ml_service import models

    key = base64.b64encode(b"clave-de-pruebas-del-emulador").decode()
    return models.AccountKeyDatastoreSecrets({"secretsType": "AccountKey", "key": key})


# ---------------------------------------------------------------- assets
def not_found(kind: str, name: str, version: str | None = None) -> ArmError:
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
    return ArmError(404, "UserError", message)


class Assets:
    """Versioned assets (data, code, environments, models) kept in memory.

    A model's versions are also those registered with MLflow (one registry).
    """

    def __init__(self, emulator: AzureEmulator) -> None:
        self.emulator = emulator
        self.versions: dict[tuple[str, str], dict[str, Any]] = {}

    def all_versions(self, kind: str, name: str) -> dict[str, Any]:
        from ..mlflow.models import model_versions

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

    def get_container(self, kind: str, name: str) -> Any:
        """The asset's container (``ArmError`` 404 if it has no version)."""
        container = self.container(kind, name)
        if container is None:
            raise not_found(kind, name)
        return container

    def list_versions(self, kind: str, name: str, top: int | None) -> list[Any]:
        """The asset's versions, newest first, at most ``top`` (default all)."""
        versions = self.all_versions(kind, name)
        ordered = sorted(
            versions.items(),
            key=lambda item: int(item[0]) if item[0].isdigit() else 0,
            reverse=True,
        )
        if top is None:
            top = len(ordered) or 1
        return [body for _, body in ordered[:top]]

    def get_version(self, kind: str, name: str, version: str) -> Any:
        """One version (``ArmError`` 404 if there is none)."""
        body = self.all_versions(kind, name).get(version)
        if body is None:
            raise not_found(kind, name, version)
        return body

    def put_version(
        self, kind: str, name: str, version: str, sent: dict[str, Any]
    ) -> dict[str, Any]:
        """Creates (or replaces) a version, as the service keeps it."""
        parsed = rest_model(kind, sent)
        problem = self.check(kind, parsed)
        if problem:
            raise ArmError(400, "UserError", problem)
        body = {
            **sent,
            "id": f"{WORKSPACE_ID}/{kind}/{name}/versions/{version}",
            "name": version,
            "type": f"Microsoft.MachineLearningServices/workspaces/{kind}/versions",
            "systemData": {
                "createdAt": self.emulator.now(),
                "createdBy": CLIENT_ID,
                "createdByType": "Application",
            },
        }
        body["properties"] = {
            **sent.get("properties", {}),
            "provisioningState": "Succeeded",
        }
        with self.emulator.lock:
            self.versions.setdefault((kind, name), {})[version] = body
        return body

    def check(self, kind: str, parsed: Any) -> str | None:
        """What the service refuses in an asset version, or None."""
        properties = parsed.properties
        if kind == "data":
            if properties.data_type not in ("uri_file", "uri_folder", "mltable"):
                return f"Unknown data type {properties.data_type}."
            if not str(properties.data_uri).startswith("azureml://"):
                return f"Data uri {properties.data_uri} is not in a datastore."
            if not blob_for_uri(self.emulator, properties.data_uri):
                return f"No file at {properties.data_uri}."
        return None

    def pending_upload(self) -> Any:
        """Where to upload a new version's files: a folder with a SAS link."""
        from azure.ai.ml._restclient.arm_ml_service import models

        folder = f"LocalUpload/{self.emulator.new_id()}"
        url = f"https://{BLOB_HOST}/{CONTAINER}/{folder}"
        return models.PendingUploadResponseDto(
            {
                "pendingUploadId": self.emulator.new_id(),
                "pendingUploadType": "TemporaryBlobReference",
                "blobReferenceForConsumption": {
                    "blobUri": url,
                    "storageAccountArmId": STORAGE_ACCOUNT_ID,
                    "credential": {
                        "credentialType": "SAS",
                        "sasUri": url + "?sv=2021-08-06&sig=emulador",
                    },
                },
            }
        )


def blob_for_uri(emulator: AzureEmulator, uri: str) -> Path | None:
    """The stored file or folder for ``azureml://.../datastores/<d>/paths/<p>``."""
    blob_prefix = f"https://{BLOB_HOST}/{CONTAINER}/"
    if uri.startswith(blob_prefix):  # code versions keep the blob URL
        relative = uri[len(blob_prefix) :]
    elif "/paths/" in uri:
        relative = uri.split("/paths/", 1)[1]
    else:
        return None
    path = emulator.blobs.path(CONTAINER, relative.rstrip("/"))
    return path if path.exists() else None


# ---------------------------------------------------------------- computes
def get_compute(emulator: AzureEmulator, rg: str, ws: str, name: str) -> Any:
    """A compute cluster as ARM shows it (``compute_failed``: in state Failed)."""
    if name not in emulator.computes:
        raise ArmError(
            404,
            "ResourceNotFound",
            f"The Resource 'Microsoft.MachineLearningServices/workspaces/{ws}/computes/{name}' "
            f"under resource group '{rg}' was not found.",
        )
    compute = emulator.computes[name]
    if "compute_failed" in emulator.faults:
        size = quota.size_of(compute["properties"]["properties"]["vmSize"])
        compute = json.loads(json.dumps(compute))
        compute["properties"].update(
            provisioningState="Failed",
            provisioningErrors=[{"error": quota.family_refusal(size, 0)}],
        )
    return compute


def create_compute(
    emulator: AzureEmulator, sub: str, name: str, sent: dict[str, Any]
) -> tuple[dict[str, Any], str]:
    """Starts creating a cluster: its body and the URL of the operation's status.

    A long-running operation: the outcome comes when its status is polled
    (where a quota error arrives, as in Azure/mlops-v2#81).
    """
    parsed = rest_model("computes", sent)
    properties = parsed.properties
    if properties.compute_type != "AmlCompute":
        raise ArmError(
            400,
            "BadRequest",
            f"Unsupported compute type {properties.compute_type}.",
        )
    size = quota.size_of(properties.properties.vm_size if properties.properties else "")
    body = {
        **sent,
        "id": f"{WORKSPACE_ID}/computes/{name}",
        "name": name,
        "type": "Microsoft.MachineLearningServices/workspaces/computes",
        "location": REGION,
    }
    body["properties"] = {**sent["properties"], "provisioningState": "Creating"}
    emulator.computes[name] = body
    operation = emulator.new_id()
    if "regional_quota" in emulator.faults:
        error: dict[str, str] | None = quota.regional_refusal(size, 0)
    elif "quota" in emulator.faults:
        error = quota.family_refusal(size, 0)
    else:
        error = emulator.quota().cluster_refusal(size)
    emulator.operations[operation] = {"compute": name, "polls": 0, "error": error}
    return body, operation_url(sub, operation)


def poll_compute_operation(emulator: AzureEmulator, operation: str) -> dict[str, Any]:
    """One poll of a creation or deletion: ``InProgress``, then its outcome."""
    state = emulator.operations.get(operation)
    if state is None:
        raise ArmError(404, "NotFound", f"Operation {operation} not found.")
    state["polls"] += 1
    body: dict[str, Any] = {"name": operation, "status": "InProgress"}
    if state.get("delete"):
        if state["polls"] > 1:
            body["status"] = "Succeeded"
            emulator.computes.pop(state["compute"], None)
        return body
    compute = emulator.computes[state["compute"]]["properties"]
    if state["polls"] > 1 and state["error"]:
        body.update(status="Failed", error=dict(state["error"]))
        compute["provisioningState"] = "Failed"
        compute["provisioningErrors"] = [{"error": body["error"]}]
    elif state["polls"] > 1:
        body["status"] = "Succeeded"
        compute["provisioningState"] = "Succeeded"
    return body


def delete_compute(
    emulator: AzureEmulator, sub: str, rg: str, ws: str, name: str
) -> str:
    """Starts deleting a cluster: the URL of the operation's status (a 202)."""
    get_compute(emulator, rg, ws, name)  # 404 if there is none
    operation = emulator.new_id()
    emulator.operations[operation] = {"compute": name, "polls": 0, "delete": True}
    return operation_url(sub, operation)


def operation_url(sub: str, operation: str) -> str:
    """Where a compute operation's status is polled (``Azure-AsyncOperation``)."""
    return (
        f"https://{ARM}/subscriptions/{sub}/providers/"
        f"Microsoft.MachineLearningServices/locations/{REGION}/"
        f"computeOperationsStatus/{operation}?api-version=2025-12-01"
    )
