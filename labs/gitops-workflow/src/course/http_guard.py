"""Las protecciones del cliente de GitHub: a dónde va el token y cuánto se lee.

``course.github_api`` las usa en cada petición:

- ``secure_api_url``: la URL base va por https (http solo a 127.0.0.1, el de
  las pruebas), para que el token no viaje sin cifrar;
- ``GuardedRedirects``: una redirección a otro host se sigue sin la cabecera
  ``Authorization`` (el token se queda en el host de la API) y una de https a
  http no se sigue;
- ``read_bounded``: lee un cuerpo por trozos y se detiene al pasar
  ``MAX_BODY_BYTES``, sin guardar en memoria más que eso;
- ``next_page_url`` y ``same_origin``: la página siguiente de una lista (la
  cabecera ``Link``), que debe estar en el mismo host;
- ``ResponseCache``: la caché de respuestas con su ``ETag``, un archivo por URL
  (solo lo lee quien la creó: permisos 0700/0600).

Solo usa la biblioteca estándar.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import urllib.request
from http.client import HTTPMessage
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

# Un cuerpo de más de 5 MB no es una respuesta que el laboratorio espere: una
# página de 100 ejecuciones de GitHub Actions ocupa alrededor de 1 MB.
MAX_BODY_BYTES = 5 * 1024 * 1024
CHUNK_BYTES = 64 * 1024
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
_NEXT_LINK = re.compile(r'<([^<>\s]{1,2000})>\s*;\s*rel="?next"?')


class BodyTooLarge(Exception):
    """La respuesta pasa de ``MAX_BODY_BYTES``: no se terminó de leer."""


class InsecureRedirect(Exception):
    """Una redirección que bajaría de https a http."""


def secure_api_url(url: str) -> tuple[str, str]:
    """(problema, URL sin la barra final): problema vacío si la URL sirve."""
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return "", url
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS:
        return "", url
    return (
        f"la URL de la API de GitHub ({url or 'vacía'}) no es https: el token no "
        "puede viajar sin cifrar. Usa https://api.github.com (o la https de tu "
        "GitHub Enterprise).",
        url,
    )


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


def same_origin(url: str, base_url: str) -> bool:
    """Si ``url`` está en el mismo esquema, host y puerto que ``base_url``."""
    return _origin(url) == _origin(base_url)


class GuardedRedirects(urllib.request.HTTPRedirectHandler):
    """Sigue redirecciones sin llevar el token fuera del host de la API.

    urllib copia todas las cabeceras a la petición redirigida, también
    ``Authorization``: aquí se quita si el destino no es la API. Una
    redirección de https a http se rechaza (``InsecureRedirect``).
    """

    def __init__(self, api_base: str) -> None:
        super().__init__()
        self.api_base = api_base

    def redirect_request(  # pylint: disable=too-many-arguments
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        if urlsplit(req.full_url).scheme == "https" and urlsplit(newurl).scheme != (
            "https"
        ):
            raise InsecureRedirect(
                "GitHub redirigió una petición de https a http: no se siguió "
                f"({urlsplit(newurl).hostname})"
            )
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and not same_origin(new.full_url, self.api_base):
            new.remove_header("Authorization")
        return new


def read_bounded(answer: IO[bytes], limit: int = MAX_BODY_BYTES) -> bytes:
    """El cuerpo de ``answer``, leído por trozos; ``BodyTooLarge`` si pasa ``limit``."""
    headers = getattr(answer, "headers", None)
    length = headers.get("Content-Length", "") if headers is not None else ""
    if length.isdigit() and int(length) > limit:
        raise BodyTooLarge(_too_large(int(length), limit))
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = answer.read(CHUNK_BYTES)
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > limit:
            raise BodyTooLarge(_too_large(total, limit))
        chunks.append(chunk)


def _too_large(size: int, limit: int) -> str:
    return (
        f"la respuesta de GitHub pasa de {limit // (1024 * 1024)} MB "
        f"({size // (1024 * 1024)} MB o más): no se leyó"
    )


def next_page_url(link: str) -> str:
    """La URL con ``rel="next"`` de una cabecera ``Link`` de GitHub, o ""."""
    for part in link[:8000].split(","):
        match = _NEXT_LINK.search(part)
        if match:
            return match.group(1)
    return ""


class ResponseCache:
    """Respuestas guardadas con su ``ETag``: un archivo JSON por URL.

    ``key`` separa lo que se pidió con token de lo que se pidió sin él. Nunca
    guarda el token; la carpeta solo la puede leer su dueño.
    """

    def __init__(self, folder: Path | None, key: str) -> None:
        self.folder = folder
        self.key = key

    def _path(self, url: str) -> Path | None:
        if self.folder is None:
            return None
        digest = hashlib.sha256(f"{self.key} {url}".encode()).hexdigest()
        return self.folder / f"{digest}.json"

    def read(self, url: str) -> dict[str, Any] | None:
        """La respuesta guardada de ``url`` (con ``etag``), o None."""
        path = self._path(url)
        if path is None:
            return None
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return None
        return entry if isinstance(entry, dict) and "etag" in entry else None

    def write(  # pylint: disable=too-many-arguments
        self, url: str, etag: str, status: int, data: Any, next_url: str
    ) -> None:
        """Guarda la respuesta de ``url`` si trae ``ETag`` (entera o nada)."""
        path = self._path(url)
        if path is None or not etag:
            return
        entry = {"etag": etag, "status": status, "data": data, "next_url": next_url}
        # Sin caché, la pasada siguiente solo cuesta más: un fallo aquí no para nada.
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        except OSError:
            return
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as temporary:
                json.dump(entry, temporary)
            os.replace(name, path)
        except OSError:
            Path(name).unlink(missing_ok=True)
