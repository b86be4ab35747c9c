"""Las Partes 4 a 6 de ``check_progress.py`` contra el emulador de Azure ML.

El script usa el cliente de siempre del laboratorio (``create_ml_client``,
azure-ai-ml de verdad) contra el emulador: el workspace, las versiones del
modelo, el activo de datos y el último trabajo completado de ``outputs/``.
Sin modelo ni trabajo, cada parte dice el paso que falta; un workspace que no
existe es una comprobación que no se pudo hacer, con el motivo, y el resto
del progreso se muestra igual.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.azure_emulator import Emulator

# Las fixtures del recorrido de Azure (un emulador y una copia del laboratorio
# con config.json, el modelo entrenado y los datos de inferencia).
from tests.test_azure_emulator import (  # noqa: F401  pylint: disable=unused-import
    POLL,
    fixture_emulator,
    fixture_lab,
    fixture_published,
    ok,
    run,
)


def part_lines(stdout: str) -> dict[str, str]:
    """La línea de cada parte, por su número («4», «5», «6»)."""
    return {
        number: line
        for line in stdout.splitlines()
        for number in ("3", "4", "5", "6")
        if line[2:].strip().startswith(f"Parte {number}:")
    }


def test_parts_4_to_6_from_the_workspace(
    lab: Path, emulator: Emulator, published: dict[str, int]
) -> None:
    workspace = emulator.config["workspace_name"]
    (lab / "data" / "inference_output.csv").unlink(missing_ok=True)
    before = part_lines(
        ok(run(lab, emulator, "scripts/check_progress.py", "--sin-github"))
    )
    assert before["4"].startswith("✅") and workspace in before["4"]
    assert before["5"].startswith("✅")
    assert f"versión {published['model']}" in before["5"]
    assert before["6"].startswith("❌") and "inference_output.csv" in before["6"]

    ok(run(lab, emulator, "scripts/run_inference_pipeline.py", *POLL, timeout=600))
    result = run(
        lab, emulator, "scripts/check_progress.py", "--sin-github", "--evidencia"
    )
    after = part_lines(ok(result))
    assert after["6"].startswith("✅") and "completado" in after["6"]
    assert "500 predicciones" in after["6"]
    text = (lab / "evidence" / "progreso.json").read_text(encoding="utf-8")
    evidence = json.loads(text)
    assert evidence["workspace"] == workspace
    assert evidence["model"]["version"] == str(published["model"])
    assert evidence["job"]["status"] == "Completed"
    assert evidence["job"]["name"] in after["6"]
    assert evidence["predictions"]["rows"] == 500
    for secret in (
        emulator.config["subscription_id"],
        emulator.config["resource_group"],
        str(lab),
    ):
        assert secret not in text


def test_a_missing_workspace_is_reported_and_the_rest_still_shown(
    lab: Path, emulator: Emulator
) -> None:
    wrong = dict(emulator.config, workspace_name="no-existe")
    (lab / "otro-config.json").write_text(json.dumps(wrong), encoding="utf-8")
    result = run(
        lab,
        emulator,
        "scripts/check_progress.py",
        "--sin-github",
        "--config",
        "otro-config.json",
    )
    output = ok(result)
    lines = part_lines(output)
    assert lines["3"].startswith("✅")  # el modelo entrenado en artifacts/
    assert lines["4"].startswith("❌") and "no se pudo usar el workspace" in lines["4"]
    assert "Azure ML: no se encontró el workspace" in output
