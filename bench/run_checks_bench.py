"""``python scripts/run_checks.py`` en el repositorio de un estudiante: cuánto tarda.

El de las Partes 1 y 2 del tutorial (``tests/student_repo.py``: git, el
laboratorio en la raíz, ``.venv`` dentro), clonado para no tocar el de la
sesión, con el Python de su ``.venv``. Cuatro momentos, uno tras otro:

- **la primera vez** (``cold``): nada guardado, lo revisa todo;
- **otra vez sin cambios** (``nochange``);
- **el cambio de la Parte 2** (``run_checks_s``, la cifra del objetivo): la
  línea nueva en ``train_model.py``, aún sin commit, como en el paso 4;
- **un error de formato y ``--fix``** (``fix``): el de «Cuando un chequeo
  falla», y después ``--fix``, que no debería repetir las pruebas.

De cada uno: segundos de reloj, segundos de CPU (de todos los procesos), la
carga de la máquina y el tiempo de cada herramienta (la tabla del propio
``run_checks.py``). Del cambio de la Parte 2, además, la CPU de cada
herramienta sola (en otro clon en el mismo estado).
"""

from __future__ import annotations

import os
import re
import resource
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
# pylint: disable=wrong-import-position
from student_repo import StudentRepo, session_repo  # noqa: E402
from test_tutorial import (  # noqa: E402
    CHANGE_MARK,
    apply_change,
    dedented,
    tutorial_text,
)  # noqa: E402

# pylint: enable=wrong-import-position

TOOLS = ("black", "isort", "flake8", "pylint", "mypy", "pytest")
# La tabla del resumen: «pylint       ✅ correcto  21,6 s».
ROW = re.compile(r"^(\w+) +(?:✅ correcto|❌ falló) +([\d,]+) s$", re.M)


def children_cpu() -> float:
    """Segundos de CPU (usuario y sistema) de los subprocesos ya terminados."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# El objetivo se mide con la máquina a carga ≤ 2: antes del cambio de la Parte 2
# se espera (hasta SETTLE_S) a que baje la que dejó la primera vez.
TARGET_LOAD = 2.0
SETTLE_S = 240


def settle() -> None:
    """Espera a que la carga de un minuto baje a ``TARGET_LOAD`` (o a SETTLE_S)."""
    deadline = time.monotonic() + SETTLE_S
    while os.getloadavg()[0] > TARGET_LOAD and time.monotonic() < deadline:
        time.sleep(5)


def measure(repo: StudentRepo, args: list[str]) -> dict[str, Any]:
    """``python scripts/run_checks.py args``: reloj, CPU, carga y cada herramienta.

    La carga, la de antes de empezar (la de la máquina) y la más alta al
    terminar (la suya incluida).
    """
    cpu = children_cpu()
    load = os.getloadavg()[0]
    started = time.perf_counter()
    result = repo.run(["scripts/run_checks.py", *args])
    return {
        "s": round(time.perf_counter() - started, 2),
        "cpu_s": round(children_cpu() - cpu, 2),
        "load_before": round(load, 2),
        "load": round(max(load, os.getloadavg()[0]), 2),
        "passed": result.returncode == 0,
        "tools_s": {
            name: float(seconds.replace(",", "."))
            for name, seconds in ROW.findall(result.stdout)
        },
        "notes": [line for line in result.stdout.splitlines() if line.startswith("ℹ️")],
        "tail": (result.stdout + (result.stderr or ""))[-4000:],
    }


def tutorial_changes() -> dict[str, str]:
    """Los dos cambios de la Parte 2 del tutorial: «cambio» y «error»."""
    return {
        match.group("kind"): dedented(match)
        for match in CHANGE_MARK.finditer(tutorial_text())
    }


def bench_run_checks(folder: Path, quick: bool = False) -> dict[str, Any]:
    """Los cuatro momentos; con ``quick``, solo Black, isort y Flake8."""
    source = session_repo(ROOT / ".venv" / "student-repo", folder)
    repo = source.clone(folder / "checks" / "gitops-lab")
    tools = ["black", "isort", "flake8"] if quick else []
    changes = tutorial_changes()
    cold = measure(repo, tools)
    nochange = measure(repo, tools)
    # Otro clon en este mismo estado: la CPU de cada herramienta sola.
    alone = repo.clone(folder / "alone" / "gitops-lab")
    apply_change(repo.root, changes["cambio"])
    if not quick:  # la prueba del benchmark (rápida) no espera
        settle()
    part2 = measure(repo, tools)
    # La caché de Black es del usuario, por ruta: la del clon, como la del otro.
    measure(alone, ["black"])
    apply_change(alone.root, changes["cambio"])
    tools_cpu = {}
    for name in tools or TOOLS:
        tools_cpu[name] = measure(alone, [name])["cpu_s"]
    # «Cuando un chequeo falla»: el error de formato, y --fix.
    apply_change(repo.root, changes["error"])
    error = measure(repo, tools)
    fix = measure(repo, [*tools, "--fix"])
    for moment in (cold, nochange, part2):
        if not moment["passed"]:
            raise SystemExit(
                f"{moment['tail']}\n❌ run_checks.py falló en el repositorio del "
                "estudiante (arriba, el final de su salida)."
            )
    return {
        "run_checks_cold_s": cold["s"],
        "run_checks_cold_cpu_s": cold["cpu_s"],
        "run_checks_cold_tools_s": cold["tools_s"],
        "run_checks_nochange_s": nochange["s"],
        "run_checks_nochange_cpu_s": nochange["cpu_s"],
        "run_checks_s": part2["s"],
        "run_checks_cpu_s": part2["cpu_s"],
        "run_checks_load_before": part2["load_before"],
        "run_checks_load": max(cold["load"], part2["load"]),
        "run_checks_tools_s": part2["tools_s"],
        "run_checks_tools_cpu_s": tools_cpu,
        "run_checks_notes": part2["notes"],
        "run_checks_error_s": error["s"],
        "run_checks_fix_s": fix["s"],
        "run_checks_fix_cpu_s": fix["cpu_s"],
        "run_checks_fix_notes": fix["notes"],
    }
