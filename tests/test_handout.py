"""El reparto del laboratorio sin GitHub Classroom, de punta a punta (API falsa).

La lista de la clase entra (``clase.csv``, guardada desde Excel); ``handout.py``
crea el repositorio de cada estudiante desde la plantilla
(``POST /repos/{plantilla}/generate``) y lo invita como colaborador; la lista
sale con la columna ``repositorio`` completa (y todo lo demás como estaba); y
``report.py --clase`` escribe una fila por estudiante de la lista. Volver a
ejecutarlo no crea nada dos veces.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

from github_fake.classroom import ORG, PREFIX, TEMPLATE, TOKEN, ClassroomGitHub
from lab_copy import ROOT, netguard_copy

HANDOUT = ROOT / "instructor" / "handout.py"
REPORT = ROOT / "instructor" / "report.py"
NETGUARD = netguard_copy()
# Como la guarda Excel en español: punto y coma, BOM, una columna de más.
ROSTER = (
    "\ufeffnombre;usuario;repositorio;sección\r\n"
    "Ana Pérez;ana;;A\r\n"
    "Luis Núñez;luis;;B\r\n"
    "\r\n"
    "Sofía;sofia;https://github.com/sofia/mi-gitops;A\r\n"
    "José;@jose;;B\r\n"
)


def run(
    script: Path, args: list[str], cwd: Path, url: str
) -> subprocess.CompletedProcess[str]:
    """Un comando del profesor en ``cwd`` contra la API falsa, con su token."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("GITHUB_TOKEN", "GH_TOKEN", "GITHUB_API_URL")
    }
    env.update(
        {
            "GITHUB_API_URL": url,
            "GITHUB_TOKEN": TOKEN,
            "PYTHONPATH": str(NETGUARD),
            "PYTHONIOENCODING": "utf-8",
            "XDG_CACHE_HOME": str(cwd / ".cache"),
        }
    )
    return subprocess.run(
        [sys.executable, str(script), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )


def handout(cwd: Path, url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    """``handout.py`` con la plantilla y la organización de la clase."""
    args = ["--clase", "clase.csv", "--plantilla", TEMPLATE, "--org", ORG]
    return run(HANDOUT, [*args, "--pausa", "0", *extra], cwd, url)


def test_roster_in_repositories_out_report_with_one_row_per_student(
    tmp_path: Path,
) -> None:
    (tmp_path / "clase.csv").write_text(ROSTER, encoding="utf-8", newline="")
    with ClassroomGitHub({}) as fake:
        fake.add("sofia/mi-gitops", "completo", 77).owner_type = "User"
        first = handout(tmp_path, fake.url)
        assert first.returncode == 0, first.stdout + first.stderr
        created = {f"{ORG}/{PREFIX}-{user}" for user in ("ana", "luis", "jose")}
        assert created <= {repo.full_name for repo in fake.repos.values()}
        for name in created:
            assert fake.repos[name.lower()].private  # privados por omisión
        assert sorted(fake.invitations) == sorted(
            (f"{ORG}/{PREFIX}-{user}", user, "push") for user in ("ana", "luis", "jose")
        )
        assert "sofia/mi-gitops: ya existía; es su dueño" in first.stdout

        report = run(REPORT, ["--clase", "clase.csv"], tmp_path, fake.url)
        assert report.returncode == 0, report.stdout + report.stderr

        again = handout(tmp_path, fake.url)
        assert again.returncode == 0, again.stderr
        assert again.stdout.count("ya existía") == 4
        assert again.stdout.count("ya colabora") == 3
        assert len(fake.invitations) == 3

    with (tmp_path / "clase.csv").open(encoding="utf-8-sig", newline="") as handle:
        roster = list(csv.reader(handle, delimiter=";"))
    assert roster[0] == ["nombre", "usuario", "repositorio", "sección"]
    assert roster[1] == ["Ana Pérez", "ana", f"{ORG}/{PREFIX}-ana", "A"]
    assert roster[2] == ["Luis Núñez", "luis", f"{ORG}/{PREFIX}-luis", "B"]
    assert roster[3] == []  # la línea en blanco sigue ahí
    assert roster[4][2] == "https://github.com/sofia/mi-gitops"  # tal cual
    assert roster[5] == ["José", "@jose", f"{ORG}/{PREFIX}-jose", "B"]

    with (tmp_path / "informe" / "progreso.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    assert [row["estudiante"] for row in rows] == [
        "Ana Pérez",
        "Luis Núñez",
        "Sofía",
        "José",
    ]
    assert [row["usuario"] for row in rows] == ["ana", "luis", "sofia", "jose"]
    # Recién creados desde la plantilla: la Parte 1 hecha, el resto por hacer.
    assert [row["parte1"] for row in rows] == ["1", "1", "1", "1"]
    assert rows[0]["parte2"] == "0" and rows[2]["parte2"] == "1"
    assert rows[2]["parte3"] == "declarada"


def test_one_student_failing_does_not_stop_the_others(tmp_path: Path) -> None:
    (tmp_path / "clase.csv").write_text(ROSTER, encoding="utf-8", newline="")
    with ClassroomGitHub({}) as fake:
        fake.add("sofia/mi-gitops", "completo", 77).owner_type = "User"
        fake.faults.forbidden_pattern = r".*/collaborators/luis"
        result = handout(tmp_path, fake.url)
    assert result.returncode == 1
    assert "❌ utec-mlops/gitops-lab-luis: GitHub no invitó a luis" in result.stdout
    assert "1 estudiantes sin repositorio" in result.stderr
    assert f"{ORG}/{PREFIX}-jose" in (tmp_path / "clase.csv").read_text("utf-8-sig")


def test_a_template_not_marked_as_template_is_one_spanish_line(tmp_path: Path) -> None:
    (tmp_path / "clase.csv").write_text(ROSTER, encoding="utf-8", newline="")
    before = (tmp_path / "clase.csv").read_bytes()
    with ClassroomGitHub({}) as fake:
        fake.repos[TEMPLATE.lower()].is_template = False
        result = handout(tmp_path, fake.url)
        assert len(fake.repos) == 1
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "no está marcado como plantilla" in lines[0]
    assert "Template repository" in lines[0]
    assert (tmp_path / "clase.csv").read_bytes() == before


def test_a_bad_roster_line_names_the_line_and_creates_nothing(tmp_path: Path) -> None:
    roster = "nombre,usuario\nAna,ana\nLuis,luis/otro\n"
    (tmp_path / "clase.csv").write_text(roster, encoding="utf-8")
    with ClassroomGitHub({}) as fake:
        result = handout(tmp_path, fake.url)
        assert len(fake.repos) == 1
    assert result.returncode == 1
    assert "la línea 3 de clase.csv" in result.stderr
    assert (tmp_path / "clase.csv").read_text(encoding="utf-8") == roster
