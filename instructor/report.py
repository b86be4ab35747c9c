"""Informe del profesor: el progreso de toda la clase, sin clonar ningún repositorio.

Lee la lista de la clase (``--clase clase.csv``: nombre, usuario de GitHub y
repositorio de cada estudiante; o ``--repos`` con una línea ``owner/repo``
por estudiante; o ``--org`` y ``--prefix``), consulta la API de GitHub con
las mismas comprobaciones que ``scripts/check_progress.py`` del laboratorio
(``course``, la misma copia) y escribe ``progreso.csv`` (para el libro de
notas) y ``progreso.html`` (una fila por estudiante, una columna por parte,
cada celda enlazada a su evidencia y los totales de la clase).

Pensado para 200 repositorios: consultas en paralelo (``--hilos``), listas
leídas enteras (todas sus páginas), peticiones condicionales con caché en
disco (la segunda pasada solo cuesta lo que cambió), esperas cuando GitHub
pide esperar y reintentos ante sus fallos. Un repositorio que no existe, es
privado, está vacío, cambió de nombre o no se pudo leer es una fila que lo
dice. Si no se pudo leer la mayoría (sin red, un token caducado), el informe
anterior queda como estaba y el código de salida es 1.

Uso: python instructor/report.py --clase clase.csv
     python instructor/report.py --repos repos.txt
     python instructor/report.py --org MI-ORG --prefix gitops-lab
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import _course  # noqa: F401  pone el código del laboratorio en sys.path
from course.github_api import GitHubClient, GitHubUnavailable, api_url, clock_text
from course.github_facts import fetch_github
from course.progress import evaluate
from labkit.cli import LabError, build_parser, report_errors
from render import CSV_NAME, HTML_NAME, Row, render_csv, render_html, write_outputs
from roster import (
    Student,
    organization_repositories,
    read_repository_list,
    read_roster,
    student_name,
)

DEFAULT_THREADS = 8
DEFAULT_REPOSITORY_NAME = "gitops-lab"


class ProgressBar:
    """Una barra de progreso en stderr que los avisos de espera no rompen."""

    def __init__(self, total: int, stream: io.TextIOBase | None = None) -> None:
        self.total = total
        self.done = 0
        self.stream = stream or sys.stderr
        self._lock = threading.Lock()

    def _draw(self) -> None:
        # En un archivo (no una terminal), una línea cada 10 %.
        step = max(self.total // 10, 1)
        if not self.stream.isatty() and self.done % step and self.done != self.total:
            return
        width = 30
        filled = width * self.done // max(self.total, 1)
        line = "#" * filled + "-" * (width - filled)
        self.stream.write(f"\r[{line}] {self.done}/{self.total} repositorios")
        self.stream.flush()

    def advance(self) -> None:
        """Un repositorio más."""
        with self._lock:
            self.done += 1
            self._draw()

    def message(self, text: str) -> None:
        """Una línea de aviso sobre la barra, que se vuelve a dibujar debajo."""
        with self._lock:
            self.stream.write(f"\r{text}\n")
            self._draw()

    def finish(self) -> None:
        """Termina la línea de la barra."""
        with self._lock:
            self.stream.write("\n")
            self.stream.flush()


# --------------------------------------------------------------------------
# Las consultas, en paralelo
# --------------------------------------------------------------------------


def check_repository(client: GitHubClient, student: Student, prefix: str = "") -> Row:
    """La fila de un estudiante; cualquier fallo es una fila que lo dice."""
    repository = student.repository
    try:
        facts = fetch_github(client, repository)
    except GitHubUnavailable as error:
        reason = client.redact(str(error))
        name = student.name or student_name(repository, prefix, "")
        return Row(repository, name, student.user, None, f"sin leer: {reason}", True)
    except Exception as error:  # pylint: disable=broad-exception-caught
        # Un repositorio nunca para el informe de los demás: lo que sea que
        # responda GitHub (o el estudiante), queda en su fila.
        name = student.name or student_name(repository, prefix, "")
        problem = f"sin leer: error inesperado al leerlo ({type(error).__name__})"
        return Row(repository, name, student.user, None, problem, True)
    owner_type = str((facts.info.get("owner") or {}).get("type", ""))
    name = student.name or student_name(repository, prefix, owner_type)
    progress = evaluate(None, facts)
    problem = f"el repositorio {facts.problem}" if facts.problem else ""
    return Row(repository, name, student.user, progress, problem)


def build_rows(
    client: GitHubClient,
    students: Sequence[Student],
    prefix: str = "",
    threads: int = DEFAULT_THREADS,
    advance: Callable[[], None] = lambda: None,
) -> list[Row]:
    """Las filas en el orden de la lista, con ``threads`` consultas a la vez."""

    def one(student: Student) -> Row:
        row = check_repository(client, student, prefix)
        advance()
        return row

    with ThreadPoolExecutor(max_workers=max(threads, 1)) as pool:
        return list(pool.map(one, students))


def unread_summary(rows: Sequence[Row]) -> list[str]:
    """Las razones por las que no se leyeron repositorios, agrupadas y contadas."""
    reasons = Counter(
        row.problem.removeprefix("sin leer: ") for row in rows if row.unread
    )
    return [f"   {count} × {reason}" for reason, count in reasons.most_common(5)]


def check_unread(rows: Sequence[Row], folder: Path) -> None:
    """Si no se leyó la mayoría, el informe anterior queda: ``LabError``."""
    unread = sum(row.unread for row in rows)
    if unread * 2 <= len(rows):
        return
    print("No se pudieron leer:", file=sys.stderr)
    for line in unread_summary(rows):
        print(line, file=sys.stderr)
    raise LabError(
        f"no se pudo leer {unread} de {len(rows)} repositorios: el informe anterior "
        f"de {folder} queda como estaba. Revisa la conexión, la URL de la API y el "
        "token, y vuelve a ejecutarlo."
    )


# --------------------------------------------------------------------------
# El comando
# --------------------------------------------------------------------------


def positive(text: str, top: int = 64) -> int:
    """Tipo de argparse: entero de 1 a ``top``."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} no es un número entero") from None
    if not 1 <= value <= top:
        raise argparse.ArgumentTypeError(f"debe estar entre 1 y {top}, no {value}")
    return value


