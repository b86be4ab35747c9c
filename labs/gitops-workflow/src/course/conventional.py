"""La regla de los mensajes de commit (Conventional Commits) y la versión que dan.

CD calcula la versión de cada release con PaulHatch/semantic-version a partir
de los mensajes de commit desde la última etiqueta. Este módulo define esa
regla una sola vez, para todo el laboratorio:

- los patrones que recibe la acción (``SEMANTIC_VERSION_INPUTS``, los mismos
  que ``.github/workflows/reusable_semantic_version.yml``: una prueba lo
  comprueba) y cómo los aplica la acción (:func:`bump_of`, :func:`next_version`);
- la forma que debe tener un mensaje (:func:`check_message`), que revisan el
  hook ``commit-msg`` de pre-commit y CI en el título y los commits de cada
  pull request (``scripts/check_commit_message.py``).

Solo usa la biblioteca estándar y no lee nada de git: recibe los mensajes ya
leídos, así se prueba con listas de textos.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Los tipos admitidos, con lo que significan y cuánto suben la versión.
TYPES: dict[str, str] = {
    "feat": "funcionalidad nueva",
    "fix": "corrección de un error",
    "docs": "solo documentación",
    "style": "formato, sin cambiar lo que hace el código",
    "refactor": "reorganiza el código sin cambiar lo que hace",
    "perf": "mejora de rendimiento",
    "test": "pruebas",
    "build": "dependencias o empaquetado",
    "ci": "flujos de CI/CD",
    "chore": "mantenimiento",
    "revert": "deshace un commit anterior",
}

# Las entradas de PaulHatch/semantic-version (reusable_semantic_version.yml).
# Un patrón entre barras es una expresión regular (sin barras, la acción busca
# el texto literal); se prueba contra el título y contra el cuerpo. Con la
# bandera m, ^ es el comienzo de cada línea: «BREAKING CHANGE:» cuenta solo al
# comienzo de una línea (el pie del commit), no en medio de una frase.
# El ámbito, «(…)», no cruza líneas ni paréntesis ([^()\r\n]*): así cada
# línea se recorre una sola vez y un cuerpo de 1 MB se revisa en milisegundos,
# aquí y en el motor de JavaScript de la acción. Con [^)]* cada línea que
# empieza con «palabra(» recorría el resto del cuerpo: tiempo cuadrático.
MAJOR_PATTERN = r"^\w+(\([^()\r\n]*\))?!:|^BREAKING[ -]CHANGE:"
MINOR_PATTERN = r"^feat(\([^()\r\n]*\))?:"
SEMANTIC_VERSION_INPUTS: dict[str, str | bool] = {
    "tag_prefix": "v",
    "major_pattern": f"/{MAJOR_PATTERN}/",
    "major_regexp_flags": "m",
    "minor_pattern": f"/{MINOR_PATTERN}/",
    "search_commit_body": True,
    "version_format": "${major}.${minor}.${patch}",
}
TAG_PREFIX = "v"
TAG_PATTERN = re.compile(r"^v[0-9]+\.[0-9]+\.[0-9]+$")
# Los push a main que solo cambian estos archivos no disparan CD (cd.yml,
# paths-ignore): no publican versión. Sus commits cuentan en la siguiente.
CD_PATHS_IGNORE = ("**.md", ".gitignore")

# re.ASCII: \w es [A-Za-z0-9_], como en JavaScript (la acción es de Node).
_MAJOR = re.compile(MAJOR_PATTERN, re.MULTILINE | re.ASCII)
_MINOR = re.compile(MINOR_PATTERN, re.ASCII)
_TITLE = re.compile(
    r"^(?P<type>[a-z]+)(?P<scope>\([^()]+\))?(?P<breaking>!)?: (?P<description>\S.*)$"
)
# Mensajes que escribe git por ti: se aceptan tal cual.
_AUTOMATIC = re.compile(r'^(Merge |Revert "|fixup! |squash! |amend! )')

RULE = (
    "«tipo: descripción» o «tipo(ámbito): descripción», "
    "con el tipo en minúsculas (" + ", ".join(TYPES) + "), un espacio después "
    "de los dos puntos y «!» antes de ellos si el cambio es incompatible"
)
EXAMPLES = "«feat: añade la firma al entrenamiento» o «fix: corrige el umbral»"

BUMP_ORDER = ("none", "patch", "minor", "major")
BUMP_LABELS = {
    "major": "cambio incompatible",
    "minor": "feat",
    "patch": "parche",
    "none": "sin cambios",
}
BUMP_EXPLAINED = {
    "major": "versión mayor (cambio incompatible)",
    "minor": "versión menor (funcionalidad nueva)",
    "patch": "parche",
    "none": "no cambia la versión",
}


@dataclass(frozen=True)
class Commit:
    """Un mensaje de commit, como lo lee la acción: título y cuerpo."""

    subject: str
    body: str = ""

    @classmethod
    def from_message(cls, message: str) -> Commit:
        """Separa un mensaje completo en título (primer párrafo) y cuerpo.

        Un BOM de UTF-8 al comienzo (lo ponen algunos editores de Windows) no
        es parte del mensaje.
        """
        text = message.strip().lstrip("\ufeff").strip()
        first, _, rest = text.partition("\n\n")
        return cls(" ".join(first.split("\n")).strip(), rest.strip())


@dataclass(frozen=True)
class Verdict:
    """Si un mensaje sigue la regla; si no, qué falla y cómo arreglarlo."""

    ok: bool
    problem: str = ""
    fix: str = ""


def _with_type(text: str) -> str:
    description = text.strip().rstrip(".") or "qué cambia"
    return (
        f"pon el tipo delante: «feat: {description}» si añade algo, "
        f"«fix: {description}» si corrige un error"
    )


def check_message(message: str) -> Verdict:
    """Revisa el título de un mensaje (o de un pull request) contra la regla."""
    subject = Commit.from_message(message).subject
    if not subject:
        return Verdict(False, "el mensaje está vacío", f"escribe uno como {EXAMPLES}")
    if _AUTOMATIC.match(subject):
        return Verdict(True)
    match = _TITLE.match(subject)
    if match and match.group("type") in TYPES:
        return Verdict(True)
    return _diagnose(subject)


def _diagnose(subject: str) -> Verdict:
    """Qué le falta a un título que no sigue la regla, y cómo queda arreglado."""
    head = re.match(r"^(?P<type>[A-Za-z]+)(\([^()]*\))?!?\s*:\s*(?P<rest>.*)$", subject)
    if head is None:
        return Verdict(
            False,
            "no empieza con un tipo seguido de dos puntos",
            _with_type(subject),
        )
    kind, rest = head.group("type"), head.group("rest")
    if kind.lower() not in TYPES:
        return Verdict(
            False,
            f"«{kind}» no es uno de los tipos ({', '.join(TYPES)})",
            f"usa el que corresponda, por ejemplo «feat: {rest}»",
        )
    if kind != kind.lower():
        fixed = subject.replace(kind, kind.lower(), 1)
        return Verdict(
            False, f"el tipo «{kind}» va en minúsculas", f"escribe «{fixed}»"
        )
    if not rest:
        return Verdict(
            False,
            "falta la descripción después de los dos puntos",
            f"escribe qué cambia: «{kind}: …»",
        )
    fixed = re.sub(r"\s*:\s*", ": ", subject, count=1)
    return Verdict(
        False,
        "los dos puntos van pegados al tipo y seguidos de un espacio",
        f"escribe «{fixed}»",
    )


def bump_of(commit: Commit) -> str:
    """major, minor o patch: lo que la acción deduce de un commit."""
    if _MAJOR.search(commit.subject) or _MAJOR.search(commit.body):
        return "major"
    if _MINOR.search(commit.subject) or _MINOR.search(commit.body):
        return "minor"
    return "patch"


def overall_bump(commits: Iterable[Commit]) -> str:
    """El mayor cambio de todos los commits (none si no hay ninguno)."""
    return max((bump_of(c) for c in commits), key=BUMP_ORDER.index, default="none")


def parse_tag(tag: str) -> tuple[int, int, int] | None:
    """(1, 2, 3) para «v1.2.3»; None si no es una etiqueta de versión."""
    if not TAG_PATTERN.match(tag):
        return None
    major, minor, patch = tag[len(TAG_PREFIX) :].split(".")
    return int(major), int(minor), int(patch)


def next_version(
    last: tuple[int, int, int] | None, commits: Sequence[Commit]
) -> tuple[tuple[int, int, int], str]:
    """La versión siguiente y el tipo de cambio, como los calcula la acción.

    ``last`` es la versión de la última etiqueta (None sin etiquetas: se parte
    de 0.0.0) y ``commits`` los commits desde ella.
    """
    major, minor, patch = last or (0, 0, 0)
    bump = overall_bump(commits)
    if bump == "major":
        return (major + 1, 0, 0), bump
    if bump == "minor":
        return (major, minor + 1, 0), bump
    if bump == "patch":
        return (major, minor, patch + 1), bump
    return (major, minor, patch), bump


def version_tag(version: tuple[int, int, int]) -> str:
    """«v1.2.3»."""
    return TAG_PREFIX + ".".join(str(part) for part in version)


def ignored_by_cd(paths: Iterable[str]) -> bool:
    """Si todos los archivos cambiados están en ``paths-ignore`` de cd.yml."""
    changed = list(paths)
    return bool(changed) and all(
        any(fnmatch.fnmatchcase(path, pattern) for pattern in CD_PATHS_IGNORE)
        for path in changed
    )
