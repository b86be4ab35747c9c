"""Pruebas de las utilidades de las pruebas (tests/helpers.py)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from tests.helpers import background_server, free_port

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
