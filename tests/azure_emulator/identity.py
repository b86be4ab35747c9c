"""Microsoft Entra ID as MSAL meets it: instance discovery, OpenID metadata, tokens.

``EnvironmentCredential`` (``AZURE_TENANT_ID``, ``AZURE_CLIENT_ID``,
``AZURE_CLIENT_SECRET``) makes MSAL ask, in this order,
``/common/discovery/instance``, ``/<tenant>/v2.0/.well-known/openid-configuration``
and ``POST /<tenant>/oauth2/v2.0/token`` (client credentials grant).
"""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from typing import Any

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


def access_token(tenant: str, client_id: str, scope: str) -> str:
    """An unsigned JWT with the claims clients read (``tid``, ``oid``, ``exp``)."""
    now = int(time.time())
    claims = {
        "aud": scope.rsplit("/.default", 1)[0],
        "iss": f"https://sts.windows.net/{tenant}/",
        "iat": now,
        "nbf": now,
        "exp": now + TOKEN_SECONDS,
        "appid": client_id,
        "oid": str(uuid.uuid5(uuid.NAMESPACE_URL, client_id)),
        "tid": tenant,
        "sub": client_id,
    }
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}.emulador"


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


def token_error(code: str, description: str) -> dict[str, Any]:
    """The body Entra ID answers with for a refused token request (HTTP 400/401)."""
    return {
        "error": code,
        "error_description": description,
        "error_codes": [int(code) for code in re.findall(r"^AADSTS(\d+)", description)],
        "timestamp": time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime()),
        "trace_id": str(uuid.uuid4()),
        "correlation_id": str(uuid.uuid4()),
    }


def _claims(assertion: str) -> dict[str, Any]:
    try:
        payload = assertion.split(".")[1]
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        claims = json.loads(raw)
    except (IndexError, ValueError):
        return {}
    return claims if isinstance(claims, dict) else {}


def assertion_problem(assertion: str) -> str | None:
    """Why Entra ID refuses this client assertion (a GitHub OIDC token), or None.

    The token is matched against the federated credential by issuer, subject
    and audience, exactly (AADSTS70021), and must be within its valid time
    (AADSTS700024). The signature is not checked: the fake's tokens are unsigned.
    """
    claims = _claims(assertion)
    audience = claims.get("aud")
    presented = {
        "issuer": claims.get("iss"),
        "subject": claims.get("sub"),
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
    if not claims.get("nbf", now) - 300 <= now <= claims.get("exp", 0) + 300:
        return "AADSTS700024: Client assertion is not within its valid time range."
    return None
