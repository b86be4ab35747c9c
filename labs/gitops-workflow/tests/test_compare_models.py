"""Pruebas de scripts/compare_models.py en un repositorio de git de verdad.

Cada prueba hace en una carpeta temporal un repositorio pequeño con lo que
compare_models.py necesita (``scripts/``, ``src/``, ``pyproject.toml`` y
``.gitignore``), con la rama ``main``, y cambia algo en una rama nueva, como un
estudiante antes de abrir su pull request. No copia la raíz del laboratorio:
en el repositorio del estudiante esa raíz tiene ``.git`` y ``.venv`` (más de
1 GB), y en el checkout de un pull request en GitHub, un ``.git`` sin ``main``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import joblib
import pytest

from course import gate
from labkit.cli import LabError
from tests.helpers import LAB_ROOT, assert_clean_failure, run_script, terminate_when

# Lo que el repositorio de la prueba necesita del laboratorio.
NEEDED = ("scripts", "src", "pyproject.toml", ".gitignore")
# Lo que se genera al ejecutar: no va a la copia.
NOT_COPIED = ("*.egg-info", "__pycache__", ".*_cache")
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Estudiante",
    "GIT_AUTHOR_EMAIL": "estudiante@example.com",
    "GIT_COMMITTER_NAME": "Estudiante",
    "GIT_COMMITTER_EMAIL": "estudiante@example.com",
}


def git(repo: Path, *args: str) -> str:
    """Ejecuta git en ``repo`` con un autor fijo; falla la prueba si git falla."""
    completed = subprocess.run(
        ["git", *args],
        cwd=repo,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout


def copy_needed(destination: Path) -> Path:
    """Copia a ``destination`` solo lo que compare_models.py usa del laboratorio."""
    ignore = shutil.ignore_patterns(*NOT_COPIED)
    for name in NEEDED:
        source = LAB_ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=ignore)
        else:
            destination.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    return destination


@pytest.fixture(name="repo")
def fixture_repo(tmp_path: Path) -> Path:
    """Un repositorio de estudiante en una rama nueva, con lo que hace falta."""
    repo = copy_needed(tmp_path / "mi-repo")
    git(repo, "init", "--quiet", "--initial-branch", "main")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--message", "chore: laboratorio inicial")
    git(repo, "switch", "--quiet", "--create", "feat/profundidad")
    return repo


def compare(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Ejecuta compare_models.py en la copia, con el código de la copia."""
    return run_script(
        ["scripts/compare_models.py", *args], cwd=repo, PYTHONPATH=str(repo / "src")
    )


# Entrena cuatro modelos: va con --completo (y en CI).
@pytest.mark.slow
def test_a_shallower_model_fails_the_gate(repo: Path) -> None:
    model_code = repo / "scripts" / "train_model.py"
    source = model_code.read_text(encoding="utf-8")
    assert "max_depth=8," in source
    model_code.write_text(source.replace("max_depth=8,", "max_depth=1,"))

    result = compare(repo, "--markdown", "modelo.md")

    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output
    # Clientes nuevos en cada comparación: las cifras cambian un poco, la
    # caída (en torno a 0,013 con 100 000 clientes) y el veredicto no.
    assert re.search(
        r"^\| ROC-AUC \| 0,8\d\d \| 0,[78]\d\d \| ▼ -0,0[1-9]\d 🔴 \|$",
        result.stdout,
        re.M,
    ), result.stdout
    assert "❌ Puerta de calidad: no pasa." in result.stdout
    assert re.search(r"El ROC-AUC bajó 0,0[1-9]\d \(de 0,8", result.stdout)
    [seed] = re.findall(
        r"🎲 Midiendo con 100 000 clientes nuevos \(semilla (\d+)\)", output
    )
    assert f"--semilla-evaluacion {seed}" in result.stdout
    assert "archivos de la puerta" not in result.stdout  # model.py no es de la puerta
    markdown = (repo / "modelo.md").read_text(encoding="utf-8")
    assert markdown.startswith("## 📈 Modelo\n")
    assert "xychart-beta" in markdown
    assert f"`python scripts/compare_models.py --semilla-evaluacion {seed}`" in markdown
    for version in ("main", "cambio"):
        folder = repo / "artifacts" / "comparacion" / version
        assert {path.name for path in folder.iterdir()} >= {
            "metrics.json",
            "roc_curve.png",
            "confusion_matrix.png",
        }
    # La copia temporal de main ya no existe y nada nuevo queda sin ignorar.
    assert len(git(repo, "worktree", "list").splitlines()) == 1
    assert git(repo, "status", "--porcelain").split() == [
        "M",
        "scripts/train_model.py",
        "??",
        "modelo.md",
    ]


