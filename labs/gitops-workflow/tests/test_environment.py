"""Las versiones de requirements.txt, requirements.lock y conda.yml coinciden.

Un modelo guardado con una versión de scikit-learn puede no cargar con otra:
el trabajo de Azure ML (conda.yml) debe usar las mismas versiones con las que
se entrena en local (requirements.txt). requirements.lock fija, con su hash,
cada paquete que se instala: si no corresponde a requirements.txt (alguien
cambió una versión y no lo regeneró), estas pruebas fallan y dicen qué paquete.
Todo sin red: se lee el lock, incluidas sus anotaciones ``# via``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from packaging.markers import Marker

from labkit.environment import (
    INSTALL,
    NEWEST_PYTHON,
    REQUIRED_MODULES,
    environment_problem,
    libraries_problem,
    missing_lab_library,
    missing_libraries,
    python_problem,
    supported_range,
)
from tests.helpers import LAB_ROOT, copy_lab_code

PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;#]+)")
# Lo mínimo que necesita src/score.py dentro del trabajo de Azure ML.
SCORING_PACKAGES = {
    "numpy",
    "pandas",
    "scikit-learn",
    "joblib",
    "skops",
    "mlflow-skinny",
}


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def all_pins(lines: list[str]) -> dict[str, set[str]]:
    """Cada paquete fijado con == en unas líneas de requisitos, con sus versiones.

    Un paquete puede tener varias, cada una para unas versiones de Python
    (``numpy==2.5.5; python_version >= "3.12"``).
    """
    found: dict[str, set[str]] = {}
    for line in lines:
        match = PIN.match(line.strip())
        if match:
            found.setdefault(_normalise(match.group(1)), set()).add(match.group(2))
    return found


def pins(lines: list[str], platform: dict[str, str] | None = None) -> dict[str, str]:
    """Paquetes fijados con == en unas líneas (los que se instalan en ``platform``)."""
    found = {}
    for line in lines:
        match = PIN.match(line.strip())
        marker = line.split(";", 1)[1].split("#", 1)[0] if ";" in line else ""
        if match and (not marker.strip() or Marker(marker).evaluate(platform)):
            found[_normalise(match.group(1))] = match.group(2)
    return found


def requirements_pins(path: Path = LAB_ROOT / "requirements.txt") -> dict[str, str]:
    """Versiones fijadas en requirements.txt para el trabajo de Azure ML."""
    return pins(path.read_text(encoding="utf-8").splitlines(), JOB_PLATFORM)


def conda_pins(path: Path = LAB_ROOT / "conda.yml") -> dict[str, str]:
    """Versiones fijadas en la sección pip de conda.yml."""
    environment = yaml.safe_load(path.read_text(encoding="utf-8"))
    pip_lines: list[str] = []
    for dependency in environment["dependencies"]:
        if isinstance(dependency, dict):
            pip_lines.extend(dependency.get("pip", []))
    return pins(pip_lines)


def disagreements(local: dict[str, str], azure: dict[str, str]) -> list[str]:
    """Paquetes que están en los dos archivos con versiones distintas."""
    return [
        f"{name}: requirements.txt {local[name]} ≠ conda.yml {azure[name]}"
        for name in sorted(local.keys() & azure.keys())
        if local[name] != azure[name]
    ]


LOCK = LAB_ROOT / "requirements.lock"
# La orden que escribe el lock: la dicen la cabecera de requirements.txt y la
# del propio lock (la pone uv).
LOCK_COMMAND = (
    "uv pip compile requirements.txt --universal --generate-hashes "
    "--python-version 3.11 --output-file requirements.lock"
)
ROOT_MARK = "-r requirements.txt"
# Donde corre el trabajo de Azure ML: Linux x86_64, Python 3.12 (conda.yml).
JOB_PLATFORM = {
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "python_version": "3.12",
    "python_full_version": "3.12.12",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": "x86_64",
    "os_name": "posix",
}
ENTRY = re.compile(r"^([A-Za-z0-9_.\-]+)==(\S+?)(?:\s*;\s*(.*?))?\s*\\?$")


@dataclass
class LockEntry:
    """Un paquete del lock: versión, marcador, hashes y quién lo pide."""

    name: str
    version: str
    marker: str | None
    hashes: list[str] = field(default_factory=list)
    via: list[str] = field(default_factory=list)

    def applies(self, platform: dict[str, str]) -> bool:
        """Si este paquete se instala en ``platform`` (su marcador)."""
        return self.marker is None or Marker(self.marker).evaluate(platform)


def lock_entries(path: Path = LOCK) -> list[LockEntry]:
    """Los paquetes de requirements.lock, en el orden del archivo."""
    entries: list[LockEntry] = []
    in_via = False
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        match = ENTRY.match(line)
        if match:
            name, version, marker = match.groups()
            entries.append(LockEntry(_normalise(name), version, marker or None))
            in_via = False
        elif stripped.startswith("--hash=") and entries:
            entries[-1].hashes.append(stripped.split("=", 1)[1].rstrip(" \\"))
        elif stripped.startswith("# via") and entries:
            rest = stripped[len("# via") :].strip()
            entries[-1].via.extend([rest] if rest else [])
            in_via = not rest
        elif in_via and stripped.startswith("#   "):
            entries[-1].via.append(stripped[len("#   ") :].strip())
    return entries


def requirement_lines(path: Path = LAB_ROOT / "requirements.txt") -> list[str]:
    """Las líneas de requirements.txt que piden un paquete (sin comentarios)."""
    lines = [
        line.split("#", 1)[0].strip() for line in path.read_text("utf-8").split("\n")
    ]
    return [line for line in lines if line]


def _reachable(entries: list[LockEntry], start: set[str]) -> set[str]:
    """``start`` y lo que piden, según las anotaciones ``# via`` del lock."""
    found = set(start)
    changed = True
    while changed:
        changed = False
        for entry in entries:
            parents = {_normalise(name) for name in entry.via if name != ROOT_MARK}
            if entry.name not in found and parents & found:
                found.add(entry.name)
                changed = True
    return found


