"""CI de verdad (act): un pull request que empeora el modelo recibe su veredicto.

El estudiante baja ``max_depth`` a 1 en una rama y abre un pull request. El
trabajo Modelo de CI corre con act como en GitHub (``test_workflows_act.py``
corre CI entero, con todas las pruebas del laboratorio, en el primer pull
request del tutorial): entrena la versión de ``main`` y la del pull request
con los mismos datos y la misma semilla, la puerta de calidad falla y hace
fallar el trabajo, y el comentario (el flujo reutilizable con el resultado y
la sección de ese trabajo, como se los pasa CI) muestra primero los chequeos
y después la sección «Modelo» con la caída del ROC-AUC y el porqué.
"""

from __future__ import annotations

import pytest
from github_fake.act import (
    ActEnvironment,
    StudentRepo,
    caller_workflow,
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
COMMENT_LIMIT = 65_000


@pytest.mark.skipif(NEEDS_PYTHON is not None, reason=NEEDS_PYTHON or "")
def test_a_pull_request_with_max_depth_one_gets_a_failed_model_gate(
    act_environment: ActEnvironment, student: StudentRepo, github: FakeGitHub
) -> None:
    model_code = (student.work / "scripts" / "train_model.py").read_text("utf-8")
    assert "max_depth=8," in model_code
    shallow = model_code.replace("max_depth=8,", "max_depth=1,")
    base, head = student.open_pull_request({"scripts/train_model.py": shallow})

    merge = github.update_pull_request_refs(1, "cambio")
    event = pull_request_event(1, head, base, merge_sha=merge)
    run = act_environment.run(
        student, github, "pull_request", event, "ci.yml", job="model"
    )
    print(f"Trabajo Modelo con un modelo peor: {run.seconds:.1f} s")

    # La puerta de calidad hace fallar el trabajo (y el chequeo del PR).
    assert run.returncode != 0, run.log
    # act alinea los nombres de los trabajos: «[CI/Modelo ]».
    model_lines = [
        line for line in run.log.splitlines() if line.startswith("[CI/Modelo")
    ]
    assert any("Job failed" in line for line in model_lines), run.log
    assert run.step_outcome("Compare with the base branch") == "failure"

    # El comentario con lo que CI le pasa: el resultado del trabajo y su
    # sección (la del resumen del trabajo, que es la misma).
    summary = run.summary()
    section = summary[summary.index("## 📈 Modelo") :].split(
        "\nLas curvas ROC y las matrices"
    )[0]
    # Los demás trabajos no corrieron aquí: sus filas lo dicen (⚠️).
    inputs = {name: "" for name in ("black", "isort", "flake8", "pylint", "mypy")}
    inputs |= {"tests": "", "model-result": "failure", "model": section}
    caller = caller_workflow(
        student.root / "comentario.yml",
        "reusable_pr_comment.yml",
        inputs,
        {"pull-requests": "write"},
    )
    commented = act_environment.run(student, github, "pull_request", event, caller)
    assert commented.returncode == 0, commented.log

    [comment] = github.comments[1]
    body = comment["body"]
    assert body.index("## 🔍 Resultados de CI") < body.index("## 📈 Modelo")
    assert "| Pruebas (pytest) | ⚠️ No se ejecutó |" in body
    assert "| Modelo (puerta de calidad) | ❌ Falló |" in body
    assert "| ROC-AUC | 0,816 | 0,801 | ▼ -0,015 🔴 |" in body
    assert "❌ **Puerta de calidad: no pasa.**" in body
    assert "- El ROC-AUC bajó 0,015 (de 0,816 a 0,801): más que la tolerancia" in body
    assert "xychart-beta" in body
    assert len(body) < COMMENT_LIMIT
    assert "❌ **Puerta de calidad: no pasa.**" in run.summary()