@pytest.mark.slow
def test_a_change_elsewhere_says_the_model_did_not_change(repo: Path) -> None:
    (repo / "NOTAS.md").write_text("Una línea más.\n", encoding="utf-8")
    git(repo, "add", "NOTAS.md")
    git(repo, "commit", "--quiet", "--message", "docs: una línea")

    # Como en CI: la base es el commit de main y se muestra con su nombre.
    # Desde scripts/, los archivos van igual a artifacts/ de la raíz.
    base_sha = git(repo, "rev-parse", "main").strip()
    result = run_script(
        ["compare_models.py", "--base", base_sha, "--base-name", "main"],
        cwd=repo / "scripts",
        PYTHONPATH=str(repo / "src"),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Sin cambios en el modelo" in result.stdout
    assert "idénticas a las de main" in result.stdout
    assert "/artifacts/comparacion" in result.stdout
    assert (repo / "artifacts" / "comparacion" / "main" / "metrics.json").is_file()
    assert not (repo / "scripts" / "artifacts").exists()
    assert "✅ Puerta de calidad: pasa." in result.stdout


def test_outside_a_repository(tmp_path: Path) -> None:
    copy = copy_needed(tmp_path / "sin-git")
    # git no busca un repositorio más arriba de tmp_path (por si la carpeta
    # temporal del estudiante estuviera dentro de uno).
    result = run_script(
        ["scripts/compare_models.py"],
        cwd=copy,
        PYTHONPATH=str(copy / "src"),
        GIT_CEILING_DIRECTORIES=str(tmp_path),
    )
    assert_clean_failure(result, "no es un repositorio de git")
    assert not (copy / "artifacts" / "comparacion").exists()


def test_unknown_base_branch(repo: Path) -> None:
    result = compare(repo, "--base", "no-existe")
    assert_clean_failure(result, "no existe la rama o commit 'no-existe'", "--base")


def test_sigterm_removes_the_temporary_worktree(repo: Path) -> None:
    def training() -> bool:
        return len(git(repo, "worktree", "list").splitlines()) > 1

    code, stderr, caught = terminate_when(
        ["scripts/compare_models.py"], training, cwd=repo, PYTHONPATH=str(repo / "src")
    )
    assert caught, "compare_models.py terminó antes de poder detenerlo"
    assert code == 1, stderr
    assert "Detenido (SIGTERM)" in stderr and "Traceback" not in stderr
    assert len(git(repo, "worktree", "list").splitlines()) == 1
    assert not git(repo, "worktree", "prune", "--dry-run", "--verbose").strip()


def test_a_repository_still_on_master_says_the_cause_and_the_fix(repo: Path) -> None:
    git(repo, "branch", "-m", "main", "master")
    result = compare(repo)
    assert_clean_failure(
        result,
        "no existe la rama main en este repositorio: tu rama principal se llama "
        "master. Renómbrala con git branch -m master main",
        "o usa --base master.",
    )
    assert len(result.stderr.strip().splitlines()) == 1
    assert "fatal" not in result.stderr


# --------------------------------------------------------------------------
# La puerta no confía en nada del cambio (course.gate)
# --------------------------------------------------------------------------


def test_the_gate_files_that_a_change_touches_are_flagged(repo: Path) -> None:
    base = git(repo, "rev-parse", "main").strip()
    assert not gate.changed_gate_files(repo, base)
    # Otra configuración de pyproject.toml, un script del estudiante, un
    # archivo nuevo que la puerta no usa: nada que señalar.
    pyproject = repo / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(text.replace("line-length = 88", "line-length = 99"), "utf-8")
    (repo / "scripts" / "train_model.py").write_text("# cambio\n", encoding="utf-8")
    (repo / "src" / "churn_lab" / "nuevo.py").write_text("X = 1\n", encoding="utf-8")
    assert not gate.changed_gate_files(repo, base)
    # La tolerancia, el código que mide, un flujo nuevo (sin commit) y el lock.
    pyproject.write_text(
        text.replace("auc_tolerance = 0.01", "auc_tolerance = 0.5"), "utf-8"
    )
    with (repo / "src" / "course" / "comparison.py").open(
        "a", encoding="utf-8"
    ) as code:
        code.write("# cambio\n")
    workflow = repo / ".github" / "workflows" / "otro.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text("name: otro\n", encoding="utf-8")
    # Un nombre que git escribiría entre comillas («"\303\261.yml"»).
    (workflow.parent / "ñ.yml").write_text("name: eñe\n", encoding="utf-8")
    (repo / "requirements.lock").write_text("numpy==0.0.1\n", encoding="utf-8")
    assert gate.changed_gate_files(repo, base) == [
        ".github/workflows/otro.yml",
        ".github/workflows/ñ.yml",
        "requirements.lock",
        "src/course/comparison.py",
        "pyproject.toml [tool.churn_lab]",
    ]


def lab_modules_imported_by_the_gate() -> list[str]:
    """Los archivos del laboratorio que importa compare_models.py al comparar."""
    code = (
        "import sys\n"
        "import compare_models\n"
        "from course import gate\n"
        "gate.preload()\n"
        "import churn_lab.evaluation, course.comparison, churn_lab.data\n"
        "for module in list(sys.modules.values()):\n"
        "    print(getattr(module, '__file__', None) or '')\n"
    )
    result = run_script(["-c", code], cwd=LAB_ROOT / "scripts")
    assert result.returncode == 0, result.stderr
    root = LAB_ROOT.resolve()
    found = []
    for line in result.stdout.splitlines():
        path = Path(line).resolve() if line else None
        if path and path.is_relative_to(root):
            name = path.relative_to(root).as_posix()
            if name.startswith(("scripts/", "src/")):
                found.append(name)
    return sorted(found)


def test_the_gate_files_are_everything_the_gate_imports() -> None:
    imported = lab_modules_imported_by_the_gate()
    assert "src/course/gate.py" in imported and "scripts/compare_models.py" in imported
    listed = [name for name in imported if name not in gate.GATE_FILES]
    assert not listed, f"compare_models.py usa archivos fuera de GATE_FILES: {listed}"


def codeowners_patterns() -> list[tuple[str, list[str]]]:
    """Las reglas de .github/CODEOWNERS: (patrón, dueños)."""
    rules = []
    text = (LAB_ROOT / ".github" / "CODEOWNERS").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            pattern, *owners = line.split()
            rules.append((pattern, owners))
    return rules


def test_codeowners_asks_a_review_for_every_gate_file() -> None:
    rules = codeowners_patterns()
    assert rules, "CODEOWNERS no tiene ninguna regla activa"
    for pattern, owners in rules:
        assert owners and all(owner.startswith("@") for owner in owners), pattern
    patterns = [pattern for pattern, _ in rules]
    for name in [*gate.GATE_FILES, gate.GATE_SETTINGS[0]]:
        covered = any(
            pattern == f"/{name}"
            or (pattern.endswith("/") and f"/{name}".startswith(pattern))
            for pattern in patterns
        )
        assert covered, f"CODEOWNERS no cubre {name}"


def test_evaluation_customers_are_new_each_time_and_reproducible() -> None:
    seeds = {gate.new_seed() for _ in range(5)}
    assert len(seeds) == 5 and all(
        0 <= seed <= gate.MAX_EVALUATION_SEED for seed in seeds
    )
    features, churned = gate.evaluation_customers(12345)
    again, again_churned = gate.evaluation_customers(12345)
    assert features.equals(again) and churned.equals(again_churned)
    assert len(features) == gate.GATE_CUSTOMERS
    assert "churned" not in features.columns and "customer_id" not in features.columns
    other, _ = gate.evaluation_customers(12346)
    assert not features.equals(other)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-1", "debe ser un entero desde 0"),
        ("x", "no es un número entero"),
        ("1.5", "no es un número entero"),
        ("", "no es un número entero"),
        ("9" * 30, "como mucho 9 007 199 254 740 991"),
    ],
)
def test_a_bad_evaluation_seed_is_refused_in_spanish(text: str, message: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=message):
        gate.evaluation_seed(text)
    assert gate.evaluation_seed("0") == 0
    assert (
        gate.evaluation_seed(str(gate.MAX_EVALUATION_SEED)) == gate.MAX_EVALUATION_SEED
    )


