"""Lo que responde tu workspace de Azure ML: el modelo, los datos y el último trabajo.

``gather_azure`` pregunta con el ``MLClient`` de siempre del laboratorio
(``labkit.workspace.create_ml_client``). Las bibliotecas de Azure se importan
dentro de las funciones: sin Azure (``--sin-azure``, el flujo «Progreso»)
este módulo solo usa la biblioteca estándar.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course.parts import DATA_ASSET_NAME, MODEL_NAME


@dataclass
class AzureFacts:
    """Lo que responde el workspace de Azure ML."""

    workspace: str
    models: list[dict[str, Any]] = field(default_factory=list)
    data_version: str = ""
    job: dict[str, str] | None = None


def gather_azure(
    config: Any, jobs_dir: Path, client_factory: Callable[[Any], Any]
) -> AzureFacts:
    """Los hechos del workspace: modelo, activo de datos y último trabajo.

    ``client_factory(config)`` crea el ``MLClient`` (``create_ml_client``);
    los errores de Azure se dejan pasar para que quien llama los explique.
    """
    from azure.core.exceptions import ResourceNotFoundError

    ml_client = client_factory(config)
    workspace = ml_client.workspaces.get(config.workspace_name)
    facts = AzureFacts(workspace=str(workspace.name))
    try:
        versions = list(ml_client.models.list(name=MODEL_NAME))
    except ResourceNotFoundError:
        versions = []
    facts.models = sorted(
        (
            {"version": str(model.version), "tags": dict(model.tags or {})}
            for model in versions
        ),
        key=lambda model: int(model["version"]) if model["version"].isdigit() else 0,
    )
    try:
        facts.data_version = str(
            ml_client.data.get(DATA_ASSET_NAME, label="latest").version
        )
    except ResourceNotFoundError:
        facts.data_version = ""
    facts.job = _latest_azure_job(ml_client, jobs_dir)
    return facts


def _latest_azure_job(ml_client: Any, jobs_dir: Path) -> dict[str, str] | None:
    """El trabajo más reciente de ``outputs/`` que Azure ML da por completado.

    ``run_inference_pipeline.py`` descarga la salida de cada trabajo en
    ``outputs/<nombre del trabajo>/``: así se sabe qué trabajos son los tuyos.
    """
    from azure.core.exceptions import ResourceNotFoundError

    if not jobs_dir.is_dir():
        return None
    folders = [
        folder
        for folder in jobs_dir.iterdir()
        if folder.is_dir() and not folder.name.startswith("local-")
    ]
    for folder in sorted(folders, key=lambda item: item.stat().st_mtime, reverse=True):
        try:
            job = ml_client.jobs.get(folder.name)
        except ResourceNotFoundError:
            continue
        status = str(getattr(job.status, "value", job.status))
        if status == "Completed":
            return {"name": str(job.name), "status": status}
    return None
