"""Bloquea la red en los subprocesos de las pruebas (salvo 127.0.0.1 y ::1).

Python importa ``sitecustomize`` al arrancar si está en el ``PYTHONPATH``: las
pruebas que ejecutan un script en otro proceso ponen esta carpeta ahí, y
cualquier intento de conexión fuera de la máquina falla con un error claro
en lugar de llegar a Azure.
"""

from __future__ import annotations

import socket
from typing import Any

_LOOPBACK = {"127.0.0.1", "::1", "localhost"}
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _check(address: Any) -> None:
    if isinstance(address, tuple) and address and address[0] not in _LOOPBACK:
        raise ConnectionRefusedError(f"red bloqueada en pruebas: {address}")


def _connect(self: socket.socket, address: Any) -> None:
    _check(address)
    _real_connect(self, address)


def _connect_ex(self: socket.socket, address: Any) -> int:
    _check(address)
    return _real_connect_ex(self, address)


setattr(socket.socket, "connect", _connect)
setattr(socket.socket, "connect_ex", _connect_ex)
