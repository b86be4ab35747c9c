"""Piezas comunes de los scripts: argumentos en español, errores y escritura segura.

Cada script del laboratorio tiene la misma forma: una función que hace el
trabajo y ``main(argv)``, que lee los argumentos con ``build_parser``, llama al
trabajo y devuelve el código de salida (0 si todo fue bien, 1 si no). Un error
que el estudiante puede corregir se lanza como ``LabError`` con un mensaje en
español que dice qué pasó y cómo arreglarlo; ``report_errors`` lo imprime sin
traceback y devuelve 1.

Solo usa la biblioteca estándar: importarlo no hace lento ``--help``.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import re
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import FrameType

from labkit import LAB_ROOT

# Traducción de los textos que argparse imprime por su cuenta (uso, ayuda y
# errores de argumentos). argparse los pasa por gettext; aquí se sustituye esa
# función por una que busca el texto en español.
_ARGPARSE_SPANISH = {
    "usage: ": "uso: ",
    "options": "opciones",
    "optional arguments": "opciones",
    "positional arguments": "argumentos posicionales",
    "show this help message and exit": "muestra esta ayuda y termina",
    "the following arguments are required: %s": (
        "faltan los argumentos obligatorios: %s"
    ),
    "unrecognized arguments: %s": (
        "argumentos no reconocidos: %s (usa --help para ver las opciones)"
    ),
    "argument %(argument_name)s: %(message)s": (
        "argumento %(argument_name)s: %(message)s"
    ),
    "invalid %(type)s value: %(value)r": "valor no válido: %(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "opción no válida: %(value)r (elige entre %(choices)s)"
    ),
    "expected one argument": "se esperaba un valor",
    "ambiguous option: %(option)s could match %(matches)s": (
        "opción ambigua: %(option)s puede ser %(matches)s"
    ),
    "not allowed with argument %s": "no se puede usar junto con el argumento %s",
    "one of the arguments %s is required": "hace falta uno de los argumentos %s",
    "%(prog)s: error: %(message)s\n": "%(prog)s: error: %(message)s\n",
}


def _spanish(text: str) -> str:
    return _ARGPARSE_SPANISH.get(text, text)


class LabError(Exception):
    """Un problema que el estudiante puede resolver; el mensaje dice cómo."""


class _SpanishHelpFormatter(argparse.HelpFormatter):
    """Añade el valor por defecto a la ayuda de cada opción, en español."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if default in (None, False, argparse.SUPPRESS) or not action.option_strings:
            return text
        if isinstance(default, (str, Path)) and Path(default).is_relative_to(LAB_ROOT):
            # Una ruta por defecto es siempre la del laboratorio, estés donde estés.
            inside = Path(default).relative_to(LAB_ROOT).as_posix().replace("%", "%%")
            return f"{text} (por defecto: {inside} en la carpeta del laboratorio)"
        return text + " (por defecto: %(default)s)"


class SpanishArgumentParser(argparse.ArgumentParser):
    """``ArgumentParser`` con textos en español que termina con código 1."""

    def error(self, message: str) -> None:  # type: ignore[override]
        # Python 3.10 escribe «argument …» sin pasar por gettext.
        if message.startswith("argument "):
            message = "argumento " + message.removeprefix("argument ")
        self.print_usage(sys.stderr)
        self.exit(1, f"{self.prog}: error: {message}\n")


def use_utf8_output() -> None:
    """Escribe la salida en UTF-8 aunque la terminal o el archivo usen otra.

    En Windows, al redirigir la salida (``python script.py > salida.txt``) Python
    usa cp1252, que no tiene emojis ni todas las letras: sin esto, el primer
    ``print`` con «✅» terminaría en un error.
    """
    for stream in (sys.stdout, sys.stderr):
        encoding = str(getattr(stream, "encoding", "") or "").lower()
        if encoding.replace("-", "") != "utf8" and hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")


def build_parser(description: str | None) -> SpanishArgumentParser:
    """Crea el lector de argumentos de un script, con ayuda en español.

    Todos los scripts empiezan por aquí, así que también deja la salida en UTF-8.
    """
    use_utf8_output()
    # pylint: disable-next=protected-access
    argparse._ = _spanish  # type: ignore[attr-defined]
    return SpanishArgumentParser(
        description=description, formatter_class=_SpanishHelpFormatter
    )


