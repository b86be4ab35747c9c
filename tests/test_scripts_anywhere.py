"""Los scripts del laboratorio, lanzados como lo haría un estudiante despistado.

Desde ``scripts/``, desde la raíz del laboratorio y desde ``/``; con el entorno
virtual, sin él y con un Python que el laboratorio no admite. En cada caso:
código de salida 0 o 1, nunca un traceback, un error en una sola línea en
español, y nada escrito fuera de ``artifacts/``, ``data/``, ``outputs/`` y el
almacén local del laboratorio.
"""

from __future__ import annotations

import ast
import glob
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from lab_copy import ROOT, SCRIPTS, copy_lab, lab_state

# La línea de instalación que dan los scripts cuando falta una biblioteca.
INSTALL = "python -m pip install --require-hashes -r requirements.lock"
# Los paquetes del laboratorio (src/) y scripts/_lab.py.
LAB_MODULES = ("_lab", "churn_lab", "labkit", "course")
# Los que solo usan la biblioteca estándar: funcionan sin el entorno virtual.
STANDARD_LIBRARY_ONLY = ("scripts/check_commit_message.py", "scripts/check_progress.py")
# Los que sin opciones harían mucho trabajo: se les pide lo mínimo.
QUICK_ARGS = {"scripts/run_checks.py": ["--list"]}
# Lo que los scripts pueden crear en la raíz del laboratorio.
ALLOWED = ("artifacts/", "data/", "outputs/", "mlflow.db", "mlartifacts/")
# Lo que un script mal encaminado dejaría en la carpeta desde la que se lanza.
STRAY = ("artifacts", "data", "outputs", "mlruns", "mlflow.db", "mlartifacts")


