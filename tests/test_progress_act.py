"""El flujo «Progreso» de verdad, con act, sobre un estado que dejó CD de verdad.

1. CD corre con act sobre el push de un estudiante (``chore:`` y después
   ``feat:``): crea la etiqueta anotada ``v0.1.0`` y su release con el zip en
   la API falsa de un repositorio (``github_fake.server``).
2. Ese estado (etiquetas del repositorio desnudo, releases con sus archivos)
   pasa a la API falsa de la clase (``github_fake.classroom``), junto con el
   pull request fusionado y las ejecuciones, que act no registra.
3. «Progreso» corre con act contra esa API: su resumen tiene la lista de las
   partes, con la Parte 2 hecha gracias a la release que creó CD, y el token
   no aparece en el registro. El informe del profesor da la misma fila.
"""

from __future__ import annotations

import csv
import importlib
import sys
from pathlib import Path
from typing import Any

import pytest
from github_fake.act import (
    REPOSITORY,
    ActEnvironment,
    StudentRepo,
    missing_requirements,
    missing_runner_python,
    push_event,
    workflow_run_event,
)
from github_fake.class_repos import BOT
from github_fake.classroom import TOKEN, ClassroomGitHub, FakeRepo
from github_fake.fixtures import (  # noqa: F401  pylint: disable=unused-import
    fixture_act_environment,
    fixture_github,
    fixture_student,
)
from github_fake.server import FakeGitHub

MISSING = missing_requirements() or missing_runner_python("3.12")
pytestmark = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")
REPORT = Path(__file__).resolve().parents[1] / "instructor" / "report.py"


def classroom_repo(student: StudentRepo, github: FakeGitHub, cd_ok: bool) -> FakeRepo:
    """El repositorio de la clase con lo que dejó CD bajo act."""
    repo = FakeRepo(REPOSITORY, "act", 9000)
    tags = student.git("ls-remote", "--tags", "--refs", "origin").splitlines()
    repo.tags = [line.split("refs/tags/")[1] for line in tags]
    for release in github.releases:
        data: dict[str, Any] = {
            key: value for key, value in release.data.items() if key != "_asset_ids"
        }
        data["assets"] = [{"name": name} for name in release.assets]
        repo.releases.append(data)
    head = student.git("rev-parse", "HEAD")
    repo.pulls = [
        {
            "number": 1,
            "title": "feat: mi primer cambio",
            "state": "closed",
            "merged_at": "2026-12-01T08:00:00Z",
            "base": {"ref": "main"},
            "head": {"sha": head},
            "html_url": f"https://github.com/{REPOSITORY}/pull/1",
        }
    ]
    base = {"status": "completed", "pull_requests": []}
    repo.runs = [
        {
            **base,
            "path": ".github/workflows/cd.yml",
            "event": "push",
            "head_branch": "main",
            "conclusion": "success" if cd_ok else "failure",
            "html_url": f"https://github.com/{REPOSITORY}/actions/runs/2",
        },
        {
            **base,
            "path": ".github/workflows/ci.yml",
            "event": "pull_request",
            "head_branch": "feat/mi-cambio",
            "conclusion": "success",
            "head_sha": head,
            "html_url": f"https://github.com/{REPOSITORY}/actions/runs/1",
        },
    ]
    repo.comments = {
        1: [{"body": "<!-- add-pr-comment:ci-results -->\n## CI", "user": BOT}]
    }
    return repo


def test_progress_workflow_reports_the_release_that_cd_created(
    act_environment: ActEnvironment,
    student: StudentRepo,
    github: FakeGitHub,
    tmp_path: Path,
) -> None:
    student.commit("chore: laboratorio inicial")
    student.commit("feat: mi primer cambio", {"NOTAS.md": "cambio\n"})
    before, after = student.push()
    cd = act_environment.run(
        student, github, "push", push_event(student, before, after), "cd.yml"
    )
    assert cd.returncode == 0, cd.log[-3000:]
    assert github.release("v0.1.0") is not None

    with ClassroomGitHub({}) as classroom:
        classroom.repos[REPOSITORY] = classroom_repo(student, github, cd_ok=True)
        # Progreso corre al terminar CD en main (workflow_run), como en GitHub.
        event = workflow_run_event("CD", after)
        run = act_environment.run(
            student,
            classroom,  # type: ignore[arg-type]  # solo se usa su url
            "workflow_run",
            event,
            "progress.yml",
            token=TOKEN,
        )
        assert run.returncode == 0, run.log[-3000:]
        summary = run.summary()
        assert "## 📋 Progreso del laboratorio (alumno/laboratorio)" in summary
        assert "| Parte 1: Crear repositorio | ✅ |" in summary
        assert "| Parte 2: Flujo de trabajo GitOps | ✅ |" in summary
        assert "release v0.1.0 con gitops-lab-v0.1.0.zip" in summary
        assert "| Parte 3: Entrenar modelo local | ❌ |" in summary
        assert "**Siguiente paso** (Parte 3" in summary
        assert TOKEN not in run.log
        assert classroom.tokens_seen == {TOKEN}

        # El informe del profesor ve lo mismo en ese repositorio.
        instructor = str(REPORT.parent)
        if instructor not in sys.path:
            sys.path.insert(0, instructor)
        module = importlib.import_module("report")
        client = module.GitHubClient(token=TOKEN, base_url=classroom.url)
        rows = module.build_rows(client, [module.Student("", "", REPOSITORY)])
        output = tmp_path / "progreso.csv"
        output.write_text(module.render_csv(rows, "ahora"), encoding="utf-8")
    with output.open(encoding="utf-8-sig") as handle:
        (row,) = list(csv.DictReader(handle, delimiter=";"))
    assert row["parte1"] == row["parte2"] == "1" and row["parte3"] == "0"
