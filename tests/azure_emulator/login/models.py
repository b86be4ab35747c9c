"""Microsoft Entra ID as MSAL meets it: instance discovery, OpenID metadata, tokens.

The state and the rules of the directory, with no HTTP: ``responses`` parses
the requests and shapes the answers; a refused token request is a
``TokenError`` (its status and Entra ID's body).

``EnvironmentCredential`` (``AZURE_TENANT_ID``, ``AZURE_CLIENT_ID``,
``AZURE_CLIENT_SECRET``) and ``az login --service-principal`` make MSAL ask, in
this order, ``/common/discovery/instance``,
``/<tenant>/v2.0/.well-known/openid-configuration`` and
``POST /<tenant>/oauth2/v2.0/token`` (client credentials grant).

A student's ``az login --use-device-code`` signs a user in: MSAL asks
``POST /organizations/oauth2/v2.0/devicecode``, prints the code, polls the
token endpoint (device code grant) and keeps the refresh token; each later
``az account get-access-token`` for another scope or tenant is a refresh token
grant, which is where Entra ID asks for MFA or finds the session expired.
"""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from collections.abc import Container, Mapping
from typing import Any

from ..app import CLIENT_ID, CLIENT_SECRET, SUBSCRIPTIONS, TENANT, TENANTS

AUTHORITY = "https://login.microsoftonline.com"
TOKEN_SECONDS = 3599
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# The service principal's federated credential (Apéndice A of the tutorial):
# GitHub's OIDC tokens for the student's repository, in environment «azure».
FEDERATED_CREDENTIAL = {
    "issuer": "https://token.actions.githubusercontent.com",
    "subject": "repo:alumno/laboratorio:environment:azure",
    "audience": "api://AzureADTokenExchange",
}


def _b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


# The Azure CLI's public client id (azure-cli's ``_AZURE_CLI_CLIENT_ID``).
AZURE_CLI_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
USER = "estudiante@utec.edu.pe"
USER_OID = str(uuid.uuid5(uuid.NAMESPACE_URL, USER))
DEVICE_CODE = "codigo-de-dispositivo-del-emulador"
USER_CODE = "EMUL4DOR"


def _jwt(claims: dict[str, Any]) -> str:
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}.emulador"


def claims(token: str) -> dict[str, Any]:
    """The claims of a token this emulator issued (``{}`` if it is not one)."""
    try:
        payload = token.split(".")[1]
        return dict(
            json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        )
    except (IndexError, ValueError):
        return {}


def access_token(tenant: str, client_id: str, scope: str) -> str:
    """An unsigned JWT with the claims clients read (``tid``, ``oid``, ``exp``)."""
    now = int(time.time())
    return _jwt(
        {
            "aud": scope.split(" ")[0].rsplit("/.default", 1)[0],
            "iss": f"https://sts.windows.net/{tenant}/",
            "iat": now,
            "nbf": now,
            "exp": now + TOKEN_SECONDS,
            "appid": client_id,
            "oid": str(uuid.uuid5(uuid.NAMESPACE_URL, client_id)),
            "tid": tenant,
            "sub": client_id,
        }
    )


def user_tokens(tenant: str, scope: str) -> dict[str, Any]:
    """What the token endpoint gives the signed-in student (with refresh token)."""
    now = int(time.time())
    token = claims(access_token(tenant, AZURE_CLI_CLIENT_ID, scope))
    token.update(
        {"oid": USER_OID, "sub": USER_OID, "upn": USER, "scp": "user_impersonation"}
    )
    id_token = {
        "aud": AZURE_CLI_CLIENT_ID,
        "iss": f"{AUTHORITY}/{tenant}/v2.0",
        "iat": now,
        "nbf": now,
        "exp": now + TOKEN_SECONDS,
        "oid": USER_OID,
        "sub": USER_OID,
        "tid": tenant,
        "name": "Estudiante de prueba",
        "preferred_username": USER,
        "ver": "2.0",
    }
    return {
        "token_type": "Bearer",
        "scope": scope,
        "expires_in": TOKEN_SECONDS,
        "ext_expires_in": TOKEN_SECONDS,
        "access_token": _jwt(token),
        "refresh_token": f"rt-{tenant}-{uuid.uuid4().hex}",
        "id_token": _jwt(id_token),
        "client_info": _b64({"uid": USER_OID, "utid": tenant}),
    }


