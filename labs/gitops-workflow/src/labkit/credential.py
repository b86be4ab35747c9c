"""La credencial de Azure de los scripts: quién eres ante Azure, una vez por ejecución.

``lab_credential()`` es ``DefaultAzureCredential`` (funciona tras ``az login``
y, en GitHub Actions, con las variables del service principal o con OIDC),
sin las credenciales que en una computadora personal solo hacen perder
tiempo, y envuelta en ``OneTokenPerScope``: con ``az login``, cada token
nuevo es un ``az account get-access-token`` de casi un segundo, y el mismo
``MLClient`` se lo pasa a MLflow y a azureml-mlflow.

Las bibliotecas de Azure se importan dentro de las funciones para que
``--help`` responda al instante.
"""

from __future__ import annotations

import os
import threading
import time
from typing import TYPE_CHECKING

from labkit.cli import LabError

if TYPE_CHECKING:
    from azure.core.credentials import (
        AccessToken,
        AccessTokenInfo,
        TokenCredential,
        TokenRequestOptions,
    )


# Un token se reutiliza hasta 5 minutos antes de que caduque, el mismo margen
# con el que azure-core pide uno nuevo.
TOKEN_REFRESH_MARGIN_SECONDS = 300
# Lo que DefaultAzureCredential prueba antes de la CLI de Azure y que en la
# computadora de un estudiante no sirve: la identidad administrada (una
# consulta a 169.254.169.254 que, donde la red descarta el paquete, espera
# 1 s), la caché compartida de Visual Studio en Windows (que puede dar el token
# de otra cuenta o de otro directorio), VS Code, PowerShell y azd. Quedan las
# variables del service principal y la identidad de carga de trabajo (el
# flujo de despliegue) y la CLI (az login, también la de azure/login).
LAPTOP_EXCLUDED_CREDENTIALS = {
    "exclude_managed_identity_credential": True,
    "exclude_shared_token_cache_credential": True,
    "exclude_visual_studio_code_credential": True,
    "exclude_powershell_credential": True,
    "exclude_developer_cli_credential": True,
}


# Cuánto esperar a «az account get-access-token». azure-identity espera 10 s
# y, si no responde, da un error que no dice por qué («Failed to invoke the
# Azure CLI»): la primera vez en una computadora lenta (o en una máquina de 2
# núcleos ocupada) la CLI tarda más.
CLI_TIMEOUT_SECONDS = 60


class OneTokenPerScope:
    """Una credencial para todo el script: pide cada token una vez y lo reutiliza.

    Envuelve a otra credencial (``DefaultAzureCredential``). Guarda un token por
    cada conjunto de ``scopes`` (y de tenant) hasta poco antes de que caduque;
    una petición con ``claims`` (un desafío del servicio) siempre pide uno nuevo.
    """

    def __init__(self, credential: TokenCredential) -> None:
        self.credential = credential
        self._tokens: dict[tuple[str, ...], AccessTokenInfo] = {}
        self._lock = threading.Lock()

    def get_token_info(
        self, *scopes: str, options: TokenRequestOptions | None = None
    ) -> AccessTokenInfo:
        """El token guardado para ``scopes`` o, si no hay o caduca pronto, uno nuevo."""
        from azure.core.credentials import AccessTokenInfo

        options = options or {}
        key = (*scopes, "tenant=" + str(options.get("tenant_id") or ""))
        with self._lock:
            token = self._tokens.get(key)
            if (
                token is None
                or options.get("claims")
                or token.expires_on - time.time() < TOKEN_REFRESH_MARGIN_SECONDS
            ):
                found = self.credential.get_token(
                    *scopes,
                    claims=options.get("claims"),
                    tenant_id=options.get("tenant_id"),
                )
                token = AccessTokenInfo(found.token, found.expires_on)
                self._tokens[key] = token
            return token

    def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        **kwargs: object,
    ) -> AccessToken:
        """Lo mismo que ``get_token_info``, con la forma de ``get_token``."""
        from azure.core.credentials import AccessToken

        options: TokenRequestOptions = {}
        if claims:
            options["claims"] = claims
        if tenant_id:
            options["tenant_id"] = tenant_id
        del kwargs  # enable_cae y otras: la credencial de abajo decide
        token = self.get_token_info(*scopes, options=options)
        return AccessToken(token.token, token.expires_on)

    def close(self) -> None:
        """Cierra la credencial envuelta."""
        close = getattr(self.credential, "close", None)
        if close:
            close()


def lab_credential() -> OneTokenPerScope:
    """La credencial de los scripts: ``DefaultAzureCredential``, un token por scope.

    Si defines ``AZURE_TOKEN_CREDENTIALS``, azure-identity usa las credenciales
    que dice esa variable; si no, se saltan las que no sirven en una
    computadora personal (``LAPTOP_EXCLUDED_CREDENTIALS``).
    """
    from azure.identity import DefaultAzureCredential

    chosen = os.environ.get("AZURE_TOKEN_CREDENTIALS", "").strip()
    try:
        credential = DefaultAzureCredential(
            process_timeout=CLI_TIMEOUT_SECONDS,
            **({} if chosen else LAPTOP_EXCLUDED_CREDENTIALS),
        )
    except ValueError:
        # azure-identity valida AZURE_TOKEN_CREDENTIALS al crear la credencial.
        raise LabError(
            "la variable de entorno AZURE_TOKEN_CREDENTIALS tiene un valor no "
            f"válido ({chosen!r}). Bórrala "
            "(macOS/Linux: unset AZURE_TOKEN_CREDENTIALS; Windows: Remove-Item "
            "Env:AZURE_TOKEN_CREDENTIALS) o ponle AzureCliCredential, y vuelve a "
            "intentarlo."
        ) from None
    return OneTokenPerScope(credential)
