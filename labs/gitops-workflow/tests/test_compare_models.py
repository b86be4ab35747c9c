"""Pruebas de scripts/compare_models.py en un repositorio de git de verdad.

Cada prueba hace en una carpeta temporal un repositorio pequeño con lo que
compare_models.py necesita (``scripts/``, ``src/``, ``pyproject.toml`` y
``.gitignore``), con la rama ``main``, y cambia algo en una rama nueva, como un
estudiante antes de abrir su pull request. No copia la raíz del laboratorio:
en el repositorio del estudiante esa raíz tiene ``.git`` y ``.venv`` (más de
1 GB), y en el checkout de un pull request en GitHub, un ``.git`` sin ``main``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import LAB_ROOT, assert_clean_failure, run_script, terminate_when

# Lo que el repositorio de la prueba necesita del laboratorio.
NEEDED = ("scripts", "src", "pyproject.toml", ".gitignore")
# Lo que se genera al ejecutar: no va a la copia.
NOT_COPIED = ("*.egg-info", "__pycache__", ".*_cache")
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Estudiante",
    "GIT_AUTHOR_EMAIL": "estudiante@example.com",
    "GIT_COMMITTER_NAME": "Estudiante",
    "GIT_COMMITTER_EMAIL": "estudiante@example.com",
}


def git(repo: Path, *args: str) -> str:
    """Ejecuta git en ``repo`` con un autor fijo; falla la prueba si git falla."""
    completed = subprocess.run(
        ["git", *args],
        cwd=repo,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout


def copy_needed(destination: Path) -> Path:
    """Copia a ``destination`` solo lo que compare_models.py usa del laboratorio."""
    ignore = shutil.ignore_patterns(*NOT_COPIED)
    for name in NEEDED:
        source = LAB_ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=ignore)
        else:
            destination.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    return destination


@pytest.fixture(name="repo")
def fixture_repo(tmp_path: Path) -> Path:
    """Un repositorio de estudiante en una rama nueva, con lo que hace falta."""
    repo = copy_needed(tmp_path / "mi-repo")
    git(repo, "init", "--quiet", "--initial-branch", "main")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--message", "chore: laboratorio inicial")
    git(repo, "switch", "--quiet", "--create", "feat/profundidad")
    return repo


def compare(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Ejecuta compare_models.py en la copia, con el código de la copia."""
    return run_script(
        ["scripts/compare_models.py", *args], cwd=repo, PYTHONPATH=str(repo / "src")
    )


# Entrena cuatro modelos: va con --completo (y en CI).
@pytest.mark.slow
def test_a_shallower_model_fails_the_gate(repo: Path) -> None:
    model_code = repo / "scripts" / "train_model.py"
    source = model_code.read_text(encoding="utf-8")
    assert "max_depth=8," in source
    model_code.write_text(source.replace("max_depth=8,", "max_depth=1,"))

    result = compare(repo, "--markdown", "modelo.md")

    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output
    assert "| ROC-AUC | 0,816 | 0,801 | ▼ -0,015 🔴 |" in result.stdout
    assert "❌ Puerta de calidad: no pasa." in result.stdout
    assert "El ROC-AUC bajó 0,015 (de 0,816 a 0,801)" in result.stdout
    markdown = (repo / "modelo.md").read_text(encoding="utf-8")
    assert markdown.startswith("## 📈 Modelo\n")
    assert "xychart-beta" in markdown
    for version in ("main", "cambio"):
        folder = repo / "artifacts" / "comparacion" / version
        assert {path.name for path in folder.iterdir()} >= {
            "metrics.json",
            "roc_curve.png",
            "confusion_matrix.png",
        }
    # La copia temporal de main ya no existe y nada nuevo queda sin ignorar.
    assert len(git(repo, "worktree", "list").splitlines()) == 1
    assert git(repo, "status", "--porcelain").split() == [
        "M",
        "scripts/train_model.py",
        "??",
        "modelo.md",
    ]


@pytest.mark.slow
def test_a_change_elsewhere_says_the_model_did_not_change(repo: Path) -> None:
    (repo / "NOTAS.md").write_text("Una línea más.\n", encoding="utf-8")
    git(repo, "add", "NOTAS.md")
    git(repo, "commit", "--quiet", "--message", "docs: una línea")

    # Como en CI: la base es el commit de main y se muestra con su nombre.
    # Desde scripts/, los archivos van igual a artifacts/ de la raíz.
    base_sha = git(repo, "rev-parse", "main").strip()
    result = run_script(
        ["compare_models.py", "--base", base_sha, "--base-name", "main"],
        cwd=repo / "scripts",
        PYTHONPATH=str(repo / "src"),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Sin cambios en el modelo" in result.stdout
    assert "idénticas a las de main" in result.stdout
    assert "/artifacts/comparacion" in result.stdout
    assert (repo / "artifacts" / "comparacion" / "main" / "metrics.json").is_file()
    assert not (repo / "scripts" / "artifacts").exists()
    assert "✅ Puerta de calidad: pasa." in result.stdout


def test_outside_a_repository(tmp_path: Path) -> None:
    copy = copy_needed(tmp_path / "sin-git")
    # git no busca un repositorio más arriba de tmp_path (por si la carpeta
    # temporal del estudiante estuviera dentro de uno).
    result = run_script(
        ["scripts/compare_models.py"],
        cwd=copy,
        PYTHONPATH=str(copy / "src"),
        GIT_CEILING_DIRECTORIES=str(tmp_path),
    )
    assert_clean_failure(result, "no es un repositorio de git")
    assert not (copy / "artifacts" / "comparacion").exists()


def test_unknown_base_branch(repo: Path) -> None:
    result = compare(repo, "--base", "no-existe")
    assert_clean_failure(result, "no existe la rama o commit 'no-existe'", "--base")


def test_sigterm_removes_the_temporary_worktree(repo: Path) -> None:
    def training() -> bool:
        return len(git(repo, "worktree", "list").splitlines()) > 1

    code, stderr, caught = terminate_when(
        ["scripts/compare_models.py"], training, cwd=repo, PYTHONPATH=str(repo / "src")
    )
    assert caught, "compare_models.py terminó antes de poder detenerlo"
    assert code == 1, stderr
    assert "Detenido (SIGTERM)" in stderr and "Traceback" not in stderr
    assert len(git(repo, "worktree", "list").splitlines()) == 1
    assert not git(repo, "worktree", "prune", "--dry-run", "--verbose").strip()
