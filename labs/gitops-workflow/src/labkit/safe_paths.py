"""Escribir un resultado sin destruir lo que se leyó para obtenerlo.

``score.py --input-path datos.csv --output-path datos.csv`` leería el archivo
y al final lo reemplazaría por las predicciones: los datos del estudiante se
perderían. Lo mismo pasa, con otro nombre, si la salida es un enlace
simbólico a la entrada, un enlace duro, la misma ruta con otras mayúsculas
(Windows y macOS no las distinguen), o si la salida cae dentro de la carpeta
que se lee. Aquí se compara lo que el sistema de archivos dice de cada ruta
(dispositivo e inodo), no su texto, y se rechaza antes de leer nada.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from labkit.cli import LabError, display_path


def _same(first: Path, second: Path) -> bool:
    """Si las dos rutas existen y son el mismo archivo o carpeta."""
    try:
        return os.path.samestat(first.stat(), second.stat())
    except OSError:
        return False


def _existing_folders(path: Path) -> list[Path]:
    """Las carpetas que contienen ``path`` y existen, de la más cercana a la raíz."""
    return [folder for folder in Path(os.path.abspath(path)).parents if folder.is_dir()]


def check_output_path(
    output: Path, sources: Sequence[Path], replaces_column: str | None = None
) -> None:
    """Rechaza una salida que destruiría (o cambiaría) algo de ``sources``.

    ``sources`` son los archivos o carpetas que se leen (los datos, el
    modelo). Con ``replaces_column``, un archivo que ya existe en ``output``
    solo se reemplaza si su cabecera tiene esa columna: es un resultado
    anterior del mismo script, no un archivo del estudiante.
    """
    output = Path(output)
    fix = "Elige otra --output-path (por ejemplo, otra carpeta)."
    for source in sources:
        source = Path(source)
        shown = display_path(source)
        if _same(output, source):  # también por un enlace o con otras mayúsculas
            raise LabError(
                f"la salida {display_path(output)} es el mismo archivo que {shown}, "
                f"que se está leyendo: se perdería. {fix}"
            )
        if source.is_dir() and any(
            _same(folder, source) for folder in _existing_folders(output)
        ):
            raise LabError(
                f"la salida {display_path(output)} queda dentro de la carpeta "
                f"{shown}, que se está leyendo: la cambiaría. {fix}"
            )
    if replaces_column and output.is_file() and output.stat().st_size:
        with output.open(encoding="utf-8-sig", errors="replace") as handle:
            header = handle.readline(4096)
        if replaces_column not in header:
            raise LabError(
                f"{display_path(output)} ya existe y no lo escribió este script (no "
                f"tiene la columna {replaces_column}): no se reemplaza. {fix}"
            )
