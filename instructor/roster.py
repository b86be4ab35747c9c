"""La lista de la clase: quién es cada estudiante y cuál es su repositorio.

Tres formas de dar la lista al informe (``report.py``) y al reparto
(``handout.py``):

- **la lista de la clase** (``--clase clase.csv``): un CSV con las columnas
  ``nombre``, ``usuario`` (su usuario de GitHub) y ``repositorio``
  (``owner/repo`` o su URL). Se guarda desde Excel o Google Sheets tal cual:
  con comas o con punto y coma, con o sin BOM. Si ``repositorio`` está vacío,
  el reparto lo completa;
- **una lista de repositorios** (``--repos repos.txt``): una línea
  ``owner/repo`` (o su URL) por estudiante; ``#`` comenta;
- **una organización y un prefijo** (``--org ORG --prefix gitops-lab``): sus
  repositorios cuyo nombre empieza por el prefijo (sin las plantillas).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from course.github_api import GitHubClient
from course.local_facts import github_repository
from labkit.cli import LabError

# Un usuario de GitHub: letras, números y guiones sueltos, hasta 39.
GITHUB_USER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
REPOSITORY = re.compile(r"[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}")
MAX_ROSTER_BYTES = 1024 * 1024
MAX_STUDENTS = 2000
COLUMNS = ("nombre", "usuario", "repositorio")
# El prefijo de los repositorios que crea handout.py (PREFIJO-USUARIO).
DEFAULT_PREFIX = "gitops-lab"


@dataclass
class Student:
    """Una línea de la lista: el nombre, el usuario de GitHub y su repositorio."""

    name: str
    user: str
    repository: str
    line: int = 0


def _read_text(path: Path, what: str) -> str:
    try:
        if path.stat().st_size > MAX_ROSTER_BYTES:
            raise LabError(f"{path} pasa de 1 MB: no parece {what}.")
        return path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise LabError(
            f"no se pudo leer {what} {path} ({error.strerror}). Revisa la ruta."
        ) from None
    except UnicodeDecodeError:
        raise LabError(
            f"{path} no está en UTF-8: guárdalo como «CSV UTF-8» (Excel) o «CSV» "
            "(Google Sheets)."
        ) from None


def repository_name(text: str) -> str:
    """``owner/repo`` de un texto (``owner/repo`` o URL de GitHub), o ""."""
    text = text.strip()
    name = github_repository(text) or text.removesuffix(".git")
    return name if REPOSITORY.fullmatch(name) else ""


def _csv_rows(text: str) -> list[list[str]]:
    """Las filas de un CSV de Excel o Google Sheets (con comas o punto y coma)."""
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def read_roster(path: Path) -> list[Student]:
    """Las líneas de la lista de la clase (CSV con nombre, usuario, repositorio)."""
    rows = _csv_rows(_read_text(path, "la lista de la clase"))
    header = [name.strip().lower() for name in (rows[0] if rows else [])]
    if "usuario" not in header:
        raise LabError(
            f"{path} no tiene la columna «usuario» en la primera línea: escribe "
            "nombre,usuario,repositorio como cabecera."
        )
    if len(rows) > MAX_STUDENTS + 1:
        raise LabError(f"{path} tiene más de {MAX_STUDENTS} estudiantes.")
    students: list[Student] = []
    for number, row in enumerate(rows[1:], start=2):
        student = _student(dict(zip(header, row)), number, path)
        if student is not None:
            students.append(student)
    if not students:
        raise LabError(f"{path} no tiene ningún estudiante (una línea por estudiante).")
    _check_unique(students, path)
    return students


def _student(row: dict[str, str], number: int, path: Path) -> Student | None:
    values = {column: (row.get(column) or "").strip() for column in COLUMNS}
    if not any(values.values()):
        return None
    user = values["usuario"].removeprefix("@")
    if not GITHUB_USER.fullmatch(user):
        raise LabError(
            f"la línea {number} de {path.name} no tiene un usuario de GitHub válido "
            f"({user[:40]!r}): escribe el usuario tal como aparece en github.com."
        )
    repository = ""
    if values["repositorio"]:
        repository = repository_name(values["repositorio"])
        if not repository:
            raise LabError(
                f"la línea {number} de {path.name} tiene un repositorio que no es "
                f"owner/repo ({values['repositorio'][:60]!r}): corrígelo o déjalo "
                "vacío."
            )
    return Student(values["nombre"][:100] or user, user, repository, number)


def _check_unique(students: list[Student], path: Path) -> None:
    seen: dict[str, int] = {}
    for student in students:
        key = student.user.lower()
        if key in seen:
            raise LabError(
                f"el usuario {student.user} aparece dos veces en {path.name} "
                f"(líneas {seen[key]} y {student.line}): deja una."
            )
        seen[key] = student.line


def fill_repository_column(path: Path, students: list[Student]) -> str:
    """La lista de la clase tal cual, con la columna ``repositorio`` completa.

    Se conservan las demás columnas y líneas, el separador y el orden: solo
    se completan las celdas vacías de ``repositorio`` (o se añade la columna).
    """
    text = _read_text(path, "la lista de la clase")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = _csv_rows(text)
    header = [name.strip().lower() for name in rows[0]]
    if "repositorio" not in header:
        rows[0].append("repositorio")
        header.append("repositorio")
    column = header.index("repositorio")
    by_line = {student.line: student.repository for student in students}
    for number, row in enumerate(rows[1:], start=2):
        if number in by_line:
            row.extend([""] * (column + 1 - len(row)))
            row[column] = row[column].strip() or by_line[number]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def read_repository_list(path: Path) -> list[Student]:
    """Los ``owner/repo`` de un archivo (una línea cada uno, # comenta)."""
    text = _read_text(path, "la lista de repositorios")
    students: list[Student] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        name = repository_name(entry)
        if not name:
            raise LabError(
                f"la línea {number} de {path} ({entry[:60]!r}) no es un repositorio: "
                "escribe owner/repo (por ejemplo utec-mlops/gitops-lab-ana)."
            )
        if name.lower() not in seen:
            seen.add(name.lower())
            students.append(Student("", "", name, number))
    if not students:
        raise LabError(f"{path} no tiene ningún repositorio (una línea owner/repo).")
    return students


def organization_repositories(
    client: GitHubClient, org: str, prefix: str
) -> list[Student]:
    """Los repositorios de ``org`` que empiezan por ``prefix`` (sin plantillas)."""
    answer = client.get_list(f"/orgs/{org}/repos", {"type": "all"})
    if answer.status != 200:
        raise LabError(
            f"no se pudo listar los repositorios de la organización {org} "
            f"(GitHub respondió {answer.status}). Revisa el nombre y que tu "
            "token tenga acceso a ella (gh auth login)."
        )
    found = sorted(
        (
            str(item.get("full_name"))
            for item in answer.data
            if str(item.get("name", "")).lower().startswith(prefix.lower())
            and not item.get("is_template")
        ),
        key=str.lower,
    )
    if not found:
        raise LabError(
            f"la organización {org} no tiene repositorios que empiecen por "
            f"{prefix!r}. Revisa el prefijo (--prefix)."
        )
    return [Student("", "", name) for name in found]


def student_name(repository: str, prefix: str, owner_type: str) -> str:
    """El estudiante de un repositorio sin lista de la clase.

    Si el dueño es una persona (``User``), es el estudiante. Si no (una
    organización, o un repositorio que no se pudo leer), el estudiante es lo
    que sigue al prefijo del nombre (``gitops-lab-ana`` → ana), o el nombre
    entero: nunca la organización.
    """
    owner, name = repository.split("/")
    if owner_type == "User":
        return owner
    prefix = prefix or DEFAULT_PREFIX
    rest = name[len(prefix) :].lstrip("-_")
    if name.lower().startswith(prefix.lower()) and rest:
        return rest
    return name if owner_type == "Organization" else owner
