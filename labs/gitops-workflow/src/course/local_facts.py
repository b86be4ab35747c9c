"""Lo que se ve en tu carpeta del laboratorio: git, artifacts/, data/ y MLflow.

``gather_local`` reúne los hechos sin cambiar nada: el repositorio git y su
remoto ``origin`` (Parte 1), el modelo entrenado (Parte 3), el almacén local
de MLflow (Partes 4 y 5), las predicciones y el último trabajo local (Parte 6)
y el archivo de evidencia que subes para tu profesor.

Solo usa la biblioteca estándar, salvo para leer el almacén local de MLflow
(``mlflow.db``), que se lee con el cliente de MLflow y solo si existe.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import subprocess
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course.evidence import Evidence, parse_evidence
from course.parts import EVIDENCE_PATH, MODEL_NAME, PREDICTIONS_PATH


@dataclass
class LocalFacts:  # pylint: disable=too-many-instance-attributes
    """Lo que se ve en la carpeta del laboratorio y en su repositorio git."""

    root: Path
    git_problem: str = ""
    repository: str = ""
    pushed: bool = False
    version_tag: str = ""
    branch: str = ""
    model: dict[str, Any] | None = None
    predictions: dict[str, Any] | None = None
    store_exists: bool = False
    store_versions: list[str] = field(default_factory=list)
    store_problem: str = ""
    job: dict[str, str] | None = None
    evidence: Evidence | None = None


def git(root: Path, *args: str) -> str | None:
    """La salida de ``git args`` en ``root``, o None si git falla."""
    try:
        result = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def github_repository(remote_url: str) -> str:
    """``owner/repo`` de una URL de GitHub (https o ssh), o "" si no es de GitHub."""
    match = re.match(
        r"^(?:https?://(?:[^@/]+@)?github\.com/|git@github\.com:|"
        r"ssh://git@github\.com/)([\w.-]+)/([\w.-]+?)(?:\.git)?/?$",
        remote_url.strip(),
    )
    return f"{match.group(1)}/{match.group(2)}" if match else ""


def _gather_git(facts: LocalFacts) -> None:
    top = git(facts.root, "rev-parse", "--show-toplevel")
    if top is None:
        facts.git_problem = "no_repo"
        return
    if Path(top).resolve() != facts.root.resolve():
        facts.git_problem = "not_root"
        return
    facts.branch = git(facts.root, "branch", "--show-current") or ""
    remote = git(facts.root, "remote", "get-url", "origin") or ""
    facts.repository = github_repository(remote)
    if not facts.repository:
        facts.git_problem = "no_remote"
        return
    refs = git(facts.root, "for-each-ref", "--format=%(refname)", "refs/remotes/origin")
    facts.pushed = bool(refs)
    if not facts.pushed:
        facts.git_problem = "not_pushed"
    facts.version_tag = (
        git(facts.root, "describe", "--tags", "--abbrev=0", "--match", "v*") or ""
    )


def read_json(path: Path) -> dict[str, Any] | None:
    """El objeto JSON de ``path``, o None si no existe o no es un objeto."""
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    return content if isinstance(content, dict) else None


def predictions_summary(path: Path) -> dict[str, Any] | None:
    """Filas y huella SHA-256 de un CSV de predicciones, o None si no sirve."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    rows = list(csv.reader(data.decode("utf-8", errors="replace").splitlines()))
    if not rows or "churn_probability" not in rows[0]:
        return None
    return {"rows": len(rows) - 1, "sha256": hashlib.sha256(data).hexdigest()}


def _latest_local_job(jobs_dir: Path) -> dict[str, str] | None:
    """El último trabajo local (``outputs/local-…``) que dejó sus predicciones."""
    if not jobs_dir.is_dir():
        return None
    for folder in sorted(jobs_dir.glob("local-*"), reverse=True):
        if list((folder / "named-outputs").glob("*/*.csv")):
            return {"name": folder.name, "status": "Completed"}
    return None


def read_local_store(root: Path) -> tuple[bool, list[str], str]:
    """El almacén local de MLflow: (¿tiene el experimento?, versiones, problema).

    Se pregunta a MLflow lo mismo que mostraría ``mlflow ui``: el experimento
    del laboratorio y las versiones registradas de ``churn-prediction-model``.
    Un ``mlflow.db`` vacío (lo que deja un intento fallido) no cuenta.
    """
    try:
        from mlflow import MlflowClient
        from mlflow.exceptions import MlflowException

        from labkit.local_store import local_store, quiet_mlflow_logs
        from labkit.workspace import EXPERIMENT_NAME
    except ImportError:
        return False, [], "falta MLflow: activa el entorno virtual del laboratorio"
    quiet_mlflow_logs()
    client = MlflowClient(tracking_uri=local_store(root).tracking_uri)
    try:
        # Los avisos internos de MLflow y SQLAlchemy (en inglés) no son para ti.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            experiment = client.get_experiment_by_name(EXPERIMENT_NAME)
            versions = client.search_model_versions(f"name = '{MODEL_NAME}'")
    except MlflowException as error:
        reason = str(error).splitlines()[0][:200] if str(error) else "error de MLflow"
        return False, [], f"MLflow no pudo leer mlflow.db ({reason})"
    numbers = sorted((str(version.version) for version in versions), key=int)
    return experiment is not None or bool(numbers), numbers, ""


def gather_local(root: Path, jobs_dir: Path | None = None) -> LocalFacts:
    """Los hechos de la carpeta del laboratorio ``root``."""
    facts = LocalFacts(root=root)
    _gather_git(facts)
    metadata = read_json(root / "artifacts" / "model_metadata.json")
    if metadata and (root / "artifacts" / "model.pkl").is_file():
        facts.model = metadata
    facts.predictions = predictions_summary(root / PREDICTIONS_PATH)
    db_path = root / "mlflow.db"
    if db_path.is_file() and db_path.stat().st_size > 0:
        facts.store_exists, facts.store_versions, facts.store_problem = (
            read_local_store(root)
        )
    facts.job = _latest_local_job(jobs_dir or root / "outputs")
    try:
        facts.evidence = parse_evidence((root / EVIDENCE_PATH).read_bytes())
    except OSError:
        facts.evidence = None
    return facts


def evidence_branch(facts: LocalFacts) -> str:
    """La rama en la que subir la evidencia: la actual si no es main, o una nueva."""
    if facts.branch and facts.branch not in ("main", "master"):
        return facts.branch
    name, number = "docs/evidencia", 1
    while git(facts.root, "rev-parse", "--verify", "--quiet", name) or git(
        facts.root, "rev-parse", "--verify", "--quiet", f"origin/{name}"
    ):
        number += 1
        name = f"docs/evidencia-{number}"
    return name


def upload_commands(facts: LocalFacts) -> list[str]:
    """Los comandos que suben la evidencia por un pull request, uno por línea.

    Como en la Parte 2, los cambios llegan a main por un pull request; un
    comando por línea funciona igual en PowerShell 5.1 y 7, cmd y bash
    (PowerShell 5.1 no tiene el operador que encadena comandos en bash).
    """
    branch = evidence_branch(facts)
    create = [] if branch == facts.branch else [f"git switch -c {branch}"]
    return [
        *create,
        f"git add {EVIDENCE_PATH}",
        'git commit -m "docs: evidencia del progreso"',
        f"git push -u origin {branch}",
    ]
