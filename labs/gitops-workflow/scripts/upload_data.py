"""Sube el CSV de clientes a Azure ML como activo de datos (o al almacén local).

Antes de subir nada revisa que el archivo siga el esquema de inferencia
(columnas, tipos, rangos y categorías): un error aquí es más fácil de
entender que un trabajo fallido en Azure. Cada subida crea una versión nueva
del activo (tipo ``uri_file``); el pipeline de inferencia usa la última,
``<nombre>@latest``. Con ``--local`` guarda la versión en el almacén local
(``mlartifacts/data-assets/<nombre>/<versión>/``).

Uso: python scripts/upload_data.py [--local] [--file-path data/inference_input.csv]
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from _lab import LAB_ROOT  # va primero: encuentra src/ y revisa tu Python

from churn_lab.schema import INFERENCE_COLUMNS, validated_chunks
from labkit.cli import (
    build_parser,
    check_asset_name,
    display_path,
    quantity,
    report_errors,
    require_file,
)
from labkit.local_store import (
    local_store,
    register_local_data_asset,
)
from labkit.workspace import (
    add_workspace_arguments,
    azure_errors,
    create_ml_client,
    workspace_config_from_args,
)

if TYPE_CHECKING:
    from azure.ai.ml.entities import Data

DEFAULT_FILE = LAB_ROOT / "data" / "inference_input.csv"
DEFAULT_ASSET_NAME = "churn-inference-data"
DESCRIPTION = "Clientes a puntuar con el modelo de abandono (esquema E2)."


def validate_data_file(path: Path) -> int:
    """Revisa ``path`` contra el esquema de inferencia; devuelve cuántas filas tiene."""
    require_file(
        path,
        "el archivo de datos",
        "Créalo con: python scripts/create_inference_data.py",
    )
    return sum(len(chunk) for chunk in validated_chunks(path, INFERENCE_COLUMNS))


def build_data_asset(name: str, path: Path) -> Data:
    """El activo ``uri_file`` sin versión: Azure ML le pone la siguiente."""
    from azure.ai.ml.constants import AssetTypes
    from azure.ai.ml.entities import Data

    return Data(
        name=check_asset_name(name),
        path=str(path),
        type=AssetTypes.URI_FILE,
        description=DESCRIPTION,
        tags={"esquema": "E2", "archivo": path.name},
    )


@report_errors
def main(argv: Sequence[str] | None = None) -> int:
    """Lee los argumentos, valida y sube el archivo; devuelve el código de salida."""
    parser = build_parser(__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument(
        "--file-path",
        type=Path,
        default=DEFAULT_FILE,
        help="CSV de clientes a subir (esquema de inferencia)",
    )
    parser.add_argument(
        "--asset-name",
        type=check_asset_name,
        default=DEFAULT_ASSET_NAME,
        help="nombre del activo de datos",
    )
    add_workspace_arguments(parser)
    args = parser.parse_args(argv)

    rows = validate_data_file(args.file_path)
    print(
        f"✅ {display_path(args.file_path)} sigue el esquema: "
        f"{quantity(rows, 'cliente', 'clientes')}."
    )
    if args.local:
        store = local_store()
        local = register_local_data_asset(store, args.asset_name, args.file_path)
        name, version, uri = local.name, str(local.version), str(local.path)
        where = f"el almacén local ({store.data_assets_dir})"
    else:
        config = workspace_config_from_args(args)
        print(f"☁️  Subiendo a {config.workspace_name}…")
        with azure_errors(config):
            ml_client = create_ml_client(config)
            created = ml_client.data.create_or_update(
                build_data_asset(args.asset_name, args.file_path)
            )
        name, version, uri = str(created.name), str(created.version), str(created.path)
        where = f"Azure ML ({config.workspace_name}) → Datos"
    print(f"📦 Activo de datos registrado en {where}")
    print(f"   Nombre:  {name}")
    print(f"   Versión: {version}")
    print(f"   URI:     {uri}")
    # El pipeline usa la versión más alta (@latest), sin el prefijo azureml:
    # (con él, azure-ai-ml 1.35 busca un activo con ese nombre literal).
    print(f"   En el pipeline: {name}@latest")
    next_step = "python scripts/run_inference_pipeline.py"
    print(f"➡️  Siguiente paso: {next_step}" + (" --local" if args.local else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
