"""¿Se instala requirements.lock solo con wheels en cada Python y plataforma admitidos?

Un estudiante en Windows no puede compilar numpy ni scipy: si ``pip`` no
encuentra un paquete ya compilado (wheel) para su Python y su sistema, intenta
compilarlo y falla después de varios minutos. uv lo comprueba sin instalar
nada: ``uv pip install --dry-run --no-build --python-version X
--python-platform Y --require-hashes -r requirements.lock`` resuelve el lock
para esa combinación con los wheels que PyPI publica y falla si a un paquete
le falta el suyo.

Las versiones de Python son las que admite el laboratorio
(``OLDEST_PYTHON``…``NEWEST_PYTHON`` de ``src/labkit/environment.py``, leídas
del archivo sin importarlo). Las pruebas (``tests/test_python_versions.py``)
lo hacen sin red, con la caché de uv; ``./dev.sh setup`` la llena con red
ejecutando este módulo:

    python tests/lock_wheels.py
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAB = ROOT / "labs" / "gitops-workflow"
LOCK = LAB / "requirements.lock"
ENVIRONMENT_FILE = LAB / "src" / "labkit" / "environment.py"
UV = Path(sys.executable).parent / "uv"
# Las plataformas de los estudiantes (nombre -> la de uv). Windows en ARM64 y
# Python de 32 bits no tienen todos los paquetes: scripts/check_python.py lo
# dice antes de instalar.
PLATFORMS = {
    "windows-x64": "x86_64-pc-windows-msvc",
    "macos-arm64": "aarch64-apple-darwin",
    "macos-x86_64": "x86_64-apple-darwin",
    "linux-x86_64": "x86_64-manylinux_2_28",
    "linux-aarch64": "aarch64-manylinux_2_28",
}


def supported_pythons(environment_file: Path = ENVIRONMENT_FILE) -> list[str]:
    """``["3.11", …, "3.15"]``: de ``OLDEST_PYTHON`` a ``NEWEST_PYTHON``."""
    bounds = {}
    for node in ast.parse(environment_file.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id.endswith("EST_PYTHON"):
                bounds[target.id] = ast.literal_eval(node.value)
    (major, oldest), (_, newest) = bounds["OLDEST_PYTHON"], bounds["NEWEST_PYTHON"]
    return [f"{major}.{minor}" for minor in range(oldest, newest + 1)]


def dry_run(
    version: str, platform: str, lock: Path = LOCK, offline: bool = True
) -> subprocess.CompletedProcess[str]:
    """``uv pip install --dry-run --no-build`` del lock para esa combinación."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("UV_", "PIP_", "VIRTUAL_ENV")) or key == "UV_CACHE_DIR"
    }
    env["UV_PYTHON_DOWNLOADS"] = "never"
    env["UV_NO_CONFIG"] = "1"
    if offline:
        env["UV_OFFLINE"] = "1"
    with tempfile.TemporaryDirectory() as target:
        return subprocess.run(
            [str(UV), "pip", "install", "--dry-run", "--no-build"]
            + ["--python-version", version, "--python-platform", platform]
            + ["--target", target, "--require-hashes", "-r", str(lock)],
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
            check=False,
        )


def main() -> int:
    """``./dev.sh setup``: cada combinación con red (llena la caché de uv)."""
    failed = []
    for version in supported_pythons():
        for name, platform in PLATFORMS.items():
            result = dry_run(version, platform, offline=False)
            if result.returncode != 0:
                failed.append(f"Python {version} {name}: {result.stderr.strip()}")
    for line in failed:
        print(f"⚠️ requirements.lock no se instala solo con wheels en {line}")
    if not failed:
        print(
            f"requirements.lock se instala con wheels en Python "
            f"{', '.join(supported_pythons())} ({', '.join(PLATFORMS)})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