def default_cache() -> Path:
    """La caché de respuestas, fuera de la carpeta del informe (que se comparte)."""
    if os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        base = Path(os.environ["LOCALAPPDATA"])
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "gitops-lab-informe"


def add_github_arguments(parser: argparse.ArgumentParser) -> None:
    """--api-url, --token-archivo y --timeout (también los usa handout.py)."""
    github = parser.add_argument_group("GitHub")
    github.add_argument(
        "--api-url",
        metavar="URL",
        default=api_url(),
        help="URL de la API de GitHub ($GITHUB_API_URL si está definida)",
    )
    github.add_argument(
        "--token-archivo",
        metavar="ARCHIVO",
        type=Path,
        help="archivo con el token (por omisión, $GITHUB_TOKEN, $GH_TOKEN o el "
        "de gh auth token)",
    )
    github.add_argument(
        "--timeout",
        metavar="SEGUNDOS",
        type=lambda text: positive(text, 300),
        default=20,
        help="segundos de espera de cada respuesta",
    )


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """Las opciones del informe."""
    parser = build_parser(__doc__.split("\n\n", maxsplit=1)[0])
    source = parser.add_argument_group("la clase (una de las tres)")
    source.add_argument(
        "--clase",
        metavar="CSV",
        type=Path,
        help="lista de la clase: CSV con nombre, usuario y repositorio",
    )
    source.add_argument(
        "--repos",
        metavar="ARCHIVO",
        type=Path,
        help="archivo con una línea owner/repo por estudiante",
    )
    source.add_argument(
        "--org", metavar="ORG", help="organización con los repositorios de la clase"
    )
    source.add_argument(
        "--prefix",
        metavar="PREFIJO",
        help="prefijo de los repositorios de --org (y del nombre del estudiante)",
    )
    parser.add_argument(
        "--salida",
        metavar="CARPETA",
        type=Path,
        default=Path("informe"),
        help="carpeta del informe",
    )
    parser.add_argument(
        "--cache",
        metavar="CARPETA",
        type=Path,
        default=default_cache(),
        help="carpeta de la caché de respuestas (fuera de --salida: no se comparte)",
    )
    parser.add_argument(
        "--hilos",
        metavar="N",
        type=positive,
        default=DEFAULT_THREADS,
        help="repositorios consultados a la vez",
    )
    add_github_arguments(parser)
    args = parser.parse_args(argv)
    args.prefix = args.prefix or ""
    if sum(bool(item) for item in (args.clase, args.repos, args.org)) != 1:
        raise LabError(
            "indica la clase con --clase CLASE.csv, con --repos ARCHIVO o con "
            "--org ORGANIZACIÓN --prefix PREFIJO (uno de los tres)."
        )
    if args.org and not args.prefix:
        raise LabError("con --org indica también --prefix (el de los repositorios).")
    return args


