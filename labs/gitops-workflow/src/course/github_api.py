"""Un cliente pequeño de la API REST de GitHub, solo con la biblioteca estándar.

Lo usan ``scripts/check_progress.py`` (tu progreso, también en el flujo
«Progreso») y el informe del profesor (toda la clase). Hace lo que la API de
GitHub pide a quien la consulta mucho, sin poner en riesgo el token:

- el token sale de ``GITHUB_TOKEN``, ``GH_TOKEN`` o ``gh auth token``; sin
  él, los repositorios públicos también se pueden leer (con un límite más bajo);
- la URL base sale de ``GITHUB_API_URL`` (la que ponen GitHub Actions y GitHub
  Enterprise), o es ``https://api.github.com``;
- el token solo viaja por https (o a 127.0.0.1, el de las pruebas) y solo al
  host de la API: una redirección a otro host se sigue sin el token, y una de
  https a http no se sigue;
- las listas se leen enteras, página a página (la cabecera ``Link`` con
  ``rel="next"``, siempre en el mismo host);
- cada respuesta se lee con un límite de tamaño (``MAX_BODY_BYTES``): una
  respuesta enorme no llena la memoria;
- peticiones condicionales: guarda cada respuesta con su ``ETag`` en una
  carpeta de caché y la vez siguiente manda ``If-None-Match``; si nada cambió,
  GitHub responde ``304`` y esa respuesta no cuenta para el límite;
- ante ``403``/``429`` de límite de peticiones espera hasta la hora que indica
  GitHub (y avisa hasta cuándo); ante un ``5xx`` o un tiempo agotado reintenta
  con esperas crecientes; tras varios fallos de conexión seguidos deja de
  intentar.

El token nunca se escribe: ni en la caché, ni en los mensajes.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from course.http_guard import (
    BodyTooLarge,
    GuardedRedirects,
    InsecureRedirect,
    ResponseCache,
    next_page_url,
    read_bounded,
    same_origin,
    secure_api_url,
)

DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"
USER_AGENT = "gitops-lab-progreso"
# Esperas entre reintentos ante un 5xx o un tiempo agotado (segundos).
BACKOFF_SECONDS = (1.0, 2.0, 4.0, 8.0)
# Nunca se espera más que esto a que se renueve el límite de la API.
MAX_RATE_LIMIT_WAIT = 3600.0
# Un límite secundario sin Retry-After: GitHub pide esperar al menos un minuto.
SECONDARY_LIMIT_WAIT = 60.0
# Páginas de 100 elementos: más de 2000 ejecuciones o pull requests no se leen.
PAGE_SIZE = 100
MAX_PAGES = 20
# Tras tantas peticiones seguidas sin respuesta, GitHub no está: se deja de intentar.
MAX_UNREACHABLE_IN_A_ROW = 8


class GitHubUnavailable(Exception):
    """No se pudo leer la respuesta de GitHub; el mensaje (en español) dice por qué."""


@dataclass
class Response:
    """Una respuesta leída: código, JSON, si vino de la caché y la página siguiente."""

    status: int
    data: Any
    cached: bool = False
    next_url: str = ""


@dataclass
class CallStats:
    """Cuántas peticiones se hicieron y cuántas respondió GitHub con 304."""

    requests: int = 0
    not_modified: int = 0
    retries: int = 0
    rate_limit_waits: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, name: str) -> None:
        """Suma uno al contador ``name`` (seguro entre hilos)."""
        with self.lock:
            setattr(self, name, getattr(self, name) + 1)


def find_token(environ: Mapping[str, str] | None = None) -> str | None:
    """El token de ``GITHUB_TOKEN`` (o ``GH_TOKEN``), o el de ``gh auth token``."""
    environ = os.environ if environ is None else environ
    for name in ("GITHUB_TOKEN", "GH_TOKEN"):
        if environ.get(name, "").strip():
            return environ[name].strip()
    gh = shutil.which("gh")
    if gh is None:
        return None
    try:
        result = subprocess.run(
            [gh, "auth", "token"],
            capture_output=True,
            text=True,
            timeout=15,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    token = result.stdout.strip()
    return token if result.returncode == 0 and token else None


def api_url(environ: Mapping[str, str] | None = None) -> str:
    """La URL base de la API: ``GITHUB_API_URL`` o la de github.com."""
    environ = os.environ if environ is None else environ
    return (environ.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")


def clock_text(epoch: float) -> str:
    """Una hora epoch como texto: «14:05:09 UTC»."""
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%H:%M:%S UTC")


def announce_wait(until: float, reason: str) -> None:
    """Aviso por omisión de una espera por el límite de la API (en stderr)."""
    import sys

    print(
        f"⏳ {reason}: esperando hasta las {clock_text(until)} para seguir…",
        file=sys.stderr,
        flush=True,
    )


class _Retry(Exception):
    def __init__(self, reason: str, wait_until: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.wait_until = wait_until


class GitHubClient:  # pylint: disable=too-many-instance-attributes
    """Peticiones a la API de GitHub con caché de ETag, reintentos y esperas."""

    def __init__(  # pylint: disable=too-many-arguments
        self,
        token: str | None = None,
        base_url: str | None = None,
        cache_dir: Path | None = None,
        timeout: float = 20.0,
        backoff: tuple[float, ...] = BACKOFF_SECONDS,
        on_wait: Callable[[float, str], None] = announce_wait,
    ) -> None:
        problem, self.base_url = secure_api_url(base_url or api_url())
        if problem:
            raise GitHubUnavailable(problem)
        self._token = token
        key = "token" if token else "anonimo"
        self.cache = ResponseCache(Path(cache_dir) if cache_dir else None, key)
        self.timeout = timeout
        self.backoff = backoff
        self.on_wait = on_wait
        self.stats = CallStats()
        self.sleep: Callable[[float], None] = time.sleep
        self._opener = urllib.request.build_opener(GuardedRedirects(self.base_url))
        self._unreachable_in_a_row = 0
        self._last_unreachable = ""

    @property
    def authenticated(self) -> bool:
        """Si las peticiones llevan token."""
        return bool(self._token)

    def redact(self, text: str) -> str:
        """``text`` sin el token (por si un servidor lo repitiera en un error)."""
        return text.replace(self._token, "***") if self._token else text

    def url_for(self, path: str, params: Mapping[str, str] | None = None) -> str:
        """La URL completa de ``path`` con sus parámetros."""
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        return f"{self.base_url}{path}{query}"

    # -- lo que usan los demás ---------------------------------------------

    def get(self, path: str, params: Mapping[str, str] | None = None) -> Response:
        """GET ``path``; devuelve también 403, 404, 409, 410 y 451 (no son fallos).

        Lanza ``GitHubUnavailable`` si GitHub no responde tras los reintentos,
        rechaza el token (401), o la respuesta es enorme o va a otro sitio.
        """
        return self._call("GET", self.url_for(path, params))

    def get_list(
        self, path: str, params: Mapping[str, str] | None = None, key: str = ""
    ) -> Response:
        """Todas las páginas de una lista, unidas (``data`` es la lista).

        ``key`` es la clave de la lista si la respuesta es un objeto
        (``workflow_runs``). Si una página no responde 200, se devuelve esa
        respuesta (con su código), nunca una lista a medias.
        """
        url = self.url_for(path, {"per_page": str(PAGE_SIZE), **(params or {})})
        items: list[dict[str, Any]] = []
        for _ in range(MAX_PAGES):
            answer = self._call("GET", url)
            if answer.status != 200:
                return Response(answer.status, answer.data)
            page = answer.data.get(key) if isinstance(answer.data, dict) else None
            page = page if key else answer.data
            if not isinstance(page, list):
                raise GitHubUnavailable(
                    f"GitHub respondió algo que no es una lista a {path}"
                )
            items.extend(item for item in page if isinstance(item, dict))
            if not answer.next_url:
                return Response(200, items)
            url = answer.next_url
        raise GitHubUnavailable(
            f"la lista {path} tiene más de {MAX_PAGES * PAGE_SIZE} elementos: no se "
            "leyó entera"
        )

    def send(self, method: str, path: str, body: Mapping[str, Any]) -> Response:
        """POST, PUT o PATCH con un cuerpo JSON (sin caché); como ``get``."""
        return self._call(method, self.url_for(path), json.dumps(body).encode())

    # -- el bucle de reintentos ----------------------------------------------

    def _call(self, method: str, url: str, body: bytes | None = None) -> Response:
        cached = self.cache.read(url) if method == "GET" else None
        attempt = 0
        while True:
            if self._unreachable_in_a_row >= MAX_UNREACHABLE_IN_A_ROW:
                raise GitHubUnavailable(
                    f"{self._last_unreachable} (se dejó de intentar tras "
                    f"{MAX_UNREACHABLE_IN_A_ROW} peticiones seguidas sin respuesta)"
                )
            self.stats.add("requests")
            try:
                return self._request(method, url, body, cached)
            except _Retry as retry:
                if retry.wait_until is not None:
                    self._wait_for_limit(retry.wait_until, retry.reason)
                    continue
                if attempt >= len(self.backoff):
                    self._unreachable(f"GitHub no respondió bien ({retry.reason})")
                    raise GitHubUnavailable(
                        f"GitHub no respondió bien ({retry.reason}) tras "
                        f"{attempt + 1} intentos"
                    ) from None
                self.stats.add("retries")
                self.sleep(self.backoff[attempt])
                attempt += 1

    def _unreachable(self, reason: str) -> None:
        self._unreachable_in_a_row += 1
        self._last_unreachable = reason

    def _wait_for_limit(self, until: float, reason: str) -> None:
        seconds = until - time.time()
        if seconds > MAX_RATE_LIMIT_WAIT:
            raise GitHubUnavailable(
                f"{reason}; se renueva a las {clock_text(until)}. Vuelve a "
                "intentarlo entonces (con un token, el límite es más alto)."
            )
        self.stats.add("rate_limit_waits")
        self.on_wait(until, reason)
        self.sleep(max(seconds, 0.0))

    def _headers(self, cached: dict[str, Any] | None) -> dict[str, str]:
        headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": USER_AGENT,
        }
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        if cached:
            headers["If-None-Match"] = str(cached["etag"])
        return headers

    # -- una petición ---------------------------------------------------------

    def _request(
        self, method: str, url: str, body: bytes | None, cached: dict[str, Any] | None
    ) -> Response:
        request = urllib.request.Request(
            url, data=body, method=method, headers=self._headers(cached)
        )
        if body is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with self._opener.open(request, timeout=self.timeout) as answer:
                data = _json(read_bounded(answer))
                status, headers = int(answer.status), answer.headers
        except urllib.error.HTTPError as error:
            self._unreachable_in_a_row = 0
            return self._error_response(error, method, url, cached)
        except InsecureRedirect as error:
            raise GitHubUnavailable(str(error)) from None
        except BodyTooLarge as error:
            raise GitHubUnavailable(f"{error} ({self._shown(url)})") from None
        except (TimeoutError, socket.timeout):
            raise _Retry("tiempo de espera agotado") from None
        except (urllib.error.URLError, ConnectionError, OSError) as error:
            reason = getattr(error, "reason", error)
            if isinstance(reason, (TimeoutError, socket.timeout)):
                raise _Retry("tiempo de espera agotado") from None
            # Sin red (o sin DNS) no sirve reintentar: se dice ya.
            message = f"sin conexión con {self.base_url}: {self.redact(str(reason))}"
            self._unreachable(message)
            raise GitHubUnavailable(message) from None
        self._unreachable_in_a_row = 0
        next_url = self._next_url(headers.get("Link", ""))
        if method == "GET":
            self.cache.write(url, headers.get("ETag", ""), status, data, next_url)
        return Response(status, data, next_url=next_url)

    def _next_url(self, link: str) -> str:
        url = next_page_url(link)
        if url and not same_origin(url, self.base_url):
            raise GitHubUnavailable(
                "GitHub indicó la página siguiente en otro sitio: no se siguió"
            )
        return url

    def _shown(self, url: str) -> str:
        return urllib.parse.urlsplit(url).path

    def _error_response(
        self,
        error: urllib.error.HTTPError,
        method: str,
        url: str,
        cached: dict[str, Any] | None,
    ) -> Response:
        status = error.code
        headers = error.headers
        try:
            body = _json(read_bounded(error))
        except BodyTooLarge:
            body = None
        if status == 304 and cached is not None:
            self.stats.add("not_modified")
            return Response(
                int(cached.get("status", 200)),
                cached["data"],
                True,
                str(cached.get("next_url") or ""),
            )
        if status == 401:
            raise GitHubUnavailable(
                "GitHub rechazó el token (401). Crea otro con gh auth login o "
                "revisa GITHUB_TOKEN"
            )
        wait_until = rate_limit_until(status, headers, body)
        if wait_until is not None:
            raise _Retry("límite de peticiones de la API de GitHub", wait_until)
        if status >= 500:
            raise _Retry(f"error {status} de GitHub")
        if status in (403, 404, 409, 410, 422, 451):
            if method == "GET":
                etag = headers.get("ETag", "") if headers else ""
                self.cache.write(url, etag, status, body, "")
            return Response(status, body)
        raise GitHubUnavailable(f"GitHub respondió {status} a {self._shown(url)}")


def rate_limit_until(status: int, headers: Any, body: Any = None) -> float | None:
    """Hasta cuándo esperar (hora epoch) si ``status`` es un límite de la API.

    GitHub lo indica con ``Retry-After`` (segundos), con
    ``X-RateLimit-Remaining: 0`` y ``X-RateLimit-Reset`` (hora epoch), o con
    un mensaje de «secondary rate limit» (entonces, un minuto).
    """
    if status not in (403, 429) or headers is None:
        return None
    retry_after = headers.get("Retry-After")
    if retry_after and retry_after.strip().isdigit():
        return time.time() + int(retry_after)
    if headers.get("X-RateLimit-Remaining") == "0":
        reset = headers.get("X-RateLimit-Reset", "")
        if reset.strip().isdigit():
            return max(float(reset), time.time())
        return time.time() + 60
    message = str(body.get("message", "")) if isinstance(body, dict) else ""
    if "secondary rate limit" in message.lower():
        return time.time() + SECONDARY_LIMIT_WAIT
    return None


def _json(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None
