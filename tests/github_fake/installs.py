"""Lo que instala cada trabajo bajo act, como en una máquina nueva de GitHub.

En GitHub cada trabajo empieza en una máquina nueva: el Python de
``actions/setup-python`` no trae más que pip, y lo que el trabajo no instala,
no lo tiene. act corre todos los trabajos en este equipo, con el mismo Python
de su caché de herramientas. Aquí:

- :func:`prepare_fresh_python` deja en esa caché un Python que, en cada
  trabajo, es una copia nueva (enlaces duros) de un intérprete con solo pip:
  un trabajo que no instala numpy no lo tiene, aunque otro lo haya instalado
  antes. Cada trabajo tiene también su propia caché de pip (en GitHub, la de
  una máquina nueva está vacía; ``setup-python`` con ``cache: pip`` la trae de
  la caché de GitHub por el hash del lock).
- :class:`WheelIndex` es PyPI en 127.0.0.1: sirve los wheels de una carpeta
  (la llena ``./dev.sh setup``) como un índice simple (PEP 503), por HTTPS
  (pip solo guarda en su caché lo que baja por HTTPS) con una CA de prueba y
  las cabeceras de caché de PyPI, para que pip descargue, guarde en su caché y
  compruebe los hashes como en GitHub.
- :func:`job_installs` lee del registro de act qué instaló cada trabajo: los
  locks, los paquetes y los MB de wheels, descargados o sacados de la caché.
"""

from __future__ import annotations

import os
import re
import shutil
import ssl
import subprocess
import threading
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import trustme

# Lo que dice PyPI de un wheel (no cambia nunca) y de un índice (10 minutos).
FILE_CACHE = "max-age=365000000, immutable, public"
INDEX_CACHE = "max-age=600, public"
WHEEL = re.compile(r"([A-Za-z0-9_.+-]+\.whl)")
JOB = re.compile(r"^\[([^\]]+)\]")
# pip nombra el lock de cada paquete: «Collecting black==25.11.0 (from -r
# requirements-lint.lock (line 3))», o «Requirement already satisfied: …».
FROM_LOCK = re.compile(r"\(from -r ([\w./-]+\.lock) \(line \d+\)\)")


def normalized(name: str) -> str:
    """El nombre de un proyecto como lo escribe el índice (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


class WheelIndex:
    """Un índice simple de paquetes en 127.0.0.1 con los wheels de ``folder``.

    Por HTTPS, con un certificado para 127.0.0.1 de una CA de prueba que se
    escribe en ``certificates/ca.pem`` (pip la usa con ``cert =``).
    """

    def __init__(self, folder: Path, certificates: Path) -> None:
        self.folder = folder
        self.sizes = {path.name: path.stat().st_size for path in folder.glob("*.whl")}
        self.served: list[tuple[str, int]] = []
        projects: dict[str, list[str]] = {}
        for name in sorted(self.sizes):
            projects.setdefault(normalized(name.split("-", 1)[0]), []).append(name)
        index = self

        class Handler(SimpleHTTPRequestHandler):
            """/simple/<proyecto>/ con sus wheels, y cada wheel."""

            def do_GET(self) -> None:  # noqa: N802 (nombre de http.server)
                parts = [part for part in self.path.split("?")[0].split("/") if part]
                if parts[:1] == ["simple"] and len(parts) == 2:
                    files = projects.get(normalized(parts[1]))
                    if files is None:
                        self.send_error(404)
                        return
                    links = "".join(f'<a href="{name}">{name}</a>\n' for name in files)
                    self._send(
                        f"<html><body>\n{links}</body></html>\n".encode(),
                        "text/html",
                        INDEX_CACHE,
                    )
                elif (
                    parts[:1] == ["simple"]
                    and len(parts) == 3
                    and parts[2] in index.sizes
                ):
                    data = (index.folder / parts[2]).read_bytes()
                    index.served.append((parts[2], len(data)))
                    self._send(data, "application/octet-stream", FILE_CACHE)
                else:
                    self.send_error(404)

            def _send(self, data: bytes, kind: str, cache: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Cache-Control", cache)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                """Sin una línea por petición en la salida de las pruebas."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        authority = trustme.CA(organization_name="PyPI de las pruebas (solo pruebas)")
        certificates.mkdir(parents=True, exist_ok=True)
        self.ca_path = certificates / "ca.pem"
        authority.cert_pem.write_to_path(str(self.ca_path))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        authority.issue_cert("127.0.0.1").configure_cert(context)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        """La URL del índice simple, para ``index-url`` de pip."""
        return f"https://127.0.0.1:{self.server.server_address[1]}/simple/"

    def close(self) -> None:
        """Detiene el servidor."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=30)


# --------------------------------------------------------------------------
# Un Python nuevo en cada trabajo
# --------------------------------------------------------------------------

WRAPPER = """#!/bin/sh
# act corre todos los trabajos en este equipo: aquí cada trabajo recibe su
# propio Python, una copia nueva de {template} (con solo pip), y su propia
# caché de pip, como una máquina nueva de GitHub.
job="${{RUNNER_TEMP:?}}/../python-{version}"
if [ ! -x "$job/bin/python{version}" ]; then
  cp -al "{template}" "$job.$$" && mv "$job.$$" "$job" || rm -rf "$job.$$"
