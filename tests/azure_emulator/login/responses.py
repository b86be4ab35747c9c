"""Entra ID's endpoints and ARM's ``/tenants`` and ``/subscriptions``: HTTP only.

The tokens, the refusals and what each token sees are in ``models``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from ..app import ARM, LOGIN, json_response
from . import models

if TYPE_CHECKING:
    from ..app import AzureEmulator


def bearer(request: Request) -> str:
    """The token of the request's ``Authorization: Bearer`` header ("" if none)."""
    return request.headers.get("Authorization", "").removeprefix("Bearer ")


def add_routes(emulator: AzureEmulator) -> None:
    """Entra ID's endpoints, then ARM's directory listings."""

    @emulator.route("GET", LOGIN, r"/common/discovery/instance")
    def discovery(request: Request) -> Response:
        endpoint = request.args.get("authorization_endpoint", "")
        tenant = endpoint.split("/")[3] if endpoint.count("/") > 3 else "common"
        return json_response(models.instance_discovery(tenant))

    @emulator.route(
        "GET", LOGIN, r"/(?P<tenant>[^/]+)/v2\.0/\.well-known/openid-configuration"
    )
    def openid(request: Request, tenant: str) -> Response:
        return json_response(models.openid_configuration(tenant))

    @emulator.route("POST", LOGIN, r"/(?P<tenant>[^/]+)/oauth2/v2\.0/devicecode")
    def device_code(request: Request, tenant: str) -> Response:
        return json_response(models.device_authorization())

    @emulator.route("POST", LOGIN, r"/(?P<tenant>[^/]+)/oauth2/v2\.0/token")
    def token(request: Request, tenant: str) -> Response:
        try:
            return json_response(
                models.grant_token(emulator.faults, request.form.to_dict(), tenant)
            )
        except models.TokenError as error:
            return json_response(error.body, error.status)

    @emulator.route("GET", ARM, r"/tenants")
    def list_tenants(request: Request) -> Response:
        return json_response({"value": models.tenants_of(bearer(request))})

    @emulator.route("GET", ARM, r"/subscriptions")
    def list_subscriptions(request: Request) -> Response:
        return json_response({"value": models.subscriptions_of(bearer(request))})
