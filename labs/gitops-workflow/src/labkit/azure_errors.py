"""Los errores de Azure en español: qué pasó y cómo arreglarlo, en una línea.

``azure_errors(config)`` envuelve un bloque que habla con Azure y convierte
sus excepciones (``AzureError`` de azure-core, ``MlException`` de
azure-ai-ml) en un ``LabError``, que el script muestra sin traceback. Cada
mensaje nombra la causa con los datos del workspace y da el arreglo: el
comando exacto de ``az login`` que pide la CLI, el rol que falta, el nombre
que no existe, la cuota que no alcanza (``labkit.compute`` explica la cuota
con las cifras de tu suscripción).

Las bibliotecas de Azure se importan dentro de las funciones para que
``--help`` responda al instante.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

from labkit.cli import LabError, first_line
from labkit.vm_families import DEFAULT_VM_SIZE, RESTRICTED_FAMILIES, family_key

if TYPE_CHECKING:
    from labkit.workspace import WorkspaceConfig

_AZ_LOGIN_FIX = (
    "Ejecuta az login (con la cuenta de tu suscripción) y vuelve a intentarlo. "
    "Si no tienes la CLI de Azure, instálala desde "
    "https://learn.microsoft.com/cli/azure/install-azure-cli. "
    "Sin suscripción, usa --local."
)


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


_CLI_MISSING = (
    "no se pudo iniciar sesión en Azure: la CLI de Azure (az) no está "
    f"instalada o no está en el PATH. {_AZ_LOGIN_FIX}"
)
# Errores de inicio de sesión cuyo arreglo no depende del texto del error.
_FIXED_LOGIN_RULES: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("expired", "aadsts70043"),
        "tu sesión de Azure expiró. Ejecuta az login otra vez y vuelve a intentarlo.",
    ),
    (("azure cli not found on path",), _CLI_MISSING),
    # azure-identity, cuando «az account get-access-token» no responde a tiempo.
    (
        ("failed to invoke the azure cli",),
        "la CLI de Azure (az) no respondió a tiempo al pedirle un token. Vuelve "
        "a intentarlo; si se repite, ejecuta az account get-access-token para "
        "ver su error y, si pide iniciar sesión, az login.",
    ),
    (
        ("please run 'az login' to set up an account",),
        "no se pudo iniciar sesión en Azure: no has iniciado sesión en la CLI "
        "de Azure. Ejecuta az login (o az login --use-device-code si no se abre "
        "el navegador) con la cuenta de tu suscripción y vuelve a intentarlo. "
        "Sin suscripción, usa --local.",
    ),
)


def _login_message(text: str, config: WorkspaceConfig | None) -> str:
    lowered = text.lower()
    if "invalidauthenticationtokentenant" in lowered:
        return _wrong_tenant_message(text, config)
    # La CLI de Azure recomienda en su error el comando exacto (tenant y scope).
    login = _az_login_command(text)
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
        *_FIXED_LOGIN_RULES,
    )
    for words, message in rules:
        if any(word in lowered for word in words):
            return message
    if shutil.which("az") is None:
        return _CLI_MISSING
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
        return _quota_message(detail)
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


def _quota_message(text: str) -> str:
    """Azure rechazó el clúster o el trabajo por cuota: la familia, y si tiene arreglo.

    Los textos del servicio nombran la familia: «The specified subscription has
    a Standard DSv2 family vCPU quota of 0 and cannot accomodate…»
    (ClusterMinNodesExceedCoreQuota, JobNodeCountExceedsCoreQuota).
    """
    found = re.search(
        r"has a (standard [a-z0-9_ ]+?) family vcpu quota of (\d+)", text, re.I
    )
    family = found.group(1) if found else ""
    series = RESTRICTED_FAMILIES.get(family_key(family + " family"))
    where = f"la familia {family}" if found else "la familia"
    if series:
        return (
            f"Azure rechazó la máquina: es de la serie {series}, que desde julio de "
            "2026 no se puede desplegar en suscripciones nuevas ni recibe más cuota "
            "(restricción de crecimiento de capacidad): pedir cuota no sirve. Usa "
            "una serie actual con cómputo sin servidor: python "
            f"scripts/run_inference_pipeline.py --vm-size {DEFAULT_VM_SIZE} (sin "
            "--compute-name); el script comprueba antes qué tamaños tienen cuota."
        )
    example = (
        ""
        if family_key(family + " family") == family_key("standardDASv5Family")
        else f", por ejemplo {DEFAULT_VM_SIZE}"
    )
    return (
        f"tu suscripción no tiene cuota de vCPU de Azure ML suficiente en {where} "
        f"({found.group(2) if found else '?'} vCPU) para la máquina que pediste. "
        f"Elige con --vm-size un tamaño de una familia con cuota libre{example} "
        "(las ves en Azure ML Studio → Cuota), pide cuota para esa familia ahí "
        "mismo, borra clústeres que no uses o usa --local."
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
