"""Cada parte a través de una API de GitHub falsa, y el informe de la clase.

- ``scripts/check_progress.py`` en una copia del laboratorio que es la raíz de
  un repositorio git, como la tiene un estudiante, contra la API falsa
  (``tests/github_fake/classroom.py``): cada estado de la clase da las
  líneas que le tocan, con el siguiente paso correcto; sin red o con un token
  rechazado dice qué no pudo comprobar y muestra el resto;
- ``instructor/report.py`` sobre 200 repositorios: las celdas coinciden con
  los estados, la segunda pasada se responde casi entera con ``304``, el
  límite de la API se espera diciendo hasta cuándo, los ``502``, las
  respuestas lentas y los tiempos agotados se reintentan, y un repositorio
  que falta, es privado, está vacío o cambió de nombre es una fila que lo dice;
- el flujo «Progreso» del laboratorio: disparadores, permisos de solo lectura
  y el mismo comando.

Ningún token aparece en una salida, un archivo del informe ni la caché.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from github_fake.classroom import (
    EVIDENCE,
    ORG,
    PREFIX,
    STATES,
    TOKEN,
    ClassroomGitHub,
    generated_states,
)
from lab_copy import ROOT, copy_lab

LAB = ROOT / "labs" / "gitops-workflow"
REPORT = ROOT / "instructor" / "report.py"
PART_KEYS = ["parte1", "parte2", "parte3", "parte4", "parte5", "parte6", "extra"]
# Un repositorio de cada estado (los raros van al principio de cada 50).
ONE_OF_EACH = {
    state: name for name, state in reversed(list(generated_states(60).items()))
}


def load_report() -> ModuleType:
    """instructor/report.py como módulo (no es un paquete)."""
    spec = importlib.util.spec_from_file_location("instructor_report", REPORT)
    assert spec is not None and spec.loader is not None
    if spec.name in sys.modules:
        return sys.modules[spec.name]
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # las dataclasses buscan aquí su módulo
    spec.loader.exec_module(module)
    return module


def run(
    args: list[str], cwd: Path, env: dict[str, str], timeout: int = 300
) -> subprocess.CompletedProcess[str]:
    """``python args`` en ``cwd``, con la red bloqueada fuera de 127.0.0.1."""
    full = {
        key: value
        for key, value in os.environ.items()
        if key not in ("GITHUB_TOKEN", "GH_TOKEN", "GITHUB_API_URL", "VIRTUAL_ENV")
    }
    full.update(
        {
            "PYTHONPATH": str(LAB / "tests" / "netguard"),
            "PYTHONIOENCODING": "utf-8",
            "PATH": str(Path(sys.executable).parent) + os.pathsep + "/usr/bin:/bin",
            **env,
        }
    )
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=full,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        check=False,
    )


def assert_no_token(*texts: str) -> None:
    """Ningún texto contiene el token."""
    for text in texts:
        assert TOKEN not in text


# --------------------------------------------------------------------------
# check_progress.py del estudiante, contra la API falsa
# --------------------------------------------------------------------------


@pytest.fixture(scope="module", name="classroom")
def fixture_classroom() -> Iterator[ClassroomGitHub]:
    with ClassroomGitHub(generated_states(60)) as fake:
        yield fake


@pytest.fixture(scope="module", name="student_lab")
def fixture_student_lab(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Una copia del laboratorio que es la raíz de un repositorio con origin."""
    lab = copy_lab(tmp_path_factory.mktemp("alumno") / "gitops-lab")

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-C", str(lab), *args], check=True, capture_output=True, timeout=60
        )

    git("init", "--quiet", "--initial-branch=main")
    git("-c", "user.email=e@example.com", "-c", "user.name=E", "add", ".")
    git(
        "-c",
        "user.email=e@example.com",
        "-c",
        "user.name=E",
        "commit",
        "--quiet",
        "-m",
        "chore: contenido inicial del laboratorio",
    )
    git("remote", "add", "origin", f"https://github.com/{ONE_OF_EACH['completo']}.git")
    git("update-ref", "refs/remotes/origin/main", "HEAD")
    return lab


def check(lab: Path, fake_url: str, *args: str, token: str = TOKEN):
    """check_progress.py en ``lab`` contra la API falsa (sin Azure)."""
    return run(
        ["scripts/check_progress.py", "--sin-azure", *args],
        lab,
        {"GITHUB_API_URL": fake_url, "GITHUB_TOKEN": token},
    )