# Límites de las opciones numéricas: más allá, la memoria o las bibliotecas
# fallan (scikit-learn solo admite semillas de 32 bits).
MAX_SAMPLES = 1_000_000
MAX_SEED = 2**32 - 1
MAX_POLL_SECONDS = 3600


# Un número escrito con separador de miles, como en español (200.000, 10 000)
# o en inglés (10,000): Python leería «200.000» como 200,0.
_THOUSANDS = re.compile(r"[+-]?\d{1,3}([.,\s])\d{3}(?:\1\d{3})*")


def _as_int(text: str) -> int:
    """``text`` como entero; también ``1e6`` si es un número entero.

    Un número con separador de miles (``200.000``) se rechaza: no se sabe si
    es doscientos mil o doscientos, y entrenar con 200 clientes sin decir nada
    sería peor que preguntar.
    """
    if _THOUSANDS.fullmatch(text.strip()):
        digits = re.sub(r"[.,\s]", "", text)
        raise argparse.ArgumentTypeError(
            f"{text.strip()} parece un número con separador de miles: escribe {digits}"
        )
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        number = float("nan")
    if not number.is_integer():
        raise argparse.ArgumentTypeError(f"{text!r} no es un número entero")
    return int(number)


def _int_between(text: str, minimum: int, maximum: int, rule: str) -> int:
    value = _as_int(text)
    if value < minimum:
        raise argparse.ArgumentTypeError(f"debe ser un entero {rule}, no {value}")
    if value > maximum:
        raise argparse.ArgumentTypeError(
            f"debe ser como mucho {format_number(maximum)}, no {text}"
        )
    return value


def positive_int(text: str) -> int:
    """Tipo de argparse: un entero de 1 a ``MAX_SAMPLES`` (clientes, filas)."""
    return _int_between(text, 1, MAX_SAMPLES, "mayor que 0")


def wait_seconds(text: str) -> int:
    """Tipo de argparse: segundos de espera, de 1 a ``MAX_POLL_SECONDS``."""
    return _int_between(text, 1, MAX_POLL_SECONDS, "mayor que 0")


def seed_int(text: str) -> int:
    """Tipo de argparse: una semilla aleatoria, entero de 0 a 2³² - 1."""
    return _int_between(text, 0, MAX_SEED, "desde 0")


# Nombres de modelos y activos de datos: los que admite Azure ML. Así, un
# nombre nunca lleva comillas ni espacios que cambien un filtro de MLflow.
_ASSET_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$")


def check_asset_name(name: str) -> str:
    """Devuelve ``name`` si es un nombre válido de activo; si no, ``LabError``."""
    if not _ASSET_NAME.match(name):
        raise LabError(
            f"el nombre {name!r} no es válido: usa letras, números, guiones (-), "
            "guiones bajos (_) o puntos, empezando por letra o número."
        )
    return name


def format_number(value: float, decimals: int = 0) -> str:
    """Un número como se escribe en español: ``10 000`` y ``0,832``.

    Coma decimal y, según la Ortografía de la RAE, los miles separados con un
    espacio (sin separador en números de cuatro cifras: ``2000``).
    """
    text = f"{value:,.{decimals}f}"
    integer, _, fraction = text.partition(".")
    if len(integer.lstrip("-").replace(",", "")) <= 4:
        integer = integer.replace(",", "")
    integer = integer.replace(",", " ")
    return f"{integer},{fraction}" if fraction else integer


def format_percent(fraction: float, decimals: int = 1) -> str:
    """Una proporción (0.797) como porcentaje en español: ``79,7 %``."""
    return f"{format_number(fraction * 100, decimals)} %"


def quantity(count: int, singular: str, plural: str) -> str:
    """La cantidad con el sustantivo que concuerda: ``1 fila``, ``2000 filas``."""
    return f"{format_number(count)} {singular if count == 1 else plural}"


def first_line(error: BaseException, limit: int = 200) -> str:
    """La primera línea del mensaje de una excepción (o su tipo, si no tiene)."""
    message = str(getattr(error, "message", None) or error).strip()
    return message.splitlines()[0][:limit] if message else type(error).__name__


