"""Cada parte a través de una API de GitHub falsa, y el informe de la clase.

- ``scripts/check_progress.py`` en una copia del laboratorio que es la raíz de
  un repositorio git, como la tiene un estudiante, contra la API falsa
  (``tests/github_fake/classroom.py``): cada estado de la clase da las
  líneas que le tocan, con el siguiente paso correcto; sin red, con un token
  rechazado o sin permiso dice qué no pudo comprobar y muestra el resto;
- ``instructor/report.py`` sobre 200 repositorios: las celdas coinciden con
  los estados (con lo comprobado aparte de lo declarado), la segunda pasada
  se responde casi entera con ``304``, el límite de la API se espera diciendo
  hasta cuándo, los ``502``, las respuestas lentas y los tiempos agotados se
  reintentan, y un repositorio que falta, es privado, está vacío, cambió de
  nombre o trae una evidencia hostil es una fila que lo dice;
- lo que no debe pasar nunca: que una pasada sin red borre el informe
  anterior, que un estudiante pare el informe de la clase, que un texto se
  vuelva fórmula o marcado, que la caché quede junto al informe;
- el flujo «Progreso» del laboratorio: disparadores, permisos de solo lectura
  y el mismo comando.

Ningún token aparece en una salida, un archivo del informe ni la caché.
"""

from __future__ import annotations

import csv
import importlib
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
from github_fake.class_repos import WITH_EVIDENCE
from github_fake.classroom import (
    EVIDENCE,
    ORG,
    PREFIX,
    STATES,
    TEMPLATE,
    TOKEN,
    ClassroomGitHub,
    generated_states,
)
from lab_copy import ROOT, copy_lab, netguard_copy

LAB = ROOT / "labs" / "gitops-workflow"
REPORT = ROOT / "instructor" / "report.py"
PART_KEYS = ["parte1", "parte2", "parte3", "parte4", "parte5", "parte6", "extra"]
# Un repositorio de cada estado (los raros van al principio de cada 50).
ONE_OF_EACH = {
    state: name for name, state in reversed(list(generated_states(60).items()))
}


def load_report() -> ModuleType:
    """instructor/report.py como módulo (con su carpeta en sys.path)."""
    folder = str(ROOT / "instructor")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return importlib.import_module("report")


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
            "PYTHONPATH": str(netguard_copy()),
            "PYTHONIOENCODING": "utf-8",
            "PATH": str(Path(sys.executable).parent) + os.pathsep + "/usr/bin:/bin",
            "XDG_CACHE_HOME": str(cwd / ".xdg-cache"),
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
    first_missing = next(
        (
            key
            for key, mark in zip(("parte1", "parte2", "extra"), STATES[state])
            if mark != "✅"
        ),
        "",
    )
    if first_missing:
        assert word in lines[first_missing], lines[first_missing]
    # Partes 3 a 6: esta copia no tiene nada en local; cuentan las de la
    # evidencia que el estudiante subió.
    for key in ("parte3", "parte4", "parte5", "parte6"):
        assert lines[key].startswith("✅" if state in WITH_EVIDENCE else "❌")
        if state in WITH_EVIDENCE:
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
        ("comentario_ajeno", "para que GitHub Actions escriba su comentario"),
        ("despliegue_en_rama", "rama main"),
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


def test_a_merged_pull_request_on_page_two_still_counts(
    classroom: ClassroomGitHub, student_lab: Path
) -> None:
    """120 pull requests más nuevos y 150 ejecuciones de CI: todo, página a página."""
    name = ONE_OF_EACH["muy_activo"]
    classroom.reset_counts()
    result = check(student_lab, classroom.url, "--repo", name)
    lines = lines_by_part(result.stdout)
    assert lines["parte2"].startswith("✅"), lines["parte2"]
    assert "pull request #1" in lines["parte2"]
    for listing in ("pulls", "actions/workflows/ci.yml/runs", "releases", "tags"):
        pages = [
            request
            for request in classroom.requests
            if f"/{listing}?" in request and "page=2" in request
        ]
        assert pages, (listing, classroom.requests)


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
    assert lines["parte2"].startswith("❔") and lines["extra"].startswith("❔")
    assert lines["parte1"].startswith("✅")  # el repositorio local está bien
    assert lines["parte3"].startswith("❌") and "train_model.py" in result.stdout
    assert "No se pudo comprobar" in result.stdout
    assert "sin conexión con http://127.0.0.1:9" in result.stdout


