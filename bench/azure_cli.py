"""Mide el camino del estudiante contra el emulador de Azure ML: ``az login`` de verdad.

Arranca el emulador (tests/azure_emulator), inicia sesión con la CLI de Azure
de las pruebas (``az login --use-device-code``, ``.venv/az-bin/az``) y ejecuta
los cuatro scripts de Azure sin variables de credenciales, en una copia del
laboratorio, contando cuántas veces cada script arranca ``az`` y cuánto
tarda. El emulador es una suscripción creada hoy (``--subscription new``, la
de los estudiantes: las series restringidas desde julio de 2026 sin cuota).
Con ``--before RUTA`` mide lo mismo con otra copia del laboratorio (por
ejemplo, la de main antes de un cambio) para compararlas, en la suscripción
``--before-subscription`` (``existing`` por defecto: el laboratorio de antes
no funciona en una suscripción nueva; ``new`` mide cuánto tarda en fallar y
cómo). Al final mide la
demora de la cadena de ``DefaultAzureCredential`` antes de que responda la
CLI: el primer token de la cadena completa frente al de ``AzureCliCredential``.

No es una prueba: las cifras se leen, no se afirman (ver bench/run.py).

Uso: python bench/azure_cli.py [--before labs/gitops-workflow de otra copia]
                               [--subscription new] [--before-subscription existing]
                               [--output bench/azure_cli.json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# pylint: disable=wrong-import-position
import tests.test_azure_emulator as emulator_tests  # noqa: E402
from tests.azure_emulator import start  # noqa: E402
from tests.test_azure_cli import Student, counting_az  # noqa: E402

AZURE_SCRIPTS = (
    "scripts/verify_azure_connection.py",
    "scripts/register_model.py",
    "scripts/upload_data.py",
    "scripts/run_inference_pipeline.py",
)
CHAIN_DELAY = """
import json, time
from azure.identity import AzureCliCredential, DefaultAzureCredential
scope = "https://management.azure.com/.default"
seconds = {}
for name, make in (("cli", AzureCliCredential), ("chain", DefaultAzureCredential)):
    runs = []
    for _ in range(3):
        credential = make()
        started = time.perf_counter()
        credential.get_token(scope)
        runs.append(time.perf_counter() - started)
    seconds[name] = min(runs)
print(json.dumps(seconds))
"""


def scripts_after_login(
    student: Student, lab_source: Path, work: Path, subscription: str = "new"
) -> dict[str, Any]:
    """``az`` starts and seconds of each Azure script, for one copy of the lab.

    A script that fails is measured too (its seconds and its last line).
    """
    student.emulator.set_subscription(subscription)
    emulator_tests.LAB = lab_source
    lab = emulator_tests.copy_lab(work)
    (lab / "config.json").write_text(json.dumps(student.emulator.config))
    for script in ("scripts/train_model.py", "scripts/create_inference_data.py"):
        emulator_tests.ok(student.run(lab, script))
    figures: dict[str, Any] = {"subscription": subscription}
    for script in AZURE_SCRIPTS:
        extra = ["--poll-seconds", "1"] if "inference" in script else []
        started = time.perf_counter()
        result = student.run(lab, script, *extra)
        figures[Path(script).stem] = {
            "az_starts": len(student.token_requests_by_az()),
            "seconds": round(time.perf_counter() - started, 1),
            "exit_code": result.returncode,
        }
        if result.returncode:
            figures[Path(script).stem]["error"] = result.stderr.strip()[-300:]
    figures["total_seconds"] = round(
        sum(item["seconds"] for item in figures.values() if isinstance(item, dict)),
        1,
    )
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    """Mide y guarda las cifras en ``--output``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, help="otra copia del laboratorio")
    parser.add_argument("--subscription", choices=("new", "existing"), default="new")
    parser.add_argument(
        "--before-subscription", choices=("new", "existing"), default="existing"
    )
    parser.add_argument(
        "--output", type=Path, default=ROOT / "bench" / "azure_cli.json"
    )
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-az-"))
    results: dict[str, Any] = {}
    try:
        started = time.perf_counter()
        emulator = start(work / "emulador")
        results["emulator_start_seconds"] = round(time.perf_counter() - started, 2)
        try:
            home = work / "estudiante"
            bin_dir = counting_az(home / "bin", home / "az-starts.txt")
            student = Student(emulator, home, f"{bin_dir}:/usr/bin:/bin")
            started = time.perf_counter()
            student.login_device_code()
            results["az_login_seconds"] = round(time.perf_counter() - started, 2)
            results["after"] = scripts_after_login(
                student,
                ROOT / "labs" / "gitops-workflow",
                work / "despues",
                args.subscription,
            )
            if args.before:
                results["before"] = scripts_after_login(
                    student,
                    args.before.resolve(),
                    work / "antes",
                    args.before_subscription,
                )
            probe = student.run(work / "despues", "-c", CHAIN_DELAY)
            seconds = json.loads(emulator_tests.ok(probe).strip().splitlines()[-1])
            results["first_token_seconds"] = {
                key: round(value, 2) for key, value in seconds.items()
            }
            results["chain_delay_seconds"] = round(seconds["chain"] - seconds["cli"], 2)
        finally:
            emulator.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
