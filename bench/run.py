"""Mide lo que hace el laboratorio y lo compara con el mejor resultado posible.

Cada cifra se mide en esta misma ejecución, en esta máquina, y se guarda en
``bench/results.json``; al final se imprime una tabla con el objetivo de cada
una. No es una prueba: estas máquinas son ruidosas, así que las cifras se
leen, no se afirman. Todo corre en una copia del laboratorio (también lo que
se importa): el laboratorio mismo no cambia.

Uso: python bench/run.py [--quick] [--output bench/results.json]

Con ``--quick`` usa tamaños diminutos: solo comprueba que el benchmark
funciona (lo hace la suite de pruebas del proyecto).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
# pylint: disable=wrong-import-position
from ci_cycle import bench_ci  # noqa: E402
from lab_copy import SCRIPTS, copy_lab  # noqa: E402
from run_checks_bench import bench_run_checks  # noqa: E402

# pylint: enable=wrong-import-position


# La «línea base»: lo mínimo que da el mismo archivo de salida que score.py
# (leer, predict_proba, escribir), en un proceso, sin validar nada.
BARE_SCORER = """
import sys
import joblib
import pandas as pd
model = joblib.load(sys.argv[1])
frame = pd.read_csv(sys.argv[2], dtype={"customer_id": str})
features = frame[list(model.feature_names_in_)]
frame["churn_probability"] = model.predict_proba(features)[:, 1].round(6)
frame.to_csv(sys.argv[3], index=False, lineterminator="\\n")
"""

# Las cifras de a41d17d (antes del issue 24), medidas una vez con los mismos
# pasos: su run_checks.py y su ciclo de CI bajo act (ver el archivo).
BEFORE = ROOT / "bench" / "before_a41d17d.json"

# Objetivos del issue de benchmark: (clave, comparación, valor).
TARGETS: dict[str, tuple[str, float]] = {
    "gen_rows_per_s": (">=", 1_000_000),
    "model_mb": ("<=", 5),
    "auc_ratio": (">=", 0.98),
    "score_ratio": (">=", 0.5),
    "rss_growth": ("<=", 1.5),
    "pipeline_s": ("<=", 20),
    "help_s_max": ("<=", 1),
    "run_checks_s": ("<=", 30),
    "ci_pr_full_installs": ("<=", 1),
    "report_first_s": ("<=", 60),
    "report_second_304_share": (">=", 0.95),
}


def lab_env(work: Path) -> dict[str, str]:
    """Entorno de los subprocesos: sin Azure y con el paquete de la copia ``work``."""
    env = dict(os.environ)
    # El bloqueo de red de las pruebas del laboratorio: nada sale de 127.0.0.1.
    env["PYTHONPATH"] = os.pathsep.join(
        [str(work / "tests" / "netguard"), str(work / "src")]
    )
    env["AZURE_TOKEN_CREDENTIALS"] = "AzureCliCredential"
    env["PYTHONIOENCODING"] = "utf-8"
    return env


# Pico de memoria de un script: lo lee el propio proceso de /proc/self/status
# (VmHWM) al terminar. ru_maxrss de wait4 no sirve: en Linux hereda el pico del
# proceso padre (este benchmark, con un millón de filas en memoria).
PEAK_MEMORY_WRAPPER = """
import atexit, os, runpy, sys
def report():
    with open("/proc/self/status", encoding="ascii") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM"))
    with open(os.environ["BENCH_PEAK_FILE"], "w", encoding="ascii") as out:
        out.write(peak)
atexit.register(report)
sys.argv = sys.argv[1:]
if sys.argv[0] == "-c":
    sys.argv = sys.argv[1:]
    exec(compile(sys.argv[0], "<bench>", "exec"), {"__name__": "__main__"})
else:
    # Como «python script.py»: la carpeta del script va primero en sys.path.
    sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[0])))
    runpy.run_path(sys.argv[0], run_name="__main__")
