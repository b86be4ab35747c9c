"""CPython 3.14 y 3.15, los que python.org ofrece hoy, para probar el laboratorio.

Ni pyenv ni Debian estable los tienen en este equipo. ``newest-python`` (en
``../shared/tools/``, fuera del proyecto; lee su cabecera) ejecuta un comando
con el CPython 3.14 y 3.15 de Debian «sid» dentro de una jaula (chroot) que
hace una vez en un minuto: la carpeta actual se monta allí, y lo que se
escribe queda en la carpeta de verdad. Necesita root.

Las pruebas no usan la red: ``./dev.sh setup`` (con red) prepara la jaula y
deja en ``.venv/wheelhouse-newest/`` los wheels que el pip de cada uno de esos
Python elige para ``requirements.lock`` (y pip, para el ``python -m pip
install --upgrade pip`` del tutorial), ejecutando este módulo:

    python tests/newest_python.py

Después, dentro de la jaula, ``PIP_NO_INDEX=1 PIP_FIND_LINKS=<wheelhouse>``
hace que los comandos del tutorial instalen desde esa carpeta, sin cambiarlos.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAB = ROOT / "labs" / "gitops-workflow"
TOOL = Path(
    os.environ.get(
        "NEWEST_PYTHON_TOOL", ROOT.parent / "shared" / "tools" / "newest-python"
    )
)
VERSIONS = ("3.14", "3.15")
WHEELHOUSE = ROOT / ".venv" / "wheelhouse-newest"
STAMP = WHEELHOUSE / ".requirements.sha256"


def lock_digest() -> str:
    """El hash de requirements.lock: los wheels de la carpeta son los de este."""
    return hashlib.sha256((LAB / "requirements.lock").read_bytes()).hexdigest()


def missing() -> str | None:
    """Por qué no se pueden probar estos Python aquí, o ``None`` si se puede."""
    if not os.access(TOOL, os.X_OK):
        return f"falta {TOOL} (o NEWEST_PYTHON_TOOL): sin él no hay CPython 3.14/3.15"
    if os.geteuid() != 0:
        return f"{TOOL.name} necesita root (chroot y mount)"
    if not STAMP.is_file() or STAMP.read_text(encoding="utf-8").strip() != (
        lock_digest()
    ):
        return f"faltan los wheels del lock en {WHEELHOUSE}: ejecuta ./dev.sh setup"
    return None


def run(folder: Path, command: str, timeout: float) -> subprocess.CompletedProcess[str]:
    """``command`` (bash) dentro de la jaula, en ``folder``; salida y errores juntos."""
    return subprocess.run(
        [str(TOOL), command],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=timeout,
        check=False,
    )


def prepare() -> str:
    """``./dev.sh setup``: la jaula y los wheels del lock para cada versión."""
    digest = lock_digest()
    if STAMP.is_file() and STAMP.read_text(encoding="utf-8").strip() == digest:
        return f"{WHEELHOUSE} ya tiene los wheels de este requirements.lock"
    shutil.rmtree(WHEELHOUSE, ignore_errors=True)
    WHEELHOUSE.mkdir(parents=True)
    shutil.copy(LAB / "requirements.lock", WHEELHOUSE / "requirements.lock")
    download = (
        '"$venv/bin/python" -m pip download --quiet --disable-pip-version-check '
        "--dest . --only-binary=:all:"
    )
    steps = []
    for version in VERSIONS:
        steps += [
            f'venv="$(mktemp -d)" && python{version} -m venv "$venv"',
            f"{download} --require-hashes -r requirements.lock",
            f"{download} pip",
            'rm -rf "$venv"',
        ]
    result = run(WHEELHOUSE, " && ".join(steps), timeout=1800)
    (WHEELHOUSE / "requirements.lock").unlink()
    if result.returncode != 0:
        raise RuntimeError(result.stdout)
    STAMP.write_text(digest + "\n", encoding="utf-8")
    wheels = list(WHEELHOUSE.glob("*.whl"))
    megabytes = sum(path.stat().st_size for path in wheels) / 1e6
    return f"{len(wheels)} wheels ({megabytes:.0f} MB) en {WHEELHOUSE}"


def main() -> int:
    """Prepara la jaula y los wheels; sin la herramienta o sin root, lo dice."""
    if not os.access(TOOL, os.X_OK) or os.geteuid() != 0:
        reason = missing()
        print(f"⚠️ {reason}: las pruebas en CPython 3.14/3.15 se saltarán.")
        return 0
    with tempfile.TemporaryDirectory() as folder:
        versions = run(Path(folder), "python3.14 -V && python3.15 -V", timeout=1800)
    if versions.returncode != 0:
        print(
            f"❌ Error: newest-python no funcionó:\n{versions.stdout}", file=sys.stderr
        )
        return 1
    try:
        print(prepare())
    except RuntimeError as error:
        print(
            f"❌ Error: no se pudieron descargar los wheels:\n{error}", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
