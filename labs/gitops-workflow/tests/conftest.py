"""Fixtures comunes de las pruebas del laboratorio.

Las pruebas no usan la red: ``tests/netguard`` hace fallar cualquier conexión
que no sea a 127.0.0.1 (o ::1), también las que intente una biblioteca, en
este proceso y en los scripts que las pruebas ejecutan como subprocesos.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from tests.helpers import NETGUARD, made_by_run_checks, run_script

# Fixtures que dan una carpeta producida por un script, ejecutado en otro
# proceso como lo ejecuta el estudiante: {fixture: el comando, al que se
# añade la carpeta}. run_checks.py también lee esta tabla
# (labkit.pytest_dependencies): las pruebas que piden una de estas fixtures
# dependen de lo que el script produce, no de su código (labkit.products).
PRODUCTS = {"trained_model": ("scripts/train_model.py", "--output-dir")}


def _guard_network() -> None:
    """Carga en este proceso el mismo bloqueo de red que usan los subprocesos."""
    spec = importlib.util.spec_from_file_location(
        "netguard", NETGUARD / "sitecustomize.py"
    )
    assert spec is not None and spec.loader is not None
    spec.loader.exec_module(importlib.util.module_from_spec(spec))


_guard_network()


@pytest.fixture(scope="session")
def trained_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Carpeta con model.pkl y model_metadata.json entrenados por defecto."""
    output_dir = tmp_path_factory.mktemp("artifacts")
    made = made_by_run_checks("trained_model")
    if made is not None:
        # run_checks.py ya ejecutó este comando con este mismo código: sus archivos.
        shutil.copytree(made, output_dir, dirs_exist_ok=True)
        return output_dir
    # Sin RUN_CHECKS_TRACE: de este proceso cuenta lo que produce (PRODUCTS).
    result = run_script([*PRODUCTS["trained_model"], output_dir], RUN_CHECKS_TRACE="")
    assert result.returncode == 0, result.stdout + result.stderr
    return output_dir


@pytest.fixture(name="lab_root")
def fixture_lab_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Una raíz de laboratorio vacía: el almacén local de MLflow vive en ella."""
    import labkit.local_store
    import labkit.workspace

    monkeypatch.setattr(labkit.local_store, "LAB_ROOT", tmp_path)
    monkeypatch.setattr(labkit.workspace, "LAB_ROOT", tmp_path)
    return tmp_path
