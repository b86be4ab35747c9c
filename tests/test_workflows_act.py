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
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from github_fake.act import (
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
from github_fake.installs import job_installs
from github_fake.server import READ_ONLY_TOKEN, FakeGitHub
from test_tutorial import CHANGE_MARK, dedented, tutorial_text
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

NEEDS_PYTHON = missing_runner_python("3.12")
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
LINT_STEPS = ("black", "isort", "flake8")
GOOD_CHANGE = (
    '"""Umbral a partir del cual un cliente se marca como «se va»."""\n\n'
    "THRESHOLD = 0.5\n"
)
# Lo que Black y Flake8 rechazan (el ejemplo que falla de la Parte 2).
BAD_CHANGE = "import os,sys\nTHRESHOLD = {'valor':0.5}\n"
MODEL_ROW = "Modelo (puerta de calidad)"
VERSION_ROW = "Mensajes de commit (Conventional Commits)"


def job_succeeded(run: ActRun, job: str) -> bool:
    """Si el trabajo terminó bien (act alinea los nombres: «[CI/Modelo  ]»)."""
    lines = [line for line in run.log.splitlines() if line.startswith(f"[{job}")]
    return any("Job succeeded" in line for line in lines)


def comment_caller(root: Path, results: dict[str, str]) -> str:
    """Un flujo que llama al del comentario con los resultados dados."""
    extra = ("version-result", "version")
    inputs = {name: results.get(name, "") for name in (*ROWS, *extra)}
    permissions = {"pull-requests": "write"}
    return caller_workflow(
        root / "comentario.yml", "reusable_pr_comment.yml", inputs, permissions
    )


# La Parte 2 del tutorial: la rama, el mensaje del commit y el título del PR.
BRANCH = "feat/mi-firma"
FIRST_TITLE = "feat: muestra el autor del laboratorio al entrenar"


def tutorial_change(work: Path) -> dict[str, str]:
    """scripts/train_model.py con el cambio de la Parte 2 (el bloque del tutorial)."""
    [block] = [
        dedented(match)
        for match in CHANGE_MARK.finditer(tutorial_text())
        if match.group("kind") == "cambio"
    ]
    anchor, *new_lines = block.rstrip("\n").split("\n")
    source = (work / "scripts" / "train_model.py").read_text(encoding="utf-8")
    assert source.count(anchor + "\n") == 1, anchor
    changed = source.replace(anchor + "\n", "\n".join([anchor, *new_lines]) + "\n")
    return {"scripts/train_model.py": changed}


def open_tutorial_pull_request(
    student: StudentRepo, github: FakeGitHub, number: int, title: str
) -> dict[str, Any]:
    """La rama de la Parte 2 con su commit, su push y el pull request hacia main.

    Devuelve el evento ``pull_request`` con el commit de prueba de la fusión
    que crea GitHub (``refs/pull/N/merge``).
    """
    base = student.git("rev-parse", "main")
    student.git("switch", "--quiet", "-c", BRANCH)
    head = student.commit(FIRST_TITLE, tutorial_change(student.work))
    student.push(BRANCH)
    merge = github.update_pull_request_refs(number, BRANCH)
    return pull_request_event(
        number, head, base, title=title, head_ref=BRANCH, merge_sha=merge
    )


def merge_pull_request(student: StudentRepo, event: dict[str, Any]) -> None:
    """«Merge pull request» (Create a merge commit), como lo escribe GitHub."""
    pull = event["pull_request"]
    student.git("switch", "--quiet", "main")
    student.git(
        "merge",
        "--quiet",
        "--no-ff",
        "-m",
        f"Merge pull request #{pull['number']} from {REPOSITORY.split('/')[0]}/"
        f"{pull['head']['ref']}",
        "-m",
        pull["title"],
        pull["head"]["sha"],
    )


def announced_version(text: str) -> str:
    """La versión de la línea «Al fusionar: vX.Y.Z (…)» de un comentario."""
    found = re.findall(r"\*\*Al fusionar: (v\d+\.\d+\.\d+) \(", text)
    assert len(found) == 1, text
    return found[0]


def assert_each_job_installs_only_what_it_uses(
    run: ActRun, environment: ActEnvironment
) -> None:
    """Cada trabajo, en un Python nuevo, instala solo su lock (issue 24).

    Una sola instalación entera (requirements.lock, en Pruebas); Lint y Modelo
    instalan sus locks pequeños; Versión y el comentario, nada. Como cada
    trabajo empieza sin nada, que todos pasen prueba que no les falta nada.
    """
    assert environment.index is not None
    installs = job_installs(run.log, environment.index.sizes)
    # La puerta instala el lock de la rama base, no el del pull request.
    assert "/puerta/requirements-model.lock (line " in run.log
    locks = {job.split("/")[-1]: record.locks for job, record in installs.items()}
    assert locks == {
        "Calidad del código": ["requirements-lint.lock"],
        "Pruebas": ["requirements.lock"],
        "Modelo": ["requirements-model.lock"],
    }, locks
    for job, record in installs.items():
        print(
            f"{job}: {record.packages} paquetes, {record.wheel_bytes / 1e6:.1f} MB "
            f"de wheels ({record.downloaded / 1e6:.1f} MB descargados)"
        )
        assert record.packages > 0 and record.wheel_bytes > 0, job
    full = installs["CI/Pruebas"].packages
    assert installs["Lint/Lint (reutilizable)/Calidad del código"].packages < full / 5
    assert installs["CI/Modelo"].packages < full / 2


@pytest.mark.skipif(NEEDS_PYTHON is not None, reason=NEEDS_PYTHON or "")
def test_first_pull_request_is_all_green_and_cd_releases_the_announced_version(
    student: StudentRepo,
    github: FakeGitHub,
    run_cd: RunCd,
    act_environment: ActEnvironment,
) -> None:
    # Parte 1: el push del primer commit (el del repositorio de la sesión);
    # CD publica v0.0.1.
    assert (
        student.git("log", "--format=%s") == "chore: contenido inicial del laboratorio"
    )
    assert run_cd().returncode == 0
    assert [r.data["tag_name"] for r in github.releases] == ["v0.0.1"]

    # Parte 2: la rama, el cambio, el pull request y CI entero, como en GitHub.
    event = open_tutorial_pull_request(student, github, 1, FIRST_TITLE)
    # Las referencias que GitHub crea para el pull request: la rama y la
    # fusión de prueba, con la base y la rama como padres.
    pull = event["pull_request"]
    assert github.ref_sha("refs/pull/1/head") == pull["head"]["sha"]
    parents = student.git(
        "--git-dir",
        str(student.bare),
        "rev-list",
        "--parents",
        "-n1",
        "refs/pull/1/merge",
    ).split()
    assert parents == [
        pull["merge_commit_sha"],
        pull["base"]["sha"],
        pull["head"]["sha"],
    ]
    run = act_environment.run(student, github, "pull_request", event, "ci.yml")
    print(f"CI del primer pull request: {run.seconds:.1f} s")
    assert run.returncode == 0, run.log
    # Todos los trabajos, también los de los flujos reutilizables.
    for job in ("Lint/", "CI/Pruebas", "CI/Modelo", "CI/Versión", "Comentario/"):
        assert job_succeeded(run, job), job
    assert_each_job_installs_only_what_it_uses(run, act_environment)
    # actions/checkout descargó el commit de prueba de la fusión, a profundidad 1.
    merge = event["pull_request"]["merge_commit_sha"]
    assert f"--depth=1 origin +{merge}:refs/remotes/pull/1/merge" in run.log
    # Las pruebas del laboratorio, todas (también las lentas); sin los
    # colores de la salida de pytest.
    plain = re.sub(r"\x1b\[[0-9;]*m", "", run.log)
    [tests_summary] = re.findall(r"=+ (\d+ passed[^=]*) in [\d.]+s", plain)[-1:]
    assert "deselected" not in tests_summary and "skipped" not in tests_summary
    assert "failed" not in tests_summary and "error" not in tests_summary

    [comment] = github.comments[1]
    body = comment["body"]
    for label in [*ROWS.values(), MODEL_ROW, VERSION_ROW]:
        assert f"| {label} | ✅ Correcto |" in body, body
    assert "✅ Todos los chequeos pasaron." in body
    assert f"| Título del pull request: `{FIRST_TITLE}` | ✅ sigue la regla |" in body
    assert "**Al fusionar: v0.1.0 (feat)**" in body
    assert "- versión menor (funcionalidad nueva) desde v0.0.1" in body
    assert "## 🏷️ Versión" in run.summary()

    # «Merge pull request»: CD publica exactamente la versión anunciada.
    merge_pull_request(student, event)
    released = run_cd()
    assert released.returncode == 0, released.log
    print(f"CD tras la fusión: {released.seconds:.1f} s")
    # CD no instala nada (ni Python: solo git, curl y las acciones).
    assert act_environment.index is not None
    assert job_installs(released.log, act_environment.index.sizes) == {}
    assert [r.data["tag_name"] for r in github.releases] == [
        "v0.0.1",
        announced_version(body),
    ]


def version_section(run: ActRun) -> str:
    """La sección «Versión» que el trabajo Versión dejó en su resumen."""
    summary = run.summary()
    assert "## 🏷️ Versión" in summary, run.log
    return summary[summary.index("## 🏷️ Versión") :].strip() + "\n"


@pytest.mark.skipif(NEEDS_PYTHON is not None, reason=NEEDS_PYTHON or "")
@pytest.mark.parametrize(
    ("title", "result", "expected"),
    [
        (
            "Feat: muestra el autor",
            "❌ No sigue la regla «tipo: descripción» de Conventional Commits: "
            "el tipo «Feat» va en minúsculas. Arreglo: escribe «feat: muestra el "
            "autor» (botón Edit junto al título del pull request).",
            "v0.1.0",
        ),
        ("feat!: muestra el autor al entrenar", "✅ sigue la regla", "v1.0.0"),
    ],
    ids=["mayuscula", "incompatible"],
)
def test_pull_request_title_is_checked_and_cd_releases_the_announced_version(
    act_environment: ActEnvironment,
    student: StudentRepo,
    github: FakeGitHub,
    run_cd: RunCd,
    title: str,
    result: str,
    expected: str,
) -> None:
    # Lo que dejó la Parte 1: main con su primer commit y la etiqueta v0.0.1.
    student.push()
    student.git("tag", "-a", "v0.0.1", "-m", "Versión v0.0.1")
    student.git("push", "--quiet", "origin", "v0.0.1")
    event = open_tutorial_pull_request(student, github, 2, title)

    # El trabajo Versión de ci.yml, tal cual; después, el comentario con su
    # resultado y su sección (GitHub lo publica aunque el trabajo falle).
    run = act_environment.run(
        student, github, "pull_request", event, "ci.yml", job="version"
    )
    print(f"Versión ({title}): {run.seconds:.1f} s")
    ok = result.startswith("✅")
    assert (run.returncode == 0) is ok, run.log
    section = version_section(run)
    assert f"| Título del pull request: `{title}` | {result} |" in section, section
    assert f"**Al fusionar: {expected} (" in section
    # Solo el trabajo Versión corrió aquí: las demás filas dicen ⚠️.
    results = {"version-result": "success" if ok else "failure", "version": section}
    commented = act_environment.run(
        student, github, "pull_request", event, comment_caller(student.root, results)
    )
    assert commented.returncode == 0, commented.log
    [comment] = github.comments[2]
    icon = "✅ Correcto" if ok else "❌ Falló"
    assert f"| {VERSION_ROW} | {icon} |" in comment["body"]
    assert section.strip() in comment["body"]

    merge_pull_request(student, event)
    released = run_cd()
    assert released.returncode == 0, released.log
    assert [r.data["tag_name"] for r in github.releases] == [
        announced_version(comment["body"])
    ]
    assert announced_version(comment["body"]) == expected


@pytest.mark.skipif(NEEDS_PYTHON is not None, reason=NEEDS_PYTHON or "")
def test_a_wrong_title_then_a_lint_failure_update_the_comment_in_place(
    act_environment: ActEnvironment,
    student: StudentRepo,
    github: FakeGitHub,
    run_cd: RunCd,
) -> None:
    student.push()
    event = open_tutorial_pull_request(student, github, 3, "Update train_model.py")

    # Un título que no sigue la regla: ❌ con la regla y el arreglo.
    run = act_environment.run(
        student, github, "pull_request", event, "ci.yml", job="version"
    )
    print(f"Versión con un título no convencional: {run.seconds:.1f} s")
    assert run.returncode != 0
    assert run.step_outcome("Check commit messages") == "failure"
    section = version_section(run)
    assert (
        "| Título del pull request: `Update train_model.py` | ❌ No sigue la regla "
        "«tipo: descripción» de Conventional Commits: no empieza con un tipo "
        "seguido de dos puntos. Arreglo: pon el tipo delante: «feat: Update "
        "train\\_model.py» si añade algo, «fix: Update train\\_model.py» si corrige "
        "un error (botón Edit junto al título del pull request). |"
    ) in section
    # Los commits cuentan igual: la versión se anuncia, y también la de
    # «Squash and merge», donde solo contaría este título.
    assert "**Al fusionar: v0.1.0 (feat)**" in section
    assert "Con «Squash and merge» solo cuenta el título: v0.0.1 (parche)." in section
    results = {"version-result": "failure", "version": section}
    caller = comment_caller(student.root, results)
    assert (
        act_environment.run(student, github, "pull_request", event, caller).returncode
        == 0
    )
    [comment] = github.comments[3]
    assert f"| {VERSION_ROW} | ❌ Falló |" in comment["body"]
    assert "❌ Algún chequeo falló" in comment["body"]

    # La estudiante corrige el título (evento edited) y hace push de un
    # cambio que Black y Flake8 rechazan: el mismo comentario se actualiza.
    student.git("switch", "--quiet", BRANCH)
    head = student.commit("fix: umbral", {"scripts/threshold.py": BAD_CHANGE})
    student.push(BRANCH)
    merge = github.update_pull_request_refs(3, BRANCH)
    event = pull_request_event(
        3,
        head,
        event["pull_request"]["base"]["sha"],
        title=FIRST_TITLE,
        head_ref=BRANCH,
        merge_sha=merge,
    )
    event["action"] = "edited"
    lint = act_environment.run(
        student, github, "pull_request", event, "ci.yml", job="lint"
    )
    print(f"Lint con Black y Flake8 en rojo: {lint.seconds:.1f} s")
    assert lint.returncode != 0
    # El trabajo Lint tiene Black, isort y Flake8; Pylint y MyPy van en
    # Pruebas, con todo el lock (issue 24), que aquí no se ejecuta.
    results = {name: lint.step_outcome(STEPS[name]) for name in LINT_STEPS}
    assert results["black"] == "failure" and results["flake8"] == "failure"
    assert results["isort"] == "failure"  # «import os,sys» tampoco está ordenado
    assert lint.step_outcome("Pylint") == "skipped"  # no es de este trabajo
    version = act_environment.run(
        student, github, "pull_request", event, "ci.yml", job="version"
    )
    assert version.returncode == 0, version.log
    section = version_section(version)
    # Las pruebas no se ejecutaron aquí: su fila lo dice (⚠️).
    results |= {"version-result": "success", "version": section}
    caller = comment_caller(student.root, results)
    assert (
        act_environment.run(student, github, "pull_request", event, caller).returncode
        == 0
    )
    [updated] = github.comments[3]  # el mismo comentario, no uno nuevo
    assert updated["id"] == comment["id"]
    assert len(github.called("PATCH", rf".*/issues/comments/{comment['id']}")) == 1
    assert len(github.called("POST", r".*/issues/3/comments")) == 1
    body = updated["body"]
    assert "| Black (formato) | ❌ Falló |" in body
    assert "| Flake8 (estilo) | ❌ Falló |" in body
    assert "| Pruebas (pytest) | ⚠️ No se ejecutó |" in body
    assert f"| {VERSION_ROW} | ✅ Correcto |" in body
    assert f"| Título del pull request: `{FIRST_TITLE}` | ✅ sigue la regla |" in body
    assert "| Commit " in body and "`fix: umbral` | ✅ sigue la regla |" in body
    assert "❌ Algún chequeo falló" in body

    merge_pull_request(student, event)
    released = run_cd()
    assert released.returncode == 0, released.log
    assert [r.data["tag_name"] for r in github.releases] == [announced_version(body)]


# Un título y un mensaje de commit hechos para romper el comentario: HTML,
# un bloque plegable, una mención, un enlace que dice «pasa», código, una
# barra que partiría la tabla.
EVIL_TITLE = (
    "<img src=x onerror=alert(1)> <details><summary>más</summary> @profesor "
    "[✅ pasa](https://example.com) `a|b` *x*"
)
EVIL_SUBJECT = "Añade <b>negrita</b> | @profesor ![i](https://example.com/i.png)"


def student_text_cells(body: str) -> list[list[str]]:
    """Las celdas de cada fila de la tabla «Versión» (separadas por «|» sin escapar)."""
    section = body[body.index("## 🏷️ Versión") :]
    rows = [line for line in section.splitlines() if line.startswith("| Título")]
    rows += [line for line in section.splitlines() if line.startswith("| Commit")]
    return [re.split(r"(?<!\\)\|", row)[1:-1] for row in rows]


@pytest.mark.skipif(NEEDS_PYTHON is not None, reason=NEEDS_PYTHON or "")
def test_student_text_in_the_comment_stays_text(
    act_environment: ActEnvironment, student: StudentRepo, github: FakeGitHub
) -> None:
    student.push()
    base = student.git("rev-parse", "main")
    student.git("switch", "--quiet", "-c", BRANCH)
    head = student.commit(EVIL_SUBJECT, {"scripts/threshold.py": GOOD_CHANGE})
    student.push(BRANCH)
    merge = github.update_pull_request_refs(8, BRANCH)
    event = pull_request_event(
        8, head, base, title=EVIL_TITLE, head_ref=BRANCH, merge_sha=merge
    )
    run = act_environment.run(
        student, github, "pull_request", event, "ci.yml", job="version"
    )
    assert run.returncode != 0, run.log  # ni el título ni el commit siguen la regla
    section = version_section(run)
    caller = comment_caller(
        student.root, {"version-result": "failure", "version": section}
    )
    commented = act_environment.run(student, github, "pull_request", event, caller)
    assert commented.returncode == 0, commented.log

    # El comentario que recibió la API: cada fila tiene sus dos celdas, y el
    # texto del estudiante no es HTML, ni enlace, ni imagen, ni mención.
    [comment] = github.comments[8]
    body = comment["body"]
    cells = student_text_cells(body)
    assert len(cells) == 2 and all(len(row) == 2 for row in cells), body
    for message, explanation in cells:
        # El mensaje, como código: una sola cerca de comillas invertidas.
        code = message.split(": ", 1)[1].strip()
        fence = re.match(r"`+", code)
        assert fence and code.endswith(fence.group()), code
        assert fence.group() not in code[len(fence.group()) : -len(fence.group())]
        # La explicación lo repite escapado: nada de marcado sin su barra.
        assert not re.search(r"(?<!\\)[<>\[\]`*]", explanation), explanation
        assert "@profesor" not in explanation
        assert "https://" not in explanation
    assert "@\u200bprofesor" in body and "\\<img src=x onerror=alert(1)\\>" in body
    # Fuera de la tabla, el título no aparece en ninguna otra parte.
    outside = "\n".join(
        line
        for line in body.splitlines()
        if not line.startswith(("| Título", "| Commit"))
    )
    for raw in ("<img", "<details", "<b>", "@profesor", "example.com"):
        assert raw not in outside, raw


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
