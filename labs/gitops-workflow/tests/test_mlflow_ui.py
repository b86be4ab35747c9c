"""scripts/mlflow_ui.py: el almacén del laboratorio, se lance desde donde se lance.

Error 6 de los estudiantes: ``mlflow ui`` lanzado desde ``scripts/`` crea allí
un ``mlflow.db`` vacío y muestra una página sin modelos, sin decir nada. El
script muestra siempre el almacén de la raíz y dice en una línea qué es el
``mlflow.db`` suelto y qué hacer con él.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from mlflow_ui import (
    NO_WEB_UI,
    PORTS,
    free_port,
    stray_stores,
    stray_warning,
    web_ui_available,
)
from tests.helpers import assert_clean_failure, copy_lab_code, run_script

MODEL = "churn-prediction-model"


def make_store(root: Path) -> None:
    """Un almacén local con una versión registrada, como lo deja register_model."""
    from mlflow import MlflowClient

    model_folder = root / "mlartifacts" / "models" / "m1"
    model_folder.mkdir(parents=True)
    client = MlflowClient(f"sqlite:///{(root / 'mlflow.db').as_posix()}")
    client.create_registered_model(MODEL)
    client.create_model_version(
        MODEL,
        model_folder.as_uri(),
        tags={"roc_auc": "0.8322", "accuracy": "0.7810"},
    )


def make_stray(folder: Path) -> Path:
    """El mlflow.db que deja «mlflow ui» lanzado en ``folder``."""
    path = folder / "mlflow.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num TEXT)")
    return path


@pytest.fixture(name="lab")
def fixture_lab(tmp_path: Path) -> Path:
    """Una copia del laboratorio con el almacén local en su raíz."""
    lab = copy_lab_code(tmp_path / "lab")
    make_store(lab)
    return lab


def test_stray_stores_are_found_beside_the_lab_root(tmp_path: Path) -> None:
    root = tmp_path / "lab"
    (root / "scripts").mkdir(parents=True)
    (root / "mlflow.db").write_bytes(b"")
    assert not stray_stores(root, root)
    stray = make_stray(root / "scripts")
    elsewhere = tmp_path / "otra"
    elsewhere.mkdir()
    other = make_stray(elsewhere)
    assert stray_stores(root, root) == [stray]
    assert stray_stores(root, elsewhere) == sorted([stray, other])
    line = stray_warning(stray, root)
    assert "\n" not in line
    assert "lo crea «mlflow ui» lanzado desde scripts/" in line
    assert f"el tuyo es {root / 'mlflow.db'}" in line
    assert "python scripts/mlflow_ui.py desde cualquier carpeta" in line


@pytest.mark.slow
def test_from_scripts_it_shows_the_lab_store_and_names_the_stray_one(
    lab: Path,
) -> None:
    """Error 6: desde scripts/, con el mlflow.db vacío que dejó «mlflow ui»."""
    stray = make_stray(lab / "scripts")
    result = run_script(["mlflow_ui.py"], cwd=lab / "scripts")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    output = result.stdout
    assert f"🗂️  Almacén local de MLflow: {lab / 'mlflow.db'}" in output
    assert MODEL in output and "0,8322" in output and "0,7810" in output
    assert f"⚠️  {stray} no es el almacén del laboratorio" in output
    # requirements.lock trae mlflow-skinny: sin interfaz web, lo dice.
    assert NO_WEB_UI in output


def test_without_a_store_one_line_says_how_to_make_it(tmp_path: Path) -> None:
    lab = copy_lab_code(tmp_path / "lab")
    for cwd in (lab, lab / "scripts"):
        result = run_script([lab / "scripts" / "mlflow_ui.py"], cwd=cwd)
        assert_clean_failure(
            result, "todavía no hay almacén local", "register_model.py --local"
        )
        assert len(result.stderr.splitlines()) == 1
    assert not list(lab.rglob("mlflow.db")), "no debe crear un almacén vacío"


def test_help_is_spanish() -> None:
    result = run_script(["scripts/mlflow_ui.py", "--help"])
    assert result.returncode == 0
    assert "muestra esta ayuda" in result.stdout and "mlflow" in result.stdout


def test_the_web_ui_takes_the_first_free_port() -> None:
    """Si 5000 está ocupado (otro mlflow ui), el siguiente: sin opciones que saber."""
    assert free_port() in PORTS


def test_mlflow_skinny_has_no_web_ui() -> None:
    """requirements.lock instala mlflow-skinny: sin la página de mlflow ui."""
    assert not web_ui_available()
