"""Fixtures comunes de las pruebas del laboratorio.

Las pruebas no usan la red: ``_only_loopback`` hace fallar cualquier conexión
que no sea a 127.0.0.1 (o ::1), también las que intente una biblioteca.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

LOOPBACK_HOSTS = {"127.0.0.1", "::1", "localhost"}


class NetworkBlockedError(AssertionError):
    """Una prueba intentó conectarse fuera de 127.0.0.1."""


def _check_address(address: Any) -> None:
    if isinstance(address, tuple) and address and address[0] not in LOOPBACK_HOSTS:
        raise NetworkBlockedError(f"conexión de red bloqueada en pruebas: {address}")


@pytest.fixture(autouse=True)
def _only_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guarded_connect(self: socket.socket, address: Any) -> None:
        _check_address(address)
        real_connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: Any) -> int:
        _check_address(address)
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)


@pytest.fixture(scope="session")
def trained_model(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Carpeta con model.pkl y model_metadata.json entrenados por defecto."""
    from scripts.train_model import main

    output_dir = tmp_path_factory.mktemp("artifacts")
    assert main(["--output-dir", str(output_dir)]) == 0
    yield output_dir
