"""requirements.lock al día y Dependabot bien configurado, sin red.

- El lock se regenera con uv (el de requirements-dev.txt) desde su caché
  (``UV_OFFLINE``; ``./dev.sh setup`` la deja lista con red) y debe salir
  idéntico al del laboratorio: uv conserva las versiones que ya están en el
  archivo de salida, así que solo cambia si requirements.txt cambió. Lo que
  el lock de un estudiante puede revisar sin uv ni red lo comprueba la prueba
  del propio laboratorio (``tests/test_environment.py``).
- ``.github/dependabot.yml`` pasa el esquema de check-jsonschema y zizmor, y
  vigila las acciones y pip en la raíz del repositorio del estudiante.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from github_fake.act import NO_NETWORK

ROOT = Path(__file__).resolve().parents[1]
LAB = ROOT / "labs" / "gitops-workflow"
BIN = Path(sys.executable).parent
DEPENDABOT = LAB / ".github" / "dependabot.yml"


def lock_header_command() -> list[str]:
    """La orden de la segunda línea del lock, sin ``uv``: la que se repite aquí."""
    header = (LAB / "requirements.lock").read_text(encoding="utf-8").splitlines()[1]
    words = header.removeprefix("#").split()
    assert words[:3] == ["uv", "pip", "compile"], header
    return words[1:]


def compile_lock(folder: Path) -> subprocess.CompletedProcess[str]:
    """Regenera ``folder/requirements.lock`` como dice su cabecera, sin red."""
    env = {
        **os.environ,
        **NO_NETWORK,
        "UV_OFFLINE": "1",
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_NO_CONFIG": "1",
    }
    return subprocess.run(
        [str(BIN / "uv"), "--quiet", *lock_header_command()],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


@pytest.fixture(name="lock_folder")
def fixture_lock_folder(tmp_path: Path) -> Path:
    """requirements.txt y requirements.lock del laboratorio, en una copia."""
    for name in ("requirements.txt", "requirements.lock"):
        shutil.copy(LAB / name, tmp_path / name)
    return tmp_path


def test_the_lock_is_what_uv_makes_from_requirements(lock_folder: Path) -> None:
    result = compile_lock(lock_folder)
    assert result.returncode == 0, (
        "uv no pudo regenerar el lock sin red (¿falta ./dev.sh setup?): "
        + result.stderr
    )
    made = (lock_folder / "requirements.lock").read_text(encoding="utf-8")
    assert made == (LAB / "requirements.lock").read_text(encoding="utf-8"), (
        "requirements.lock no corresponde a requirements.txt: regenéralo con la "
        "orden de su cabecera"
    )


def test_a_requirement_removed_without_regenerating_shows(lock_folder: Path) -> None:
    requirements = lock_folder / "requirements.txt"
    text = requirements.read_text(encoding="utf-8")
    assert "\npre-commit==4.5.0\n" in text
    requirements.write_text(text.replace("\npre-commit==4.5.0\n", "\n"), "utf-8")
    result = compile_lock(lock_folder)
    assert result.returncode == 0, result.stderr
    made = (lock_folder / "requirements.lock").read_text(encoding="utf-8")
    assert made != (LAB / "requirements.lock").read_text(encoding="utf-8")
    assert "\npre-commit==" not in made and "\nidentify==" not in made


def test_dependabot_config_passes_the_schema_and_zizmor(tmp_path: Path) -> None:
    schema = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.dependabot"]
        + [str(DEPENDABOT)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert schema.returncode == 0, schema.stdout + schema.stderr
    repo = tmp_path / "repo"
    shutil.copytree(LAB / ".github", repo / ".github")
    subprocess.run(["git", "init", "--quiet", str(repo)], check=True, timeout=60)
    zizmor = subprocess.run(
        [str(BIN / "zizmor"), "--offline", "--min-severity", "low"]
        + [".github/dependabot.yml"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert zizmor.returncode == 0, zizmor.stdout + zizmor.stderr


def test_dependabot_watches_the_actions_and_pip_at_the_root() -> None:
    config = yaml.safe_load(DEPENDABOT.read_text(encoding="utf-8"))
    updates = {update["package-ecosystem"]: update for update in config["updates"]}
    assert set(updates) == {"github-actions", "pip"}
    for update in updates.values():
        # El estudiante copia el laboratorio a la raíz de su repositorio.
        assert update["directory"] == "/"
        assert update["cooldown"]["default-days"] >= 7
