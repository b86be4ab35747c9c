"""Puntúa clientes con el modelo de abandono y guarda su probabilidad de abandonar.

Es el mismo programa que ejecuta el trabajo de inferencia en Azure ML y el que
usa ``scripts/run_inference_pipeline.py --local`` en tu computadora. Lee un CSV
con el esquema de clientes por bloques (la memoria no crece con el tamaño del
archivo), revisa cada bloque antes de puntuarlo y escribe un CSV con todas las
columnas de entrada más ``churn_probability`` (entre 0 y 1).

El modelo puede venir de:

- ``--model artifacts/model.pkl``: un archivo de joblib entrenado en local;
- ``--model <carpeta>``: un modelo de MLflow en una carpeta (con su archivo
  ``MLmodel``), como lo monta Azure ML en el trabajo;
- ``--model models:/churn-prediction-model/3``: una URI de MLflow;
- ``--model-name churn-prediction-model``: la última versión registrada en el
  servidor de MLflow configurado (variable ``MLFLOW_TRACKING_URI``).

Un ``.pkl`` es código (pickle): cargarlo ejecuta lo que lleve dentro, así que
usa solo el que entrenaste tú. Un modelo de MLflow se carga solo como datos:
antes de cargarlo se revisa su ``MLmodel`` (``churn_lab.model.check_model_folder``)
y se rechaza si trae código o no está guardado con skops y la lista de tipos
de confianza del laboratorio. Una URI se descarga primero a una carpeta
temporal, se revisa allí y solo entonces se carga.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from churn_lab.model import DEFAULT_MODEL_PATH
from churn_lab.schema import (
    CHUNK_ROWS,
    CSV_WRITE_OPTIONS,
    INFERENCE_COLUMNS,
    PREDICTION_COLUMN,
    PREDICTIONS_FILENAME,
)
from labkit import LAB_ROOT
from labkit.cli import (
    LabError,
    atomic_output,
    build_parser,
    check_asset_name,
    display_path,
    first_line,
    format_number,
    positive_int,
    quantity,
    report_errors,
)
from labkit.environment import guard_environment
from labkit.safe_paths import check_output_path

guard_environment()  # antes de pandas y MLflow: tu Python y las bibliotecas que falten

# Por defecto, los archivos de este laboratorio, estés en la carpeta que estés.
DEFAULT_INPUT = LAB_ROOT / "data" / "inference_input.csv"
DEFAULT_OUTPUT = LAB_ROOT / "data" / "inference_output.csv"


def resolve_input(path: Path) -> Path:
    """El CSV de entrada: ``path`` mismo, o el único CSV dentro de esa carpeta."""
    if path.is_dir():
        csv_files = sorted(path.glob("*.csv"))
        if len(csv_files) != 1:
            raise LabError(
                f"la carpeta {path} debe tener exactamente un archivo .csv y tiene "
                f"{len(csv_files)}. Indica el archivo con --input-path."
            )
        return csv_files[0]
    if not path.is_file():
        raise LabError(
            f"no se encontró el archivo de entrada {path}. Créalo con: "
            "python scripts/create_inference_data.py"
        )
    return path


def resolve_output(path: Path) -> Path:
    """El CSV de salida: ``path`` si termina en .csv, o ``predictions.csv`` dentro."""
    if path.is_dir() or path.suffix.lower() != ".csv":
        return path / PREDICTIONS_FILENAME
    return path


def load_scoring_model(model: str | None, model_name: str | None) -> Any:
    """Carga el modelo de un .pkl, de una carpeta o URI de MLflow, o del registro."""
    if model_name:
        return _load_mlflow_model(f"models:/{model_name}/latest")
    assert model is not None
    path = Path(model)
    if path.suffix in (".pkl", ".joblib"):
        from churn_lab.model import load_model

        # joblib es pickle: ejecuta código al cargar. Solo tu propio model.pkl.
        return load_model(path)
    if path.is_dir() and not (path / "MLmodel").is_file():
        raise LabError(
            f"la carpeta {path} no es un modelo de MLflow (le falta el archivo "
            "MLmodel). Indica la carpeta del modelo o un archivo .pkl con --model."
        )
    if "://" not in model and ":/" not in model and not path.is_dir():
        raise LabError(
            f"no se encontró el modelo {model}. Usa un archivo .pkl, una carpeta "
            "de MLflow o una URI como models:/churn-prediction-model/latest."
        )
    return _load_mlflow_model(model)


def _mlflow_error(uri: str, error: BaseException) -> LabError:
    import mlflow

    return LabError(
        f"no se pudo cargar el modelo {uri} desde MLflow "
        f"({mlflow.get_tracking_uri()}): {first_line(error)}. Revisa que el "
        "modelo esté registrado (python scripts/register_model.py) y que "
        "MLFLOW_TRACKING_URI apunte al servidor correcto."
    )


@contextlib.contextmanager
def _local_model_folder(uri: str) -> Iterator[Path]:
    """La carpeta del modelo: la misma si es local, o una copia descargada."""
    if Path(uri).is_dir():
        yield Path(uri)
        return
    import mlflow.artifacts
    from mlflow.exceptions import MlflowException

    with tempfile.TemporaryDirectory(prefix="modelo-") as download:
        try:
            folder = mlflow.artifacts.download_artifacts(
                artifact_uri=uri, dst_path=download
            )
        except (MlflowException, OSError) as error:
            raise _mlflow_error(uri, error) from None
        yield Path(folder)


def _load_mlflow_model(uri: str) -> Any:
    from churn_lab.model import check_model_folder

    print(f"📦 Cargando el modelo de MLflow {uri}")
    with _local_model_folder(uri) as folder:
        if not (folder / "MLmodel").is_file():
            raise LabError(
                f"el modelo {uri} no es una carpeta de MLflow (le falta el archivo "
                "MLmodel). Vuelve a registrarlo con: python scripts/register_model.py"
            )
        # Antes de cargar nada (ni importar MLflow): sin código y solo skops con
        # los tipos de la lista.
        check_model_folder(folder)
        import mlflow.sklearn
        from mlflow.exceptions import MlflowException

        try:
            return mlflow.sklearn.load_model(str(folder))
        except (MlflowException, OSError) as error:
            raise _mlflow_error(uri, error) from None


def score_file(
    model: Any, input_path: Path, output_path: Path, chunk_rows: int = CHUNK_ROWS
) -> int:
    """Puntúa ``input_path`` y escribe ``output_path``; devuelve las filas puntuadas.

    Cada bloque se valida antes de puntuarlo. Si alguno falla, no queda archivo
    de salida: se escribe en un temporal que solo se renombra al final.
    """
    from churn_lab.schema import as_model_input, validated_chunks

    rows = 0
    with atomic_output(output_path) as temporary:
        with temporary.open("w", encoding="utf-8", newline="") as output:
            chunks = validated_chunks(input_path, INFERENCE_COLUMNS, chunk_rows)
            for number, chunk in enumerate(chunks):
                probability = model.predict_proba(as_model_input(chunk))[:, 1]
                chunk[PREDICTION_COLUMN] = probability.round(6)
                chunk.to_csv(output, header=number == 0, **CSV_WRITE_OPTIONS)
                rows += len(chunk)
    return rows


@report_errors
def main(argv: Sequence[str] | None = None) -> int:
    """Lee los argumentos, puntúa el archivo y devuelve el código de salida."""
    parser = build_parser(__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument(
        "--input-path",
        type=Path,
        default=DEFAULT_INPUT,
        help="CSV de clientes a puntuar, o carpeta que contiene un solo CSV",
    )
    parser.add_argument(
        "--output-path",
        type=Path,
        default=DEFAULT_OUTPUT,
        help=f"CSV de salida, o carpeta donde se escribe {PREDICTIONS_FILENAME}",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--model",
        default=str(LAB_ROOT / DEFAULT_MODEL_PATH),
        help="modelo: archivo .pkl, carpeta de un modelo MLflow o URI de MLflow",
    )
    source.add_argument(
        "--model-name",
        type=check_asset_name,
        help="nombre del modelo registrado en MLflow (se usa su última versión)",
    )
    parser.add_argument(
        "--chunk-rows",
        type=positive_int,
        default=CHUNK_ROWS,
        help="filas que se leen y puntúan de una vez",
    )
    args = parser.parse_args(argv)

    started = time.perf_counter()
    input_path = resolve_input(args.input_path)
    output_path = resolve_output(args.output_path)
    # Nada de lo que se lee (los datos, su carpeta, el modelo) se sobrescribe.
    sources = [args.input_path, input_path]
    if not args.model_name and "://" not in args.model and ":/" not in args.model:
        sources.append(Path(args.model))
    check_output_path(output_path, sources, replaces_column=PREDICTION_COLUMN)
    model = load_scoring_model(args.model, args.model_name)
    print(f"🔎 Puntuando {display_path(input_path)}…")
    rows = score_file(model, input_path, output_path, args.chunk_rows)
    elapsed = time.perf_counter() - started
    print(
        f"✅ {quantity(rows, 'cliente puntuado', 'clientes puntuados')} en "
        f"{format_number(elapsed, 1)} s."
    )
    print(f"💾 Predicciones guardadas en {display_path(output_path)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
