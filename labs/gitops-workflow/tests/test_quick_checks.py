"""Pruebas de lo que run_checks.py recuerda: el grafo de dependencias y la caché.

Un proyecto pequeño en una carpeta temporal (con git, como el repositorio del
estudiante) y las herramientas de verdad: pytest y Pylint corren en otro
proceso, igual que con ``python scripts/run_checks.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from labkit.check_cache import STATE_VERSION, CheckCache, junit_outcomes
from labkit.dependencies import build_graph
from labkit.pytest_dependencies import run_by_test
from labkit.quick_checks import lab_name
from scripts.run_checks import run_checks
from tests.helpers import LAB_ROOT

PYPROJECT = """
[tool.pytest.ini_options]
testpaths = ["tests"]
pythonpath = [".", "src", "scripts"]

[tool.pylint.main]
source-roots = ["src", "scripts", "."]
disable = [
    "missing-module-docstring",
    "missing-function-docstring",
    "import-outside-toplevel",
]
"""
# tests/test_tool.py ejecuta scripts/tool.py en otro proceso, como las pruebas
# del laboratorio (con tests/netguard en PYTHONPATH).
TEST_TOOL = """
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_tool():
    env = {**os.environ, "PYTHONPATH": str(ROOT / "tests" / "netguard")}
    script = ROOT / "scripts" / "tool.py"
    result = subprocess.run([sys.executable, script], env=env, check=False)
    assert result.returncode == 0
"""


def write(root: Path, files: dict[str, str]) -> None:
    """Escribe cada archivo (creando sus carpetas)."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def git(root: Path, *args: str) -> None:
    """git en ``root`` con un autor fijo."""
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": "x",
        "GIT_AUTHOR_EMAIL": "x@x",
        "GIT_COMMITTER_NAME": "x",
        "GIT_COMMITTER_EMAIL": "x@x",
    }
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


@pytest.fixture(name="project")
def fixture_project(tmp_path: Path) -> Path:
    """Un repositorio de git con dos módulos, un script y una prueba de cada uno."""
    root = tmp_path / "proyecto"
    write(
        root,
        {
            "pyproject.toml": PYPROJECT,
            ".gitignore": "__pycache__/\n",
            "src/pkg/__init__.py": "",
            "src/pkg/alpha.py": "def value():\n    return 1\n",
            "src/pkg/beta.py": "def value():\n    return 2\n",
            "scripts/tool.py": "print('hola')\n",
            "tests/__init__.py": "",
            "tests/test_alpha.py": (
                "from pkg.alpha import value\n\n\ndef test_alpha():\n"
                "    assert value() == 1\n"
            ),
            "tests/test_beta.py": (
                "def test_beta():\n    from pkg import beta\n\n"
                "    assert beta.value() == 2\n"
            ),
            "tests/test_tool.py": TEST_TOOL,
        },
    )
    shutil.copytree(LAB_ROOT / "tests" / "netguard", root / "tests" / "netguard")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-qm", "chore: inicio")
    return root


def run_pytest(root: Path, capfd: pytest.CaptureFixture[str]) -> tuple[bool, str]:
    """``run_checks.py pytest`` (sin --completo) en ``root``: resultado y salida."""
    result = run_checks(["pytest"], root=root)[0]
    return result.passed, capfd.readouterr().out


# --------------------------------------------------------------------------
# El grafo de dependencias
# --------------------------------------------------------------------------


