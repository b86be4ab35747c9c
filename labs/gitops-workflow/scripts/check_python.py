"""Antes de instalar nada: ¿sirve este Python para el laboratorio?

Ejecútalo con el Python con el que vas a crear el entorno virtual, antes de
crearlo (Parte 2 del tutorial, paso 1):

    python scripts/check_python.py          (Windows: py scripts/check_python.py)

Dice en una línea si este Python sirve y, si no, qué instalar: las versiones
fijadas de ``requirements.lock`` se instalan desde paquetes ya compilados
(wheels) solo en Python 3.11 a 3.15 de 64 bits (Windows x64, macOS con
procesador Apple o Intel, Linux x86_64 o ARM64). Con otro Python, ``pip``
intentaría compilarlas y fallaría después de varios minutos.

Solo usa la biblioteca estándar y funciona con cualquier Python desde 3.7:
tiene que hablar justo con el Python equivocado. Las versiones admitidas y el
consejo de instalación vienen de ``src/labkit/environment.py``, los mismos que
usan los scripts del laboratorio.
"""

from __future__ import annotations

import argparse
import importlib.util
import platform
import struct
import sys
import sysconfig
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

# La revisión del laboratorio, cargada desde su archivo: importar el paquete
# labkit necesitaría las bibliotecas que todavía no están instaladas.
ENVIRONMENT_FILE = Path(__file__).resolve().parents[1] / "src/labkit/environment.py"
# La primera versión de glibc para la que se publican todos los paquetes del
# lock (manylinux_2_28: Debian 10, Ubuntu 20.04, Fedora 29 o posteriores).
OLDEST_GLIBC = (2, 28)


def load_environment() -> ModuleType:
    """``labkit/environment.py`` como módulo suelto (sin importar ``labkit``)."""
    spec = importlib.util.spec_from_file_location("lab_environment", ENVIRONMENT_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def glibc_version() -> tuple[int, ...] | None:
    """La versión de glibc de este Linux (``None`` si no es glibc)."""
    library, version = platform.libc_ver()
    if library != "glibc" or not version:
        return None
    return tuple(int(part) for part in version.split(".")[:2] if part.isdigit())


def platform_problem(
    system: str, machine: str, bits: int, free_threaded: bool, glibc: tuple | None
) -> str | None:
    """Qué hacer si esta combinación de sistema y Python no tiene los paquetes."""
    environment = load_environment()
    version = environment.RECOMMENDED_PYTHON
    if bits != 64:
        return (
            f"este Python es de {bits} bits y varias bibliotecas del laboratorio "
            f"(kiwisolver, que usa matplotlib, entre otras) solo publican paquetes "
            f"para 64 bits. Instala Python {version} de 64 bits (Windows: py "
            f"install {version}-64) y crea el entorno con él"
        )
    if system == "win32" and machine.lower() in ("arm64", "aarch64"):
        return (
            "este es Python para Windows ARM64 y cryptography (que usan "
            "azure-identity y MLflow) no publica paquetes para él. Instala la "
            f"versión x64, que Windows ejecuta emulada: py install {version}-64, "
            f"y crea el entorno con: py -V:{version}-64 -m venv .venv"
        )
    if free_threaded:
        return (
            "este Python es la versión sin GIL (free-threaded, la de la «t», "
            f"como {version}t), con la que el laboratorio no se prueba y para la "
            f"que faltan paquetes. Usa la versión normal: "
            + environment.install_advice(system)
        )
    if glibc is not None and glibc < OLDEST_GLIBC:
        found = ".".join(map(str, glibc))
        return (
            f"este Linux tiene glibc {found} y los paquetes del laboratorio "
            f"piden glibc 2.28 o posterior (Ubuntu 20.04, Debian 10 o más "
            f"nuevos). Usa un sistema más reciente, o WSL 2 en Windows"
        )
    return None


def venv_problem(
    version: str, find_spec: Callable[[str], object] = importlib.util.find_spec
) -> str | None:
    """Si este Python puede crear un entorno virtual (``venv`` con ``pip``)."""
    if find_spec("venv") and find_spec("ensurepip"):
        return None
    return (
        "a este Python le falta el módulo venv o ensurepip, que Debian y Ubuntu "
        f"instalan aparte: sudo apt install python{version}-venv; después vuelve "
        "a ejecutar este chequeo"
    )


def next_step(system: str, version: str, in_venv: bool) -> str:
    """El comando que sigue, el mismo en PowerShell, cmd y bash."""
    if in_venv:
        return "python -m pip install --require-hashes -r requirements.lock"
    if system == "win32":
        return f"py -V:{version} -m venv .venv"
    return f"python{version} -m venv .venv"


def check_this_python() -> str | None:
    """El primer problema de este Python para el laboratorio, o ``None``."""
    environment = load_environment()
    short = f"{sys.version_info[0]}.{sys.version_info[1]}"
    return (
        environment.python_problem()
        or platform_problem(
            sys.platform,
            platform.machine(),
            struct.calcsize("P") * 8,
            bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
            glibc_version() if sys.platform.startswith("linux") else None,
        )
        or venv_problem(short)
    )


def say(text: str, error: bool = False) -> None:
    """Escribe una línea; con una consola sin UTF-8, sin emojis ni tildes."""
    stream = sys.stderr if error else sys.stdout
    try:
        stream.write(text + "\n")
    except UnicodeEncodeError:
        stream.write(text.encode("ascii", "replace").decode("ascii") + "\n")
    stream.flush()


class SpanishHelp(argparse.HelpFormatter):
    """La ayuda con «uso:» (argparse de Python 3.7 no traduce sus textos)."""

    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore
        super().add_usage(usage, actions, groups, prefix="uso: ")


def main(argv: list[str] | None = None) -> int:
    """Revisa este Python; 0 si sirve para el laboratorio, 1 si no."""
    parser = argparse.ArgumentParser(
        prog="python scripts/check_python.py",
        description=(
            "Revisa, antes de crear el entorno virtual, que este Python sirva "
            "para el laboratorio y dice qué hacer si no."
        ),
        formatter_class=SpanishHelp,
        add_help=False,
    )
    options = parser.add_argument_group("opciones")
    options.add_argument(
        "-h", "--help", action="help", help="muestra esta ayuda y termina"
    )
    _, unknown = parser.parse_known_args(argv)
    if unknown:
        say(
            f"❌ Error: {' '.join(unknown)} no es una opción de este chequeo, que "
            "solo admite --help. Ejecútalo así: python scripts/check_python.py",
            error=True,
        )
        return 1
    environment = load_environment()
    version = ".".join(str(part) for part in sys.version_info[:3])
    say(f"🐍 Python {version} ({sys.executable}), {platform.machine()}")
    problem = check_this_python()
    if problem:
        say(f"❌ Error: {problem.rstrip('.')}.", error=True)
        return 1
    in_venv = sys.prefix != sys.base_prefix
    short = f"{sys.version_info[0]}.{sys.version_info[1]}"
    say(
        f"✅ Este Python sirve para el laboratorio (Python "
        f"{environment.supported_range()})."
    )
    say(f"➡️  Siguiente paso: {next_step(sys.platform, short, in_venv)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
