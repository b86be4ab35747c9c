"""Pruebas de las utilidades de las pruebas (tests/helpers.py)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import background_server, free_port, script_env

# Un «servidor» que, como mlflow server, deja un hijo trabajando (su
# huey_consumer): escribe el PID del hijo y responde en el puerto dado.
SERVER_WITH_A_CHILD = """
import http.server, pathlib, subprocess, sys
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
pathlib.Path(sys.argv[2]).write_text(str(child.pid), encoding="ascii")
http.server.test(
    http.server.SimpleHTTPRequestHandler, port=int(sys.argv[1]), bind="127.0.0.1"
)
"""


def alive(pid: int) -> bool:
    """Si el proceso ``pid`` sigue vivo (un zombi ya terminó)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except FileNotFoundError:
        return False
    return state.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(sys.platform != "linux", reason="lee /proc, solo en Linux")
def test_a_stopped_server_leaves_no_child_running(tmp_path: Path) -> None:
    port = free_port()
    pid_file = tmp_path / "child.pid"
    command = [sys.executable, "-c", SERVER_WITH_A_CHILD, str(port), str(pid_file)]
    with background_server(command, tmp_path, f"http://127.0.0.1:{port}/"):
        child = int(pid_file.read_text(encoding="ascii"))
        assert alive(child)
    deadline = time.monotonic() + 30
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(child)


# Lo que intenta cada línea, en un proceso con el bloqueo de red de
# tests/netguard (como los scripts que ejecutan las pruebas).
NETWORK_ATTEMPTS = """
import json, socket
results = {}
def attempt(name, action):
    try:
        action()
        results[name] = "permitido"
    except OSError as error:
        results[name] = str(error)
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
attempt("getaddrinfo", lambda: socket.getaddrinfo("login.microsoftonline.com", 443))
attempt("gethostbyname", lambda: socket.gethostbyname("management.azure.com"))
attempt("gethostbyname_ex", lambda: socket.gethostbyname_ex("github.com"))
attempt("udp_sendto", lambda: udp.sendto(b"x", ("8.8.8.8", 53)))
attempt("udp_connect", lambda: udp.connect(("8.8.8.8", 80)))
attempt("tcp_connect", lambda: socket.create_connection(("10.0.0.1", 443), 1))
attempt("localhost", lambda: socket.getaddrinfo("localhost", 80))
attempt("loopback_udp", lambda: udp.sendto(b"x", ("127.0.0.1", 9)))
attempt("any_address", lambda: socket.getaddrinfo(None, 0))
print(json.dumps(results))
"""


def test_network_guard_blocks_dns_and_udp_off_loopback() -> None:
    result = subprocess.run(
        [sys.executable, "-c", NETWORK_ATTEMPTS],
        env=script_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    results = json.loads(result.stdout)
    for name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex"):
        assert "DNS bloqueado en pruebas" in results[name], results
    for name in ("udp_sendto", "udp_connect", "tcp_connect"):
        assert "red bloqueada en pruebas" in results[name], results
    for name in ("localhost", "loopback_udp", "any_address"):
        assert results[name] == "permitido", results


def test_network_guard_is_active_in_the_test_process() -> None:
    with pytest.raises(socket.gaierror, match="DNS bloqueado en pruebas"):
        socket.getaddrinfo("example.com", 443)
