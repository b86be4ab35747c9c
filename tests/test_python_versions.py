"""El laboratorio en cada Python que admite (3.11 a 3.15), como lo instala un alumno.

- **Solo wheels, en cada Python y plataforma**: ``requirements.lock`` se
  resuelve con paquetes ya compilados para Python 3.11 a 3.15 en Windows x64,
  macOS (Apple y Intel) y Linux (``tests/lock_wheels.py``, sin red).
- **CPython 3.14 y 3.15 de verdad** (``tests/newest_python.py``): en la jaula
  de newest-python, un repositorio de estudiante hecho como dicen las Partes 1
  y 2 (``tests/student_repo.py``), el chequeo de antes de instalar, los
  comandos de pip del tutorial (``--require-hashes``, solo wheels, sin red
  desde ``.venv/wheelhouse-newest``), todas las pruebas del laboratorio (en 3.15,
  ``run_checks.py --completo``: también los cinco linters, que allí fallaban
  por dill y astroid) y el camino local de las Partes 3 a 6 hasta las 500
  predicciones. Cuánto tardó la instalación y cuánto ocupa ``.venv`` quedan
  en la salida de la prueba (``-rP``).
- **El chequeo de antes de instalar con intérpretes de verdad**: los de pyenv,
  de 3.7 a 3.13.
- **numpy distinta según el Python**: un modelo entrenado en el Python del
  proyecto (3.11, numpy 2.4) se carga y puntúa igual en el entorno del trabajo
  de Azure ML (3.12, numpy 2.5), con ``model.pkl`` y con la carpeta de MLflow
  (skops).
"""

from __future__ import annotations

import csv
import glob
import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest
from lab_copy import LAB, copy_lab
from lock_wheels import PLATFORMS, dry_run, supported_pythons
from newest_python import VERSIONS, WHEELHOUSE, missing, run
from student_repo import (
    TUTORIAL_PIP_INSTALLS,
    StudentRepo,
    copy_lab_files,
    make_repository,
)

from tests.azure_emulator import environment

# Plazo de todo el camino en un Python nuevo: instalar, los chequeos y las
# Partes 3 a 6, en una máquina de 2 núcleos cargada.
NEWEST_TIMEOUT = 3600
# Las Partes 3 a 6 sin Azure, en el orden del tutorial.
LOCAL_PATH = (
    "scripts/train_model.py",
    "scripts/test_model.py",
    "scripts/register_model.py --local",
    "scripts/create_inference_data.py",
    "scripts/upload_data.py --local",
    "scripts/run_inference_pipeline.py --local",
)


@pytest.mark.parametrize("version", supported_pythons())
@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_the_lock_installs_from_wheels_only(version: str, platform: str) -> None:
    result = dry_run(version, PLATFORMS[platform])
    assert result.returncode == 0, (
        f"requirements.lock no se instala solo con wheels en Python {version} "
        f"({platform}); si dice que falta en la caché, ejecuta ./dev.sh setup:\n"
        + result.stderr
    )
    assert re.search(r"Would install \d+ packages", result.stderr), result.stderr


def test_a_lock_without_wheels_for_a_python_is_refused(tmp_path: Path) -> None:
    """La prueba de arriba puede fallar: numpy 2.4.6 (la de 3.11) no tiene wheels
    para 3.15, como numpy 2.2.6 (el lock de 2025) no los tenía para 3.14."""
    block = re.search(
        r"^numpy==2\.4\.6 .*?(?=^\S)",
        (LAB / "requirements.lock").read_text(encoding="utf-8"),
        re.M | re.S,
    )
    assert block is not None
    lock = tmp_path / "requirements.lock"
    # Sin su marcador (solo Python < 3.12): pedida en 3.15.
    without_marker = re.sub(r" ; python_full_version < '3\.12'", "", block.group(0))
    lock.write_text(without_marker, encoding="utf-8")
    result = dry_run("3.15", PLATFORMS["linux-x86_64"], lock=lock)
    assert result.returncode != 0, result.stderr
    assert "numpy==2.4.6 has no usable wheels" in result.stderr


