"""Los chequeos solo sobre lo que cambió desde la última vez que pasaron.

:func:`plan_checks` da, para cada chequeo que pide ``run_checks.py``, qué
ejecutar: el mismo comando que CI para isort y MyPy (MyPy guarda su propia
caché); Black, primero con su caché (:func:`black_plan`); y para Flake8,
Pylint (``labkit.quick_pylint``) y pytest solo lo que puede haber cambiado
según las huellas de ``labkit.check_cache``, con una nota que lo dice. Con
``full=True`` (``--completo``, y CI) todo se ejecuta entero, como en CI.

Solo usa la biblioteca estándar.
"""

from __future__ import annotations

import glob
import shutil
from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from labkit.check_cache import (
    CheckCache,
    Plan,
    Step,
    full_plan,
    junit_outcomes,
    sha256,
)
from labkit.products import Products
from labkit.pytest_dependencies import run_by_test
from labkit.quick_pylint import EVERYTHING, pylint_plan

# Para decidir qué archivos de pruebas mirar: los que pytest recoge por defecto.
TEST_SUFFIX = "_test.py"


def plan_checks(
    checks: dict[str, tuple[str, ...]],
    names: Sequence[str],
    root: Path,
    full: bool = False,
) -> tuple[list[Plan], CheckCache | None]:
    """El plan de cada chequeo pedido (en el orden de ``checks``) y la caché."""
    selected = [(name, args) for name, args in checks.items() if name in names]
    if full:
        return [full_plan(name, args) for name, args in selected], None
    cache = CheckCache(root)
    plans = []
    for name, args in selected:
        if name == "pytest":
            # Lo que usa cada prueba (y entrenar, si hace falta) se calcula ya
            # en marcha: los linters no esperan.
            plans.append(Plan("pytest", [], prepare=partial(pytest_plan, cache, args)))
        elif name == "pylint":
            plans.append(pylint_plan(cache, args))
        elif name == "black":
            plans.append(black_plan(args))
        elif name == "flake8":
            plans.append(flake8_plan(cache, args))
        else:
            plans.append(full_plan(name, args))
    return plans, cache


def black_plan(args: tuple[str, ...]) -> Plan:
    """Black con su caché, y el comando de CI solo si algo no tiene su formato.

    Con ``--diff`` (el de CI, que muestra qué cambiaría) Black revisa todos los
    archivos y no usa su caché; con ``--check --quiet``, solo los que cambiaron
    desde que los dio por buenos, y los anota. El veredicto es el mismo: si
    falla, el comando de CI muestra qué cambiaría.
    """
    folders = [arg for arg in args[1:] if not arg.startswith("-")]
    quick = Step((args[0], "--check", "--quiet", *folders), quiet=True)
    steps = [quick, Step(args, if_failed=True)]
    return Plan("black", steps, "", lambda codes: (codes[0] == 0, ""))


def flake8_plan(cache: CheckCache, args: tuple[str, ...]) -> Plan:
    """Flake8 con los archivos que cambiaron desde que pasaron.

    Sus mensajes de un archivo solo dependen de él (y de la configuración y
    las versiones, que cuentan en la huella del entorno): los que pasaron y
    no cambiaron pasarían igual.
    """
    section = cache.section("flake8")
    passed: dict[str, str] = section.setdefault("passed", {})
    files = cache.python_files()
    current = {name: cache.raw_hash(name) for name in files}
    stale = [name for name in files if passed.get(name) != current[name]]
    for gone in set(passed) - set(current):
        del passed[gone]
    if not stale:
        note = f"ℹ️ Flake8: ninguno de los {len(files)} archivos cambió desde que pasó."
        return Plan("flake8", [], note, lambda codes: (True, ""))
    report = cache.path("flake8.txt")
    report.unlink(missing_ok=True)

    def finish(codes: list[int]) -> tuple[bool, str]:
        try:
            lines = report.read_text(encoding="utf-8").splitlines()
        except (OSError, ValueError):
            lines = None
        report.unlink(missing_ok=True)
        # 0: ningún mensaje; 1 con mensajes: falló. Otra cosa (un error de
        # Flake8 mismo): no se anota nada.
        if lines is not None and (codes[0] == 0 or (codes[0] == 1 and lines)):
            failing = {line.split(":", 1)[0].replace("\\", "/") for line in lines}
            for name in stale:
                if name in failing:
                    passed.pop(name, None)
                else:
                    passed[name] = current[name]
        return codes[0] == 0, ""

    output = (f"--output-file={report}", "--tee")
    if len(stale) == len(files) or any("," in name for name in stale):
        return Plan("flake8", [Step((*args, *output))], "", finish)  # el de CI
    # Las mismas carpetas que CI (con sus exclusiones), solo esos archivos.
    only = "--filename=" + ",".join(glob.escape(name) for name in stale)
    note = (
        f"ℹ️ Flake8: solo {len(stale)} de {len(files)} archivos, los que cambiaron "
        "desde que pasaron. " + EVERYTHING
    )
    return Plan("flake8", [Step((args[0], *output, only, *args[1:]))], note, finish)