fi
export PIP_CACHE_DIR="${{PIP_CACHE_DIR:-${{RUNNER_TEMP}}/../pip-cache}}"
exec "$job/bin/python{version}" {extra}"$@"
"""


def prepare_fresh_python(folder: Path, version: str, interpreter_home: Path) -> None:
    """Deja en ``folder`` (el ``x64`` de la caché de act) un Python nuevo por trabajo.

    ``interpreter_home`` es un intérprete completo (``bin/python3.X`` y su
    ``lib/``): se copia una vez, sin sus paquetes (``site-packages``) pero con
    pip, a ``<folder>-template``; cada trabajo hace su copia con enlaces duros.
    """
    short = ".".join(version.split(".")[:2])
    template = folder.with_name(folder.name + "-template")
    if not (template / "bin" / f"python{short}").exists():
        _copy_interpreter(interpreter_home, template, short)
    bin_dir = folder / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    for name, extra in (("python", ""), ("pip", "-m pip ")):
        script = WRAPPER.format(template=template, version=short, extra=extra)
        path = bin_dir / name
        path.write_text(script, encoding="utf-8")
        path.chmod(0o755)
    for alias, target in (
        ("python3", "python"),
        (f"python{short}", "python"),
        ("pip3", "pip"),
    ):
        link = bin_dir / alias
        if not link.exists():
            link.symlink_to(target)


def _copy_interpreter(home: Path, template: Path, short: str) -> None:
    """Copia el intérprete de ``home`` a ``template`` con solo pip instalado."""
    partial = template.with_name(template.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    (partial / "bin").mkdir(parents=True)
    real = (home / "bin" / f"python{short}").resolve()
    shutil.copy2(real, partial / "bin" / f"python{short}")
    stdlib = next(
        path for path in (home / "lib").iterdir() if path.name == f"python{short}"
    )
    ignore = shutil.ignore_patterns("site-packages", "__pycache__", "test")
    shutil.copytree(
        stdlib, partial / "lib" / f"python{short}", ignore=ignore, symlinks=True
    )
    for library in (home / "lib").glob("libpython*"):
        shutil.copy2(library, partial / "lib" / library.name)
    site = partial / "lib" / f"python{short}" / "site-packages"
    site.mkdir()
    for item in (stdlib / "site-packages").glob("pip*"):
        if item.is_dir():
            shutil.copytree(item, site / item.name, symlinks=True)
    python = partial / "bin" / f"python{short}"
    if not any(site.glob("pip")):
        subprocess.run(
            [str(python), "-m", "ensurepip"],
            check=True,
            capture_output=True,
            timeout=300,
        )
    subprocess.run([str(python), "-c", "import pip"], check=True, timeout=120)
    os.replace(partial, template)


# --------------------------------------------------------------------------
# Qué instaló cada trabajo
# --------------------------------------------------------------------------


@dataclass
class JobInstalls:
    """Lo que instaló un trabajo: locks, paquetes y bytes de wheels."""

    job: str
    locks: list[str] = field(default_factory=list)
    packages: int = 0
    downloaded: int = 0
    from_cache: int = 0
    wheels: list[str] = field(default_factory=list)

    @property
    def wheel_bytes(self) -> int:
        """Los bytes de todos los wheels que usó (descargados o de la caché)."""
        return self.downloaded + self.from_cache


def job_installs(log: str, sizes: dict[str, int]) -> dict[str, JobInstalls]:
    """Por trabajo (``CI/Pruebas``…), lo que instaló según el registro de act.

    ``sizes`` da el tamaño de cada wheel por nombre de archivo
    (:attr:`WheelIndex.sizes`). Solo los trabajos que ejecutaron un
    ``pip install``.
    """
    found: dict[str, JobInstalls] = {}
    for line in re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", log).splitlines():
        match = JOB.match(line)
        if not match:
            continue
        job = match.group(1).strip()
        text = line[match.end() :]
        lock = FROM_LOCK.search(text)
        if lock:
            record = found.setdefault(job, JobInstalls(job))
            # Solo el nombre: el Modelo lee el de la rama base (…/puerta/…).
            name = lock.group(1).rsplit("/", 1)[-1]
            if name not in record.locks:
                record.locks.append(name)
        if job not in found:
            continue
        record = found[job]
        wheel = WHEEL.search(text)
        if wheel and ("Downloading " in text or "Using cached " in text):
            name = wheel.group(1).rsplit("/", 1)[-1]
            record.wheels.append(name)
            if "Downloading " in text:
                record.downloaded += sizes.get(name, 0)
            else:
                record.from_cache += sizes.get(name, 0)
        elif "Successfully installed " in text:
            record.packages += len(text.split("Successfully installed ", 1)[1].split())
    return found