def small_model(folder: Path) -> Path:
    """Un modelo de verdad, pequeño, guardado con joblib en ``folder``."""
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.pipeline import Pipeline

    from churn_lab.data import generate_training_data

    customers = generate_training_data(300, 1)
    numeric = ColumnTransformer([("n", "passthrough", ["tenure_months"])])
    model = Pipeline([("n", numeric), ("f", RandomForestClassifier(5, random_state=0))])
    model.fit(customers, customers["churned"])
    folder.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, folder / "real.joblib")
    return folder / "real.joblib"


class _Loaded:  # pylint: disable=too-few-public-methods
    """Un pickle que, al cargarse, ejecuta ``expression`` y da su resultado."""

    def __init__(self, expression: str) -> None:
        self.expression = expression

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (eval, (self.expression,))  # pylint: disable=eval-used


def planted(folder: Path, expression: str) -> Path:
    """Un model.pkl que ejecuta ``expression`` al cargarse (como uno plantado)."""
    import pickle

    path = folder / "model.pkl"
    path.write_bytes(pickle.dumps(_Loaded(expression)))
    return path


def test_each_model_is_loaded_in_another_process(tmp_path: Path) -> None:
    real = small_model(tmp_path)
    marker = tmp_path / "cargado-en.txt"
    # Al cargarse intenta reescribir la puerta (como el ataque del issue) y
    # anota en qué proceso se cargó.
    rewrite = (
        f"(open({str(marker)!r}, 'w').write(str(__import__('os').getpid())),"
        " setattr(__import__('course.comparison').comparison, 'check_gate', None),"
        f" __import__('joblib').load({str(real)!r}))[2]"
    )
    model = planted(tmp_path, rewrite)
    from course import comparison

    original = comparison.check_gate
    features, _ = gate.evaluation_customers(7)
    with gate.scorer(model, LAB_ROOT, "de prueba") as loaded:
        probability = loaded.score(features.head(1000))
    assert int(marker.read_text(encoding="utf-8")) != os.getpid()
    assert comparison.check_gate is original
    assert len(probability) == 1000 and ((0 <= probability) & (probability <= 1)).all()
    expected = joblib.load(real).predict_proba(features.head(1000))[:, 1]
    assert (probability == expected).all()


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        (
            "type('M', (), {'predict_proba': lambda self, x: "
            "__import__('numpy').full((len(x), 2), 1.5)})()",
            "no dio una probabilidad entre 0 y 1",
        ),
        (
            "type('M', (), {'predict_proba': lambda self, x: "
            "__import__('numpy').full((len(x), 2), float('nan'))})()",
            "no dio una probabilidad entre 0 y 1",
        ),
        (
            "type('M', (), {'predict_proba': lambda self, x: "
            "__import__('numpy').zeros((3, 2))})()",
            "no se pudo puntuar con el modelo de la versión de prueba",
        ),
        (
            "__import__('sys').exit('el modelo no quiere cargarse')",
            "no se pudo puntuar con el modelo de la versión de prueba: el modelo "
            "no quiere cargarse",
        ),
    ],
    ids=["mayor-que-1", "nan", "otra-cantidad", "sale-al-cargar"],
)
def test_a_model_that_answers_wrong_is_refused(
    expression: str, message: str, tmp_path: Path
) -> None:
    model = planted(tmp_path, expression)
    features, _ = gate.evaluation_customers(7)
    with pytest.raises(LabError, match=re.escape(message)):
        with gate.Scorer(model, LAB_ROOT, "de prueba") as loaded:
            loaded.score(features.head(100))


