"""Ejecuta Black, isort o Flake8 para pre-commit, con el Python del laboratorio.

``.pre-commit-config.yaml`` lo llama antes de cada commit con los archivos que
cambiaste. Primero revisa el Python como cualquier script del laboratorio
(``_lab.py``): si el entorno virtual no está activo, lo dice en una línea y
cómo activarlo, en lugar de ``No module named black``. Si un archivo no es
Python válido (por ejemplo, una línea con la sangría mal), lo dice antes en
una línea en español (``labkit.syntax``) y después corre la herramienta.

Uso: python scripts/_hook.py {black,isort,flake8} [ARCHIVO ...]
"""

from __future__ import annotations

import io
import runpy
import sys
import tokenize
from collections.abc import Sequence
from pathlib import Path

# Va primero: revisa Python y el entorno virtual (no se usa nada suyo).
import _lab  # noqa: F401  # pylint: disable=unused-import

from labkit.cli import build_parser
from labkit.environment import require_libraries
from labkit.syntax import syntax_problems

TOOLS = ("black", "isort", "flake8")


def encoding_problems(files: Sequence[str]) -> list[str]:
    """Un mensaje por archivo que no está en UTF-8 (ni en la codificación que declara).

    Un editor configurado en Latin-1 (Windows-1252) guarda «ñ» como un byte que
    no es UTF-8: Black se detiene con un error en inglés. Aquí se dice qué
    archivo, dónde y cómo arreglarlo.
    """
    problems = []
    for name in files:
        try:
            with open(name, "rb") as handle:
                data = handle.read()
        except OSError:
            continue  # la herramienta dice lo que pase con ese archivo
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        except SyntaxError:  # sus dos primeras líneas ya no son UTF-8
            encoding = "utf-8"
        try:
            data.decode(encoding)
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            problems.append(
                f"❌ {name} no está guardado en UTF-8 (línea {line}): guárdalo "
                "en UTF-8 desde tu editor (en VS Code: la codificación, abajo a la "
                "derecha → «Save with Encoding» → UTF-8) y vuelve a hacer commit."
            )
    return problems


def run_tool(tool: str, files: Sequence[str]) -> int:
    """``python -m <tool> <files>`` en este mismo proceso; da su código de salida."""
    require_libraries([tool])  # activar el entorno virtual, o instalar el lock
    sys.argv = [tool, *files]
    try:
        runpy.run_module(tool, run_name="__main__", alter_sys=True)
    except SystemExit as finished:
        code = finished.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Lee la herramienta y los archivos, y devuelve el código de la herramienta."""
    parser = build_parser(__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("tool", choices=TOOLS, help="la herramienta a ejecutar")
    parser.add_argument("files", nargs="*", metavar="ARCHIVO", help="archivos")
    args = parser.parse_args(argv)
    problems = encoding_problems(args.files)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    for problem in syntax_problems(Path(name) for name in args.files):
        print(problem, flush=True)
    return run_tool(args.tool, args.files)


if __name__ == "__main__":
    raise SystemExit(main())