def test_graph_follows_imports_and_the_files_a_text_names(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": "",
            "src/pkg/__init__.py": "",
            "src/pkg/a.py": "def f():\n    import pkg.b\n",
            "src/pkg/b.py": "from . import c\n",
            "src/pkg/c.py": "",
            "scripts/run.py": "import _lab\n",
            "scripts/_lab.py": "",
            "tests/golden/esperado.md": "",
            "tests/test_x.py": (
                "from pkg.a import f\n"
                "CONFIG = 'pyproject.toml'\n"
                "GOLDEN = 'golden'\n"
                "SCRIPTS = 'scripts/*.py'\n"
                "MESSAGE = 'ejecuta run.py'\n"
                "ALSO = 'run.py'\n"
                "ARGS = '*'\n"
            ),
        },
    )
    graph = build_graph(tmp_path)
    assert graph.imports["src/pkg/a.py"] == {"src/pkg/__init__.py", "src/pkg/b.py"}
    assert graph.imports["src/pkg/b.py"] == {"src/pkg/__init__.py", "src/pkg/c.py"}
    assert graph.imports["scripts/run.py"] == {"scripts/_lab.py"}
    # Un .py nombrado en un texto no cuenta (se anota si se ejecuta); sí un
    # archivo de datos, una carpeta que no es de código y un patrón.
    assert graph.mentions["tests/test_x.py"] == {
        "pyproject.toml",
        "tests/golden/esperado.md",
        "scripts/run.py",
        "scripts/_lab.py",
    }
    used = graph.used_by(["tests/test_x.py"])
    assert {"src/pkg/a.py", "src/pkg/b.py", "src/pkg/c.py"} <= used
    assert graph.import_cycle() is None


def test_a_conftest_fixture_counts_only_for_the_tests_that_ask_for_it(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        {
            "src/heavy.py": "",
            "src/light.py": "",
            "src/always.py": "",
            "tests/conftest.py": (
                "import pytest\n"
                "import always\n\n\n"
                "@pytest.fixture(name='model')\n"
                "def fixture_model(folder):\n"
                "    import heavy\n\n\n"
                "@pytest.fixture\n"
                "def folder():\n"
                "    import light\n\n\n"
                "@pytest.fixture(autouse=True)\n"
                "def every_test():\n"
                "    pass\n"
            ),
            "tests/test_uses.py": "def test_x(model):\n    pass\n",
            "tests/test_marks.py": (
                "import pytest\n\n\n@pytest.mark.usefixtures('folder')\n"
                "def test_y():\n    pass\n"
            ),
            "tests/test_plain.py": "def test_z():\n    pass\n",
        },
    )
    graph = build_graph(tmp_path)

    def used(test: str) -> set[str]:
        uses = run_by_test(graph, test)
        return graph.used_by(uses.code) | uses.content

    assert {"src/heavy.py", "src/light.py", "src/always.py"} <= used(
        "tests/test_uses.py"
    )
    assert "src/heavy.py" not in used("tests/test_marks.py")
    assert "src/light.py" in used("tests/test_marks.py")
    plain = used("tests/test_plain.py")
    assert "src/heavy.py" not in plain and "src/light.py" not in plain
    # Lo que conftest.py importa fuera de las fixtures, y él mismo, siempre.
    assert {"src/always.py", "tests/conftest.py"} <= plain


def test_an_import_cycle_is_found(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"src/a.py": "import b\n", "src/b.py": "import c\n", "src/c.py": "import a\n"},
    )
    cycle = build_graph(tmp_path).import_cycle()
    assert cycle is not None and cycle[0] == cycle[-1] and len(cycle) == 4


