"""Lo que cuesta CI: qué instala cada trabajo, y que no se quitó ningún chequeo.

Sin red ni act (las ejecuciones de verdad están en ``test_workflows_act.py``):

- cada ``pip install`` de los flujos es de un lock con hashes, y el trabajo
  guarda en la caché de GitHub los paquetes de ese mismo lock;
- en un pull request, solo un trabajo instala ``requirements.lock`` entero
  (Pruebas); Lint y Modelo instalan sus locks, que fijan las mismas versiones
  y hashes que ``requirements.lock``; Versión, CD y Progreso no instalan nada;
- cada chequeo que CI hacía en a41d17d sigue en cada pull request;
- Progreso corre cuando hay algo nuevo que contar y no cancela nada.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_workflows import copy_lab, load_run_checks

ROOT = Path(__file__).resolve().parents[1]
LAB = ROOT / "labs" / "gitops-workflow"
WORKFLOWS = LAB / ".github" / "workflows"
MAIN_LOCK = "requirements.lock"
CI_LOCKS = ("requirements-lint.lock", "requirements-model.lock")
# Un lock del pull request, o el de la rama base (la puerta del modelo, issue 23).
INSTALL = re.compile(
    r'python -m pip install --require-hashes -r "?(?:\$RUNNER_TEMP/puerta/)?'
    r'([\w.-]+\.lock)"?$'
)
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==(\S+?)(?: ?;\s*(.+?))?\s*\\?$")
HASH = re.compile(r"--hash=sha256:([0-9a-f]{64})")

# Lo que CI comprobaba en cada pull request en a41d17d (sus flujos: ci.yml,
# reusable_lint.yml, reusable_pr_comment.yml): el comando de cada paso.
A41D17D_PULL_REQUEST_CHECKS = {
    "black": "python scripts/run_checks.py black",
    "isort": "python scripts/run_checks.py isort",
    "flake8": "python scripts/run_checks.py flake8",
    "pylint": "python scripts/run_checks.py pylint",
    "mypy": "python scripts/run_checks.py mypy",
    "pytest": "python scripts/run_checks.py pytest --completo",
    # Desde el issue 23, el compare_models.py de la rama base (otra carpeta)
    # mide la carpeta del pull request.
    "model gate": 'scripts/compare_models.py" --cambio . --base',
    "commit messages": "python scripts/check_commit_message.py --titulo",
    "comment": "mshick/add-pr-comment@",
}
# Y en a41d17d, lo que ejecutaba scripts/run_checks.py para cada uno en CI.
A41D17D_COMMANDS = {
    "black": ("black", "--check", "--diff", "scripts", "src", "tests"),
    "isort": ("isort", "--check-only", "--diff", "scripts", "src", "tests"),
    "flake8": ("flake8", "scripts", "src", "tests"),
    "pylint": ("pylint", "scripts", "src", "tests"),
    "mypy": ("mypy", "scripts", "src", "tests"),
    "pytest": ("pytest",),
}
A41D17D_CD_JOBS = {"version", "tag", "release"}


def load(name: str) -> dict[Any, Any]:
    """Un flujo del laboratorio como diccionario."""
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    """La sección ``on`` (YAML 1.1 lee ``on`` como True)."""
    return workflow.get("on", workflow.get(True))


def jobs_of(name: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Los trabajos de un flujo y, dentro, los de los reutilizables que llama."""
    for job_id, job in load(name)["jobs"].items():
        uses = job.get("uses", "")
        if uses.startswith("./.github/workflows/"):
            called = uses.rsplit("/", 1)[-1]
            for inner_id, inner in jobs_of(called):
                yield f"{job_id}/{inner_id}", inner
        else:
            yield job_id, job


def installs(job: dict[str, Any]) -> list[str]:
    """Los locks que instala un trabajo (falla si instala de otra forma)."""
    found = []
    for step in job.get("steps", []):
        script = step.get("run", "")
        if "pip install" in script or "uv " in script:
            match = INSTALL.fullmatch(script.strip())
            assert match, f"instalación sin lock con hashes: {script!r}"
            found.append(match.group(1))
    return found


def setup_python(job: dict[str, Any]) -> dict[str, Any] | None:
    """Las entradas del paso actions/setup-python del trabajo, si tiene."""
    for step in job.get("steps", []):
        if str(step.get("uses", "")).startswith("actions/setup-python@"):
            return step.get("with", {})
    return None


