"""The Azure ML emulator's core: one WSGI app for every host the clients call.

It holds what the services share: the names of the emulated workspace, the
faults the tests can ask for, the request log, ARM's error format
(``ArmError``, answered by ``arm_error``) and the dispatch of a request to
its route. Each service is a package laid out as moto does: ``models`` with
its state and rules and no HTTP, ``responses`` with its endpoints (parse the
request, call the model, shape the answer):

- ``login``: Microsoft Entra ID (tokens, device code) and ARM's tenants and
  subscriptions;
- ``arm``: the workspace, datastores, assets, compute clusters and jobs
  (``arm/jobs.py`` runs a job for real);
- ``blob``: the storage account's blobs;
- ``history``: the artifact service, run history and a job's output URIs;
- ``mlflow``: Azure ML's MLflow server (tracking and model registry).

Request and response bodies of the ARM and data-plane endpoints are parsed and
built with azure-ai-ml's own REST models (``azure.ai.ml._restclient``), so a
request of the wrong shape fails here as it would in the service.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from werkzeug.wrappers import Request, Response


SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
RESOURCE_GROUP = "rg-gitops-lab"
WORKSPACE = "mlw-gitops-lab"
REGION = "eastus"
TENANT = "99999999-8888-7777-6666-555555555555"
CLIENT_ID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
CLIENT_SECRET = "secreto-de-pruebas"
# Another directory the student (and the service principal) can sign in to, with
# a subscription of its own: a token from it is refused on the lab's subscription.
OTHER_TENANT = "11111111-2222-3333-4444-555555555555"
OTHER_SUBSCRIPTION = "11111111-0000-0000-0000-000000000000"
SUBSCRIPTIONS = {
    SUBSCRIPTION: (TENANT, "Azure for Students"),
    OTHER_SUBSCRIPTION: (OTHER_TENANT, "Evaluación gratuita"),
}
TENANTS = {TENANT: "Universidad (emulador)", OTHER_TENANT: "Directorio predeterminado"}
STORAGE_ACCOUNT = "wslaboratorio0123"
BLOB_HOST = f"{STORAGE_ACCOUNT}.blob.core.windows.net"
DATASTORE = "workspaceblobstore"
CONTAINER = "azureml-blobstore-0000"
ARTIFACT_CONTAINER = "azureml"
ARM = "management.azure.com"
LOGIN = "login.microsoftonline.com"
API_HOST = f"{REGION}.api.azureml.ms"
WORKSPACE_ID = (
    f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{RESOURCE_GROUP}"
    f"/providers/Microsoft.MachineLearningServices/workspaces/{WORKSPACE}"
)
# What the tests can ask the emulator to do wrong, and where.
FAULTS = {
    "invalid_secret",  # token endpoint: AADSTS7000215
    "mfa_required",  # token endpoint, refresh token grant: AADSTS50076
    "refresh_token_expired",  # token endpoint, refresh token grant: AADSTS700082
    "expired_token",  # ARM: 401 ExpiredAuthenticationToken
    "forbidden",  # ARM: 403 AuthorizationFailed
    "no_resource_group",  # ARM: 404 ResourceGroupNotFound
    "no_workspace",  # ARM: 404 ResourceNotFound (workspace)
    "quota",  # compute creation: Failed while polling, family vCPU quota of 0
    "regional_quota",  # compute creation: Failed while polling, total vCPU quota 0
    "compute_failed",  # the existing cluster is in state Failed
    "job_stays_queued",  # job: no node is granted, stays Queued
    "image_build_refused",  # job: Failed while preparing, TasksOperationsNotAllowed
    "job_paused",  # job: ends Paused
    "job_canceled",  # job: ends Canceled
    "job_never_ends",  # job: stays Running
    "quota_in_use",  # usages: every vCPU in use by others; jobs get no node (Queued)
    "usages_forbidden",  # usages and vmSizes: 403 AuthorizationFailed (a workspace role)
}
# The subscriptions the emulator can be (``arm/quota.py``): before or after the
# capacity growth restrictions of July 2026.
SUBSCRIPTION_KINDS = ("existing", "new")

Handler = Callable[..., Response]


def json_response(body: Any, status: int = 200, **headers: str) -> Response:
    """A JSON response; ``body`` may hold REST models (serialized by the SDK)."""
    from azure.ai.ml._restclient.arm_ml_service._utils.model_base import (
        SdkJSONEncoder,
    )

    text = json.dumps(body, cls=SdkJSONEncoder, exclude_readonly=False)
    return Response(
        text,
        status=status,
        content_type="application/json; charset=utf-8",
        headers=headers,
    )


def arm_error(
    status: int,
    code: str,
    message: str,
    challenge: str = "The access token has expired.",
) -> Response:
    """An error in ARM's format: ``{"error": {"code": ..., "message": ...}}``."""
    from azure.ai.ml._restclient.arm_ml_service import models

    body = models.ErrorResponse({"error": {"code": code, "message": message}})
    headers = {"x-ms-failure-cause": "gateway"}
    if status == 401:
        headers["WWW-Authenticate"] = (
            f'Bearer authorization_uri="https://login.windows.net/{TENANT}", '
            f'error="invalid_token", error_description="{challenge}"'
        )
    return json_response(body, status, **headers)


class ArmError(Exception):
    """What ARM or Azure ML refuses, raised by the models: answered by ``arm_error``."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        challenge: str = "The access token has expired.",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.challenge = challenge

    def response(self) -> Response:
        """The error in ARM's format."""
        return arm_error(self.status, self.code, self.message, self.challenge)


