"""Tu workspace de Azure ML: su configuración y el cliente que habla con él.

Es el único lugar que sabe:

- leer ``config.json`` (``subscription_id``, ``resource_group``,
  ``workspace_name``) y combinarlo con ``--subscription-id``,
  ``--resource-group`` y ``--workspace-name`` (una opción gana al archivo);
- crear el ``MLClient`` de Azure ML con la credencial de los scripts
  (``labkit.credential``: ``DefaultAzureCredential``, un token por scope).

Los errores de Azure en español están en ``labkit.azure_errors``; el cómputo
y la cuota, en ``labkit.compute``; el trabajo, su espera y su salida, en
``labkit.azure_job``. Lo que los scripts hacen con ``--local``, sin Azure,
vive en ``labkit.local_store`` y ``labkit.local_job``.

Las bibliotecas de Azure y MLflow se importan dentro de las funciones para que
``--help`` responda al instante.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from labkit import LAB_ROOT
from labkit.azure_errors import azure_errors, explain_azure_error
from labkit.cli import LabError, display_path
from labkit.credential import (
    LAPTOP_EXCLUDED_CREDENTIALS,
    TOKEN_REFRESH_MARGIN_SECONDS,
    OneTokenPerScope,
    lab_credential,
)

if TYPE_CHECKING:
    from azure.ai.ml import MLClient
    from azure.core.credentials import TokenCredential

# Lo que importan otros módulos y scripts desde aquí (una sola copia de cada cosa).
__all__ = [
    "CONFIG_KEYS",
    "DEFAULT_CONFIG",
    "EXPERIMENT_NAME",
    "LAPTOP_EXCLUDED_CREDENTIALS",
    "TOKEN_REFRESH_MARGIN_SECONDS",
    "OneTokenPerScope",
    "WorkspaceConfig",
    "add_workspace_arguments",
    "azure_errors",
    "create_ml_client",
    "explain_azure_error",
    "lab_credential",
    "load_workspace_config",
    "quiet_azure_logs",
    "workspace_config_from_args",
]

DEFAULT_CONFIG = Path("config.json")
CONFIG_KEYS: tuple[str, ...] = ("subscription_id", "resource_group", "workspace_name")
EXPERIMENT_NAME = "churn-prediction"


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
# El cliente de Azure ML
# --------------------------------------------------------------------------


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