def lines_by_part(stdout: str) -> dict[str, str]:
    """La línea de cada parte en la salida del script."""
    titles = {
        "parte1": "Parte 1:",
        "parte2": "Parte 2:",
        "parte3": "Parte 3:",
        "parte4": "Parte 4:",
        "parte5": "Parte 5:",
        "parte6": "Parte 6:",
        "extra": "Extra:",
    }
    found = {}
    for line in stdout.splitlines():
        for key, title in titles.items():
            if line[2:].strip().startswith(title):
                found[key] = line
    assert set(found) == set(titles), stdout
    return found


@pytest.mark.parametrize("state", sorted(STATES))
def test_check_progress_through_the_api_for_each_state(
    state: str, classroom: ClassroomGitHub, student_lab: Path
) -> None:
    result = check(student_lab, classroom.url, "--repo", ONE_OF_EACH[state])
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    assert_no_token(result.stdout)
    lines = lines_by_part(result.stdout)
    part1, part2, extra, word = STATES[state]
    assert lines["parte1"].startswith(part1), lines["parte1"]
    assert lines["parte2"].startswith(part2), lines["parte2"]
    assert lines["extra"].startswith(extra), lines["extra"]
    first_missing = "parte1" if part1 != "✅" else "parte2" if part2 != "✅" else ""
    if first_missing:
        assert word in lines[first_missing], lines[first_missing]
    # Partes 3 a 6: esta copia no tiene nada en local; cuentan las de la
    # evidencia que el estudiante subió (solo los repositorios completos).
    with_evidence = state in ("completo", "renombrado")
    for key in ("parte3", "parte4", "parte5", "parte6"):
        assert lines[key].startswith("✅" if with_evidence else "❌"), lines[key]
        if with_evidence:
            assert "evidence/progreso.json" in lines[key]


@pytest.mark.parametrize(
    ("state", "action"),
    [
        ("sin_pr", "abre un pull request hacia main"),
        ("pr_abierto", "fusiona el pull request #1"),
        ("titulo_no_convencional", "«feat: mi primer cambio»"),
        ("cd_fallo", "CD: la versión no es la esperada"),
        ("tag_sin_release", "Re-run all jobs"),
        ("vacio", "git push -u origin main"),
        ("inexistente", "crea el repositorio en GitHub"),
    ],
)
def test_the_next_action_is_the_one_for_the_first_missing_part(
    state: str, action: str, classroom: ClassroomGitHub, student_lab: Path
) -> None:
    result = check(student_lab, classroom.url, "--repo", ONE_OF_EACH[state])
    next_line = [
        line for line in result.stdout.splitlines() if "Siguiente paso" in line
    ]
    assert len(next_line) == 1 and action in next_line[0], result.stdout


def test_completed_parts_3_to_6_from_the_evidence_file(
    classroom: ClassroomGitHub, student_lab: Path
) -> None:
    """Sin --repo: el del remoto origin (un repositorio completo)."""
    result = check(student_lab, classroom.url)
    lines = lines_by_part(result.stdout)
    assert all(line.startswith("✅") for line in lines.values()), result.stdout
    assert "🎉" in result.stdout
    assert f"{EVIDENCE['predictions']['rows']} predicciones" in lines["parte6"]


def test_without_network_it_says_what_it_could_not_check(student_lab: Path) -> None:
    result = check(student_lab, "http://127.0.0.1:9")
    assert result.returncode == 0, result.stderr
    lines = lines_by_part(result.stdout)
    assert lines["parte2"].startswith("⏳") and lines["extra"].startswith("⏳")
    assert lines["parte1"].startswith("✅")  # el repositorio local está bien
    assert lines["parte3"].startswith("❌") and "train_model.py" in result.stdout
    assert "No se pudo comprobar" in result.stdout
    assert "sin conexión con http://127.0.0.1:9" in result.stdout


def test_a_rejected_token_is_reported_without_showing_it(
    classroom: ClassroomGitHub, student_lab: Path
) -> None:
    secret = "ghp_un_token_que_no_vale_1234567890"
    result = check(student_lab, classroom.url, token=secret)
    assert result.returncode == 0
    assert "GitHub rechazó el token (401)" in result.stdout
    assert secret not in result.stdout + result.stderr


def test_exigir_fails_for_autograding(
    classroom: ClassroomGitHub, student_lab: Path
) -> None:
    result = check(
        student_lab,
        classroom.url,
        "--repo",
        ONE_OF_EACH["cd_fallo"],
        "--exigir",
        "parte2",
    )
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("❌ Error: Parte 2")
    assert "CD falló" in lines[0]


