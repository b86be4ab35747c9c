"""El benchmark funciona: una pasada con tamaños diminutos escribe cada clave.

Las cifras no se comprueban aquí (estas máquinas son ruidosas): solo que el
comando termina, que mide de verdad y que el JSON tiene todo lo que promete.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from lab_copy import lab_state

ROOT = Path(__file__).resolve().parents[1]
KEYS = {
    "gen_rows_per_s",
    "train_s",
    "model_mb",
    "auc_model",
    "auc_bayes",
    "auc_ratio",
    "score_rows_per_s",
    "bare_rows_per_s",
    "score_ratio",
    "score_rss_mb_100k",
    "score_rss_mb_1m",
    "rss_growth",
    "pipeline_s",
    "help_s_max",
    "run_checks_s",
    "run_checks_cpu_s",
    "run_checks_cold_s",
    "run_checks_cold_cpu_s",
    "run_checks_nochange_s",
    "run_checks_error_s",
    "run_checks_fix_s",
    "install_offline_s",
    "venv_mb",
    "report_first_s",
    "report_first_calls",
    "report_second_s",
    "report_second_calls",
    "report_second_304_share",
}


def test_quick_run_writes_every_key_and_leaves_the_lab_untouched(
    tmp_path: Path,
) -> None:
    before = lab_state()
    output = tmp_path / "results.json"
    result = subprocess.run(
        [sys.executable, "bench/run.py", "--quick", "--output", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Todo corrió en una copia: ni un modelo, ni mlflow.db, ni una caché aquí.
    assert lab_state() == before
    results = json.loads(output.read_text(encoding="utf-8"))
    assert KEYS <= results.keys()
    assert all(results[key] > 0 for key in KEYS)
    # pyarrow ya no está en el lock (mlflow-skinny, issue 21): 0 MB es lo esperado.
    assert results["pyarrow_mb"] == 0
    # Las páginas 2 y siguientes que leyó el informe (pueden ser 0 con --quick).
    for run_name in ("first", "second"):
        assert isinstance(results[f"report_{run_name}_later_pages"], int)
    # Cada herramienta, con su tiempo en la tabla y su CPU sola.
    assert set(results["run_checks_tools_s"]) == {"black", "isort", "flake8"}
    assert set(results["run_checks_tools_cpu_s"]) == {"black", "isort", "flake8"}
    assert 0.5 < results["auc_bayes"] <= 1 and 0.5 < results["auc_model"] <= 1
    # La tabla en español nombra cada medida con su veredicto.
    for key in ("gen_rows_per_s", "score_ratio", "help_s_max"):
        assert key in result.stdout
    assert "cumple" in result.stdout
