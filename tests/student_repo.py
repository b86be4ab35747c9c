"""El repositorio de un estudiante, hecho como dicen las Partes 1 y 2 del tutorial.

Un estudiante copia el laboratorio a la raíz de un repositorio nuevo, hace el
primer commit en ``main``, crea ``.venv`` DENTRO del repositorio e instala
en él ``requirements.lock`` con sus hashes (el laboratorio no se instala: cada
script importa su propio ``src/`` con ``scripts/_lab.py``). Las pruebas
del proyecto parten de eso, no de una copia suelta del laboratorio:

    build(destination) -> StudentRepo
        Lo hace todo, con los comandos del tutorial:
        ``git init -b main``, ``git add .``, ``git commit -m "chore: …"``,
        ``python -m venv .venv`` y
        ``.venv/bin/python -m pip install --upgrade pip`` y
        ``.venv/bin/python -m pip install --require-hashes -r requirements.lock``.

    session_repo(cache, session_dir) -> StudentRepo
        El de la sesión de pruebas (la fixture ``student_repo`` de
        ``tests/conftest.py``), en ``session_dir``. El ``.venv`` instalado se
        guarda entre sesiones en ``cache`` (``.venv/student-repo/<hash de
        requirements.lock y el Python>/``, solo lectura); en
        cada sesión se copian los archivos del laboratorio, se hace el
        repositorio (un commit en ``main``), se copia allí ese ``.venv`` (como
        en ``clone``) y se vuelve a ejecutar el ``pip install`` del tutorial,
        que no instala nada nuevo. Un candado de archivo hace que los
        procesos de pytest-xdist de una sesión lo preparen una sola vez.
        Cuánto tardó queda en ``<session_dir>/student-repo/ready``.

    StudentRepo.clone(destination) -> StudentRepo
        Una copia independiente (árbol, ``.git`` y ``.venv`` dentro), para las
        pruebas que cambian archivos o ramas. El ``.venv`` se copia con enlaces
        duros (``cp -al``: segundos, no 1 GB) y se reubica como si se hubiera
        creado allí: los archivos que nombran la ruta del original (``bin/``,
        ``pyvenv.cfg`` y los ``.pth``) se
        reescriben como archivos nuevos, nunca sobre el enlace.

    python tests/student_repo.py
        ``./dev.sh setup``: deja lista (con red) la plantilla con el ``.venv``
        instalado, para que las pruebas no descarguen nada.

    StudentRepo.python          .venv/bin/python del repositorio
    StudentRepo.env(**extra)    el entorno de una terminal con .venv activado
    StudentRepo.run(args, …)    ``python args`` con ese entorno, en la raíz
    StudentRepo.git(*args)      git en la raíz, con un autor fijo

El repositorio de la sesión es de solo lectura para las pruebas: no cambies
sus archivos versionados ni sus ramas (varias pruebas lo usan a la vez); para
eso, ``clone``. Ejecutar en él lo que un estudiante ejecuta (que escribe en
``artifacts/``, ``data/``, cachés…) sí vale, pero de a una prueba a la vez:
``with repo.lock():`` (el mismo candado entre procesos).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from lab_copy import GENERATED, LAB

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / ".venv" / "student-repo"
FIRST_COMMIT = "chore: contenido inicial del laboratorio"
# Parte 2, paso 1, con .venv activado: los dos comandos de pip del tutorial
# (``python -m pip install …``), en orden. Primero pip al día: el tutorial lo
# pide (el pip de Python 3.11 no resolvía bien estas dependencias).
TUTORIAL_PIP_INSTALLS = (
    ("--upgrade", "pip"),
    ("--require-hashes", "-r", "requirements.lock"),
)
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Estudiante",
    "GIT_AUTHOR_EMAIL": "estudiante@example.com",
    "GIT_COMMITTER_NAME": "Estudiante",
    "GIT_COMMITTER_EMAIL": "estudiante@example.com",
    # Ni la configuración de git de esta máquina ni la del usuario.
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}
# Variables de esta máquina o del arranque de las pruebas que ni un estudiante
# ni un runner de GitHub tienen.
NOT_A_STUDENTS = (
    "PYTHONDONTWRITEBYTECODE",
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTEST_ADDOPTS",
    "PYTEST_XDIST_WORKER",
    "PYTEST_XDIST_WORKER_COUNT",
    "PYTEST_XDIST_TESTRUNUID",
    "PYTEST_CURRENT_TEST",
    "VIRTUAL_ENV",
    "PIP_REQUIRE_VIRTUALENV",
)


def _venv_key(python: str) -> str:
    """Lo que decide qué instala el tutorial: los requisitos y el Python.

    El lock dice exactamente qué se instala (``requirements.txt`` solo sirve
    para regenerarlo).
    """
    digest = hashlib.sha256()
    digest.update((LAB / "requirements.lock").read_bytes())
    version = subprocess.run(
        [python, "-c", "import sys; print(sys.version)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    digest.update(version.encode())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class StudentRepo:
    """Un repositorio de estudiante: el laboratorio en su raíz, ``.venv`` dentro."""

    root: Path

    @property
    def python(self) -> Path:
        """El Python del entorno virtual del repositorio."""
        return self.root / ".venv" / "bin" / "python"

    def env(self, netguard: bool = True, **extra: str) -> dict[str, str]:
        """El entorno de una terminal con ``source .venv/bin/activate``.

        Sin las variables que solo tiene esta máquina o el arranque de las
        pruebas (``NOT_A_STUDENTS``). Con ``netguard`` (por defecto), el
        bloqueo de red del propio laboratorio (``tests/netguard``) va en
        ``PYTHONPATH``: nada sale de 127.0.0.1.
        """
        env = {
            name: value
            for name, value in os.environ.items()
            if name not in NOT_A_STUDENTS
        }
        venv = self.root / ".venv"
        env["VIRTUAL_ENV"] = str(venv)
        env["PATH"] = os.pathsep.join([str(venv / "bin"), env.get("PATH", "")])
        env["PYTHONIOENCODING"] = "utf-8"
        # DefaultAzureCredential no consulta la identidad administrada de una VM.
        env["AZURE_TOKEN_CREDENTIALS"] = "AzureCliCredential"
        env.update(GIT_ENV)
        if netguard:
            env["PYTHONPATH"] = str(self.root / "tests" / "netguard")
        env.update(extra)
        return env

    def run(
        self,
        args: Sequence[str | Path],
        cwd: Path | None = None,
        timeout: float = 1800,
        **extra_env: str,
    ) -> subprocess.CompletedProcess[str]:
        """``python args`` con el ``.venv`` activado; salida y errores juntos."""
        return subprocess.run(
            [str(self.python), *map(str, args)],
            cwd=cwd or self.root,
            env=self.env(**extra_env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            timeout=timeout,
            check=False,
        )

    def git(self, *args: str, cwd: Path | None = None) -> str:
        """Ejecuta git en el repositorio; si falla, AssertionError con su salida."""
        return git(cwd or self.root, *args)

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Una prueba a la vez (entre procesos) ejecuta cosas en este repositorio."""
        with file_lock(self.root.parent / f".{self.root.name}.run.lock"):
            yield

    def clone(self, destination: Path) -> StudentRepo:
        """Una copia independiente del repositorio, con su ``.venv`` dentro."""
        destination.mkdir(parents=True)
        for item in self.root.iterdir():
            if item.name == ".venv":
                continue
            target = destination / item.name
            if item.is_dir():
                shutil.copytree(item, target, symlinks=True)
            else:
                shutil.copy2(item, target)
        relocate_venv(self.root / ".venv", destination / ".venv")
        return StudentRepo(destination)


