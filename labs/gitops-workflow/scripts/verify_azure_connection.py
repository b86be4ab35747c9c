"""Comprueba que puedes conectarte a tu workspace de Azure ML (o al almacén local).

Lee ``config.json`` (o ``--subscription-id``, ``--resource-group`` y
``--workspace-name``), inicia sesión con tus credenciales de ``az login`` y
muestra el nombre, la región y el grupo de recursos del workspace, junto con
la URI de MLflow donde se registrarán los modelos. Con ``--local`` comprueba
en cambio que el almacén local de MLflow (``mlflow.db`` y ``mlartifacts/``)
se puede usar, y muestra qué contiene.

Uso: python scripts/verify_azure_connection.py [--config config.json] [--local]
"""

from __future__ import annotations

from collections.abc import Sequence

from _lab import LAB_ROOT  # va primero: revisa Python y el entorno virtual

from labkit.cli import build_parser, print_table, report_errors
from labkit.local_store import (
    LocalStore,
    local_store,
    mlflow_ui_hint,
    prepare_local_store,
)
from labkit.workspace import (
    EXPERIMENT_NAME,
    WorkspaceConfig,
    add_workspace_arguments,
    azure_errors,
    create_ml_client,
    workspace_config_from_args,
)


def verify_workspace(config: WorkspaceConfig) -> dict[str, str]:
    """Se conecta al workspace y devuelve sus datos principales."""
    with azure_errors(config):
        ml_client = create_ml_client(config)
        workspace = ml_client.workspaces.get(config.workspace_name)
    return {
        "Workspace": str(workspace.name),
        "Región": str(workspace.location),
        "Grupo de recursos": str(workspace.resource_group or config.resource_group),
        "Suscripción": config.subscription_id,
        "URI de MLflow": str(workspace.mlflow_tracking_uri),
    }


def verify_local_store(store: LocalStore) -> dict[str, str]:
    """Prepara el almacén local y devuelve qué contiene."""
    from mlflow import MlflowClient

    tracking_uri = prepare_local_store(store)
    client = MlflowClient(tracking_uri)
    models = client.search_registered_models()
    experiment = client.get_experiment_by_name(EXPERIMENT_NAME)
    runs = client.search_runs([experiment.experiment_id]) if experiment else []
    return {
        "Laboratorio": str(LAB_ROOT),
        "Registro (SQLite)": str(store.db_path),
        "Artefactos": str(store.artifact_dir),
        "URI de MLflow": tracking_uri,
        "Modelos registrados": ", ".join(model.name for model in models) or "ninguno",
        "Ejecuciones": str(len(runs)),
    }


@report_errors
def main(argv: Sequence[str] | None = None) -> int:
    """Lee los argumentos, comprueba la conexión y devuelve el código de salida."""
    parser = build_parser(__doc__.split("\n\n", maxsplit=1)[0])
    add_workspace_arguments(parser)
    args = parser.parse_args(argv)

    if args.local:
        print("🏠 Comprobando el almacén local de MLflow…")
        details = verify_local_store(local_store())
    else:
        config = workspace_config_from_args(args)
        print(f"☁️  Conectando con el workspace {config.workspace_name}…")
        details = verify_workspace(config)
    print()
    print_table(list(details.items()), ["Dato", "Valor"])
    print()
    if args.local:
        print("✅ El almacén local funciona. Para verlo en el navegador ejecuta")
        print(f"   {mlflow_ui_hint()}")
        print("   y abre http://127.0.0.1:5000")
        # mlflow ui no falla si el puerto está ocupado: lo dice y termina.
        print(
            "   Si responde «Address already in use», ya tienes uno abierto "
            "(usa ese) o añade --port 5001 y abre http://127.0.0.1:5001"
        )
    else:
        print("✅ Conexión correcta con Azure ML.")
    print(
        "➡️  Siguiente paso: python scripts/register_model.py"
        + (" --local" if args.local else "")
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
