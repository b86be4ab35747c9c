"""Ejecuta los chequeos de ``run_checks.py`` a la vez y resume el resultado.

Cada chequeo es un plan (``labkit.check_cache.Plan``): uno o más comandos
``python -m …`` con el Python que corre ``run_checks.py``. Todos empiezan a
la vez (mientras Pylint analiza, pytest prueba; los demás le ceden el
procesador, porque es el que más tarda); la salida de cada uno se muestra
entera, en el orden de CI, en cuanto terminan él y los anteriores. Un solo
chequeo (así lo llama CI) muestra su salida mientras corre.

Solo usa la biblioteca estándar.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from labkit.check_cache import Plan, Step
from labkit.cli import format_number, print_table


@dataclass(frozen=True)
class CheckResult:
    """Resultado de un chequeo: su nombre, si pasó y cuánto tardó."""

    name: str
    passed: bool
    seconds: float


def display(module_args: Sequence[str]) -> str:
    """El comando como lo escribirías tú en la terminal (PowerShell, cmd o bash).

    Con comillas dobles donde hacen falta: cmd no entiende las simples.
    """
    words = ["python", "-m", *module_args]
    return " ".join(f'"{word}"' if " " in word else word for word in words)


def _environment(step: Step) -> dict[str, str]:
    """El entorno del paso: el de este proceso con las variables del paso.

    Las variables del paso sustituyen a las heredadas, y las de
    ``run_checks.py`` (``RUN_CHECKS_*``) son de cada ejecución: un
    ``run_checks`` que corre dentro de las pruebas de otro (las del
    laboratorio) guarda su registro en su propia carpeta, no en la del de
    fuera, ni usa lo que el de fuera produjo.
    """
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("RUN_CHECKS_")
    }
    return {**inherited, "PYTHONIOENCODING": "utf-8", **step.env}


def _raise(error: BaseException) -> Callable[[list[int]], tuple[bool, str]]:
    def finish(codes: list[int]) -> tuple[bool, str]:
        raise error

    return finish


# Con pytest (el que más tarda) en marcha, los demás chequeos le ceden el
# procesador: terminan algo después, pero todos juntos, antes. En Windows, con
# esta marca al crear el proceso; en Linux y macOS, con «nice».
BELOW_NORMAL = getattr(subprocess, "BELOW_NORMAL_PRIORITY_CLASS", 0)
NICENESS = 10
LOWEST = 19


def _lower_priority(pid: int) -> None:
    """Baja la prioridad del proceso ``pid`` (en Linux y macOS; si se puede).

    «nice» suma: de la que ya tenía, hasta la más baja (19), nunca más alta.
    """
    if sys.platform != "win32":
        try:
            niceness = os.getpriority(os.PRIO_PROCESS, pid) + NICENESS
            os.setpriority(os.PRIO_PROCESS, pid, min(niceness, LOWEST))
        except OSError:
            pass  # ya terminó, o el sistema no lo permite: corre igual


class _Running:
    """Un plan en marcha en su propio hilo, con su salida en un archivo.

    Con ``behind``, sus comandos corren con menos prioridad.
    """

    def __init__(self, plan: Plan, root: Path, live: bool, behind: bool) -> None:
        self.plan = plan
        # Sin búfer: cada comando escribe en el mismo archivo, tras su cabecera.
        self.output = tempfile.TemporaryFile(  # pylint: disable=consider-using-with
            buffering=0
        )
        self.codes: list[int] = []
        self.seconds = 0.0
        self.process: subprocess.Popen[bytes] | None = None
        self.stopped = False
        self.thread = threading.Thread(
            target=self._run, args=(root, live, behind), daemon=True
        )

    def _run(self, root: Path, live: bool, behind: bool) -> None:
        started = time.perf_counter()
        if self.plan.prepare is not None:
            try:
                self.plan = self.plan.prepare()
            except BaseException as error:  # pylint: disable=broad-exception-caught
                # El error sale en el hilo principal, al pedir el resultado.
                self.plan = Plan(self.plan.name, [], finish=_raise(error))
                return
            if self.plan.note:
                self._show(self.plan.note + "\n", live)
        for step in self.plan.steps:
            if step.if_failed and self.codes and self.codes[-1] == 0:
                continue
            self.codes.append(
                1 if self.stopped else self._step(step, root, live, behind)
            )
        self.seconds = time.perf_counter() - started

    def _show(self, text: str, live: bool) -> None:
        """Muestra ``text`` ya (un solo chequeo) o lo guarda con su salida."""
        if live:
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            self.output.write(text.encode("utf-8"))

    def _step(self, step: Step, root: Path, live: bool, behind: bool) -> int:
        start = self.output.tell()
        self._show(f"\n▶ {display(step.module_args)}\n", live)
        with subprocess.Popen(
            [sys.executable, "-m", *step.module_args],
            cwd=root,
            env=_environment(step),
            stdout=None if live and not step.quiet else self.output,
            stderr=subprocess.STDOUT,
            creationflags=BELOW_NORMAL if behind else 0,
        ) as self.process:
            if behind:
                _lower_priority(self.process.pid)
            code = self.process.wait()
        if step.quiet and code == 0:
            self.output.truncate(start)
        elif live and step.quiet:
            self.output.seek(start)
            sys.stdout.write(self.output.read().decode("utf-8", errors="replace"))
            sys.stdout.flush()
        self.output.seek(0, os.SEEK_END)
        return code

    def stop(self) -> None:
        """Termina el comando en marcha (Ctrl+C) y espera al hilo."""
        self.stopped = True
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
        self.thread.join()

    def result(self, live: bool) -> CheckResult:
        """Muestra la salida guardada y lo que añade el plan; da el resultado."""
        if not live:
            self.output.seek(0)
            sys.stdout.write(self.output.read().decode("utf-8", errors="replace"))
        passed, extra = (
            self.plan.finish(self.codes)
            if self.plan.finish is not None
            else (all(code == 0 for code in self.codes), "")
        )
        sys.stdout.write(extra)
        sys.stdout.flush()
        self.output.close()
        return CheckResult(self.plan.name, passed, self.seconds)


def run_plans(plans: Sequence[Plan], root: Path) -> list[CheckResult]:
    """Ejecuta los planes a la vez y da sus resultados, en su orden."""
    live = len(plans) == 1
    with_pytest = any(plan.name == "pytest" for plan in plans)
    running = [
        _Running(plan, root, live, behind=with_pytest and plan.name != "pytest")
        for plan in plans
    ]
    for plan in plans:
        if plan.note:
            print(plan.note, flush=True)
    # pytest primero: suele ser el que más tarda.
    for item in sorted(running, key=lambda item: item.plan.name != "pytest"):
        item.thread.start()
    results = []
    try:
        for item in running:
            item.thread.join()
            results.append(item.result(live))
    finally:
        for item in running:
            item.stop()
    return results


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