def git(repo: Path, *args: str) -> str:
    """Ejecuta git en ``repo`` con un autor fijo; si falla, AssertionError."""
    completed = subprocess.run(
        ["git", *args],
        cwd=repo,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        check=False,
    )
    assert (
        completed.returncode == 0
    ), f"git {' '.join(args)}: {completed.stdout}{completed.stderr}"
    return completed.stdout


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Candado exclusivo entre procesos (los trabajadores de pytest-xdist)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def copy_lab_files(destination: Path) -> None:
    """Parte 1, paso 3: el contenido del laboratorio (con los ocultos) a la raíz."""
    shutil.copytree(
        LAB,
        destination,
        ignore=shutil.ignore_patterns(*GENERATED),
        dirs_exist_ok=True,
    )


def make_repository(root: Path) -> None:
    """Parte 1: el repositorio en ``main`` con el primer commit del laboratorio."""
    git(root, "init", "--quiet", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "--quiet", "-m", FIRST_COMMIT)


def install_requirements(root: Path) -> None:
    """Parte 2, paso 1: ``pip install --require-hashes -r requirements.lock``."""
    repo = StudentRepo(root)
    for args in TUTORIAL_PIP_INSTALLS:
        completed = subprocess.run(
            [str(repo.python), "-m", "pip", "install", "--quiet", *args],
            cwd=root,
            env=repo.env(netguard=False),
            capture_output=True,
            text=True,
            check=False,
        )
        assert completed.returncode == 0, completed.stdout + completed.stderr


