"""Mira lo que guarda el almacén local de MLflow (``--local``), desde cualquier carpeta.

El almacén vive en la raíz del laboratorio: ``mlflow.db`` (el registro) y
``mlartifacts/`` (los modelos y los datos). ``mlflow ui`` lo busca en la
carpeta desde la que lo lanzas: desde ``scripts/`` crea allí un
``mlflow.db`` nuevo y vacío y muestra una página sin modelos, sin avisar.
Este script usa siempre el del laboratorio:

1. escribe en la terminal los modelos registrados (versión, fecha y
   métricas) y cuántas ejecuciones hay;
2. avisa si encuentra otro ``mlflow.db`` (el que deja ``mlflow ui`` lanzado
   desde otra carpeta);
3. si tienes el paquete ``mlflow`` completo (el que trae la interfaz web),
   la abre en http://127.0.0.1:5000 (o el siguiente puerto libre) con este
   almacén. ``requirements.lock``
   instala ``mlflow-skinny``, sin servidor web: el paquete completo pide
   pandas<3 y pyarrow<26, que no existen para Python 3.15.

Uso (con el entorno virtual activado), desde cualquier carpeta:
    python scripts/mlflow_ui.py
"""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from _lab import LAB_ROOT  # va primero: revisa Python y el entorno virtual

from labkit.cli import LabError, build_parser, print_table, report_errors
from labkit.local_store import (
    LOCAL_DB_FILENAME,
    LocalStore,
    local_store,
    quiet_mlflow_logs,
)

HOST = "127.0.0.1"
# El de mlflow ui; si está ocupado (otro mlflow ui abierto), los siguientes.
PORTS = range(5000, 5010)
NO_WEB_UI = (
    "ℹ️  La interfaz web (mlflow ui) necesita el paquete mlflow completo, que "
    "requirements.lock no instala: pide pandas<3 y pyarrow<26, que no existen "
    "para Python 3.15. Lo que guarda tu almacén está arriba."
)


def stray_stores(root: Path, cwd: Path) -> list[Path]:
    """Los ``mlflow.db`` que no son el del laboratorio (en ``cwd`` o una subcarpeta)."""
    found = {cwd / LOCAL_DB_FILENAME, *root.glob(f"*/{LOCAL_DB_FILENAME}")}
    real = (root / LOCAL_DB_FILENAME).resolve()
    return sorted(path for path in found if path.is_file() and path.resolve() != real)


def stray_warning(path: Path, root: Path) -> str:
    """Qué es un ``mlflow.db`` suelto y qué hacer con él, en una línea."""
    where = path.parent.relative_to(root) if path.is_relative_to(root) else path.parent
    return (
        f"⚠️  {path} no es el almacén del laboratorio: lo crea «mlflow ui» lanzado "
        f"desde {where}/ (abre mlflow.db en la carpeta actual) y no tiene tus "
        f"modelos. Bórralo; el tuyo es {root / LOCAL_DB_FILENAME} y se ve con "
        "python scripts/mlflow_ui.py desde cualquier carpeta."
    )


def registered_versions(store: LocalStore) -> tuple[list[list[str]], int]:
    """Cada versión registrada (modelo, versión, fecha, métricas) y las ejecuciones."""
    from mlflow import MlflowClient

    quiet_mlflow_logs()
    client = MlflowClient(store.tracking_uri)
    rows = []
    for model in client.search_registered_models():
        for version in client.search_model_versions(f"name = '{model.name}'"):
            created = datetime.fromtimestamp(version.creation_timestamp / 1000)
            rows.append(
                [
                    model.name,
                    str(version.version),
                    created.strftime("%Y-%m-%d %H:%M"),
                    version.tags.get("roc_auc", "—").replace(".", ","),
                    version.tags.get("accuracy", "—").replace(".", ","),
                ]
            )
    experiments = client.search_experiments()
    runs = client.search_runs([experiment.experiment_id for experiment in experiments])
    return sorted(rows, key=lambda row: (row[0], int(row[1]))), len(runs)


def web_ui_available() -> bool:
    """Si está el paquete mlflow completo: la página de la interfaz y Flask.

    ``mlflow-skinny`` trae el código del servidor, pero no la página
    (``mlflow/server/js/build``) ni Flask, que sí trae el paquete completo.
    """
    mlflow = importlib.util.find_spec("mlflow")
    if mlflow is None or mlflow.origin is None or not importlib.util.find_spec("flask"):
        return False
    page = Path(mlflow.origin).parent / "server" / "js" / "build" / "index.html"
    return page.is_file()


def free_port() -> int:
    """El primer puerto de ``PORTS`` en el que no escucha nadie en 127.0.0.1."""
    for port in PORTS:
        with socket.socket() as probe:
            if probe.connect_ex((HOST, port)) != 0:
                return port
    raise LabError(
        f"los puertos {PORTS.start} a {PORTS.stop - 1} están ocupados (¿varios "
        "mlflow ui abiertos?). Cierra alguno con Ctrl+C en su terminal y vuelve "
        "a ejecutar python scripts/mlflow_ui.py"
    )


def start_web_ui(store: LocalStore) -> int:  # pragma: no cover, con mlflow completo
    """``mlflow ui`` con las rutas absolutas del almacén; termina con Ctrl+C.

    Solo con el paquete mlflow completo, que requirements.lock no instala.
    """
    port = free_port()
    print(f"🌐 Abre http://{HOST}:{port} en el navegador (Ctrl+C para terminar).")
    command = [sys.executable, "-m", "mlflow", "ui", "--host", HOST, "--port"]
    command += [str(port), "--backend-store-uri", store.tracking_uri]
    command += ["--default-artifact-root", store.artifact_dir.resolve().as_uri()]
    try:
        return subprocess.run(command, cwd=store.root, check=False).returncode
    except KeyboardInterrupt:
        print("\n👋 Interfaz web cerrada.")
        return 0


@report_errors
def main(argv: Sequence[str] | None = None) -> int:
    """Muestra el almacén local y, si se puede, abre la interfaz web de MLflow."""
    parser = build_parser(__doc__.split("\n\n", maxsplit=1)[0])
    parser.parse_args(argv)

    store = local_store()
    for path in stray_stores(LAB_ROOT, Path.cwd()):
        print(stray_warning(path, LAB_ROOT))
    if not store.db_path.is_file():
        raise LabError(
            f"todavía no hay almacén local en {store.db_path}: registra el modelo "
            "primero con python scripts/register_model.py --local"
        )
    print(f"🗂️  Almacén local de MLflow: {store.db_path}")
    rows, runs = registered_versions(store)
    print()
    if rows:
        print_table(rows, ["Modelo", "Versión", "Registrada", "ROC-AUC", "Exactitud"])
    else:
        print("Modelos registrados: ninguno")
    print(f"Ejecuciones: {runs}")
    print()
    if not web_ui_available():
        print(NO_WEB_UI)
        return 0
    return start_web_ui(store)


if __name__ == "__main__":
    raise SystemExit(main())
