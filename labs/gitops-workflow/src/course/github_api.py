"""Un cliente pequeño de la API REST de GitHub, solo con la biblioteca estándar.

Lo usan ``scripts/check_progress.py`` (tu progreso) y el informe del
profesor (el de toda la clase). Hace lo que la API de GitHub pide a quien la
consulta mucho:

- el token sale de ``GITHUB_TOKEN`` o de ``gh auth token``; sin él, los
  repositorios públicos también se pueden leer (con un límite más bajo);
- la URL base sale de ``GITHUB_API_URL`` (la que ponen GitHub Actions y GitHub
  Enterprise), o es ``https://api.github.com``;
- peticiones condicionales: guarda cada respuesta con su ``ETag`` en una
  carpeta de caché y la vez siguiente manda ``If-None-Match``; si nada cambió,
  GitHub responde ``304`` y esa respuesta no cuenta para el límite;
- ante ``403``/``429`` con ``X-RateLimit-Remaining: 0`` o ``Retry-After``
  espera hasta la hora que indica GitHub (y avisa hasta cuándo); ante un
  ``5xx`` o un tiempo agotado, reintenta con esperas crecientes.

El token nunca se escribe: ni en la caché, ni en los mensajes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.message import Message
from pathlib import Path
from typing import Any

DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"
USER_AGENT = "gitops-lab-progreso"
# Esperas entre reintentos ante un 5xx o un tiempo agotado (segundos).
BACKOFF_SECONDS = (1.0, 2.0, 4.0, 8.0)
# Nunca se espera más que esto a que se renueve el límite de la API.
MAX_RATE_LIMIT_WAIT = 3600.0


class GitHubUnavailable(Exception):
    """No se pudo hablar con la API de GitHub; el mensaje (en español) dice por qué."""


@dataclass
class Response:
    """Una respuesta ya leída: código, JSON y si vino de la caché (304)."""

    status: int
    data: Any
    cached: bool = False


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


class GitHubClient:  # pylint: disable=too-many-instance-attributes
    """Peticiones GET a la API de GitHub con caché de ETag, reintentos y esperas."""

    def __init__(  # pylint: disable=too-many-arguments
        self,
        token: str | None = None,
        base_url: str | None = None,
        cache_dir: Path | None = None,
        timeout: float = 20.0,
        backoff: tuple[float, ...] = BACKOFF_SECONDS,
        on_wait: Callable[[float, str], None] = announce_wait,
    ) -> None:
        self._token = token
        self.base_url = (base_url or api_url()).rstrip("/")
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self.timeout = timeout
        self.backoff = backoff
        self.on_wait = on_wait
        self.stats = CallStats()
        self.sleep: Callable[[float], None] = time.sleep

    @property
    def authenticated(self) -> bool:
        """Si las peticiones llevan token."""
        return bool(self._token)

    def redact(self, text: str) -> str:
        """``text`` sin el token (por si un servidor lo repitiera en un error)."""
        return text.replace(self._token, "***") if self._token else text

    # -- caché --------------------------------------------------------------

    def _cache_path(self, url: str) -> Path | None:
        if self.cache_dir is None:
            return None
        key = f"{'token' if self._token else 'anonimo'} {url}"
        return self.cache_dir / (hashlib.sha256(key.encode()).hexdigest() + ".json")

    def _cached(self, url: str) -> dict[str, Any] | None:
        path = self._cache_path(url)
        if path is None:
            return None
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return entry if isinstance(entry, dict) and "etag" in entry else None

    def _store(self, url: str, etag: str, status: int, data: Any) -> None:
        path = self._cache_path(url)
        if path is None or not etag:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as temporary:
            json.dump({"etag": etag, "status": status, "data": data}, temporary)
        os.replace(name, path)

    # -- peticiones ---------------------------------------------------------

    def url_for(self, path: str, params: Mapping[str, str] | None = None) -> str:
        """La URL completa de ``path`` con sus parámetros."""
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        return f"{self.base_url}{path}{query}"

    def get(self, path: str, params: Mapping[str, str] | None = None) -> Response:
        """GET ``path``; devuelve también 404, 409 y 403 sin límite (no son fallos).

        Lanza ``GitHubUnavailable`` si GitHub no responde tras los reintentos o
        si rechaza el token (401).
        """
        url = self.url_for(path, params)
        cached = self._cached(url)
        attempt = 0
        while True:
            self.stats.add("requests")
            try:
                return self._request(url, cached)
            except _Retry as retry:
                if retry.wait_until is not None:
                    self._wait_for_limit(retry.wait_until, retry.reason)
                    continue
                if attempt >= len(self.backoff):
                    raise GitHubUnavailable(
                        f"GitHub no respondió bien ({retry.reason}) tras "
                        f"{attempt + 1} intentos"
                    ) from None
                self.stats.add("retries")
                self.sleep(self.backoff[attempt])
                attempt += 1

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

    def _request(self, url: str, cached: dict[str, Any] | None) -> Response:
        request = urllib.request.Request(url, headers=self._headers(cached))
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                body = answer.read()
                etag = answer.headers.get("ETag", "")
                status = int(answer.status)
        except urllib.error.HTTPError as error:
            return self._error_response(error, url, cached)
        except (TimeoutError, socket.timeout):
            raise _Retry("tiempo de espera agotado") from None
        except (urllib.error.URLError, ConnectionError, OSError) as error:
            reason = getattr(error, "reason", error)
            if isinstance(reason, (TimeoutError, socket.timeout)):
                raise _Retry("tiempo de espera agotado") from None
            # Sin red (o sin DNS) no sirve reintentar: se dice ya.
            raise GitHubUnavailable(
                f"sin conexión con {self.base_url}: {self.redact(str(reason))}"
            ) from None
        data = _json(body)
        self._store(url, etag, status, data)
        return Response(status, data)

    def _error_response(
        self, error: urllib.error.HTTPError, url: str, cached: dict[str, Any] | None
    ) -> Response:
        status = error.code
        headers = error.headers
        body = _json(error.read())
        if status == 304 and cached is not None:
            self.stats.add("not_modified")
            return Response(int(cached.get("status", 200)), cached["data"], True)
        if status == 401:
            raise GitHubUnavailable(
                "GitHub rechazó el token (401). Crea otro con gh auth login o "
                "revisa GITHUB_TOKEN"
            )
        wait_until = rate_limit_until(status, headers)
        if wait_until is not None:
            raise _Retry("límite de peticiones de la API de GitHub", wait_until)
        if status >= 500:
            raise _Retry(f"error {status} de GitHub")
        if status in (403, 404, 409, 410, 451):
            etag = headers.get("ETag", "") if headers else ""
            self._store(url, etag, status, body)
            return Response(status, body)
        raise GitHubUnavailable(f"GitHub respondió {status} a {url}")


class _Retry(Exception):
    def __init__(self, reason: str, wait_until: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.wait_until = wait_until


def rate_limit_until(status: int, headers: Message | None) -> float | None:
    """Hasta cuándo esperar (hora epoch) si ``status`` es un límite de la API.

    GitHub lo indica con ``Retry-After`` (segundos) o con
    ``X-RateLimit-Remaining: 0`` y ``X-RateLimit-Reset`` (hora epoch).
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
    return None


def _json(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None