def is_test_file(name: str) -> bool:
    """Si pytest recoge ``name`` (``tests/…/test_*.py`` o ``*_test.py``)."""
    base = name.rsplit("/", 1)[-1]
    return name.startswith("tests/") and (
        (base.startswith("test_") and base.endswith(".py"))
        or base.endswith(TEST_SUFFIX)
    )


# --------------------------------------------------------------------------
# pytest
# --------------------------------------------------------------------------


def pytest_plan(cache: CheckCache, args: tuple[str, ...]) -> Plan:
    """pytest con los archivos de pruebas que usan algo que cambió."""
    section = cache.section("pytest")
    passed: dict[str, str] = section.setdefault("passed", {})
    executed: dict[str, list[str]] = section.setdefault("executed", {})
    tests = [name for name in cache.graph.files if is_test_file(name)]
    products = Products(cache, section)
    current = {
        name: fingerprint_of_test(cache, name, executed, products) for name in tests
    }
    stale = [name for name in tests if passed.get(name) != current[name]]
    for gone in set(passed) - set(current):
        del passed[gone]
    changed = _changed_files(cache, section, stale)
    produced = products.note()
    if not stale:
        note = (
            f"ℹ️ pytest: nada que repetir: ninguno de los {len(tests)} archivos de "
            "pruebas usa algo que haya cambiado desde que pasaron. " + EVERYTHING
        )
        note = "\n".join(filter(None, [produced, note]))
        return Plan("pytest", [], note, lambda codes: (True, ""))
    selection = () if len(stale) == len(tests) else tuple(stale)
    note = _pytest_note(len(stale), len(tests), changed, bool(passed))
    note = "\n".join(filter(None, [produced, note]))
    report = cache.path("pytest.xml")
    report.unlink(missing_ok=True)
    traces = cache.path("trace")
    shutil.rmtree(traces, ignore_errors=True)
    traces.mkdir()
    junit = ("--junitxml", str(report), "-o", "junit_family=xunit1")

    def finish(codes: list[int]) -> tuple[bool, str]:
        # 0: todo pasó; 1: alguna falló, pero la sesión terminó. Otro código
        # (interrumpida, error interno): el informe puede estar a medias.
        complete = codes[0] in (0, 1)
        outcomes = (junit_outcomes(report, cache.root) if complete else None) or {}
        ran = read_traces(traces, cache) if complete else {}
        for name in stale:
            executed[name] = sorted(ran.get(name, set()))
            if outcomes.get(name):
                passed[name] = fingerprint_of_test(cache, name, executed, products)
            else:
                passed.pop(name, None)
        report.unlink(missing_ok=True)
        shutil.rmtree(traces, ignore_errors=True)
        return codes[0] == 0, ""

    env = {"RUN_CHECKS_TRACE": str(traces), **products.environment()}
    step = Step((*args, *selection, *junit), env)
    return Plan("pytest", [step], note, finish)


def fingerprint_of_test(
    cache: CheckCache,
    test: str,
    executed: dict[str, list[str]],
    products: Products,
) -> str:
    """La huella de todo lo que usa un archivo de pruebas.

    Él, sus paquetes, lo que sus ``conftest.py`` ejecutan para él
    (``labkit.pytest_dependencies``), los scripts que ejecutó en otros procesos
    la última vez, todo lo que importan y los archivos que nombran; los
    archivos que hay ahora en las carpetas del laboratorio que listó (uno
    nuevo cuenta); y de las fixtures de ``PRODUCTS`` que pide, lo que
    producen (``labkit.products``).
    """
    uses = run_by_test(cache.graph, test)
    ran = set(executed.get(test, []))
    start = uses.code | (ran & set(cache.graph.files))
    listed = {name for name in cache.graph.files if folder_of(name) in ran}
    used = cache.graph.used_by(start) | uses.content | listed
    files = cache.fingerprint(used, exact=False)
    made = [
        f"{fixture}\0{products.fingerprint(fixture, command)}"
        for fixture, command in sorted(uses.products.items())
    ]
    return sha256(files, *made) if made else files


