"""A loopback emulator of Azure ML that the real clients talk to.

``start(workdir)`` runs it in a child process (its own session, stopped with
its whole process group) and returns an ``Emulator`` with the environment a
script needs to reach it: ``HTTPS_PROXY`` to the emulator's CONNECT proxy on
127.0.0.1, the test CA in ``SSL_CERT_FILE``/``REQUESTS_CA_BUNDLE`` and the
service principal variables that make ``DefaultAzureCredential`` stop at
``EnvironmentCredential``, as in the deploy workflow. Nothing in the clients
or in the lab is replaced.

``start(workdir, subscription="new")`` (or ``Emulator.set_subscription``)
makes it a subscription created today, after Azure's capacity growth
restrictions of July 2026; the default, ``existing``, one from before
(``arm/quota.py``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.lab_copy import netguard_copy

from .app import (
    CLIENT_ID,
    CLIENT_SECRET,
    RESOURCE_GROUP,
    SUBSCRIPTION,
    TENANT,
    WORKSPACE,
)

ROOT = Path(__file__).resolve().parents[2]
START_DEADLINE_SECONDS = 180
# The lab's network guard, copied out of the lab (Python writes __pycache__ there).
NETGUARD = netguard_copy()
# Only the link to ``az`` goes on the children's PATH: the Azure CLI's venv
# (.venv/azure-cli) has a python of its own that must not become the active one.
AZ_BIN = ROOT / ".venv" / "az-bin"
PROXY_VARIABLES = (
    "NO_PROXY",
    "no_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
)


@dataclass
class Emulator:
    """A running emulator: its child process and how to reach it."""

    process: subprocess.Popen[bytes]
    workdir: Path
    ready: dict[str, Any] = field(default_factory=dict)

    @property
    def config(self) -> dict[str, str]:
        """The student's ``config.json`` for the emulated workspace."""
        return {
            "subscription_id": SUBSCRIPTION,
            "resource_group": RESOURCE_GROUP,
            "workspace_name": WORKSPACE,
        }

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """``base`` (default ``os.environ``) plus what the clients need to get here."""
        env = dict(os.environ if base is None else base)
        for name in (
            *PROXY_VARIABLES,
            "AZURE_TOKEN_CREDENTIALS",
            "AZURE_AUTHORITY_HOST",
        ):
            env.pop(name, None)
        env.update(
            {
                "HTTPS_PROXY": self.ready["proxy_url"],
                "https_proxy": self.ready["proxy_url"],
                # Plain http too: azure-identity's managed-identity probe
                # (169.254.169.254) ends at the emulator's proxy, never the network.
                "HTTP_PROXY": self.ready["proxy_url"],
                "http_proxy": self.ready["proxy_url"],
                "SSL_CERT_FILE": self.ready["ca_path"],
                "REQUESTS_CA_BUNDLE": self.ready["ca_path"],
                "AZURE_TENANT_ID": TENANT,
                "AZURE_CLIENT_ID": CLIENT_ID,
                "AZURE_CLIENT_SECRET": CLIENT_SECRET,
                "MLFLOW_DISABLE_TELEMETRY": "true",
            }
        )
        return env

    def cli_env(
        self, config_dir: Path, base: dict[str, str] | None = None
    ) -> dict[str, str]:
        """A student's environment after ``az login``: no service principal variables.

        ``DefaultAzureCredential`` then reaches ``AzureCliCredential``: the real
        Azure CLI (``.venv/az-bin/az``, made by ``./dev.sh setup``) with its own
        configuration folder ``config_dir`` and no telemetry. Its version check
        goes through the proxy to the emulator, like everything else.
        """
        env = self.env(base)
        for name in ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"):
            env.pop(name, None)
        env.update(
            {
                "AZURE_CONFIG_DIR": str(config_dir),
                "AZURE_CORE_COLLECT_TELEMETRY": "0",
                "AZURE_CORE_NO_COLOR": "true",
                "PATH": os.pathsep.join([str(AZ_BIN), env.get("PATH", "")]),
            }
        )
        return env

    def _admin(self, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.ready["admin_url"] + path, data=data)
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def set_faults(self, *faults: str) -> None:
        """Make the emulator fail in these ways (see ``app.FAULTS``); none clears them."""
        self._admin("/faults", list(faults))

    def set_subscription(self, kind: str) -> None:
        """Be a subscription from before July 2026 (``existing``) or created today (``new``)."""
        self._admin("/subscription", kind)

    def requests_log(self) -> list[str]:
        """Every request the emulator received: ``METHOD host/path?query``."""
        return list(self._admin("/log"))

    def stop(self) -> None:
        """Stops the emulator and everything it started (its process group)."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def start(workdir: Path, subscription: str = "existing") -> Emulator:
    """Starts the emulator in ``workdir`` and waits until it answers.

    ``subscription``: ``new`` emulates a subscription created today (see
    ``arm/quota.py``); ``existing``, one from before July 2026.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    ready_file = workdir / "ready.json"
    ready_file.unlink(missing_ok=True)  # a stopped emulator's file is not an answer
    log = (workdir / "emulator.log").open("wb")
    env = dict(os.environ)
    # The emulator itself runs with the lab's network guard: it never leaves 127.0.0.1.
    env["PYTHONPATH"] = os.pathsep.join([str(NETGUARD), str(ROOT)])
    env["MLFLOW_DISABLE_TELEMETRY"] = "true"
    for name in (*PROXY_VARIABLES, "HTTPS_PROXY", "https_proxy"):
        env.pop(name, None)
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.azure_emulator", str(workdir)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    emulator = Emulator(process, workdir)
    deadline = time.monotonic() + START_DEADLINE_SECONDS
    while not ready_file.is_file():
        if process.poll() is not None or time.monotonic() > deadline:
            emulator.stop()
            raise RuntimeError(
                "el emulador no arrancó:\n"
                + (workdir / "emulator.log").read_text(errors="replace")
            )
        time.sleep(0.1)
    emulator.ready = json.loads(ready_file.read_text(encoding="utf-8"))
    try:
        emulator.set_subscription(subscription)
    except Exception:
        emulator.stop()
        raise
    return emulator


@contextmanager
def running(workdir: Path, subscription: str = "existing") -> Iterator[Emulator]:
    """The emulator started in ``workdir`` for the ``with`` block, then stopped."""
    emulator = start(workdir, subscription)
    print(f"emulador listo en {emulator.ready['start_seconds']} s")
    try:
        yield emulator
    finally:
        emulator.stop()
