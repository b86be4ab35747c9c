"""Pruebas de src/score.py, el programa que puntúa en local y en Azure ML."""

from __future__ import annotations

import io
import json
import os
import pickle
import shutil
import zipfile
from pathlib import Path

import joblib
import pandas as pd
import pytest
import yaml

from churn_lab.data import generate_inference_data
from churn_lab.schema import INFERENCE_COLUMNS, PREDICTION_COLUMN
from score import load_scoring_model, main, score_file
from tests.helpers import (
    assert_clean_failure,
    assert_main_fails,
    run_script,
    terminate_when,
)

SCRIPT = "src/score.py"


@pytest.fixture(scope="module", name="customers")
def fixture_customers() -> pd.DataFrame:
    return generate_inference_data()


@pytest.fixture(name="input_csv")
def fixture_input_csv(tmp_path: Path, customers: pd.DataFrame) -> Path:
    path = tmp_path / "inference_input.csv"
    customers.to_csv(path, index=False)
    return path


def score_frame(model_path: Path, frame: pd.DataFrame, folder: Path) -> pd.DataFrame:
    """Puntúa ``frame`` con main() y devuelve el CSV de salida leído."""
    folder.mkdir(parents=True, exist_ok=True)
    source, target = folder / "in.csv", folder / "out.csv"
    frame.to_csv(source, index=False)
    args = ["--model", str(model_path), "--input-path", str(source)]
    assert main([*args, "--output-path", str(target)]) == 0
    return pd.read_csv(target)


def test_scores_every_row_and_keeps_every_column(
    trained_model: Path, input_csv: Path, tmp_path: Path
) -> None:
    output = tmp_path / "inference_output.csv"
    model = ["--model", str(trained_model / "model.pkl")]
    assert (
        main([*model, "--input-path", str(input_csv), "--output-path", str(output)])
        == 0
    )
    scored = pd.read_csv(output)
    original = pd.read_csv(input_csv)
    assert list(scored.columns) == [*INFERENCE_COLUMNS, PREDICTION_COLUMN]
    assert len(scored) == 500
    pd.testing.assert_frame_equal(scored[list(INFERENCE_COLUMNS)], original)
    assert scored[PREDICTION_COLUMN].between(0.0, 1.0).all()
    assert scored[PREDICTION_COLUMN].nunique() > 100


def test_one_row_alone_scores_as_in_the_batch(
    trained_model: Path, customers: pd.DataFrame, tmp_path: Path
) -> None:
    model_path = trained_model / "model.pkl"
    batch = score_frame(model_path, customers, tmp_path / "batch")
    for index in (0, 123, 499):
        alone = score_frame(model_path, customers.iloc[[index]], tmp_path / f"r{index}")
        assert alone[PREDICTION_COLUMN].iloc[0] == batch[PREDICTION_COLUMN].iloc[index]


def test_batch_missing_a_category_scores_fine(
    trained_model: Path, customers: pd.DataFrame, tmp_path: Path
) -> None:
    model_path = trained_model / "model.pkl"
    batch = score_frame(model_path, customers, tmp_path / "batch")
    subset = customers["internet_service"] == "no"
    only_no_internet = score_frame(model_path, customers[subset], tmp_path / "sub")
    expected = batch.loc[subset.to_numpy(), PREDICTION_COLUMN].to_numpy()
    assert only_no_internet[PREDICTION_COLUMN].tolist() == expected.tolist()


def test_small_chunks_give_the_same_file(
    trained_model: Path, input_csv: Path, tmp_path: Path
) -> None:
    model = load_scoring_model(str(trained_model / "model.pkl"), None)
    assert score_file(model, input_csv, tmp_path / "a.csv") == 500
    assert score_file(model, input_csv, tmp_path / "b.csv", chunk_rows=47) == 500
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_folders_as_azure_mounts_them(
    trained_model: Path, customers: pd.DataFrame, tmp_path: Path
) -> None:
    # Azure ML monta la entrada y la salida en dos carpetas distintas.
    inputs, outputs = tmp_path / "inputs", tmp_path / "outputs"
    inputs.mkdir()
    outputs.mkdir()
    customers.to_csv(inputs / "datos.csv", index=False)
    args = ["--model", str(trained_model / "model.pkl"), "--input-path"]
    assert main([*args, str(inputs), "--output-path", str(outputs)]) == 0
    assert len(pd.read_csv(outputs / "predictions.csv")) == 500


