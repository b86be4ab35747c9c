"""Utilidades de las pruebas: ejecutar scripts como un estudiante y revisar errores."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

LAB_ROOT = Path(__file__).resolve().parents[1]
# sitecustomize.py de esta carpeta bloquea la red fuera de 127.0.0.1 en todo
# proceso de Python que la tenga en su PYTHONPATH.
NETGUARD = Path(__file__).resolve().parent / "netguard"


def script_env(**extra: str) -> dict[str, str]:
    """Entorno para ejecutar un script en un subproceso, sin red ni Azure.

    ``PYTHONPATH`` empieza siempre por ``NETGUARD``; uno dado en ``extra`` va
    detrás (por ejemplo, el ``src`` de una copia del laboratorio).
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
    paths = [str(NETGUARD), *filter(None, [extra.pop("PYTHONPATH", None)])]
    env.update(extra)
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


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