def lock_problems(requirements: list[str], entries: list[LockEntry]) -> list[str]:
    """Qué tiene el lock que no corresponde a requirements.txt (vacío: al día)."""
    wanted = all_pins(requirements)
    roots = {entry.name for entry in entries if ROOT_MARK in entry.via}
    problems = [
        f"{name}=={version} está en requirements.txt pero el lock tiene "
        f"{', '.join(sorted(locked)) or 'nada'}"
        for name, versions in sorted(wanted.items())
        for version in sorted(versions)
        if version
        not in (locked := {entry.version for entry in entries if entry.name == name})
        or name not in roots
    ]
    problems += [
        f"{name} está en el lock pero ya no en requirements.txt"
        for name in sorted(roots - wanted.keys())
    ]
    reachable = _reachable(entries, roots & wanted.keys())
    problems += [
        f"{entry.name} está en el lock pero nada lo pide"
        for entry in entries
        if entry.name not in reachable
    ]
    problems += [
        f"{entry.name}=={entry.version} no tiene hash sha256"
        for entry in entries
        if not entry.hashes
        or not all(
            re.fullmatch(r"sha256:[0-9a-f]{64}", value) for value in entry.hashes
        )
    ]
    return problems


def job_closure(
    entries: list[LockEntry], roots: set[str], platform: dict[str, str]
) -> dict[str, str]:
    """Lo que instalan ``roots`` en ``platform`` según el lock: nombre -> versión."""
    here = [entry for entry in entries if entry.applies(platform)]
    names = _reachable(here, roots)
    return {entry.name: entry.version for entry in here if entry.name in names}


def test_the_lock_matches_requirements() -> None:
    """Falla si se cambió requirements.txt sin regenerar el lock (ver su cabecera)."""
    assert not lock_problems(requirement_lines(), lock_entries())


def test_a_stale_lock_is_detected(tmp_path: Path) -> None:
    requirements = [
        line.replace("scikit-learn==1.9.1", "scikit-learn==1.8.0")
        for line in requirement_lines()
        if not line.startswith("pre-commit==")
    ] + ["rich==14.0.0"]
    problems = lock_problems(requirements, lock_entries())
    assert (
        "scikit-learn==1.8.0 está en requirements.txt pero el lock tiene 1.9.1"
        in problems
    )
    assert "pre-commit está en el lock pero ya no en requirements.txt" in problems
    assert "rich==14.0.0 está en requirements.txt pero el lock tiene nada" in problems
    assert "identify está en el lock pero nada lo pide" in problems
    unhashed = tmp_path / "requirements.lock"
    unhashed.write_text(
        re.sub(r" \\\n\s+--hash=\S+", "", LOCK.read_text(encoding="utf-8")),
        encoding="utf-8",
    )
    unhashed_problems = lock_problems(requirement_lines(), lock_entries(unhashed))
    assert "numpy==2.5.5 no tiene hash sha256" in unhashed_problems
    assert "numpy==2.4.6 no tiene hash sha256" in unhashed_problems
    # Cada versión de un paquete que depende de Python cuenta por separado.
    older = [line.replace("numpy==2.4.6", "numpy==2.4.5") for line in requirements]
    assert "numpy==2.4.5 está en requirements.txt pero el lock tiene 2.4.6, 2.5.5" in (
        lock_problems(older, lock_entries())
    )