def test_an_import_only_for_the_types_is_no_cycle(
    project: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """Como Pylint: un import en ``if TYPE_CHECKING:`` no cierra un ciclo."""
    write(
        project,
        {
            "src/pkg/alpha.py": (
                '"""Alpha."""\n\nfrom typing import TYPE_CHECKING\n\n'
                "if TYPE_CHECKING:\n    from pkg.beta import value as other\n\n\n"
                'def value() -> "other":\n    """Uno."""\n    return 1\n'
            ),
            "src/pkg/beta.py": (
                '"""Beta."""\n\nfrom pkg.alpha import value as first\n\n\n'
                'def value() -> int:\n    """Dos."""\n    return first() + 1\n'
            ),
        },
    )
    assert build_graph(project).import_cycle() is None
    assert pylint_verdicts(project) == (True, True)
    assert "ciclo" not in capfd.readouterr().out


def test_a_copy_of_the_lab_counts_as_the_lab() -> None:
    files = {"scripts/train_model.py", "src/churn_lab/model.py"}
    root = Path("/home/alumna/lab")
    copy = Path("/tmp/pytest-1/test_x0/lab/src/churn_lab/model.py")
    assert lab_name(copy, root, files) == "src/churn_lab/model.py"
    assert lab_name(root / "scripts" / "train_model.py", root, files) == (
        "scripts/train_model.py"
    )
    venv = Path("/home/alumna/lab/.venv/lib/python3.12/site-packages/scripts/x.py")
    assert lab_name(venv, root, files) is None


def test_junit_report_says_which_files_passed(tmp_path: Path) -> None:
    for name in ("test_a.py", "test_b.py"):
        write(tmp_path, {f"tests/{name}": ""})
    report = tmp_path / "r.xml"
    report.write_text(
        "<testsuites><testsuite>"
        '<testcase classname="tests.test_a" name="t1" file="tests/test_a.py"/>'
        '<testcase classname="tests.test_b" name="t2" file="tests/test_b.py">'
        "<failure/></testcase>"
        '<testcase classname="" name="tests.test_a"><skipped/></testcase>'
        "</testsuite></testsuites>",
        encoding="utf-8",
    )
    assert junit_outcomes(report, tmp_path) == {
        "tests/test_a.py": True,
        "tests/test_b.py": False,
    }
    assert junit_outcomes(tmp_path / "no-existe.xml", tmp_path) is None


# --------------------------------------------------------------------------
# pytest: solo lo que usa algo que cambió
# --------------------------------------------------------------------------


def test_pytest_repeats_only_the_tests_that_use_what_changed(
    project: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    passed, output = run_pytest(project, capfd)
    assert passed and "3 passed" in output
    assert "la primera vez" in output

    passed, output = run_pytest(project, capfd)
    assert passed and "nada que repetir" in output and "passed" not in output
    assert "python scripts/run_checks.py --completo" in output

    # Un cambio en lo que hace pkg/beta: solo su prueba (que lo importa
    # dentro de la función).
    write(project, {"src/pkg/beta.py": "def value():\n    return 1 + 1\n"})
    passed, output = run_pytest(project, capfd)
    assert passed and "1 passed" in output
    assert "solo 1 de 3 archivos de pruebas" in output
    assert "src/pkg/beta.py" in output and "tests/test_beta.py" in output

    # Solo formato y comentarios (lo que hace --fix): nada que repetir.
    write(project, {"src/pkg/beta.py": "# Beta.\n\n\ndef value():\n    return 1 + 1\n"})
    passed, output = run_pytest(project, capfd)
    assert passed and "nada que repetir" in output


def test_a_failing_test_runs_again_until_it_passes(
    project: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    assert run_pytest(project, capfd)[0]
    # Otro tamaño: Python no reusa el .pyc de antes aunque sea el mismo segundo.
    write(project, {"src/pkg/alpha.py": "def value():\n    return 10\n"})
    for _ in range(2):
        passed, output = run_pytest(project, capfd)
        assert not passed and "1 failed" in output
    write(project, {"src/pkg/alpha.py": "def value():\n    return 1\n"})
    passed, output = run_pytest(project, capfd)
    assert passed and "1 passed" in output


@pytest.mark.parametrize("outer", ["", "/registro/del/run_checks/de/fuera"])
def test_a_script_run_in_another_process_is_followed(
    outer: str,
    project: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Con «outer», como dentro de las pruebas que corre otro run_checks.py.
    monkeypatch.setenv("RUN_CHECKS_TRACE", outer)
    assert run_pytest(project, capfd)[0]
    # Ninguna prueba importa scripts/tool.py: test_tool lo ejecuta.
    write(project, {"scripts/tool.py": "raise SystemExit(3)\n"})
    passed, output = run_pytest(project, capfd)
    assert not passed and "tests/test_tool.py" in output and "1 failed" in output


# Código del laboratorio que lista la carpeta que recibe (la raíz del
# proyecto, que ninguna prueba nombra): una prueba lo llama en su proceso y
# otra lo ejecuta en otro proceso.
LISTING_FILES = {
    "src/pkg/names.py": (
        "def names(folder):\n"
        "    return sorted(path.name for path in folder.glob('*.txt'))\n"
    ),
    "scripts/count.py": (
        "import os\nimport sys\n\n"
        "texts = [name for name in os.listdir(sys.argv[1]) if name.endswith('.txt')]\n"
        "sys.exit(len(texts) - 1)\n"
    ),
    "a.txt": "",
    "tests/conftest.py": (
        "import importlib.util\nfrom pathlib import Path\n\n"
        "GUARD = Path(__file__).parent / 'netguard' / 'sitecustomize.py'\n"
        "SPEC = importlib.util.spec_from_file_location('netguard', GUARD)\n"
        "SPEC.loader.exec_module(importlib.util.module_from_spec(SPEC))\n"
    ),
    "tests/test_names.py": (
        "from pathlib import Path\n\nfrom pkg.names import names\n\n\n"
        "def test_names():\n"
        "    assert names(Path(__file__).resolve().parents[1]) == ['a.txt']\n"
    ),
    "tests/test_count.py": TEST_TOOL.replace(
        '"scripts" / "tool.py"', '"scripts" / "count.py"'
    ).replace("[sys.executable, script]", "[sys.executable, script, ROOT]"),
}


def test_a_folder_that_a_test_lists_is_followed(
    project: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    write(project, LISTING_FILES)
    assert run_pytest(project, capfd)[0]
    # Un archivo nuevo, que nada nombra: las dos pruebas que listan su
    # carpeta (en su proceso y en otro) se repiten y fallan; las demás, no.
    write(project, {"b.txt": ""})
    passed, output = run_pytest(project, capfd)
    assert not passed and "2 failed" in output and "solo 2 de 5" in output, output
    assert "tests/test_names.py" in output and "tests/test_count.py" in output
    (project / "b.txt").unlink()
    passed, output = run_pytest(project, capfd)
    assert passed and "2 passed" in output, output
    # Copiar una carpeta no es usar cada archivo: una prueba que copia src/
    # no se repite cuando cambia un módulo que no importa.
    write(
        project,
        {
            "tests/test_copy.py": (
                "import shutil\nfrom pathlib import Path\n\n\n"
                "def test_copy(tmp_path):\n"
                "    code = Path(__file__).resolve().parents[1] / 'src'\n"
                "    shutil.copytree(code, tmp_path / 'copia')\n"
            ),
        },
    )
    assert run_pytest(project, capfd)[0]
    write(project, {"src/pkg/beta.py": "def value():\n    return 1 + 1\n"})
    passed, output = run_pytest(project, capfd)
    assert passed and "solo 1 de 6" in output and "1 passed" in output, output


# Una fixture de PRODUCTS, como trained_model: ejecuta un script que deja
# archivos en una carpeta (uno con la fecha, que cambia cada vez), o usa lo
# que run_checks.py ya produjo (con made_by_run_checks, de tests/helpers.py).
PRODUCT_CONFTEST = """
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import made_by_run_checks

ROOT = Path(__file__).resolve().parents[1]
PRODUCTS = {"made": ("scripts/make.py", "--out")}


@pytest.fixture
def made(tmp_path):
    already = made_by_run_checks("made")
    if already is not None:
        shutil.copytree(already, tmp_path, dirs_exist_ok=True)
        return tmp_path
    env = {**os.environ, "PYTHONPATH": str(ROOT / "tests" / "netguard")}
    env["RUN_CHECKS_TRACE"] = ""
    command = [sys.executable, *PRODUCTS["made"], str(tmp_path)]
    subprocess.run(command, cwd=ROOT, env=env, check=True)
    return tmp_path
"""
TEST_MADE = "def test_made(made):\n    assert (made / 'model.txt').read_text() == '1'\n"
# Cada vez que se ejecuta, lo anota en MADE_LOG (fuera del proyecto).
MAKE = """
import json
import os
import sys
import time
from pathlib import Path

with open(os.environ["MADE_LOG"], "a", encoding="utf-8") as log:
    log.write("hecho\\n")
out = Path(sys.argv[-1])
(out / "model.txt").write_text("{value}")
meta = {{"training_date": time.time_ns(), "value": {value}}}
(out / "meta.json").write_text(json.dumps(meta))
"""


def test_a_script_that_makes_the_same_files_repeats_none_of_their_tests(
    project: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    log = tmp_path / "made.log"
    monkeypatch.setenv("MADE_LOG", str(log))

    def runs() -> int:
        return len(log.read_text(encoding="utf-8").splitlines())

    shutil.copy(LAB_ROOT / "tests" / "helpers.py", project / "tests" / "helpers.py")
    write(
        project,
        {
            "tests/conftest.py": PRODUCT_CONFTEST,
            "scripts/make.py": MAKE.format(value=1),
            "tests/test_made.py": TEST_MADE,
        },
    )
    assert run_pytest(project, capfd)[0]
    # Una sola vez: run_checks.py, para saber qué produce; la prueba usó eso.
    assert runs() == 1
    # Otro código, los mismos archivos (salvo la fecha): nada que repetir.
    write(project, {"scripts/make.py": MAKE.format(value=1) + "print('listo')\n"})
    passed, output = run_pytest(project, capfd)
    assert passed and "nada que repetir" in output, output
    assert "⏳ pytest: scripts/make.py cambió (o lo que importa)" in output
    assert "scripts/make.py cambió, pero produce los mismos archivos" in output
    assert runs() == 2
    # Otros archivos: la prueba que los usa se repite con ellos (y falla, como en CI).
    write(project, {"scripts/make.py": MAKE.format(value=2)})
    passed, output = run_pytest(project, capfd)
    assert not passed and "1 failed" in output and "tests/test_made.py" in output
    assert runs() == 3
    write(project, {"scripts/make.py": MAKE.format(value=1)})
    assert run_pytest(project, capfd)[0] and runs() == 4
    # Lo guardado que alguien tocó no se usa: la fixture ejecuta el script.
    made = project / ".run_checks_cache" / "products" / "made"
    (made / "model.txt").write_text("9", encoding="utf-8")
    write(project, {"tests/test_made.py": TEST_MADE + "\n\ndef test_b():\n    pass\n"})
    assert run_pytest(project, capfd)[0] and runs() == 5
    assert not made.exists()
    # Con --completo (como CI) no hay nada producido de antes: la fixture lo hace.
    assert run_checks(["pytest"], root=project, full=True)[0].passed and runs() == 6
    # Un script que ahora falla: la prueba se repite también.
    write(project, {"scripts/make.py": "raise SystemExit(4)\n"})
    passed, output = run_pytest(project, capfd)
    assert not passed and "1 error" in output


def test_another_environment_checks_everything_again(
    project: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    assert run_pytest(project, capfd)[0]
    write(project, {"pyproject.toml": PYPROJECT + "\n# otra configuración\n"})
    passed, output = run_pytest(project, capfd)
    assert passed and "3 passed" in output


def test_completo_runs_everything_and_records_nothing(
    project: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    result = run_checks(["pytest"], root=project, full=True)[0]
    assert result.passed and "3 passed" in capfd.readouterr().out
    assert not (project / ".run_checks_cache").exists()


# --------------------------------------------------------------------------
# Pylint: solo los archivos afectados, con los mismos mensajes que CI
# --------------------------------------------------------------------------

CALLER = "from pkg.alpha import value\n\nRESULT = value()\n"


def pylint_verdicts(root: Path) -> tuple[bool, bool]:
    """(run_checks sin --completo, el comando de CI) en el mismo estado."""
    quick = run_checks(["pylint"], root=root)[0]
    full = run_checks(["pylint"], root=root, full=True)[0]
    return quick.passed, full.passed


def test_pylint_relints_what_imports_a_change_and_agrees_with_ci(
    project: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    write(project, {"src/pkg/caller.py": CALLER})
    assert pylint_verdicts(project) == (True, True)
    capfd.readouterr()

    # caller.py no cambia, pero lo que importa sí: ahora falta un argumento.
    write(project, {"src/pkg/alpha.py": "def value(x):\n    return x\n"})
    assert pylint_verdicts(project) == (False, False)
    output = capfd.readouterr().out
    # alpha.py, caller.py y tests/test_alpha.py, que también lo importa.
    total = sum(
        name.endswith(".py")
        for folder in ("scripts", "src", "tests")
        for _, _, names in os.walk(project / folder)
        for name in names
    )
    assert f"solo 3 de {total} archivos" in output and "E1120" in output

    # Sin cambios: el mensaje guardado se repite (y el veredicto).
    again = run_checks(["pylint"], root=project)[0]
    output = capfd.readouterr().out
    assert not again.passed and "de la última revisión" in output and "E1120" in output

    # Arreglado en alpha.py: caller.py (que no cambió) vuelve a pasar.
    write(project, {"src/pkg/alpha.py": "def value():\n    return 1\n"})
    assert pylint_verdicts(project) == (True, True)


def test_pylint_sees_duplicated_code_across_files(
    project: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    body = "".join(f"    total = total + {n} * x\n" for n in range(8))
    code = f"def f{{n}}(x):\n    total = 0\n{body}    return total\n"
    write(project, {"src/pkg/one.py": code.format(n=1)})
    assert pylint_verdicts(project) == (True, True)
    write(project, {"src/pkg/two.py": code.format(n=2)})
    assert pylint_verdicts(project) == (False, False)
    assert "R0801" in capfd.readouterr().out


def test_the_duplicate_pass_gives_pylint_s_own_messages(project: Path) -> None:
    # Tres copias del mismo bloque y media en un script: mensajes que agrupan.
    body = "".join(f"    total = total + {n} * x\n" for n in range(8))
    code = f"def f{{n}}(x):\n    total = 0\n{body}    return total\n"
    files = {f"src/pkg/copy{n}.py": code.format(n=n) for n in range(3)}
    files["scripts/half.py"] = "def g(x):\n    total = 0\n" + body[: len(body) // 2]
    write(project, files)

    def messages(module: str) -> list[dict[str, object]]:
        report = project / f"{module}.json"
        subprocess.run(
            [sys.executable, "-m", module, "--disable=all", "--enable=duplicate-code"]
            + [f"--output-format=json2:{report}", "scripts", "src", "tests"],
            cwd=project,
            env={**os.environ, "PYTHONPATH": str(LAB_ROOT / "src")},
            capture_output=True,
            check=False,
        )
        found: list[dict[str, object]] = json.loads(report.read_text("utf-8"))[
            "messages"
        ]
        return found

    quick = messages("labkit.pylint_duplicates")
    assert len(quick) >= 2 and quick == messages("pylint")


def test_cache_survives_a_broken_state_file(project: Path) -> None:
    cache = CheckCache(project)
    cache.save()
    (project / ".run_checks_cache" / "state.json").write_text("{roto", "utf-8")
    assert CheckCache(project).state == {"version": STATE_VERSION}
    # git no lo ve: la carpeta se ignora a sí misma.
    status = subprocess.run(
        ["git", "status", "--porcelain"],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    )
    assert ".run_checks_cache" not in status.stdout
