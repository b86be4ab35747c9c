"""Ejecuta con un solo comando los mismos chequeos de calidad que CI.

CI (``.github/workflows/ci.yml``) corre Black, isort, Flake8, Pylint, MyPy y
las pruebas con pytest en cada pull request. Este script define esos comandos
una sola vez: CI lo llama con el nombre de cada herramienta y tú lo ejecutas
antes de hacer push para ver lo mismo que verá CI. Corre todas las
herramientas aunque alguna falle, muestra una tabla con el resultado de cada
una y termina con código 1 si alguna falló. Las herramientas corren a la vez
y, para que tarde poco (unos 60 s de CPU en total), deja fuera las pruebas
lentas (``@pytest.mark.slow``); CI las corre con ``--completo``.

Uso (con el entorno virtual activado; revisa siempre la raíz del laboratorio):
    python scripts/run_checks.py                # los seis chequeos
    python scripts/run_checks.py black flake8   # solo esos
    python scripts/run_checks.py --fix          # formatea con Black e isort y revisa
    python scripts/run_checks.py --completo     # también las pruebas lentas (CI)
    python scripts/run_checks.py --list         # muestra los comandos
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from _lab import LAB_ROOT  # va primero: revisa Python y el entorno virtual

from labkit.cli import build_parser, format_number, print_table, report_errors
from labkit.environment import require_libraries

CODE_PATHS = ("scripts", "src", "tests")

# Cada chequeo es un módulo de Python con sus argumentos; se ejecuta como
# ``python -m <módulo>`` con el mismo intérprete que corre este script, así usa
# las versiones fijadas en requirements.txt del entorno virtual activo.
CHECKS: dict[str, tuple[str, ...]] = {
    "black": ("black", "--check", "--diff", *CODE_PATHS),
    "isort": ("isort", "--check-only", "--diff", *CODE_PATHS),
    "flake8": ("flake8", *CODE_PATHS),
    "pylint": ("pylint", *CODE_PATHS),
    "mypy": ("mypy", *CODE_PATHS),
    # Sin las pruebas lentas (marcadas con @pytest.mark.slow): revisar antes de
    # cada push tarda poco. --completo (y CI) las corre todas.
    "pytest": ("pytest", "-m", "not slow"),
}
FULL_PYTEST: tuple[str, ...] = ("pytest",)
# Con --fix, Black e isort corrigen los archivos antes de revisarlos.
FIXES: dict[str, tuple[str, ...]] = {
    "black": ("black", *CODE_PATHS),
    "isort": ("isort", *CODE_PATHS),
}


@dataclass(frozen=True)
class CheckResult:
    """Resultado de un chequeo: su nombre, si pasó y cuánto tardó."""

    name: str
    passed: bool
    seconds: float


def command_for(module_args: Sequence[str]) -> list[str]:
    """El comando completo: el Python actual con ``-m`` y los argumentos."""
    return [sys.executable, "-m", *module_args]


def display(module_args: Sequence[str]) -> str:
    """El comando como lo escribirías tú en la terminal (PowerShell, cmd o bash).

    Con comillas dobles donde hacen falta: cmd no entiende las simples.
    """
    words = ["python", "-m", *module_args]
    return " ".join(f'"{word}"' if " " in word else word for word in words)


def run_command(module_args: Sequence[str], root: Path) -> int:
    """Ejecuta un comando en ``root`` mostrando su salida; devuelve su código."""
    print(f"\n▶ {display(module_args)}", flush=True)
    completed = subprocess.run(command_for(module_args), cwd=root, check=False)
    return completed.returncode


def commands(full: bool = False) -> dict[str, tuple[str, ...]]:
    """El comando de cada chequeo; con ``full``, pytest corre también las lentas."""
    return {**CHECKS, "pytest": FULL_PYTEST} if full else dict(CHECKS)


def run_checks(
    names: Sequence[str], fix: bool = False, root: Path = LAB_ROOT, full: bool = False
) -> list[CheckResult]:
    """Ejecuta los chequeos pedidos (todos, aunque alguno falle) en su orden.

    Con ``fix=True`` primero deja que Black e isort corrijan el formato; con
    ``full=True`` pytest incluye las pruebas lentas. Varios chequeos corren a
    la vez (mientras Pylint analiza, pytest prueba: se espera bastante menos)
    y la salida de cada uno se muestra entera, uno tras otro en el orden de
    CI, en cuanto terminan él y los anteriores. Uno solo (así lo llama CI)
    muestra su salida mientras corre.
    """
    if fix:
        for module_args in FIXES.values():
            run_command(module_args, root)
    selected = {
        name: module_args
        for name, module_args in commands(full).items()
        if name in names
    }
    if len(selected) == 1:
        ((name, module_args),) = selected.items()
        started = time.perf_counter()
        returncode = run_command(module_args, root)
        return [CheckResult(name, returncode == 0, time.perf_counter() - started)]
    return run_concurrently(selected, root)


def run_concurrently(
    selected: dict[str, tuple[str, ...]], root: Path
) -> list[CheckResult]:
    """Lanza todos los chequeos a la vez; muestra su salida en orden al terminar."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    results: list[CheckResult] = []
    with contextlib.ExitStack() as stack:
        running = []
        started = time.perf_counter()
        for name, module_args in selected.items():
            # A un archivo temporal, no a una tubería: nadie espera a nadie.
            output = stack.enter_context(tempfile.TemporaryFile())
            process = subprocess.Popen(  # pylint: disable=consider-using-with
                command_for(module_args),
                cwd=root,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
            stack.callback(stop, process)
            running.append((name, module_args, process, output))
        finished: dict[str, float] = {}
        while len(results) < len(running):
            for name, _, process, _ in running:
                if name not in finished and process.poll() is not None:
                    finished[name] = time.perf_counter() - started
            name, module_args, process, output = running[len(results)]
            if name not in finished:
                time.sleep(0.1)
                continue
            output.seek(0)
            print(f"\n▶ {display(module_args)}", flush=True)
            sys.stdout.write(output.read().decode("utf-8", errors="replace"))
            sys.stdout.flush()
            results.append(CheckResult(name, process.returncode == 0, finished[name]))
    return results


def stop(process: subprocess.Popen[bytes]) -> None:
    """Termina un chequeo que sigue corriendo (Ctrl+C) y lo espera."""
    if process.poll() is None:
        process.terminate()
    process.wait()


def print_summary(results: Sequence[CheckResult]) -> None:
    """Imprime una tabla con el resultado de cada chequeo y qué hacer después."""
    print("\n📋 Resumen de los chequeos")
    rows = [
        (
            result.name,
            "✅ correcto" if result.passed else "❌ falló",
            f"{format_number(result.seconds, 1)} s",
        )
        for result in results
    ]
    print_table(rows, header=("herramienta", "resultado", "tiempo"))
    failed = [result.name for result in results if not result.passed]
    if not failed:
        print("\n✅ Todo en orden: CI debería pasar estos mismos chequeos.")
        return
    print(f"\n❌ Fallaron: {', '.join(failed)}. Lee sus mensajes más arriba.")
    if {"black", "isort"} & set(failed):
        print(
            "   Black e isort pueden corregir el formato por ti: "
            "python scripts/run_checks.py --fix"
        )


def print_commands(full: bool = False) -> None:
    """Muestra los comandos que ejecuta cada chequeo (los mismos que CI)."""
    for name, module_args in commands(full).items():
        print(f"{name:<8} {display(module_args)}")


@report_errors
def main(argv: Sequence[str] | None = None) -> int:
    """Lee los argumentos, ejecuta los chequeos y devuelve el código de salida."""
    parser = build_parser(__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument(
        "checks",
        nargs="*",
        metavar="CHEQUEO",
        help=f"chequeos a ejecutar, entre: {', '.join(CHECKS)} (por defecto, todos)",
    )
    parser.add_argument(
        "--fix",
        action="store_true",
        help="antes de revisar, formatea el código con Black e isort",
    )
    parser.add_argument(
        "--completo",
        action="store_true",
        help=(
            "pytest corre también las pruebas lentas (MLflow de verdad, pipeline "
            "completo), como en CI"
        ),
    )
    parser.add_argument(
        "--list",
        action="store_true",
        help="solo muestra los comandos de cada chequeo, sin ejecutarlos",
    )
    args = parser.parse_args(argv)
    unknown = [name for name in args.checks if name not in CHECKS]
    if unknown:
        parser.error(
            f"chequeo desconocido: {', '.join(unknown)} "
            f"(elige entre {', '.join(CHECKS)})"
        )
    if args.list:
        print_commands(args.completo)
        return 0
    names = args.checks or list(CHECKS)
    require_libraries(CHECKS[name][0] for name in names)  # corren en otro proceso
    results = run_checks(names, fix=args.fix, full=args.completo)
    print_summary(results)
    return 0 if all(result.passed for result in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