def pins(lock: str) -> dict[tuple[str, str], tuple[str, set[str]]]:
    """(paquete, marcador) → (versión, hashes) de un lock de uv."""
    found: dict[tuple[str, str], tuple[str, set[str]]] = {}
    current: tuple[str, str] | None = None
    for line in (LAB / lock).read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            name, version, marker = match.groups()
            current = (name.lower(), (marker or "").strip())
            found[current] = (version, set())
        elif current and HASH.search(line):
            found[current][1].update(HASH.findall(line))
    return found


def pull_request_workflows() -> list[str]:
    """Los flujos que corren en un pull request."""
    return [
        path.name
        for path in sorted(WORKFLOWS.glob("*.yml"))
        if "pull_request" in (triggers(load(path.name)) or {})
    ]


# --------------------------------------------------------------------------
# Qué instala cada trabajo
# --------------------------------------------------------------------------


def test_every_install_is_a_hashed_lock_cached_by_its_own_hash() -> None:
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for job_id, job in jobs_of(path.name):
            locks = installs(job)
            if not locks:
                continue
            assert len(locks) == 1, f"{path.name}:{job_id} instala dos veces"
            assert locks[0] in (MAIN_LOCK, *CI_LOCKS), (path.name, job_id)
            inputs = setup_python(job) or {}
            where = f"{path.name}:{job_id}"
            assert inputs.get("cache") == "pip", f"{where}: sin caché de pip"
            assert inputs.get("cache-dependency-path") == locks[0], where


def test_one_full_install_per_pull_request_and_none_where_not_needed() -> None:
    per_job = {
        (name, job_id): installs(job)
        for name in pull_request_workflows()
        for job_id, job in jobs_of(name)
    }
    assert per_job == {
        ("ci.yml", "lint/lint"): ["requirements-lint.lock"],
        ("ci.yml", "tests"): [MAIN_LOCK],
        ("ci.yml", "model"): ["requirements-model.lock"],
        ("ci.yml", "version"): [],
        ("ci.yml", "comment/comment"): [],
    }
    # Tras la fusión: CD y Progreso no instalan nada.
    for name in ("cd.yml", "progress.yml"):
        for job_id, job in jobs_of(name):
            assert installs(job) == [], f"{name}:{job_id}"


def test_ci_locks_pin_the_same_versions_and_hashes_as_requirements_lock() -> None:
    main = pins(MAIN_LOCK)
    for lock in CI_LOCKS:
        partial = pins(lock)
        assert partial, lock
        for key, (version, hashes) in partial.items():
            assert key in main, f"{lock}: {key} no está en {MAIN_LOCK}"
            assert main[key][0] == version, (lock, key)
            assert hashes and hashes <= main[key][1], (lock, key)


def test_the_lint_lock_holds_only_the_formatters() -> None:
    names = {name for name, _ in pins("requirements-lint.lock")}
    assert {"black", "isort", "flake8"} <= names
    assert not names & {"numpy", "pandas", "scikit-learn", "mlflow-skinny", "pylint"}
    model = {name for name, _ in pins("requirements-model.lock")}
    assert {"scikit-learn", "pandas", "numpy", "matplotlib"} <= model
    assert not model & {"mlflow-skinny", "azure-ai-ml", "pytest", "pylint", "black"}


