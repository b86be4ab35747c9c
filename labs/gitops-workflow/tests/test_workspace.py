"""Pruebas de labkit.workspace: config.json y errores de Azure."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from azure.core.credentials import AccessToken
from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ResourceNotFoundError,
    ServiceRequestError,
)
from azure.identity import CredentialUnavailableError

from labkit.cli import LabError, build_parser
from labkit.workspace import (
    TOKEN_REFRESH_MARGIN_SECONDS,
    OneTokenPerScope,
    WorkspaceConfig,
    add_workspace_arguments,
    azure_errors,
    explain_azure_error,
    lab_credential,
    load_workspace_config,
    workspace_config_from_args,
)

VALID = {
    "subscription_id": "00000000-0000-0000-0000-000000000000",
    "resource_group": "rg-lab",
    "workspace_name": "ws-lab",
}
CONFIG = WorkspaceConfig(*VALID.values())


def write_config(folder: Path, content: object) -> Path:
    """Escribe ``content`` (texto tal cual, o un objeto como JSON) en config.json."""
    path = folder / "config.json"
    text = content if isinstance(content, str) else json.dumps(content)
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_config_file(tmp_path: Path) -> None:
    assert load_workspace_config(write_config(tmp_path, VALID)) == CONFIG


def test_flags_override_the_file(tmp_path: Path) -> None:
    path = write_config(tmp_path, VALID)
    parser = build_parser("prueba")
    add_workspace_arguments(parser)
    args = parser.parse_args(["--config", str(path), "--workspace-name", "otro"])
    assert workspace_config_from_args(args).workspace_name == "otro"
    assert workspace_config_from_args(args).resource_group == "rg-lab"
    assert args.local is False


def test_three_flags_need_no_file(tmp_path: Path) -> None:
    overrides = dict(VALID)
    assert load_workspace_config(tmp_path / "no-existe.json", overrides) == CONFIG


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "no se encontró el archivo de configuración"),
        ('{"subscription_id": "x",', "no es un JSON válido (línea 1"),
        ("[1, 2]", "debe contener un objeto JSON"),
        ({"subscription_id": "x"}, "le faltan valores: resource_group, workspace_name"),
        ({**VALID, "workspace_name": "  "}, "le faltan valores: workspace_name"),
        ({**VALID, "resource_group": 5}, "resource_group debe ser un texto"),
    ],
)
def test_config_errors_are_spanish(tmp_path: Path, content: object, words: str) -> None:
    path = (
        tmp_path / "config.json" if content is None else write_config(tmp_path, content)
    )
    with pytest.raises(LabError, match=words.replace("(", r"\(")):
        load_workspace_config(path)


def with_status(error: HttpResponseError, status: int) -> HttpResponseError:
    """El error con el código HTTP que traería una respuesta real de Azure."""
    error.status_code = status
    return error


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (CredentialUnavailableError("Azure CLI not found on path"), "az login"),
        # Lo que dice azure-identity si «az account get-access-token» no responde.
        (
            CredentialUnavailableError("Failed to invoke the Azure CLI"),
            "no respondió a tiempo",
        ),
        (
            ClientAuthenticationError("AADSTS700082: The refresh token has expired"),
            "tu sesión de Azure expiró",
        ),
        (
            ClientAuthenticationError(
                "ClientSecretCredential.get_token failed: AADSTS7000215: Invalid "
                "client secret provided. Ensure the secret being sent in the "
                "request is the client secret value, not the client secret ID"
            ),
            "va el valor del secreto",
        ),
        (
            ClientAuthenticationError(
                "WorkloadIdentityCredential.get_token failed: AADSTS70021: No "
                "matching federated identity record found for presented "
                "assertion. Assertion Issuer: "
                "'https://token.actions.githubusercontent.com'. Assertion Subject: "
                "'repo:ana/lab:ref:refs/heads/main'. Assertion Audience: "
                "'api://AzureADTokenExchange'."
            ),
            "coincide con el sujeto «repo:ana/lab:ref:refs/heads/main»",
        ),
        (
            ResourceNotFoundError("(ResourceGroupNotFound) Resource group 'rg' ..."),
            "no se encontró el grupo de recursos",
        ),
        (
            ResourceNotFoundError("(SubscriptionNotFound) The subscription ..."),
            "no se encontró la suscripción",
        ),
        (
            ResourceNotFoundError(
                "(ResourceNotFound) The Resource 'Microsoft.MachineLearningServices/"
                "workspaces/ws-lab' under resource group 'rg-lab' was not found."
            ),
            "no se encontró el workspace",
        ),
        (
            with_status(HttpResponseError("(AuthorizationFailed) The client ..."), 403),
            "no tiene permiso",
        ),
        (
            with_status(
                HttpResponseError("(QuotaExceeded) Operation results ..."), 400
            ),
            "cuota de vCPU",
        ),
        # Los textos del servicio (ansible-collections/azure#2209,
        # MicrosoftLearning/mslearn-dp100#35): una serie restringida desde julio
        # de 2026 no recibe cuota, así que el arreglo es otro tamaño.
        (
            with_status(
                HttpResponseError(
                    "(ClusterMinNodesExceedCoreQuota) The specified subscription "
                    "has a Standard DSv2 family vCPU quota of 0 and cannot "
                    "accomodate for at least 1 requested managed compute nodes "
                    "which maps to 2 vCPUs."
                ),
                400,
            ),
            "serie Dsv2, que desde julio de 2026",
        ),
        (
            with_status(
                HttpResponseError(
                    "(UserError) Job submission to AzureML Compute encountered an "
                    "Exception with status code JobNodeCountExceedsCoreQuota, The "
                    "specified subscription has a Standard DSv5 family vCPU quota "
                    "of 0 and is less than the requested job node count of 1"
                ),
                400,
            ),
            "cuota de vCPU de Azure ML suficiente en la familia Standard DSv5",
        ),
        (ServiceRequestError("Failed to resolve host"), "no hay conexión con Azure"),
    ],
)
def test_azure_errors_become_spanish(error: Exception, words: str) -> None:
    explained = explain_azure_error(error, CONFIG)
    assert explained is not None and words in str(explained)
    with pytest.raises(LabError, match=words):
        with azure_errors(CONFIG):
            raise error


def test_other_errors_are_not_hidden() -> None:
    assert explain_azure_error(ValueError("otro"), CONFIG) is None
    with pytest.raises(ValueError):
        with azure_errors(CONFIG):
            raise ValueError("otro")


class CountingCredential:
    """Da tokens que caducan en ``lifetime`` segundos y los cuenta."""

    def __init__(self, lifetime: int) -> None:
        self.lifetime = lifetime
        self.asked: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs: object) -> AccessToken:
        """Un token nuevo cada vez."""
        del kwargs
        self.asked.append(scopes)
        return AccessToken(f"token-{len(self.asked)}", int(time.time()) + self.lifetime)

    def close(self) -> None:
        """Nada que cerrar."""


def test_one_token_per_scope_until_it_is_about_to_expire() -> None:
    inner = CountingCredential(lifetime=3600)
    credential = OneTokenPerScope(inner)
    arm, ml = "https://management.azure.com/.default", "https://ml.azure.com/.default"
    first = credential.get_token(arm)
    assert credential.get_token(arm) == first
    assert credential.get_token_info(arm).token == first.token
    credential.get_token(ml)
    assert inner.asked == [(arm,), (ml,)]
    credential.get_token(arm, claims='{"access_token": {}}')  # desafío: uno nuevo
    assert len(inner.asked) == 3

    soon = CountingCredential(lifetime=TOKEN_REFRESH_MARGIN_SECONDS - 1)
    credential = OneTokenPerScope(soon)
    credential.get_token(arm)
    credential.get_token(arm)
    assert len(soon.asked) == 2


def test_lab_credential_skips_what_a_laptop_cannot_use(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AZURE_TOKEN_CREDENTIALS", raising=False)
    names = [type(c).__name__ for c in lab_credential().credential.credentials]
    # La identidad de carga de trabajo sin sus variables queda como
    # FailedDACCredential: sigue en la cadena, como en el flujo de despliegue.
    assert names[0] == "EnvironmentCredential" and "AzureCliCredential" in names
    for skipped in ("ManagedIdentityCredential", "SharedTokenCacheCredential"):
        assert skipped not in names
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "ManagedIdentityCredential")
    names = [type(c).__name__ for c in lab_credential().credential.credentials]
    assert names == ["ManagedIdentityCredential"]