def wrong_tenant(request: Request, path: str) -> Response | None:
    """ARM's 401 for a token of another directory than the subscription's.

    The message is ARM's own (Azure/azure-sdk-for-python#38382).
    """
    from .login.models import claims

    match = re.match(r"/subscriptions/([^/]+)/", path)
    if not match or match.group(1) not in SUBSCRIPTIONS:
        return None
    tenant = SUBSCRIPTIONS[match.group(1)][0]
    token = request.headers.get("Authorization", "").removeprefix("Bearer ")
    issued_by = claims(token).get("tid")
    if issued_by in (None, tenant):
        return None
    return arm_error(
        401,
        "InvalidAuthenticationTokenTenant",
        f"The access token is from the wrong issuer 'https://sts.windows.net/{issued_by}/'. "
        f"It must match the tenant 'https://sts.windows.net/{tenant}/' associated "
        f"with this subscription. Please use the authority (URL) "
        f"'https://login.windows.net/{tenant}' to get the token. Note, if the "
        "subscription is transferred to another tenant there is no impact to the "
        "services, but information about new tenant could take time to propagate "
        "(up to an hour). If you just transferred your subscription and see this "
        "error message, please try back later.",
        "The access token is from the wrong issuer.",
    )


class Route:
    """A handler for a method, a host (regex) and a path (regex with groups)."""

    def __init__(self, method: str, host: str, path: str, handler: Handler) -> None:
        self.method = method
        self.host = re.compile(host)
        self.path = re.compile(path)
        self.handler = handler


class AzureEmulator:
    """The emulated services: their state (``models``) and one WSGI app for their routes.

    Each service is a package (``login``, ``arm``, ``blob``, ``history``,
    ``mlflow``) whose ``models`` hold the state and the rules with no HTTP and
    whose ``responses`` parse a request, call the model and shape the answer.
    """

    def __init__(self, workdir: Path) -> None:
        from .arm.models import Assets
        from .blob.models import BlobStore
        from .history.models import RunHistory
        from .mlflow.responses import MlflowResponses

        self.workdir = workdir
        self.lock = threading.RLock()
        self.faults: set[str] = set()
        self.subscription = "existing"
        self.log: list[str] = []
        self.routes: list[Route] = []
        # The services' state (their ``models``), shared where Azure ML shares it.
        self.blobs = BlobStore(workdir / "blobs")
        self.assets = Assets(self)
        self.computes: dict[str, Any] = {}
        self.operations: dict[str, Any] = {}
        self.jobs: dict[str, Any] = {}
        self.history = RunHistory(self)
        self.mlflow = MlflowResponses(self)
        self._add_routes()

    # ---------------------------------------------------------------- WSGI
    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        host = request.host.split(":")[0]
        self.log.append(f"{request.method} {host}{request.full_path.rstrip('?')}")
        if host == API_HOST and "/mlflow/v2.0/" in request.path:
            return self.mlflow(environ, start_response, request)
        response = self._dispatch(request, host)
        return response(environ, start_response)

    def _dispatch(self, request: Request, host: str) -> Response:
        for route in self.routes:
            if route.method != request.method or not route.host.fullmatch(host):
                continue
            match = route.path.fullmatch(unquote(request.path))
            if match:
                if host == ARM and not self.authorized(request):
                    return arm_error(
                        401, "InvalidAuthenticationToken", "Falta el token."
                    )
                refused = wrong_tenant(request, unquote(request.path))
                if host == ARM and refused:
                    return refused
                try:
                    return route.handler(request, **match.groupdict())
                except ArmError as error:
                    return error.response()
        return arm_error(
            404,
            "NoRegisteredProviderFound",
            f"El emulador no conoce {request.method} {host}{request.path}",
        )

    @staticmethod
    def authorized(request: Request) -> bool:
        return request.headers.get("Authorization", "").startswith("Bearer ")

    def route(self, method: str, host: str, path: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.routes.append(Route(method, host, path, handler))
            return handler

        return register

    def admin(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        """Plain-HTTP control for the tests: faults to inject and the request log."""
        request = Request(environ)
        if request.method == "POST" and request.path == "/faults":
            wanted = set(json.loads(request.get_data() or b"[]"))
            unknown = wanted - FAULTS
            if unknown:
                return json_response({"unknown": sorted(unknown)}, 400)(
                    environ, start_response
                )
            with self.lock:
                self.faults = wanted
            return json_response(sorted(wanted))(environ, start_response)
        if request.method == "POST" and request.path == "/subscription":
            kind = json.loads(request.get_data() or b'""')
            if kind not in SUBSCRIPTION_KINDS:
                return json_response({"unknown": kind}, 400)(environ, start_response)
            with self.lock:
                self.subscription = kind
            return json_response(kind)(environ, start_response)
        if request.path == "/log":
            return json_response(self.log)(environ, start_response)
        return json_response({"error": "unknown"}, 404)(environ, start_response)

    # ---------------------------------------------------------------- routes
    def _add_routes(self) -> None:
        """Every service's endpoints, in the order they are matched."""
        from .arm import responses as arm
        from .blob import responses as blob
        from .history import responses as history
        from .login import responses as login

        login.add_routes(self)
        arm.add_workspace_routes(self)
        blob.add_routes(self)
        history.add_routes(self)
        arm.add_asset_routes(self)
        arm.add_job_routes(self)
        history.add_job_data_routes(self)

    def quota(self) -> Any:
        """The subscription's Azure ML quota now (``arm/quota.py``)."""
        from .arm.quota import SUBSCRIPTIONS, Quota

        return Quota(SUBSCRIPTIONS[self.subscription], "quota_in_use" in self.faults)

    def now(self) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%S.000000+00:00", time.gmtime())

    def new_id(self) -> str:
        return uuid.uuid4().hex
