"""Mide lo que cuesta la confianza (issue 23): los patrones de versión y la puerta.

1. **Patrones de versión** con un cuerpo de commit hecho de líneas «a(» (la
   forma que hacía retroceder al patrón anterior, ``[^)]*``): la regla del
   laboratorio (``course/conventional.py``, en Python) y la del flujo de CD
   (el clasificador de PaulHatch/semantic-version fijado, con Node 24), con
   el patrón de hoy y con el anterior. El anterior se corta a los
   ``--limite`` segundos: con 1 MB tardaba minutos.
2. **La puerta del modelo en CI**: el trabajo «Modelo» de ``ci.yml`` bajo act,
   en un pull request que no cambia el modelo (las dos versiones se entrenan
   y se miden igual), con este laboratorio y, con ``--before RUTA``, con otro
   (por ejemplo, el de a41d17d: ``git worktree add /tmp/antes a41d17d``).

No es una prueba: imprime las cifras y las guarda en ``--output``.

Uso: python bench/trust.py [--before /tmp/antes/labs/gitops-workflow]
                           [--rondas 1] [--sin-act | --sin-patrones]
                           [--output bench/trust.json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
# pylint: disable=wrong-import-position
from github_fake.act import (  # noqa: E402
    LAB,
    NODE_HOME,
    NOT_COPIED,
    REPOSITORY,
    RUNNER_PYTHONS,
    VENDOR,
    ActEnvironment,
    StudentRepo,
    missing_requirements,
    pull_request_event,
    runner_python_version,
)
from github_fake.server import FakeGitHub  # noqa: E402
from test_workflows import CLASSIFIER_SCRIPT, semver_settings  # noqa: E402

# Los patrones de a41d17d: el ámbito [^)]* cruzaba líneas.
OLD_SETTINGS = {
    "major_pattern": r"/^\w+(\([^)]*\))?!:|^BREAKING[ -]CHANGE:/",
    "major_regexp_flags": "m",
    "minor_pattern": r"/^feat(\([^)]*\))?:/",
    "search_commit_body": True,
}
OLD_PATTERN = OLD_SETTINGS["major_pattern"].strip("/")
SIZES = (64 * 1024, 256 * 1024, 1024 * 1024)
UNIT = "a(\n"


def python_seconds(pattern: str | None, size: int, limit: float) -> float | None:
    """Lo que tarda ``bump_of`` (o ``pattern`` con su bandera m) con ``size`` bytes."""
    if pattern is None:
        setup = "from course.conventional import Commit, bump_of\n"
        run = "bump_of(Commit('fix: x', body))"
    else:
        setup = f"import re\nregex = re.compile({pattern!r}, re.M | re.A)\n"
        run = "regex.search(body)"
    code = (
        f"import time\n{setup}"
        f"body = ({UNIT!r} * {size})[:{size}]\n"
        f"started = time.perf_counter()\n{run}\n"
        "print(time.perf_counter() - started)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(LAB / "src")}
    return _timed([sys.executable, "-c", code], limit, env)


def node_seconds(settings: dict[str, Any], size: int, limit: float) -> float | None:
    """Lo que tarda el clasificador de la acción con ``size`` bytes de cuerpo."""
    dist = VENDOR / "PaulHatch" / "semantic-version" / "dist" / "index.js"
    # CLASSIFIER_SCRIPT usa siempre 1 MB: aquí, el tamaño pedido.
    script = CLASSIFIER_SCRIPT.replace("1 << 20", str(size))
    command = [str(NODE_HOME / "bin" / "node"), "-e", script, str(dist)]
    command += [json.dumps(settings), json.dumps(UNIT)]
    return _timed(command, limit, None, key="seconds")


def _timed(
    command: list[str], limit: float, env: dict[str, str] | None, key: str = ""
) -> float | None:
    """Los segundos que el proceso midió, o None si pasó de ``limit``."""
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=limit, env=env, check=True
        )
    except subprocess.TimeoutExpired:
        return None
    return float(json.loads(result.stdout)[key] if key else result.stdout)


def shown(seconds: float | None, limit: float) -> str:
    """Segundos con tres decimales, o «> límite»."""
    return f"> {limit:.0f} s" if seconds is None else f"{seconds:.3f} s"


def measure_patterns(limit: float) -> list[dict[str, Any]]:
    """Cada tamaño, en los dos motores, con el patrón de hoy y el anterior."""
    rows = []
    for size in SIZES:
        row: dict[str, Any] = {"bytes": size}
        row["python_nuevo"] = python_seconds(None, size, limit)
        row["python_anterior"] = python_seconds(OLD_PATTERN, size, limit)
        row["node_nuevo"] = node_seconds(semver_settings(), size, limit)
        row["node_anterior"] = node_seconds(OLD_SETTINGS, size, limit)
        rows.append(row)
        print(
            f"{size // 1024:>5} KB | Python {shown(row['python_nuevo'], limit)} "
            f"(antes {shown(row['python_anterior'], limit)}) | Node "
            f"{shown(row['node_nuevo'], limit)} (antes "
            f"{shown(row['node_anterior'], limit)})",
            flush=True,
        )
    return rows


def student_source(lab: Path, folder: Path) -> Path:
    """Un repositorio con ``lab`` en ``main`` (lo que clona :class:`StudentRepo`)."""
    shutil.copytree(lab, folder, ignore=shutil.ignore_patterns(*NOT_COPIED))
    identity = ["-c", "user.name=Alumna", "-c", "user.email=alumna@example.com"]
    for args in (
        ["init", "--quiet", "-b", "main"],
        ["add", "--all"],
        [*identity, "commit", "--quiet", "-m", "chore: laboratorio"],
    ):
        subprocess.run(["git", *args], cwd=folder, check=True, timeout=120)
    return folder


def model_job_seconds(lab: Path, workdir: Path, environment: ActEnvironment) -> float:
    """El trabajo Modelo bajo act, en un pull request que no cambia el modelo."""
    source = student_source(lab, workdir / "fuente")
    (workdir / "alumno").mkdir()
    student = StudentRepo(workdir / "alumno", source=source)
    with FakeGitHub(REPOSITORY, student.bare) as github:
        base, head = student.open_pull_request({"NOTAS.md": "Una nota.\n"})
        merge = github.update_pull_request_refs(1, "cambio")
        event = pull_request_event(1, head, base, merge_sha=merge)
        run = environment.run(
            student, github, "pull_request", event, "ci.yml", job="model"
        )
    if run.returncode != 0 or "Sin cambios en el modelo" not in run.log:
        tail = "\n".join(run.log.splitlines()[-30:])
        raise SystemExit(f"el trabajo Modelo no terminó bien con {lab}:\n{tail}")
    return run.seconds


def measure_gate(labs: dict[str, Path], rounds: int) -> dict[str, list[float]]:
    """Los segundos del trabajo Modelo de cada laboratorio, alternando."""
    problem = missing_requirements()
    if problem:
        raise SystemExit(f"no se puede ejecutar act: {problem}")
    found: dict[str, list[float]] = {name: [] for name in labs}
    with tempfile.TemporaryDirectory(prefix="bench-confianza-") as temporary:
        environment = ActEnvironment(cache=Path(temporary) / "cache")
        for home in RUNNER_PYTHONS:
            version = runner_python_version(home)
            if version is not None:
                environment.prepare_python(version, home)
        for number in range(rounds):
            for name, lab in labs.items():
                workdir = Path(temporary) / f"{name}-{number}"
                seconds = model_job_seconds(lab, workdir, environment)
                found[name].append(round(seconds, 1))
                print(f"Trabajo Modelo ({name}), ronda {number + 1}: {seconds:.1f} s")
    return found


def main(argv: Sequence[str] | None = None) -> int:
    """Mide y escribe las cifras."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, help="otro laboratorio para comparar")
    parser.add_argument("--rondas", type=int, default=1, help="ejecuciones por lab")
    parser.add_argument("--limite", type=float, default=300, help="segundos máximos")
    parser.add_argument("--sin-act", action="store_true", help="solo los patrones")
    parser.add_argument("--sin-patrones", action="store_true", help="solo act")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "trust.json")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {}
    if not args.sin_patrones:
        print("Patrones de versión, cuerpo de líneas «a(» (hoy / antes):")
        results["patrones"] = measure_patterns(args.limite)
    if not args.sin_act:
        labs = {"ahora": LAB}
        if args.before:
            labs = {"antes": args.before.resolve(), **labs}
        gate = measure_gate(labs, args.rondas)
        results["trabajo_modelo_segundos"] = gate
        for name, seconds in gate.items():
            print(
                f"Trabajo Modelo ({name}): mediana {sorted(seconds)[len(seconds) // 2]} s"
            )
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"Cifras en {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
