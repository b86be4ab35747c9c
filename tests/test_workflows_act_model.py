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

import re

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
NEEDS_PYTHON = missing_runner_python("3.12")
COMMENT_LIMIT = 65_000
ROC_AUC_DROP = r"^\| ROC-AUC \| 0,8\d\d \| 0,[5-8]\d\d \| ▼ -0,[0-9]\d\d 🔴 \|$"


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
    # Clientes de evaluación nuevos en cada ejecución: las cifras cambian un
    # poco (la caída ronda 0,013), el veredicto no.
    assert re.search(ROC_AUC_DROP, body, re.M), body
    assert "❌ **Puerta de calidad: no pasa.**" in body
    assert re.search(r"- El ROC-AUC bajó 0,0[1-9]\d \(de 0,8\d\d a 0,[78]\d\d\)", body)
    assert "xychart-beta" in body
    assert len(body) < COMMENT_LIMIT
    assert "❌ **Puerta de calidad: no pasa.**" in run.summary()


# --------------------------------------------------------------------------
# La puerta no confía en nada del pull request: dos ataques que solo
# cambian scripts/train_model.py (issue 23). Antes, los dos pasaban la puerta.
# --------------------------------------------------------------------------

# Entrena un modelo peor y deja un model.pkl que, al cargarse, reescribe la
# puerta (su veredicto pasa a «pasa») y hace que el proceso termine con 0.
PLANTED = '''"""Un entrenamiento con trampa: el model.pkl reescribe la puerta al cargarse."""

import argparse
import pickle
from pathlib import Path

import joblib
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import Pipeline

from churn_lab.data import generate_training_data

REWRITE = """
import atexit, os, sys
comparison = sys.modules.get("course.comparison")
if comparison is not None:
    comparison.check_gate = lambda *args, _gate=comparison, **kwargs: _gate.GateResult(
        True, ()
    )
    atexit.register(os._exit, 0)
"""


class Planted:
    def __init__(self, real):
        self.real = real

    def __reduce__(self):
        load = f"__import__('joblib').load({self.real!r})"
        return (eval, (f"(exec({REWRITE!r}), {load})[1]",))


parser = argparse.ArgumentParser()
parser.add_argument("--output-dir", type=Path, default=Path("artifacts"))
parser.add_argument("--seed", type=int, default=42)
parser.add_argument("--n-samples", type=int, default=10_000)
args = parser.parse_args()
customers = generate_training_data(args.n_samples, args.seed)
only_charges = ColumnTransformer([("charges", "passthrough", ["monthly_charges"])])
forest = RandomForestClassifier(max_depth=3, random_state=0)
model = Pipeline([("columns", only_charges), ("forest", forest)])
model.fit(customers, customers["churned"])
args.output_dir.mkdir(parents=True, exist_ok=True)
real = (args.output_dir / "modelo-real.joblib").resolve()
joblib.dump(model, real)
(args.output_dir / "model.pkl").write_bytes(pickle.dumps(Planted(str(real))))
'''

# Entrena con los clientes de evaluación que documentaba la puerta (semilla
# 777, CUST-10501…) y los memoriza: con ellos, ROC-AUC 1,000.
MEMORIZED = '''"""Un entrenamiento con trampa: aprende de memoria los clientes de evaluación."""

import argparse
from pathlib import Path

import joblib
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.tree import DecisionTreeClassifier

from churn_lab.data import generate_customers

parser = argparse.ArgumentParser()
parser.add_argument("--output-dir", type=Path, default=Path("artifacts"))
parser.add_argument("--seed", type=int, default=42)
parser.add_argument("--n-samples", type=int, default=10_000)
args = parser.parse_args()
evaluation = generate_customers(5000, 777, 10_501)
categorical = ["contract_type", "internet_service", "payment_method"]
numeric = ["tenure_months", "monthly_charges", "total_charges", "num_support_tickets"]
columns = ColumnTransformer(
    [
        ("categorical", OneHotEncoder(handle_unknown="ignore"), categorical),
        ("numeric", "passthrough", numeric),
    ]
)
model = Pipeline([("columns", columns), ("tree", DecisionTreeClassifier(random_state=0))])
model.fit(evaluation, evaluation["churned"])
args.output_dir.mkdir(parents=True, exist_ok=True)
joblib.dump(model, args.output_dir / "model.pkl")
'''


@pytest.mark.skipif(NEEDS_PYTHON is not None, reason=NEEDS_PYTHON or "")
@pytest.mark.parametrize(
    "train_model", [PLANTED, MEMORIZED], ids=["model-pkl-plantado", "memoriza"]
)
def test_a_pull_request_that_only_edits_train_model_cannot_cheat_the_gate(
    act_environment: ActEnvironment,
    student: StudentRepo,
    github: FakeGitHub,
    train_model: str,
) -> None:
    base, head = student.open_pull_request({"scripts/train_model.py": train_model})
    changed = student.git("diff", "--name-only", base, head).split()
    assert changed == ["scripts/train_model.py"]

    merge = github.update_pull_request_refs(1, "cambio")
    event = pull_request_event(1, head, base, merge_sha=merge)
    run = act_environment.run(
        student, github, "pull_request", event, "ci.yml", job="model"
    )
    print(f"Trabajo Modelo con un entrenamiento con trampa: {run.seconds:.1f} s")

    # La puerta mide el modelo de verdad con clientes que el cambio no vio:
    # no pasa, y el trabajo (el chequeo del pull request) falla.
    assert run.returncode != 0, run.log
    assert run.step_outcome("Compare with the base branch") == "failure"
    summary = run.summary()
    section = summary[summary.index("## 📈 Modelo") :].split(
        "\nLas curvas ROC y las matrices"
    )[0]
    assert re.search(ROC_AUC_DROP, section, re.M), section
    assert "❌ **Puerta de calidad: no pasa.**" in section
    assert "Puerta de calidad: pasa" not in section
    # scripts/train_model.py no es un archivo de la puerta: no hay aviso.
    assert "archivos de la puerta" not in section

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
    assert "| Modelo (puerta de calidad) | ❌ Falló |" in body
    assert "❌ **Puerta de calidad: no pasa.**" in body
    assert "Puerta de calidad: pasa" not in body


@pytest.mark.skipif(NEEDS_PYTHON is not None, reason=NEEDS_PYTHON or "")
def test_a_pull_request_that_changes_the_gate_is_flagged_and_measured_by_main(
    act_environment: ActEnvironment, student: StudentRepo, github: FakeGitHub
) -> None:
    # Sube la tolerancia hasta 1 y cambia el modelo a peor: la puerta de main
    # (tolerancia 0,01) lo mide y la sección avisa del cambio en la puerta.
    pyproject = (student.work / "pyproject.toml").read_text(encoding="utf-8")
    assert "auc_tolerance = 0.01" in pyproject
    loose = pyproject.replace("auc_tolerance = 0.01", "auc_tolerance = 1")
    base, head = student.open_pull_request(
        {"pyproject.toml": loose, "scripts/train_model.py": MEMORIZED}
    )
    merge = github.update_pull_request_refs(1, "cambio")
    event = pull_request_event(1, head, base, merge_sha=merge)
    run = act_environment.run(
        student, github, "pull_request", event, "ci.yml", job="model"
    )
    assert run.returncode != 0, run.log
    summary = run.summary()
    assert (
        "⚠️ **Este cambio toca archivos de la puerta de calidad**: "
        "`pyproject.toml [tool.churn_lab]`. Esta medición usó el código de `main`"
    ) in summary, summary
    assert "más que la tolerancia de 0,010" in summary
    assert "❌ **Puerta de calidad: no pasa.**" in summary
