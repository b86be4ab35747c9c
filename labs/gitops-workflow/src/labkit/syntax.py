"""Un archivo que Python no puede leer, dicho en una línea antes que nada.

Con la sangría mal (por ejemplo, en el cambio de la Parte 2) Black dice
«cannot format … Cannot parse», Flake8 «E999 IndentationError», pytest un
error de colección y el script, un traceback en inglés. ``run_checks.py`` y
el hook de pre-commit (``scripts/_hook.py``) compilan antes cada archivo y,
si alguno no compila, lo dicen primero en una línea en español: el archivo,
la línea, qué pasa y cómo arreglarlo. Después siguen las herramientas, con
su propia salida. Lo mismo con un archivo que no está guardado en UTF-8 (un
editor en Latin-1 guarda «ñ» como un byte que no lo es): Black se detendría
con un error en inglés.

Solo usa la biblioteca estándar.
"""

from __future__ import annotations

import io
import tokenize
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path

# Lo que dice cada versión de Python (3.10 a 3.15) en un IndentationError,
# con lo que significa para quien acaba de editar el archivo.
INDENTATION_MESSAGES = (
    ("unexpected indent", "esta línea tiene más sangría que la de arriba"),
    ("expected an indented block", "falta sangría en el bloque que empieza aquí"),
    (
        "unindent does not match",
        "la sangría de esta línea no coincide con la de ninguna línea de arriba",
    ),
    ("unexpected unindent", "esta línea tiene menos sangría de la esperada"),
)
INDENTATION_FIX = (
    "deja esta línea con la misma sangría que las de alrededor del mismo bloque "
    "(4 espacios por nivel, sin tabuladores) y vuelve a intentarlo"
)


def encoding_problem(path: Path, shown_as: str | None = None) -> str | None:
    """La línea en español si ``path`` no está en UTF-8 (ni en la que declara)."""
    try:
        source = path.read_bytes()
    except OSError:
        return None  # la herramienta dice lo que pase con ese archivo
    return _encoding_message(source, shown_as or str(path))


def syntax_problem(path: Path, shown_as: str | None = None) -> str | None:
    """La línea en español si Python no puede leer o compilar ``path``; si no, None."""
    try:
        source = path.read_bytes()
    except OSError:
        return None
    shown_as = shown_as or str(path)
    problem = _encoding_message(source, shown_as)
    if problem:
        return problem
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning: no impiden nada
            compile(source, str(path), "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as error:
        return describe(error, shown_as)
    return None


def _encoding_message(source: bytes, shown_as: str) -> str | None:
    """La línea en español si ``source`` no se decodifica con su codificación."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
    except SyntaxError:  # sus dos primeras líneas ya no son UTF-8
        encoding = "utf-8"
    try:
        source.decode(encoding)
    except UnicodeDecodeError as error:
        line = source[: error.start].count(b"\n") + 1
        return (
            f"❌ {shown_as} no está guardado en UTF-8 (línea {line}): guárdalo en "
            "UTF-8 desde tu editor (en VS Code: la codificación, abajo a la "
            "derecha → «Save with Encoding» → UTF-8) y vuelve a intentarlo."
        )
    return None


def describe(error: SyntaxError | ValueError, shown_as: str) -> str:
    """El error de compilación como una línea: dónde, qué pasa y el arreglo."""
    if not isinstance(error, SyntaxError):  # un byte nulo en el archivo
        return (
            f"❌ {shown_as}: Python no puede leer el archivo ({error}). "
            "Arreglo: guárdalo de nuevo como texto UTF-8 desde tu editor."
        )
    where = f"{shown_as}, línea {error.lineno}" if error.lineno else shown_as
    message = str(error.msg)
    if isinstance(error, TabError):
        return (
            f"❌ {where}: la sangría mezcla tabuladores y espacios (TabError). "
            f"Arreglo: usa solo espacios: {INDENTATION_FIX}."
        )
    if isinstance(error, IndentationError):
        what = next(
            (text for start, text in INDENTATION_MESSAGES if message.startswith(start)),
            "la sangría no es la que Python espera",
        )
        return (
            f"❌ {where}: {what} (IndentationError: {message}). "
            f"Arreglo: {INDENTATION_FIX}."
        )
    return (
        f"❌ {where}: Python no entiende esta línea (SyntaxError: {message}). "
        "Arreglo: revisa esa línea y la anterior (paréntesis, comillas o «:» "
        "que falten o sobren) y vuelve a intentarlo."
    )


def syntax_problems(paths: Iterable[Path], root: Path | None = None) -> list[str]:
    """Una línea por cada archivo ``.py`` de ``paths`` que no se lee o no compila."""
    return _problems(syntax_problem, paths, root)


def encoding_problems(paths: Iterable[Path], root: Path | None = None) -> list[str]:
    """Una línea por cada archivo ``.py`` de ``paths`` que no está en UTF-8."""
    return _problems(encoding_problem, paths, root)


def _problems(
    check: Callable[[Path, str], str | None], paths: Iterable[Path], root: Path | None
) -> list[str]:
    problems = []
    for path in paths:
        if path.suffix != ".py":
            continue
        shown_as = path.as_posix()
        if root is not None and path.is_absolute():
            try:
                shown_as = path.relative_to(root).as_posix()
            except ValueError:
                pass
        problem = check(path, shown_as)
        if problem:
            problems.append(problem)
    return problems
