"""``check_progress.py --sin-azure`` con un Python sin nada instalado.

Es lo que ejecuta el flujo «Progreso»: un runner con Python y la biblioteca
estándar, sin instalar el laboratorio (ni pandas, ni MLflow, ni Azure). Aquí,
un ``python -m venv`` recién creado, vacío, en el repositorio de un
estudiante, contra la API de GitHub falsa: las siete partes salen como con
el entorno completo.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from github_fake.classroom import TOKEN, ClassroomGitHub, generated_states
from lab_copy import copy_lab

STATES = generated_states(14)
COMPLETE = next(name for name, state in STATES.items() if state == "completo")
NO_PR = next(name for name, state in STATES.items() if state == "sin_pr")


@pytest.fixture(scope="module", name="bare_python")
def fixture_bare_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Un entorno virtual nuevo, sin ningún paquete (ni pip)."""
    folder = tmp_path_factory.mktemp("python-vacio") / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(folder)],
        check=True,
        timeout=300,
    )
    python = folder / "bin" / "python"
    listing = subprocess.run(
        [str(python), "-c", "import importlib.util as u; print(u.find_spec('yaml'))"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert listing.stdout.strip() == "None"  # de verdad vacío
    return python


@pytest.fixture(scope="module", name="repository")
def fixture_repository(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    lab = copy_lab(tmp_path_factory.mktemp("estudiante") / "gitops-lab")
    identity = ["-c", "user.email=e@example.com", "-c", "user.name=E"]
    for args in (
        ["init", "--quiet", "--initial-branch=main"],
        [*identity, "add", "."],
        [*identity, "commit", "--quiet", "-m", "chore: laboratorio"],
        ["remote", "add", "origin", f"https://github.com/{COMPLETE}.git"],
        ["update-ref", "refs/remotes/origin/main", "HEAD"],
    ):
        subprocess.run(["git", "-C", str(lab), *args], check=True, timeout=60)
    yield lab


@pytest.mark.parametrize("repository_name", [COMPLETE, NO_PR])
def test_progress_runs_on_a_python_with_nothing_installed(
    bare_python: Path, repository: Path, repository_name: str
) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(repository.parent),
        "LANG": "C.UTF-8",
        "PYTHONIOENCODING": "utf-8",
        "GITHUB_TOKEN": TOKEN,
    }
    summary = repository.parent / f"resumen-{repository_name.split('/')[1]}.md"
    with ClassroomGitHub(STATES) as fake:
        env["GITHUB_API_URL"] = fake.url
        env["GITHUB_STEP_SUMMARY"] = str(summary)
        result = subprocess.run(
            [
                str(bare_python),
                "scripts/check_progress.py",
                "--repo",
                repository_name,
                "--sin-azure",
            ],
            cwd=repository,
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=300,
            check=False,
        )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    parts = [line for line in result.stdout.splitlines() if "Parte" in line[:12]]
    done = "✅" if repository_name == COMPLETE else "❌"
    assert parts[1].startswith(done), result.stdout  # Parte 2, de GitHub
    assert parts[2].startswith(done), result.stdout  # Parte 3, de la evidencia
    assert "| Parte 1: Crear repositorio | ✅ |" in summary.read_text(encoding="utf-8")