def read_traces(folder: Path, cache: CheckCache) -> dict[str, set[str]]:
    """Qué usaron del laboratorio los procesos de cada archivo de pruebas.

    Lo anota ``tests/netguard/sitecustomize.py``, una línea «prueba<TAB>ruta»
    por cosa: los archivos que cargaron (``*.txt``) y las carpetas que
    listaron (``*.dirs``, que aquí terminan en «/», como las da
    :func:`folder_of`). Un archivo cargado desde una copia del laboratorio
    (``/tmp/…/scripts/train_model.py``) cuenta como el del laboratorio con la
    misma ruta relativa; una carpeta, solo la del laboratorio mismo (copiarlo
    no es usar cada archivo).
    """
    files = set(cache.graph.files)
    folders = {folder_of(name) for name in files}
    root = cache.root.resolve()
    found: dict[str, set[str]] = {}
    for test, path in _records(folder, "*.txt"):
        name = lab_name(path, root, files)
        found.setdefault(test, set()).update([name] if name else [])
    for test, path in _records(folder, "*.dirs"):
        name = lab_folder(path, root)
        if name in folders:
            found.setdefault(test, set()).add(name)
    return found


def _records(folder: Path, pattern: str) -> Iterator[tuple[str, Path]]:
    """(prueba, ruta) de cada línea de los registros ``pattern`` de ``folder``."""
    for record in folder.glob(pattern):
        try:
            lines = record.read_text(encoding="utf-8").splitlines()
        except (OSError, ValueError):
            continue
        for line in lines:
            test, tab, path = line.partition("\t")
            if tab and path:
                yield test, Path(path)


def lab_name(path: Path, root: Path, files: set[str]) -> str | None:
    """El archivo del laboratorio que es ``path`` (o su copia), o None."""
    if "site-packages" in path.parts or not path.suffix == ".py":
        return None
    try:
        name = path.resolve().relative_to(root).as_posix()
    except (OSError, ValueError):
        parts = path.parts
        candidates = ("/".join(parts[i:]) for i in range(len(parts) - 2, 0, -1))
        return next((name for name in candidates if name in files), None)
    return name if name in files else None


def folder_of(name: str) -> str:
    """La carpeta de un archivo del laboratorio, terminada en «/» (la raíz: «./»)."""
    parent = name.rpartition("/")[0]
    return f"{parent or '.'}/"


def lab_folder(path: Path, root: Path) -> str | None:
    """La carpeta del laboratorio que es ``path`` (como :func:`folder_of`), o None."""
    try:
        name = path.resolve().relative_to(root).as_posix()
    except (OSError, ValueError):
        return None
    return f"{name}/"


def _pytest_note(stale: int, total: int, changed: str, had_results: bool) -> str:
    if stale < total:
        return (
            f"ℹ️ pytest: solo {stale} de {total} archivos de pruebas, los que usan "
            f"algo que cambió desde que pasaron ({changed}). " + EVERYTHING
        )
    if had_results:
        return "ℹ️ pytest: todas las pruebas (cambió algo que todas usan)."
    return (
        "ℹ️ pytest: todas las pruebas (la primera vez; las siguientes, solo las que "
        "usan algo que haya cambiado)."
    )


def _changed_files(cache: CheckCache, section: dict[str, Any], stale: list[str]) -> str:
    """Qué archivos cambiaron desde la vez anterior (unos pocos, para decirlo)."""
    previous = section.get("files", {})
    now = {name: cache.code_hash(name) for name in cache.graph.files}
    section["files"] = now
    changed = sorted(
        name for name in now if previous.get(name) not in (None, now[name])
    )
    changed += sorted(set(previous) - set(now))
    changed = changed or stale
    shown = ", ".join(changed[:3])
    return shown + (f" y {len(changed) - 3} más" if len(changed) > 3 else "")
