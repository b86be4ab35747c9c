"""Una API de GitHub falsa con muchos repositorios: la clase entera, para el informe.

Sirve, en 127.0.0.1 y con las formas de la API REST de GitHub, lo que leen
``course.progress.fetch_github`` y el informe del profesor: el
repositorio, ``contents/``, ``pulls``, ``actions/runs``, los comentarios de
un pull request, ``tags``, ``releases`` y los repositorios de una
organización. Cada repositorio está en un estado de la clase (``STATES``):
sin pull request, pull request sin fusionar, título no convencional, CD
fallido, tag sin release, todo hecho; además inexistente, privado, vacío y
renombrado.

Reproduce lo que la API de GitHub hace con quien la consulta mucho:

- ``ETag`` en cada respuesta y ``304 Not Modified`` a un ``If-None-Match``
  que coincide (GitHub no cuenta esas respuestas en el límite);
- el límite de peticiones: ``403`` con ``X-RateLimit-Remaining: 0`` y
  ``X-RateLimit-Reset`` cuando se agota (``rate_limit``), o ``429`` con
  ``Retry-After`` (el límite secundario);
- ``502`` y respuestas lentas a mitad de la pasada (``faults``);
- un repositorio renombrado responde ``301`` hacia ``/repositories/{id}``.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from base64 import b64encode
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from github_fake.server import LoopbackServer

TOKEN = "ghp_token_de_prueba_del_profesor"
ORG = "utec-mlops"
PREFIX = "gitops-lab"

# Estado de cada repositorio -> lo que el informe debe decir de cada parte
# (✅, ❌ o ⏳) para Parte 1, Parte 2 y Extra, y una palabra de su evidencia.
STATES: dict[str, tuple[str, str, str, str]] = {
    "sin_pr": ("✅", "❌", "❌", "ningún pull request"),
    "pr_abierto": ("✅", "❌", "❌", "sin fusionar"),
    "titulo_no_convencional": ("✅", "❌", "❌", "no es convencional"),
    "cd_fallo": ("✅", "❌", "❌", "CD falló"),
    "tag_sin_release": ("✅", "❌", "❌", "no tiene release"),
    "completo": ("✅", "✅", "✅", "release v0.1.0"),
    "inexistente": ("❌", "❌", "❌", "no existe"),
    "privado": ("❌", "❌", "❌", "no existe"),
    "vacio": ("❌", "❌", "❌", "vacío"),
    "renombrado": ("✅", "✅", "✅", "release v0.1.0"),
}
COMMON = (
    "sin_pr",
    "pr_abierto",
    "titulo_no_convencional",
    "cd_fallo",
    "tag_sin_release",
    "completo",
)
RARE = ("inexistente", "privado", "vacio", "renombrado")
EVIDENCE = {
    "format": 1,
    "generated_at": "2026-12-01T08:00:00+00:00",
    "lab_version": "v0.1.0",
    "training": {"date": "2026-12-01T07:00:00", "accuracy": 0.83, "f1_score": 0.6},
    "workspace": "mlw-clase",
    "model": {"name": "churn-prediction-model", "version": "1"},
    "job": {"name": "quiet_lamp_1234", "status": "Completed"},
    "predictions": {"rows": 500, "sha256": "ab" * 32},
}


def generated_states(count: int) -> dict[str, str]:
    """``count`` repositorios ``ORG/PREFIX-alumnoNNN`` con sus estados.

    Los estados comunes se reparten en ciclo; cada uno de los raros aparece
    una vez cada 50 repositorios.
    """
    states: dict[str, str] = {}
    for index in range(count):
        name = f"{ORG}/{PREFIX}-alumno{index:03d}"
        if index % 50 < len(RARE):
            states[name] = RARE[index % 50]
        else:
            states[name] = COMMON[index % len(COMMON)]
    return states


def _pull(repo: str, number: int, title: str, merged: bool) -> dict[str, Any]:
    return {
        "number": number,
        "title": title,
        "state": "closed" if merged else "open",
        "merged_at": "2026-11-20T10:00:00Z" if merged else None,
        "base": {"ref": "main"},
        "head": {"sha": f"{number:040d}"},
        "html_url": f"https://github.com/{repo}/pull/{number}",
    }


def _run(
    repo: str, run_id: int, workflow: str, conclusion: str, **extra: Any
) -> dict[str, Any]:
    return {
        "id": run_id,
        "name": workflow,
        "path": f".github/workflows/{workflow}",
        "status": "completed",
        "conclusion": conclusion,
        "event": "push",
        "head_branch": "main",
        "html_url": f"https://github.com/{repo}/actions/runs/{run_id}",
        "pull_requests": [],
        **extra,
    }


def _release(repo: str, release_id: int, tag: str) -> dict[str, Any]:
    return {
        "id": release_id,
        "tag_name": tag,
        "html_url": f"https://github.com/{repo}/releases/tag/{tag}",
        "assets": [{"name": f"gitops-lab-{tag}.zip", "size": 1234}],
    }


@dataclass
class FakeRepo:  # pylint: disable=too-many-instance-attributes
    """Un repositorio de la clase en la API falsa."""

    full_name: str
    state: str
    repo_id: int
    pulls: list[dict[str, Any]] = field(default_factory=list)
    runs: list[dict[str, Any]] = field(default_factory=list)
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    releases: list[dict[str, Any]] = field(default_factory=list)
    evidence: dict[str, Any] | None = None
    version: int = 0  # cambia con cada modificación: cambia el ETag

    @classmethod
    def build(cls, full_name: str, state: str, repo_id: int) -> FakeRepo:
        """El repositorio con lo que deja ese estado."""
        repo = cls(full_name, state, repo_id)
        name = full_name
        if state == "vacio":
            return repo
        # La Parte 1: el primer push a main ya crea v0.0.1 con su release.
        repo.runs.append(_run(name, 9, "cd.yml", "success"))
        repo.tags = ["v0.0.1"]
        repo.releases = [_release(name, 6, "v0.0.1")]
        title = (
            "Update train_model.py"
            if state == "titulo_no_convencional"
            else ("feat: mi primer cambio")
        )
        if state != "sin_pr":
            merged = state != "pr_abierto"
            repo.pulls = [_pull(name, 1, title, merged)]
            repo.runs.append(
                _run(
                    name,
                    10,
                    "ci.yml",
                    "success",
                    event="pull_request",
                    head_sha=f"{1:040d}",
                    pull_requests=[{"number": 1}],
                )
            )
            marker = "<!-- add-pr-comment:ci-results -->\n## 🔍 Resultados de CI"
            repo.comments[1] = [{"id": 5, "body": marker}]
        if state in ("cd_fallo", "tag_sin_release", "completo", "renombrado"):
            failed = state == "cd_fallo"
            repo.runs.insert(
                0, _run(name, 11, "cd.yml", "failure" if failed else "success")
            )
        if state in ("tag_sin_release", "completo", "renombrado"):
            repo.tags.insert(0, "v0.1.0")
        if state in ("completo", "renombrado"):
            repo.releases.insert(0, _release(name, 7, "v0.1.0"))
            repo.runs.insert(
                0,
                _run(
                    name, 12, "deploy_model.yml", "success", event="workflow_dispatch"
                ),
            )
            repo.evidence = dict(EVIDENCE)
        return repo


@dataclass
class Faults:  # pylint: disable=too-many-instance-attributes
    """Fallos a mitad de la pasada; cada contador baja con cada uso."""

    # Tras cuántas peticiones más (no 304) se agota el límite, y cuánto dura.
    rate_limit_after: int | None = None
    rate_limit_seconds: float = 2.0
    # Cuántas respuestas 429 con Retry-After (límite secundario) dar.
    secondary: int = 0
    # Cuántas 502 dar a las rutas que coinciden con el patrón.
    bad_gateway: int = 0
    bad_gateway_pattern: str = r".*/pulls"
    # Segundos de espera en las rutas que coinciden con ``slow_pattern``.
    slow_seconds: float = 0.0
    slow_pattern: str = r".*/tags"
    # Cuántas respuestas lentas dar (None: todas las que coincidan).
    slow_count: int | None = None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, *args: Any) -> None:  # sin ruido en pytest
        pass

    def do_GET(self) -> None:  # pylint: disable=invalid-name
        """GET."""
        status, body, headers = self.server.fake.answer(
            self.path, dict(self.headers.items())
        )
        data = json.dumps(body).encode() if body is not None and status != 304 else b""
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class ClassroomGitHub(LoopbackServer):  # pylint: disable=too-many-instance-attributes
    """La API falsa de la clase; se usa como context manager."""

    def __init__(self, states: dict[str, str], public: bool = True) -> None:
        self.repos: dict[str, FakeRepo] = {}
        self.renamed: dict[str, str] = {}
        self.public = public
        self.faults = Faults()
        self.statuses: Counter[int] = Counter()
        self.tokens_seen: set[str] = set()
        self.limit_until = 0.0
        self._lock = threading.Lock()
        for index, (name, state) in enumerate(states.items()):
            if state == "inexistente":
                continue
            repo = FakeRepo.build(name, state, 5000 + index)
            if state == "renombrado":
                new_name = f"{name}-nuevo"
                repo.full_name = new_name
                self.renamed[name.lower()] = new_name
                self.repos[new_name.lower()] = repo
            else:
                self.repos[name.lower()] = repo
        super().__init__(_Handler)

    def reset_counts(self) -> None:
        """Pone a cero el recuento de respuestas."""
        with self._lock:
            self.statuses.clear()

    def touch(self, full_name: str, state: str) -> None:
        """Cambia el estado de un repositorio (su contenido y su ETag cambian)."""
        with self._lock:
            old = self.repos[full_name.lower()]
            new = FakeRepo.build(old.full_name, state, old.repo_id)
            new.version = old.version + 1
            self.repos[full_name.lower()] = new

    # -- respuestas ---------------------------------------------------------

    def answer(
        self, raw_path: str, headers: dict[str, str]
    ) -> tuple[int, Any, dict[str, str]]:
        """(código, cuerpo JSON, cabeceras) de un GET, con los fallos pedidos."""
        parts = urlsplit(raw_path)
        path, query = parts.path, parse_qs(parts.query)
        token = headers.get("Authorization", "").split(" ")[-1]
        if token:
            self.tokens_seen.add(token)
        if self._slow(path):
            time.sleep(self.faults.slow_seconds)
        with self._lock:
            status, body, extra = self._answer(path, query, token, headers)
            self.statuses[status] += 1
        return status, body, extra

    def _slow(self, path: str) -> bool:
        faults = self.faults
        with self._lock:
            if not faults.slow_seconds or not re.fullmatch(faults.slow_pattern, path):
                return False
            if faults.slow_count is None:
                return True
            faults.slow_count -= 1
            return faults.slow_count >= 0

    def _fault(self, path: str) -> tuple[int, Any, dict[str, str]] | None:
        faults, now = self.faults, time.time()
        if now < self.limit_until:
            return (
                403,
                {"message": "API rate limit exceeded"},
                {
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": str(int(self.limit_until) + 1),
                },
            )
        if faults.rate_limit_after is not None:
            faults.rate_limit_after -= 1
            if faults.rate_limit_after < 0:
                faults.rate_limit_after = None
                self.limit_until = now + faults.rate_limit_seconds
                return self._fault(path)
        if faults.secondary > 0:
            faults.secondary -= 1
            return (
                429,
                {"message": "You have exceeded a secondary rate limit"},
                {"Retry-After": "1"},
            )
        if faults.bad_gateway > 0 and re.fullmatch(faults.bad_gateway_pattern, path):
            faults.bad_gateway -= 1
            return 502, {"message": "Server Error"}, {}
        return None

    def _answer(
        self,
        path: str,
        query: dict[str, list[str]],
        token: str,
        headers: dict[str, str],
    ) -> tuple[int, Any, dict[str, str]]:
        if token and token != TOKEN:
            return 401, {"message": "Bad credentials"}, {}
        status, body, version = self._route(path, query, token)
        extra = {"Content-Type": "application/json; charset=utf-8"}
        if status == 301:
            return status, body, {"Location": f"{self.url}{body['url']}"}
        etag = (
            '"'
            + hashlib.sha256(
                json.dumps([path, query, body, version], sort_keys=True).encode()
            ).hexdigest()[:32]
            + '"'
        )
        if status in (200, 404, 409):
            extra["ETag"] = etag
        if headers.get("If-None-Match") == etag:
            return 304, None, extra
        fault = self._fault(path)
        if fault is not None:
            return fault
        return status, body, extra

    def _repo(self, owner: str, name: str, token: str) -> FakeRepo | None:
        repo = self.repos.get(f"{owner}/{name}".lower())
        if repo is None:
            return None
        if repo.state == "privado" and token:
            return None  # el token del profesor no tiene acceso a este
        return repo

    def _route(  # pylint: disable=too-many-return-statements
        self, path: str, query: dict[str, list[str]], token: str
    ) -> tuple[int, Any, int]:
        not_found = (404, {"message": "Not Found"}, 0)
        match = re.fullmatch(r"/orgs/([^/]+)/repos", path)
        if match:
            return self._org_repos(match.group(1), query)
        match = re.fullmatch(r"/repositories/(\d+)", path)
        if match:
            for repo in self.repos.values():
                if repo.repo_id == int(match.group(1)):
                    return 200, self._repo_json(repo), repo.version
            return not_found
        match = re.fullmatch(r"/repos/([^/]+)/([^/]+)(/.*)?", path)
        if not match:
            return not_found
        owner, name, rest = match.group(1), match.group(2), match.group(3) or ""
        renamed = self.renamed.get(f"{owner}/{name}".lower())
        if renamed:
            target = self.repos[renamed.lower()]
            return 301, {"url": f"/repositories/{target.repo_id}" + rest}, 0
        found = self._repo(owner, name, token)
        if found is None:
            return not_found
        repo = found
        if not rest:
            return 200, self._repo_json(repo), repo.version
        if repo.state == "vacio":
            if rest.startswith("/contents"):
                return 404, {"message": "This repository is empty."}, 0
            return 200, [], 0
        return self._repo_route(repo, rest)

    def _org_repos(self, org: str, query: dict[str, list[str]]) -> tuple[int, Any, int]:
        per_page = int(query.get("per_page", ["30"])[0])
        page = int(query.get("page", ["1"])[0])
        names = sorted(
            repo.full_name
            for repo in self.repos.values()
            if repo.full_name.lower().startswith(f"{org.lower()}/")
        )
        chosen = names[(page - 1) * per_page : page * per_page]
        return (
            200,
            [
                {"full_name": name, "name": name.split("/")[1], "private": False}
                for name in chosen
            ],
            0,
        )

    def _repo_json(self, repo: FakeRepo) -> dict[str, Any]:
        owner, name = repo.full_name.split("/")
        return {
            "id": repo.repo_id,
            "full_name": repo.full_name,
            "name": name,
            "owner": {"login": owner},
            "private": repo.state == "privado",
            "default_branch": "main",
            "html_url": f"https://github.com/{repo.full_name}",
            "size": 0 if repo.state == "vacio" else 120,
        }

    def _repo_route(self, repo: FakeRepo, rest: str) -> tuple[int, Any, int]:
        version = repo.version
        if rest == "/contents/.github/workflows":
            files = ["cd.yml", "ci.yml", "deploy_model.yml", "progress.yml"]
            return 200, [{"name": name, "type": "file"} for name in files], version
        if rest == "/contents/evidence/progreso.json":
            if repo.evidence is None:
                return 404, {"message": "Not Found"}, version
            text = json.dumps(repo.evidence).encode()
            return (
                200,
                {
                    "name": "progreso.json",
                    "encoding": "base64",
                    "content": b64encode(text).decode(),
                    "html_url": f"https://github.com/{repo.full_name}/blob/main/"
                    "evidence/progreso.json",
                },
                version,
            )
        routes: dict[str, Any] = {
            "/pulls": repo.pulls,
            "/actions/runs": {
                "total_count": len(repo.runs),
                "workflow_runs": repo.runs,
            },
            "/tags": [{"name": tag} for tag in repo.tags],
            "/releases": repo.releases,
        }
        if rest in routes:
            return 200, routes[rest], version
        match = re.fullmatch(r"/issues/(\d+)/comments", rest)
        if match:
            return 200, repo.comments.get(int(match.group(1)), []), version
        return 404, {"message": "Not Found"}, version
