"""Una API REST de GitHub falsa en 127.0.0.1, para los flujos bajo ``act``.

Responde lo que usan los flujos del laboratorio y sus acciones, con las formas
de la API de GitHub:

- referencias y etiquetas anotadas (``/git/ref``, ``/git/refs``,
  ``/git/tags``), guardadas en un repositorio git desnudo de verdad, el mismo
  en el que ``git push`` y ``actions/checkout`` escriben y leen; así la
  ejecución siguiente ve las etiquetas que creó la anterior;
- releases con sus archivos (``/releases``, ``/releases/tags/{tag}``, la
  subida a ``upload_url``, ``/releases/generate-notes``);
- comentarios de un pull request (``/issues/{n}/comments``,
  ``/issues/comments/{id}``);
- el token OIDC de un trabajo (``/idtoken``: lo que un paso pide a
  ``$ACTIONS_ID_TOKEN_REQUEST_URL`` con ``$ACTIONS_ID_TOKEN_REQUEST_TOKEN``),
  con los claims de GitHub (``iss``, ``sub``, ``aud``); el ``sub`` depende del
  environment del trabajo o de su rama, como en GitHub.
- las referencias que GitHub crea para cada pull request
  (``refs/pull/N/head`` y ``refs/pull/N/merge``,
  :meth:`FakeGitHub.update_pull_request_refs`).

Anota cada llamada (método, ruta, cuerpo JSON) y guarda el estado en memoria.
Reproduce también lo que hace fallar a los flujos en GitHub: un token de solo
lectura (pull requests de Dependabot o de un fork) recibe 403 al escribir, y
se puede pedir que la creación de releases falle (una caída a mitad de CD).
Lo que no conoce lo contesta con 404 y queda anotado.
"""

from __future__ import annotations

import base64
import json
import re
import ssl
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple, TypeVar
from urllib.parse import parse_qs, unquote, urlsplit

TOKEN = "ghs_token_de_prueba"
READ_ONLY_TOKEN = "ghs_token_de_solo_lectura"
BOT = {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"}
FORBIDDEN = "Resource not accessible by integration"
# GitHub da el token OIDC solo a los trabajos con «permissions: id-token: write»,
# a través de estas dos variables del runner (act no las pone: las pasa la prueba).
OIDC_REQUEST_TOKEN = "token_de_peticion_oidc"
OIDC_ISSUER = "https://token.actions.githubusercontent.com"
OIDC_SECONDS = 300


def rev_parse(repo: Path, ref: str) -> str | None:
    """El SHA al que apunta ``ref`` en el repositorio git ``repo``, o None."""
    result = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "--verify", "--quiet", ref],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    return result.stdout.strip() or None


class Request(NamedTuple):
    """Una petición HTTP ya leída."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    token: str


@dataclass
class Call:
    """Una llamada recibida por la API falsa."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    status: int


@dataclass
class Release:
    """Una release y sus archivos (nombre -> bytes)."""

    data: dict[str, Any]
    assets: dict[str, bytes] = field(default_factory=dict)