def newest_script(version: str) -> str:
    """Lo que hace un estudiante con Python ``version``, en bash, paso a paso."""
    pip = "\n".join(
        f"python -m pip install --quiet {shlex.join(args)}"
        for args in TUTORIAL_PIP_INSTALLS
    )
    local_path = "\n".join(
        f'echo "== python {step}"\npython {step} > /dev/null' for step in LOCAL_PATH
    )
    checks = (
        "python scripts/run_checks.py --completo"
        if version == VERSIONS[-1]
        else "python -m pytest -p no:cacheprovider"
    )
    return f"""set -euo pipefail
cd gitops-lab
# pip sin red: los wheels que ./dev.sh setup dejó junto al repositorio.
export PIP_NO_INDEX=1 PIP_FIND_LINKS="$PWD/../wheelhouse" PIP_ONLY_BINARY=:all:
echo "== python{version} scripts/check_python.py"
python{version} scripts/check_python.py
started=$EPOCHREALTIME
python{version} -m venv .venv
source .venv/bin/activate
{pip}
echo "install_s=$(python -c "print(round($EPOCHREALTIME - $started, 1))")"
echo "venv_mb=$(du -sm .venv | cut -f1)"
python -m pip check
echo "== versiones"
python -c "import numpy, pandas, sklearn, mlflow; print(numpy.__version__, \
pandas.__version__, sklearn.__version__, mlflow.__version__)"
# Como en las pruebas del laboratorio: nada sale de 127.0.0.1.
export PYTHONPATH="$PWD/tests/netguard"
echo "== {checks}"
{checks}
{local_path}
echo "predicciones=$(($(wc -l < data/inference_output.csv) - 1))"
"""


@pytest.mark.skipif(missing() is not None, reason=str(missing()))
@pytest.mark.parametrize("version", VERSIONS)
def test_the_lab_on_the_newest_cpython(version: str, tmp_path: Path) -> None:
    """Partes 1 a 6 (sin Azure) en CPython 3.14 y 3.15, como un estudiante."""
    copy_lab_files(tmp_path / "gitops-lab")
    make_repository(tmp_path / "gitops-lab")
    wheels = tmp_path / "wheelhouse"  # enlaces duros: al instante, sin copiar 265 MB
    subprocess.run(["cp", "-al", str(WHEELHOUSE), str(wheels)], check=True)
    (tmp_path / "estudiante.sh").write_text(newest_script(version), encoding="utf-8")
    result = run(tmp_path, "bash estudiante.sh", timeout=NEWEST_TIMEOUT)
    output = result.stdout
    (tmp_path / "estudiante.log").write_text(output, encoding="utf-8")
    figures = re.findall(r"^(?:install_s|venv_mb|predicciones)=.*$", output, re.M)
    print(f"CPython {version}: {' '.join(figures)}")
    failed = [line for line in output.splitlines() if "FAILED" in line or "❌" in line]
    assert result.returncode == 0, "\n".join(failed) + "\n" + output[-4000:]
    assert "✅ Este Python sirve para el laboratorio" in output
    assert "No broken requirements found." in output
    assert "predicciones=500" in output
    with (tmp_path / "gitops-lab" / "data" / "inference_output.csv").open() as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == 500
    assert all(0 <= float(row["churn_probability"]) <= 1 for row in rows)


def pyenv_pythons() -> dict[str, str]:
    """Los intérpretes de pyenv de este equipo: ``"3.10"`` -> su python."""
    found = {}
    pattern = os.path.expanduser("~/.pyenv/versions/3.*/bin/python")
    for path in sorted(glob.glob(pattern)):
        match = re.search(r"versions/(3\.\d+)\.", path)
        if match:
            found[match.group(1)] = path
    return found