def read_token(path: Path | None) -> str | None:
    """El token del archivo ``path``, o el de siempre (variables o gh)."""
    from course.github_api import find_token

    if path is None:
        return find_token()
    try:
        token = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        raise LabError(
            f"no se pudo leer el token de {path}: revisa la ruta (un archivo con "
            "solo el token)."
        ) from None
    if not token or len(token) > 500 or any(char.isspace() for char in token):
        raise LabError(f"{path} no contiene un token (una sola línea, sin espacios).")
    return token


def make_client(args: argparse.Namespace, cache: Path | None) -> GitHubClient:
    """El cliente de GitHub según las opciones (URL, token, tiempo, caché)."""
    try:
        return GitHubClient(
            token=read_token(args.token_archivo),
            base_url=args.api_url,
            cache_dir=cache,
            timeout=float(args.timeout),
        )
    except GitHubUnavailable as error:
        raise LabError(f"{error}") from None


def read_class(args: argparse.Namespace, client: GitHubClient) -> list[Student]:
    """Los estudiantes según --clase, --repos u --org."""
    if args.clase:
        students = read_roster(args.clase)
        for student in students:
            if not student.repository:
                student.repository = f"{student.user}/{DEFAULT_REPOSITORY_NAME}"
        return students
    if args.repos:
        return read_repository_list(args.repos)
    try:
        return organization_repositories(client, args.org, args.prefix)
    except GitHubUnavailable as error:
        raise LabError(f"no se pudo consultar GitHub: {error}.") from None


def warn_about_old_cache(folder: Path) -> None:
    """Avisa si queda una caché dentro de la carpeta del informe (versión anterior)."""
    old = folder / ".cache"
    if old.is_dir():
        print(
            f"⚠️  {old} guarda respuestas de GitHub (también de repositorios "
            "privados): bórrala antes de compartir la carpeta del informe. La "
            "caché ahora va aparte (--cache).",
            file=sys.stderr,
        )


@report_errors
def main(argv: Sequence[str] | None = None) -> int:
    """Lee la lista, consulta GitHub, escribe el CSV y el HTML."""
    args = parse_arguments(argv)
    client = make_client(args, args.cache)
    students = read_class(args, client)
    if not client.authenticated:
        print(
            "⚠️  Sin token (GITHUB_TOKEN o gh auth login): solo se ven los "
            "repositorios públicos y el límite es de 60 peticiones por hora.",
            file=sys.stderr,
        )
    warn_about_old_cache(args.salida)
    progress_bar = ProgressBar(len(students))
    client.on_wait = lambda until, reason: progress_bar.message(
        f"⏳ {reason}: esperando hasta las {clock_text(until)}…"
    )
    rows = build_rows(client, students, args.prefix, args.hilos, progress_bar.advance)
    progress_bar.finish()
    check_unread(rows, args.salida)
    made_at = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    written = write_outputs(
        args.salida,
        {CSV_NAME: render_csv(rows, made_at), HTML_NAME: render_html(rows, made_at)},
    )
    stats = client.stats
    print(f"✅ Informe de {len(rows)} repositorios ({made_at}):")
    for path in written:
        print(f"   {path}")
    print(
        f"🌐 {stats.requests} peticiones a GitHub ({stats.not_modified} sin cambios, "
        f"304), {stats.retries} reintentos, {stats.rate_limit_waits} esperas por el "
        "límite."
    )
    unread = sum(row.unread for row in rows)
    if unread:
        print(f"⚠️  {unread} repositorios quedaron sin leer:", file=sys.stderr)
        for line in unread_summary(rows):
            print(line, file=sys.stderr)
        print("   Vuelve a ejecutar el informe para completarlos.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
