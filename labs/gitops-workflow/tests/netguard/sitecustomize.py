"""Bloquea la red en los subprocesos de las pruebas (salvo 127.0.0.1 y ::1).

Python importa ``sitecustomize`` al arrancar si está en el ``PYTHONPATH``: las
pruebas que ejecutan un script en otro proceso ponen esta carpeta ahí, y
cualquier intento de salir de la máquina falla con un error claro en lugar de
llegar a Azure: las conexiones (TCP y UDP), los envíos UDP (``sendto``) y las
búsquedas de DNS (``getaddrinfo``, ``gethostbyname``) de un nombre que no sea
de esta misma máquina. Una búsqueda de DNS ya es tráfico: manda el nombre del
servidor al resolvedor de la red.

Además, cuando ``python scripts/run_checks.py`` corre las pruebas (variable
``RUN_CHECKS_TRACE``), anota qué archivos carga cada uno de esos procesos y
qué carpetas lista cada prueba (en ese proceso y en el de pytest), y para qué
prueba: así sabe qué pruebas repetir cuando cambia un script o aparece un
archivo en una carpeta que una prueba recorre.
"""

from __future__ import annotations

import atexit
import ipaddress
import os
import socket
import sys
import time
from typing import Any

# Los nombres de esta máquina: el suyo propio se resuelve con /etc/hosts.
_LOOPBACK_NAMES = {
    "localhost",
    "localhost.localdomain",
    "ip6-localhost",
    socket.gethostname().lower(),
}
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_sendto = socket.socket.sendto
_real_getaddrinfo = socket.getaddrinfo
_real_gethostbyname = socket.gethostbyname
_real_gethostbyname_ex = socket.gethostbyname_ex


def _is_local(host: Any) -> bool:
    """True si ``host`` es esta máquina (o ninguna: escuchar en todas)."""
    if host is None or host in ("", b""):
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    name = str(host).rstrip(".").lower()
    if name in _LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def _check(address: Any) -> None:
    if isinstance(address, tuple) and address and not _is_local(address[0]):
        raise ConnectionRefusedError(f"red bloqueada en pruebas: {address}")


def _is_address(host: Any) -> bool:
    """True si ``host`` ya es una dirección IP: resolverla no consulta el DNS."""
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    try:
        ipaddress.ip_address(str(host).split("%", 1)[0])
    except ValueError:
        return False
    return True


def _check_name(host: Any) -> None:
    if not _is_local(host) and not _is_address(host):
        raise socket.gaierror(
            socket.EAI_NONAME, f"DNS bloqueado en pruebas: {host!r} no es 127.0.0.1"
        )


def _connect(self: socket.socket, address: Any) -> None:
    _check(address)
    _real_connect(self, address)


def _connect_ex(self: socket.socket, address: Any) -> int:
    _check(address)
    return _real_connect_ex(self, address)


def _sendto(self: socket.socket, data: Any, *args: Any) -> int:
    _check(args[-1] if args else None)
    return _real_sendto(self, data, *args)


def _getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    _check_name(host)
    return _real_getaddrinfo(host, *args, **kwargs)


def _gethostbyname(host: str) -> str:
    _check_name(host)
    return _real_gethostbyname(host)


def _gethostbyname_ex(host: str) -> Any:
    _check_name(host)
    return _real_gethostbyname_ex(host)


setattr(socket.socket, "connect", _connect)
setattr(socket.socket, "connect_ex", _connect_ex)
setattr(socket.socket, "sendto", _sendto)
setattr(socket, "getaddrinfo", _getaddrinfo)
setattr(socket, "gethostbyname", _gethostbyname)
setattr(socket, "gethostbyname_ex", _gethostbyname_ex)


def _trace(folder: str, test: str) -> None:
    """Anota el script y los módulos cargados (al empezar y al terminar).

    Una línea «prueba<TAB>archivo» por cada uno, como :func:`_trace_listings`.
    """
    record = os.path.join(folder, f"{os.getpid()}-{time.time_ns()}.txt")
    script = os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] else ""

    def write() -> None:
        loaded = [
            getattr(module, "__file__", None) for module in list(sys.modules.values())
        ]
        names = [script, *(name for name in loaded if isinstance(name, str))]
        try:
            with open(record, "w", encoding="utf-8") as output:
                output.write("".join(f"{test}\t{name}\n" for name in names))
        except OSError:
            pass

    write()  # ya al empezar: una señal puede terminar el proceso sin atexit
    atexit.register(write)


# Listar una carpeta (glob, pathlib, os.walk): los eventos de auditoría de Python.
_LISTINGS = ("os.listdir", "os.scandir")
# Quien lista sin leer el laboratorio: importar y buscar paquetes instalados
# (importlib, importlib_metadata, pkg_resources) y copiar (shutil).
_NOT_READING = (
    "<frozen importlib",
    f"{os.sep}importlib{os.sep}",
    f"{os.sep}importlib_metadata{os.sep}",
    f"{os.sep}pkg_resources{os.sep}",
    f"{os.sep}shutil.py",
)


def _trace_listings(folder: str) -> None:
    """Anota qué carpetas lista cada prueba (una línea «prueba<TAB>carpeta»)."""
    record = os.path.join(folder, f"{os.getpid()}-{time.time_ns()}.dirs")
    seen: set[tuple[str, str]] = set()

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event not in _LISTINGS:
            return
        try:
            test = os.environ.get("PYTEST_CURRENT_TEST", "").split("::", 1)[0]
            path = args[0] if args else None
            if not test or isinstance(path, int):
                return
            listed = os.path.abspath(os.fsdecode(os.fspath(path or ".")))
            if (test, listed) in seen or "\n" in listed or "\t" in listed:
                return
            frame: Any = sys._getframe(1)  # pylint: disable=protected-access
            while frame is not None:
                if any(part in frame.f_code.co_filename for part in _NOT_READING):
                    return
                frame = frame.f_back
            seen.add((test, listed))
            with open(record, "a", encoding="utf-8") as output:
                output.write(f"{test}\t{listed}\n")
        except Exception:  # pylint: disable=broad-exception-caught
            return  # anotar nunca hace fallar lo que la prueba hacía

    sys.addaudithook(hook)


if os.environ.get("RUN_CHECKS_TRACE"):
    _trace_listings(os.environ["RUN_CHECKS_TRACE"])
if os.environ.get("RUN_CHECKS_TRACE") and os.environ.get("PYTEST_CURRENT_TEST"):
    _trace(
        os.environ["RUN_CHECKS_TRACE"],
        os.environ["PYTEST_CURRENT_TEST"].split("::", 1)[0],
    )