@pytest.mark.parametrize("lock", CI_LOCKS)
def test_ci_locks_are_what_their_header_command_writes(
    lock: str, tmp_path: Path
) -> None:
    """La orden de la cabecera, sin red (la caché de uv la llena ./dev.sh)."""
    header = (LAB / lock).read_text(encoding="utf-8").splitlines()[1]
    command = header.lstrip("# ").split()
    assert command[:3] == ["uv", "pip", "compile"], header
    source = command[3]
    for name in (source, MAIN_LOCK):
        (tmp_path / name).write_bytes((LAB / name).read_bytes())
    uv = Path(sys.executable).parent / "uv"
    result = subprocess.run(
        [str(uv), *command[1:], "--quiet"],
        cwd=tmp_path,
        env={**os.environ, "UV_OFFLINE": "1", "UV_PYTHON_DOWNLOADS": "never"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / lock).read_text(encoding="utf-8") == (LAB / lock).read_text(
        encoding="utf-8"
    ), f"{lock} no corresponde a {source} y {MAIN_LOCK}: regenéralo (su cabecera)"


# --------------------------------------------------------------------------
# Nada se quitó
# --------------------------------------------------------------------------


def test_every_check_ci_made_on_a41d17d_still_runs_on_every_pull_request() -> None:
    steps = [
        step
        for name in pull_request_workflows()
        for _, job in jobs_of(name)
        for step in job.get("steps", [])
    ]
    for check, command in A41D17D_PULL_REQUEST_CHECKS.items():
        # El mismo comando (con --completo: todo, como CI ya hacía).
        wanted = command.replace(" --completo", "")
        running = [
            step
            for step in steps
            if wanted in f"{step.get('run', '')} {step.get('uses', '')}"
        ]
        assert running, f"{check}: ningún paso de un pull request ejecuta {command!r}"
        for step in running:
            # Ningún chequeo se salta o se ablanda.
            assert "continue-on-error" not in step, check
            assert "|| true" not in step.get("run", ""), check


def test_run_checks_runs_in_ci_what_it_ran_on_a41d17d(tmp_path: Path) -> None:
    module = load_run_checks(copy_lab(tmp_path / "lab"))
    assert module.CHECKS == A41D17D_COMMANDS


def test_cd_still_versions_tags_and_releases_every_merge() -> None:
    cd = load("cd.yml")
    assert set(cd["jobs"]) == A41D17D_CD_JOBS
    assert triggers(cd)["push"]["branches"] == ["main"]


# --------------------------------------------------------------------------
# Progreso
# --------------------------------------------------------------------------


def test_progress_runs_after_cd_and_the_deploy_and_never_cancels() -> None:
    workflow = load("progress.yml")
    on = triggers(workflow)
    assert set(on) == {"workflow_run", "workflow_dispatch"}
    assert on["workflow_run"] == {
        "workflows": ["CD", "Desplegar modelo"],
        "types": ["completed"],
    }
    names = {load(path.name)["name"] for path in WORKFLOWS.glob("*.yml")}
    assert set(on["workflow_run"]["workflows"]) <= names
    # Sin concurrency: ninguna ejecución cancela otra.
    assert "concurrency" not in workflow
    job = workflow["jobs"]["progress"]
    assert "concurrency" not in job
    condition = " ".join(job["if"].split())
    assert "!github.event.repository.fork" in condition
    assert (
        "github.event.workflow_run.head_repository.full_name == github.repository"
        in condition
    )
    assert (
        "github.event.workflow_run.head_branch == github.event.repository.default_branch"
        in condition
    )
    assert installs(job) == []


# --------------------------------------------------------------------------
# Cómo se cuentan las instalaciones en el registro de act
# --------------------------------------------------------------------------

ACT_LOG = """\
[CI/Lint   ] ⭐ Run Main Install dependencies
[CI/Lint   ]   | Collecting black==25.11.0 (from -r requirements-lint.lock (line 3))
[CI/Lint   ]   |   Downloading https://127.0.0.1:9/simple/black/black-25.11.0-py3-none-any.whl (1.6 MB)
[CI/Lint   ]   |   Using cached https://127.0.0.1:9/simple/click/click-8.5.1-py3-none-any.whl (126 kB)
[CI/Lint   ]   | Successfully installed black-25.11.0 click-8.5.1
[CI/Lint   ]   ✅  Success - Main Install dependencies [4.5s]
[CI/Lint   ]   ❌  Failure - Main Black [1m2.5s]
[CI/Lint   ] 🏁  Job failed
[CI/Versión ]   ✅  Success - Main Check commit messages [850ms]
[CI/Versión ] 🏁  Job succeeded
"""


def test_the_act_log_says_what_each_job_installed_and_how_long_it_took() -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from ci_cycle import job_results, job_seconds  # noqa: E402
        from github_fake.installs import job_installs  # noqa: E402
    finally:
        sys.path.remove(str(ROOT / "bench"))
    sizes = {
        "black-25.11.0-py3-none-any.whl": 1_600_000,
        "click-8.5.1-py3-none-any.whl": 126_000,
    }
    installs = job_installs(ACT_LOG, sizes)
    assert list(installs) == ["CI/Lint"]
    lint = installs["CI/Lint"]
    assert lint.locks == ["requirements-lint.lock"]
    assert lint.packages == 2
    assert (lint.downloaded, lint.from_cache) == (1_600_000, 126_000)
    assert job_seconds(ACT_LOG) == pytest.approx({"CI/Lint": 67.0, "CI/Versión": 0.85})
    assert job_results(ACT_LOG) == {"CI/Lint": "failure", "CI/Versión": "success"}