class ApiError(Exception):
    """Una respuesta de error con el formato de GitHub."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"message": message, **extra}


class Handler(BaseHTTPRequestHandler):
    """Despacha cada petición a :meth:`FakeGitHub.route` y anota la llamada."""

    protocol_version = "HTTP/1.1"
    server: FakeServer

    def log_message(self, *args: Any) -> None:  # sin ruido en pytest
        pass

    def _serve(self, method: str) -> None:
        fake = self.server.fake
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            raw = self._read_chunked()
        else:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body: Any = raw
        # Como GitHub, lee JSON aunque curl --data diga otro tipo; los
        # archivos de una release llegan tal cual.
        if raw and not path.endswith("/assets"):
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw
        token = self.headers.get("Authorization", "").split(" ")[-1]
        query = parse_qs(parts.query)
        request = Request(method, path, query, body, token)
        status, payload = fake.handle(request)
        data = json.dumps(payload).encode() if payload is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        while True:
            size = int(self.rfile.readline().strip() or b"0", 16)
            if size == 0:
                self.rfile.readline()
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline()

    def do_GET(self) -> None:  # pylint: disable=invalid-name
        """GET."""
        self._serve("GET")

    def do_POST(self) -> None:  # pylint: disable=invalid-name
        """POST."""
        self._serve("POST")

    def do_PATCH(self) -> None:  # pylint: disable=invalid-name
        """PATCH."""
        self._serve("PATCH")

    def do_DELETE(self) -> None:  # pylint: disable=invalid-name
        """DELETE."""
        self._serve("DELETE")


class FakeServer(ThreadingHTTPServer):
    """El servidor HTTP, con la API falsa a la que atiende (``self.server.fake``)."""

    daemon_threads = True

    def __init__(
        self, fake: Any, handler: type[BaseHTTPRequestHandler], host: str = "127.0.0.1"
    ) -> None:
        super().__init__((host, 0), handler)
        self.fake = fake


_Fake = TypeVar("_Fake", bound="LoopbackServer")


class LoopbackServer:
    """Una API falsa servida en 127.0.0.1 (un puerto libre) desde su propio hilo.

    Se usa como context manager: al entrar arranca, al salir se detiene.
    ``host`` puede ser otra dirección de loopback (127.0.0.2): otro «host».
    """

    def __init__(
        self, handler: type[BaseHTTPRequestHandler], host: str = "127.0.0.1"
    ) -> None:
        self._server = FakeServer(self, handler, host)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    scheme = "http"

    @property
    def url(self) -> str:
        """La URL base de la API, por ejemplo http://127.0.0.1:41234."""
        host, port = self._server.server_address[:2]
        return f"{self.scheme}://{host!s}:{port}"

    def use_tls(self, context: ssl.SSLContext) -> None:
        """Sirve por https con ``context`` (antes de arrancar)."""
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.scheme = "https"

    def __enter__(self: _Fake) -> _Fake:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=30)


