"""Pruebas de scripts/train_model.py."""

from __future__ import annotations

import json
from pathlib import Path

import joblib
import pytest

from churn_lab.schema import FEATURES
from scripts.train_model import main
from tests.helpers import (
    LAB_ROOT,
    assert_clean_failure,
    assert_main_fails,
    copy_lab_code,
    run_script,
)


def test_writes_model_and_metadata(trained_model: Path) -> None:
    metadata = json.loads((trained_model / "model_metadata.json").read_text("utf-8"))
    assert metadata["model_name"] == "churn-prediction-model"
    assert metadata["model_type"] == "RandomForestClassifier"
    assert metadata["num_samples"] == 10_000
    assert metadata["random_seed"] == 42
    assert metadata["features"] == list(FEATURES)
    assert set(metadata["metrics"]) == {
        "accuracy",
        "precision",
        "recall",
        "f1_score",
        "roc_auc",
        "brier_score",
    }
    assert {"python", "scikit-learn", "pandas", "numpy", "joblib"} <= set(
        metadata["library_versions"]
    )
    assert "T" in metadata["training_date"]


def test_model_beats_the_majority_baseline(trained_model: Path) -> None:
    metadata = json.loads((trained_model / "model_metadata.json").read_text("utf-8"))
    assert metadata["metrics"]["accuracy"] > metadata["baseline_accuracy"]
    assert metadata["metrics"]["roc_auc"] >= 0.80


def test_model_is_a_small_pipeline_on_raw_columns(trained_model: Path) -> None:
    model_path = trained_model / "model.pkl"
    assert model_path.stat().st_size < 5_000_000
    model = joblib.load(model_path)
    assert [name for name, _ in model.steps] == ["preprocess", "classifier"]
    assert list(model.feature_names_in_) == list(FEATURES)


def test_same_seed_gives_same_metrics(tmp_path: Path, trained_model: Path) -> None:
    assert main(["--output-dir", str(tmp_path)]) == 0
    first = json.loads((trained_model / "model_metadata.json").read_text("utf-8"))
    again = json.loads((tmp_path / "model_metadata.json").read_text("utf-8"))
    assert first["metrics"] == again["metrics"]


@pytest.mark.parametrize("n_samples", ["0", "-10", "diez"])
def test_rejects_impossible_sample_counts(
    n_samples: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--n-samples", n_samples, "--output-dir", str(tmp_path)])
    assert exit_info.value.code == 1
    assert "error: argumento --n-samples" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_bad_option_in_a_terminal_prints_no_traceback(tmp_path: Path) -> None:
    result = run_script(
        ["scripts/train_model.py", "--n-samples", "-1", "--output-dir", tmp_path]
    )
    assert_clean_failure(result, "--n-samples", "mayor que 0")


@pytest.mark.parametrize(
    ("written", "meant"), [("200.000", "200000"), ("10.000", "10000")]
)
def test_a_thousands_separator_is_not_read_as_a_decimal_point(
    written: str, meant: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """«200.000» (separador de miles) no entrena con 200 clientes sin decir nada."""
    with pytest.raises(SystemExit) as exit_info:
        main(["--n-samples", written, "--output-dir", str(tmp_path)])
    assert exit_info.value.code == 1
    message = capsys.readouterr().err
    assert (
        f"argumento --n-samples: {written} parece un número con separador de miles: "
        f"escribe {meant}"
    ) in message
    assert "recibido" not in message
    assert not list(tmp_path.iterdir())


def test_rejects_too_few_to_split(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--n-samples", "30", "--output-dir", str(tmp_path)]) == 1
    assert "al menos 100" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_unwritable_output_dir_leaves_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "archivo.txt"
    blocker.write_text("no soy una carpeta", encoding="utf-8")
    args = ["--n-samples", "200", "--output-dir", blocker / "sub"]
    assert_main_fails(main, args, capsys, "no se puede escribir", "archivo.txt")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["archivo.txt"]


def test_help_is_spanish(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    output = capsys.readouterr().out
    assert "uso:" in output and "opciones:" in output
    assert "por defecto: 10000" in " ".join(output.split())
    assert "usage" not in output and "default" not in output


def test_rejects_a_negative_seed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--seed", "-1", "--output-dir", str(tmp_path)])
    assert exit_info.value.code == 1
    assert "argumento --seed: debe ser un entero desde 0" in capsys.readouterr().err


def test_default_folder_is_the_lab_root_from_any_folder(tmp_path: Path) -> None:
    lab = copy_lab_code(tmp_path / "lab")
    # Desde scripts/: el modelo va a artifacts/ de la raíz, no a scripts/artifacts.
    result = run_script(["train_model.py", "--n-samples", "200"], cwd=lab / "scripts")
    assert result.returncode == 0, result.stderr
    assert (lab / "artifacts" / "model.pkl").is_file()
    # Ni artifacts/ ni otra carpeta nueva en scripts/ (solo la caché de Python,
    # __pycache__, que aparece al importar los módulos de al lado).
    assert sorted(
        path.name for path in (lab / "scripts").iterdir() if path.name != "__pycache__"
    ) == sorted(
        path.name for path in (LAB_ROOT / "scripts").iterdir() if path.suffix == ".py"
    )
    assert "python scripts/test_model.py" in result.stdout
    # Una ruta escrita por el estudiante sigue siendo relativa a donde está.
    elsewhere = tmp_path / "otra"
    elsewhere.mkdir()
    result = run_script(
        [lab / "scripts" / "train_model.py", "--n-samples", "200", "--output-dir", "m"],
        cwd=elsewhere,
    )
    assert result.returncode == 0, result.stderr
    assert (elsewhere / "m" / "model.pkl").is_file()
    assert f"Modelo guardado en {Path('m') / 'model.pkl'}" in result.stdout


def test_prints_numbers_the_spanish_way(
    tmp_path: Path, trained_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    metadata = json.loads((trained_model / "model_metadata.json").read_text("utf-8"))
    assert main(["--output-dir", str(tmp_path)]) == 0
    output = capsys.readouterr().out
    assert "10 000 clientes generados" in output
    assert "Entrenamiento: 8000 filas · prueba: 2000 filas" in output
    accuracy = f"{metadata['metrics']['accuracy']:.4f}".replace(".", ",")
    assert f"Exactitud (accuracy):      {accuracy}" in output


def test_outputs_are_one_set_listed_in_the_metadata(trained_model: Path) -> None:
    from labkit.training import file_digest

    metadata = json.loads((trained_model / "model_metadata.json").read_text("utf-8"))
    assert set(metadata["files"]) == {
        "model.pkl",
        "metrics.json",
        "roc_curve.png",
        "confusion_matrix.png",
    }
    for name, digest in metadata["files"].items():
        assert file_digest(trained_model / name) == digest, name
    # La carpeta temporal en la que se escribieron ya no está.
    assert not list(trained_model.glob(".*"))