def test_a_token_without_actions_permission_is_unchecked_not_missing(
    student_lab: Path,
) -> None:
    """Un token fine-grained sin «Actions: Read»: 403 en las ejecuciones."""
    with ClassroomGitHub(generated_states(60)) as fake:
        fake.faults.forbidden_pattern = r"/repos/.*/actions/.*"
        result = check(student_lab, fake.url, "--repo", ONE_OF_EACH["completo"])
    lines = lines_by_part(result.stdout)
    for key in ("parte2", "extra"):
        assert lines[key].startswith("❔"), lines[key]
        assert "Resource not accessible by personal access token" in lines[key]
        assert "permiso de lectura de Actions" in lines[key]
    assert lines["parte1"].startswith("✅") and lines["parte3"].startswith("✅")
    assert "❌" not in result.stdout


def test_a_rejected_token_is_reported_without_showing_it(
    classroom: ClassroomGitHub, student_lab: Path
) -> None:
    secret = "ghp_un_token_que_no_vale_1234567890"
    result = check(student_lab, classroom.url, token=secret)
    assert result.returncode == 0
    assert "GitHub rechazó el token (401)" in result.stdout
    assert secret not in result.stdout + result.stderr


def test_exigir_fails_for_an_autograder(
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


def test_exigir_on_an_unchecked_part_says_it_could_not_check(
    student_lab: Path,
) -> None:
    result = check(student_lab, "http://127.0.0.1:9", "--exigir", "parte2")
    assert result.returncode == 1
    assert "no se pudo comprobar" in result.stderr.strip().splitlines()[-1]


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
    args: list[str], fake: ClassroomGitHub, cwd: Path, token: str = TOKEN
) -> subprocess.CompletedProcess[str]:
    """El informe en ``cwd`` contra la API falsa, con el token del profesor."""
    return run(
        [str(REPORT), *args], cwd, {"GITHUB_API_URL": fake.url, "GITHUB_TOKEN": token}
    )


