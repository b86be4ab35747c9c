"""Tu workspace de Azure ML: su configuración, el cliente y los errores de Azure.

Es el único lugar que sabe:

- leer ``config.json`` (``subscription_id``, ``resource_group``,
  ``workspace_name``) y combinarlo con ``--subscription-id``,
  ``--resource-group`` y ``--workspace-name`` (una opción gana al archivo);
- crear el ``MLClient`` de Azure ML con ``DefaultAzureCredential`` (funciona
  tras ``az login`` y, en GitHub Actions, con las variables del service
  principal), envuelta en una credencial que pide cada token una sola vez
  por ejecución (``OneTokenPerScope``): con ``az login``, cada token nuevo es
  un ``az account get-access-token`` de casi un segundo, y el mismo
  ``MLClient`` se lo pasa a MLflow y a azureml-mlflow;
- traducir los errores de Azure a un mensaje en español que dice cómo
  arreglarlos.

Lo que los scripts hacen con ``--local``, sin Azure, vive en
``labkit.local_store``.

Las bibliotecas de Azure y MLflow se importan dentro de las funciones para que
``--help`` responda al instante.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import shutil
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from labkit import LAB_ROOT
from labkit.cli import LabError, display_path, first_line

if TYPE_CHECKING:
    from azure.ai.ml import MLClient
    from azure.core.credentials import (
        AccessToken,
        AccessTokenInfo,
        TokenCredential,
        TokenRequestOptions,
    )

DEFAULT_CONFIG = Path("config.json")
CONFIG_KEYS: tuple[str, ...] = ("subscription_id", "resource_group", "workspace_name")
EXPERIMENT_NAME = "churn-prediction"

_AZ_LOGIN_FIX = (
    "Ejecuta az login (con la cuenta de tu suscripción) y vuelve a intentarlo. "
    "Si no tienes la CLI de Azure, instálala desde "
    "https://learn.microsoft.com/cli/azure/install-azure-cli. "
    "Sin suscripción, usa --local."
)


@dataclass(frozen=True)
class WorkspaceConfig:
    """Los tres datos que identifican un workspace de Azure ML."""

    subscription_id: str
    resource_group: str
    workspace_name: str


# --------------------------------------------------------------------------
# Configuración del workspace
# --------------------------------------------------------------------------


def add_workspace_arguments(parser: argparse.ArgumentParser) -> None:
    """Añade las opciones comunes de los scripts de Azure y ``--local``."""
    group = parser.add_argument_group("workspace de Azure ML")
    group.add_argument(
        "--config",
        type=Path,
        default=LAB_ROOT / DEFAULT_CONFIG,
        help="archivo JSON con subscription_id, resource_group y workspace_name",
    )
    group.add_argument(
        "--subscription-id", help="ID de la suscripción (reemplaza al del archivo)"
    )
    group.add_argument(
        "--resource-group", help="grupo de recursos (reemplaza al del archivo)"
    )
    group.add_argument(
        "--workspace-name", help="nombre del workspace (reemplaza al del archivo)"
    )
    group.add_argument(
        "--local",
        action="store_true",
        help=(
            "trabaja con el almacén local de MLflow (mlflow.db y mlartifacts/), "
            "sin Azure ni credenciales"
        ),
    )


def load_workspace_config(
    path: Path, overrides: Mapping[str, str | None] | None = None
) -> WorkspaceConfig:
    """Lee ``path`` y aplica ``overrides``; el archivo no hace falta si están los 3.

    Lanza ``LabError`` si el archivo falta, no es JSON, no es un objeto o le
    falta algún valor (o está vacío).
    """
    values: dict[str, str] = {}
    given = {key: value for key, value in (overrides or {}).items() if value}
    if not all(given.get(key) for key in CONFIG_KEYS):
        values.update(_read_config_file(path))
    values.update(given)
    missing = [key for key in CONFIG_KEYS if not str(values.get(key, "")).strip()]
    if missing:
        options = ", ".join("--" + key.replace("_", "-") for key in missing)
        raise LabError(
            f"a la configuración del workspace ({path}) le faltan valores: "
            f"{', '.join(missing)}. Complétalos en el archivo (los ves en Azure ML "
            f"Studio, menú del workspace arriba a la derecha) o pásalos con {options}."
        )
    return WorkspaceConfig(*(str(values[key]).strip() for key in CONFIG_KEYS))


def _read_config_file(path: Path) -> dict[str, str]:
    """El contenido de ``config.json`` como diccionario de textos."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise LabError(
            f"no se encontró el archivo de configuración {display_path(path)}. "
            "Créalo en la "
            "carpeta del laboratorio con subscription_id, resource_group y "
            "workspace_name (o descárgalo desde Azure ML Studio: menú del workspace "
            "→ «Descargar archivo de configuración»), o pasa --subscription-id, "
            "--resource-group y --workspace-name. Sin Azure, usa --local."
        ) from None
    except IsADirectoryError:
        raise LabError(
            f"{path} es una carpeta, no un archivo. Indica el archivo con --config."
        ) from None
    except UnicodeDecodeError:
        raise LabError(
            f"el archivo {path} no está en UTF-8. Guárdalo de nuevo como UTF-8 "
            "desde tu editor."
        ) from None
    except OSError as error:
        raise LabError(f"no se pudo leer {path} ({error.strerror}).") from None
    try:
        content = json.loads(text)
    except json.JSONDecodeError as error:
        raise LabError(
            f"el archivo {path} no es un JSON válido (línea {error.lineno}, "
            f"columna {error.colno}). Revisa las comillas dobles, las comas y las "
            'llaves; debe verse así: {"subscription_id": "…", '
            '"resource_group": "…", "workspace_name": "…"}'
        ) from None
    if not isinstance(content, dict):
        raise LabError(
            f"el archivo {path} debe contener un objeto JSON entre llaves con "
            "subscription_id, resource_group y workspace_name."
        )
    _check_key_names(content, path)
    not_text = [
        key
        for key in CONFIG_KEYS
        if key in content and not isinstance(content[key], str)
    ]
    if not_text:
        raise LabError(
            f"en {path}, {', '.join(not_text)} debe ser un texto entre comillas."
        )
    return {key: content[key] for key in CONFIG_KEYS if key in content}