def make_venv(root: Path, python: str) -> None:
    """Parte 2, paso 1: ``python -m venv .venv`` dentro del repositorio."""
    subprocess.run([python, "-m", "venv", str(root / ".venv")], check=True)


def build(destination: Path, python: str = sys.executable) -> StudentRepo:
    """Todo el camino del tutorial, desde cero, en ``destination`` (no existe)."""
    copy_lab_files(destination)
    make_repository(destination)
    make_venv(destination, _base_python(python))
    install_requirements(destination)
    return StudentRepo(destination)


def _base_python(python: str) -> str:
    """El Python del sistema detrás de ``python`` (aunque sea el de un venv)."""
    return subprocess.run(
        [
            python,
            "-c",
            "import sys, pathlib; "
            "print(pathlib.Path(sys._base_executable).resolve())",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def session_repo(
    cache: Path, session_dir: Path, python: str = sys.executable
) -> StudentRepo:
    """El repositorio de esta sesión, preparado una vez entre todos los procesos.

    El ``.venv`` se instala una sola vez en ``cache`` (una plantilla por cada
    ``requirements.lock`` y Python; no se toca después) y
    cada sesión lo copia con enlaces duros a su repositorio, en
    ``session_dir`` (la carpeta temporal de la sesión, común a sus procesos),
    y vuelve a ejecutar el ``pip install`` del tutorial, que ya no tiene nada
    que instalar. Dos
    sesiones a la vez no se pisan.
    """
    repo = StudentRepo(session_dir / "student-repo" / "gitops-lab")
    stamp = repo.root.parent / "ready"
    with file_lock(session_dir / "student-repo.lock"):
        if stamp.is_file():
            return repo
        started = time.perf_counter()
        template, cold = venv_template(cache, python)
        copy_lab_files(repo.root)
        make_repository(repo.root)
        relocate_venv(template.root / ".venv", repo.root / ".venv")
        install_requirements(repo.root)
        seconds = time.perf_counter() - started
        stamp.write_text(
            f"{'cold' if cold else 'warm'} {seconds:.1f} s\n", encoding="utf-8"
        )
    return repo


def venv_template(
    cache: Path, python: str = sys.executable
) -> tuple[StudentRepo, bool]:
    """El repositorio plantilla con ``.venv`` ya instalado; y si hubo que hacerlo.

    Se hace una vez por cada combinación de requisitos y Python (la carpeta
    lleva su hash) y después solo se lee. Las plantillas de otros requisitos
    se borran.
    """
    key = _venv_key(python)
    folder = cache / key
    ready = folder / "ready"
    with file_lock(cache / f"{key}.lock"):
        if ready.is_file():
            return StudentRepo(folder / "gitops-lab"), False
        shutil.rmtree(folder, ignore_errors=True)
        repo = build(folder / "gitops-lab", python)
        ready.write_text("", encoding="utf-8")
    for old in cache.iterdir():
        if old.is_dir() and old.name != key:
            shutil.rmtree(old, ignore_errors=True)
    return repo, True


def relocate_venv(source: Path, destination: Path) -> None:
    """Copia ``source`` a ``destination`` como si el venv se hubiera creado allí.

    Los archivos van con enlaces duros (``cp -al``); los pocos de texto que
    nombran la ruta del original se reescriben como archivos nuevos (se borra
    el enlace y se escribe otro), así el original no cambia.
    """
    subprocess.run(["cp", "-al", str(source), str(destination)], check=True)
    old, new = str(source), str(destination)
    old_root, new_root = str(source.parent), str(destination.parent)
    candidates = [path for path in (destination / "bin").iterdir()]
    candidates.append(destination / "pyvenv.cfg")
    site = next((destination / "lib").glob("python*/site-packages"))
    candidates += list(site.glob("*.pth"))
    for path in candidates:
        if path.is_symlink() or not path.is_file():
            continue
        data = path.read_bytes()
        if old_root.encode() not in data:
            continue
        text = data.replace(old.encode(), new.encode()).replace(
            old_root.encode(), new_root.encode()
        )
        mode = path.stat().st_mode
        path.unlink()
        path.write_bytes(text)
        path.chmod(mode)


if __name__ == "__main__":
    # ./dev.sh setup: la plantilla del .venv del estudiante, una vez (con red).
    _, built = venv_template(TEMPLATES)
    STATE = "instalado" if built else "ya estaba"
    print(f"El .venv del estudiante: {TEMPLATES} ({STATE})")
