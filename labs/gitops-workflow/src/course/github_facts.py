"""Lo que responde la API de GitHub sobre el repositorio de un estudiante.

``fetch_github`` lee, con ``course.github_api``, lo que prueban las Partes 1,
2 y Extra y el archivo de evidencia: el repositorio, sus flujos, los pull
requests, las ejecuciones de CI, CD y «Desplegar modelo», el comentario de
CI, las etiquetas y las releases. Cada lista se lee entera (todas sus
páginas). Lo que GitHub no deja leer (un token sin permiso, un ``404`` en una
parte del repositorio, un ``5xx`` tras los reintentos) queda en ``unread``
con el motivo: esas partes quedan sin comprobar, nunca como hechas ni como
que faltan.

Solo usa la biblioteca estándar.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from course.conventional import check_message
from course.evidence import Evidence, from_contents_api
from course.github_api import GitHubClient, GitHubUnavailable
from course.parts import EVIDENCE_PATH

WORKFLOWS = ("ci.yml", "cd.yml", "deploy_model.yml")
# Qué se lee (para los mensajes) y qué permiso de lectura necesita el token
# (el nombre que le da GitHub a cada permiso de un token fine-grained).
RESOURCES = {
    "workflows": ("la carpeta .github/workflows", "Contents"),
    "pulls": ("los pull requests", "Pull requests"),
    "runs": ("las ejecuciones de GitHub Actions", "Actions"),
    "comments": ("los comentarios del pull request", "Pull requests"),
    "tags": ("las etiquetas", "Contents"),
    "releases": ("las releases", "Contents"),
    "evidence": (EVIDENCE_PATH, "Contents"),
}


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
    evidence: Evidence | None = None
    unread: dict[str, str] = field(default_factory=dict)

    @property
    def default_branch(self) -> str:
        """La rama principal del repositorio (main)."""
        return str(self.info.get("default_branch") or "main")

    def unread_reason(self, *resources: str) -> str:
        """Por qué no se pudo leer el primero de ``resources`` que falte, o ""."""
        for resource in resources:
            if resource in self.unread:
                return self.unread[resource]
        return ""


def chosen_pull(pulls: list[dict[str, Any]], branch: str) -> dict[str, Any] | None:
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


def _github_message(data: Any) -> str:
    message = data.get("message") if isinstance(data, dict) else ""
    return " ".join(str(message or "").split())[:120]


def _unread_reason(resource: str, status: int, data: Any) -> str:
    what, permission = RESOURCES[resource]
    message = _github_message(data)
    detail = f": {message}" if message else ""
    if status == 403:
        return (
            f"GitHub no dejó leer {what} (403{detail}); el token necesita permiso "
            f"de lectura de {permission}"
        )
    return f"GitHub respondió {status} al leer {what}{detail}"


def _read_list(  # pylint: disable=too-many-arguments
    client: GitHubClient,
    facts: GitHubFacts,
    resource: str,
    path: str,
    params: dict[str, str] | None = None,
    key: str = "",
) -> list[dict[str, Any]]:
    """Todas las páginas de una lista; si no se puede, anota por qué y da []."""
    try:
        answer = client.get_list(path, params, key)
    except GitHubUnavailable as error:
        facts.unread[resource] = (
            f"no se pudo leer {RESOURCES[resource][0]}: {client.redact(str(error))}"
        )
        return []
    if answer.status != 200:
        facts.unread[resource] = _unread_reason(resource, answer.status, answer.data)
        return []
    return list(answer.data)


def _read_workflows(client: GitHubClient, facts: GitHubFacts, prefix: str) -> None:
    try:
        listing = client.get(f"{prefix}/contents/.github/workflows")
    except GitHubUnavailable as error:
        reason = client.redact(str(error))
        facts.unread["workflows"] = f"no se pudo leer .github/workflows: {reason}"
        return
    if listing.status == 409 or (
        listing.status == 404 and "empty" in _github_message(listing.data).lower()
    ):
        facts.problem = "está vacío: aún no tiene ningún commit"
    elif listing.status == 200 and isinstance(listing.data, list):
        facts.workflows = [
            str(item.get("name")) for item in listing.data if isinstance(item, dict)
        ]
    elif listing.status != 404:  # 404: no hay carpeta .github/workflows
        facts.unread["workflows"] = _unread_reason(
            "workflows", listing.status, listing.data
        )


def _read_evidence(client: GitHubClient, facts: GitHubFacts, prefix: str) -> None:
    try:
        answer = client.get(f"{prefix}/contents/{EVIDENCE_PATH}")
    except GitHubUnavailable as error:
        reason = client.redact(str(error))
        facts.unread["evidence"] = f"no se pudo leer {EVIDENCE_PATH}: {reason}"
        return
    if answer.status == 200:
        url = answer.data.get("html_url") if isinstance(answer.data, dict) else ""
        facts.evidence = from_contents_api(answer.data, str(url or ""))
    elif answer.status != 404:  # 404: el estudiante aún no la subió
        facts.unread["evidence"] = _unread_reason(
            "evidence", answer.status, answer.data
        )


def _repo_problem(status: int, data: Any) -> str:
    if status == 404:
        return "no existe, es privado o el token no tiene acceso"
    if status == 403:
        return f"GitHub no deja leerlo (403: {_github_message(data)}): revisa el token"
    if status != 200 or not isinstance(data, dict):
        return f"GitHub respondió {status}"
    return ""


def fetch_github(client: GitHubClient, repository: str) -> GitHubFacts:
    """Los hechos de GitHub de ``repository`` (``owner/repo``).

    Un repositorio que falta, es privado o está vacío no es un error: queda
    en ``problem``. Lanza ``GitHubUnavailable`` si no se pudo leer el
    repositorio mismo (sin conexión, token rechazado).
    """
    facts = GitHubFacts(repository)
    answer = client.get(f"/repos/{repository}")
    facts.problem = _repo_problem(answer.status, answer.data)
    if facts.problem:
        return facts
    facts.info = dict(answer.data)
    full_name = str(answer.data.get("full_name") or repository)
    if full_name.lower() != repository.lower():
        facts.info["renamed_from"] = repository
        facts.repository = full_name
    prefix = f"/repos/{facts.repository}"
    _read_workflows(client, facts, prefix)
    if facts.problem:
        return facts
    facts.pulls = _read_list(
        client, facts, "pulls", f"{prefix}/pulls", {"state": "all"}
    )
    for workflow in WORKFLOWS:
        if workflow in facts.workflows:
            path = f"{prefix}/actions/workflows/{workflow}/runs"
            facts.runs += _read_list(client, facts, "runs", path, key="workflow_runs")
    merged = chosen_pull(facts.pulls, facts.default_branch)
    if merged is not None and isinstance(merged.get("number"), int):
        path = f"{prefix}/issues/{merged['number']}/comments"
        facts.comments = _read_list(client, facts, "comments", path)
    tags = _read_list(client, facts, "tags", f"{prefix}/tags")
    facts.tags = [str(tag.get("name")) for tag in tags]
    facts.releases = _read_list(client, facts, "releases", f"{prefix}/releases")
    _read_evidence(client, facts, prefix)
    return facts


def check_github(
    client: GitHubClient, repository: str, unchecked: list[str]
) -> GitHubFacts | None:
    """``fetch_github`` que, si GitHub no responde, anota por qué y devuelve None."""
    try:
        return fetch_github(client, repository)
    except GitHubUnavailable as error:
        unchecked.append(f"GitHub ({repository}): {client.redact(str(error))}")
        return None