class Terminated(KeyboardInterrupt):
    """El proceso recibió SIGTERM: se limpia igual que con Ctrl+C (SIGINT)."""


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated(signum)


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Mientras dura, SIGTERM lanza ``Terminated`` como Ctrl+C lanza KeyboardInterrupt.

    Así los bloques ``finally`` y ``with`` (temporales, ``git worktree``) se
    deshacen también cuando alguien detiene el proceso con ``kill`` o cuando
    lo para un trabajo de CI.
    """
    try:
        previous = signal.signal(signal.SIGTERM, _raise_terminated)
    except ValueError:  # pragma: no cover, solo desde un hilo que no es el principal
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def report_errors(main: Callable[..., int]) -> Callable[..., int]:
    """Convierte un ``LabError`` en un mensaje en español y el código de salida 1."""

    @functools.wraps(main)
    def wrapper(*args: object, **kwargs: object) -> int:
        try:
            with sigterm_as_interrupt():
                return main(*args, **kwargs)
        except LabError as error:
            print(f"❌ Error: {error}", file=sys.stderr)
            return 1
        except Terminated:
            print("\n⏹️  Detenido (SIGTERM).", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("\n⏹️  Interrumpido por el usuario.", file=sys.stderr)
            return 1

    return wrapper


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """Da una ruta temporal junto a ``path`` y la renombra a ``path`` al terminar.

    Si el bloque falla, el temporal se borra: nunca queda un archivo a medias.
    """
    path = Path(path)
    temporary: Path | None = None
    # Lo que sigue a mkstemp va entero dentro del try: un SIGTERM o un Ctrl+C
    # justo después de crear el temporal también lo borra.
    try:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(
                prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
            )
        except OSError as error:
            raise LabError(
                f"no se puede escribir en la carpeta {path.parent} "
                f"({error.strerror}). Elige otra carpeta de salida o revisa sus "
                "permisos."
            ) from None
        temporary = Path(name)
        os.close(handle)
        # mkstemp crea el archivo solo legible por su dueño; el resultado final
        # lleva los permisos normales de un archivo nuevo (según la umask).
        umask = os.umask(0)
        os.umask(umask)
        temporary.chmod(0o666 & ~umask)
        yield temporary
        os.replace(temporary, path)
    except OSError as error:
        raise LabError(
            f"no se pudo escribir {path} ({error.strerror}). "
            "Revisa que haya espacio y permisos en la carpeta."
        ) from None
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)


def display_path(path: Path | str) -> str:
    """La ruta como la escribirías desde la carpeta actual (relativa si está dentro).

    Las rutas por defecto de los scripts son absolutas (cuelgan de ``LAB_ROOT``):
    desde la raíz del laboratorio se muestran igual que antes, ``artifacts/…``.
    """
    path = Path(path)
    if path.is_absolute():
        with contextlib.suppress(ValueError, OSError):
            return str(path.relative_to(Path.cwd()))
    return str(path)


def require_file(path: Path, what: str, fix: str) -> Path:
    """Comprueba que ``path`` es un archivo existente; si no, explica cómo crearlo."""
    path = Path(path)
    if not path.is_file():
        raise LabError(f"no se encontró {what} en {display_path(path)}. {fix}")
    return path


def print_table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> None:
    """Imprime una tabla de texto con las columnas alineadas."""
    widths = [
        max(len(str(row[index])) for row in [header, *rows])
        for index in range(len(header))
    ]
    for cells in [header, ["-" * width for width in widths], *rows]:
        text = "  ".join(str(cell).ljust(width) for cell, width in zip(cells, widths))
        print(text.rstrip())


def git(args: Sequence[str], cwd: Path) -> str:
    """Ejecuta ``git`` y devuelve su salida; si falla, un LabError con su mensaje."""
    try:
        completed = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=False,
        )
    except FileNotFoundError:
        raise LabError(
            "no se encontró git. Instálalo (https://git-scm.com) y vuelve a intentarlo."
        ) from None
    if completed.returncode != 0:
        detail = (completed.stderr.strip() or completed.stdout.strip()).splitlines()
        raise LabError(
            f"git {' '.join(args)} falló: {detail[-1] if detail else 'sin mensaje'}."
        )
    return completed.stdout.strip()
