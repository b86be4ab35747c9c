"""Lo que cuesta en GitHub Actions el ciclo de un pull request, medido con act.

El repositorio de un estudiante tras la Parte 1 (``tests/student_repo.py``)
y su «GitHub» falso (``tests/github_fake``): cada trabajo corre en un Python
nuevo que solo trae pip y descarga de un índice de paquetes en 127.0.0.1
(como en una máquina nueva de GitHub con PyPI), con la caché de GitHub de
``setup-python`` (la de act, una por repositorio). Se ejecuta:

1. el primer push a ``main`` (Parte 1): CD;
2. el primer pull request (Parte 2): CI entero;
3. un segundo push a ese pull request: CI otra vez (la caché de pip ya está);
4. la fusión: CD;

y Progreso donde lo dispare el ``progress.yml`` de ese laboratorio (tras CD;
en a41d17d, también en cada push a main y tras cada CI).

De cada trabajo: qué lock instaló, cuántos paquetes, los MB de wheels
(descargados o sacados de la caché) y cuánto tardaron sus pasos. Los minutos
de GitHub se cuentan como GitHub los cobra en un repositorio privado: cada
trabajo, redondeado hacia arriba al minuto.

Uso: python bench/ci_cycle.py [--laboratorio REPO_GIT] [--wheels CARPETA]
     [--salida ARCHIVO.json]
(sin opciones, el laboratorio de este proyecto y ``.venv/wheelhouse``).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
# pylint: disable=wrong-import-position
from github_fake import act  # noqa: E402
from github_fake.installs import JobInstalls, job_installs  # noqa: E402
from github_fake.server import FakeGitHub  # noqa: E402

# pylint: enable=wrong-import-position

STEP = re.compile(
    r"^\[([^\]]+)\]\s+(?:✅|❌)\s+(?:Success|Failure) - .*\[([\dhmsµn.]+)\]$"
)
GO_DURATION = re.compile(r"([\d.]+)(h|ms|µs|us|ns|m|s)")
UNIT_SECONDS = {
    "h": 3600,
    "m": 60,
    "s": 1,
    "ms": 1e-3,
    "µs": 1e-6,
    "us": 1e-6,
    "ns": 1e-9,
}
# Un cambio pequeño en un script, como el de la Parte 2.
CHANGE = ("scripts/train_model.py", "\n# Laboratorio de Ana Pérez\n")


def go_seconds(text: str) -> float:
    """Segundos de una duración de Go («1m2.5s», «850ms»)."""
    return sum(
        float(number) * UNIT_SECONDS[unit] for number, unit in GO_DURATION.findall(text)
    )


def job_seconds(log: str) -> dict[str, float]:
    """Por trabajo, la suma de lo que tardaron sus pasos (lo que act anota)."""
    found: dict[str, float] = {}
    for line in re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", log).splitlines():
        match = STEP.match(line.rstrip())
        if match:
            job = match.group(1).strip()
            found[job] = found.get(job, 0.0) + go_seconds(match.group(2))
    return found


def job_results(log: str) -> dict[str, str]:
    """Por trabajo, «success» o «failure» según su última línea."""
    found: dict[str, str] = {}
    for line in log.splitlines():
        match = re.match(r"^\[([^\]]+)\]\s+🏁\s+Job (succeeded|failed)", line)
        if match:
            found[match.group(1).strip()] = (
                "success" if match.group(2) == "succeeded" else "failure"
            )
    return found


def summarize(run: act.ActRun, sizes: dict[str, int]) -> dict[str, Any]:
    """Los trabajos de una ejecución: resultado, segundos, minutos e instalaciones."""
    installs = job_installs(run.log, sizes)
    results = job_results(run.log)
    jobs = {}
    for job, seconds in job_seconds(run.log).items():
        record = installs.get(job, JobInstalls(job))
        jobs[job] = {
            "result": results.get(job, "skipped"),
            "seconds": round(seconds, 1),
            "billed_minutes": max(1, math.ceil(seconds / 60)),
            "locks": record.locks,
            "packages": record.packages,
            "wheel_mb": round(record.wheel_bytes / 1e6, 1),
            "downloaded_mb": round(record.downloaded / 1e6, 1),
            "cached_mb": round(record.from_cache / 1e6, 1),
        }
    return {
        "returncode": run.returncode,
        "seconds": round(run.seconds, 1),
        "jobs": jobs,
        "installs": sum(1 for job in jobs.values() if job["locks"]),
        "full_installs": sum(
            1 for job in jobs.values() if "requirements.lock" in job["locks"]
        ),
        "wheel_mb": round(sum(job["wheel_mb"] for job in jobs.values()), 1),
        "downloaded_mb": round(sum(job["downloaded_mb"] for job in jobs.values()), 1),
        "billed_minutes": sum(job["billed_minutes"] for job in jobs.values()),
    }


def progress_triggers(repo: Path) -> tuple[bool, set[str]]:
    """Si Progreso corre en cada push a main y tras qué flujos (workflow_run)."""
    import yaml  # pylint: disable=import-outside-toplevel

    path = repo / ".github" / "workflows" / "progress.yml"
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    on = workflow.get("on", workflow.get(True)) or {}
    after = set((on.get("workflow_run") or {}).get("workflows", []))
    return "push" in on, after


def run_cycle(
    source: Path, work: Path, environment: act.ActEnvironment
) -> dict[str, Any]:
    """El ciclo sobre un clon de ``source`` (un repo git con el laboratorio).

    Progreso se ejecuta donde lo dispara el ``progress.yml`` de ese
    laboratorio: en cada push a main y tras CI o CD, según el caso.
    """
    student = act.StudentRepo(work, source=source)
    on_push, after = progress_triggers(student.work)
    sizes = environment.index.sizes if environment.index else {}
    results: dict[str, Any] = {}
    with FakeGitHub(act.REPOSITORY, student.bare) as github:

        def progress(label: str, event_name: str, event: dict[str, Any]) -> None:
            run = environment.run(student, github, event_name, event, "progress.yml")
            results[label] = summarize(run, sizes)

        def cd_and_progress(label: str) -> None:
            before, after_sha = student.push()
            event = act.push_event(student, before, after_sha)
            if on_push:
                progress(f"{label}_progress_push", "push", event)
            cd = environment.run(student, github, "push", event, "cd.yml")
            results[f"{label}_cd"] = summarize(cd, sizes)
            if "CD" in after:
                progress(
                    f"{label}_progress",
                    "workflow_run",
                    act.workflow_run_event("CD", after_sha),
                )

        cd_and_progress("part1")
        base = student.git("rev-parse", "main")
        student.git("switch", "--quiet", "-c", "feat/mi-firma")
        path, line = CHANGE
        text = (student.work / path).read_text(encoding="utf-8") + line
        head = base
        for push in ("first_pr", "second_push"):
            head = student.commit(f"feat: cambio {push}", {path: text})
            student.push("feat/mi-firma")
            merge = github.update_pull_request_refs(1, "feat/mi-firma")
            event = act.pull_request_event(
                1,
                head,
                base,
                title="feat: muestra el autor del laboratorio al entrenar",
                head_ref="feat/mi-firma",
                merge_sha=merge,
            )
            ci = environment.run(student, github, "pull_request", event, "ci.yml")
            results[f"{push}_ci"] = summarize(ci, sizes)
            if "CI" in after:
                progress(
                    f"{push}_progress", "workflow_run", act.workflow_run_event("CI", head)
                )
            text += "# otra línea\n"
        student.git("switch", "--quiet", "main")
        student.git("merge", "--quiet", "--no-ff", "-m", "Merge pull request #1", head)
        cd_and_progress("merge")
    return results


def environment_for(cache: Path) -> act.ActEnvironment:
    """act con los Python del runner (nuevos en cada trabajo) y PyPI local."""
    environment = act.ActEnvironment(cache=cache)
    for home in act.RUNNER_PYTHONS:
        version = act.runner_python_version(home)
        if version is not None:
            environment.prepare_python(version, home)
    environment.open_index()
    return environment


# Supuestos de la estimación de minutos para todo el laboratorio, por estudiante.
LAB_ASSUMPTIONS = {
    "first_push": 1,  # Parte 1: el primer push a main
    # Parte 2 (el pull request y un arreglo), «Cuando un chequeo falla» (el
    # error y su arreglo), la Parte 3 y la evidencia: seis ejecuciones de CI.
    "pull_request_pushes": 6,
    "merges": 3,  # Parte 2, Parte 3 y la evidencia
    "class_size": 200,
}


def minutes(results: dict[str, Any], prefix: str) -> int:
    """Minutos cobrados de las ejecuciones de ``results`` con ese prefijo."""
    return sum(
        run["billed_minutes"]
        for name, run in results.items()
        if name.startswith(prefix)
    )


def estimate(results: dict[str, Any]) -> dict[str, Any]:
    """Minutos por estudiante y por clase, con los supuestos de ``LAB_ASSUMPTIONS``.

    Un push a un pull request cuesta lo que el primero y el segundo de la
    medición, en promedio (con y sin la caché de pip); la fusión y el primer
    push, lo que CD y los Progreso que disparan.
    """
    per_push = (minutes(results, "first_pr") + minutes(results, "second_push")) / 2
    student = (
        LAB_ASSUMPTIONS["first_push"] * minutes(results, "part1")
        + LAB_ASSUMPTIONS["pull_request_pushes"] * per_push
        + LAB_ASSUMPTIONS["merges"] * minutes(results, "merge")
    )
    cycle = {name: run for name, run in results.items() if not name.startswith("part1")}
    return {
        "cycle_installs": sum(run["installs"] for run in cycle.values()),
        "cycle_full_installs": sum(run["full_installs"] for run in cycle.values()),
        "cycle_wheel_mb": round(sum(run["wheel_mb"] for run in cycle.values()), 1),
        "cycle_downloaded_mb": round(
            sum(run["downloaded_mb"] for run in cycle.values()), 1
        ),
        "cycle_billed_minutes": sum(run["billed_minutes"] for run in cycle.values()),
        "minutes_per_student": round(student, 1),
        "minutes_per_class": round(student * LAB_ASSUMPTIONS["class_size"]),
        "assumptions": {
            **LAB_ASSUMPTIONS,
            "billing": "cada trabajo redondeado hacia arriba al minuto (repositorio "
            "privado; los públicos no pagan minutos)",
            "durations": "medidas con act en esta máquina (ver load); en GitHub un "
            "runner estándar descarga de PyPI más rápido",
            "load": round(os.getloadavg()[0], 2),
        },
    }


def bench_ci(folder: Path, before: Path) -> dict[str, Any]:
    """El ciclo con los flujos de ahora, y las cifras guardadas de a41d17d."""
    problem = act.missing_requirements()
    if problem:
        return {"ci_skipped": problem}
    environment = environment_for(folder / "act-cache")
    try:
        results = run_cycle(student_repository(folder), folder / "alumno", environment)
    finally:
        environment.close()
    figures: dict[str, Any] = {"ci_runs": results, "ci": estimate(results)}
    first_pr = results["first_pr_ci"]
    figures["ci_pr_installs"] = first_pr["installs"]
    figures["ci_pr_full_installs"] = first_pr["full_installs"]
    figures["ci_pr_wheel_mb"] = first_pr["wheel_mb"]
    figures["ci_minutes_per_student"] = figures["ci"]["minutes_per_student"]
    figures["ci_minutes_per_class"] = figures["ci"]["minutes_per_class"]
    if before.is_file():
        saved = json.loads(before.read_text(encoding="utf-8"))
        figures["ci_before"] = saved
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    """Mide el ciclo y escribe el JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--laboratorio", type=Path, help="repositorio git del laboratorio"
    )
    parser.add_argument("--salida", type=Path, help="archivo JSON de resultados")
    args = parser.parse_args(argv)
    problem = act.missing_requirements()
    if problem:
        print(f"❌ No se puede medir con act: {problem}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="ciclo-") as folder:
        source = args.laboratorio or student_repository(Path(folder))
        environment = environment_for(Path(folder) / "act-cache")
        try:
            runs = run_cycle(source, Path(folder) / "alumno", environment)
        finally:
            environment.close()
    results = {"runs": runs, "estimate": estimate(runs)}
    text = json.dumps(results, indent=2, ensure_ascii=False) + "\n"
    if args.salida:
        args.salida.write_text(text, encoding="utf-8")
    print(text)
    return 0


def student_repository(folder: Path) -> Path:
    """El repositorio del estudiante tras la Parte 1 (su .venv no se usa)."""
    from student_repo import session_repo  # pylint: disable=import-outside-toplevel

    return session_repo(ROOT / ".venv" / "student-repo", folder).root


if __name__ == "__main__":
    raise SystemExit(main())
