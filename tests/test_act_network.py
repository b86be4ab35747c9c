"""act no manda nada fuera de la máquina al averiguar su dirección de salida.

act (Go) calcula al arrancar el valor por defecto de ``--artifact-server-addr``
con ``common.GetOutboundIP()``: abre un socket UDP y lo «conecta» a
8.8.8.8:80 para leer qué dirección local elige el sistema. Lo hace al crear
sus opciones, antes de leerlas, así que ninguna opción ni variable lo evita
(ni siquiera ``act --version``). El bloqueo de red de las pruebas es de
Python y no alcanza a act. Un ``connect`` de UDP no envía ningún paquete:
solo fija el destino por defecto del socket. Esta prueba lo comprueba con
strace: tras conectar, act lee la dirección local (``getsockname``) y cierra
el socket sin enviar nada por él.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ACT = Path(sys.executable).parent / "act"
STRACE = shutil.which("strace")
SENDS = ("sendto", "sendmsg", "sendmmsg", "write", "writev")
CALL = re.compile(r"^(?P<pid>\d+)\s+(?P<name>\w+)\((?P<fd>\d+)?(?P<rest>.*)$")
LOOPBACK = ("127.", "::1")


def traced_act(tmp_path: Path) -> list[str]:
    """Las llamadas de red y escrituras de ``act --version``, con strace."""
    assert STRACE is not None and ACT.exists()
    trace = tmp_path / "act.strace"
    subprocess.run(
        [STRACE, "-f", "-o", str(trace), "-e", "trace=network,write,writev,close"]
        + [str(ACT), "--version"],
        capture_output=True,
        check=True,
        timeout=120,
    )
    return trace.read_text(encoding="utf-8").splitlines()


@pytest.mark.skipif(
    STRACE is None or not ACT.exists(),
    reason="hace falta strace y act (./dev.sh setup) para ver las llamadas de act",
)
def test_act_outbound_ip_probe_sends_no_packet(tmp_path: Path) -> None:
    udp: set[tuple[str, str]] = set()
    probes: dict[tuple[str, str], list[str]] = {}
    closed = 0
    for line in traced_act(tmp_path):
        call = CALL.match(line)
        if not call:
            continue
        pid, name, fd, rest = call["pid"], call["name"], call["fd"], call["rest"]
        if name == "socket" and "SOCK_DGRAM" in rest:
            udp.add((pid, line.rsplit("= ", 1)[-1].strip()))
            continue
        key = (pid, fd or "")
        if name == "connect" and key in udp:
            address = re.search(r'inet_addr\("([^"]+)"\)', rest)
            if address and not address[1].startswith(LOOPBACK):
                probes[key] = [address[1]]
        elif key in probes and name in SENDS:
            probes[key].append(name)
        elif name == "close" and key in probes:
            udp.discard(key)
            # Conectó a 8.8.8.8 y cerró sin enviar nada por ese socket.
            assert probes.pop(key) == ["8.8.8.8"], line
            closed += 1
    assert not probes
    assert closed >= 1, "act ya no sondea 8.8.8.8: revisa esta prueba"
