"""Starts the emulator: ``python -m tests.azure_emulator <workdir>``.

Writes ``<workdir>/ready.json`` (proxy URL, CA file, admin URL, start time)
when it answers, then serves until it is stopped (SIGTERM to its group).
"""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

from werkzeug.serving import make_server

from .app import AzureEmulator
from .network import Network


def main() -> None:
    started = time.perf_counter()
    workdir = Path(sys.argv[1]).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    emulator = AzureEmulator(workdir)
    network = Network(emulator, workdir)
    admin = make_server("127.0.0.1", 0, emulator.admin, threaded=True)
    threading.Thread(target=admin.serve_forever, daemon=True).start()
    ready = {
        "proxy_url": network.proxy_url,
        "ca_path": str(network.ca_path),
        "admin_url": f"http://127.0.0.1:{admin.server_port}",
        "start_seconds": round(time.perf_counter() - started, 3),
    }
    temporary = workdir / "ready.json.tmp"
    temporary.write_text(json.dumps(ready), encoding="utf-8")
    temporary.replace(workdir / "ready.json")
    threading.Event().wait()


if __name__ == "__main__":
    main()
