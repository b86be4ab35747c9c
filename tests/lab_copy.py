"""El laboratorio copiado como lo copia un estudiante, para trabajar sin tocarlo.

Las pruebas del proyecto, el benchmark y ``./dev.sh test`` ejecutan el
laboratorio siempre en una copia: nada de lo que hacen (modelos, datos, el
almacén de MLflow, cachés de las herramientas) cae en ``labs/gitops-workflow/``.

Uso: python tests/lab_copy.py DESTINO
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAB = ROOT / "labs" / "gitops-workflow"
# Lo que generan los scripts y las herramientas: un estudiante no lo copia.
GENERATED = (
    "*.pkl",
    "*.csv",
    "mlflow.db",
    "mlartifacts",
    "mlruns",
    "outputs",
    "*.egg-info",
    "__pycache__",
    ".*_cache",
    ".venv",
    "venv",
)

# Los scripts del estudiante, en el orden del tutorial y después cualquier otro
# de scripts/ (así uno nuevo entra solo en las pruebas y en el benchmark).
TUTORIAL_ORDER = (
    "scripts/train_model.py",
    "scripts/test_model.py",
    "scripts/create_inference_data.py",
    "scripts/verify_azure_connection.py",
    "scripts/register_model.py",
    "scripts/upload_data.py",
    "scripts/run_inference_pipeline.py",
    "src/score.py",
)
SCRIPTS = TUTORIAL_ORDER + tuple(
    sorted(
        f"scripts/{path.name}"
        for path in (LAB / "scripts").glob("*.py")
        if not path.name.startswith("_")
        and f"scripts/{path.name}" not in TUTORIAL_ORDER
    )
)


def netguard_copy() -> Path:
    """El bloqueo de red del laboratorio (``tests/netguard``), copiado fuera de él.

    Los subprocesos de las pruebas lo llevan en su PYTHONPATH, y Python
    escribe ``__pycache__`` junto a ``sitecustomize.py`` al cargarlo: desde
    ``labs/gitops-workflow/`` eso sería escribir en el laboratorio. Una copia
    por contenido en la carpeta temporal, común a los procesos de la sesión.
    """
    source = LAB / "tests" / "netguard"
    files = sorted(source.glob("*.py"))
    digest = hashlib.sha256(
        b"".join(path.name.encode() + path.read_bytes() for path in files)
    ).hexdigest()[:16]
    target = Path(tempfile.gettempdir()) / f"gitops-lab-netguard-{digest}"
    if not target.is_dir():
        partial = Path(tempfile.mkdtemp(prefix="gitops-lab-netguard-"))
        for path in files:
            shutil.copy2(path, partial / path.name)
        try:
            os.rename(partial, target)
        except OSError:  # otro proceso la dejó antes, igual
            shutil.rmtree(partial, ignore_errors=True)
    return target


def copy_lab(destination: Path) -> Path:
    """Copia el laboratorio a ``destination`` (que no debe existir) y la devuelve."""
    shutil.copytree(LAB, destination, ignore=shutil.ignore_patterns(*GENERATED))
    return destination


def lab_state(lab: Path = LAB, bytecode: bool = True) -> dict[str, tuple[int, int]]:
    """Cada archivo del laboratorio con su tamaño y su fecha de modificación.

    Con ``bytecode=False`` no cuenta ``__pycache__``: lo escribe Python al
    importar (en una copia, donde los scripts sí se importan), no un script.
    """
    return {
        str(path.relative_to(lab)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(lab.rglob("*"))
        if path.is_file() and (bytecode or "__pycache__" not in path.parts)
    }


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__.strip().splitlines()[-1])
    print(copy_lab(Path(sys.argv[1])))