@pytest.fixture(scope="module", name="lab")
def fixture_lab(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_lab(tmp_path_factory.mktemp("alumno") / "mi-repo")


def folders(lab: Path) -> list[Path]:
    """Las tres carpetas desde las que se lanzan los scripts."""
    return [lab / "scripts", lab, Path("/")]


def run(
    python: Sequence[str], script: Path, args: list[str], cwd: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*python, str(script), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=600,
        check=False,
    )


def student_env(lab: Path, **extra: str) -> dict[str, str]:
    """El entorno de una terminal: sin Azure, con el bloqueo de red de las pruebas."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "VIRTUAL_ENV")
    }
    env.update(
        {
            "PYTHONPATH": str(lab / "tests" / "netguard"),
            "PYTHONIOENCODING": "utf-8",
            "AZURE_TOKEN_CREDENTIALS": "AzureCliCredential",
            **extra,
        }
    )
    return env


def assert_one_spanish_line(result: subprocess.CompletedProcess[str]) -> str:
    """Terminó con 1 y dijo qué pasó en una sola línea, sin traceback."""
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("❌ Error: "), result.stderr
    return lines[0]


def stray_files() -> set[str]:
    return {name for name in STRAY if (Path("/") / name).exists()}


@pytest.fixture(scope="module", name="bare_venv")
def fixture_bare_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Un entorno virtual recién creado, sin instalar los requisitos."""
    folder = tmp_path_factory.mktemp("venv") / ".venv"
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--without-pip", str(folder)], check=True)
    return folder / "bin" / "python"


def libraries_at_the_top(script: Path) -> list[str]:
    """Las bibliotecas que ``script`` importa al cargarse (no las de sus funciones)."""
    tree = ast.parse(script.read_text(encoding="utf-8"))
    modules = [
        node.module or "" if isinstance(node, ast.ImportFrom) else node.names[0].name
        for node in tree.body
        if isinstance(node, (ast.Import, ast.ImportFrom))
    ]
    return [
        module
        for module in modules
        if module.split(".")[0] not in (*sys.stdlib_module_names, *LAB_MODULES)
    ]


@pytest.mark.parametrize("script", SCRIPTS)
def test_without_the_environment_one_line_says_activate_or_install(
    script: str, lab: Path, bare_venv: Path
) -> None:
    """Sin el entorno: la ayuda, o una línea que dice cómo arreglarlo.

    Un script que importa sus bibliotecas arriba (train_model.py importa
    scikit-learn) lo dice ya con --help; los demás, en cuanto las necesitan.
    Los que solo usan la biblioteca estándar funcionan sin el entorno.
    """
    before, stray = lab_state(lab, bytecode=False), stray_files()
    base = getattr(sys, "_base_executable", sys.executable)
    # El Python del sistema (sin sus paquetes de usuario) y un .venv vacío.
    pythons = {"sistema": [base, "-s"], "venv vacío": [str(bare_venv)]}
    at_the_top = libraries_at_the_top(lab / script)
    for name, python in pythons.items():
        for cwd in folders(lab):
            for args in ([], ["--help"]):
                result = run(python, lab / script, args, cwd, student_env(lab))
                if result.returncode == 0:
                    # La ayuda, o un script de la biblioteca estándar que funcionó.
                    assert not at_the_top and result.stderr == "", result.stderr
                    assert "--help" in args or script in STANDARD_LIBRARY_ONLY
                    continue
                line = assert_one_spanish_line(result)
                if at_the_top or "bibliotecas del laboratorio" in line:
                    assert INSTALL in line, (name, line)
                    if name == "sistema":
                        assert "source .venv/bin/activate" in line
                        assert ".venv\\Scripts\\activate.bat" in line
    assert lab_state(lab, bytecode=False) == before
    assert stray_files() == stray


@pytest.mark.parametrize(
    "args",
    [
        ["scripts/check_commit_message.py", "--mensaje", "feat: algo"],
        ["scripts/check_progress.py", "--sin-azure"],
    ],
)
def test_standard_library_scripts_work_without_the_environment(
    args: list[str], lab: Path, bare_venv: Path
) -> None:
    """Sin pandas ni scikit-learn (un trabajo de CI que no los instala, issue 24)."""
    result = run([str(bare_venv)], lab / args[0], args[1:], lab, student_env(lab))
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert "bibliotecas del laboratorio" not in result.stderr, result.stderr
    assert result.stdout.strip(), result.stderr


def test_with_the_environment_from_any_folder(lab: Path) -> None:
    """Cada script sin opciones (run_checks.py, --list) desde las tres carpetas."""
    stray = stray_files()
    before = lab_state(lab, bytecode=False)
    for cwd in folders(lab):
        for script in SCRIPTS:
            args = QUICK_ARGS.get(script, [])
            result = run([sys.executable], lab / script, args, cwd, student_env(lab))
            output = result.stdout + result.stderr
            assert result.returncode in (0, 1), output
            assert "Traceback" not in output, output
            if result.returncode == 1:
                assert_one_spanish_line(result)
            else:
                assert result.stderr == "", result.stderr
        # Sin config.json, los scripts de Azure dicen cómo crearlo (y --local).
        assert (lab / "artifacts" / "model.pkl").is_file()
        assert (lab / "data" / "inference_output.csv").is_file()
    after = lab_state(lab, bytecode=False)
    new = [name for name in after if name not in before]
    assert new and all(name.startswith(ALLOWED) for name in new), new
    assert [path.name for path in (lab / "scripts").glob("*/")] in (
        [],
        ["__pycache__"],
    ), "algo se escribió en scripts/"
    assert stray_files() == stray


def old_pythons() -> list[str]:
    """Intérpretes de versiones que el laboratorio no admite (pyenv, PATH)."""
    found = sorted(
        glob.glob(os.path.expanduser("~/.pyenv/versions/3.[89].*/bin/python"))
    )
    found += [path for path in map(shutil.which, ("python3.9", "python3.8")) if path]
    return found[:1]


@pytest.mark.skipif(not old_pythons(), reason="no hay un Python 3.8 o 3.9 instalado")
@pytest.mark.parametrize("script", SCRIPTS)
def test_an_unsupported_python_gets_the_supported_range(script: str, lab: Path) -> None:
    (python,) = old_pythons()
    for cwd in (lab / "scripts", Path("/")):
        result = run([python], lab / script, ["--help"], cwd, student_env(lab))
        line = assert_one_spanish_line(result)
        assert "este laboratorio funciona con Python 3.10 a 3.13" in line
        assert "-m venv .venv" in line


@pytest.mark.skipif(not old_pythons(), reason="no hay un Python 3.8 o 3.9 instalado")
def test_dev_sh_refuses_an_unsupported_python(tmp_path: Path) -> None:
    (python,) = old_pythons()
    project = tmp_path / "proyecto"
    (project / "labs").mkdir(parents=True)
    shutil.copy(ROOT / "dev.sh", project)
    copy_lab(project / "labs" / "gitops-workflow")
    result = subprocess.run(
        ["bash", str(project / "dev.sh"), "setup"],
        env={**os.environ, "PYTHON": python},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "este laboratorio funciona con Python 3.10 a 3.13" in result.stderr
    assert not (project / ".venv").exists()
