"""El trabajo «Modelo» de CI y su sección en el comentario del pull request.

Se ejecutan con bash los mismos pasos ``run:`` del flujo, en un repositorio
de estudiante con ``main`` y una rama que baja ``max_depth`` a 1: la
comparación falla la puerta de calidad, y el comentario muestra primero los
chequeos y después el modelo, con la caída del ROC-AUC.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from student_repo import StudentRepo
from test_tutorial_model import apply_model_change
from test_workflows import LINTERS, load, step_named

ROOT = Path(__file__).resolve().parents[1]
LAB = ROOT / "labs" / "gitops-workflow"
GOLDEN_SECTION = (LAB / "tests" / "golden" / "modelo_peor.md").read_text("utf-8")
COMMENT_LIMIT = 65_000


def model_steps() -> list[dict]:
    return list(load("ci.yml")["jobs"]["model"]["steps"])


def step_titled(name: str) -> dict:
    matches = [step for step in model_steps() if step.get("name") == name]
    assert len(matches) == 1, name
    return matches[0]


def run_step(
    name: str, cwd: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Ejecuta el ``run:`` de un paso del trabajo Modelo con el bash de Actions."""
    return subprocess.run(
        ["bash", "-eo", "pipefail", "-c", step_titled(name)["run"]],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def parse_output(path: Path) -> dict[str, str]:
    """Lee un archivo $GITHUB_OUTPUT con valores de varias líneas (<<DELIM)."""
    values: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        if "<<" in line:
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, index + 1)
            values[name] = "\n".join(lines[index + 1 : end])
            index = end + 1
        elif "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
            index += 1
        else:
            index += 1
    return values


def render_comment(tmp_path: Path, model: str, model_result: str = "success") -> str:
    """Ejecuta los pasos que arman el comentario: la tabla y la sección Modelo.

    Todos los chequeos en verde; la sección solo se añade si llega (como el
    ``if:`` de su paso).
    """
    steps = load("reusable_pr_comment.yml")["jobs"]["comment"]["steps"]
    section = next(step for step in steps if step["name"] == "Add the model section")
    assert section["if"] == "${{ inputs.model != '' }}"
    assert section["env"] == {"MODEL": "${{ inputs.model }}"}
    env = {
        "PATH": os.environ["PATH"],
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary-comment.md"),
        "RUN_URL": "https://github.com/alumno/lab/actions/runs/1",
        "TESTS": "success",
        "MODEL_RESULT": model_result,
        "MODEL": model,
        **{name.upper(): "success" for name in LINTERS},
    }
    folder = tmp_path / "comment"
    folder.mkdir(exist_ok=True)
    scripts = [step_named(steps, "table")["run"]] + ([section["run"]] if model else [])
    for script in scripts:
        subprocess.run(
            ["bash", "-e", "-c", script], cwd=folder, env=env, check=True, timeout=30
        )
    return (folder / "comment.md").read_text(encoding="utf-8")


def test_model_job_compares_with_the_base_commit() -> None:
    job = load("ci.yml")["jobs"]["model"]
    assert job["permissions"] == {"contents": "read"}
    assert job["outputs"]["section"] == "${{ steps.section.outputs.markdown }}"
    checkout = model_steps()[0]
    assert checkout["with"]["fetch-depth"] == 0
    # La puerta es el laboratorio de la rama base, en otra carpeta, con sus
    # dependencias: mide la carpeta del pull request (--cambio .).
    names = [step.get("name") for step in model_steps()]
    assert names.index("Base branch gate") < names.index("Install dependencies")
    gate = step_titled("Base branch gate")
    assert gate["run"] == 'git worktree add --detach "$RUNNER_TEMP/puerta" "$BASE_SHA"'
    install = step_titled("Install dependencies")
    assert '-r "$RUNNER_TEMP/puerta/requirements-model.lock"' in install["run"]
    compare = step_titled("Compare with the base branch")
    assert compare["run"].startswith(
        'python "$RUNNER_TEMP/puerta/scripts/compare_models.py" --cambio .'
    )
    assert "--semilla" not in compare["run"], "la semilla la sortea la puerta"
    assert compare["env"]["BASE_SHA"] == "${{ github.event.pull_request.base.sha }}"
    assert "if" not in compare, "la puerta debe poder hacer fallar el trabajo"
    section = step_named(model_steps(), "section")
    assert section["if"] == "${{ !cancelled() }}"
    assert "continue-on-error" not in str(load("ci.yml"))