def _check_key_names(content: dict[str, Any], path: Path) -> None:
    """``subscriptionId`` o ``resource-group`` no son nuestras claves: dilo."""
    misnamed = [
        key
        for key in content
        if key not in CONFIG_KEYS
        and re.sub(r"(?<!^)(?=[A-Z])|-", "_", key).lower() in CONFIG_KEYS
    ]
    if misnamed:
        verb = "no se llama" if len(misnamed) == 1 else "no se llaman"
        raise LabError(
            f"en {path}, {', '.join(misnamed)} {verb} así: las claves son "
            f"{', '.join(CONFIG_KEYS)} (minúsculas, con guion bajo). "
            'Renómbralas: {"subscription_id": "…", "resource_group": "…", '
            '"workspace_name": "…"}'
        )


def workspace_config_from_args(args: argparse.Namespace) -> WorkspaceConfig:
    """La configuración del workspace según ``--config`` y las demás opciones."""
    return load_workspace_config(
        args.config,
        {
            "subscription_id": args.subscription_id,
            "resource_group": args.resource_group,
            "workspace_name": args.workspace_name,
        },
    )


# --------------------------------------------------------------------------
# Cliente de Azure ML y errores de Azure
# --------------------------------------------------------------------------


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
            **({} if chosen else LAPTOP_EXCLUDED_CREDENTIALS)
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


def create_ml_client(
    config: WorkspaceConfig, credential: TokenCredential | None = None
) -> MLClient:
    """``MLClient`` del workspace con ``lab_credential()`` (o ``credential``).

    ``ml_client.workspaces.get`` entrega esa misma credencial a azureml-mlflow,
    así que MLflow tampoco pide tokens por su cuenta.

    Las bibliotecas de Azure escriben en inglés avisos, barras de progreso y,
    cuando no hay sesión, una lista de las credenciales probadas. Aquí se
    callan: si algo falla, el script lo dice en español (``azure_errors``).
    """
    from azure.ai.ml import MLClient

    quiet_azure_logs()
    return MLClient(
        credential or lab_credential(),
        subscription_id=config.subscription_id,
        resource_group_name=config.resource_group,
        workspace_name=config.workspace_name,
        show_progress=False,
    )


def quiet_azure_logs() -> None:
    """Calla los mensajes en inglés de las bibliotecas de Azure (y de MSAL).

    Los errores no se pierden: llegan como excepciones y ``azure_errors`` los
    explica en español.
    """
    import logging
    import warnings

    warnings.filterwarnings("ignore", module=r"azure(\..*)?$")
    warnings.filterwarnings("ignore", module=r"msal(\..*)?$")
    names = [
        name
        for name in logging.Logger.manager.loggerDict
        if name.split(".")[0] in ("azure", "azureml", "msal")
    ]
    for name in ("azure", "azureml", "msal", *names):
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


