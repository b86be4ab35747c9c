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
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from github_fake.act import (
    REPOSITORY,
    ActEnvironment,
    ActRun,
    StudentRepo,
    missing_requirements,
    push_event,
)
from github_fake.server import FakeGitHub

MISSING = missing_requirements()
pytestmark = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")


@pytest.fixture(scope="session", name="act_environment")
def fixture_act_environment(
    tmp_path_factory: pytest.TempPathFactory,
) -> ActEnvironment:
    """act y su caché (acciones, espacios de trabajo), compartidos."""
    return ActEnvironment(cache=tmp_path_factory.mktemp("act-cache"))


@pytest.fixture(name="student")
def fixture_student(tmp_path: Path) -> StudentRepo:
    """Un repositorio nuevo de estudiante con el laboratorio copiado."""
    return StudentRepo(tmp_path)


@pytest.fixture(name="github")
def fixture_github(student: StudentRepo) -> Iterator[FakeGitHub]:
    """La API de GitHub falsa de ese repositorio."""
    with FakeGitHub(REPOSITORY, student.bare) as fake:
        yield fake


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


def summary(run: ActRun) -> str:
    """Lo que los pasos escribieron en el resumen de sus trabajos."""
    return "\n".join(
        line.split("Summary - ", 1)[1]
        for line in run.log.splitlines()
        if "Summary - " in line
    )


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
    assert "### 🏷️ Versión semántica: nueva versión v0.1.0" in summary(run)


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
    assert "sin cambios (v0.1.1 ya está publicada)" in summary(again)
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
    assert "v0.1.0 tenía etiqueta pero no release" in summary(rerun)
    assert "La etiqueta v0.1.0 ya existía" in summary(rerun)
    new_writes = writes(github, calls)
    assert f"POST /repos/{REPOSITORY}/releases" in new_writes
    assert not [w for w in new_writes if "/git/" in w]
    release = github.release("v0.1.0")
    assert release is not None and release.data["draft"] is False
    assert ".git/HEAD" not in zip_names(github, "v0.1.0")


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


def test_every_scenario_stays_on_loopback(
    student: StudentRepo, github: FakeGitHub, run_cd: RunCd
) -> None:
    student.commit("feat: primer modelo")
    run = run_cd()
    assert run.returncode == 0, run.log
    # Todo lo que act pidió a la API llegó a la falsa, con el token de prueba.
    assert github.calls
    assert all(call.status != 401 for call in github.calls)
    assert "api.github.com" not in run.log
    assert "uploads.github.com" not in run.log
