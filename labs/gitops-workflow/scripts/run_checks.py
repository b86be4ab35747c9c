"""Ejecuta con un solo comando los mismos chequeos de calidad que CI.

CI (``.github/workflows/ci.yml``) corre Black, isort, Flake8, Pylint, MyPy y
todas las pruebas con pytest en cada pull request. Este script define esos
comandos una sola vez: CI lo llama con el nombre de cada herramienta y
``--completo``, y tú lo ejecutas antes de hacer push para ver lo mismo que
verá CI. Corre todas las herramientas a la vez aunque alguna falle, muestra
una tabla con el resultado de cada una y termina con código 1 si alguna falló.

Para que tarde segundos y no minutos, recuerda lo que ya pasó
(``.run_checks_cache/``): Pylint revisa solo los archivos que cambiaron o que
importan algo que cambió, y pytest corre solo las pruebas que usan algo que
cambió (lo dice en la salida; si cambias ``train_model.py`` y el modelo sale
idéntico, las pruebas que solo usan el modelo no se repiten). MyPy, Black y
pytest guardan además sus propias cachés. La primera vez lo revisa todo. Con
``--completo`` lo revisa todo, como CI.

Uso (con el entorno virtual activado; revisa siempre la raíz del laboratorio):
    python scripts/run_checks.py                # los seis chequeos
    python scripts/run_checks.py black flake8   # solo esos
    python scripts/run_checks.py --fix          # formatea con Black e isort y revisa
    python scripts/run_checks.py --completo     # todo, sin recordar nada (como CI)
    python scripts/run_checks.py --list         # muestra los comandos de CI
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from _lab import LAB_ROOT  # va primero: revisa Python y el entorno virtual

from labkit.checks import CheckResult, display, print_summary, run_plans
from labkit.cli import build_parser, report_errors
from labkit.environment import require_libraries
from labkit.quick_checks import plan_checks
from labkit.syntax import syntax_problems

CODE_PATHS = ("scripts", "src", "tests")

# Cada chequeo es un módulo de Python con sus argumentos: lo que ejecuta CI,
# ``python -m <módulo> <argumentos>``, con el mismo intérprete que corre este
# script (así usa las versiones fijadas de tu entorno virtual).
CHECKS: dict[str, tuple[str, ...]] = {
    "black": ("black", "--check", "--diff", *CODE_PATHS),
    "isort": ("isort", "--check-only", "--diff", *CODE_PATHS),
    "flake8": ("flake8", *CODE_PATHS),
    "pylint": ("pylint", *CODE_PATHS),
    "mypy": ("mypy", *CODE_PATHS),
    "pytest": ("pytest",),
}
# Con --fix, Black e isort corrigen los archivos antes de revisarlos.
FIXES: dict[str, tuple[str, ...]] = {
    "black": ("black", "--quiet", *CODE_PATHS),
    "isort": ("isort", "--quiet", *CODE_PATHS),
}


def run_checks(
    names: Sequence[str], fix: bool = False, root: Path = LAB_ROOT, full: bool = False
) -> list[CheckResult]:
    """Ejecuta los chequeos pedidos (todos, aunque alguno falle) en el orden de CI.

    Primero dice, en una línea por archivo, si alguno no es Python válido
    (por ejemplo, la sangría). Con ``fix=True`` deja antes que Black e isort
    corrijan el formato; con ``full=True`` lo revisa todo, como CI.
    """
    code = [
        path for folder in CODE_PATHS for path in sorted((root / folder).rglob("*.py"))
    ]
    for problem in syntax_problems(code, root):
        print(problem, flush=True)
    if fix:
        for module_args in FIXES.values():
            print(f"\n▶ {display(module_args)}", flush=True)
            subprocess.run([sys.executable, "-m", *module_args], cwd=root, check=False)
    plans, cache = plan_checks(CHECKS, names, root, full)
    results = run_plans(plans, root)
    if cache is not None:
        cache.save()
    return results


def print_commands() -> None:
    """Muestra el comando de cada chequeo: el mismo que ejecuta CI."""
    for name, module_args in CHECKS.items():
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
            "lo revisa todo, sin recordar lo que ya pasó: todas las pruebas y "
            "todos los archivos, como CI"
        ),
    )
    parser.add_argument(
        "--list",
        action="store_true",
        help="solo muestra los comandos de cada chequeo (los de CI), sin ejecutarlos",
    )
    args = parser.parse_args(argv)
    unknown = [name for name in args.checks if name not in CHECKS]
    if unknown:
        parser.error(
            f"chequeo desconocido: {', '.join(unknown)} "
            f"(elige entre {', '.join(CHECKS)})"
        )
    if args.list:
        print_commands()
        return 0
    names = args.checks or list(CHECKS)
    require_libraries(CHECKS[name][0] for name in names)  # corren en otro proceso
    results = run_checks(names, fix=args.fix, full=args.completo)
    print_summary(results)
    return 0 if all(result.passed for result in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