def test_comment_shows_checks_first_and_the_model_second(tmp_path: Path) -> None:
    comment = render_comment(tmp_path, GOLDEN_SECTION)
    assert comment.index("## 🔍 Resultados de CI") < comment.index("## 📈 Modelo")
    assert comment.index("| Pruebas (pytest) |") < comment.index("## 📈 Modelo")
    assert GOLDEN_SECTION.strip() in comment
    assert len(comment) < COMMENT_LIMIT
    assert "| Modelo (puerta de calidad) | ✅ Correcto |" in comment
    assert "✅ Todos los chequeos pasaron." in comment
    # Sin sección (el trabajo Modelo no llegó a correr): solo la tabla.
    alone = render_comment(tmp_path, "", model_result="skipped")
    assert "## 📈 Modelo" not in alone
    assert "| Modelo (puerta de calidad) | ⚠️ No se ejecutó |" in alone


def test_comment_stays_under_the_github_limit(tmp_path: Path) -> None:
    comment = render_comment(tmp_path, "## 📈 Modelo\n" + "x" * 100_000)
    assert len(comment) < COMMENT_LIMIT
    assert comment.index("## 🔍 Resultados de CI") < comment.index("## 📈 Modelo")


def test_section_step_without_a_comparison_says_so(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_OUTPUT": str(tmp_path / "output.txt"),
    }
    result = run_step("Model section", tmp_path, env)
    assert result.returncode == 0, result.stderr
    markdown = parse_output(tmp_path / "output.txt")["markdown"]
    assert markdown.startswith("## 📈 Modelo")
    assert "No se pudo comparar el modelo" in markdown


def test_lower_max_depth_gets_a_failed_gate_in_the_comment(
    tmp_path: Path, student_repo: StudentRepo
) -> None:
    student = student_repo.clone(tmp_path / "mi-repo")
    base_sha = student.git("rev-parse", "main").strip()
    student.git("switch", "--quiet", "--create", "feat/un-corte")
    apply_model_change(student.root, "        max_depth=1,")
    student.git("commit", "--quiet", "--all", "--message", "feat: árboles de un corte")
    repo = student.root
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    env = {
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "PYTHONIOENCODING": "utf-8",
        "RUNNER_TEMP": str(runner_temp),
        "BASE_SHA": base_sha,
        "BASE_REF": "main",
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_OUTPUT": str(tmp_path / "output.txt"),
    }

    gate = run_step("Base branch gate", repo, env)
    assert gate.returncode == 0, gate.stderr
    compare = run_step("Compare with the base branch", repo, env)
    assert compare.returncode == 1, compare.stdout + compare.stderr
    section = run_step("Model section", repo, env)
    assert section.returncode == 0, section.stderr

    markdown = parse_output(tmp_path / "output.txt")["markdown"]
    # Clientes nuevos en cada ejecución: las cifras cambian un poco, la
    # caída (en torno a 0,013) y el veredicto no.
    assert re.search(
        r"^\| ROC-AUC \| 0,8\d\d \| 0,[78]\d\d \| ▼ -0,0[1-9]\d 🔴 \|$", markdown, re.M
    ), compare.stdout
    assert "❌ **Puerta de calidad: no pasa.**" in markdown
    assert re.search(
        r"El ROC-AUC bajó 0,0[1-9]\d \(de 0,8\d\d a 0,[78]\d\d\)", markdown
    )
    assert "--semilla-evaluacion" in markdown
    assert "xychart-beta" in markdown
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert markdown in summary and "artifacts/comparacion/" in summary

    comment = render_comment(tmp_path, markdown, model_result="failure")
    assert comment.index("| Pruebas (pytest) |") < comment.index("## 📈 Modelo")
    assert "| Modelo (puerta de calidad) | ❌ Falló |" in comment
    assert "❌ Algún chequeo falló" in comment
    assert "🔴" in comment and len(comment) < COMMENT_LIMIT
