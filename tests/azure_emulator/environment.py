"""The job's Python environment, built from the environment's ``conda.yml`` with uv.

Azure ML builds a Docker image for a custom environment: the base image, then
``conda env create`` with the environment's conda file, which installs the
Python that ``dependencies`` asks for and then runs pip on its ``pip:`` section.
The conda part cannot be solved here: there is no conda and no conda-forge
offline. What is reproduced faithfully is what the lab's job depends on: the
Python version that conda.yml names (3.12), taken from an interpreter already
on the machine (pyenv's, or one that ``uv python find`` knows), and exactly the
``pip:`` lines, handed to ``uv pip install`` as a requirements file, so plain
pins (``pkg==1.2``) and hashed lines (``pkg==1.2 --hash=sha256:…``) both work
as they do with pip. Nothing else from the project's environment leaks in.

Environments are cached by the hash of the Python version and the pip lines in
``.venv/job-envs/<hash>/`` of the project: the second job with the same
conda.yml starts at once. The emulator installs with ``--offline`` (tests never
leave 127.0.0.1), from uv's cache; ``./dev.sh setup`` fills that cache for the
lab's conda.yml by running this module (``python -m
tests.azure_emulator.environment labs/gitops-workflow/conda.yml``), with
network, as it installs everything else. Offline, the packages conda.yml does
not pin (the dependencies of its dependencies) are constrained to the versions
of the last environment built with network: they are the ones in uv's cache,
and the ones pip would have chosen that day. A conda.yml that needs a package the
cache does not have fails like an image build with a bad package on Azure:
the job ends ``Failed`` while preparing, with uv's message in the build log.
"""

from __future__ import annotations

import fcntl
import glob
import hashlib
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
CACHE_DIR = ROOT / ".venv" / "job-envs"
READY_MARK = "environment-ready.txt"
FREEZE = "freeze.txt"
BUILD_TIMEOUT_SECONDS = 900


class EnvironmentBuildError(Exception):
    """The environment could not be built; ``log`` is what the build printed."""

    def __init__(self, log: str) -> None:
        super().__init__(
            log.strip().splitlines()[-1] if log.strip() else "build failed"
        )
        self.log = log


@dataclass(frozen=True)
class JobEnvironment:
    """A built environment: its interpreter, how long it took and its build log."""

    python: Path
    seconds: float
    cached: bool
    log: str


def conda_spec(conda_text: str) -> tuple[str, list[str]]:
    """``(python version, pip lines)`` of a conda file; the version is ``3.12``-style."""
    try:
        spec = yaml.safe_load(conda_text) or {}
    except yaml.YAMLError as error:
        raise EnvironmentBuildError(f"CondaValueError: invalid conda file: {error}")
    python = ""
    pip_lines: list[str] = []
    for dependency in spec.get("dependencies") or []:
        if isinstance(dependency, str) and dependency.split("=")[0].strip() == "python":
            python = dependency.split("=", 1)[1].lstrip("=").strip()
        elif isinstance(dependency, dict):
            pip_lines.extend(str(line) for line in dependency.get("pip") or [])
    if not python:
        raise EnvironmentBuildError(
            "the conda file does not pin python (dependencies: - python=3.12): "
            "the emulator cannot know which interpreter the image would have"
        )
    return python, pip_lines


def uv_executable() -> str:
    """uv from the project's environment (requirements-dev.txt), or from PATH."""
    beside = Path(sys.executable).parent / "uv"
    found = str(beside) if beside.is_file() else shutil.which("uv")
    if not found:
        raise EnvironmentBuildError("uv not found: run ./dev.sh setup")
    return found


