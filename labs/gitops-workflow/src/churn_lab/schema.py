"""Esquema de los datos de clientes: columnas, tipos, rangos y categorías.

Es la única definición del esquema en todo el laboratorio, y la única manera de
leer y validar un CSV de clientes. La usan los generadores de datos
(``churn_lab.data``), el entrenamiento, la subida de datos a Azure ML y
``src/score.py``, que valida cada bloque antes de puntuarlo.

Este módulo solo importa la biblioteca estándar para que ``--help`` sea rápido;
la validación recibe un ``pandas.DataFrame`` ya leído.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from labkit.cli import LabError, display_path, format_number, quantity

if TYPE_CHECKING:
    import pandas as pd

ID_COLUMN = "customer_id"
TARGET_COLUMN = "churned"
PREDICTION_COLUMN = "churn_probability"

CATEGORIES: dict[str, tuple[str, ...]] = {
    "contract_type": ("month-to-month", "one-year", "two-year"),
    "internet_service": ("dsl", "fiber_optic", "no"),
    "payment_method": (
        "electronic_check",
        "mailed_check",
        "bank_transfer",
        "credit_card",
    ),
}
CATEGORICAL_FEATURES: tuple[str, ...] = tuple(CATEGORIES)

# Rangos admitidos de las columnas numéricas (mínimo, máximo), ambos incluidos.
# total_charges no tiene máximo: depende de la antigüedad y del cargo mensual.
NUMERIC_RANGES: dict[str, tuple[float, float]] = {
    "tenure_months": (1, 72),
    "monthly_charges": (20.0, 120.0),
    "total_charges": (0.0, float("inf")),
    "num_support_tickets": (0, 10),
}
INTEGER_FEATURES: tuple[str, ...] = ("tenure_months", "num_support_tickets")
NUMERIC_FEATURES: tuple[str, ...] = (
    "tenure_months",
    "monthly_charges",
    "total_charges",
    "num_support_tickets",
)

# Orden exacto de las columnas del modelo (E1 sin customer_id ni churned).
FEATURES: tuple[str, ...] = (
    "tenure_months",
    "monthly_charges",
    "total_charges",
    "contract_type",
    "internet_service",
    "payment_method",
    "num_support_tickets",
)
# E2: datos de inferencia. E1: datos de entrenamiento (E2 más la etiqueta).
INFERENCE_COLUMNS: tuple[str, ...] = (ID_COLUMN, *FEATURES)
TRAINING_COLUMNS: tuple[str, ...] = (*INFERENCE_COLUMNS, TARGET_COLUMN)

# Cuántos valores de ejemplo se citan en un mensaje de error.
_MAX_EXAMPLES = 5


# Nombre del CSV de predicciones cuando la salida es una carpeta (como la que
# Azure ML da a un trabajo).
PREDICTIONS_FILENAME = "predictions.csv"
# Filas que se leen, validan y puntúan de una vez: la memoria no crece con el
# tamaño del archivo.
CHUNK_ROWS = 50_000
# Bytes como máximo en una línea del CSV: una fila de clientes ocupa menos de
# 200. Con este límite, un bloque de CHUNK_ROWS filas nunca pasa de unos 200 MB,
# aunque un campo del archivo sea enorme (pandas guarda cada campo entero).
MAX_LINE_BYTES = 4096
_SCAN_BYTES = 1 << 20
# Columnas que se leen como texto tal cual: así se validan y se copian a la
# salida sin que pandas las convierta.
_TEXT_COLUMNS = (ID_COLUMN, *CATEGORICAL_FEATURES)

# Cómo se escriben los CSV: sin índice y con saltos de línea de Unix en todos
# los sistemas, para que la misma semilla dé los mismos bytes en Windows.
CSV_WRITE_OPTIONS: dict[str, Any] = {"index": False, "lineterminator": "\n"}


class SchemaError(LabError):
    """Los datos no siguen el esquema; el mensaje dice qué falta y cómo arreglarlo."""


def _examples(values: list[str]) -> str:
    shown = ", ".join(repr(value) for value in values[:_MAX_EXAMPLES])
    return shown + (", …" if len(values) > _MAX_EXAMPLES else "")


def _empty_values(count: int) -> str:
    return quantity(count, "valor vacío", "valores vacíos")


def _text_problems(column: str, values: pd.Series) -> list[str]:
    """Problemas de una columna de texto: vacíos y categorías desconocidas."""
    problems = []
    empty = int(values.isna().sum())
    if empty:
        problems.append(f"la columna {column} tiene {_empty_values(empty)}")
    if column in CATEGORIES:
        unknown = sorted(
            {str(value) for value in values.dropna().unique()} - set(CATEGORIES[column])
        )
        if unknown:
            problems.append(
                f"la columna {column} tiene valores desconocidos "
                f"({_examples(unknown)}); los válidos son: "
                f"{', '.join(CATEGORIES[column])}"
            )
    return problems


def _file_row(index: Any) -> int:
    """La fila del archivo de un índice de pandas (+1 por la cabecera, desde 1)."""
    return int(index) + 2


def _numeric_problems(column: str, values: pd.Series) -> list[str]:
    """Problemas de una columna numérica: texto, vacíos, rango y decimales."""
    import pandas as pd

    numbers = pd.to_numeric(values, errors="coerce")
    # pandas no convierte «1e309» (no cabe en un float); Python lo lee como inf.
    for index, value in values[numbers.isna() & values.notna()].items():
        with contextlib.suppress(ValueError, TypeError):
            numbers[index] = float(str(value))
    not_numbers = values[numbers.isna() & values.notna()]
    if len(not_numbers):
        found = _examples(sorted({str(value) for value in not_numbers.unique()}))
        return [f"la columna {column} debe ser numérica y tiene {found}"]
    empty = int(numbers.isna().sum())
    if empty:
        return [f"la columna {column} tiene {_empty_values(empty)}"]
    # inf, -inf y los números que no caben en un float (1e309) no son datos.
    infinite = numbers[numbers.abs() == float("inf")]
    if len(infinite):
        rows = [str(_file_row(index)) for index in infinite.index]
        shown = ", ".join(rows[:_MAX_EXAMPLES]) + (", …" if len(rows) > 5 else "")
        found = _examples(sorted({str(value) for value in values[infinite.index]}))
        return [
            f"la columna {column} tiene números infinitos o demasiado grandes "
            f"({found}) en la {'fila' if len(rows) == 1 else 'filas'} {shown} "
            "del archivo"
        ]
    problems = []
    low, high = NUMERIC_RANGES[column]
    outside = numbers[(numbers < low) | (numbers > high)]
    if len(outside):
        limits = f"≥ {low:g}" if high == float("inf") else f"entre {low:g} y {high:g}"
        found = _examples([f"{value:g}" for value in outside.unique()])
        problems.append(f"la columna {column} debe estar {limits} y tiene {found}")
    if column in INTEGER_FEATURES and (numbers % 1 != 0).any():
        problems.append(f"la columna {column} debe tener números enteros")
    return problems


def schema_problems(frame: pd.DataFrame, columns: tuple[str, ...]) -> list[str]:
    """Devuelve, en español, cada problema de ``frame`` frente a ``columns``.

    Revisa que estén todas las columnas, que las numéricas sean números dentro
    de su rango, sin vacíos, y que las categóricas tengan solo valores conocidos.
    Una lista vacía significa que los datos son válidos.
    """
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        return [f"faltan las columnas: {', '.join(missing)}"]
    problems: list[str] = []
    for column in columns:
        if column in NUMERIC_RANGES:
            problems.extend(_numeric_problems(column, frame[column]))
        else:
            problems.extend(_text_problems(column, frame[column]))
    return problems


def validate(frame: pd.DataFrame, columns: tuple[str, ...], source: str) -> None:
    """Lanza ``SchemaError`` con todos los problemas de ``frame`` en un mensaje."""
    if frame.empty:
        raise SchemaError(
            f"{source} no tiene filas de datos. Genera el archivo de nuevo "
            "(python scripts/create_inference_data.py)."
        )
    problems = schema_problems(frame, columns)
    if problems:
        raise SchemaError(
            f"{source} no sigue el esquema de clientes: "
            + "; ".join(problems)
            + ". Corrige el archivo o vuelve a generarlo con "
            "python scripts/create_inference_data.py."
        )


def as_model_input(frame: pd.DataFrame) -> pd.DataFrame:
    """Devuelve las columnas del modelo con sus tipos (datos ya validados)."""
    features = frame.loc[:, list(FEATURES)].copy()
    for column in NUMERIC_FEATURES:
        dtype = "int64" if column in INTEGER_FEATURES else "float64"
        features[column] = features[column].astype("float64").astype(dtype)
    for column in CATEGORICAL_FEATURES:
        features[column] = features[column].astype(str)
    return features


def csv_dialect(path: Path) -> dict[str, str]:
    """Separador y signo decimal del CSV ``path``, según su cabecera.

    Excel en español (y en otros idiomas que escriben «0,5») guarda los CSV
    separados por punto y coma, con coma decimal, a menudo con BOM y saltos de
    línea de Windows: si la cabecera tiene más «;» que «,», se lee así.
    """
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            header = handle.readline()
    except (OSError, UnicodeDecodeError):
        header = ""  # pandas da después el error, en español más abajo
    if header.count(";") > header.count(","):
        return {"sep": ";", "decimal": ","}
    return {"sep": ",", "decimal": "."}


def check_line_lengths(path: Path, limit: int = MAX_LINE_BYTES) -> None:
    """Revisa, antes de que pandas lo lea, que ninguna línea de ``path`` sea enorme.

    Lee el archivo por bloques de 1 MB (la memoria no depende de él). Un campo
    entre comillas que sigue en la línea siguiente tampoco vale: ninguna
    columna del esquema lleva saltos de línea.
    """
    line = 1
    pending = b""
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(_SCAN_BYTES), b""):
                data = pending + block
                lines = data.split(b"\n")
                pending = lines.pop()
                # Casi siempre basta con la línea más larga del bloque; solo si
                # algo no cuadra se busca cuál es, línea por línea.
                if max(map(len, lines), default=0) > limit or b'"' in data:
                    for number, text in enumerate(lines, start=line):
                        _check_line(path, number, text, limit)
                line += len(lines)
                if len(pending) > limit:
                    _check_line(path, line, pending, limit)
    except OSError:
        return  # pandas da después el error, en español más abajo
    _check_line(path, line, pending, limit)


def _check_line(path: Path, number: int, text: bytes, limit: int) -> None:
    if len(text) > limit:
        raise SchemaError(
            f"la línea {number} de {display_path(path)} ocupa más de "
            f"{format_number(limit)} bytes: no es una fila de clientes (ocupan "
            "menos de 200). Revisa el archivo o vuelve a generarlo con: "
            "python scripts/create_inference_data.py"
        )
    if text.count(b'"') % 2:
        raise SchemaError(
            f"la línea {number} de {display_path(path)} abre unas comillas que no "
            "cierra: ningún campo del esquema lleva saltos de línea. Revisa el "
            "archivo o vuelve a generarlo con: python scripts/create_inference_data.py"
        )


def read_chunks(path: Path, chunk_rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """Lee el CSV ``path`` por bloques, con errores en español si no sirve.

    Acepta también el CSV que guarda Excel en español (``;`` y coma decimal).
    """
    import pandas as pd

    shown = display_path(path)
    check_line_lengths(path)
    dialect = csv_dialect(path)
    separator = (
        "punto y coma (;), como lo guarda Excel en español; si no lo arreglas, "
        "guárdalo desde Excel como «CSV UTF-8 (delimitado por comas)»"
        if dialect["sep"] == ";"
        else "coma"
    )
    try:
        reader = pd.read_csv(
            path,
            chunksize=chunk_rows,
            dtype={column: str for column in _TEXT_COLUMNS},
            keep_default_na=False,
            na_values=[""],
            encoding="utf-8-sig",
            **dialect,
        )
        with reader:
            yield from reader
    except pd.errors.EmptyDataError:
        raise LabError(
            f"el archivo {shown} está vacío. Vuelve a generarlo con: "
            "python scripts/create_inference_data.py"
        ) from None
    except UnicodeDecodeError:
        raise LabError(
            f"el archivo {shown} no está guardado en UTF-8. Si lo editaste con "
            "Excel, guárdalo como «CSV UTF-8 (delimitado por comas)», o vuelve a "
            "generarlo con: python scripts/create_inference_data.py"
        ) from None
    except pd.errors.ParserError as error:
        raise LabError(
            f"el archivo {shown} no es un CSV válido{_parser_detail(error)}. Revisa "
            f"las comillas y el separador ({separator}), o vuelve a generarlo "
            "con: python scripts/create_inference_data.py"
        ) from None


def _parser_detail(error: Exception) -> str:
    """Dónde falló la lectura del CSV, en español, si pandas lo dice."""
    found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
    if found:
        expected, line, seen = found.groups()
        return f" (la línea {line} tiene {seen} campos y la cabecera {expected})"
    if "EOF inside string" in str(error):
        return " (hay unas comillas sin cerrar)"
    return ""


def validated_chunks(
    path: Path,
    columns: tuple[str, ...],
    chunk_rows: int = CHUNK_ROWS,
    warn: Callable[[str], None] = print,
) -> Iterator[pd.DataFrame]:
    """Los bloques del CSV ``path``, cada uno validado contra ``columns``.

    Un error en un bloque posterior al primero dice en qué filas está. Un
    archivo sin filas de datos es un error. Lo que sigue el esquema pero
    parece un error (``InputNotes``) se avisa con ``warn`` al final.
    """
    rows = 0
    notes = InputNotes(columns)
    for number, chunk in enumerate(read_chunks(path, chunk_rows)):
        first_row = rows + 2  # +1 por la cabecera, +1 porque se cuenta desde 1
        where = f" (filas {first_row}–{first_row + len(chunk) - 1})" if number else ""
        validate(chunk, columns, f"{display_path(path)}{where}")
        notes.add(chunk)
        rows += len(chunk)
        yield chunk
    if rows == 0:
        raise SchemaError(
            f"el archivo {display_path(path)} no tiene filas de datos. Vuelve a "
            "generarlo con: python scripts/create_inference_data.py"
        )
    for note in notes.warnings(display_path(path)):
        warn(f"⚠️  {note}")


class InputNotes:
    """Lo que sigue el esquema pero parece un error: se avisa y se sigue.

    Una columna ``churned`` (¿el archivo de entrenamiento?), una
    ``churn_probability`` (¿un archivo de predicciones?), otras columnas que
    el modelo no usa y ``customer_id`` repetidos. Se recuerdan como mucho
    ``MAX_TRACKED_IDS`` ids: la memoria no crece con el archivo.
    """

    MAX_TRACKED_IDS = 200_000

    def __init__(self, columns: tuple[str, ...]) -> None:
        self.columns = columns
        self.extra: list[str] = []
        self.seen: set[str] = set()
        self.repeated: list[str] = []

    def add(self, chunk: pd.DataFrame) -> None:
        """Anota lo que llama la atención en un bloque ya validado."""
        if not self.extra:
            self.extra = [
                str(name) for name in chunk.columns if name not in self.columns
            ]
        if ID_COLUMN not in chunk.columns:
            return
        for value in chunk[ID_COLUMN].astype(str):
            if value in self.seen:
                self.repeated.append(value)
            elif len(self.seen) < self.MAX_TRACKED_IDS:
                self.seen.add(value)

    def warnings(self, shown: str) -> list[str]:
        """Un aviso en español por cada cosa anotada."""
        found = []
        if TARGET_COLUMN in self.extra:
            found.append(
                f"{shown} tiene la columna {TARGET_COLUMN} (si el cliente se fue): "
                "parece el archivo de entrenamiento, no clientes nuevos. Se usa "
                "igual; el modelo no lee esa columna."
            )
        if PREDICTION_COLUMN in self.extra:
            found.append(
                f"{shown} ya tiene la columna {PREDICTION_COLUMN}: parece un "
                "archivo de predicciones, no clientes nuevos. ¿Es el archivo que "
                "querías?"
            )
        others = [c for c in self.extra if c not in (TARGET_COLUMN, PREDICTION_COLUMN)]
        if others:
            found.append(
                f"{shown} tiene columnas que el modelo no usa ({_examples(others)}): "
                "se copian tal cual."
            )
        if self.repeated:
            rows = quantity(len(self.repeated), "fila", "filas")
            found.append(
                f"{shown} repite el {ID_COLUMN} de otra fila en {rows} "
                f"({_examples(sorted(set(self.repeated)))}): cada cliente debería "
                "aparecer una vez. Revisa si juntaste dos archivos."
            )
        return found