@pytest.mark.slow
def test_mlflow_model_folder(
    trained_model: Path, input_csv: Path, tmp_path: Path
) -> None:
    import mlflow.sklearn

    model_dir = tmp_path / "mlflow_model"
    mlflow.sklearn.save_model(
        joblib.load(trained_model / "model.pkl"),
        model_dir,
        skops_trusted_types=["sklearn.tree._tree.Tree"],
    )
    pkl_output, mlflow_output = tmp_path / "pkl.csv", tmp_path / "mlflow.csv"
    common = ["--input-path", str(input_csv), "--output-path"]
    assert (
        main(["--model", str(trained_model / "model.pkl"), *common, str(pkl_output)])
        == 0
    )
    assert main(["--model", str(model_dir), *common, str(mlflow_output)]) == 0
    assert pkl_output.read_bytes() == mlflow_output.read_bytes()


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _write_bytes(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def _bad_inputs(customers: pd.DataFrame, folder: Path) -> dict[str, tuple[Path, str]]:
    header = ",".join(INFERENCE_COLUMNS)
    unknown = customers.head(3).copy()
    unknown.loc[1, "payment_method"] = "bitcoin"
    wrong_type = customers.head(3).copy().astype(object)
    wrong_type.loc[0, "tenure_months"] = "doce"
    unknown.to_csv(folder / "unknown.csv", index=False)
    wrong_type.to_csv(folder / "wrong_type.csv", index=False)
    customers.drop(columns=["contract_type"]).to_csv(
        folder / "missing.csv", index=False
    )
    return {
        "vacío": (_write(folder / "empty.csv", ""), "está vacío"),
        "solo cabecera": (
            _write(folder / "header.csv", header + "\n"),
            "no tiene filas",
        ),
        "columnas": (folder / "missing.csv", "faltan las columnas: contract_type"),
        "categoría": (folder / "unknown.csv", "'bitcoin'"),
        "tipo": (folder / "wrong_type.csv", "tenure_months debe ser numérica"),
        "csv roto": (
            _write(folder / "broken.csv", header + "\n1,2\n1,2,3,4,5,6,7,8,9,10\n"),
            "la línea 3 tiene 10 campos y la cabecera 8",
        ),
        "comillas": (_write(folder / "quotes.csv", header + '\n"a,b\n'), "comillas"),
        "latin-1": (_write_bytes(folder / "latin.csv", b"a,b\n\xe9,1\n"), "UTF-8"),
        "no existe": (folder / "nada.csv", "no se encontró el archivo de entrada"),
    }


def test_bad_inputs_fail_cleanly_without_output(
    trained_model: Path,
    customers: pd.DataFrame,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    model: list[str | Path] = ["--model", trained_model / "model.pkl"]
    for name, (path, expected) in _bad_inputs(customers, tmp_path).items():
        output = tmp_path / name / "predictions.csv"
        args = [*model, "--input-path", path, "--output-path", output]
        assert_main_fails(main, args, capsys, expected)
        assert not output.parent.exists() or not list(output.parent.iterdir()), name


def test_bad_input_in_a_terminal_prints_no_traceback(
    trained_model: Path, customers: pd.DataFrame, tmp_path: Path
) -> None:
    path, expected = _bad_inputs(customers, tmp_path)["categoría"]
    result = run_script(
        [SCRIPT, "--model", trained_model / "model.pkl", "--input-path", path]
    )
    assert_clean_failure(result, expected, "los válidos son")


def test_error_in_a_later_chunk_leaves_no_file(
    trained_model: Path,
    customers: pd.DataFrame,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    broken = customers.copy()
    broken.loc[450, "contract_type"] = "semanal"
    source = tmp_path / "in.csv"
    broken.to_csv(source, index=False)
    output = tmp_path / "out" / "out.csv"
    args: list[str | Path] = ["--model", trained_model / "model.pkl"]
    args += ["--input-path", source]
    args += ["--output-path", output, "--chunk-rows", "100"]
    assert_main_fails(main, args, capsys, "filas 402–501", "'semanal'")
    assert not list(output.parent.iterdir())


def test_missing_and_corrupt_models(
    input_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corrupt = tmp_path / "model.pkl"
    corrupt.write_bytes(b"no es un modelo")
    cases = {
        tmp_path / "no.pkl": "train_model.py",
        corrupt: "no es un modelo válido",
        tmp_path: "no es un modelo de MLflow",
        tmp_path / "no_existe": "no se encontró el modelo",
    }
    for model, expected in cases.items():
        args: list[str | Path] = ["--model", model, "--input-path", input_csv]
        assert_main_fails(main, args, capsys, expected)


def test_folder_with_two_csv_files(
    trained_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("a.csv", "b.csv"):
        _write(tmp_path / name, "x\n1\n")
    args: list[str | Path] = ["--model", trained_model / "model.pkl"]
    args += ["--input-path", tmp_path]
    assert_main_fails(main, args, capsys, "exactamente un archivo .csv", "tiene 2")


# --------------------------------------------------------------------------
# Un modelo de MLflow se carga solo como datos: las carpetas manipuladas se
# rechazan antes de cargar nada, y el código que traen no llega a ejecutarse
# (cada una escribiría el archivo ``marker`` si se ejecutara).
# --------------------------------------------------------------------------


class _Payload:  # pylint: disable=too-few-public-methods
    """Un objeto que, al cargarse con pickle, ejecuta una orden del sistema."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (self.command,))


def _skops_running(command: str) -> bytes:
    """Un model.skops que ejecuta ``command`` si se confía en posix.system."""
    import skops.io

    with zipfile.ZipFile(io.BytesIO(skops.io.dumps((command,)))) as archive:
        arguments = json.loads(archive.read("schema.json"))
    header = {key: arguments.pop(key) for key in ("protocol", "_skops_version")}
    schema = {
        "__class__": "system",
        "__module__": "posix",
        "__loader__": "ConstructorFromReduceNode",
        "content": arguments,
        **header,
    }
    content = io.BytesIO()
    with zipfile.ZipFile(content, "w") as archive:
        archive.writestr("schema.json", json.dumps(schema))
    return content.getvalue()


@pytest.fixture(scope="module", name="mlflow_folder")
def fixture_mlflow_folder(
    trained_model: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """Una carpeta de MLflow como la que guarda register_model.py."""
    from scripts.register_model import save_model_folder, trusted_types

    model = joblib.load(trained_model / "model.pkl")
    folder = tmp_path_factory.mktemp("mlflow") / "model"
    return save_model_folder(model, folder, trusted_types(model))


def _tampered(source: Path, folder: Path, case: str, marker: Path) -> Path:
    """Copia ``source`` y la manipula según ``case``; devuelve la copia."""
    shutil.copytree(source, folder)
    mlmodel = yaml.safe_load((folder / "MLmodel").read_text(encoding="utf-8"))
    flavor = mlmodel["flavors"]["sklearn"]
    command = f"touch {marker}"
    if case == "code":
        # code: code pone code/ delante en sys.path: import skops lo ejecutaría.
        package = folder / "code" / "skops"
        package.mkdir(parents=True)
        (package / "__init__.py").write_text(
            f"open({str(marker)!r}, 'w').close()\n", encoding="utf-8"
        )
        flavor["code"] = "code"
    elif case == "skops":
        (folder / flavor["pickled_model"]).write_bytes(_skops_running(command))
        flavor["skops_trusted_types"] = ["posix.system"]
    else:  # pickle o cloudpickle: cargar el archivo ya ejecuta la orden
        (folder / "model.pkl").write_bytes(pickle.dumps(_Payload(command)))
        flavor["serialization_format"] = case
        flavor["pickled_model"] = "model.pkl"
    (folder / "MLmodel").write_text(yaml.safe_dump(mlmodel), encoding="utf-8")
    return folder


@pytest.mark.parametrize("case", ["code", "skops", "pickle", "cloudpickle"])
def test_tampered_model_folder_is_refused_before_loading(
    case: str, mlflow_folder: Path, input_csv: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "marker"
    folder = _tampered(mlflow_folder, tmp_path / "model", case, marker)
    output = tmp_path / "out.csv"
    common: list[str | Path] = ["--input-path", input_csv, "--output-path", output]
    for model in (str(folder), folder.as_uri()):
        result = run_script([SCRIPT, "--model", model, *common])
        assert not marker.exists(), f"{case}: se ejecutó el código del modelo"
        assert_clean_failure(result, "no se carga", "solo se carga como datos")
        assert not output.exists()


def test_untampered_model_folder_loads(
    mlflow_folder: Path, input_csv: Path, tmp_path: Path
) -> None:
    from churn_lab.model import TRUSTED_SKOPS_TYPES, check_model_folder

    assert check_model_folder(mlflow_folder).name == "model.skops"
    mlmodel = yaml.safe_load((mlflow_folder / "MLmodel").read_text("utf-8"))
    assert mlmodel["flavors"]["sklearn"]["skops_trusted_types"] == list(
        TRUSTED_SKOPS_TYPES
    )
    output = tmp_path / "out.csv"
    args = ["--model", str(mlflow_folder), "--input-path", str(input_csv)]
    assert main([*args, "--output-path", str(output)]) == 0
    assert len(pd.read_csv(output)) == 500


def test_infinite_numbers_are_refused_not_scored(
    trained_model: Path,
    customers: pd.DataFrame,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    broken = customers.astype({"total_charges": object})
    broken.loc[3, "total_charges"] = "1e309"
    source, output = tmp_path / "in.csv", tmp_path / "out.csv"
    broken.to_csv(source, index=False)
    args = ["--model", trained_model / "model.pkl", "--input-path", source]
    assert_main_fails(
        main,
        [*args, "--output-path", output],
        capsys,
        "total_charges tiene números infinitos",
        "fila 5",
    )
    assert not output.exists()


def test_model_name_must_be_a_valid_name(
    input_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--model-name", "x' OR name = 'y", "--input-path", input_csv]
    assert_main_fails(main, args, capsys, "no es válido")


def test_sigterm_leaves_no_temporary_file(trained_model: Path, tmp_path: Path) -> None:
    from churn_lab.data import generate_customers

    source = tmp_path / "grande.csv"
    generate_customers(200_000, 5, with_target=False).to_csv(source, index=False)
    output_dir = tmp_path / "salida"
    output_dir.mkdir()

    def scoring() -> bool:
        return any(output_dir.glob(".*.tmp"))

    args: list[str | Path] = [SCRIPT, "--model", trained_model / "model.pkl"]
    args += ["--input-path", source, "--output-path", output_dir / "out.csv"]
    args += ["--chunk-rows", "500"]
    code, stderr, caught = terminate_when(args, scoring)
    assert caught, "score.py terminó antes de poder detenerlo"
    assert code == 1, stderr
    assert "Detenido (SIGTERM)" in stderr and "Traceback" not in stderr
    assert not list(output_dir.iterdir())


# --------------------------------------------------------------------------
# Puntuar nunca destruye lo que lee (datos, su carpeta, el modelo)
# --------------------------------------------------------------------------


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Cada archivo de ``folder`` (y sus subcarpetas) con su contenido."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def _same_file_cases(folder: Path, source: Path) -> dict[str, tuple[Path, Path]]:
    """(entrada, salida) que son el mismo archivo de distintas formas."""
    (folder / "enlace.csv").symlink_to(source)
    os.link(source, folder / "duro.csv")
    (folder / "otra").mkdir()
    (folder / "carpeta-enlace").symlink_to(folder, target_is_directory=True)
    return {
        "la misma ruta": (source, source),
        "otra forma de escribirla": (source, folder / "otra" / ".." / source.name),
        "un enlace simbólico a la entrada": (source, folder / "enlace.csv"),
        "un enlace duro": (source, folder / "duro.csv"),
        "la entrada es el enlace": (folder / "enlace.csv", source),
        "por una carpeta enlazada": (source, folder / "carpeta-enlace" / source.name),
    }


def test_output_that_is_the_input_is_refused_and_the_input_kept(
    trained_model: Path,
    customers: pd.DataFrame,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "datos"
    folder.mkdir()
    source = folder / "clientes.csv"
    customers.to_csv(source, index=False)
    cases = _same_file_cases(folder, source)
    before = _snapshot(folder)
    model: list[str | Path] = ["--model", trained_model / "model.pkl"]
    for name, (given, output) in cases.items():
        args = [*model, "--input-path", given, "--output-path", output]
        message = assert_main_fails(main, args, capsys, "es el mismo archivo que")
        assert "se perdería" in message, name
        assert _snapshot(folder) == before, name
        assert not list(folder.glob(".*.tmp")), name


@pytest.mark.parametrize(
    "where",
    ["la misma carpeta", "una subcarpeta", "la carpeta como salida"],
)
def test_output_inside_the_input_folder_is_refused(
    where: str,
    trained_model: Path,
    customers: pd.DataFrame,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Con una carpeta de entrada (como la monta Azure ML), la salida en ella
    # cambiaría lo que se lee: la próxima vez habría dos CSV.
    inputs = tmp_path / "entrada"
    inputs.mkdir()
    customers.to_csv(inputs / "clientes.csv", index=False)
    output = {
        "la misma carpeta": inputs / "predicciones.csv",
        "una subcarpeta": inputs / "salida" / "predicciones.csv",
        "la carpeta como salida": inputs,
    }[where]
    before = _snapshot(inputs)
    args: list[str | Path] = ["--model", trained_model / "model.pkl"]
    args += ["--input-path", inputs, "--output-path", output]
    assert_main_fails(main, args, capsys, "queda dentro de la carpeta", "entrada")
    assert _snapshot(inputs) == before
    assert not (inputs / "salida").exists()


def test_output_inside_the_model_folder_is_refused(
    mlflow_folder: Path,
    input_csv: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    model = tmp_path / "modelo"
    shutil.copytree(mlflow_folder, model)
    before = _snapshot(model)
    args = ["--model", model, "--input-path", input_csv, "--output-path", model]
    assert_main_fails(main, args, capsys, "queda dentro de la carpeta", "modelo")
    assert _snapshot(model) == before


def test_an_existing_file_that_is_not_predictions_is_kept(
    trained_model: Path,
    input_csv: Path,
    customers: pd.DataFrame,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Un CSV del estudiante (aquí, sus datos de entrenamiento) en la ruta de
    # salida: no se reemplaza. Unas predicciones anteriores, sí.
    mine = tmp_path / "mis_datos.csv"
    customers.assign(churned=0).to_csv(mine, index=False)
    before = mine.read_bytes()
    model: list[str | Path] = ["--model", trained_model / "model.pkl"]
    args = [*model, "--input-path", input_csv, "--output-path", mine]
    assert_main_fails(main, args, capsys, "ya existe y no lo escribió este script")
    assert mine.read_bytes() == before
    previous = tmp_path / "predicciones.csv"
    previous.write_text(f"customer_id,{PREDICTION_COLUMN}\nCUST-1,0.5\n", "utf-8")
    args = [*model, "--input-path", input_csv, "--output-path", previous]
    assert main([str(arg) for arg in args]) == 0
    assert len(pd.read_csv(previous)) == 500


def test_the_refusal_in_a_terminal_is_one_spanish_line(
    trained_model: Path, input_csv: Path
) -> None:
    before = input_csv.read_bytes()
    result = run_script(
        [
            SCRIPT,
            "--model",
            trained_model / "model.pkl",
            "--input-path",
            input_csv,
            "--output-path",
            input_csv,
        ]
    )
    assert_clean_failure(result, "es el mismo archivo que", "Elige otra --output-path")
    assert len(result.stderr.strip().splitlines()) == 1
    assert input_csv.read_bytes() == before


# --------------------------------------------------------------------------
# Lo que se puede puntuar pero parece un error se avisa
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "warning"),
    [
        ("churned", "tiene la columna churned"),
        (PREDICTION_COLUMN, "ya tiene la columna churn_probability"),
        ("extra", "columnas que el modelo no usa ('Unnamed: 0')"),
        ("duplicados", "repite el customer_id de otra fila en 2 filas ('CUST-10001')"),
    ],
)
def test_suspicious_input_is_scored_with_a_warning(
    change: str,
    warning: str,
    trained_model: Path,
    customers: pd.DataFrame,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    frame = customers.copy()
    if change == "churned":
        frame["churned"] = 0
    elif change == PREDICTION_COLUMN:
        frame[PREDICTION_COLUMN] = 0.5
    elif change == "extra":
        frame.insert(0, "Unnamed: 0", range(len(frame)))
    else:
        frame = pd.concat([frame, frame.head(1), frame.head(1)])
    source, output = tmp_path / "in.csv", tmp_path / "out.csv"
    frame.to_csv(source, index=False)
    args = ["--model", str(trained_model / "model.pkl"), "--input-path", str(source)]
    # Con chunks de 100 filas: los repetidos están en bloques distintos.
    args += ["--output-path", str(output), "--chunk-rows", "100"]
    assert main(args) == 0
    out = capsys.readouterr().out
    [line] = [line for line in out.splitlines() if line.startswith("⚠️")]
    assert warning in line, out
    scored = pd.read_csv(output)
    assert len(scored) == len(frame)
    assert scored[PREDICTION_COLUMN].between(0, 1).all()
    assert (scored[PREDICTION_COLUMN] != 0.5).any()


def test_clean_input_has_no_warning(
    trained_model: Path,
    input_csv: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["--model", str(trained_model / "model.pkl"), "--input-path", str(input_csv)]
    assert main([*args, "--output-path", str(tmp_path / "out.csv")]) == 0
    assert "⚠️" not in capsys.readouterr().out


def test_rows_outside_the_documented_ranges_are_named_not_scored(
    trained_model: Path,
    customers: pd.DataFrame,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    frame = customers.copy()
    frame.loc[3, "tenure_months"] = 120
    frame.loc[4, "num_support_tickets"] = -1
    source, output = tmp_path / "in.csv", tmp_path / "out.csv"
    frame.to_csv(source, index=False)
    args = ["--model", trained_model / "model.pkl", "--input-path", source]
    assert_main_fails(
        main,
        [*args, "--output-path", output],
        capsys,
        "tenure_months debe estar entre 1 y 72 y tiene '120'",
        "num_support_tickets debe estar entre 0 y 10 y tiene '-1'",
    )
    assert not output.exists()


def test_upload_reads_with_the_same_warnings(
    customers: pd.DataFrame, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # La lectura es una sola (churn_lab.schema.validated_chunks): upload_data.py
    # avisa igual antes de subir.
    from scripts.upload_data import validate_data_file

    source = tmp_path / "entrenamiento.csv"
    customers.assign(churned=1).to_csv(source, index=False)
    assert validate_data_file(source) == len(customers)
    assert "tiene la columna churned" in capsys.readouterr().out
