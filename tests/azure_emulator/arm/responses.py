"""The ARM endpoints of the workspace: HTTP only.

Each handler checks the scope (subscription, resource group, workspace and
the faults the tests ask for), parses the request, calls ``models`` or
``jobs`` and shapes the answer; an ``ArmError`` they raise is answered by the
app in ARM's format.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from ..app import (
    API_HOST,
    ARM,
    CLIENT_ID,
    REGION,
    RESOURCE_GROUP,
    ArmError,
    json_response,
)
from . import jobs, models, quota

if TYPE_CHECKING:
    from ..app import AzureEmulator

RG_PATH = r"/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<rg>[^/]+)"
WS_PATH = (
    RG_PATH + r"/providers/Microsoft\.MachineLearningServices/workspaces/(?P<ws>[^/]+)"
)
KINDS = r"(?P<kind>data|models|codes|environments)"
VERSION_PATH = WS_PATH + "/" + KINDS + r"/(?P<name>[^/]+)/versions/(?P<version>[^/]+)"


def add_workspace_routes(emulator: AzureEmulator) -> None:
    """The workspace and its discovery URL."""

    @emulator.route("GET", ARM, WS_PATH)
    def get_workspace(request: Request, sub: str, rg: str, ws: str) -> Response:
        models.check_scope(emulator.faults, sub, rg, ws)
        return json_response(models.workspace())

    @emulator.route("GET", API_HOST, r"/discovery")
    def discovery(request: Request) -> Response:
        return json_response(models.discovery())


def add_asset_routes(emulator: AzureEmulator) -> None:
    """Datastores, then data, models, code and environments."""
    assets = emulator.assets

    @emulator.route("GET", ARM, WS_PATH + r"/datastores/(?P<name>[^/]+)")
    def get_datastore(
        request: Request, sub: str, rg: str, ws: str, name: str
    ) -> Response:
        models.check_scope(emulator.faults, sub, rg, ws)
        return json_response(models.get_datastore(name))

    @emulator.route("GET", ARM, WS_PATH + r"/datastores")
    def list_datastores(request: Request, sub: str, rg: str, ws: str) -> Response:
        models.check_scope(emulator.faults, sub, rg, ws)
        return json_response({"value": [models.datastore()]})

    @emulator.route("POST", ARM, WS_PATH + r"/datastores/(?P<name>[^/]+)/listSecrets")
    def list_secrets(
        request: Request, sub: str, rg: str, ws: str, name: str
    ) -> Response:
        return json_response(models.datastore_secrets())

    @emulator.route("GET", ARM, WS_PATH + "/" + KINDS + r"/(?P<name>[^/]+)")
    def get_container(
        request: Request, sub: str, rg: str, ws: str, kind: str, name: str
    ) -> Response:
        models.check_scope(emulator.faults, sub, rg, ws)
        return json_response(assets.get_container(kind, name))

    @emulator.route("GET", ARM, WS_PATH + "/" + KINDS + r"/(?P<name>[^/]+)/versions")
    def list_versions(
        request: Request, sub: str, rg: str, ws: str, kind: str, name: str
    ) -> Response:
        models.check_scope(emulator.faults, sub, rg, ws)
        top = request.args.get("$top")
        found = assets.list_versions(kind, name, None if top is None else int(top))
        return json_response({"value": found})

    @emulator.route("GET", ARM, VERSION_PATH)
    def get_version(
        request: Request, sub: str, rg: str, ws: str, kind: str, name: str, version: str
    ) -> Response:
        models.check_scope(emulator.faults, sub, rg, ws)
        return json_response(assets.get_version(kind, name, version))

    @emulator.route("PUT", ARM, VERSION_PATH)
    def put_version(
        request: Request, sub: str, rg: str, ws: str, kind: str, name: str, version: str
    ) -> Response:
        models.check_scope(emulator.faults, sub, rg, ws)
        sent = json.loads(request.get_data())
        body = assets.put_version(kind, name, version, sent)
        return json_response(models.rest_model(kind, body), 201 if version else 200)

    @emulator.route("POST", ARM, VERSION_PATH + r"/startPendingUpload")
    def start_pending_upload(
        request: Request, sub: str, rg: str, ws: str, kind: str, name: str, version: str
    ) -> Response:
        return json_response(assets.pending_upload())


def add_job_routes(emulator: AzureEmulator) -> None:
    """Compute clusters (a long-running creation) and command jobs."""

    @emulator.route("GET", ARM, WS_PATH + r"/computes/(?P<name>[^/]+)")
    def get_compute(
        request: Request, sub: str, rg: str, ws: str, name: str
    ) -> Response:
        models.check_scope(emulator.faults, sub, rg, ws)
        return json_response(models.get_compute(emulator, rg, ws, name))

    @emulator.route("GET", ARM, WS_PATH + r"/computes")
    def list_computes(request: Request, sub: str, rg: str, ws: str) -> Response:
        models.check_scope(emulator.faults, sub, rg, ws)
        names = list(emulator.computes)
        found = [models.get_compute(emulator, rg, ws, name) for name in names]
        return json_response({"value": found})

    @emulator.route("PUT", ARM, WS_PATH + r"/computes/(?P<name>[^/]+)")
    def put_compute(
        request: Request, sub: str, rg: str, ws: str, name: str
    ) -> Response:
        models.check_scope(emulator.faults, sub, rg, ws)
        sent = json.loads(request.get_data())
        body, status_url = models.create_compute(emulator, sub, name, sent)
        return json_response(
            body, 201, **{"Azure-AsyncOperation": status_url, "Retry-After": "1"}
        )

    @emulator.route(
        "GET",
        ARM,
        r"/subscriptions/(?P<sub>[^/]+)/providers/Microsoft\.MachineLearningServices"
        r"/locations/[^/]+/computeOperationsStatus/(?P<operation>[^/]+)",
    )
    def compute_operation(request: Request, sub: str, operation: str) -> Response:
        body = models.poll_compute_operation(emulator, operation)
        return json_response(body, 200, **{"Retry-After": "1"})

    @emulator.route("DELETE", ARM, WS_PATH + r"/computes/(?P<name>[^/]+)")
    def delete_compute(
        request: Request, sub: str, rg: str, ws: str, name: str
    ) -> Response:
        models.check_scope(emulator.faults, sub, rg, ws)
        status_url = models.delete_compute(emulator, sub, rg, ws, name)
        return Response(
            status=202,
            headers={
                "Azure-AsyncOperation": status_url,
                "Location": status_url,
                "Retry-After": "1",
            },
        )

    add_quota_routes(emulator)

    @emulator.route("PUT", ARM, WS_PATH + r"/jobs/(?P<name>[^/]+)")
    def put_job(request: Request, sub: str, rg: str, ws: str, name: str) -> Response:
        models.check_scope(emulator.faults, sub, rg, ws)
        body = jobs.submit(emulator, name, json.loads(request.get_data()))
        return json_response(models.rest_model("jobs", body), 201)

    @emulator.route("GET", ARM, WS_PATH + r"/jobs/(?P<name>[^/]+)")
    def get_job(request: Request, sub: str, rg: str, ws: str, name: str) -> Response:
        models.check_scope(emulator.faults, sub, rg, ws)
        return json_response(models.rest_model("jobs", jobs.poll(emulator, name)))


LOCATION_PATH = (
    r"/subscriptions/(?P<sub>[^/]+)/providers/Microsoft\.MachineLearningServices"
    r"/locations/(?P<location>[^/]+)"
)
# The usages list comes in pages of this many rows (``nextLink``).
USAGES_PAGE = 12


def add_quota_routes(emulator: AzureEmulator) -> None:
    """The region's VM sizes and the subscription's usages (``arm/quota.py``)."""

    def check(sub: str, location: str) -> None:
        models.check_scope(emulator.faults, sub, RESOURCE_GROUP, None)
        if "usages_forbidden" in emulator.faults:
            raise ArmError(
                403,
                "AuthorizationFailed",
                f"The client '{CLIENT_ID}' with object id "
                f"'{CLIENT_ID}' does not have authorization to perform "
                "action 'Microsoft.MachineLearningServices/locations/usages/read' "
                f"over scope '/subscriptions/{sub}' or the scope is invalid.",
            )
        if location.lower() != REGION:
            raise ArmError(
                400, "BadRequest", f"The location {location} is not supported."
            )

    @emulator.route("GET", ARM, LOCATION_PATH + r"/usages")
    def usages(request: Request, sub: str, location: str) -> Response:
        check(sub, location)
        rows = emulator.quota().usages()
        skip = int(request.args.get("$skip", "0"))
        page: dict[str, object] = {"value": rows[skip : skip + USAGES_PAGE]}
        if skip + USAGES_PAGE < len(rows):
            query = f"api-version={request.args.get('api-version', '')}"
            page["nextLink"] = (
                f"https://{ARM}{request.path}?{query}&$skip={skip + USAGES_PAGE}"
            )
        return json_response(page)

    @emulator.route("GET", ARM, LOCATION_PATH + r"/vmSizes")
    def vm_sizes(request: Request, sub: str, location: str) -> Response:
        check(sub, location)
        return json_response({"value": quota.vm_sizes()})
