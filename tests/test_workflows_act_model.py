"""CI de verdad (act): un pull request que empeora el modelo recibe su veredicto.

El estudiante baja ``max_depth`` a 1 en una rama y abre un pull request. CI
corre entero con act (como en ``test_workflows_act.py``): el trabajo Modelo
entrena la versión de ``main`` y la del pull request con los mismos datos y
la misma semilla, la puerta de calidad falla y hace fallar la ejecución, y el
comentario muestra primero los chequeos y después la sección «Modelo» con la
caída del ROC-AUC y el porqué.
"""

from __future__ import annotations

import pytest
from github_fake.act import (
    OFFLINE_PYTHON_ENV,
    ActEnvironment,
    StudentRepo,
    missing_requirements,
    missing_runner_python,
    pull_request_event,
)
from github_fake.fixtures import (  # noqa: F401  pylint: disable=unused-import
    fixture_act_environment,
    fixture_github,
    fixture_student,
)
from github_fake.server import FakeGitHub

MISSING = missing_requirements()
pytestmark = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")
NEEDS_PYTHON = missing_runner_python("3.11")
# Bajo act basta una parte de las pruebas del laboratorio (./dev.sh test las
# corre todas); el modelo se entrena y compara entero.
CI_ENV = {**OFFLINE_PYTHON_ENV, "PYTEST_ADDOPTS": "-n 0 tests/test_schema.py"}
COMMENT_LIMIT = 65_000


@pytest.mark.skipif(NEEDS_PYTHON is not None, reason=NEEDS_PYTHON or "")
def test_a_pull_request_with_max_depth_one_gets_a_failed_model_gate(
    act_environment: ActEnvironment, student: StudentRepo, github: FakeGitHub
) -> None:
    model_code = (student.work / "src" / "churn_lab" / "model.py").read_text("utf-8")
    assert '"max_depth": 8,' in model_code
    shallow = model_code.replace('"max_depth": 8,', '"max_depth": 1,')
    base, head = student.open_pull_request({"src/churn_lab/model.py": shallow})

    event = pull_request_event(1, head, base)
    run = act_environment.run(
        student, github, "pull_request", event, "ci.yml", env=CI_ENV
    )
    print(f"CI con un modelo peor: {run.seconds:.1f} s")

    # La puerta de calidad hace fallar el chequeo del pull request.
    assert run.returncode != 0, run.log
    # act alinea los nombres de los trabajos: «[CI/Modelo ]».
    model_lines = [
        line for line in run.log.splitlines() if line.startswith("[CI/Modelo")
    ]
    assert any("Job failed" in line for line in model_lines), run.log
    assert run.step_outcome("Compare with the base branch") == "failure"
    assert run.job_result("CI/Pruebas") == "success", run.log

    [comment] = github.comments[1]
    body = comment["body"]
    assert body.index("## 🔍 Resultados de CI") < body.index("## 📈 Modelo")
    assert "| Pruebas (pytest) | ✅ Correcto |" in body
    assert "| Modelo (puerta de calidad) | ❌ Falló |" in body
    assert "| ROC-AUC | 0,816 | 0,801 | ▼ -0,015 🔴 |" in body
    assert "❌ **Puerta de calidad: no pasa.**" in body
    assert "- El ROC-AUC bajó 0,015 (de 0,816 a 0,801): más que la tolerancia" in body
    assert "xychart-beta" in body
    assert len(body) < COMMENT_LIMIT
    assert "❌ **Puerta de calidad: no pasa.**" in run.summary()