def test_the_lock_says_how_it_was_made() -> None:
    header = LOCK.read_text(encoding="utf-8").splitlines()[1]
    assert header == f"#    {LOCK_COMMAND}"
    requirements = (LAB_ROOT / "requirements.txt").read_text(encoding="utf-8")
    assert LOCK_COMMAND in requirements
    assert "pip install --require-hashes -r requirements.lock" in requirements


def test_the_job_installs_exactly_the_lock_for_linux_python_3_12() -> None:
    """conda.yml fija todo lo que instala el trabajo, con las versiones del lock."""
    expected = job_closure(lock_entries(), SCORING_PACKAGES, JOB_PLATFORM)
    assert SCORING_PACKAGES <= expected.keys()
    found = conda_pins()
    changes = [
        f"{name}: conda.yml {found.get(name, 'no lo tiene')}, el lock "
        f"{expected.get(name, 'no lo instala en el trabajo')}"
        for name in sorted(found.keys() | expected.keys())
        if found.get(name) != expected.get(name)
    ]
    assert not changes, "Pon en conda.yml las versiones del lock: " + "; ".join(changes)


def test_shared_pins_agree() -> None:
    assert not disagreements(requirements_pins(), conda_pins())


def test_scoring_packages_pinned_in_both() -> None:
    assert SCORING_PACKAGES <= conda_pins().keys()
    assert SCORING_PACKAGES <= requirements_pins().keys()


