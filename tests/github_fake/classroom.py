"""Una API de GitHub falsa con muchos repositorios: la clase entera, para el informe.

Sirve, en 127.0.0.1 y con las formas de la API REST de GitHub, lo que leen
``course.github_facts.fetch_github``, el informe del profesor y el reparto
del laboratorio: el repositorio, ``contents/``, ``pulls``, las ejecuciones de
cada flujo (``actions/workflows/{flujo}/runs``), los comentarios de un pull
request, ``tags``, ``releases``, los repositorios de una organización, crear
un repositorio desde una plantilla (``POST /repos/{plantilla}/generate``) e
invitar a un colaborador (``PUT /collaborators/{usuario}``). Cada repositorio
está en un estado de la clase (:mod:`github_fake.class_repos`).

Reproduce lo que la API de GitHub hace con quien la consulta mucho:

- listas paginadas: ``per_page`` (30 por omisión, 100 como máximo), ``page``
  y la cabecera ``Link`` con ``rel="next"`` y ``rel="last"``;
- ``ETag`` en cada respuesta y ``304 Not Modified`` a un ``If-None-Match``
  que coincide (GitHub no cuenta esas respuestas en el límite);
- el límite de peticiones: ``403`` con ``X-RateLimit-Remaining: 0`` y
  ``X-RateLimit-Reset`` cuando se agota (``rate_limit``), o ``429`` con
  ``Retry-After`` (el límite secundario);
- ``502`` y respuestas lentas a mitad de la pasada (``faults``);
- ``403`` «Resource not accessible by personal access token» en las rutas de
  un patrón (un token fine-grained sin ese permiso);
- una redirección a otro host (``redirect_pattern``) y una respuesta enorme
  (``huge_pattern``), que se envía sin guardarla en memoria;
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
from urllib.parse import parse_qs, urlencode, urlsplit

from github_fake.class_repos import (  # noqa: F401  (lo que importan las pruebas)
    BOT,
    EVIDENCE,
    ORG,
    PREFIX,
    STATES,
    FakeRepo,
    generated_states,
)
from github_fake.server import LoopbackServer

TOKEN = "ghp_token_de_prueba_del_profesor"
TEACHER = "profesora"
TEMPLATE = f"{ORG}/{PREFIX}-plantilla"
FINE_GRAINED_403 = "Resource not accessible by personal access token"
DOCS = "https://docs.github.com/rest"


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
    # Rutas a las que el token no llega (403 de un token fine-grained).
    forbidden_pattern: str = ""
    # Rutas que redirigen (302) a ``redirect_to`` + la ruta.
    redirect_pattern: str = ""
    redirect_to: str = ""
    # Rutas que responden un cuerpo de ``huge_bytes`` (con o sin Content-Length).
    huge_pattern: str = ""
    huge_bytes: int = 512 * 1024 * 1024
    huge_with_length: bool = True
    # Si no está vacío, la página siguiente (cabecera Link) apunta a este host.
    foreign_next_link: str = ""


@dataclass
class Answer:
    """Una respuesta: código, cuerpo JSON y cabeceras."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    huge: int = 0  # bytes de relleno a enviar en vez de ``body``


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Any

    def log_message(self, *args: Any) -> None:  # sin ruido en pytest
        pass

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        fake = self.server.fake
        answer = fake.answer(method, self.path, dict(self.headers.items()), body)
        if answer.huge:
            self._send_huge(answer)
            return
        data = b""
        if answer.body is not None and answer.status != 304:
            data = json.dumps(answer.body).encode()
        self.send_response(answer.status)
        for key, value in answer.headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send_huge(self, answer: Answer) -> None:
        """Un cuerpo enorme, por trozos: el servidor no lo guarda entero."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        if self.server.fake.faults.huge_with_length:
            self.send_header("Content-Length", str(answer.huge))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        chunk = b" " * (1024 * 1024)
        sent = 0
        try:
            while sent < answer.huge:
                self.wfile.write(chunk[: answer.huge - sent])
                sent += len(chunk)
                self.server.fake.huge_sent = sent
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def do_GET(self) -> None:  # pylint: disable=invalid-name
        """GET."""
        self._serve("GET")

    def do_POST(self) -> None:  # pylint: disable=invalid-name
        """POST."""
        self._serve("POST")

    def do_PUT(self) -> None:  # pylint: disable=invalid-name
        """PUT."""
        self._serve("PUT")


class ClassroomGitHub(LoopbackServer):  # pylint: disable=too-many-instance-attributes
    """La API falsa de la clase; se usa como context manager."""

    def __init__(self, states: dict[str, str], public: bool = True) -> None:
        self.repos: dict[str, FakeRepo] = {}
        self.renamed: dict[str, str] = {}
        self.public = public
        self.faults = Faults()
        self.statuses: Counter[int] = Counter()
        self.requests: list[str] = []
        self.anonymous: list[str] = []  # las rutas pedidas sin token
        self.tokens_seen: set[str] = set()
        self.invitations: list[tuple[str, str, str]] = []
        self.limit_until = 0.0
        self.huge_sent = 0
        self._lock = threading.Lock()
        template = FakeRepo.build(TEMPLATE, "sin_pr", 4000)
        template.is_template = True
        self.repos[TEMPLATE.lower()] = template
        for index, (name, state) in enumerate(states.items()):
            if state != "inexistente":
                self.add(name, state, 5000 + index)
        super().__init__(_Handler)

    def add(self, name: str, state: str, repo_id: int) -> FakeRepo:
        """Añade un repositorio en ``state`` (renombrado: con su nombre nuevo)."""
        repo = FakeRepo.build(name, state, repo_id)
        if state == "renombrado":
            repo.full_name = f"{name}-nuevo"
            self.renamed[name.lower()] = repo.full_name
        self.repos[repo.full_name.lower()] = repo
        return repo

    def reset_counts(self) -> None:
        """Pone a cero el recuento de respuestas."""
        with self._lock:
            self.statuses.clear()
            self.requests.clear()
            self.anonymous.clear()

    def touch(self, full_name: str, state: str) -> None:
        """Cambia el estado de un repositorio (su contenido y su ETag cambian)."""
        with self._lock:
            old = self.repos[full_name.lower()]
            new = FakeRepo.build(old.full_name, state, old.repo_id)
            new.version = old.version + 1
            self.repos[full_name.lower()] = new

    def set_evidence(self, full_name: str, raw: bytes) -> None:
        """El archivo de evidencia de un repositorio, tal cual (puede ser hostil)."""
        with self._lock:
            repo = self.repos[full_name.lower()]
            repo.evidence_raw = raw
            repo.version += 1

    # -- respuestas ---------------------------------------------------------

    def answer(
        self, method: str, raw_path: str, headers: dict[str, str], body: Any
    ) -> Answer:
        """La respuesta a una petición, con los fallos pedidos."""
        parts = urlsplit(raw_path)
        path, query = parts.path, parse_qs(parts.query)
        token = headers.get("Authorization", "").split(" ")[-1]
        if token:
            self.tokens_seen.add(token)
        if self._slow(path):
            time.sleep(self.faults.slow_seconds)
        with self._lock:
            self.requests.append(f"{method} {raw_path}")
            if not token:
                self.anonymous.append(raw_path)
            found = self._answer(method, path, query, token, headers, body)
            self.statuses[found.status] += 1
        return found

    def _slow(self, path: str) -> bool:
        faults = self.faults
        with self._lock:
            if not faults.slow_seconds or not re.fullmatch(faults.slow_pattern, path):
                return False
            if faults.slow_count is None:
                return True
            faults.slow_count -= 1
            return faults.slow_count >= 0

    def _fault(self, path: str) -> Answer | None:
        faults, now = self.faults, time.time()
        if now < self.limit_until:
            reset = str(int(self.limit_until) + 1)
            return Answer(
                403,
                {"message": "API rate limit exceeded"},
                {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset},
            )
        if faults.rate_limit_after is not None:
            faults.rate_limit_after -= 1
            if faults.rate_limit_after < 0:
                faults.rate_limit_after = None
                self.limit_until = now + faults.rate_limit_seconds
                return self._fault(path)
        if faults.secondary > 0:
            faults.secondary -= 1
            message = "You have exceeded a secondary rate limit"
            return Answer(429, {"message": message}, {"Retry-After": "1"})
        if faults.bad_gateway > 0 and re.fullmatch(faults.bad_gateway_pattern, path):
            faults.bad_gateway -= 1
            return Answer(502, {"message": "Server Error"})
        return None

    def _special(self, path: str) -> Answer | None:
        faults = self.faults
        if faults.forbidden_pattern and re.fullmatch(faults.forbidden_pattern, path):
            body = {"message": FINE_GRAINED_403, "documentation_url": DOCS}
            return Answer(403, {**body, "status": "403"})
        if faults.redirect_pattern and re.fullmatch(faults.redirect_pattern, path):
            return Answer(302, None, {"Location": faults.redirect_to + path})
        if faults.huge_pattern and re.fullmatch(faults.huge_pattern, path):
            return Answer(200, huge=faults.huge_bytes)
        return None

    def _answer(  # pylint: disable=too-many-arguments
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        token: str,
        headers: dict[str, str],
        body: Any,
    ) -> Answer:
        if token and token != TOKEN:
            return Answer(401, {"message": "Bad credentials"})
        special = self._special(path)
        if special is not None:
            return special
        if method != "GET":
            return self._write(method, path, token, body)
        found = self._route(path, query, token)
        if found.status == 301:
            return found
        found.headers.setdefault("Content-Type", "application/json; charset=utf-8")
        digest = hashlib.sha256(
            json.dumps(
                [path, query, found.body, found.headers.get("X-Version")]
            ).encode()
        ).hexdigest()[:32]
        found.headers.pop("X-Version", None)
        if found.status in (200, 404, 409):
            found.headers["ETag"] = f'"{digest}"'
            if headers.get("If-None-Match") == found.headers["ETag"]:
                return Answer(304, None, found.headers)
        return self._fault(path) or found

    # -- lectura --------------------------------------------------------------

    def _repo(self, owner: str, name: str, token: str) -> FakeRepo | None:
        repo = self.repos.get(f"{owner}/{name}".lower())
        if repo is None:
            return None
        if not repo.teacher_access and token:
            return None  # el token del profesor no tiene acceso a este
        return repo

    def _route(self, path: str, query: dict[str, list[str]], token: str) -> Answer:
        not_found = Answer(404, {"message": "Not Found", "documentation_url": DOCS})
        match = re.fullmatch(r"/orgs/([^/]+)/repos", path)
        if match:
            names = sorted(
                repo.full_name
                for repo in self.repos.values()
                if repo.full_name.lower().startswith(f"{match.group(1).lower()}/")
            )
            items = [
                {
                    "full_name": name,
                    "name": name.split("/")[1],
                    "private": self.repos[name.lower()].private,
                    "is_template": self.repos[name.lower()].is_template,
                }
                for name in names
            ]
            return self._page(path, query, items, 0)
        match = re.fullmatch(r"/repositories/(\d+)(/.*)?", path)
        if match:
            for repo in self.repos.values():
                if repo.repo_id == int(match.group(1)):
                    return self._repo_route(repo, path, match.group(2) or "", query)
            return not_found
        match = re.fullmatch(r"/repos/([^/]+)/([^/]+)(/.*)?", path)
        if not match:
            return not_found
        owner, name, rest = match.group(1), match.group(2), match.group(3) or ""
        renamed = self.renamed.get(f"{owner}/{name}".lower())
        if renamed:
            target = self.repos[renamed.lower()]
            location = f"{self.url}/repositories/{target.repo_id}{rest}"
            return Answer(301, None, {"Location": location})
        repo = self._repo(owner, name, token)
        if repo is None:
            return not_found
        return self._repo_route(repo, path, rest, query)

    def _page(
        self, path: str, query: dict[str, list[str]], items: list[Any], version: int
    ) -> Answer:
        """Una página de ``items`` con la cabecera ``Link``, como pagina GitHub."""
        per_page = min(int(query.get("per_page", ["30"])[0]), 100)
        page = max(int(query.get("page", ["1"])[0]), 1)
        last = max((len(items) + per_page - 1) // per_page, 1)
        chosen = items[(page - 1) * per_page : page * per_page]
        headers = {"X-Version": str(version)}
        links = []
        if page < last:
            links.append(f'<{self._page_url(path, query, page + 1)}>; rel="next"')
            links.append(f'<{self._page_url(path, query, last)}>; rel="last"')
        if links:
            headers["Link"] = ", ".join(links)
        return Answer(200, chosen, headers)

    def _page_url(self, path: str, query: dict[str, list[str]], page: int) -> str:
        params = {key: values[0] for key, values in query.items()}
        params["page"] = str(page)
        base = self.faults.foreign_next_link or self.url
        return f"{base}{path}?{urlencode(params)}"

    def _repo_json(self, repo: FakeRepo) -> dict[str, Any]:
        owner, name = repo.full_name.split("/")
        return {
            "id": repo.repo_id,
            "full_name": repo.full_name,
            "name": name,
            "owner": {"login": owner, "type": repo.owner_type},
            "private": repo.private,
            "is_template": repo.is_template,
            "default_branch": "main",
            "html_url": f"https://github.com/{repo.full_name}",
            "size": 0 if repo.state == "vacio" else 120,
        }

    def _repo_route(
        self, repo: FakeRepo, path: str, rest: str, query: dict[str, list[str]]
    ) -> Answer:
        """``rest`` es la ruta dentro del repositorio; ``path``, la ruta entera."""
        version = {"X-Version": str(repo.version)}
        if not rest:
            return Answer(200, self._repo_json(repo), version)
        if repo.state == "vacio":
            if rest.startswith("/contents"):
                return Answer(404, {"message": "This repository is empty."}, version)
            return self._page(path, query, [], repo.version)
        if rest == "/contents/.github/workflows":
            files = [{"name": name, "type": "file"} for name in repo.workflows]
            return Answer(200, files, version)
        if rest == "/contents/evidence/progreso.json":
            return self._evidence(repo)
        lists: dict[str, list[Any]] = {
            "/pulls": repo.pulls,
            "/tags": [{"name": tag} for tag in repo.tags],
            "/releases": repo.releases,
        }
        if rest in lists:
            return self._page(path, query, lists[rest], repo.version)
        match = re.fullmatch(r"/actions/workflows/([^/]+)/runs", rest)
        if match and match.group(1) in repo.workflows:
            runs = [run for run in repo.runs if run["path"].endswith(match.group(1))]
            answer = self._page(path, query, runs, repo.version)
            answer.body = {"total_count": len(runs), "workflow_runs": answer.body}
            return answer
        match = re.fullmatch(r"/issues/(\d+)/comments", rest)
        if match:
            comments = repo.comments.get(int(match.group(1)), [])
            return self._page(path, query, comments, repo.version)
        return Answer(404, {"message": "Not Found"}, version)

    def _evidence(self, repo: FakeRepo) -> Answer:
        content = repo.evidence_bytes()
        version = {"X-Version": str(repo.version)}
        if content is None:
            return Answer(404, {"message": "Not Found"}, version)
        body = {
            "name": "progreso.json",
            "path": "evidence/progreso.json",
            "size": len(content),
            "encoding": "base64",
            # Como GitHub: los archivos de más de 1 MB llegan sin contenido.
            "content": b64encode(content).decode() if len(content) <= 2**20 else "",
            "html_url": f"https://github.com/{repo.full_name}/blob/main/"
            "evidence/progreso.json",
        }
        return Answer(200, body, version)

    # -- escritura: el reparto del laboratorio --------------------------------

    def _write(self, method: str, path: str, token: str, body: Any) -> Answer:
        if not token:
            return Answer(401, {"message": "Requires authentication"})
        match = re.fullmatch(r"/repos/([^/]+)/([^/]+)/generate", path)
        if method == "POST" and match:
            return self._generate(f"{match.group(1)}/{match.group(2)}", body or {})
        match = re.fullmatch(r"/repos/([^/]+)/([^/]+)/collaborators/([^/]+)", path)
        if method == "PUT" and match:
            repository = f"{match.group(1)}/{match.group(2)}"
            return self._invite(repository, match.group(3), body or {})
        return Answer(404, {"message": "Not Found"})

    def _generate(self, template: str, body: dict[str, Any]) -> Answer:
        source = self.repos.get(template.lower())
        if source is None:
            return Answer(404, {"message": "Not Found"})
        if not source.is_template:
            message = f"{template} is not a template repository"
            return Answer(422, {"message": message})
        owner, name = str(body.get("owner") or TEACHER), str(body.get("name") or "")
        if not re.fullmatch(r"[A-Za-z0-9_.-]{1,100}", name):
            return Answer(422, {"message": "Validation Failed"})
        full_name = f"{owner}/{name}"
        if full_name.lower() in self.repos:
            message = "Could not clone: Name already exists on this account"
            return Answer(422, {"message": message, "documentation_url": DOCS})
        repo = FakeRepo.build(full_name, "sin_pr", 6000 + len(self.repos))
        repo.private = bool(body.get("private"))
        repo.owner_type = "Organization" if owner == ORG else "User"
        self.repos[full_name.lower()] = repo
        return Answer(201, self._repo_json(repo))

    def _invite(self, repository: str, user: str, body: dict[str, Any]) -> Answer:
        if repository.lower() not in self.repos:
            return Answer(404, {"message": "Not Found"})
        permission = str(body.get("permission") or "push")
        known = [item for item in self.invitations if item[:2] == (repository, user)]
        if known:
            return Answer(204)
        self.invitations.append((repository, user, permission))
        invitation = {
            "id": len(self.invitations),
            "invitee": {"login": user},
            "permissions": "write" if permission == "push" else permission,
            "html_url": f"https://github.com/{repository}/invitations",
        }
        return Answer(201, invitation)


class _RecordingHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Any

    def log_message(self, *args: Any) -> None:  # sin ruido en pytest
        pass

    def do_GET(self) -> None:  # pylint: disable=invalid-name
        """Anota las cabeceras y responde como la API (un repositorio vacío)."""
        self.server.fake.seen.append(dict(self.headers.items()))
        data = json.dumps({"message": "otro host"}).encode()
        self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class RecordingHost(LoopbackServer):
    """Otro host en loopback (127.0.0.2) que anota las cabeceras que recibe.

    Con ``Faults.redirect_pattern`` la API falsa redirige ahí: así se ve si el
    token viaja a un host que no es la API.
    """

    def __init__(self) -> None:
        self.seen: list[dict[str, str]] = []
        super().__init__(_RecordingHandler, host="127.0.0.2")