def explain_azure_error(
    error: BaseException, config: WorkspaceConfig | None = None
) -> LabError | None:
    """Un error de Azure como ``LabError`` en español; ``None`` si no es de Azure."""
    from azure.ai.ml.exceptions import MlException
    from azure.core.exceptions import (
        ClientAuthenticationError,
        HttpResponseError,
        ResourceNotFoundError,
        ServiceRequestError,
        ServiceResponseError,
    )

    text = str(error)
    lowered = text.lower()
    where = (
        f"suscripción {config.subscription_id}, grupo de recursos "
        f"{config.resource_group}, workspace {config.workspace_name}"
        if config
        else "revisa tu config.json"
    )
    message: str | None = None
    if isinstance(error, ClientAuthenticationError):
        message = _login_message(text, config)
    elif isinstance(error, ResourceNotFoundError):
        message = _not_found_message(lowered, where, first_line(error))
    elif isinstance(error, HttpResponseError):
        message = _http_message(error.status_code, lowered, where, first_line(error))
    elif isinstance(error, (ServiceRequestError, ServiceResponseError)):
        message = (
            "no hay conexión con Azure. Revisa tu conexión a internet (o el "
            "proxy/VPN) y vuelve a intentarlo. Sin conexión, usa --local."
        )
    elif isinstance(error, MlException):
        message = (
            f"Azure ML rechazó la operación: {first_line(error)}. Revisa los "
            "nombres del modelo, del activo de datos y del clúster."
        )
    return LabError(message) if message else None


def _login_message(text: str, config: WorkspaceConfig | None) -> str:
    lowered = text.lower()
    if "invalidauthenticationtokentenant" in lowered:
        return _wrong_tenant_message(text, config)
    # La CLI de Azure recomienda en su error el comando exacto (tenant y scope).
    login = _az_login_command(text)
    cli_missing = (
        "no se pudo iniciar sesión en Azure: la CLI de Azure (az) no está "
        f"instalada o no está en el PATH. {_AZ_LOGIN_FIX}"
    )
    # OIDC (deploy_model.yml): el token de GitHub no coincide con ninguna
    # credencial federada; Entra ID dice qué sujeto recibió.
    subject = re.search(r"assertion subject: '([^']*)'", text, re.IGNORECASE)
    rules = (
        (
            ("aadsts70021",),
            "Azure no aceptó el token de GitHub (AADSTS70021): ninguna credencial "
            "federada del service principal coincide con el sujeto "
            f"«{subject.group(1) if subject else '?'}». Créala con el sujeto "
            "repo:<usuario>/<repositorio>:environment:azure (el trabajo usa el "
            "environment azure), emisor https://token.actions.githubusercontent.com "
            "y audiencia api://AzureADTokenExchange (tutorial, Apéndice A).",
        ),
        # En GitHub Actions (parte Extra) se entra con un service principal: el
        # error típico es pegar el ID del secreto en lugar de su valor.
        (
            ("aadsts7000215", "invalid client secret"),
            "el secreto del service principal no es válido (AADSTS7000215). En "
            "AZURE_CLIENT_SECRET va el valor del secreto (el campo password de "
            "az ad sp create-for-rbac), no su ID. Si ya no lo tienes, crea otro "
            "con: az ad sp credential reset --id <appId>",
        ),
        (
            ("aadsts50076",),
            "tu cuenta necesita la verificación en dos pasos (MFA) para usar Azure "
            f"(AADSTS50076). Ejecuta {login}, completa la verificación en el "
            "navegador y vuelve a intentarlo.",
        ),
        (
            ("aadsts700082",),
            "tu sesión de Azure expiró por inactividad (AADSTS700082). Ejecuta "
            f"{login} y vuelve a intentarlo.",
        ),
        (
            ("expired", "aadsts70043"),
            "tu sesión de Azure expiró. Ejecuta az login otra vez y vuelve a "
            "intentarlo.",
        ),
        (("azure cli not found on path",), cli_missing),
        (
            ("please run 'az login' to set up an account",),
            "no se pudo iniciar sesión en Azure: no has iniciado sesión en la CLI "
            "de Azure. Ejecuta az login (o az login --use-device-code si no se abre "
            "el navegador) con la cuenta de tu suscripción y vuelve a intentarlo. "
            "Sin suscripción, usa --local.",
        ),
    )
    for words, message in rules:
        if any(word in lowered for word in words):
            return message
    if shutil.which("az") is None:
        return cli_missing
    return f"no se pudo iniciar sesión en Azure. {_AZ_LOGIN_FIX}"