@pytest.mark.skipif(not pyenv_pythons(), reason="no hay pyenv en este equipo")
def test_the_pre_install_check_on_real_interpreters(tmp_path: Path) -> None:
    """Antes de crear .venv: cada Python viejo dice qué instalar; los admitidos, ✅."""
    supported = supported_pythons()
    checked = []
    # En una copia: cada Python deja su bytecode en src/labkit/__pycache__.
    lab = copy_lab(tmp_path / "lab")
    for version, python in pyenv_pythons().items():
        if tuple(map(int, version.split("."))) < (3, 7):
            continue  # sin «from __future__ import annotations»
        result = subprocess.run(
            [python, str(lab / "scripts" / "check_python.py")],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            encoding="utf-8",
            env={**os.environ, "PYTHONIOENCODING": "utf-8"},
            timeout=120,
            check=False,
        )
        assert "Traceback" not in result.stderr, (version, result.stderr)
        if version in supported:
            assert result.returncode == 0, (version, result.stderr)
            assert "✅ Este Python sirve" in result.stdout
        else:
            assert result.returncode == 1, (version, result.stdout)
            (line,) = result.stderr.splitlines()
            assert line.startswith("❌ Error: este laboratorio funciona con Python")
            assert "3.11 a 3.15" in line and "python3.14 -m venv .venv" in line
        checked.append(version)
    # Al menos uno de cada lado (aquí pyenv tiene de 3.7 a 3.13).
    assert set(checked) & set(supported) and set(checked) - set(supported), checked


def test_a_model_trained_here_scores_the_same_in_the_job_environment(
    tmp_path: Path, student_repo: StudentRepo
) -> None:
    """numpy y scipy cambian entre Python 3.11 y 3.12: el modelo no.

    El formato con que joblib y skops guardan los arrays de numpy es el mismo
    en numpy 2.4 y 2.5, y scipy no se guarda en el modelo (scikit-learn lo usa
    al entrenar). Se entrena y registra en local en el repositorio del
    estudiante (el Python del proyecto: 3.11 aquí, con numpy 2.4) y el
    entorno del trabajo de Azure ML (conda.yml: Python 3.12, numpy 2.5)
    puntúa con ``src/score.py`` exactamente lo mismo, con ``model.pkl`` y con
    la carpeta de MLflow que guarda skops.
    """
    repo = student_repo.clone(tmp_path / "repo")
    job = environment.build((LAB / "conda.yml").read_text(encoding="utf-8"))
    for step in (
        ["scripts/train_model.py"],
        ["scripts/create_inference_data.py"],
        ["scripts/register_model.py", "--local"],
    ):
        done = repo.run(step)
        assert done.returncode == 0, done.stdout
    (folder,) = {path.parent for path in (repo.root / "mlartifacts").rglob("MLmodel")}
    pythons = {"estudiante": repo.python, "trabajo": job.python}
    for name, python in pythons.items():
        probe = subprocess.run(
            [str(python), "-c", PROBE], capture_output=True, text=True, check=True
        )
        print(name, probe.stdout.strip())
    for model in (repo.root / "artifacts" / "model.pkl", folder):
        scored = {}
        for name, python in pythons.items():
            output = tmp_path / f"{name}-{model.name}.csv"
            result = subprocess.run(
                [str(python), "src/score.py", "--model", str(model)]
                + ["--output", str(output)],
                cwd=repo.root,
                env=repo.env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=600,
                check=False,
            )
            assert result.returncode == 0, (name, model, result.stdout)
            scored[name] = output.read_text(encoding="utf-8")
        assert scored["estudiante"] == scored["trabajo"], model
        assert scored["trabajo"].count("\n") == 501


PROBE = (
    "import platform, numpy, scipy, sklearn; print(platform.python_version(), "
    "'numpy', numpy.__version__, 'scipy', scipy.__version__, "
    "'scikit-learn', sklearn.__version__)"
)
