"""Reparte el laboratorio: un repositorio por estudiante, creado desde la plantilla.

Sin GitHub Classroom (retirado el 28 de agosto de 2026): la carpeta
``labs/gitops-workflow/`` se publica una vez como repositorio plantilla
(*template repository*, ver ``instructor/README.md``), y este comando lee la
lista de la clase (``clase.csv``: nombre, usuario de GitHub y repositorio) y,
para cada estudiante:

1. crea su repositorio desde la plantilla en tu organización
   (``POST /repos/{plantilla}/generate``; nombre ``PREFIJO-USUARIO`` si la
   lista no dice otro), o lo deja si ya existe (lo creó antes este comando o
   el propio estudiante con «Use this template»);
2. lo invita como colaborador con permiso de escritura
   (``PUT /repos/{repo}/collaborators/{usuario}``): recibe un correo y acepta.

Al terminar, completa la columna ``repositorio`` de la lista: el informe
(``report.py --clase clase.csv``) la lee tal cual. Se puede ejecutar de nuevo
(con estudiantes nuevos en la lista): lo que ya existe no se toca.

Uso: python instructor/handout.py --clase clase.csv --org ORG
       --plantilla ORG/gitops-lab-plantilla
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import _course  # noqa: F401  pone el código del laboratorio en sys.path
from course.github_api import GitHubClient, GitHubUnavailable
from labkit.cli import LabError, atomic_output, build_parser, report_errors
from report import add_github_arguments, make_client
from roster import (
    DEFAULT_PREFIX,
    GITHUB_USER,
    Student,
    fill_repository_column,
    read_roster,
    repository_name,
)

# GitHub pide espaciar las peticiones que crean contenido (límite secundario).
DEFAULT_PAUSE = 1.0


def check_template(client: GitHubClient, template: str) -> None:
    """Que ``template`` exista y esté marcado como plantilla (``is_template``)."""
    answer = client.get(f"/repos/{template}")
    if answer.status != 200 or not isinstance(answer.data, dict):
        raise LabError(
            f"no se encontró la plantilla {template} (GitHub respondió "
            f"{answer.status}). Revisa el nombre y que tu token pueda leerla."
        )
    if not answer.data.get("is_template"):
        raise LabError(
            f"{template} no está marcado como plantilla: en GitHub, Settings → "
            "General → Template repository (o gh repo edit --template), y "
            "vuelve a ejecutar."
        )


def create_repository(
    client: GitHubClient, template: str, repository: str, private: bool
) -> str:
    """Crea ``repository`` desde la plantilla; dice qué pasó (o lanza LabError)."""
    if client.get(f"/repos/{repository}").status == 200:
        return "ya existía"
    owner, name = repository.split("/")
    body = {
        "owner": owner,
        "name": name,
        "private": private,
        "include_all_branches": False,
        "description": "Laboratorio GitOps para Azure ML",
    }
    answer = client.send("POST", f"/repos/{template}/generate", body)
    if answer.status == 201:
        return "creado desde la plantilla"
    message = str((answer.data or {}).get("message", "")) if answer.data else ""
    if answer.status == 422 and "already exists" in message:
        return "ya existía"
    raise LabError(
        f"GitHub no creó {repository} ({answer.status}: {message[:120]}). Revisa "
        "que tu token pueda crear repositorios en esa cuenta u organización."
    )


def invite(client: GitHubClient, repository: str, user: str) -> str:
    """Invita a ``user`` a ``repository`` con permiso de escritura."""
    if repository.split("/")[0].lower() == user.lower():
        return "es su dueño"
    answer = client.send(
        "PUT", f"/repos/{repository}/collaborators/{user}", {"permission": "push"}
    )
    if answer.status == 201:
        return f"invitación enviada a {user}"
    if answer.status == 204:
        return f"{user} ya colabora"
    raise LabError(
        f"GitHub no invitó a {user} a {repository} (respondió {answer.status}). "
        "Revisa el usuario en la lista."
    )


def hand_out(  # pylint: disable=too-many-arguments
    client: GitHubClient,
    students: Sequence[Student],
    template: str,
    org: str,
    prefix: str,
    private: bool = True,
    pause: float = DEFAULT_PAUSE,
) -> list[str]:
    """Crea e invita a cada estudiante; devuelve los que fallaron (con el motivo)."""
    failed: list[str] = []
    for student in students:
        student.repository = student.repository or f"{org}/{prefix}-{student.user}"
        try:
            created = create_repository(client, template, student.repository, private)
            invited = invite(client, student.repository, student.user)
        except (LabError, GitHubUnavailable) as error:
            failed.append(f"{student.user}: {error}")
            print(f"❌ {student.repository}: {error}")
            continue
        print(f"✅ {student.repository}: {created}; {invited}")
        time.sleep(pause)
    return failed


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """Las opciones del reparto."""
    parser = build_parser(__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument(
        "--clase",
        metavar="CSV",
        type=Path,
        required=True,
        help="lista de la clase: CSV con nombre, usuario y repositorio",
    )
    parser.add_argument(
        "--plantilla",
        metavar="OWNER/REPO",
        required=True,
        help="el repositorio plantilla con el laboratorio",
    )
    parser.add_argument(
        "--org", metavar="ORG", required=True, help="dónde crear los repositorios"
    )
    parser.add_argument(
        "--prefijo",
        metavar="PREFIJO",
        default=DEFAULT_PREFIX,
        help="nombre de cada repositorio: PREFIJO-USUARIO",
    )
    parser.add_argument(
        "--publicos",
        action="store_true",
        help="crea los repositorios públicos (por omisión, privados)",
    )
    parser.add_argument(
        "--pausa",
        metavar="SEGUNDOS",
        type=float,
        default=DEFAULT_PAUSE,
        help="espera entre estudiantes (GitHub limita crear muy seguido)",
    )
    add_github_arguments(parser)
    args = parser.parse_args(argv)
    if not repository_name(args.plantilla):
        raise LabError(f"--plantilla {args.plantilla!r} no es owner/repo.")
    if not GITHUB_USER.fullmatch(args.org):
        raise LabError(f"--org {args.org!r} no es un nombre de organización.")
    if not 0 <= args.pausa <= 60:
        raise LabError("--pausa va de 0 a 60 segundos.")
    return args


@report_errors
def main(argv: Sequence[str] | None = None) -> int:
    """Lee la lista, crea e invita, y guarda la lista con los repositorios."""
    args = parse_arguments(argv)
    students = read_roster(args.clase)
    client = make_client(args, None)
    if not client.authenticated:
        raise LabError(
            "hace falta un token que pueda crear repositorios: gh auth login (o "
            "GITHUB_TOKEN, o --token-archivo)."
        )
    try:
        check_template(client, repository_name(args.plantilla))
    except GitHubUnavailable as error:
        raise LabError(f"no se pudo consultar GitHub: {error}.") from None
    failed = hand_out(
        client,
        students,
        repository_name(args.plantilla),
        args.org,
        args.prefijo,
        private=not args.publicos,
        pause=args.pausa,
    )
    filled = fill_repository_column(args.clase, students)
    with atomic_output(args.clase) as temporary:
        temporary.write_text(filled, encoding="utf-8-sig", newline="")
    print(f"📝 {args.clase} tiene ahora el repositorio de cada estudiante.")
    if failed:
        print(f"⚠️  {len(failed)} estudiantes sin repositorio:", file=sys.stderr)
        for line in failed:
            print(f"   {line}", file=sys.stderr)
        return 1
    print(
        f"🎉 {len(students)} repositorios listos. El informe: python "
        f"instructor/report.py --clase {args.clase}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