def find_python(version: str) -> str:
    """An interpreter of ``version`` on this machine: pyenv's, else ``uv python find``."""
    pyenv_root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    wanted = version if version.count(".") >= 2 else version + ".*"
    candidates = sorted(
        glob.glob(os.path.join(pyenv_root, "versions", wanted, "bin", "python"))
    )
    if candidates:
        return candidates[-1]
    found = subprocess.run(
        [uv_executable(), "python", "find", "--no-python-downloads", version],
        capture_output=True,
        text=True,
        check=False,
    )
    if found.returncode == 0 and found.stdout.strip():
        return found.stdout.strip()
    raise EnvironmentBuildError(
        f"no Python {version} on this machine (pyenv or uv python find): install one "
        f"(pyenv install {version}) to run jobs whose conda file asks for it"
    )


def cache_key(python: str, pip_lines: list[str]) -> str:
    text = "\n".join([f"python={python}", *pip_lines])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def build(conda_text: str, offline: bool = True) -> JobEnvironment:
    """The environment for ``conda_text``, built once and then reused."""
    started = time.perf_counter()
    version, pip_lines = conda_spec(conda_text)
    folder = CACHE_DIR / cache_key(version, pip_lines)
    python = folder / "bin" / "python"
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    # One build at a time per environment (the tests run in two processes).
    with open(CACHE_DIR / f"{folder.name}.lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        mark = folder / READY_MARK
        if mark.is_file():
            return JobEnvironment(
                python,
                time.perf_counter() - started,
                True,
                mark.read_text(encoding="utf-8"),
            )
        shutil.rmtree(folder, ignore_errors=True)
        log = _create(version, pip_lines, folder, offline)
        seconds = time.perf_counter() - started
        log += f"Environment built in {seconds:.1f} s\n"
        mark.write_text(log, encoding="utf-8")
    return JobEnvironment(python, seconds, False, log)


def _create(version: str, pip_lines: list[str], folder: Path, offline: bool) -> str:
    uv = uv_executable()
    interpreter = find_python(version)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("UV_", "PIP_", "VIRTUAL_ENV", "PYTHON"))
        or key == "UV_CACHE_DIR"
    }
    requirements = folder.with_name(folder.name + "-requirements.txt")
    requirements.write_text("\n".join(pip_lines) + "\n", encoding="utf-8")
    constraints = []
    if offline:
        env["UV_OFFLINE"] = "1"
        online = sorted(CACHE_DIR.glob(f"*/{FREEZE}"), key=lambda p: p.stat().st_mtime)
        if online:
            constraints = ["--constraint", str(online[-1])]
    log = f"Python {version}: {interpreter}\nconda.yml pip section:\n"
    log += "".join(f"  {line}\n" for line in pip_lines)
    steps = [
        [uv, "venv", "--quiet", "--python", interpreter, str(folder)],
        [
            uv,
            "pip",
            "install",
            "--python",
            str(folder / "bin" / "python"),
            "-r",
            str(requirements),
            *constraints,
        ],
    ]
    for step in steps:
        done = subprocess.run(
            step,
            capture_output=True,
            text=True,
            env=env,
            timeout=BUILD_TIMEOUT_SECONDS,
            check=False,
        )
        log += f"$ {' '.join(step)}\n{done.stdout}{done.stderr}"
        if done.returncode != 0:
            shutil.rmtree(folder, ignore_errors=True)
            raise EnvironmentBuildError(log)
    if not offline:
        frozen = subprocess.run(
            [uv, "pip", "freeze", "--python", str(folder / "bin" / "python")],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        (folder / FREEZE).write_text(frozen.stdout, encoding="utf-8")
    return log


def main(argv: list[str]) -> int:
    """``./dev.sh setup``: build (with network) the environment of each conda file."""
    for path in argv or [str(ROOT / "labs" / "gitops-workflow" / "conda.yml")]:
        try:
            built = build(Path(path).read_text(encoding="utf-8"), offline=False)
        except EnvironmentBuildError as error:
            print(
                "❌ Error: no se pudo preparar el entorno del trabajo de Azure ML "
                f"para el emulador ({path}):\n{error.log}",
                file=sys.stderr,
            )
            return 1
        state = "ya estaba" if built.cached else f"creado en {built.seconds:.1f} s"
        print(f"Entorno del trabajo de Azure ML ({path}): {built.python} ({state})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