def test_a_model_that_prints_while_loading_still_answers(tmp_path: Path) -> None:
    real = small_model(tmp_path)
    model = planted(
        tmp_path,
        f"(print('hola' * 1000), __import__('joblib').load({str(real)!r}))[1]",
    )
    features, _ = gate.evaluation_customers(7)
    with gate.scorer(model, LAB_ROOT, "de prueba") as loaded:
        assert len(loaded.score(features.head(10))) == 10


def test_training_gets_a_minimal_environment_and_leaves_nothing_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_secreto")
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "salida-de-github"))
    monkeypatch.setenv("ACTIONS_RUNTIME_TOKEN", "secreto")
    version = tmp_path / "version"
    (version / "scripts").mkdir(parents=True)
    (version / "src").mkdir()
    real = small_model(tmp_path)
    # Un train_model.py que anota su entorno, deja un proceso en segundo plano
    # y copia un modelo a --output-dir.
    (version / "scripts" / "train_model.py").write_text(
        "import json, os, shutil, subprocess, sys\n"
        "out = sys.argv[sys.argv.index('--output-dir') + 1]\n"
        "json.dump(dict(os.environ), open(os.path.join(out, 'env.json'), 'w'))\n"
        "sleeper = subprocess.Popen(\n"
        "    [sys.executable, '-c', 'import time; time.sleep(300)']\n"
        ")\n"
        "open(os.path.join(out, 'pid'), 'w').write(str(sleeper.pid))\n"
        f"shutil.copy({str(real)!r}, os.path.join(out, 'model.pkl'))\n",
        encoding="utf-8",
    )
    output = tmp_path / "salida"
    model = gate.train(version, output, 100, 1, "de prueba")
    assert model == output / "model.pkl" and model.is_file()
    env = json.loads((output / "env.json").read_text(encoding="utf-8"))
    assert not {"GITHUB_TOKEN", "GITHUB_OUTPUT", "ACTIONS_RUNTIME_TOKEN"} & set(env)
    assert env["PYTHONPATH"].split(os.pathsep)[0] == str(version / "src")
    pid = int((output / "pid").read_text(encoding="utf-8"))
    deadline = time.monotonic() + 30  # la señal llega enseguida; el plazo es generoso
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pid), "el proceso que dejó el entrenamiento sigue en marcha"


def _alive(pid: int) -> bool:
    """Si el proceso ``pid`` existe y no es un zombi."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").split()[2]
    except OSError:
        return False
    return state != "Z"


def test_a_training_that_fails_or_writes_no_model_is_explained(tmp_path: Path) -> None:
    version = tmp_path / "version"
    (version / "scripts").mkdir(parents=True)
    script = version / "scripts" / "train_model.py"
    script.write_text("raise SystemExit('algo salió mal')\n", encoding="utf-8")
    with pytest.raises(
        LabError, match="no se pudo entrenar la versión x: algo salió mal"
    ):
        gate.train(version, tmp_path / "a", 100, 1, "x")
    script.write_text("print('entrenado')\n", encoding="utf-8")
    with pytest.raises(LabError, match="sin escribir model.pkl en --output-dir"):
        gate.train(version, tmp_path / "b", 100, 1, "x")
    with pytest.raises(LabError, match="no tiene scripts/train_model.py"):
        gate.train(tmp_path / "nada", tmp_path / "c", 100, 1, "x")