def device_authorization() -> dict[str, Any]:
    """``POST /organizations/oauth2/v2.0/devicecode``: the code the student types."""
    return {
        "user_code": USER_CODE,
        "device_code": DEVICE_CODE,
        "verification_uri": "https://microsoft.com/devicelogin",
        "expires_in": 900,
        "interval": 1,
        "message": (
            "To sign in, use a web browser to open the page "
            f"https://microsoft.com/devicelogin and enter the code {USER_CODE} "
            "to authenticate."
        ),
    }


def instance_discovery(tenant_path: str) -> dict[str, Any]:
    """``GET /common/discovery/instance``: where the tenant's metadata lives."""
    return {
        "tenant_discovery_endpoint": (
            f"{AUTHORITY}/{tenant_path}/v2.0/.well-known/openid-configuration"
        ),
        "api-version": "1.1",
        "metadata": [
            {
                "preferred_network": "login.microsoftonline.com",
                "preferred_cache": "login.windows.net",
                "aliases": ["login.microsoftonline.com", "login.windows.net"],
            }
        ],
    }


def openid_configuration(tenant: str) -> dict[str, Any]:
    """``GET /<tenant>/v2.0/.well-known/openid-configuration``."""
    base = f"{AUTHORITY}/{tenant}"
    return {
        "token_endpoint": f"{base}/oauth2/v2.0/token",
        "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
        "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
        "issuer": f"{base}/v2.0",
        "jwks_uri": f"{base}/discovery/v2.0/keys",
        "response_types_supported": ["code", "id_token", "token"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": [
            "client_secret_post",
            "client_secret_basic",
        ],
        "tenant_region_scope": "SA",
    }


def token_error(code: str, description: str, suberror: str = "") -> dict[str, Any]:
    """The body Entra ID answers with for a refused token request (HTTP 400/401)."""
    now = time.gmtime()
    trace, correlation = str(uuid.uuid4()), str(uuid.uuid4())
    body = {
        "error": code,
        "error_description": (
            f"{description} Trace ID: {trace} Correlation ID: {correlation} "
            f"Timestamp: {time.strftime('%Y-%m-%d %H:%M:%SZ', now)}"
        ),
        "error_codes": [int(code) for code in re.findall(r"^AADSTS(\d+)", description)],
        "timestamp": time.strftime("%Y-%m-%d %H:%M:%SZ", now),
        "trace_id": trace,
        "correlation_id": correlation,
        "error_uri": "https://login.microsoftonline.com/error?code="
        + "".join(re.findall(r"^AADSTS(\d+)", description)),
    }
    if suberror:
        body["suberror"] = suberror
    return body


# The refusals of a refresh token grant that students meet (Azure/azure-cli#31300,
# Azure/azure-cli#23105): Entra ID's own texts. 797f4846-… is the Azure
# Service Management API (ARM).
MFA_REQUIRED = (
    "AADSTS50076: Due to a configuration change made by your administrator, or "
    "because you moved to a new location, you must use multi-factor "
    "authentication to access '797f4846-ba00-4fd7-ba43-dac1f8f63013'."
)
REFRESH_TOKEN_EXPIRED = (
    "AADSTS700082: The refresh token has expired due to inactivity. The token "
    "was issued on 2026-08-01T10:00:00.0000000Z and was inactive for 90.00:00:00."
)


def assertion_problem(assertion: str) -> str | None:
    """Why Entra ID refuses this client assertion (a GitHub OIDC token), or None.

    The token is matched against the federated credential by issuer, subject
    and audience, exactly (AADSTS70021), and must be within its valid time
    (AADSTS700024). The signature is not checked: the fake's tokens are unsigned.
    """
    presented_claims = claims(assertion)
    audience = presented_claims.get("aud")
    presented = {
        "issuer": presented_claims.get("iss"),
        "subject": presented_claims.get("sub"),
        "audience": audience[0] if isinstance(audience, list) else audience,
    }
    if presented != FEDERATED_CREDENTIAL:
        return (
            "AADSTS70021: No matching federated identity record found for presented "
            f"assertion. Assertion Issuer: '{presented['issuer']}'. Assertion "
            f"Subject: '{presented['subject']}'. Assertion Audience: "
            f"'{presented['audience']}'."
        )
    now = time.time()
    if (
        not presented_claims.get("nbf", now) - 300
        <= now
        <= presented_claims.get("exp", 0) + 300
    ):
        return "AADSTS700024: Client assertion is not within its valid time range."
    return None


