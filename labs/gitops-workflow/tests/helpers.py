"""Utilidades de las pruebas: ejecutar scripts como un estudiante y revisar errores."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

LAB_ROOT = Path(__file__).resolve().parents[1]
# sitecustomize.py de esta carpeta bloquea la red fuera de 127.0.0.1 en todo
# proceso de Python que la tenga en su PYTHONPATH.
NETGUARD = Path(__file__).resolve().parent / "netguard"


def script_env(**extra: str) -> dict[str, str]:
    """Entorno para ejecutar un script en un subproceso, sin red ni Azure.

    ``PYTHONPATH`` empieza siempre por ``NETGUARD``; uno dado en ``extra`` va
    detrás (por ejemplo, el ``src`` de una copia del laboratorio) y el ``src``
    de este laboratorio al final.
    """
    env = dict(os.environ)
    env.update(
        {
            "PYTHONIOENCODING": "utf-8",
            # DefaultAzureCredential solo prueba la CLI de Azure: nunca consulta
            # el punto de identidad administrada de una máquina virtual.
            "AZURE_TOKEN_CREDENTIALS": "AzureCliCredential",
        }
    )
    # src/ al final: el código del laboratorio, aunque no esté instalado (-e .).
    paths = [
        str(NETGUARD),
        *filter(None, [extra.pop("PYTHONPATH", None)]),
        str(LAB_ROOT / "src"),
    ]
    env.update(extra)
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


def made_by_run_checks(fixture: str) -> Path | None:
    """La carpeta que ``run_checks.py`` ya produjo para ``fixture``, o None.

    Antes de correr las pruebas, ``run_checks.py`` ejecuta el comando de cada
    fixture de ``PRODUCTS`` (``conftest.py``) para saber qué produce, y lo
    deja en la carpeta de ``RUN_CHECKS_PRODUCTS`` (``labkit.products``),
    comprobado por su huella. Fuera de ``run_checks.py`` (CI, pytest a mano)
    no hay ninguna: la fixture ejecuta el script.
    """
    folder = os.environ.get("RUN_CHECKS_PRODUCTS")
    made = Path(folder, fixture) if folder else None
    return made if made is not None and made.is_dir() else None


def copy_lab_code(destination: Path) -> Path:
    """Copia ``scripts/`` y ``src/`` del laboratorio: un laboratorio mínimo aparte.

    Sus scripts escriben en las carpetas de la copia (``artifacts/``, ``data/``…),
    nunca en las del laboratorio de verdad.
    """
    ignore = shutil.ignore_patterns("*.egg-info", "__pycache__")
    for folder in ("scripts", "src"):
        shutil.copytree(LAB_ROOT / folder, destination / folder, ignore=ignore)
    return destination


def run_script(
    args: Sequence[str | Path], cwd: Path = LAB_ROOT, **env: str
) -> subprocess.CompletedProcess[str]:
    """Ejecuta ``python <args>`` como lo haría un estudiante y captura la salida."""
    return subprocess.run(
        [sys.executable, *map(str, args)],
        cwd=cwd,
        env=script_env(**env),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )


def assert_clean_failure(result: subprocess.CompletedProcess[str], *words: str) -> None:
    """Terminó con código 1, sin traceback, y el mensaje nombra ``words``."""
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output, output
    for word in words:
        assert word in output, output


def assert_main_fails(
    main: Callable[[list[str]], int],
    args: Sequence[object],
    capsys: pytest.CaptureFixture[str],
    *words: str,
) -> str:
    """``main(args)`` devuelve 1 con un mensaje que nombra ``words``; lo devuelve.

    En el mismo proceso: una excepción no prevista no se captura aquí y hace
    fallar la prueba, igual que un traceback en la terminal del estudiante.
    """
    assert main([str(arg) for arg in args]) == 1
    captured = capsys.readouterr()
    message = captured.err
    assert message.startswith("❌ Error: "), captured
    for word in words:
        assert word in message, message
    return message


# Un servidor (mlflow server) puede tardar casi un minuto en responder en una
# máquina de 2 núcleos ocupada: se le da mucho más antes de darlo por fallido.
SERVER_START_SECONDS = 180


def free_port() -> int:
    """Un puerto libre de 127.0.0.1 para un servidor de prueba."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop_process_group(process: subprocess.Popen[bytes]) -> None:
    """Detiene ``process`` y todos sus hijos (sus trabajadores, huey_consumer…).

    ``process`` se creó con ``start_new_session=True``: su grupo de procesos
    tiene su mismo número, y se detiene entero. Terminar solo al padre deja
    vivos a los hijos.
    """
    if os.name == "nt":  # pragma: no cover, Windows no tiene grupos de procesos
        subprocess.run(
            ["taskkill", "/F", "/T", "/PID", str(process.pid)],
            capture_output=True,
            check=False,
        )
        process.wait()
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pass
    # Los hijos que no terminaron con SIGTERM, a la fuerza.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@contextlib.contextmanager
def background_server(
    command: Sequence[str], cwd: Path, health_url: str
) -> Iterator[subprocess.Popen[bytes]]:
    """Arranca un servidor local, espera a que responda y al salir lo detiene entero."""
    server = subprocess.Popen(  # pylint: disable=consider-using-with
        list(command),
        cwd=cwd,
        env=script_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            try:
                with urllib.request.urlopen(health_url, timeout=2):
                    break
            except (urllib.error.URLError, OSError):
                assert server.poll() is None, f"{command[:4]} terminó al arrancar"
                assert (
                    time.monotonic() < deadline
                ), f"{command[:4]} no respondió en {SERVER_START_SECONDS} s"
                time.sleep(0.5)
        yield server
    finally:
        stop_process_group(server)


# Plazo para que un script llegue al punto en que se le detiene: generoso, la
# máquina puede estar ocupada (no mide tiempos, solo evita esperar sin fin).
SIGTERM_DEADLINE_SECONDS = 240


def terminate_when(
    args: Sequence[str | Path],
    ready: Callable[[], bool],
    cwd: Path = LAB_ROOT,
    **env: str,
) -> tuple[int, str, bool]:
    """Ejecuta ``python <args>``, le manda SIGTERM cuando ``ready()`` y espera.

    Devuelve el código de salida, la salida de error y si ``ready()`` llegó a
    cumplirse antes de que el script terminara solo (si no, la prueba no
    probó nada y debe fallar).
    """
    with subprocess.Popen(
        [sys.executable, *map(str, args)],
        cwd=cwd,
        env=script_env(**env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    ) as process:
        deadline = time.monotonic() + SIGTERM_DEADLINE_SECONDS
        caught = False
        while process.poll() is None and time.monotonic() < deadline:
            if ready():
                process.send_signal(signal.SIGTERM)
                caught = True
                break
            time.sleep(0.02)
        try:
            _, stderr = process.communicate(timeout=SIGTERM_DEADLINE_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            _, stderr = process.communicate()
        return process.returncode, stderr, caught
