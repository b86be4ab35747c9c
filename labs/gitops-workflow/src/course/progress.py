"""¿Qué partes del laboratorio están hechas? Cada una, según la evidencia que deja.

Cada parte del tutorial deja algo que se puede comprobar sin mirar pantallas:

- **Parte 1**: el repositorio en GitHub con el laboratorio en su raíz (y, en
  tu computadora, el remoto ``origin`` y el primer ``git push``);
- **Parte 2**: un pull request fusionado con título convencional, la ejecución
  de CI en verde con su comentario, la de CD y la release ``v0.1.0`` con su zip;
- **Parte 3**: ``artifacts/model.pkl`` y ``artifacts/model_metadata.json``;
- **Partes 4 a 6**: el workspace de Azure ML (o el almacén local de MLflow),
  las versiones del modelo registrado, el activo de datos, el último trabajo de
  inferencia completado y ``data/inference_output.csv``;
- **Extra**: una ejecución correcta del flujo «Desplegar modelo».

Lo que solo está en tu computadora o en tu suscripción de Azure lo ve el
profesor en el archivo de evidencia (``evidence/progreso.json``) que escribe
``python scripts/check_progress.py --evidencia`` y que tú subes al repositorio:
nombres, versiones, estados y la huella SHA-256 de las predicciones, nunca un
secreto, un ID de suscripción ni una ruta de tu computadora.

Este módulo reúne los hechos (``gather_local``, ``fetch_github``,
``gather_azure``) y los evalúa (``evaluate``); lo usan el script del
estudiante, el flujo «Progreso» y el informe del profesor para toda la clase.
Solo usa la biblioteca estándar al importarse.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import re
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from course.conventional import check_message, parse_tag
from course.github_api import GitHubClient, GitHubUnavailable
from labkit.cli import format_number

DONE, MISSING, PENDING = "✅", "❌", "⏳"
PARTS: tuple[tuple[str, str], ...] = (
    ("parte1", "Parte 1: Crear repositorio"),
    ("parte2", "Parte 2: Flujo de trabajo GitOps"),
    ("parte3", "Parte 3: Entrenar modelo local"),
    ("parte4", "Parte 4: Configurar Azure ML"),
    ("parte5", "Parte 5: Registrar modelo"),
    ("parte6", "Parte 6: Pipeline de inferencia"),
    ("extra", "Extra: Automatización con GitHub Actions"),
)
EVIDENCE_PATH = "evidence/progreso.json"
EVIDENCE_FORMAT = 1
MODEL_NAME = "churn-prediction-model"
DATA_ASSET_NAME = "churn-inference-data"
PREDICTIONS_PATH = "data/inference_output.csv"
COMMENT_MARKER = "<!-- add-pr-comment:ci-results -->"
# La Parte 1 ya deja v0.0.1 (el primer push a main); la Parte 2, con un
# «feat:», sube a v0.1.0 o más.
PART2_VERSION = (0, 1, 0)


@dataclass
class PartResult:
    """Una línea del progreso: la parte, su estado, qué lo prueba y qué hacer."""

    key: str
    title: str
    state: str
    evidence: str
    next_action: str = ""
    url: str = ""


@dataclass
class Progress:
    """Todas las partes y las comprobaciones que no se pudieron hacer (y por qué)."""

    parts: list[PartResult]
    unchecked: list[str] = field(default_factory=list)
    repository: str = ""

    def first_not_done(self) -> PartResult | None:
        """La primera parte que falta (❌); si no hay, la primera en marcha (⏳).

        Mientras CI se ejecuta, o si GitHub no respondió, el siguiente paso es
        la primera parte que sí se sabe que falta.
        """
        for wanted in (MISSING, PENDING):
            found = [part for part in self.parts if part.state == wanted]
            if found:
                return found[0]
        return None

    def as_dict(self) -> dict[str, Any]:
        """El progreso como diccionario (para JSON)."""
        return {
            "repository": self.repository,
            "parts": [asdict(part) for part in self.parts],
            "unchecked": list(self.unchecked),
        }


# --------------------------------------------------------------------------
# Los hechos: repositorio local, GitHub y Azure ML
# --------------------------------------------------------------------------


@dataclass
class LocalFacts:  # pylint: disable=too-many-instance-attributes
    """Lo que se ve en la carpeta del laboratorio y en su repositorio git."""

    root: Path
    git_problem: str = ""
    repository: str = ""
    pushed: bool = False
    version_tag: str = ""
    model: dict[str, Any] | None = None
    predictions: dict[str, Any] | None = None
    store_exists: bool = False
    store_versions: list[str] = field(default_factory=list)
    job: dict[str, str] | None = None
    evidence: dict[str, Any] | None = None


@dataclass
class GitHubFacts:  # pylint: disable=too-many-instance-attributes
    """Lo que responde la API de GitHub sobre un repositorio."""

    repository: str
    problem: str = ""
    info: dict[str, Any] = field(default_factory=dict)
    workflows: list[str] = field(default_factory=list)
    pulls: list[dict[str, Any]] = field(default_factory=list)
    runs: list[dict[str, Any]] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    releases: list[dict[str, Any]] = field(default_factory=list)
    evidence: dict[str, Any] | None = None
    evidence_url: str = ""


@dataclass
class AzureFacts:
    """Lo que responde el workspace de Azure ML."""

    workspace: str
    models: list[dict[str, Any]] = field(default_factory=list)
    data_version: str = ""
    job: dict[str, str] | None = None


def _git(root: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
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
    top = _git(facts.root, "rev-parse", "--show-toplevel")
    if top is None:
        facts.git_problem = "no_repo"
        return
    if Path(top).resolve() != facts.root.resolve():
        facts.git_problem = "not_root"
        return
    remote = _git(facts.root, "remote", "get-url", "origin") or ""
    facts.repository = github_repository(remote)
    if not facts.repository:
        facts.git_problem = "no_remote"
        return
    refs = _git(
        facts.root, "for-each-ref", "--format=%(refname)", "refs/remotes/origin"
    )
    facts.pushed = bool(refs)
    if not facts.pushed:
        facts.git_problem = "not_pushed"
    facts.version_tag = (
        _git(facts.root, "describe", "--tags", "--abbrev=0", "--match", "v*") or ""
    )


def read_json(path: Path) -> dict[str, Any] | None:
    """El objeto JSON de ``path``, o None si no existe o no es un objeto."""
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
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


def _local_model_versions(db_path: Path) -> list[str]:
    """Las versiones del modelo en el almacén local de MLflow (SQLite)."""
    import sqlite3

    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as database:
            rows = database.execute(
                "SELECT version FROM model_versions WHERE name = ? "
                "AND current_stage != 'Deleted_Internal'",
                (MODEL_NAME,),
            ).fetchall()
    except sqlite3.Error:
        return []
    return sorted((str(row[0]) for row in rows), key=int)


def gather_local(root: Path, jobs_dir: Path | None = None) -> LocalFacts:
    """Los hechos de la carpeta del laboratorio ``root``."""
    facts = LocalFacts(root=root)
    _gather_git(facts)
    metadata = read_json(root / "artifacts" / "model_metadata.json")
    if metadata and (root / "artifacts" / "model.pkl").is_file():
        facts.model = metadata
    facts.predictions = predictions_summary(root / PREDICTIONS_PATH)
    db_path = root / "mlflow.db"
    facts.store_exists = db_path.is_file()
    if facts.store_exists:
        facts.store_versions = _local_model_versions(db_path)
    facts.job = _latest_local_job(jobs_dir or root / "outputs")
    facts.evidence = read_json(root / EVIDENCE_PATH)
    return facts


def _items(response_data: Any, key: str = "") -> list[dict[str, Any]]:
    data = response_data.get(key) if key and isinstance(response_data, dict) else None
    values = data if key else response_data
    if not isinstance(values, list):
        return []
    return [item for item in values if isinstance(item, dict)]


def _repo_problem(status: int, data: Any) -> str:
    if status == 404:
        return "no existe, es privado o el token no tiene acceso"
    if status == 403:
        return "GitHub no deja leerlo (403): revisa los permisos del token"
    if status != 200 or not isinstance(data, dict):
        return f"GitHub respondió {status}"
    return ""


def fetch_github(client: GitHubClient, repository: str) -> GitHubFacts:
    """Los hechos de GitHub de ``repository`` (``owner/repo``).

    Un repositorio que falta, es privado o está vacío no es un error: queda
    en ``problem``. Lanza ``GitHubUnavailable`` si no se puede hablar con GitHub.
    """
    facts = GitHubFacts(repository)
    answer = client.get(f"/repos/{repository}")
    facts.problem = _repo_problem(answer.status, answer.data)
    if facts.problem:
        return facts
    facts.info = answer.data
    full_name = str(answer.data.get("full_name") or repository)
    if full_name.lower() != repository.lower():
        facts.info["renamed_from"] = repository
        facts.repository = full_name
    prefix = f"/repos/{facts.repository}"
    listing = client.get(f"{prefix}/contents/.github/workflows")
    if listing.status in (404, 409) and not _items(listing.data):
        message = str((listing.data or {}).get("message", "")).lower()
        if "empty" in message or listing.status == 409:
            facts.problem = "está vacío: aún no tiene ningún commit"
            return facts
    facts.workflows = [str(item.get("name")) for item in _items(listing.data)]
    page = {"per_page": "100"}
    facts.pulls = _items(client.get(f"{prefix}/pulls", {"state": "all", **page}).data)
    facts.runs = _items(
        client.get(f"{prefix}/actions/runs", page).data, "workflow_runs"
    )
    merged = _chosen_pull(facts.pulls, str(facts.info.get("default_branch", "main")))
    if merged is not None:
        number = merged.get("number")
        comments = client.get(f"{prefix}/issues/{number}/comments", page)
        facts.comments = _items(comments.data)
    facts.tags = [
        str(tag.get("name")) for tag in _items(client.get(f"{prefix}/tags", page).data)
    ]
    facts.releases = _items(client.get(f"{prefix}/releases", page).data)
    evidence = client.get(f"{prefix}/contents/{EVIDENCE_PATH}")
    if evidence.status == 200 and isinstance(evidence.data, dict):
        facts.evidence = _decode_evidence(evidence.data)
        facts.evidence_url = str(evidence.data.get("html_url") or "")
    return facts


def _decode_evidence(content: dict[str, Any]) -> dict[str, Any] | None:
    try:
        text = base64.b64decode(str(content.get("content", ""))).decode("utf-8")
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


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


# --------------------------------------------------------------------------
# La evaluación: una línea por parte
# --------------------------------------------------------------------------


def _result(
    key: str, state: str, evidence: str, action: str = "", url: str = ""
) -> PartResult:
    title = dict(PARTS)[key]
    return PartResult(key, title, state, evidence, action if state != DONE else "", url)


def _local_part1(local: LocalFacts) -> PartResult:
    problems = {
        "no_repo": (
            "esta carpeta no es un repositorio git",
            "clona tu repositorio de GitHub y copia en su raíz el contenido de la "
            "carpeta del laboratorio (Parte 1)",
        ),
        "not_root": (
            "el laboratorio no está en la raíz del repositorio git",
            "copia el contenido de la carpeta del laboratorio a la raíz de tu "
            "repositorio (Parte 1), no la carpeta entera",
        ),
        "no_remote": (
            "el repositorio no tiene un remoto origin en GitHub",
            "git remote add origin https://github.com/TU-USUARIO/gitops-lab.git "
            "y después git push -u origin main",
        ),
        "not_pushed": (
            f"aún no subiste nada a {local.repository}",
            'git add . && git commit -m "chore: contenido inicial del '
            'laboratorio" && git push -u origin main',
        ),
    }
    if local.git_problem:
        evidence, action = problems[local.git_problem]
        return _result("parte1", MISSING, evidence, action)
    return _result(
        "parte1",
        DONE,
        f"repositorio git con el laboratorio en la raíz, subido a {local.repository}",
        url=f"https://github.com/{local.repository}",
    )


def _github_part1(github: GitHubFacts) -> PartResult:
    url = str(github.info.get("html_url") or f"https://github.com/{github.repository}")
    if github.problem:
        action = (
            "haz el primer commit y git push -u origin main (Parte 1)"
            if "vacío" in github.problem
            else "crea el repositorio en GitHub (Parte 1) o revisa su nombre"
        )
        return _result("parte1", MISSING, f"el repositorio {github.problem}", action)
    missing = [name for name in ("ci.yml", "cd.yml") if name not in github.workflows]
    if missing:
        return _result(
            "parte1",
            MISSING,
            f"al repositorio le faltan los flujos {', '.join(missing)} en "
            ".github/workflows",
            "copia el contenido de la carpeta del laboratorio (con la carpeta "
            ".github) a la raíz del repositorio y haz git push (Parte 1)",
            url,
        )
    renamed = github.info.get("renamed_from")
    note = f" (antes {renamed})" if renamed else ""
    return _result(
        "parte1", DONE, f"{github.repository}{note} con los flujos de CI y CD", url=url
    )


def _chosen_pull(pulls: list[dict[str, Any]], branch: str) -> dict[str, Any] | None:
    """El último PR fusionado en ``branch``, mejor si su título es convencional."""
    merged = [
        pull
        for pull in pulls
        if pull.get("merged_at") and (pull.get("base") or {}).get("ref") == branch
    ]
    conventional = [
        pull for pull in merged if check_message(str(pull.get("title", ""))).ok
    ]
    chosen = conventional or merged
    return chosen[0] if chosen else None


def _runs(github: GitHubFacts, workflow: str) -> list[dict[str, Any]]:
    return [
        run
        for run in github.runs
        if str(run.get("path", "")).split("@", maxsplit=1)[0].endswith(f"/{workflow}")
    ]


def _run_state(run: dict[str, Any]) -> str:
    if run.get("status") != "completed":
        return PENDING
    return DONE if run.get("conclusion") == "success" else MISSING


def _pull_request_check(github: GitHubFacts) -> PartResult | dict[str, Any]:
    branch = str(github.info.get("default_branch", "main"))
    pull = _chosen_pull(github.pulls, branch)
    if pull is None:
        open_pulls = [item for item in github.pulls if item.get("state") == "open"]
        if open_pulls:
            number = open_pulls[0].get("number")
            return _result(
                "parte2",
                MISSING,
                f"el pull request #{number} está abierto, sin fusionar",
                f"cuando CI esté en verde, fusiona el pull request #{number} "
                "(Merge pull request)",
                str(open_pulls[0].get("html_url", "")),
            )
        return _result(
            "parte2",
            MISSING,
            f"no hay ningún pull request fusionado en {branch}",
            "crea una rama, haz un commit «feat: …», súbela y abre un pull "
            f"request hacia {branch} (Parte 2)",
        )
    if not check_message(str(pull.get("title", ""))).ok:
        return _result(
            "parte2",
            MISSING,
            f"el pull request #{pull.get('number')} se fusionó con el título "
            f"«{pull.get('title')}», que no es convencional",
            "abre otro pull request con un título convencional, por ejemplo "
            "«feat: mi primer cambio», y fusiónalo (Parte 2, Mensajes de commit "
            "convencionales)",
            str(pull.get("html_url", "")),
        )
    return pull


def _ci_check(github: GitHubFacts, pull: dict[str, Any]) -> PartResult | None:
    number = pull.get("number")
    head = (pull.get("head") or {}).get("sha")
    runs = [
        run
        for run in _runs(github, "ci.yml")
        if run.get("head_sha") == head
        or number in [item.get("number") for item in run.get("pull_requests") or []]
    ]
    url = str(pull.get("html_url", ""))
    if not runs:
        return _result(
            "parte2",
            MISSING,
            f"CI no se ejecutó en el pull request #{number}",
            "revisa que .github/workflows/ci.yml esté en la rama main y que "
            "Actions esté habilitado (pestaña Actions); abre otro pull request",
            url,
        )
    state = _run_state(runs[0])
    if state != DONE:
        what = "sigue ejecutándose" if state == PENDING else "falló"
        return _result(
            "parte2",
            state,
            f"CI {what} en el pull request #{number}",
            "abre la ejecución de CI, corrige lo que falló (Parte 2, Cuando un "
            "chequeo falla) y sube el arreglo",
            str(runs[0].get("html_url", url)),
        )
    if not any(COMMENT_MARKER in str(item.get("body", "")) for item in github.comments):
        return _result(
            "parte2",
            MISSING,
            f"CI no dejó su comentario en el pull request #{number}",
            "mira el Apéndice B, «CI: el comentario no aparece en el pull request»",
            url,
        )
    return None


def _release_check(github: GitHubFacts, pull: dict[str, Any]) -> PartResult:
    versions = {tag: parse_tag(tag) or (0,) for tag in github.tags}
    tags = sorted(
        (tag for tag, version in versions.items() if version >= PART2_VERSION),
        key=versions.__getitem__,
        reverse=True,
    )
    releases = {str(item.get("tag_name")): item for item in github.releases}
    for tag in tags:
        release = releases.get(tag)
        zips = [
            asset
            for asset in (release or {}).get("assets") or []
            if str(asset.get("name", "")).endswith(".zip")
        ]
        if release and zips:
            return _result(
                "parte2",
                DONE,
                f"pull request #{pull.get('number')} «{pull.get('title')}» "
                f"fusionado, CI en verde con su comentario, release {tag} con "
                f"{zips[0].get('name')}",
                url=str(release.get("html_url", "")),
            )
    runs = [
        run for run in _runs(github, "cd.yml") if run.get("event") != "pull_request"
    ]
    if tags:
        return _result(
            "parte2",
            MISSING,
            f"el tag {tags[0]} no tiene release con el zip",
            "en Actions → CD, vuelve a ejecutar la última ejecución (Re-run all "
            "jobs); mira el Apéndice B, «CD: la versión no es la esperada»",
            str(runs[0].get("html_url", "")) if runs else "",
        )
    if not runs:
        return _result(
            "parte2",
            MISSING,
            "CD no se ejecutó tras fusionar",
            "revisa que .github/workflows/cd.yml esté en main y que Actions esté "
            "habilitado; después fusiona un pull request «feat: …»",
        )
    state = _run_state(runs[0])
    if state == PENDING:
        evidence = "CD se está ejecutando"
    elif state == MISSING:
        evidence = "la última ejecución de CD falló"
    else:
        evidence = "CD terminó sin crear la versión v0.1.0 (o una mayor)"
    return _result(
        "parte2",
        PENDING if state == PENDING else MISSING,
        evidence,
        "abre la ejecución de CD en Actions y mira el Apéndice B, «CD: la "
        "versión no es la esperada»",
        str(runs[0].get("html_url", "")),
    )


def _github_part2(github: GitHubFacts) -> PartResult:
    pull = _pull_request_check(github)
    if isinstance(pull, PartResult):
        return pull
    return _ci_check(github, pull) or _release_check(github, pull)


def _github_extra(github: GitHubFacts) -> PartResult:
    runs = _runs(github, "deploy_model.yml")
    if not runs:
        return _result(
            "extra",
            MISSING,
            "el flujo «Desplegar modelo» no se ha ejecutado",
            "guarda los seis secretos de Azure en el repositorio y ejecuta "
            "Actions → Desplegar modelo → Run workflow (Extra)",
        )
    done = [run for run in runs if _run_state(run) == DONE]
    if done:
        return _result(
            "extra",
            DONE,
            "«Desplegar modelo» terminó bien",
            url=str(done[0].get("html_url", "")),
        )
    state = _run_state(runs[0])
    return _result(
        "extra",
        state,
        "«Desplegar modelo» " + ("se está ejecutando" if state == PENDING else "falló"),
        "abre la ejecución en Actions: si dice que faltan secretos, créalos "
        "(Extra); si no, mira el Apéndice B",
        str(runs[0].get("html_url", "")),
    )


def _evidence_note(source: str) -> str:
    return f" (según {EVIDENCE_PATH})" if source == "evidence" else ""


def _part3(local: LocalFacts | None, evidence: dict[str, Any] | None) -> PartResult:
    training = (evidence or {}).get("training")
    model = local.model if local else None
    if model:
        source, metrics = "local", model.get("metrics") or {}
        date = model.get("training_date", "")
    elif isinstance(training, dict):
        source, metrics, date = "evidence", training, training.get("date", "")
    else:
        return _result(
            "parte3",
            MISSING,
            "no hay modelo entrenado en artifacts/",
            "python scripts/train_model.py (Parte 3)",
        )
    accuracy = metrics.get("accuracy")
    score = (
        f", accuracy {format_number(accuracy, 3)}"
        if isinstance(accuracy, float)
        else ""
    )
    return _result(
        "parte3",
        DONE,
        f"modelo entrenado el {str(date)[:10]}{score}{_evidence_note(source)}",
    )


def _part4(
    local: LocalFacts | None,
    azure: AzureFacts | None,
    evidence: dict[str, Any] | None,
    azure_problem: str,
) -> PartResult:
    if azure:
        return _result("parte4", DONE, f"conectado al workspace {azure.workspace}")
    if local and local.store_exists:
        return _result("parte4", DONE, "almacén local de MLflow (mlflow.db)")
    # Lo que responde Azure ahora pesa más que lo anotado en la evidencia.
    if azure_problem:
        return _result(
            "parte4",
            MISSING,
            f"no se pudo usar el workspace: {azure_problem}",
            "python scripts/verify_azure_connection.py (Parte 4)",
        )
    workspace = (evidence or {}).get("workspace")
    if workspace:
        return _result(
            "parte4", DONE, f"workspace {workspace}{_evidence_note('evidence')}"
        )
    return _result(
        "parte4",
        MISSING,
        "no hay config.json ni almacén local de MLflow",
        "crea config.json y ejecuta python scripts/verify_azure_connection.py; "
        "sin Azure: python scripts/verify_azure_connection.py --local (Parte 4)",
    )


def _part5(
    local: LocalFacts | None, azure: AzureFacts | None, evidence: dict[str, Any] | None
) -> PartResult:
    if azure and azure.models:
        latest = azure.models[-1]
        shown = list(latest["tags"].items())[:3]  # el linaje: commit, versión…
        tags = ", ".join(f"{key}={value}" for key, value in shown)
        lineage = f" (etiquetas: {tags})" if tags else ""
        return _result(
            "parte5",
            DONE,
            f"{MODEL_NAME} versión {latest['version']} en {azure.workspace}{lineage}",
        )
    if local and local.store_versions:
        return _result(
            "parte5",
            DONE,
            f"{MODEL_NAME} versión {local.store_versions[-1]} en el almacén local",
        )
    model = (evidence or {}).get("model")
    if isinstance(model, dict) and model.get("version"):
        return _result(
            "parte5",
            DONE,
            f"{model.get('name')} versión {model.get('version')}"
            f"{_evidence_note('evidence')}",
        )
    where = " --local" if local and local.store_exists and not azure else ""
    return _result(
        "parte5",
        MISSING,
        f"no hay ninguna versión de {MODEL_NAME} registrada",
        f"python scripts/register_model.py{where} (Parte 5)",
    )


def _part6(
    local: LocalFacts | None, azure: AzureFacts | None, evidence: dict[str, Any] | None
) -> PartResult:
    job = (azure.job if azure else None) or (local.job if local else None)
    predictions = local.predictions if local else None
    if predictions:
        where = f"trabajo {job['name']} completado; " if job else ""
        return _result(
            "parte6",
            DONE,
            f"{where}{predictions['rows']} predicciones en {PREDICTIONS_PATH} "
            f"(sha256 {predictions['sha256'][:12]}…)",
        )
    recorded = (evidence or {}).get("predictions")
    recorded_job = (evidence or {}).get("job") or {}
    if isinstance(recorded, dict) and recorded.get("rows"):
        return _result(
            "parte6",
            DONE,
            f"trabajo {recorded_job.get('name', '?')} "
            f"({recorded_job.get('status', '?')}); {recorded.get('rows')} "
            f"predicciones (sha256 {str(recorded.get('sha256'))[:12]}…)"
            f"{_evidence_note('evidence')}",
        )
    if azure and not azure.data_version:
        action = "python scripts/upload_data.py y después "
    else:
        action = ""
    local_flag = " --local" if local and local.store_exists and not azure else ""
    return _result(
        "parte6",
        MISSING,
        f"no hay predicciones en {PREDICTIONS_PATH}",
        f"{action}python scripts/run_inference_pipeline.py{local_flag} (Parte 6)",
    )


def _unverified(key: str, reason: str) -> PartResult:
    return _result(
        key,
        PENDING,
        f"no se pudo comprobar en GitHub ({reason})",
        "vuelve a ejecutar la comprobación con conexión a GitHub",
    )


def _repository_parts(
    local: LocalFacts | None, github: GitHubFacts | None
) -> tuple[PartResult, PartResult, PartResult]:
    """Partes 1, 2 y Extra: de GitHub si respondió; si no, la 1 desde git local."""
    if github is not None and not github.problem:
        return _github_part1(github), _github_part2(github), _github_extra(github)
    if github is not None:  # el repositorio falta, es privado o está vacío
        part1 = _github_part1(github)
        missing = [
            _result(key, MISSING, "sin repositorio en GitHub", part1.next_action)
            for key in ("parte2", "extra")
        ]
        return part1, missing[0], missing[1]
    reason = "sin datos de GitHub"
    part1 = _local_part1(local) if local else _unverified("parte1", reason)
    return part1, _unverified("parte2", reason), _unverified("extra", reason)


def evaluate(
    local: LocalFacts | None,
    github: GitHubFacts | None,
    azure: AzureFacts | None = None,
    unchecked: Iterable[str] = (),
    azure_problem: str = "",
) -> Progress:
    """Una línea por parte a partir de los hechos que se pudieron reunir."""
    unchecked = list(unchecked)
    part1, part2, extra = _repository_parts(local, github)
    evidence = (local.evidence if local else None) or (
        github.evidence if github else None
    )
    parts = [
        part1,
        part2,
        _part3(local, evidence),
        _part4(local, azure, evidence, azure_problem),
        _part5(local, azure, evidence),
        _part6(local, azure, evidence),
        extra,
    ]
    if github and github.evidence_url:
        for part in parts[2:6]:
            if part.state == DONE and not part.url:
                part.url = github.evidence_url
    repository = github.repository if github else (local.repository if local else "")
    return Progress(parts, unchecked, repository)


# --------------------------------------------------------------------------
# El archivo de evidencia (Partes 3 a 6) que el estudiante sube
# --------------------------------------------------------------------------


def build_evidence(
    local: LocalFacts, azure: AzureFacts | None, now: datetime | None = None
) -> dict[str, Any]:
    """La evidencia de las Partes 3 a 6 que se vio directamente, sin secretos.

    Solo nombres, versiones, estados, conteos y huellas: nunca el ID de la
    suscripción, el grupo de recursos, un token ni una ruta de la computadora.
    """
    now = now or datetime.now(timezone.utc)
    evidence: dict[str, Any] = {
        "format": EVIDENCE_FORMAT,
        "generated_at": now.isoformat(timespec="seconds"),
        "lab_version": local.version_tag,
    }
    if local.model:
        metrics = local.model.get("metrics") or {}
        evidence["training"] = {
            "date": str(local.model.get("training_date", "")),
            "accuracy": metrics.get("accuracy"),
            "f1_score": metrics.get("f1_score"),
        }
    if azure:
        evidence["workspace"] = azure.workspace
        if azure.models:
            evidence["model"] = {
                "name": MODEL_NAME,
                "version": azure.models[-1]["version"],
            }
    elif local.store_exists:
        evidence["workspace"] = "local"
        if local.store_versions:
            evidence["model"] = {
                "name": MODEL_NAME,
                "version": local.store_versions[-1],
            }
    job = (azure.job if azure else None) or local.job
    if job:
        evidence["job"] = {"name": job["name"], "status": job["status"]}
    if local.predictions:
        evidence["predictions"] = dict(local.predictions)
    return evidence


# --------------------------------------------------------------------------
# El progreso como texto: terminal, resumen de GitHub Actions
# --------------------------------------------------------------------------


def render_text(progress: Progress) -> list[str]:
    """Las líneas del progreso para la terminal."""
    lines = []
    for part in progress.parts:
        lines.append(f"{part.state} {part.title}: {part.evidence}")
    if progress.unchecked:
        lines.append("")
        lines.append("⚠️  No se pudo comprobar:")
        lines.extend(f"   - {reason}" for reason in progress.unchecked)
    lines.append("")
    pending = progress.first_not_done()
    if pending is None:
        lines.append("🎉 ¡Todas las partes están hechas!")
    else:
        lines.append(f"➡️  Siguiente paso ({pending.title}): {pending.next_action}")
    return lines


def render_markdown(progress: Progress) -> str:
    """El progreso como tabla Markdown (resumen del flujo «Progreso»)."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    title = "## 📋 Progreso del laboratorio"
    lines = [
        f"{title} ({progress.repository})" if progress.repository else title,
        "",
        "| Parte | Estado | Evidencia |",
        "|---|---|---|",
    ]
    for part in progress.parts:
        evidence = cell(part.evidence)
        if part.url:
            evidence = f"[{evidence}]({part.url})"
        lines.append(f"| {cell(part.title)} | {part.state} | {evidence} |")
    pending = progress.first_not_done()
    lines.append("")
    if pending is None:
        lines.append("🎉 ¡Todas las partes están hechas!")
    else:
        lines.append(
            f"**Siguiente paso** ({pending.title}): {cell(pending.next_action)}"
        )
    if progress.unchecked:
        lines.append("")
        lines.append("No se pudo comprobar:")
        lines.extend(f"- {cell(reason)}" for reason in progress.unchecked)
    return "\n".join(lines) + "\n"


def check_github(
    client: GitHubClient, repository: str, unchecked: list[str]
) -> GitHubFacts | None:
    """``fetch_github`` que, si GitHub no responde, anota por qué y devuelve None."""
    try:
        return fetch_github(client, repository)
    except GitHubUnavailable as error:
        unchecked.append(f"GitHub ({repository}): {client.redact(str(error))}")
        return None