class TokenError(Exception):
    """A refused token request: the HTTP status and Entra ID's error body."""

    def __init__(
        self, status: int, code: str, description: str, suberror: str = ""
    ) -> None:
        super().__init__(description)
        self.status = status
        self.body = token_error(code, description, suberror)


def grant_token(
    faults: Container[str], form: Mapping[str, str], tenant: str
) -> dict[str, Any]:
    """``POST /<tenant>/oauth2/v2.0/token``: the tokens for this grant.

    Raises ``TokenError`` for what Entra ID refuses (and the faults asked for).
    """
    grant = form.get("grant_type", "")
    scope = form.get("scope", "")
    if grant == "client_credentials":
        return service_principal_token(faults, form, tenant, scope)
    if tenant not in (*TENANTS, "organizations", "common"):
        raise TokenError(
            400,
            "invalid_request",
            f"AADSTS90002: Tenant '{tenant}' not found. Check to make sure "
            "you have the correct tenant ID and are signing into the correct "
            "cloud.",
        )
    home = TENANT if tenant in ("organizations", "common") else tenant
    if grant == "urn:ietf:params:oauth:grant-type:device_code":
        if form.get("device_code") != DEVICE_CODE:
            raise TokenError(
                400, "invalid_grant", "AADSTS70000: The provided value is not valid."
            )
        return user_tokens(home, scope)
    if grant == "refresh_token":
        if "mfa_required" in faults:
            raise TokenError(400, "invalid_grant", MFA_REQUIRED, "basic_action")
        if "refresh_token_expired" in faults:
            raise TokenError(400, "invalid_grant", REFRESH_TOKEN_EXPIRED, "bad_token")
        return user_tokens(home, scope)
    raise TokenError(
        400,
        "unsupported_grant_type",
        f"AADSTS70003: The app requested an unsupported grant type '{grant}'.",
    )


def service_principal_token(
    faults: Container[str], form: Mapping[str, str], tenant: str, scope: str
) -> dict[str, Any]:
    """The client credentials grant (EnvironmentCredential, ``az login --service-principal``).

    With workload identity federation (the deploy workflow's OIDC path) the
    GitHub token comes as a client assertion instead of the secret.
    """
    if form.get("client_assertion_type") == JWT_BEARER:
        problem = assertion_problem(form.get("client_assertion", ""))
        if problem is not None:
            raise TokenError(401, "invalid_client", problem)
    elif "invalid_secret" in faults or form.get("client_secret") != CLIENT_SECRET:
        raise TokenError(
            401,
            "invalid_client",
            "AADSTS7000215: Invalid client secret provided. Ensure the secret "
            "being sent in the request is the client secret value, not the "
            f"client secret ID, for a secret added to app '{CLIENT_ID}'.",
        )
    if tenant not in TENANTS or form.get("client_id") != CLIENT_ID:
        raise TokenError(
            400,
            "unauthorized_client",
            f"AADSTS700016: Application with identifier '{form.get('client_id')}' "
            f"was not found in the directory '{tenant}'.",
        )
    return {
        "token_type": "Bearer",
        "expires_in": TOKEN_SECONDS,
        "ext_expires_in": TOKEN_SECONDS,
        "access_token": access_token(tenant, CLIENT_ID, scope),
    }


def tenants_of(token: str) -> list[dict[str, Any]]:
    """The directories ``GET /tenants`` lists for a token: a user's, none for an app."""
    tenants = TENANTS if claims(token).get("upn") else {}
    return [
        {
            "id": f"/tenants/{tenant}",
            "tenantId": tenant,
            "tenantCategory": "Home",
            "displayName": name,
            "defaultDomain": "utec.edu.pe",
            "tenantType": "AAD",
        }
        for tenant, name in tenants.items()
    ]


def subscriptions_of(token: str) -> list[dict[str, Any]]:
    """The subscriptions ``GET /subscriptions`` lists: those of the token's tenant."""
    tenant = str(claims(token).get("tid", ""))
    return [
        {
            "id": f"/subscriptions/{subscription}",
            "authorizationSource": "RoleBased",
            "managedByTenants": [],
            "subscriptionId": subscription,
            "tenantId": owner,
            "displayName": name,
            "state": "Enabled",
            "subscriptionPolicies": {
                "locationPlacementId": "Public_2014-09-01",
                "quotaId": "AzureForStudents_2018-01-01",
                "spendingLimit": "On",
            },
        }
        for subscription, (owner, name) in SUBSCRIPTIONS.items()
        if owner == tenant
    ]
