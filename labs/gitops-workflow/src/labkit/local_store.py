"""El almacén local de MLflow que usan los scripts con ``--local``, sin Azure.

Vive en la raíz del laboratorio: ``mlflow.db`` (registro SQLite) y
``mlartifacts/`` (artefactos), ambos ignorados por git. Para ver lo que
guarda, desde cualquier carpeta: ``python scripts/mlflow_ui.py`` (``mlflow
ui`` lanzado fuera de la raíz abriría un almacén nuevo y vacío).

Los activos de datos locales (lo que ``upload_data.py --local`` registra) se
guardan como copias dentro del almacén: ``mlartifacts/data-assets/<nombre>/
<versión>/`` con el CSV y un ``asset.json`` que lo describe. La versión más
alta es ``<nombre>@latest``, como en Azure ML.

MLflow se importa dentro de las funciones para que ``--help`` responda al
instante.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from labkit import LAB_ROOT
from labkit.cli import LabError, check_asset_name, first_line
from labkit.workspace import EXPERIMENT_NAME

LOCAL_DB_FILENAME = "mlflow.db"
LOCAL_ARTIFACTS_DIRNAME = "mlartifacts"
DATA_ASSETS_DIRNAME = "data-assets"
MODELS_DIRNAME = "models"
ASSET_FILENAME = "asset.json"
# Muestra el almacén del laboratorio desde cualquier carpeta (y abre la
# interfaz web si está el paquete mlflow completo).
MLFLOW_UI_COMMAND = "python scripts/mlflow_ui.py"


@dataclass(frozen=True)
class LocalStore:
    """El almacén local: ``mlflow.db`` y ``mlartifacts/`` dentro de ``root``."""

    root: Path

    @property
    def db_path(self) -> Path:
        """Archivo SQLite con experimentos, ejecuciones y modelos registrados."""
        return self.root / LOCAL_DB_FILENAME

    @property
    def artifact_dir(self) -> Path:
        """Carpeta con los artefactos (modelos) y los activos de datos."""
        return self.root / LOCAL_ARTIFACTS_DIRNAME

    @property
    def models_dir(self) -> Path:
        """Carpeta con los modelos registrados (una carpeta de MLflow por registro)."""
        return self.artifact_dir / MODELS_DIRNAME

    @property
    def data_assets_dir(self) -> Path:
        """Carpeta con las versiones de los activos de datos locales."""
        return self.artifact_dir / DATA_ASSETS_DIRNAME

    @property
    def tracking_uri(self) -> str:
        """URI de MLflow del registro SQLite (ruta absoluta, con barras /)."""
        return f"sqlite:///{self.db_path.resolve().as_posix()}"


def local_store(root: Path | None = None) -> LocalStore:
    """El almacén local en ``root`` (por defecto, la raíz del laboratorio)."""
    return LocalStore(Path(root) if root else LAB_ROOT)


def quiet_mlflow_logs() -> None:
    """Oculta los mensajes informativos de MLflow (en inglés); quedan los avisos."""
    import logging

    logging.getLogger("mlflow").setLevel(logging.WARNING)
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    # MLflow 3 envía por defecto datos de uso anónimos a sus autores; el
    # laboratorio no manda nada de tu computadora a terceros.
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")


def mlflow_ui_hint() -> str:
    """El comando que muestra el almacén local: sirve desde cualquier carpeta."""
    return MLFLOW_UI_COMMAND


def prepare_local_store(store: LocalStore) -> str:
    """Deja el almacén listo para MLflow y devuelve su URI de seguimiento.

    Crea el experimento con sus artefactos en ``mlartifacts/`` (MLflow los
    pondría en ``./mlruns`` de la carpeta actual si no se le dice dónde).
    """
    import mlflow
    from mlflow.exceptions import MlflowException

    quiet_mlflow_logs()
    try:
        store.artifact_dir.mkdir(parents=True, exist_ok=True)
        mlflow.set_tracking_uri(store.tracking_uri)
        if mlflow.get_experiment_by_name(EXPERIMENT_NAME) is None:
            mlflow.create_experiment(
                EXPERIMENT_NAME, artifact_location=store.artifact_dir.resolve().as_uri()
            )
    except (MlflowException, OSError) as error:
        raise LabError(
            f"no se pudo usar el almacén local de MLflow en {store.db_path} "
            f"({first_line(error)}). Revisa los permisos de la carpeta o borra "
            f"{LOCAL_DB_FILENAME} y {LOCAL_ARTIFACTS_DIRNAME}/ para empezar de cero."
        ) from None
    return store.tracking_uri


@dataclass(frozen=True)
class LocalDataAsset:
    """Una versión de un activo de datos del almacén local."""

    name: str
    version: int
    path: Path

    @property
    def uri(self) -> str:
        """Referencia al estilo de Azure ML: ``nombre:versión``."""
        return f"{self.name}:{self.version}"


def _versions(folder: Path) -> list[int]:
    if not folder.is_dir():
        return []
    return sorted(int(item.name) for item in folder.iterdir() if item.name.isdigit())


def register_local_data_asset(
    store: LocalStore, name: str, source: Path, description: str = ""
) -> LocalDataAsset:
    """Copia ``source`` como nueva versión del activo ``name`` y la devuelve."""
    asset_dir = store.data_assets_dir / check_asset_name(name)
    try:
        asset_dir.mkdir(parents=True, exist_ok=True)
        while True:
            version = max(_versions(asset_dir), default=0) + 1
            version_dir = asset_dir / str(version)
            try:
                version_dir.mkdir()  # falla si otro proceso tomó la misma versión
                break
            except FileExistsError:
                continue
        target = version_dir / source.name
        shutil.copyfile(source, target)
        record = {
            "name": name,
            "version": version,
            "file": source.name,
            "type": "uri_file",
            "source": str(Path(source).resolve()),
            "description": description,
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        (version_dir / ASSET_FILENAME).write_text(
            json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    except OSError as error:
        raise LabError(
            f"no se pudo guardar el activo de datos en {asset_dir} "
            f"({error.strerror}). Revisa el espacio y los permisos de la carpeta."
        ) from None
    return LocalDataAsset(name, version, target)


def latest_local_data_asset(store: LocalStore, name: str) -> LocalDataAsset:
    """La última versión del activo ``name`` (``name@latest``) del almacén local."""
    asset_dir = store.data_assets_dir / check_asset_name(name)
    for version in reversed(_versions(asset_dir)):
        record_path = asset_dir / str(version) / ASSET_FILENAME
        try:
            record: dict[str, Any] = json.loads(record_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # una versión a medio escribir o dañada: se prueba la anterior
        path = record_path.parent / str(record.get("file", ""))
        if path.is_file():
            return LocalDataAsset(name, version, path)
    raise LabError(
        f"no hay ningún activo de datos {name!r} en el almacén local "
        f"({store.data_assets_dir}). Súbelo primero con: "
        "python scripts/upload_data.py --local"
    )
