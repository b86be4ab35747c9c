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

import runpy
import sys
from collections.abc import Sequence
from pathlib import Path

# Va primero: revisa Python y el entorno virtual (no se usa nada suyo).
import _lab  # noqa: F401  # pylint: disable=unused-import

from labkit.cli import build_parser
from labkit.environment import require_libraries
from labkit.syntax import encoding_problems, syntax_problems

TOOLS = ("black", "isort", "flake8")


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
    files = [Path(name) for name in args.files]
    problems = encoding_problems(files)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    for problem in syntax_problems(files):
        print(problem, flush=True)
    return run_tool(args.tool, args.files)


if __name__ == "__main__":
    raise SystemExit(main())