def _az_login_command(text: str) -> str:
    """El ``az login`` que recomienda la CLI de Azure en su error, sin comillas.

    Para MFA, la CLI pide antes ``az logout`` (Azure/azure-cli#21519).
    """
    found = re.search(r"^az login( --\S+ \"?[^\s\"]+\"?)*", text, re.M)
    login = found.group(0).replace('"', "") if found else "az login"
    if re.search(r"^az logout$", text, re.M):
        return f"az logout y después {login}"
    return login


def _wrong_tenant_message(text: str, config: WorkspaceConfig | None) -> str:
    """ARM rechaza un token de otro directorio (InvalidAuthenticationTokenTenant)."""
    wanted = re.search(
        r"must match the tenant 'https://sts\.windows\.net/([^/']+)", text
    )
    tenant = wanted.group(1) if wanted else "<id del directorio>"
    subscription = config.subscription_id if config else "<id de la suscripción>"
    return (
        "tu sesión de az login es de otro directorio (tenant): la suscripción "
        f"{subscription} pertenece al directorio {tenant}. Si ya entraste en ese "
        "directorio (la suscripción aparece en az account list -o table), ejecuta "
        f"az account set --subscription {subscription}; si no, ejecuta "
        f"az login --tenant {tenant}. Después vuelve a intentarlo."
    )


def _http_message(status: int | None, lowered: str, where: str, detail: str) -> str:
    if "total vcpu quota of 0" in lowered:
        # Sin ninguna cuota de Azure ML en la región, otro tamaño no ayuda.
        return (
            "tu suscripción no tiene cuota de vCPU de Azure ML en esta región "
            "(cuota total 0): otro --vm-size no ayuda. Pide cuota en Azure ML "
            "Studio → Cuota (es aparte de la de máquinas virtuales), crea el "
            "workspace en otra región permitida o usa --local."
        )
    if "quota" in lowered or "cuota" in lowered:
        return (
            "tu suscripción no tiene cuota de vCPU suficiente para crear el "
            "clúster o el nodo (Azure for Students tiene poca). Mira la cuota de "
            "cada familia de VM en Azure ML Studio → Cuota y elige un tamaño con "
            "cuota libre con --vm-size (por ejemplo Standard_D2as_v4), pide más "
            "cuota, borra clústeres que no uses o usa --local."
        )
    if status == 403:
        return (
            f"tu cuenta no tiene permiso en el workspace ({where}). Pide al "
            "dueño de la suscripción el rol Colaborador (Contributor), o "
            "AzureML Data Scientist más Lector (Reader) sobre el workspace, o "
            "revisa con az account show que estás en la suscripción correcta."
        )
    return (
        f"Azure respondió con un error {status}: {detail}. Revisa los datos del "
        f"workspace ({where})."
    )


def _not_found_message(lowered: str, where: str, detail: str) -> str:
    if "subscriptionnotfound" in lowered:
        return (
            f"no se encontró la suscripción ({where}). Copia el ID exacto de "
            "az account list -o table y revisa que sea la de tu cuenta."
        )
    if "resourcegroupnotfound" in lowered:
        return (
            f"no se encontró el grupo de recursos ({where}). Revisa el nombre en el "
            "portal de Azure (Grupos de recursos)."
        )
    # Así responde Azure cuando el workspace no existe en ese grupo de recursos.
    if "machinelearningservices/workspaces/" in lowered and "under resource group" in (
        lowered
    ):
        return (
            f"no se encontró el workspace ({where}). Revisa el nombre exacto en "
            "Azure ML Studio o créalo siguiendo el Apéndice A del tutorial."
        )
    return (
        f"Azure ML no encontró lo que se pidió: {detail}. Revisa el nombre "
        "(¿registraste el modelo y subiste los datos antes?)."
    )


@contextlib.contextmanager
def _without_color_resets() -> Iterator[None]:
    """Quita las líneas de stderr que solo cambian el color o están en blanco.

    azure-ai-ml escribe un cambio de color y una línea en blanco tras cada
    subida, aunque no muestre la barra de progreso.
    """
    captured = io.StringIO()
    try:
        with contextlib.redirect_stderr(captured):
            yield
    finally:
        for line in captured.getvalue().splitlines():
            if re.sub(r"\x1b\[[0-9;]*m|\s", "", line):
                print(line, file=sys.stderr)


@contextlib.contextmanager
def azure_errors(config: WorkspaceConfig | None = None) -> Iterator[None]:
    """Convierte los errores de Azure del bloque en ``LabError`` en español."""
    from azure.core.exceptions import AzureError

    try:
        with _without_color_resets():
            yield
    except AzureError as error:
        lab_error = explain_azure_error(error, config)
        if lab_error is None:  # pragma: no cover, todos los AzureError tienen mensaje
            raise
        raise lab_error from None