def read_csv(path: Path) -> dict[str, dict[str, str]]:
    """Las filas del CSV por repositorio (como lo abre Excel en español)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {
            row["repositorio"]: row for row in csv.DictReader(handle, delimiter=";")
        }


def expected_cells(state: str) -> dict[str, str]:
    """Lo que dice el CSV de cada parte de un repositorio en ``state``."""
    part1, part2, extra, _ = STATES[state]
    declared = "declarada" if state in WITH_EVIDENCE else "0"
    return {
        "parte1": "1" if part1 == "✅" else "0",
        "parte2": "1" if part2 == "✅" else "0",
        "extra": "1" if extra == "✅" else "0",
        **{key: declared for key in ("parte3", "parte4", "parte5", "parte6")},
    }


def assert_cells_match(rows: dict[str, dict[str, str]], states: dict[str, str]) -> None:
    """Cada celda del CSV es la que corresponde al estado del repositorio."""
    assert set(rows) == set(states)
    for name, state in states.items():
        row = rows[name]
        expected = expected_cells(state)
        got = {key: row[key] for key in expected}
        assert got == expected, (name, state, row)
        assert int(row["comprobadas"]) == list(expected.values()).count("1")
        assert int(row["declaradas"]) == list(expected.values()).count("declarada")
        if "0" in expected.values():
            assert STATES[state][3] in row["observaciones"] or (
                state not in WITH_EVIDENCE
            ), (state, row["observaciones"])


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
    assert rows[f"{ORG}/{PREFIX}-alumno008"]["estudiante"] == "alumno008"
    renamed = [name for name, state in states.items() if state == "renombrado"]
    assert "renombrado a" in rows[renamed[0]]["observaciones"]
    page = (folder / "informe" / "progreso.html").read_text(encoding="utf-8")
    assert page.count("<tr>") == 200 + 2  # cabecera, 200 filas y totales
    complete = sum(STATES[state][1] == "✅" for state in states.values())
    assert f"<td>{complete}/200</td>" in page  # total de la clase, Parte 2
    done_row = f"{ORG}/{PREFIX}-alumno011"
    assert states[done_row] == "completo"
    assert f"https://github.com/{done_row}/releases/tag/v0.1.0" in page
    assert f"https://github.com/{done_row}/blob/main/evidence/progreso.json" in page
    assert "📝" in page and "Informe hecho el 20" in page
    first_counts = dict(fake.statuses)
    assert first_counts.get(304, 0) == 0
    fake.reset_counts()

    second = report(args, fake, folder)
    assert second.returncode == 0, second.stderr
    assert read_csv(folder / "informe" / "progreso.csv").keys() == rows.keys()
    total = sum(fake.statuses.values())
    assert fake.statuses[304] >= 0.95 * total, dict(fake.statuses)
    assert "sin cambios, 304" in second.stdout
    cache = folder / ".xdg-cache" / "gitops-lab-informe"
    cache_text = "".join(
        path.read_text(encoding="utf-8") for path in cache.glob("*.json")
    )
    assert cache_text and not (folder / "informe" / ".cache").exists()
    assert_no_token(
        first.stdout,
        first.stderr,
        second.stdout,
        second.stderr,
        page,
        cache_text,
        (folder / "informe" / "progreso.csv").read_text(encoding="utf-8-sig"),
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
            assert rows[name]["comprobadas"] == "3"
            assert rows[name]["declaradas"] == "4"
        fresh = sum(count for status, count in fake.statuses.items() if status != 304)
        # Solo los repositorios que cambiaron (unas 10 consultas cada uno) y las
        # redirecciones sin caché del renombrado.
        assert 0 < fresh <= 10 * len(changed) + 2, dict(fake.statuses)


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
    students = [module.Student("", "", name) for name in states]
    with ClassroomGitHub(states) as fake:
        fake.faults.slow_seconds = 3.0
        fake.faults.slow_count = 1
        fake.faults.slow_pattern = r"/repos/[^/]+/[^/]+"
        client = module.GitHubClient(
            token=TOKEN, base_url=fake.url, timeout=1.0, backoff=(0.05, 0.05)
        )
        rows = module.build_rows(client, students, threads=1)
        assert client.stats.retries == 1
        assert all(
            row.problem == "" or "no existe" in row.problem or "vacío" in row.problem
            for row in rows
        )
        # Todas lentas: tras los reintentos, una fila que dice por qué.
        fake.faults.slow_count = None
        row = module.check_repository(client, students[5], PREFIX)
    assert row.progress is None and row.unread
    assert "tiempo de espera agotado" in row.problem
    assert "sin leer" in module.render_csv([row], "2026-12-06 10:00 UTC")


def test_a_sub_resource_failing_after_retries_is_unchecked_not_missing() -> None:
    """Un 502 que no se arregla en los comentarios: Parte 2 sin comprobar, nada más."""
    module = load_report()
    states = {name: state for name, state in generated_states(12).items()}
    name = next(name for name, state in states.items() if state == "completo")
    with ClassroomGitHub(states) as fake:
        fake.faults.bad_gateway = 1000
        fake.faults.bad_gateway_pattern = r".*/issues/1/comments"
        client = module.GitHubClient(
            token=TOKEN, base_url=fake.url, backoff=(0.01, 0.01)
        )
        row = module.check_repository(client, module.Student("", "", name))
    assert row.progress is not None and not row.unread
    part2 = row.progress.part("parte2")
    assert part2.state == "❔" and "502" in part2.evidence
    assert module.render_csv([row], "x").splitlines()[1].split(";")[4] == (
        "sin comprobar"
    )


def test_org_and_prefix_list_every_page_without_the_template(
    class_of_200: tuple[ClassroomGitHub, dict[str, str], Path],
) -> None:
    fake, states, _ = class_of_200
    load_report()
    roster = importlib.import_module("roster")
    client = load_report().GitHubClient(token=TOKEN, base_url=fake.url)
    found = {
        student.repository
        for student in roster.organization_repositories(client, ORG, PREFIX)
    }
    present = {name for name, state in states.items() if state != "inexistente"}
    renamed = {name for name, state in states.items() if state == "renombrado"}
    expected = (present - renamed) | {f"{name}-nuevo" for name in renamed}
    assert found == expected and len(found) > 100
    assert TEMPLATE not in found


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ([], "--clase CLASE.csv, con --repos ARCHIVO o con"),
        (["--org", ORG], "--prefix"),
        (["--repos", "no-existe.txt"], "no se pudo leer la lista"),
        (["--repos", "malo.txt"], "la línea 2 de malo.txt"),
        (["--repos", "repos.txt", "--hilos", "0"], "entre 1 y 64"),
        (["--clase", "clase-mala.csv"], "la línea 3 de clase-mala.csv"),
        (["--clase", "sin-usuario.csv"], "columna «usuario»"),
        (
            ["--repos", "repos.txt", "--api-url", "http://api.example.com"],
            "no es https",
        ),
        (
            ["--repos", "repos.txt", "--token-archivo", "no-hay"],
            "no se pudo leer el token",
        ),
    ],
)
def test_report_bad_input_is_one_spanish_line(
    tmp_path: Path, args: list[str], words: str
) -> None:
    (tmp_path / "malo.txt").write_text("a/b\nsolo-un-nombre\n", encoding="utf-8")
    (tmp_path / "repos.txt").write_text("a/b\n", encoding="utf-8")
    (tmp_path / "clase-mala.csv").write_text(
        "nombre,usuario\nAna,ana\nLuis,luis con espacios\n", encoding="utf-8"
    )
    (tmp_path / "sin-usuario.csv").write_text("nombre\nAna\n", encoding="utf-8")
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
    assert names == ["progreso.html"]


# --------------------------------------------------------------------------
# Nada lo para ni lo borra
# --------------------------------------------------------------------------


def previous_report(tmp_path: Path, states: dict[str, str]) -> tuple[str, str]:
    """Un informe bueno en tmp_path/informe; devuelve su CSV y su HTML."""
    with ClassroomGitHub(states) as fake:
        assert report(["--repos", "repos.txt"], fake, tmp_path).returncode == 0
    folder = tmp_path / "informe"
    return (
        (folder / "progreso.csv").read_text(encoding="utf-8-sig"),
        (folder / "progreso.html").read_text(encoding="utf-8"),
    )


def test_an_offline_run_keeps_the_previous_report_and_fails(tmp_path: Path) -> None:
    states = generated_states(10)
    (tmp_path / "repos.txt").write_text("\n".join(states) + "\n", encoding="utf-8")
    before = previous_report(tmp_path, states)
    result = run(
        [str(REPORT), "--repos", "repos.txt"],
        tmp_path,
        {"GITHUB_API_URL": "http://127.0.0.1:9", "GITHUB_TOKEN": TOKEN},
    )
    assert result.returncode == 1, result.stdout + result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("❌ Error: no se pudo leer 10 de 10 repositorios")
    assert "el informe anterior de informe queda como estaba" in last
    assert "sin conexión con http://127.0.0.1:9" in result.stderr
    assert "✅ Informe" not in result.stdout
    folder = tmp_path / "informe"
    after = (
        (folder / "progreso.csv").read_text(encoding="utf-8-sig"),
        (folder / "progreso.html").read_text(encoding="utf-8"),
    )
    assert after == before


def test_an_expired_token_keeps_the_previous_report(tmp_path: Path) -> None:
    states = generated_states(6)
    (tmp_path / "repos.txt").write_text("\n".join(states) + "\n", encoding="utf-8")
    before = previous_report(tmp_path, states)
    with ClassroomGitHub(states) as fake:
        result = report(["--repos", "repos.txt"], fake, tmp_path, token="caducado")
    assert result.returncode == 1
    assert "GitHub rechazó el token (401)" in result.stderr
    csv_text = (tmp_path / "informe" / "progreso.csv").read_text(encoding="utf-8-sig")
    assert csv_text == before[0]


def test_a_few_unread_repositories_are_rows_and_the_exit_code_says_so() -> None:
    module = load_report()
    states = generated_states(12)
    students = [module.Student("", "", name) for name in states]
    unread_name = students[7].repository
    with ClassroomGitHub(states) as fake:
        fake.faults.bad_gateway = 1000
        fake.faults.bad_gateway_pattern = f"/repos/{unread_name}"
        client = module.GitHubClient(token=TOKEN, base_url=fake.url, backoff=(0.01,))
        rows = module.build_rows(client, students, threads=2)
    unread = [row for row in rows if row.unread]
    assert [row.repository for row in unread] == [unread_name]
    assert "502" in unread[0].problem
    module.check_unread(rows, Path("informe"))  # 1 de 12: el informe se escribe
    with pytest.raises(module.LabError):
        module.check_unread(unread * 7 + rows[:6], Path("informe"))


@pytest.mark.parametrize(
    "evidence",
    [
        b'{"format": 1, "job": "texto"}',
        b'{"format": 1, "a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"format": 1, "training": {}, "model": {"version": "x"}, '
        b'"predictions": {"rows": 1}, "workspace": "mlw-clase"}',
        b"\x00\xff" * 1000,
    ],
    ids=["job-texto", "anidado", "del-issue", "binario"],
)
def test_one_students_hostile_evidence_never_stops_the_class(
    tmp_path: Path, evidence: bytes
) -> None:
    states = generated_states(12)
    (tmp_path / "repos.txt").write_text("\n".join(states) + "\n", encoding="utf-8")
    hostile = next(name for name, state in states.items() if state == "completo")
    with ClassroomGitHub(states) as fake:
        fake.set_evidence(hostile, evidence)
        result = report(["--repos", "repos.txt"], fake, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    rows = read_csv(tmp_path / "informe" / "progreso.csv")
    assert len(rows) == 12
    row = rows[hostile]
    assert row["parte2"] == "1" and row["parte3"] == "0" and row["parte6"] == "0"
    assert "evidence/progreso.json no sirve" in row["observaciones"], row
    others = [name for name, state in states.items() if state in WITH_EVIDENCE]
    assert all(
        rows[name]["parte3"] == "declarada" for name in others if name != hostile
    )


def test_the_csv_opens_in_a_spanish_excel_and_says_when(tmp_path: Path) -> None:
    states = generated_states(6)
    (tmp_path / "repos.txt").write_text("\n".join(states) + "\n", encoding="utf-8")
    with ClassroomGitHub(states) as fake:
        assert report(["--repos", "repos.txt"], fake, tmp_path).returncode == 0
    raw = (tmp_path / "informe" / "progreso.csv").read_bytes()
    assert raw.startswith("\ufeff".encode())  # UTF-8 con BOM: Excel lee las tildes
    header = raw.decode("utf-8-sig").splitlines()[0]
    assert header.split(";")[:3] == ["repositorio", "estudiante", "usuario"]
    assert "\r\n" in raw.decode("utf-8-sig")
    rows = list(read_csv(tmp_path / "informe" / "progreso.csv").values())
    assert (
        rows[0]["comprobado_el"].startswith("20") and "UTC" in rows[0]["comprobado_el"]
    )


def test_student_text_never_becomes_a_formula_or_markup() -> None:
    """Un título de pull request «=HYPERLINK(…)» o «<img>» llega como texto."""
    module = load_report()
    render = importlib.import_module("render")
    row = module.Row("a/b", "=1+1", "ana", None, '=HYPERLINK("http://x","nota")')
    text = module.render_csv([row], "x")
    assert "'=HYPERLINK" in text and ';"=HYPERLINK' not in text
    assert ";'=1+1;" in text
    row = module.Row("a/b", "<img src=x onerror=alert(1)>", "ana", None, "<b>x</b>")
    page = module.render_html([row], "x")
    assert "<img" not in page and "&lt;img" in page and "<b>x" not in page
    assert render.safe_url("javascript:alert(1)", "https://github.com/a/b") == (
        "https://github.com/a/b"
    )


def test_organisation_repositories_name_the_student_not_the_organisation(
    tmp_path: Path,
) -> None:
    """--repos con repositorios de la organización: el estudiante, nunca la org."""
    states = generated_states(8)
    (tmp_path / "repos.txt").write_text("\n".join(states) + "\n", encoding="utf-8")
    with ClassroomGitHub(states) as fake:
        result = report(["--repos", "repos.txt"], fake, tmp_path)
    rows = read_csv(tmp_path / "informe" / "progreso.csv")
    assert result.returncode == 0
    for name, row in rows.items():
        assert row["estudiante"] != ORG
        assert row["estudiante"] == name.split("/")[1].removeprefix(f"{PREFIX}-")


def test_the_roster_names_each_student(tmp_path: Path) -> None:
    states = generated_states(6)
    names = list(states)
    lines = ["nombre;usuario;repositorio"] + [
        f"Estudiante Ñandú {index};alumno{index};{name}"
        for index, name in enumerate(names)
    ]
    (tmp_path / "clase.csv").write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    with ClassroomGitHub(states) as fake:
        result = report(["--clase", "clase.csv"], fake, tmp_path)
    assert result.returncode == 0, result.stderr
    rows = read_csv(tmp_path / "informe" / "progreso.csv")
    assert [rows[name]["estudiante"] for name in names] == [
        f"Estudiante Ñandú {index}" for index in range(6)
    ]
    assert rows[names[2]]["usuario"] == "alumno2"


def test_api_url_token_file_and_timeout_are_options(tmp_path: Path) -> None:
    states = generated_states(4)
    (tmp_path / "repos.txt").write_text("\n".join(states) + "\n", encoding="utf-8")
    (tmp_path / "token.txt").write_text(TOKEN + "\n", encoding="utf-8")
    with ClassroomGitHub(states) as fake:
        args = [str(REPORT), "--repos", "repos.txt", "--api-url", fake.url]
        args += ["--token-archivo", "token.txt", "--timeout", "5"]
        result = run(args, tmp_path, {})
        assert result.returncode == 0, result.stderr
        assert fake.tokens_seen == {TOKEN}


def test_an_old_cache_beside_the_report_is_pointed_out(tmp_path: Path) -> None:
    states = generated_states(2)
    (tmp_path / "repos.txt").write_text("\n".join(states) + "\n", encoding="utf-8")
    (tmp_path / "informe" / ".cache").mkdir(parents=True)
    with ClassroomGitHub(states) as fake:
        result = report(["--repos", "repos.txt"], fake, tmp_path)
    assert "bórrala antes de compartir" in result.stderr


def test_report_reuses_the_labs_checks() -> None:
    """Una sola copia de las comprobaciones: el informe las importa del laboratorio."""
    text = REPORT.read_text(encoding="utf-8")
    assert "from course.progress import" in text
    assert "CONVENTIONAL_TITLE" not in text and "add-pr-comment" not in text


# --------------------------------------------------------------------------
# El flujo «Progreso» del laboratorio
# --------------------------------------------------------------------------


def test_progress_workflow_permissions_and_command() -> None:
    workflows = LAB / ".github" / "workflows"
    workflow: dict[Any, Any] = yaml.safe_load(
        (workflows / "progress.yml").read_text(encoding="utf-8")
    )
    job = workflow["jobs"]["progress"]
    assert job["permissions"] == {
        "contents": "read",
        "actions": "read",
        "pull-requests": "read",
    }
    command = job["steps"][-1]
    assert command["run"].startswith("python scripts/check_progress.py")
    assert "--sin-azure" in command["run"]
    assert command["env"]["GITHUB_TOKEN"] == "${{ github.token }}"