class FakeGitHub(LoopbackServer):
    """El servidor y su estado; se usa como context manager."""

    def __init__(self, repository: str, bare_repo: Path) -> None:
        self.repository = repository
        self.bare_repo = bare_repo
        self.calls: list[Call] = []
        self.releases: list[Release] = []
        self.comments: dict[int, list[dict[str, Any]]] = {}
        # Cuántas veces más falla POST /releases (simula una caída de GitHub).
        self.fail_release_creation = 0
        # El trabajo que pide el token OIDC: su environment (o None) y su rama.
        self.oidc_environment: str | None = None
        self.oidc_ref = "refs/heads/main"
        self._next_id = 1000
        self._lock = threading.Lock()
        super().__init__(Handler)

    # -- consultas para las pruebas ----------------------------------------

    def called(self, method: str, pattern: str) -> list[Call]:
        """Las llamadas con ese método cuya ruta coincide con ``pattern``."""
        return [
            call
            for call in self.calls
            if call.method == method and re.fullmatch(pattern, call.path)
        ]

    def git(self, *args: str) -> str:
        """Ejecuta git en el repositorio desnudo y devuelve su salida."""
        result = subprocess.run(
            ["git", "-C", str(self.bare_repo), *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        if result.returncode != 0:
            raise ApiError(422, result.stderr.strip() or "git falló")
        return result.stdout.strip()

    def ref_sha(self, ref: str) -> str | None:
        """El SHA al que apunta ``ref`` en el repositorio, o None."""
        return rev_parse(self.bare_repo, ref)

    def release(self, tag: str) -> Release | None:
        """La release de esa etiqueta, si existe."""
        for release in self.releases:
            if release.data["tag_name"] == tag:
                return release
        return None

    def update_pull_request_refs(
        self, number: int, head: str, base: str = "main"
    ) -> str:
        """Lo que hace GitHub al abrir un pull request o al recibir un push a su rama.

        ``refs/pull/N/head`` apunta al último commit de la rama ``head`` y
        ``refs/pull/N/merge`` a un commit de prueba que la fusiona con la base
        (padres: la base y la rama), el que ``actions/checkout`` descarga en
        un pull request. Devuelve el SHA de ese commit.
        """
        head_sha = self.git("rev-parse", f"refs/heads/{head}")
        base_sha = self.git("rev-parse", f"refs/heads/{base}")
        # Con conflictos, git merge-tree falla y GitHub no crea la fusión.
        tree = self.git("merge-tree", "--write-tree", base_sha, head_sha).split()[0]
        merge = self.git(
            *("-c", "user.name=GitHub", "-c", "user.email=noreply@github.com"),
            *("commit-tree", tree, "-p", base_sha, "-p", head_sha),
            *("-m", f"Merge {head_sha} into {base_sha}"),
        )
        self.git("update-ref", f"refs/pull/{number}/head", head_sha)
        self.git("update-ref", f"refs/pull/{number}/merge", merge)
        return merge

    # -- el servidor HTTP --------------------------------------------------

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def handle(self, request: Request) -> tuple[int, Any]:
        """Responde una petición (código, JSON) y la anota."""
        method, path, query, body, _ = request
        with self._lock:
            try:
                status, payload = self._route(request)
            except ApiError as error:
                status, payload = error.status, error.body
            except (KeyError, TypeError, ValueError) as error:
                status, payload = 400, {"message": f"Problems parsing JSON: {error}"}
            recorded = body if not isinstance(body, bytes) else len(body)
            self.calls.append(Call(method, path, query, recorded, status))
        return status, payload

    def oidc_token(self, audience: str) -> str:
        """El JWT que GitHub firmaría para el trabajo (aquí sin firma)."""
        owner = self.repository.split("/")[0]
        if self.oidc_environment is not None:
            subject = f"repo:{self.repository}:environment:{self.oidc_environment}"
        else:
            subject = f"repo:{self.repository}:ref:{self.oidc_ref}"
        now = int(time.time())
        claims = {
            "iss": OIDC_ISSUER,
            "sub": subject,
            "aud": audience or f"https://github.com/{owner}",
            "repository": self.repository,
            "ref": self.oidc_ref,
            "environment": self.oidc_environment,
            "iat": now,
            "nbf": now,
            "exp": now + OIDC_SECONDS,
        }
        parts = [{"alg": "RS256", "typ": "JWT"}, claims]
        encoded = [
            base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()
            for part in parts
        ]
        return ".".join([*encoded, "firma-de-prueba"])

    def _route(self, request: Request) -> tuple[int, Any]:
        method, path, query, body, token = request
        if path == "/idtoken" and method == "GET":
            if token != OIDC_REQUEST_TOKEN:
                raise ApiError(401, "Bad credentials")
            return 200, {"value": self.oidc_token(query.get("audience", [""])[0])}
        if token not in (TOKEN, READ_ONLY_TOKEN):
            raise ApiError(401, "Bad credentials")
        if method != "GET" and token == READ_ONLY_TOKEN:
            raise ApiError(403, FORBIDDEN)
        prefix = f"/repos/{self.repository}"
        if path == prefix and method == "GET":
            owner, name = self.repository.split("/")
            return 200, {
                "full_name": self.repository,
                "name": name,
                "owner": {"login": owner},
                "default_branch": "main",
            }
        if not path.startswith(prefix + "/"):
            raise ApiError(404, "Not Found")
        rest = path[len(prefix) :]
        handlers: list[tuple[str, str, Callable[..., tuple[int, Any]]]] = [
            ("GET", r"/git/ref/(.+)", self._get_ref),
            ("GET", r"/git/matching-refs/(.+)", self._matching_refs),
            ("POST", r"/git/tags", self._create_tag_object),
            ("GET", r"/git/tags/([0-9a-f]{40})", self._get_tag_object),
            ("POST", r"/git/refs", self._create_ref),
            ("GET", r"/releases", self._list_releases),
            ("POST", r"/releases", self._create_release),
            ("POST", r"/releases/generate-notes", self._generate_notes),
            ("GET", r"/releases/tags/(.+)", self._get_release_by_tag),
            ("GET", r"/releases/(\d+)", self._get_release),
            ("PATCH", r"/releases/(\d+)", self._update_release),
            ("GET", r"/releases/(\d+)/assets", self._list_assets),
            ("POST", r"/releases/(\d+)/assets", self._upload_asset),
            ("DELETE", r"/releases/assets/(\d+)", self._delete_asset),
            ("GET", r"/issues/(\d+)/comments", self._list_comments),
            ("POST", r"/issues/(\d+)/comments", self._create_comment),
            ("PATCH", r"/issues/comments/(\d+)", self._update_comment),
        ]
        for wanted, pattern, handler in handlers:
            match = re.fullmatch(pattern, rest)
            if match and method == wanted:
                return handler(*match.groups(), query=query, body=body)
        raise ApiError(404, "Not Found")

    # -- git: referencias y etiquetas ---------------------------------------

    def _ref_json(self, ref: str, sha: str) -> dict[str, Any]:
        kind = self.git("cat-file", "-t", sha)
        return {"ref": ref, "object": {"sha": sha, "type": kind}}

    def _get_ref(self, ref: str, **_: Any) -> tuple[int, Any]:
        sha = self.ref_sha(f"refs/{ref}")
        if sha is None or not self.git("for-each-ref", f"refs/{ref}"):
            raise ApiError(404, "Not Found")
        return 200, self._ref_json(f"refs/{ref}", sha)

    def _matching_refs(self, ref: str, **_: Any) -> tuple[int, Any]:
        lines = self.git("for-each-ref", "--format=%(refname) %(objectname)")
        found = []
        for line in lines.splitlines():
            name, sha = line.split()
            if name.startswith(f"refs/{ref}"):
                found.append(self._ref_json(name, sha))
        return 200, found

    def _create_tag_object(self, body: Any, **_: Any) -> tuple[int, Any]:
        tag, message, target = body["tag"], body["message"], body["object"]
        if body.get("type", "commit") != "commit" or self.ref_sha(target) is None:
            raise ApiError(422, "Object does not exist")
        tagger = body.get("tagger") or {}
        name = tagger.get("name", BOT["login"])
        email = tagger.get(
            "email", "41898282+github-actions[bot]@users.noreply.github.com"
        )
        text = (
            f"object {target}\ntype commit\ntag {tag}\n"
            f"tagger {name} <{email}> 1767225600 +0000\n\n{message}\n"
        )
        result = subprocess.run(
            ["git", "-C", str(self.bare_repo), "mktag"],
            input=text,
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        if result.returncode != 0:
            raise ApiError(422, result.stderr.strip())
        sha = result.stdout.strip()
        return 201, {
            "sha": sha,
            "tag": tag,
            "message": message,
            "tagger": {"name": name, "email": email},
            "object": {"sha": target, "type": "commit"},
        }

    def _get_tag_object(self, sha: str, **_: Any) -> tuple[int, Any]:
        if self.git("cat-file", "-t", sha) != "tag":
            raise ApiError(404, "Not Found")
        target = self.git("rev-parse", f"{sha}^{{commit}}")
        tag = self.git("cat-file", "tag", sha)
        message = tag.split("\n\n", 1)[1] if "\n\n" in tag else ""
        name = re.search(r"^tag (.+)$", tag, re.MULTILINE)
        return 200, {
            "sha": sha,
            "tag": name.group(1) if name else "",
            "message": message,
            "object": {"sha": target, "type": "commit"},
        }

    def _create_ref(self, body: Any, **_: Any) -> tuple[int, Any]:
        ref, sha = body["ref"], body["sha"]
        if not ref.startswith("refs/") or ref.count("/") < 2:
            raise ApiError(422, "Reference name is invalid")
        if self.ref_sha(ref) is not None:
            raise ApiError(422, "Reference already exists")
        self.git("update-ref", ref, sha)
        return 201, self._ref_json(ref, sha)

    # -- releases -----------------------------------------------------------

    def _asset_json(self, release: Release, asset_id: int, name: str) -> dict[str, Any]:
        tag = release.data["tag_name"]
        return {
            "id": asset_id,
            "name": name,
            "label": name,
            "size": len(release.assets[name]),
            "state": "uploaded",
            "browser_download_url": (
                f"https://github.com/{self.repository}/releases/download/{tag}/{name}"
            ),
        }

    def _release_json(self, release: Release) -> dict[str, Any]:
        data = dict(release.data)
        data["assets"] = [
            self._asset_json(release, asset_id, name)
            for asset_id, name in data["_asset_ids"].items()
        ]
        del data["_asset_ids"]
        return data

    def _find(self, release_id: str) -> Release:
        for release in self.releases:
            if release.data["id"] == int(release_id):
                return release
        raise ApiError(404, "Not Found")

    def _list_releases(self, **_: Any) -> tuple[int, Any]:
        return 200, [self._release_json(r) for r in reversed(self.releases)]

    def _create_release(self, body: Any, **_: Any) -> tuple[int, Any]:
        if self.fail_release_creation > 0:
            self.fail_release_creation -= 1
            raise ApiError(503, "Service Unavailable")
        tag = body["tag_name"]
        if self.release(tag) is not None:
            raise ApiError(
                422,
                "Validation Failed",
                errors=[
                    {
                        "resource": "Release",
                        "code": "already_exists",
                        "field": "tag_name",
                    }
                ],
            )
        if self.ref_sha(f"refs/tags/{tag}") is None:
            # GitHub crea una etiqueta ligera en target_commitish (o main).
            target = body.get("target_commitish") or "refs/heads/main"
            self.git("update-ref", f"refs/tags/{tag}", self.git("rev-parse", target))
        release_id = self._new_id()
        owner_repo = self.repository
        notes = ""
        if body.get("generate_release_notes"):
            notes = self._generate_notes(body={"tag_name": tag})[1]["body"]
        release = Release(
            data={
                "id": release_id,
                "tag_name": tag,
                "name": body.get("name") or tag,
                "body": body.get("body") or notes,
                "draft": bool(body.get("draft", False)),
                "prerelease": bool(body.get("prerelease", False)),
                "make_latest": body.get("make_latest", "true"),
                # GitHub anota quién la publicó: con el token del flujo, el bot.
                "author": BOT,
                "target_commitish": body.get("target_commitish") or "main",
                "html_url": f"https://github.com/{owner_repo}/releases/tag/{tag}",
                "upload_url": (
                    f"{self.url}/repos/{owner_repo}/releases/{release_id}"
                    "/assets{?name,label}"
                ),
                "_asset_ids": {},
            }
        )
        self.releases.append(release)
        return 201, self._release_json(release)

    def _generate_notes(self, body: Any, **_: Any) -> tuple[int, Any]:
        tag = body["tag_name"]
        return 200, {"name": tag, "body": f"**Full Changelog**: commits up to {tag}"}

    def _get_release_by_tag(self, tag: str, **_: Any) -> tuple[int, Any]:
        release = self.release(tag)
        if release is None or release.data["draft"]:
            raise ApiError(404, "Not Found")
        return 200, self._release_json(release)

    def _get_release(self, release_id: str, **_: Any) -> tuple[int, Any]:
        return 200, self._release_json(self._find(release_id))

    def _update_release(self, release_id: str, body: Any, **_: Any) -> tuple[int, Any]:
        release = self._find(release_id)
        for key in ("tag_name", "name", "body", "draft", "prerelease", "make_latest"):
            if key in body and body[key] is not None:
                release.data[key] = body[key]
        return 200, self._release_json(release)

    def _list_assets(self, release_id: str, **_: Any) -> tuple[int, Any]:
        return 200, self._release_json(self._find(release_id))["assets"]

    def _upload_asset(
        self, release_id: str, query: dict[str, list[str]], body: Any, **_: Any
    ) -> tuple[int, Any]:
        release = self._find(release_id)
        name = query["name"][0]
        if name in release.assets:
            raise ApiError(
                422,
                "Validation Failed",
                errors=[{"resource": "ReleaseAsset", "code": "already_exists"}],
            )
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        release.assets[name] = data
        asset_id = self._new_id()
        release.data["_asset_ids"][asset_id] = name
        return 201, self._asset_json(release, asset_id, name)

    def _delete_asset(self, asset_id: str, **_: Any) -> tuple[int, Any]:
        for release in self.releases:
            name = release.data["_asset_ids"].pop(int(asset_id), None)
            if name is not None:
                del release.assets[name]
                return 204, None
        raise ApiError(404, "Not Found")

    # -- comentarios ----------------------------------------------------------

    def _list_comments(self, number: str, **_: Any) -> tuple[int, Any]:
        return 200, list(self.comments.get(int(number), []))

    def _create_comment(self, number: str, body: Any, **_: Any) -> tuple[int, Any]:
        comment_id = self._new_id()
        comment = {
            "id": comment_id,
            "body": body["body"],
            "user": BOT,
            "html_url": (
                f"https://github.com/{self.repository}/pull/{number}"
                f"#issuecomment-{comment_id}"
            ),
        }
        self.comments.setdefault(int(number), []).append(comment)
        return 201, comment

    def _update_comment(self, comment_id: str, body: Any, **_: Any) -> tuple[int, Any]:
        for comments in self.comments.values():
            for comment in comments:
                if comment["id"] == int(comment_id):
                    comment["body"] = body["body"]
                    return 200, comment
        raise ApiError(404, "Not Found")