def test_every_requirement_is_pinned() -> None:
    lines = (LAB_ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    requirements = [
        line.strip()
        for line in lines
        if line.strip() and not line.startswith("#") and line.strip() != "-e ."
    ]
    assert requirements
    assert all(PIN.match(line) for line in requirements), requirements


def test_a_mismatch_is_detected(tmp_path: Path) -> None:
    conda = (LAB_ROOT / "conda.yml").read_text(encoding="utf-8")
    changed = tmp_path / "conda.yml"
    changed.write_text(
        conda.replace("scikit-learn==1.9.1", "scikit-learn==1.3.2"), encoding="utf-8"
    )
    problems = disagreements(requirements_pins(), conda_pins(changed))
    assert problems == ["scikit-learn: requirements.txt 1.9.1 ≠ conda.yml 1.3.2"]


def test_conda_python_is_supported() -> None:
    environment = yaml.safe_load((LAB_ROOT / "conda.yml").read_text(encoding="utf-8"))
    python = [
        dependency
        for dependency in environment["dependencies"]
        if isinstance(dependency, str) and dependency.startswith("python=")
    ]
    assert python
    version = tuple(int(part) for part in python[0].split("=")[1].split("."))
    # Una de las admitidas y con parches: Python 3.12 o posterior.
    assert (3, 12) <= version <= NEWEST_PYTHON
    assert python_problem(version) is None


def test_the_environment_check_looks_for_what_scoring_needs() -> None:
    """labkit exige al importarse lo que score.py necesita, también en Azure ML."""
    assert set(REQUIRED_MODULES) == SCORING_PACKAGES
    assert SCORING_PACKAGES <= set(conda_pins())


def test_unsupported_pythons_get_the_range_and_the_fix() -> None:
    for supported in ((3, 11, 0), (3, 12, 1), (3, 14, 2), (3, 15, 2)):
        assert python_problem(supported) is None
    assert supported_range() == "3.11 a 3.15"
    for version in ((3, 9, 18), (3, 10, 13), (3, 16, 0)):
        problem = python_problem(version, "/usr/bin/python3")
        assert problem is not None
        assert f"Python {'.'.join(map(str, version))}" in problem
        assert f"Python {supported_range()}" in problem
        assert "-m venv .venv" in problem


def test_the_install_advice_is_what_python_org_offers_today() -> None:
    """Windows: el administrador de instalación (py install); no «Python 3.12»."""
    windows = python_problem((3, 10, 11), "C:\\Python310\\python.exe", "win32")
    assert windows is not None
    assert "py install 3.14" in windows
    assert "py -V:3.14 -m venv .venv" in windows
    assert "administrador de instalación de Python" in windows
    for platform in ("darwin", "linux"):
        other = python_problem((3, 10, 11), "/usr/bin/python3", platform)
        assert other is not None
        assert "python3.14 -m venv .venv" in other and "py install" not in other
    assert other is not None
    for text in (windows, other):
        assert "3.12" not in text and "\n" not in text


def test_missing_libraries_say_activate_or_install() -> None:
    assert missing_libraries(lambda module: object()) == []
    missing = missing_libraries(lambda module: None)
    assert missing == list(REQUIRED_MODULES)
    outside = libraries_problem(["pandas"], in_venv=False)
    assert outside is not None
    for fix in (
        "source .venv/bin/activate",
        ".venv\\Scripts\\Activate.ps1",
        ".venv\\Scripts\\activate.bat",
        "python -m pip install --require-hashes -r requirements.lock",
    ):
        assert fix in outside
    inside = libraries_problem(["pandas"], in_venv=True)
    assert (
        inside is not None
        and "pip install --require-hashes -r requirements.lock" in inside
    )
    assert libraries_problem([], in_venv=False) is None


def test_missing_libraries_in_an_azure_ml_job_point_to_conda_yml(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """En un trabajo de Azure ML (AZUREML_RUN_ID), el arreglo es conda.yml."""
    monkeypatch.delenv("AZUREML_RUN_ID", raising=False)
    assert "conda.yml" not in str(libraries_problem(["skops"], in_venv=True))
    monkeypatch.setenv("AZUREML_RUN_ID", "trabajo-1")
    problem = libraries_problem(["skops"], in_venv=True)
    assert problem is not None
    assert "trabajo de Azure ML" in problem and "(skops)" in problem
    assert "sección pip de conda.yml" in problem


def test_this_environment_passes_the_check() -> None:
    assert environment_problem() is None


def test_a_missing_library_is_named_by_its_package() -> None:
    def missing(name: str) -> ModuleNotFoundError:
        return ModuleNotFoundError(f"No module named {name!r}", name=name)

    assert missing_lab_library(missing("sklearn")) == "scikit-learn"
    assert missing_lab_library(missing("sklearn.ensemble")) == "scikit-learn"
    assert missing_lab_library(missing("azure.ai")) == "azure-ai-ml"
    # Un nombre mal escrito en el código no es un problema del entorno.
    assert missing_lab_library(missing("pandsa")) is None
    assert missing_lab_library(ValueError("otra cosa")) is None
    try:
        try:
            raise missing("mlflow")
        except ModuleNotFoundError as error:
            raise RuntimeError("al cargar el modelo") from error
    except RuntimeError as chained:
        assert missing_lab_library(chained) == "mlflow-skinny"


def run_without_libraries(
    lab: Path, args: list[str], **env: str
) -> subprocess.CompletedProcess[str]:
    """``python -S``: este mismo Python sin site-packages, como sin el entorno."""
    environ = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "AZUREML_RUN_ID")
    }
    return subprocess.run(
        [sys.executable, "-S", *args],
        cwd=lab,
        env={**environ, "PYTHONIOENCODING": "utf-8", **env},
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module", name="bare_lab")
def fixture_bare_lab(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Una copia del laboratorio con un script que solo usa la biblioteca estándar."""
    lab = copy_lab_code(tmp_path_factory.mktemp("sin-entorno"))
    (lab / "scripts" / "hola.py").write_text(
        "from _lab import LAB_ROOT\n\n"
        "from labkit.cli import format_number\n\n"
        "print('hola', format_number(10000), LAB_ROOT.name)\n",
        encoding="utf-8",
    )
    (lab / "scripts" / "errata.py").write_text(
        "from _lab import LAB_ROOT\n\nimport pandsa  # noqa\n", encoding="utf-8"
    )
    return lab


def test_without_libraries_a_script_that_imports_them_says_how_to_fix_it(
    bare_lab: Path,
) -> None:
    """train_model.py importa scikit-learn arriba: una línea, sin traceback."""
    for args in ([], ["--help"]):
        result = run_without_libraries(bare_lab, ["scripts/train_model.py", *args])
        assert result.returncode == 1, result.stdout + result.stderr
        assert result.stdout == ""
        [line] = result.stderr.splitlines()
        assert line.startswith("❌ Error: ") and "Traceback" not in line
        assert "(scikit-learn, " in line and INSTALL in line, line


def test_in_an_azure_ml_job_a_missing_library_points_to_conda_yml(
    bare_lab: Path,
) -> None:
    result = run_without_libraries(
        bare_lab, ["scripts/train_model.py"], AZUREML_RUN_ID="trabajo-1"
    )
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert "trabajo de Azure ML" in line and "conda.yml" in line, line


def test_a_script_that_only_needs_the_standard_library_runs_without_them(
    bare_lab: Path,
) -> None:
    result = run_without_libraries(bare_lab, ["scripts/hola.py"])
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == f"hola 10 000 {bare_lab.name}\n"
    # score.py importa pandas y MLflow solo al puntuar: su ayuda no los necesita.
    result = run_without_libraries(bare_lab, ["src/score.py", "--help"])
    assert result.returncode == 0, result.stderr
    assert "uso:" in result.stdout


def test_a_typo_in_an_import_is_not_blamed_on_the_environment(
    bare_lab: Path,
) -> None:
    result = run_without_libraries(bare_lab, ["scripts/errata.py"])
    assert result.returncode == 1
    assert "Traceback" in result.stderr
    assert "No module named 'pandsa'" in result.stderr
    assert "❌" not in result.stderr