def test_evidence_file_has_no_secret_token_or_path(
    tmp_path: Path, classroom: ClassroomGitHub
) -> None:
    """--evidencia tras entrenar y registrar en el almacén local, con un config.json.

    Las predicciones y el trabajo (Parte 6) no se hicieron: la evidencia solo
    anota lo que se vio. El recorrido entero con Azure ML está en
    test_progress_azure.py.
    """
    lab = copy_lab(tmp_path / "gitops-lab")
    subscription = "9b7c0f3e-1111-2222-3333-444455556666"
    (lab / "config.json").write_text(
        json.dumps(
            {
                "subscription_id": subscription,
                "resource_group": "rg-personal-ana",
                "workspace_name": "mlw-ana",
            }
        ),
        encoding="utf-8",
    )
    env = {"GITHUB_API_URL": classroom.url, "GITHUB_TOKEN": TOKEN}
    for script, extra in (
        ("scripts/train_model.py", ["--n-samples", "500"]),
        ("scripts/register_model.py", ["--local"]),
    ):
        done = run([script, *extra], lab, env)
        assert done.returncode == 0, done.stdout + done.stderr
    result = run(
        [
            "scripts/check_progress.py",
            "--evidencia",
            "--sin-azure",
            "--repo",
            ONE_OF_EACH["sin_pr"],
        ],
        lab,
        env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    text = (lab / "evidence" / "progreso.json").read_text(encoding="utf-8")
    evidence = json.loads(text)
    assert evidence["workspace"] == "local"
    assert evidence["model"]["name"] == "churn-prediction-model"
    assert evidence["training"]["date"] and "predictions" not in evidence
    assert "job" not in evidence
    for forbidden in (
        subscription,
        "rg-personal-ana",
        TOKEN,
        str(lab),
        str(Path.home()),
    ):
        assert forbidden not in text
    assert_no_token(result.stdout, result.stderr)
    lines = lines_by_part(result.stdout)
    for key in ("parte3", "parte4", "parte5"):
        assert lines[key].startswith("✅"), lines[key]
    assert lines["parte6"].startswith("❌")


# --------------------------------------------------------------------------
# El informe del profesor, 200 repositorios
# --------------------------------------------------------------------------


def report(
    args: list[str], fake: ClassroomGitHub, cwd: Path
) -> subprocess.CompletedProcess[str]:
    """El informe en ``cwd`` contra la API falsa, con el token del profesor."""
    return run(
        [str(REPORT), *args], cwd, {"GITHUB_API_URL": fake.url, "GITHUB_TOKEN": TOKEN}
    )


def read_csv(path: Path) -> dict[str, dict[str, str]]:
    """Las filas del CSV por repositorio."""
    with path.open(encoding="utf-8") as handle:
        return {row["repositorio"]: row for row in csv.DictReader(handle)}


def assert_cells_match(rows: dict[str, dict[str, str]], states: dict[str, str]) -> None:
    """Cada celda del CSV es la que corresponde al estado del repositorio."""
    assert set(rows) == set(states)
    for name, state in states.items():
        row = rows[name]
        part1, part2, extra, word = STATES[state]
        complete = state in ("completo", "renombrado")
        expected = {
            "parte1": part1 == "✅",
            "parte2": part2 == "✅",
            "extra": extra == "✅",
            **{key: complete for key in ("parte3", "parte4", "parte5", "parte6")},
        }
        got = {key: row[key] == "1" for key in expected}
        assert got == expected, (name, state, row)
        assert int(row["hechas"]) == sum(expected.values())
        if not complete:
            assert word in row["observaciones"], (state, row["observaciones"])


@pytest.fixture(scope="module", name="class_of_200")
def fixture_class_of_200(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[ClassroomGitHub, dict[str, str], Path]]:
    states = generated_states(200)
    folder = tmp_path_factory.mktemp("profesor")
    (folder / "repos.txt").write_text(
        "# La clase\n" + "\n".join(states) + "\n", encoding="utf-8"
    )
    with ClassroomGitHub(states) as fake:
        yield fake, states, folder


def test_report_over_200_repositories_then_a_second_run_of_304(
    class_of_200: tuple[ClassroomGitHub, dict[str, str], Path],
) -> None:
    fake, states, folder = class_of_200
    args = ["--repos", "repos.txt", "--prefix", PREFIX, "--salida", "informe"]
    first = report(args, fake, folder)
    assert first.returncode == 0, first.stdout + first.stderr
    rows = read_csv(folder / "informe" / "progreso.csv")
    assert_cells_match(rows, states)
    assert rows[f"{ORG}/{PREFIX}-alumno005"]["estudiante"] == "alumno005"
    renamed = [name for name, state in states.items() if state == "renombrado"]
    assert "renombrado a" in rows[renamed[0]]["observaciones"]
    page = (folder / "informe" / "progreso.html").read_text(encoding="utf-8")
    assert page.count("<tr>") == 200 + 2  # cabecera, 200 filas y totales
    complete = sum(state in ("completo", "renombrado") for state in states.values())
    assert f"<td>{complete}/200</td>" in page  # total de la clase, Parte 2
    done_row = f"{ORG}/{PREFIX}-alumno005"
    assert f"https://github.com/{done_row}/releases/tag/v0.1.0" in page
    assert f"https://github.com/{done_row}/blob/main/evidence/progreso.json" in page
    first_counts = dict(fake.statuses)
    assert first_counts.get(304, 0) == 0
    fake.reset_counts()

    second = report(args, fake, folder)
    assert second.returncode == 0, second.stderr
    assert read_csv(folder / "informe" / "progreso.csv") == rows
    total = sum(fake.statuses.values())
    assert fake.statuses[304] >= 0.95 * total, dict(fake.statuses)
    assert "sin cambios, 304" in second.stdout
    cache_text = "".join(
        path.read_text(encoding="utf-8")
        for path in (folder / "informe" / ".cache").glob("*.json")
    )
    assert_no_token(
        first.stdout,
        first.stderr,
        second.stdout,
        second.stderr,
        page,
        cache_text,
        (folder / "informe" / "progreso.csv").read_text(encoding="utf-8"),
    )


def test_a_second_run_fetches_only_what_changed(tmp_path: Path) -> None:
    states = generated_states(20)
    names = list(states)
    (tmp_path / "repos.txt").write_text("\n".join(names) + "\n", encoding="utf-8")
    args = ["--repos", "repos.txt", "--salida", "informe"]
    with ClassroomGitHub(states) as fake:
        assert report(args, fake, tmp_path).returncode == 0
        changed = [name for name in names if states[name] == "cd_fallo"][:2]
        for name in changed:
            fake.touch(name, "completo")
        fake.reset_counts()
        second = report(args, fake, tmp_path)
        assert second.returncode == 0, second.stderr
        rows = read_csv(tmp_path / "informe" / "progreso.csv")
        for name in changed:
            assert rows[name]["hechas"] == "7"
        fresh = sum(count for status, count in fake.statuses.items() if status != 304)
        # Solo los repositorios que cambiaron (unas 8 consultas cada uno) y las
        # redirecciones sin caché del renombrado.
        assert 0 < fresh <= 8 * len(changed) + 2, dict(fake.statuses)


def test_rate_limit_is_waited_and_says_until_when(tmp_path: Path) -> None:
    states = generated_states(30)
    (tmp_path / "repos.txt").write_text("\n".join(states) + "\n", encoding="utf-8")
    with ClassroomGitHub(states) as fake:
        fake.faults.rate_limit_after = 60
        fake.faults.rate_limit_seconds = 2
        fake.faults.secondary = 2
        result = report(["--repos", "repos.txt", "--hilos", "4"], fake, tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr
        assert fake.statuses[403] >= 1 and fake.statuses[429] == 2
    assert (
        "límite de peticiones de la API de GitHub: esperando hasta las" in result.stderr
    )
    assert "UTC" in result.stderr
    assert "[##############################] 30/30 repositorios" in result.stderr
    assert_cells_match(read_csv(tmp_path / "informe" / "progreso.csv"), states)


def test_bad_gateway_and_slow_answers_are_retried(tmp_path: Path) -> None:
    states = generated_states(12)
    (tmp_path / "repos.txt").write_text("\n".join(states) + "\n", encoding="utf-8")
    with ClassroomGitHub(states) as fake:
        fake.faults.bad_gateway = 4
        fake.faults.slow_seconds = 0.5
        result = report(["--repos", "repos.txt"], fake, tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr
        assert fake.statuses[502] == 4
    assert "4 reintentos" in result.stdout
    assert_cells_match(read_csv(tmp_path / "informe" / "progreso.csv"), states)


def test_timeouts_are_retried_with_backoff_then_reported_as_a_row() -> None:
    module = load_report()
    states = generated_states(6)
    with ClassroomGitHub(states) as fake:
        fake.faults.slow_seconds = 3.0
        fake.faults.slow_count = 1
        fake.faults.slow_pattern = r"/repos/[^/]+/[^/]+"
        client = module.GitHubClient(
            token=TOKEN, base_url=fake.url, timeout=1.0, backoff=(0.05, 0.05)
        )
        rows = module.build_rows(client, list(states), threads=1)
        assert client.stats.retries == 1
        assert all(
            row.problem == "" or "no existe" in row.problem or "vacío" in row.problem
            for row in rows
        )
        # Todas lentas: tras los reintentos, una fila que dice por qué.
        fake.faults.slow_count = None
        row = module.check_repository(client, list(states)[5], PREFIX)
    assert row.progress is None and "tiempo de espera agotado" in row.problem
    assert "no se pudo consultar" in module.render_csv([row])


def test_org_and_classroom_prefix_list_every_page(
    class_of_200: tuple[ClassroomGitHub, dict[str, str], Path],
) -> None:
    fake, states, _ = class_of_200
    module = load_report()
    client = module.GitHubClient(token=TOKEN, base_url=fake.url)
    found = module.classroom_repositories(client, ORG, PREFIX)
    present = {name for name, state in states.items() if state != "inexistente"}
    renamed = {name for name, state in states.items() if state == "renombrado"}
    expected = (present - renamed) | {f"{name}-nuevo" for name in renamed}
    assert set(found) == expected and len(found) > 100


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ([], "--repos ARCHIVO o con --org"),
        (["--org", ORG], "--prefix"),
        (["--repos", "no-existe.txt"], "no se pudo leer la lista"),
        (["--repos", "malo.txt"], "la línea 2 de malo.txt"),
        (["--repos", "repos.txt", "--hilos", "0"], "entre 1 y 64"),
    ],
)
def test_report_bad_input_is_one_spanish_line(
    tmp_path: Path, args: list[str], words: str
) -> None:
    (tmp_path / "malo.txt").write_text("a/b\nsolo-un-nombre\n", encoding="utf-8")
    (tmp_path / "repos.txt").write_text("a/b\n", encoding="utf-8")
    result = run(
        [str(REPORT), *args], tmp_path, {"GITHUB_API_URL": "http://127.0.0.1:9"}
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert words in last and ("❌ Error:" in last or "error:" in last), result.stderr
    assert not (tmp_path / "informe").exists()


def test_report_is_written_whole_or_not_at_all(tmp_path: Path) -> None:
    states = generated_states(3)
    (tmp_path / "repos.txt").write_text("\n".join(states) + "\n", encoding="utf-8")
    (tmp_path / "informe" / "progreso.html").mkdir(parents=True)
    with ClassroomGitHub(states) as fake:
        result = report(["--repos", "repos.txt"], fake, tmp_path)
    assert result.returncode == 1
    assert "No se escribió nada" in result.stderr
    assert not (tmp_path / "informe" / "progreso.csv").exists()
    names = sorted(path.name for path in (tmp_path / "informe").iterdir())
    assert names == [".cache", "progreso.html"]


def test_csv_cells_never_start_a_spreadsheet_formula() -> None:
    """Un título de pull request «=HYPERLINK(…)» llega como texto al libro de notas."""
    module = load_report()
    row = module.Row("a/b", "ana", None, '=HYPERLINK("http://x","nota")')
    text = module.render_csv([row])
    assert "'=HYPERLINK" in text and ',"=HYPERLINK' not in text


def test_report_reuses_the_labs_checks() -> None:
    """Una sola copia de las comprobaciones: el informe las importa del laboratorio."""
    text = REPORT.read_text(encoding="utf-8")
    assert "from course.progress import" in text
    assert "CONVENTIONAL_TITLE" not in text and "add-pr-comment" not in text


# --------------------------------------------------------------------------
# El flujo «Progreso» del laboratorio
# --------------------------------------------------------------------------


def test_progress_workflow_triggers_permissions_and_command() -> None:
    workflows = LAB / ".github" / "workflows"
    workflow: dict[Any, Any] = yaml.safe_load(
        (workflows / "progress.yml").read_text(encoding="utf-8")
    )
    on = workflow.get("on", workflow.get(True))
    assert on["push"] == {"branches": ["main"]}
    assert on["release"] == {"types": ["published"]}
    names = {
        yaml.safe_load(path.read_text(encoding="utf-8"))["name"]
        for path in workflows.glob("*.yml")
    }
    assert set(on["workflow_run"]["workflows"]) == {"CI", "CD", "Desplegar modelo"}
    assert set(on["workflow_run"]["workflows"]) <= names
    job = workflow["jobs"]["progress"]
    assert job["if"] == "${{ !github.event.repository.fork }}"
    assert job["permissions"] == {
        "contents": "read",
        "actions": "read",
        "pull-requests": "read",
    }
    command = job["steps"][-1]
    assert command["run"].startswith("python scripts/check_progress.py")
    assert command["env"]["GITHUB_TOKEN"] == "${{ github.token }}"
