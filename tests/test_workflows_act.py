"""Los flujos de GitHub Actions del laboratorio, ejecutados de verdad con act.

Cada escenario crea el repositorio de un estudiante (una copia del
laboratorio con su «GitHub» en un repositorio git desnudo), ejecuta un flujo
con ``act`` en este equipo, con el código de cada acción en su SHA fijado,
Node 24 y una API de GitHub falsa en 127.0.0.1 (``github_fake``), y revisa
las llamadas que recibió la API y el estado que quedó: etiquetas, releases
con su zip, comentarios, resúmenes de los trabajos. Nada sale de 127.0.0.1.

Sin act, Node 24 o la carpeta de acciones fijadas
(``../shared/vendor/github-actions``), las pruebas se saltan y dicen por qué.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from github_fake.act import (
    OFFLINE_PYTHON_ENV,
    REPOSITORY,
    ActEnvironment,
    ActRun,
    StudentRepo,
    caller_workflow,
    missing_requirements,
    missing_runner_python,
    pull_request_event,
    push_event,
)
from github_fake.fixtures import (  # noqa: F401 (fixtures de pytest)
    fixture_act_environment,
    fixture_github,
    fixture_student,
)
from github_fake.server import READ_ONLY_TOKEN, FakeGitHub
from test_workflows import SECRETS

MISSING = missing_requirements()
pytestmark = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")


RunCd = Callable[[], ActRun]


@pytest.fixture(name="run_cd")
def fixture_run_cd(
    act_environment: ActEnvironment, student: StudentRepo, github: FakeGitHub
) -> RunCd:
    """Hace push de main y ejecuta CD con ese evento."""

    def run_cd() -> ActRun:
        before, after = student.push()
        event = push_event(student, before, after)
        return act_environment.run(student, github, "push", event, "cd.yml")

    return run_cd


def tag_of(student: StudentRepo, tag: str) -> dict[str, str]:
    """Tipo, mensaje y commit de una etiqueta en el «GitHub» del estudiante."""
    ref = f"refs/tags/{tag}"
    kind = student.git("--git-dir", str(student.bare), "cat-file", "-t", ref)
    info = {"type": kind, "commit": student.remote_sha(f"{ref}^{{commit}}") or ""}
    if kind == "tag":
        text = student.git("--git-dir", str(student.bare), "cat-file", "tag", ref)
        info["message"] = text.split("\n\n", 1)[1].strip()
    return info


def zip_names(github: FakeGitHub, tag: str) -> list[str]:
    """Los nombres de los archivos del zip de la release."""
    release = github.release(tag)
    assert release is not None, f"no hay release {tag}"
    assert list(release.assets) == [f"gitops-lab-{tag}.zip"]
    data = release.assets[f"gitops-lab-{tag}.zip"]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.namelist()


def writes(github: FakeGitHub, since: int = 0) -> list[str]:
    """Las llamadas que cambian algo (no GET), desde la llamada ``since``."""
    return [
        f"{call.method} {call.path}"
        for call in github.calls[since:]
        if call.method != "GET"
    ]


# --------------------------------------------------------------------------
# CD
# --------------------------------------------------------------------------


def test_cd_publishes_an_annotated_tag_and_a_release_with_the_lab(
    student: StudentRepo, github: FakeGitHub, run_cd: RunCd
) -> None:
    student.commit("chore: laboratorio inicial")
    head = student.commit("feat: primer modelo de abandono")
    run = run_cd()
    assert run.returncode == 0, run.log
    print(f"CD v0.1.0: {run.seconds:.1f} s")

    # Etiqueta anotada: un objeto etiqueta con la versión en su mensaje.
    assert tag_of(student, "v0.1.0") == {
        "type": "tag",
        "commit": head,
        "message": "Versión v0.1.0",
    }
    [tag_object] = github.called("POST", r".*/git/tags")
    [ref] = github.called("POST", r".*/git/refs")
    assert ref.body["ref"] == "refs/tags/v0.1.0"
    assert ref.body["sha"] != head
    assert ref.body["sha"] == student.remote_sha("refs/tags/v0.1.0")
    assert tag_object.body["object"] == head

    release = github.release("v0.1.0")
    assert release is not None
    assert release.data["name"] == "gitops-lab v0.1.0"
    assert release.data["draft"] is False
    names = zip_names(github, "v0.1.0")
    print(f"zip de v0.1.0: {len(names)} entradas")
    assert not [n for n in names if n == ".git" or n.startswith(".git/")]
    tracked = set(student.git("ls-files").splitlines())
    assert {n for n in names if not n.endswith("/")} == tracked
    for expected in ("scripts/train_model.py", ".github/workflows/cd.yml"):
        assert expected in names
    assert "### 🏷️ Versión semántica: nueva versión v0.1.0" in run.summary()


def test_cd_fix_after_a_release_gives_a_patch_and_a_rerun_does_nothing(
    student: StudentRepo, github: FakeGitHub, run_cd: RunCd
) -> None:
    student.commit("chore: laboratorio inicial")
    student.commit("feat: primer modelo de abandono")
    assert run_cd().returncode == 0
    fix = student.commit("fix: corrige el umbral", {"NOTAS.txt": "umbral 0.5\n"})
    run = run_cd()
    assert run.returncode == 0, run.log
    assert tag_of(student, "v0.1.1")["commit"] == fix
    assert tag_of(student, "v0.1.1")["type"] == "tag"
    assert [r.data["tag_name"] for r in github.releases] == ["v0.1.0", "v0.1.1"]
    assert "NOTAS.txt" in zip_names(github, "v0.1.1")

    # Otra ejecución sobre el mismo commit: la versión ya está publicada.
    calls = len(github.calls)
    again = run_cd()
    assert again.returncode == 0, again.log
    print(f"CD sin versión nueva: {again.seconds:.1f} s")
    assert writes(github, calls) == []
    assert "sin cambios (v0.1.1 ya está publicada)" in again.summary()
    assert len(github.releases) == 2


def test_cd_rerun_publishes_the_release_that_failed_after_its_tag(
    student: StudentRepo, github: FakeGitHub, run_cd: RunCd
) -> None:
    student.commit("chore: laboratorio inicial")
    head = student.commit("feat: primer modelo de abandono")
    github.fail_release_creation = 100  # GitHub falla al crear la release
    failed = run_cd()
    assert failed.returncode != 0
    assert tag_of(student, "v0.1.0")["commit"] == head
    assert github.releases == []

    github.fail_release_creation = 0
    calls = len(github.calls)
    rerun = run_cd()  # «Re-run all jobs»: mismo commit, la etiqueta ya existe
    assert rerun.returncode == 0, rerun.log
    assert "v0.1.0 tenía etiqueta pero no release" in rerun.summary()
    assert "La etiqueta v0.1.0 ya existía" in rerun.summary()
    new_writes = writes(github, calls)
    assert f"POST /repos/{REPOSITORY}/releases" in new_writes
    assert not [w for w in new_writes if "/git/" in w]
    release = github.release("v0.1.0")
    assert release is not None and release.data["draft"] is False
    assert ".git/HEAD" not in zip_names(github, "v0.1.0")


def test_tag_job_refuses_a_tag_that_points_to_another_commit(
    act_environment: ActEnvironment, student: StudentRepo, github: FakeGitHub
) -> None:
    old = student.commit("chore: laboratorio inicial")
    student.git("tag", "v0.1.0", old)  # una etiqueta creada a mano, en otro commit
    student.git("push", "--quiet", "origin", "v0.1.0")
    head = student.commit("feat: primer modelo")
    before, after = student.push()
    caller = caller_workflow(
        student.root / "etiqueta.yml",
        "reusable_create_tag.yml",
        {"tag": "v0.1.0"},
        {"contents": "write"},
    )
    run = act_environment.run(
        student, github, "push", push_event(student, before, after), caller
    )
    assert run.returncode != 0, run.log
    assert f"La etiqueta v0.1.0 ya existe en otro commit ({old})" in run.log, run.log
    assert student.remote_sha("refs/tags/v0.1.0") == old != head
    assert writes(github) == [], github.calls


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("feat!: cambia las columnas del CSV", "v1.0.0"),
        ("refactor(api): renombra\n\nBREAKING CHANGE: otra API", "v1.0.0"),
        (
            "fix: explica el umbral\n\nEsto no es un BREAKING CHANGE: solo docs",
            "v0.0.1",
        ),
        ("feat: columna nueva\n\nSin BREAKING CHANGE: compatible", "v0.1.0"),
    ],
)
def test_cd_major_version_only_for_breaking_changes(
    student: StudentRepo, github: FakeGitHub, run_cd: RunCd, message: str, expected: str
) -> None:
    student.commit(message)
    run = run_cd()
    assert run.returncode == 0, run.log
    assert [r.data["tag_name"] for r in github.releases] == [expected]
    assert tag_of(student, expected)["type"] == "tag"


def test_act_reaches_only_the_fake_api(
    student: StudentRepo, github: FakeGitHub, run_cd: RunCd
) -> None:
    student.commit("feat: primer modelo")
    run = run_cd()
    assert run.returncode == 0, run.log
    # Cada llamada de act a la API llegó a la falsa, con el token de prueba.
    assert github.calls
    assert all(call.status != 401 for call in github.calls)
    assert "api.github.com" not in run.log
    assert "uploads.github.com" not in run.log


# --------------------------------------------------------------------------
# CI: la tabla en el pull request
# --------------------------------------------------------------------------

NEEDS_PYTHON = missing_runner_python("3.11")
ROWS = {
    "black": "Black (formato)",
    "isort": "isort (orden de imports)",
    "flake8": "Flake8 (estilo)",
    "pylint": "Pylint (análisis estático)",
    "mypy": "MyPy (tipos)",
    "tests": "Pruebas (pytest)",
}
# El nombre de cada paso del trabajo de lint (reusable_lint.yml).
STEPS = {
    "black": "Black",
    "isort": "isort",
    "flake8": "Flake8",
    "pylint": "Pylint",
    "mypy": "MyPy",
}
GOOD_CHANGE = (
    '"""Umbral a partir del cual un cliente se marca como «se va»."""\n\n'
    "THRESHOLD = 0.5\n"
)
# Lo que Black y Flake8 rechazan (el ejemplo que falla de la Parte 2).
BAD_CHANGE = "import os,sys\nTHRESHOLD = {'valor':0.5}\n"
# Las pruebas del laboratorio se ejecutan enteras en ./dev.sh test; bajo act
# basta una parte para ver el paso de pytest funcionar (y tarda segundos).
CI_ENV = {**OFFLINE_PYTHON_ENV, "PYTEST_ADDOPTS": "-n 0 tests/test_schema.py"}


def comment_caller(root: Path, results: dict[str, str]) -> str:
    """Un flujo que llama al del comentario con los resultados dados."""
    inputs = {name: results.get(name, "") for name in ROWS}
    permissions = {"pull-requests": "write"}
    return caller_workflow(
        root / "comentario.yml", "reusable_pr_comment.yml", inputs, permissions
    )


@pytest.mark.skipif(NEEDS_PYTHON is not None, reason=NEEDS_PYTHON or "")
def test_ci_posts_the_table_then_updates_it_in_place_when_black_and_flake8_fail(
    act_environment: ActEnvironment, student: StudentRepo, github: FakeGitHub
) -> None:
    base, head = student.open_pull_request({"scripts/threshold.py": GOOD_CHANGE})
    event = pull_request_event(1, head, base)
    run = act_environment.run(
        student, github, "pull_request", event, "ci.yml", env=CI_ENV
    )
    print(f"CI en verde: {run.seconds:.1f} s")
    assert run.returncode == 0, run.log
    [comment] = github.comments[1]
    for label in ROWS.values():
        assert f"| {label} | ✅ Correcto |" in comment["body"]
    assert "✅ Todos los chequeos pasaron." in comment["body"]
    assert "## 🔍 Resultados de CI" in run.summary()
    assert len(github.called("POST", r".*/issues/1/comments")) == 1

    # Segundo push al mismo pull request, con un cambio que Black y Flake8
    # rechazan.
    head = student.commit("feat: otro umbral", {"scripts/threshold.py": BAD_CHANGE})
    student.push("cambio")
    event = pull_request_event(1, head, base)
    failed = act_environment.run(
        student, github, "pull_request", event, "ci.yml", env=CI_ENV
    )
    print(f"CI con Black y Flake8 en rojo: {failed.seconds:.1f} s")
    assert failed.returncode != 0
    results = {name: failed.step_outcome(step) for name, step in STEPS.items()}
    assert results["black"] == "failure" and results["flake8"] == "failure"
    assert results["isort"] == "failure"  # «import os,sys» tampoco está ordenado
    # act se detiene en el lint que falló, antes del trabajo de las pruebas;
    # GitHub las ejecutaría igual: aquí, solo ese trabajo.
    tests = act_environment.run(
        student, github, "pull_request", event, "ci.yml", env=CI_ENV, job="tests"
    )
    results["tests"] = tests.job_result("CI/Pruebas")
    assert results["tests"] == "success", tests.log

    # GitHub seguiría con el comentario (if: !cancelled()) y estos
    # resultados: se ejecuta ese flujo con ellos.
    caller = comment_caller(student.root, results)
    commented = act_environment.run(student, github, "pull_request", event, caller)
    assert commented.returncode == 0, commented.log
    [updated] = github.comments[1]  # el mismo comentario, no uno nuevo
    assert updated["id"] == comment["id"]
    assert len(github.called("PATCH", rf".*/issues/comments/{comment['id']}")) == 1
    assert len(github.called("POST", r".*/issues/1/comments")) == 1
    assert "| Black (formato) | ❌ Falló |" in updated["body"]
    assert "| Flake8 (estilo) | ❌ Falló |" in updated["body"]
    assert "❌ Algún chequeo falló" in updated["body"]
    for name, label in ROWS.items():
        icon = {"success": "✅ Correcto", "failure": "❌ Falló"}.get(
            results[name], "⚠️ No se ejecutó"
        )
        assert f"| {label} | {icon} |" in updated["body"]


@pytest.mark.parametrize(
    ("head_repo", "author", "reason"),
    [
        ("otra-persona/laboratorio", "otra-persona", "viene de un fork"),
        (REPOSITORY, "dependabot[bot]", "es de Dependabot"),
    ],
)
def test_ci_read_only_pull_requests_skip_the_comment_and_say_why(
    act_environment: ActEnvironment,
    student: StudentRepo,
    github: FakeGitHub,
    head_repo: str,
    author: str,
    reason: str,
) -> None:
    base, head = student.open_pull_request({"scripts/threshold.py": GOOD_CHANGE})
    event = pull_request_event(7, head, base, head_repo=head_repo, author=author)
    results = {name: "success" for name in ROWS}
    run = act_environment.run(
        student,
        github,
        "pull_request",
        event,
        comment_caller(student.root, results),
        token=READ_ONLY_TOKEN,  # lo que GitHub da a Dependabot y a los forks
        actor=author,
    )
    assert run.returncode == 0, run.log
    assert github.comments == {}
    assert writes(github) == []
    summary = run.summary()
    assert "| Black (formato) | ✅ Correcto |" in summary
    assert f"ℹ️ Este pull request {reason}" in summary
    assert "Los resultados están en la tabla de arriba." in summary


def test_ci_comment_when_no_check_ran_does_not_say_that_one_failed(
    act_environment: ActEnvironment, student: StudentRepo, github: FakeGitHub
) -> None:
    base, head = student.open_pull_request({"scripts/threshold.py": GOOD_CHANGE})
    event = pull_request_event(3, head, base)
    results = {name: "skipped" for name in STEPS} | {"tests": ""}
    caller = comment_caller(student.root, results)
    run = act_environment.run(student, github, "pull_request", event, caller)
    assert run.returncode == 0, run.log
    [comment] = github.comments[3]
    assert comment["body"].count("⚠️ No se ejecutó") == 6
    assert "❌" not in comment["body"]
    assert "⚠️ Ningún chequeo falló, pero no todos se ejecutaron" in comment["body"]


# --------------------------------------------------------------------------
# Despliegue del modelo sin secretos
# --------------------------------------------------------------------------


def test_deploy_without_secrets_stops_at_its_check_with_the_list(
    act_environment: ActEnvironment, student: StudentRepo, github: FakeGitHub
) -> None:
    student.commit("chore: laboratorio inicial")
    student.push()
    event = {
        "inputs": {"model-name": "churn-prediction-model"},
        "ref": "refs/heads/main",
        "repository": {"full_name": REPOSITORY, "default_branch": "main"},
    }
    run = act_environment.run(
        student, github, "workflow_dispatch", event, "deploy_model.yml"
    )
    assert run.returncode != 0
    assert run.step_outcome("Check Azure secrets") == "failure"
    assert run.step_outcome("Checkout") == "skipped"
    assert run.step_outcome("Register model") == "skipped"
    summary = run.summary()
    assert "## ❌ Faltan secretos de Azure" in summary
    for name in SECRETS:
        assert f"- `{name}`" in summary
    assert github.calls == []
