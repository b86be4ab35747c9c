"""Pruebas de los flujos de GitHub Actions del laboratorio, sin red.

- actionlint y zizmor sobre una copia del laboratorio con ``git init``, como
  la que hace un estudiante (actionlint solo revisa las llamadas entre flujos
  reutilizables cuando encuentra la raíz del repositorio);
- la estructura de los YAML: acciones fijadas por SHA, disparadores,
  permisos, historial completo antes de calcular la versión, filas del
  comentario y los mismos comandos que ``scripts/run_checks.py``;
- los patrones de versión semántica con la regla de PaulHatch/semantic-version
  v6 (``DefaultVersionClassifier.parsePattern``): un patrón entre barras es una
  expresión regular, cualquier otro texto se busca literal; con
  ``search_commit_body`` se prueba contra el título y contra el cuerpo.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from github_fake.act import NOT_COPIED
from student_repo import StudentRepo

ROOT = Path(__file__).resolve().parents[1]
LAB = ROOT / "labs" / "gitops-workflow"
WORKFLOWS = LAB / ".github" / "workflows"
BIN = Path(sys.executable).parent
LINTERS = ("black", "isort", "flake8", "pylint", "mypy")

# Las versiones de ../shared/docs/actions.md.
PINNED_ACTIONS = {
    "actions/checkout": ("3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1"),
    "actions/setup-python": ("5fda3b95a4ea91299a34e894583c3862153e4b97", "v7.0.0"),
    "PaulHatch/semantic-version": (
        "9f72830310d5ed81233b641ee59253644cd8a8fc",
        "v6.0.2",
    ),
    "softprops/action-gh-release": (
        "b4309332981a82ec1c5618f44dd2e27cc8bfbfda",
        "v3.0.0",
    ),
    "mshick/add-pr-comment": ("8e4927817251f1ff60c001f04568532b38e0b4a0", "v3.11.0"),
}


# --------------------------------------------------------------------------
# Utilidades
# --------------------------------------------------------------------------


def tool(name: str) -> str:
    """Ruta de una herramienta instalada en el entorno virtual del proyecto."""
    path = BIN / name
    assert path.exists(), f"falta {name}: instala requirements-dev.txt"
    return str(path)


def copy_lab(destination: Path) -> Path:
    """Copia el contenido del laboratorio a ``destination`` y hace ``git init``."""
    shutil.copytree(LAB, destination, ignore=shutil.ignore_patterns(*NOT_COPIED))
    subprocess.run(["git", "init", "--quiet", str(destination)], check=True, timeout=30)
    return destination


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Ejecuta un comando en ``cwd`` y captura su salida."""
    return subprocess.run(
        args,
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def actionlint(repo: Path) -> subprocess.CompletedProcess[str]:
    """actionlint sin los revisores externos opcionales (shellcheck, pyflakes)."""
    return run([tool("actionlint"), "-shellcheck=", "-pyflakes="], repo)


def load(name: str) -> dict[Any, Any]:
    """Lee un flujo de .github/workflows como diccionario."""
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    """La sección ``on:`` de un flujo."""
    # PyYAML (YAML 1.1) lee la clave «on» como el booleano True.
    value = workflow.get("on", workflow.get(True))
    assert isinstance(value, dict)
    return value


def all_workflows() -> dict[str, dict[Any, Any]]:
    """Todos los flujos del laboratorio, por nombre de archivo."""
    return {path.name: load(path.name) for path in sorted(WORKFLOWS.glob("*.yml"))}


def all_steps() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Cada paso de cada trabajo: (archivo, trabajo, paso)."""
    for name, workflow in all_workflows().items():
        for job_id, job in workflow["jobs"].items():
            for step in job.get("steps", []):
                yield name, job_id, step


def step_named(steps: list[dict[str, Any]], step_id: str) -> dict[str, Any]:
    """El único paso con ese ``id``."""
    matches = [step for step in steps if step.get("id") == step_id]
    assert len(matches) == 1, step_id
    return matches[0]


@pytest.fixture(scope="module", name="lab_copy")
def fixture_lab_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Una copia del laboratorio con git init, compartida por las pruebas."""
    return copy_lab(tmp_path_factory.mktemp("alumno") / "repo")


# --------------------------------------------------------------------------
# actionlint, zizmor y el esquema
# --------------------------------------------------------------------------


def test_expected_workflows_exist() -> None:
    assert sorted(path.name for path in WORKFLOWS.glob("*.yml")) == [
        "cd.yml",
        "ci.yml",
        "deploy_model.yml",
        "progress.yml",
        "reusable_create_release.yml",
        "reusable_create_tag.yml",
        "reusable_lint.yml",
        "reusable_pr_comment.yml",
        "reusable_semantic_version.yml",
    ]


def test_actionlint_finds_nothing(lab_copy: Path) -> None:
    result = actionlint(lab_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("filename", "old", "new", "expected"),
    [
        # El que llama pasa una entrada que el flujo reutilizable no declara.
        (
            "ci.yml",
            "      black: ${{ needs.lint.outputs.black }}",
            "      blak: ${{ needs.lint.outputs.black }}",
            "blak",
        ),
        # El que llama lee una salida que el flujo reutilizable no tiene.
        (
            "cd.yml",
            "needs.version.outputs.changed == 'true' && github.ref",
            "needs.version.outputs.chnged == 'true' && github.ref",
            "chnged",
        ),
        # El flujo reutilizable renombra una entrada obligatoria.
        (
            "reusable_create_tag.yml",
            "    inputs:\n      tag:\n",
            "    inputs:\n      tag-name:\n",
            "tag",
        ),
    ],
)
def test_actionlint_checks_calls_between_workflows(
    tmp_path: Path, filename: str, old: str, new: str, expected: str
) -> None:
    repo = copy_lab(tmp_path / "repo")
    path = repo / ".github" / "workflows" / filename
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = actionlint(repo)
    assert result.returncode == 1, result.stdout + result.stderr
    assert expected in result.stdout


def test_zizmor_finds_nothing_at_low_severity_or_above(lab_copy: Path) -> None:
    result = run(
        [
            tool("zizmor"),
            "--offline",
            "--min-severity",
            "low",
            ".github/workflows",
        ],
        lab_copy,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout


def test_zizmor_ignores_only_self_repository_with_a_reason() -> None:
    for path in WORKFLOWS.glob("*.yml"):
        text = path.read_text(encoding="utf-8")
        ignores = re.findall(r"zizmor: ignore\[([^\]]+)\]", text)
        # Progreso: workflow_run solo lee, con el código de la rama principal.
        allowed = {"self-repository"} | (
            {"dangerous-triggers"} if path.name == "progress.yml" else set()
        )
        assert set(ignores) <= allowed, path.name
        if "self-repository" in ignores:
            assert "la forma que\n# documenta GitHub" in text, path.name
        if "dangerous-triggers" in ignores:
            assert "nunca el de un pull request" in text, path.name


def test_workflows_match_the_github_schema() -> None:
    result = run(
        [
            tool("check-jsonschema"),
            "--builtin-schema",
            "vendor.github-workflows",
            *map(str, sorted(WORKFLOWS.glob("*.yml"))),
        ],
        ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --------------------------------------------------------------------------
# Seguridad y versiones de las acciones
# --------------------------------------------------------------------------


def test_every_action_is_pinned_by_sha_with_its_version() -> None:
    used = set()
    for path in WORKFLOWS.glob("*.yml"):
        for line in path.read_text(encoding="utf-8").splitlines():
            match = re.match(r"\s*(?:- )?uses: (\S+)(.*)$", line)
            if not match or match.group(1).startswith("./"):
                continue
            action, _, ref = match.group(1).partition("@")
            assert re.fullmatch(r"[0-9a-f]{40}", ref), line
            sha, version = PINNED_ACTIONS[action]
            assert ref == sha, line
            assert match.group(2) == f" # {version}", line
            used.add(action)
    assert used == set(PINNED_ACTIONS)


def test_permissions_are_empty_on_top_and_granted_per_job() -> None:
    writes: dict[str, set[str]] = {}
    for name, workflow in all_workflows().items():
        assert workflow["permissions"] == {}, name
        for job_id, job in workflow["jobs"].items():
            assert "permissions" in job, f"{name}:{job_id}"
            for scope, level in job["permissions"].items():
                assert level in ("read", "write"), f"{name}:{job_id}"
                if level == "write":
                    writes.setdefault(scope, set()).add(f"{name}:{job_id}")
    assert writes == {
        "contents": {
            "cd.yml:tag",
            "cd.yml:release",
            "reusable_create_tag.yml:tag",
            "reusable_create_release.yml:release",
        },
        "pull-requests": {"ci.yml:comment", "reusable_pr_comment.yml:comment"},
        # El token OIDC para Azure (deploy_model.yml, solo desde main).
        "id-token": {"deploy_model.yml:deploy"},
    }


def test_checkouts_do_not_keep_credentials() -> None:
    checkouts = [
        step
        for _, _, step in all_steps()
        if step.get("uses", "").startswith("actions/checkout@")
    ]
    assert len(checkouts) == 8
    for step in checkouts:
        assert step["with"]["persist-credentials"] is False


def test_jobs_run_on_current_ubuntu() -> None:
    for name, workflow in all_workflows().items():
        for job_id, job in workflow["jobs"].items():
            if "uses" not in job:
                assert job["runs-on"] in ("ubuntu-latest", "ubuntu-24.04"), name
                assert job["timeout-minutes"] <= 30, f"{name}:{job_id}"


def test_scripts_never_expand_expressions_and_no_check_is_softened() -> None:
    for name, job_id, step in all_steps():
        script = step.get("run", "")
        where = f"{name}:{job_id}:{step.get('name')}"
        assert "${{" not in script, where
        assert "|| true" not in script, where
        assert "--exit-zero" not in script, where
        assert "continue-on-error" not in step, where
        assert not re.search(r"echo[^\n]*\$\{?AZURE_CLIENT_SECRET", script), where


# --------------------------------------------------------------------------
# CI
# --------------------------------------------------------------------------


def test_ci_triggers_on_pull_requests_and_cancels_superseded_runs() -> None:
    workflow = load("ci.yml")
    # edited: cambiar el título del pull request vuelve a revisar los mensajes.
    assert triggers(workflow) == {
        "pull_request": {
            "branches": ["main", "develop"],
            "types": ["opened", "synchronize", "reopened", "edited"],
        }
    }
    assert workflow["concurrency"]["cancel-in-progress"] is True
    assert "pull_request.number" in workflow["concurrency"]["group"]


def load_run_checks(lab: Path) -> ModuleType:
    """Importa scripts/run_checks.py de una copia del laboratorio.

    De una copia: importar desde labs/gitops-workflow/ escribiría allí
    ``__pycache__``.
    """
    spec = importlib.util.spec_from_file_location(
        "run_checks", lab / "scripts" / "run_checks.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses busca el módulo en sys.modules al crear la clase; _lab.py,
    # lo primero que importa el script, está en su carpeta.
    sys.modules[spec.name] = module
    sys.path.insert(0, str(lab / "scripts"))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(lab / "scripts"))
    return module


# Black, isort y Flake8 en el trabajo Lint (requirements-lint.lock); Pylint y
# MyPy, que leen los paquetes instalados, con pytest en Pruebas (el lock entero).
LINT_JOB = ("black", "isort", "flake8")
TESTS_JOB = ("pylint", "mypy", "pytest")


def test_lint_job_runs_the_same_commands_as_the_local_check(tmp_path: Path) -> None:
    assert tuple(load_run_checks(copy_lab(tmp_path / "lab")).CHECKS) == (
        *LINTERS,
        "pytest",
    )
    for job, names in (
        (load("reusable_lint.yml")["jobs"]["lint"], LINT_JOB),
        (load("ci.yml")["jobs"]["tests"], TESTS_JOB),
    ):
        commands = [
            step["run"] for step in job["steps"] if "run_checks.py" in str(step)
        ]
        assert commands == [
            f"python scripts/run_checks.py {name} --completo" for name in names
        ]
        for name in names:
            step = step_named(job["steps"], name)
            # Cada herramienta corre aunque otra anterior haya fallado.
            assert step["if"].startswith("${{ !cancelled()"), name
            assert job["outputs"][name] == f"${{{{ steps.{name}.outcome }}}}"
    install = step_named(load("reusable_lint.yml")["jobs"]["lint"]["steps"], "install")
    assert install["run"] == (
        "python -m pip install --require-hashes -r requirements-lint.lock"
    )


def test_tests_job_runs_pytest_through_the_local_check() -> None:
    steps = load("ci.yml")["jobs"]["tests"]["steps"]
    runs = [step.get("run", "") for step in steps]
    assert runs[-1] == "python scripts/run_checks.py pytest --completo"
    assert "python -m pip install --require-hashes -r requirements.lock" in runs


def test_lint_outputs_are_declared_for_every_linter() -> None:
    outputs = triggers(load("reusable_lint.yml"))["workflow_call"]["outputs"]
    assert set(outputs) == set(LINT_JOB)
    for name in LINT_JOB:
        assert outputs[name]["value"] == f"${{{{ jobs.lint.outputs.{name} }}}}"


def test_pr_comment_gets_every_result_even_when_a_check_failed() -> None:
    comment = load("ci.yml")["jobs"]["comment"]
    assert comment["needs"] == ["lint", "tests", "model", "version"]
    assert comment["if"] == "${{ !cancelled() }}"
    expected = {name: f"${{{{ needs.lint.outputs.{name} }}}}" for name in LINT_JOB}
    expected |= {name: f"${{{{ needs.tests.outputs.{name} }}}}" for name in LINTERS[3:]}
    expected["tests"] = "${{ needs.tests.outputs.pytest }}"
    expected["model-result"] = "${{ needs.model.result }}"
    expected["model"] = "${{ needs.model.outputs.section }}"
    expected["version-result"] = "${{ needs.version.result }}"
    expected["version"] = "${{ needs.version.outputs.section }}"
    assert comment["with"] == expected


def test_pr_comment_table_has_a_row_per_linter_and_the_tests() -> None:
    workflow = load("reusable_pr_comment.yml")
    inputs = triggers(workflow)["workflow_call"]["inputs"]
    assert set(inputs) == {
        *LINTERS,
        "tests",
        "model-result",
        "model",
        "version-result",
        "version",
    }
    steps = workflow["jobs"]["comment"]["steps"]
    table = step_named(steps, "table")
    rows = [line.strip() for line in table["run"].splitlines()]
    for label, variable in [
        ("Black (formato)", "BLACK"),
        ("isort (orden de imports)", "ISORT"),
        ("Flake8 (estilo)", "FLAKE8"),
        ("Pylint (análisis estático)", "PYLINT"),
        ("MyPy (tipos)", "MYPY"),
        ("Pruebas (pytest)", "TESTS"),
        ("Modelo (puerta de calidad)", "MODEL_RESULT"),
        ("Mensajes de commit (Conventional Commits)", "VERSION_RESULT"),
    ]:
        assert rows.count(f'row "{label}" "${variable}"') == 1
    # La fila del modelo, solo si quien llama da su resultado.
    assert 'if [ -n "$MODEL_RESULT" ]; then' in rows
    assert 'if [ -n "$VERSION_RESULT" ]; then' in rows
    # Las secciones «Modelo» y «Versión» las añaden otros pasos.
    for name in set(inputs) - {"model", "version"}:
        variable = name.upper().replace("-", "_")
        assert table["env"][variable] == f"${{{{ inputs.{name} }}}}"
    assert "RUN_URL" in table["env"] and "$RUN_URL" in table["run"]


def test_pr_comment_is_skipped_for_forks_and_dependabot_without_failing() -> None:
    # tests/test_workflows_act.py lo ejecuta con un token de solo lectura.
    steps = load("reusable_pr_comment.yml")["jobs"]["comment"]["steps"]
    post = next(step for step in steps if "add-pr-comment" in step.get("uses", ""))
    assert post["if"] == "${{ steps.access.outputs.can-comment == 'true' }}"
    assert post["with"]["message-id"] == "ci-results"
    assert post["with"]["message-path"] == "comment.md"
    access = step_named(steps, "access")
    assert "dependabot[bot]" in access["run"]
    assert "fork" in access["run"] and "GITHUB_STEP_SUMMARY" in access["run"]
    names = [step["name"] for step in steps]
    assert names.index("Add to the job summary") < names.index(access["name"])


@pytest.fixture(name="comment_script")
def fixture_comment_script() -> Callable[..., str]:
    """Ejecuta el script que arma la tabla del comentario con bash."""
    steps = load("reusable_pr_comment.yml")["jobs"]["comment"]["steps"]
    script = step_named(steps, "table")["run"]

    def render(tmp_path: Path, **results: str) -> str:
        summary = tmp_path / "summary.md"
        env = {
            "PATH": os.environ["PATH"],
            "GITHUB_STEP_SUMMARY": str(summary),
            "RUN_URL": "https://github.com/alumno/lab/actions/runs/1",
            **{name.upper(): value for name, value in results.items()},
        }
        subprocess.run(
            ["bash", "-e", "-c", script], cwd=tmp_path, env=env, check=True, timeout=30
        )
        assert sorted(path.name for path in tmp_path.iterdir()) == ["comment.md"]
        return (tmp_path / "comment.md").read_text(encoding="utf-8")

    return render


def test_comment_table_shows_each_result(
    tmp_path: Path, comment_script: Callable[..., str]
) -> None:
    comment = comment_script(
        tmp_path,
        black="success",
        isort="success",
        flake8="failure",
        pylint="success",
        mypy="skipped",
        tests="",
    )
    assert "| Black (formato) | ✅ Correcto |" in comment
    assert "| Flake8 (estilo) | ❌ Falló |" in comment
    assert "| MyPy (tipos) | ⚠️ No se ejecutó |" in comment
    assert "| Pruebas (pytest) | ⚠️ No se ejecutó |" in comment
    assert "❌ Algún chequeo falló" in comment
    assert "(https://github.com/alumno/lab/actions/runs/1)" in comment


def test_comment_table_when_everything_passed(
    tmp_path: Path, comment_script: Callable[..., str]
) -> None:
    results = {name: "success" for name in (*LINTERS, "tests", "model_result")}
    comment = comment_script(tmp_path, **results)
    assert comment.count("✅ Correcto") == 7
    assert "✅ Todos los chequeos pasaron." in comment


def test_comment_table_when_no_check_ran_does_not_say_one_failed(
    tmp_path: Path, comment_script: Callable[..., str]
) -> None:
    results = {name: "skipped" for name in (*LINTERS, "model_result")}
    comment = comment_script(tmp_path, tests="", **results)
    assert comment.count("⚠️ No se ejecutó") == 7
    assert "falló:" not in comment and "❌" not in comment
    assert "⚠️ Ningún chequeo falló, pero no todos se ejecutaron" in comment


# --------------------------------------------------------------------------
# CD
# --------------------------------------------------------------------------


def test_cd_triggers_on_main_and_manually_and_never_cancels_a_release() -> None:
    workflow = load("cd.yml")
    assert triggers(workflow) == {
        "push": {"branches": ["main"], "paths-ignore": ["**.md", ".gitignore"]},
        "workflow_dispatch": None,
    }
    assert workflow["concurrency"]["cancel-in-progress"] is False


def test_cd_chains_version_tag_and_release_only_for_a_new_version() -> None:
    jobs = load("cd.yml")["jobs"]
    assert (
        jobs["version"]["uses"] == "./.github/workflows/reusable_semantic_version.yml"
    )
    assert jobs["tag"]["uses"] == "./.github/workflows/reusable_create_tag.yml"
    assert jobs["release"]["uses"] == "./.github/workflows/reusable_create_release.yml"
    assert jobs["tag"]["needs"] == "version"
    assert jobs["release"]["needs"] == ["version", "tag"]
    for job_id in ("tag", "release"):
        assert "needs.version.outputs.changed == 'true'" in jobs[job_id]["if"]
        assert jobs[job_id]["with"]["tag"] == "${{ needs.version.outputs.version_tag }}"
    assert jobs["release"]["with"]["project-name"] == "gitops-lab"


def test_full_history_is_fetched_before_computing_the_version() -> None:
    steps = load("reusable_semantic_version.yml")["jobs"]["version"]["steps"]
    uses = [step.get("uses", "") for step in steps]
    checkout = uses.index(next(u for u in uses if u.startswith("actions/checkout@")))
    semver = uses.index(
        next(u for u in uses if u.startswith("PaulHatch/semantic-version@"))
    )
    assert checkout < semver
    assert steps[checkout]["with"]["fetch-depth"] == 0


def test_semantic_version_outputs() -> None:
    outputs = triggers(load("reusable_semantic_version.yml"))["workflow_call"][
        "outputs"
    ]
    assert set(outputs) == {"version", "version_tag", "changed"}


def test_tag_is_annotated_and_created_with_the_rest_api() -> None:
    # tests/test_workflows_act.py la ejecuta de verdad; aquí, su forma.
    [step] = load("reusable_create_tag.yml")["jobs"]["tag"]["steps"]
    assert "uses" not in step
    assert step["env"]["GH_TOKEN"] == "${{ github.token }}"
    assert step["env"]["TAG"] == "${{ inputs.tag }}"
    for call in (
        'api GET "/git/ref/tags/${TAG}"',
        "api POST /git/tags",
        "api POST /git/refs",
    ):
        assert call in step["run"]
    assert '"${GITHUB_API_URL}/repos/${REPOSITORY}$2"' in step["run"]


def test_release_zip_is_the_repository_without_git_and_must_exist() -> None:
    steps = load("reusable_create_release.yml")["jobs"]["release"]["steps"]
    zip_step = step_named_by(steps, "Zip the lab")
    assert "git archive --format=zip" in zip_step["run"]
    release = next(step for step in steps if "gh-release" in step.get("uses", ""))
    assert release["with"]["generate_release_notes"] is True
    assert release["with"]["fail_on_unmatched_files"] is True
    assert release["with"]["files"] == zip_step["env"]["ZIP_NAME"]


def step_named_by(steps: list[dict[str, Any]], name: str) -> dict[str, Any]:
    """El único paso con ese ``name``."""
    matches = [step for step in steps if step.get("name") == name]
    assert len(matches) == 1, name
    return matches[0]


def test_no_action_runs_on_node20_or_older() -> None:
    vendor = ROOT.parent / "shared" / "vendor" / "github-actions"
    if not vendor.is_dir():
        pytest.skip(f"falta {vendor}: no se puede leer el action.yml de cada acción")
    for action in PINNED_ACTIONS:
        runs = yaml.safe_load((vendor / action / "action.yml").read_text("utf-8"))
        assert runs["runs"]["using"] in ("node24", "composite"), action


# --------------------------------------------------------------------------
# Versión semántica: la regla de la acción aplicada a nuestros patrones
# --------------------------------------------------------------------------


def semver_settings() -> dict[str, Any]:
    """Las entradas del paso de PaulHatch/semantic-version."""
    steps = load("reusable_semantic_version.yml")["jobs"]["version"]["steps"]
    step = next(s for s in steps if s.get("uses", "").startswith("PaulHatch/"))
    settings = step["with"]
    assert isinstance(settings, dict)
    return settings


def parse_pattern(
    pattern: str, search_body: bool, flags: str = ""
) -> Callable[[str, str], bool]:
    """La regla de la acción: ``/regex/`` (con sus banderas) o texto."""
    if re.fullmatch(r"/.+/i*", pattern, flags=re.DOTALL):
        end = pattern.rindex("/")
        written = pattern[end + 1 :] or flags
        regex = re.compile(
            pattern[1:end],
            (re.IGNORECASE if "i" in written else 0)
            | (re.MULTILINE if "m" in written else 0),
        )

        def matches_regex(subject: str, body: str) -> bool:
            found = regex.search(subject) or (search_body and regex.search(body))
            return bool(found)

        return matches_regex

    def matches_text(subject: str, body: str) -> bool:
        return pattern in subject or (search_body and pattern in body)

    return matches_text


def bump(commits: list[tuple[str, str]]) -> str:
    """Tipo de cambio que la acción deduce de los commits (título, cuerpo)."""
    settings = semver_settings()
    search_body = settings["search_commit_body"] is True
    major = parse_pattern(
        settings["major_pattern"], search_body, settings.get("major_regexp_flags", "")
    )
    minor = parse_pattern(
        settings["minor_pattern"], search_body, settings.get("minor_regexp_flags", "")
    )
    if not commits:
        return "none"
    if any(major(subject, body) for subject, body in commits):
        return "major"
    if any(minor(subject, body) for subject, body in commits):
        return "minor"
    return "patch"


def next_version(commits: list[tuple[str, str]], last: str = "0.0.0") -> str:
    """La versión siguiente, como ``getNextVersion`` sin modo prerelease."""
    major, minor, patch = map(int, last.split("."))
    kind = bump(commits)
    if kind == "major":
        return f"{major + 1}.0.0"
    if kind == "minor":
        return f"{major}.{minor + 1}.0"
    if kind == "patch":
        return f"{major}.{minor}.{patch + 1}"
    return last


def test_patterns_are_regular_expressions_searched_in_the_body_too() -> None:
    settings = semver_settings()
    assert settings["major_pattern"].startswith("/")
    assert settings["major_pattern"].endswith("/")
    assert settings["minor_pattern"].startswith("/")
    assert settings["minor_pattern"].endswith("/")
    assert settings["search_commit_body"] is True
    assert settings["tag_prefix"] == "v"
    assert "enable_prerelease_mode" not in settings
    # ^ al comienzo de cada línea: el pie «BREAKING CHANGE:», no una mención.
    assert settings["major_regexp_flags"] == "m"
    assert "|^BREAKING[ -]CHANGE:/" in settings["major_pattern"]


def test_a_pattern_without_slashes_is_matched_literally() -> None:
    # Lo que pasaba con el patrón original: sin barras, «feat!?:» es texto.
    literal = parse_pattern("feat!?:", search_body=False)
    assert not literal("feat: x", "")
    assert literal("feat!?: x", "")
    assert parse_pattern("/feat!?:/", search_body=False)("feat: x", "")


@pytest.mark.parametrize(
    ("subject", "body", "expected"),
    [
        ("feat: x", "", "minor"),
        ("feat(api): x", "", "minor"),
        ("fix: x", "", "patch"),
        ("fix(api): x", "", "patch"),
        ("chore: x", "", "patch"),
        ("docs: x", "", "patch"),
        ("feat!: x", "", "major"),
        ("feat(api)!: x", "", "major"),
        ("refactor!: x", "", "major"),
        ("fix!: x", "", "major"),
        ("feat: x", "BREAKING CHANGE: x", "major"),
        ("fix: x", "Explica el cambio.\n\nBREAKING CHANGE: x", "major"),
        ("fix: x", "BREAKING-CHANGE: x", "major"),
        # Mencionarlo en medio de una frase no es un cambio incompatible.
        ("fix: x", "Esto no es un BREAKING CHANGE: solo docs", "patch"),
        ("docs: explica qué es un BREAKING CHANGE: y cuándo usarlo", "", "patch"),
        ("chore: x", "feat: y", "minor"),
        ("Merge pull request #1 from alumno/rama", "feat: x", "minor"),
        ("fix: defeat: x", "", "patch"),
        ("chore: update feature flags", "", "patch"),
    ],
)
def test_commit_message_bumps(subject: str, body: str, expected: str) -> None:
    assert bump([(subject, body)]) == expected
    # La regla del laboratorio (la que anuncia CI) da lo mismo que la acción.
    conventional = load_conventional()
    assert conventional.bump_of(conventional.Commit(subject, body)) == expected


def load_conventional() -> ModuleType:
    """Importa src/course/conventional.py del laboratorio (solo biblioteca estándar)."""
    spec = importlib.util.spec_from_file_location(
        "conventional", LAB / "src" / "course" / "conventional.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_semantic_version_step_gets_the_inputs_of_the_lab_rule() -> None:
    assert semver_settings() == load_conventional().SEMANTIC_VERSION_INPUTS


# El clasificador de la acción, tal cual está en su dist/index.js fijado (la
# clase DefaultVersionClassifier), ejecutado con Node 24 como en el runner.
CLASSIFIER_SCRIPT = r"""
const fs = require("fs");
// Con «node -e», los argumentos empiezan en argv[1].
const [dist, settingsJson, unitJson] = process.argv.slice(1);
const source = fs.readFileSync(dist, "utf8");
const start = source.indexOf("class DefaultVersionClassifier {");
const end = source.indexOf("exports.DefaultVersionClassifier = DefaultVersionClassifier;");
if (start < 0 || end < 0) throw new Error("no se encontró el clasificador");
const DefaultVersionClassifier = new Function(
  "CommitInfoSet_1", "VersionClassification_1", "VersionType_1", "__awaiter",
  source.slice(start, end) + "\nreturn DefaultVersionClassifier;"
)({}, {}, {}, null);
const settings = JSON.parse(settingsJson);
const classifier = new DefaultVersionClassifier({
  majorPattern: settings.major_pattern,
  majorFlags: settings.major_regexp_flags || "",
  minorPattern: settings.minor_pattern,
  minorFlags: settings.minor_regexp_flags || "",
  searchCommitBody: settings.search_commit_body === true,
  ignoreCommitsPattern: "",
  enablePrereleaseMode: false,
});
const unit = JSON.parse(unitJson);
const body = unit.repeat(Math.ceil((1 << 20) / unit.length)).slice(0, 1 << 20);
const started = process.hrtime.bigint();
const kinds = [
  classifier.majorPattern({ subject: "fix: x", body }),
  classifier.minorPattern({ subject: "fix: x", body }),
  classifier.majorPattern({ subject: "feat!: x", body: "" }),
  classifier.minorPattern({ subject: "chore: x", body: "feat(api): y" }),
];
console.log(JSON.stringify({
  seconds: Number(process.hrtime.bigint() - started) / 1e9, kinds,
}));
"""


@pytest.mark.parametrize("unit", ["a(\n", "a(", "a", "feat(", "BREAKING"])
def test_the_action_classifies_a_1_mb_body_in_linear_time(unit: str) -> None:
    # Con el patrón anterior ([^)]* cruzaba líneas), un cuerpo de 1 MB hecho
    # de líneas «a(» tardaba minutos en el motor de JavaScript de la acción.
    from github_fake.act import NODE_HOME, VENDOR

    dist = VENDOR / "PaulHatch" / "semantic-version" / "dist" / "index.js"
    node = NODE_HOME / "bin" / "node"
    assert dist.is_file() and node.is_file(), "ejecuta ./dev.sh setup"
    settings = json.dumps(semver_settings())
    try:
        result = subprocess.run(
            [str(node), "-e", CLASSIFIER_SCRIPT, str(dist), settings, json.dumps(unit)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("la acción tardó más de 2 minutos con un cuerpo de 1 MB")
    assert result.returncode == 0, result.stderr
    measured = json.loads(result.stdout)
    # Generoso: en un equipo cargado tarda menos de una décima de segundo.
    assert measured["seconds"] < 10, measured
    assert measured["kinds"] == [False, False, True, True]


def git_commits(repo: Path) -> list[tuple[str, str]]:
    """Título y cuerpo de cada commit, leídos con git como hace la acción."""
    log = run(["git", "log", "--pretty=%s@@@BODY@@@%b@@@END@@@"], repo)
    assert log.returncode == 0, log.stderr
    records = [record.strip() for record in log.stdout.split("@@@END@@@")]
    return [
        (subject.strip(), body.strip())
        for subject, body in (
            record.split("@@@BODY@@@") for record in records if record
        )
    ]


@pytest.mark.parametrize(
    ("messages", "expected"),
    [
        (["feat: primer modelo"], "0.1.0"),
        (["fix: corrige el umbral"], "0.0.1"),
        (["feat!: cambia las columnas"], "1.0.0"),
        (["refactor: x\n\nBREAKING CHANGE: cambia la API"], "1.0.0"),
        (["chore: inicio", "fix: y", "feat(api): z"], "0.1.0"),
    ],
)
def test_version_on_a_repository_without_tags(
    tmp_path: Path, messages: list[str], expected: str
) -> None:
    subprocess.run(["git", "init", "--quiet", str(tmp_path)], check=True, timeout=30)
    for message in messages:
        result = run(
            [
                "git",
                "-c",
                "user.name=Alumno",
                "-c",
                "user.email=alumno@example.com",
                "commit",
                "--quiet",
                "--allow-empty",
                "-m",
                message,
            ],
            tmp_path,
        )
        assert result.returncode == 0, result.stderr
    assert run(["git", "tag"], tmp_path).stdout == ""
    assert next_version(git_commits(tmp_path)) == expected


@pytest.mark.parametrize("title", ["-x", "--", "-feat:<img/src=x>"])
def test_version_job_takes_a_title_that_starts_with_a_dash(
    tmp_path: Path, title: str
) -> None:
    # Un título de pull request sin espacios que empieza con «-»: antes,
    # argparse lo leía como otra opción («expected one argument»).
    repo = copy_lab(tmp_path / "repo")
    identity = ["-c", "user.name=Alumna", "-c", "user.email=alumna@example.com"]
    for args in (
        ["checkout", "--quiet", "-b", "main"],
        ["add", "--all"],
        [*identity, "commit", "--quiet", "-m", "chore: laboratorio"],
        [*identity, "commit", "--quiet", "--allow-empty", "-m", "feat: cambio"],
    ):
        assert run(["git", *args], repo).returncode == 0, args
    steps = load("ci.yml")["jobs"]["version"]["steps"]
    [step] = [step for step in steps if step.get("name") == "Check commit messages"]
    env = {
        "PATH": os.pathsep.join([str(BIN), os.environ["PATH"]]),
        "HOME": str(tmp_path),
        "PR_TITLE": title,
        "PR_NUMBER": "1",
        "BASE_SHA": run(["git", "rev-parse", "HEAD~1"], repo).stdout.strip(),
        "HEAD_SHA": run(["git", "rev-parse", "HEAD"], repo).stdout.strip(),
        "BASE_REF": "main",
    }
    result = subprocess.run(
        ["bash", "-eo", "pipefail", "-c", step["run"]],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output and "expected one argument" not in output
    assert f"Título del pull request: {title}\n" in result.stdout, output
    assert "no empieza con un tipo seguido de dos puntos" in result.stdout
    section = (repo / "version.md").read_text(encoding="utf-8")
    assert "**Al fusionar: v0.1.0 (feat)**" in section


# --------------------------------------------------------------------------
# Despliegue del modelo (bonus)
# --------------------------------------------------------------------------

# Los que el despliegue necesita: con OIDC no hay AZURE_CLIENT_SECRET (solo
# la alternativa con secreto lo usa).
SECRETS = (
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_ID",
    "AZURE_SUBSCRIPTION_ID",
    "AZURE_RESOURCE_GROUP",
    "AZURE_ML_WORKSPACE_NAME",
)


def test_deploy_is_manual_with_the_model_name_as_input() -> None:
    workflow = load("deploy_model.yml")
    dispatch = triggers(workflow)["workflow_dispatch"]
    assert list(triggers(workflow)) == ["workflow_dispatch"]
    model_name = dispatch["inputs"]["model-name"]
    assert model_name["default"] == "churn-prediction-model"
    assert model_name["required"] is True
    job = workflow["jobs"]["deploy"]
    assert job["env"] == {"MODEL_NAME": "${{ inputs.model-name }}"}
    assert workflow["defaults"]["run"]["shell"] == "bash"


def test_deploy_checks_secrets_first_and_passes_them_only_where_needed() -> None:
    steps = load("deploy_model.yml")["jobs"]["deploy"]["steps"]
    assert steps[0]["name"] == "Check branch"
    assert "secrets." not in str(steps[0])
    first = steps[1]
    assert first["id"] == "secrets"
    expected_env = {name: f"${{{{ secrets.{name} }}}}" for name in SECRETS}
    assert first["env"] == expected_env
    for name in SECRETS:
        assert name in first["run"]
    assert "GITHUB_STEP_SUMMARY" in first["run"]
    assert "exit 1" in first["run"]
    with_secrets = [
        step.get("id") for step in steps if "secrets." in str(step.get("env"))
    ]
    assert with_secrets == ["secrets", None, "register"]
    oidc = step_named_by(steps, "Azure sign-in (OIDC)")
    assert oidc["env"] == {"AZURE_CLIENT_SECRET": "${{ secrets.AZURE_CLIENT_SECRET }}"}
    register = step_named(steps, "register")
    assert {
        **expected_env,
        "AZURE_CLIENT_SECRET": "${{ secrets.AZURE_CLIENT_SECRET }}",
        "PYTHONUNBUFFERED": "1",
    } == register["env"]


def test_deploy_trains_then_registers_and_summarizes() -> None:
    steps = load("deploy_model.yml")["jobs"]["deploy"]["steps"]
    runs = [step.get("run", "") for step in steps]
    train = runs.index("python scripts/train_model.py")
    register = step_named(steps, "register")
    assert steps.index(register) > train
    for argument in (
        '--model-name "$MODEL_NAME"',
        '--subscription-id "$AZURE_SUBSCRIPTION_ID"',
        '--resource-group "$AZURE_RESOURCE_GROUP"',
        '--workspace-name "$AZURE_ML_WORKSPACE_NAME"',
        "| tee register.log",
    ):
        assert argument in register["run"]
    summary = steps[-1]
    assert summary["env"]["VERSION"] == "${{ steps.register.outputs.version }}"
    assert "GITHUB_STEP_SUMMARY" in summary["run"]


def test_deploy_reads_the_version_that_register_model_prints(tmp_path: Path) -> None:
    register = step_named(
        load("deploy_model.yml")["jobs"]["deploy"]["steps"], "register"
    )
    # El mismo script, con un register_model.py de mentira que imprime lo que
    # imprime el real al terminar.
    fake = tmp_path / "scripts" / "register_model.py"
    fake.parent.mkdir()
    fake.write_text(
        "print('✅ Modelo registrado: churn-prediction-model')\n"
        "print('Versión registrada: 12')\n",
        encoding="utf-8",
    )
    real = (LAB / "scripts" / "register_model.py").read_text(encoding="utf-8")
    assert 'print(f"Versión registrada: {registered.version}")' in real
    output = tmp_path / "output.txt"
    env = {
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_OUTPUT": str(output),
        "MODEL_NAME": "churn-prediction-model",
        "PYTHONIOENCODING": "utf-8",
        **{name: "x" for name in SECRETS},
    }
    subprocess.run(
        ["bash", "-eo", "pipefail", "-c", register["run"]],
        cwd=tmp_path,
        env=env,
        check=True,
        timeout=60,
    )
    assert output.read_text(encoding="utf-8") == "version=12\n"


def run_bash(script: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Ejecuta un paso ``run:`` con el bash de GitHub Actions (-eo pipefail)."""
    return subprocess.run(
        ["bash", "-eo", "pipefail", "-c", script],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )


def test_deploy_secret_check_names_what_is_missing(tmp_path: Path) -> None:
    first = load("deploy_model.yml")["jobs"]["deploy"]["steps"][1]
    summary = tmp_path / "summary.md"
    env = {
        "PATH": os.environ["PATH"],
        "GITHUB_STEP_SUMMARY": str(summary),
        **{name: "valor-secreto" for name in SECRETS},
    }
    env["AZURE_CLIENT_ID"] = ""
    env["AZURE_ML_WORKSPACE_NAME"] = ""
    result = run_bash(first["run"], env)
    assert result.returncode == 1
    text = summary.read_text(encoding="utf-8")
    assert "Faltan secretos de Azure" in text
    assert "`AZURE_CLIENT_ID`" in text
    assert "`AZURE_ML_WORKSPACE_NAME`" in text
    assert "AZURE_TENANT_ID" not in text
    assert "valor-secreto" not in text + result.stdout + result.stderr
    env.update({name: "valor-secreto" for name in SECRETS})
    summary.unlink()
    result = run_bash(first["run"], env)
    assert result.returncode == 0
    assert not summary.exists()


# --------------------------------------------------------------------------
# pre-commit: las mismas herramientas y versiones que CI
# --------------------------------------------------------------------------


def pinned_requirements() -> dict[str, str]:
    """Paquetes fijados con == en requirements.txt del laboratorio."""
    pins = {}
    for line in (LAB / "requirements.txt").read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)==(\S+)", line.strip())
        if match:
            pins[match.group(1).lower()] = match.group(2)
    return pins


def test_pre_commit_runs_the_pinned_formatters_and_flake8() -> None:
    config = yaml.safe_load(
        (LAB / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    )
    assert len(config["repos"]) == 1
    repo = config["repos"][0]
    # Hooks locales con el Python del entorno: las versiones de
    # requirements.txt, sin descargar otra copia de cada herramienta.
    assert repo["repo"] == "local"
    hooks = {hook["id"]: hook for hook in repo["hooks"]}
    assert list(hooks) == ["black", "isort", "flake8", "conventional-commit"]
    message = hooks.pop("conventional-commit")
    assert message["stages"] == ["commit-msg"]
    assert message["language"] == "system"
    assert config["default_stages"] == ["pre-commit"]
    assert config["default_install_hook_types"] == ["pre-commit", "commit-msg"]
    pins = pinned_requirements()
    for name, hook in hooks.items():
        # Por scripts/_hook.py: sin el entorno activado, dice que lo actives.
        assert hook["entry"] == f"python scripts/_hook.py {name}"
        assert hook["language"] == "system"
        assert hook["types"] == ["python"]
        assert name in pins
    assert "pre-commit" in pins


def test_pre_commit_blocks_a_badly_formatted_commit(
    tmp_path: Path, student_repo: StudentRepo
) -> None:
    # En el repositorio del estudiante, con su .venv activado.
    student = student_repo.clone(tmp_path / "repo")
    repo = student.root
    (repo / "good.py").write_text('"""Bien."""\n\nVALUE = 1\n', encoding="utf-8")
    env = student.env(PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"))

    def pre_commit(
        run_env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Añade todo a git y ejecuta los hooks sobre todos los archivos."""
        subprocess.run(["git", "add", "--all"], cwd=repo, check=True, timeout=30)
        return subprocess.run(
            [str(repo / ".venv" / "bin" / "pre-commit"), "run", "--all-files"],
            cwd=repo,
            env=run_env or env,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )

    result = pre_commit()
    assert result.returncode == 0, result.stdout + result.stderr
    (repo / "bad.py").write_text("import os,sys\nVALUE = {'a':1}\n", "utf-8")
    result = pre_commit()
    assert result.returncode == 1, result.stdout + result.stderr
    for hook in ("Black (formato)", "isort (orden de imports)", "Flake8 (estilo)"):
        assert re.search(re.escape(hook) + r"\.+Failed", result.stdout), result.stdout
    # Sin el entorno activado, «python» es el del sistema (sin las bibliotecas):
    # el hook dice que actives el entorno, no «No module named black».
    system = tmp_path / "sistema"
    system.mkdir()
    base = getattr(sys, "_base_executable", sys.executable)
    (system / "python").write_text(f'#!/bin/sh\nexec "{base}" -s "$@"\n', "utf-8")
    (system / "python").chmod(0o755)
    inactive = {
        **{key: value for key, value in env.items() if key != "VIRTUAL_ENV"},
        "PATH": os.pathsep.join([str(system), os.environ["PATH"]]),
    }
    result = pre_commit(inactive)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "No module named" not in result.stdout, result.stdout
    assert "el entorno virtual no está activo" in result.stdout, result.stdout
    assert "source .venv/bin/activate" in result.stdout, result.stdout


def test_commit_msg_hook_stops_a_non_conventional_commit_offline(
    tmp_path: Path, student_repo: StudentRepo
) -> None:
    # Como en la Parte 2: el repositorio del estudiante, su .venv activado,
    # pre-commit install y un commit sin red.
    student = student_repo.clone(tmp_path / "repo")
    repo = student.root
    env = student.env(
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),
        PIP_NO_INDEX="1",
        HTTPS_PROXY="http://127.0.0.1:9",
        HTTP_PROXY="http://127.0.0.1:9",
    )
    install = subprocess.run(
        [str(repo / ".venv" / "bin" / "pre-commit"), "install"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    assert "pre-commit installed at .git/hooks/commit-msg" in install.stdout
    before = student.git("rev-parse", "HEAD").strip()

    def commit(message: str) -> subprocess.CompletedProcess[str]:
        (repo / "NOTAS.txt").write_text(message, encoding="utf-8")
        student.git("add", "NOTAS.txt")
        return subprocess.run(
            ["git", "commit", "--quiet", "-m", message],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=False,
            timeout=300,
        )

    refused = commit("Update train_model.py")
    output = refused.stdout + refused.stderr
    assert refused.returncode == 1, output
    assert re.search(r"Mensaje de commit \(Conventional Commits\)\.+Failed", output)
    assert "no empieza con un tipo seguido de dos puntos" in output
    assert "«fix: Update train_model.py» si corrige un error" in output
    assert student.git("rev-parse", "HEAD").strip() == before
    accepted = commit("feat: añade mis notas")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert student.git("log", "-1", "--format=%s").strip() == "feat: añade mis notas"