"""


def run(args: Sequence[str | Path], cwd: Path) -> tuple[float, float]:
    """Ejecuta ``python args``; devuelve (segundos, pico de memoria en MB)."""
    with tempfile.NamedTemporaryFile(suffix=".peak") as peak:
        env = lab_env(cwd)
        env["BENCH_PEAK_FILE"] = peak.name
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-c", PEAK_MEMORY_WRAPPER, *map(str, args)],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
        )
        elapsed = time.perf_counter() - started
        peak_kb = Path(peak.name).read_text(encoding="ascii")
    if result.returncode != 0:
        raise SystemExit(
            f"❌ Falló: python {' '.join(map(str, args))}\n{result.stdout}"
        )
    return elapsed, int(peak_kb) / 1024


def bench_generation(work: Path, rows: int) -> dict[str, float]:
    """Filas por segundo del generador de datos (el mejor de tres intentos)."""
    sys.path.insert(0, str(work / "src"))
    from churn_lab.data import generate_customers

    generate_customers(1_000, seed=0)
    best = min(
        _timed(lambda: generate_customers(rows, seed=attempt)) for attempt in range(3)
    )
    return {"gen_rows": rows, "gen_rows_per_s": rows / best}


def _timed(function: Any) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def bench_training(work: Path, n_samples: int) -> dict[str, float]:
    """Tiempo de train_model.py, tamaño del modelo y su AUC frente al límite."""
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import train_test_split

    from churn_lab.data import churn_probability, generate_training_data
    from churn_lab.schema import FEATURES, TARGET_COLUMN

    train_s, _ = run(["scripts/train_model.py", "--n-samples", str(n_samples)], work)
    model_path = work / "artifacts" / "model.pkl"
    metadata = json.loads((work / "artifacts" / "model_metadata.json").read_text())

    # Las mismas filas de prueba que usó train_model.py (misma semilla y reparto).
    customers = generate_training_data(n_samples, metadata["random_seed"])
    _, test = train_test_split(
        customers,
        test_size=metadata["test_size"],
        stratify=customers[TARGET_COLUMN],
        random_state=metadata["random_seed"],
    )
    auc_bayes = roc_auc_score(test[TARGET_COLUMN], churn_probability(test))
    import joblib

    model = joblib.load(model_path)
    probability = model.predict_proba(test.loc[:, list(FEATURES)])[:, 1]
    auc_model = roc_auc_score(test[TARGET_COLUMN], probability)
    return {
        "train_s": train_s,
        "model_mb": model_path.stat().st_size / 1_000_000,
        "auc_model": auc_model,
        "auc_bayes": auc_bayes,
        "auc_ratio": auc_model / auc_bayes,
    }


def bench_scoring(work: Path, small: int, large: int) -> dict[str, float]:
    """score.py frente a la línea base, y su memoria con dos tamaños de archivo."""
    from churn_lab.data import generate_inference_data

    model = work / "artifacts" / "model.pkl"
    inputs = {}
    for rows in (small, large):
        inputs[rows] = work / "data" / f"bench_{rows}.csv"
        generate_inference_data(rows, seed=7).to_csv(
            inputs[rows], index=False, lineterminator="\n"
        )
    results: dict[str, float] = {"score_rows_small": small, "score_rows_large": large}
    rss = {}
    for rows, path in inputs.items():
        output = work / "data" / f"scored_{rows}.csv"
        seconds, rss[rows] = run(
            ["src/score.py", "--model", model, "--input-path", path]
            + ["--output-path", output],
            work,
        )
        if rows == large:
            bare = work / "data" / f"bare_{rows}.csv"
            bare_s, _ = run(["-c", BARE_SCORER, model, path, bare], work)
            if output.read_bytes() != bare.read_bytes():
                raise SystemExit("❌ score.py y la línea base no dan el mismo archivo.")
            results.update(
                {
                    "score_rows_per_s": rows / seconds,
                    "bare_rows_per_s": rows / bare_s,
                    "score_ratio": bare_s / seconds,
                }
            )
    results["score_rss_mb_100k"] = rss[small]
    results["score_rss_mb_1m"] = rss[large]
    results["rss_growth"] = rss[large] / rss[small]
    return results


def bench_pipeline(work: Path, n_samples: int) -> dict[str, float]:
    """El pipeline local completo, como lo ejecuta un estudiante sin Azure."""
    steps = [
        ["scripts/train_model.py", "--n-samples", str(n_samples)],
        ["scripts/register_model.py", "--local"],
        ["scripts/create_inference_data.py"],
        ["scripts/upload_data.py", "--local"],
        ["scripts/run_inference_pipeline.py", "--local"],
    ]
    started = time.perf_counter()
    for step in steps:
        run(step, work)
    return {"pipeline_s": time.perf_counter() - started}


def bench_help(work: Path, repeats: int = 3) -> dict[str, float]:
    """El ``--help`` más lento de los scripts del laboratorio (mejor de ``repeats``)."""
    slowest = 0.0
    for script in SCRIPTS:
        best = min(run([script, "--help"], work)[0] for _ in range(repeats))
        slowest = max(slowest, best)
    return {"help_s_max": slowest}


def _folder_mb(folder: Path) -> float:
    """Tamaño en MB de lo que hay en ``folder`` (sin seguir enlaces)."""
    total = sum(
        path.lstat().st_size for path in folder.rglob("*") if not path.is_symlink()
    )
    return total / 1e6


def bench_install(work: Path) -> dict[str, float]:
    """El entorno de un estudiante desde requirements.lock, con hashes, sin red.

    uv instala desde su caché (``--offline``; ``./dev.sh setup`` la llena), solo
    con wheels (``--no-build``), y compila los ``.pyc`` como pip
    (``--compile-bytecode``): el tamaño es el de la ``.venv`` de un estudiante.
    Lo que tarda pip al descargarlo todo depende de la red: no se mide aquí.
    """
    venv = work / ".venv-bench"
    uv = Path(sys.executable).parent / "uv"
    env = {**os.environ, "UV_OFFLINE": "1", "UV_PYTHON_DOWNLOADS": "never"}
    subprocess.run(
        [uv, "venv", "--quiet", "--python", sys.executable, venv],
        env=env,
        check=True,
        timeout=300,
    )
    started = time.perf_counter()
    subprocess.run(
        [uv, "pip", "install", "--quiet", "--python", venv / "bin" / "python"]
        + ["--require-hashes", "--no-build", "--compile-bytecode"]
        + ["-r", work / "requirements.lock"],
        env=env,
        check=True,
        timeout=900,
    )
    elapsed = time.perf_counter() - started
    site = next(venv.glob("lib/python3.*/site-packages"))
    return {
        "install_offline_s": elapsed,
        "venv_mb": _folder_mb(venv),
        "pyarrow_mb": _folder_mb(site / "pyarrow"),
    }


def bench_class_report(folder: Path, count: int) -> dict[str, float]:
    """El informe del profesor sobre ``count`` repositorios, dos pasadas seguidas.

    Contra la API de GitHub falsa de la clase (``tests/github_fake/
    classroom.py``): cuántas peticiones recibe GitHub, cuántas son páginas
    siguientes de una lista (``page=2`` o más: los estudiantes muy activos) y
    cuánto tarda cada pasada. La segunda, con la caché de ETag de la primera,
    debería recibir casi solo respuestas 304 (que GitHub no cuenta en el
    límite). La caché empieza vacía, en la carpeta del benchmark.
    """
    from github_fake.classroom import TOKEN, ClassroomGitHub, generated_states

    states = generated_states(count)
    repos = folder / "repos.txt"
    repos.write_text("\n".join(states) + "\n", encoding="utf-8")
    results: dict[str, float] = {"report_repos": count}
    with ClassroomGitHub(states) as fake:
        env = {
            **os.environ,
            "GITHUB_API_URL": fake.url,
            "GITHUB_TOKEN": TOKEN,
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        command = [
            sys.executable,
            str(ROOT / "instructor" / "report.py"),
            "--repos",
            str(repos),
            "--salida",
            str(folder / "informe"),
            "--cache",
            str(folder / "cache-informe"),
        ]
        for run_name in ("first", "second"):
            fake.reset_counts()
            started = time.perf_counter()
            result = subprocess.run(
                command, env=env, capture_output=True, text=True, check=False
            )
            elapsed = time.perf_counter() - started
            if result.returncode != 0:
                raise SystemExit(f"❌ Falló el informe:\n{result.stderr}")
            calls = sum(fake.statuses.values())
            results[f"report_{run_name}_s"] = elapsed
            results[f"report_{run_name}_calls"] = calls
            results[f"report_{run_name}_counted"] = calls - fake.statuses[304]
            results[f"report_{run_name}_later_pages"] = sum(
                re.search(r"[?&]page=([2-9]|\d\d)", request) is not None
                for request in fake.requests
            )
    results["report_second_304_share"] = 1 - (
        results["report_second_counted"] / results["report_second_calls"]
    )
    return results


def shown(value: float) -> str:
    """Un número como se lee mejor: enteros con separador de miles, si no 3 decimales."""
    if isinstance(value, bool):
        return "sí" if value else "no"
    if isinstance(value, int) or abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3f}"


def verdict(key: str, value: float) -> str:
    """«cumple» o «no cumple» según el objetivo de la clave."""
    if key not in TARGETS:
        return ""
    operator, target = TARGETS[key]
    met = value >= target if operator == ">=" else value <= target
    limit = f"{target:,}" if isinstance(target, int) else f"{target:g}"
    return ("✅ cumple" if met else "❌ no cumple") + f" ({operator} {limit})"


def print_table(results: dict[str, Any]) -> None:
    """Tabla en español de cada cifra con su objetivo."""
    print(f"\n{'medida':<20} {'valor':>14}  objetivo")
    print(f"{'-' * 20} {'-' * 14}  {'-' * 24}")
    for key, value in results.items():
        if isinstance(value, (int, float)):
            print(f"{key:<20} {shown(value):>14}  {verdict(key, value)}".rstrip())


def main(argv: Sequence[str] | None = None) -> int:
    """Ejecuta todas las mediciones y guarda los resultados."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="tamaños diminutos, solo para probar"
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=ROOT / "bench" / "results.json",
        help="archivo JSON de resultados",
    )
    args = parser.parse_args(argv)
    gen_rows, train_rows, small, large = (
        (20_000, 500, 1_000, 10_000)
        if args.quick
        else (1_000_000, 10_000, 100_000, 1_000_000)
    )
    results: dict[str, Any] = {"cores": os.cpu_count(), "quick": args.quick}
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        work = copy_lab(Path(folder) / "lab")
        steps = [
            ("generación de datos", lambda: bench_generation(work, gen_rows)),
            ("entrenamiento", lambda: bench_training(work, train_rows)),
            ("puntuación", lambda: bench_scoring(work, small, large)),
            ("pipeline local", lambda: bench_pipeline(work, train_rows)),
            ("--help", lambda: bench_help(work, 1 if args.quick else 3)),
            (
                "python scripts/run_checks.py",
                lambda: bench_run_checks(Path(folder), args.quick),
            ),
            ("instalación desde el lock", lambda: bench_install(work)),
            (
                "informe del profesor",
                lambda: bench_class_report(Path(folder), 20 if args.quick else 200),
            ),
        ]
        if not args.quick:
            steps.append(
                (
                    "el ciclo de un pull request bajo act (CI, CD, Progreso)",
                    lambda: bench_ci(Path(folder) / "ci", BEFORE),
                )
            )
        for name, step in steps:
            print(f"⏱️  Midiendo {name}…", flush=True)
            results.update(step())
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print_table(results)
    print(f"\n💾 Resultados en {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
