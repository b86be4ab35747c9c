"""Informe del profesor: el progreso de toda la clase, sin clonar ningún repositorio.

Lee la lista de repositorios de los estudiantes (un archivo con líneas
``owner/repo``, o una organización y el prefijo de la tarea de GitHub
Classroom), consulta la API de GitHub con las mismas comprobaciones que
``scripts/check_progress.py`` del laboratorio (``course.progress``, la
misma copia) y escribe ``progreso.csv`` (para el libro de notas) y
``progreso.html`` (una fila por estudiante, una columna por parte, cada celda
enlazada a su evidencia y los totales de la clase).

Pensado para 200 repositorios: consultas en paralelo (``--hilos``),
peticiones condicionales con caché en disco (la segunda pasada solo cuesta lo
que cambió), esperas cuando GitHub pide esperar y reintentos ante sus
fallos. Un repositorio que no existe, es privado, está vacío o cambió de
nombre es una fila que lo dice.

Uso: python instructor/report.py --repos repos.txt
     python instructor/report.py --org MI-ORG --prefix gitops-lab
"""

from __future__ import annotations

import argparse
import csv
import html
import io
import os
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

# El informe lee el código del laboratorio sin escribir nada en él (__pycache__).
sys.dont_write_bytecode = True
ROOT = Path(__file__).resolve().parents[1]
LAB_SRC = ROOT / "labs" / "gitops-workflow" / "src"
if str(LAB_SRC) not in sys.path:
    sys.path.insert(0, str(LAB_SRC))

# pylint: disable=wrong-import-position
from labkit.cli import LabError, build_parser, report_errors  # noqa: E402
from course.github_api import (  # noqa: E402
    GitHubClient,
    GitHubUnavailable,
    clock_text,
    find_token,
)
from course.progress import (  # noqa: E402
    DONE,
    PARTS,
    Progress,
    evaluate,
    fetch_github,
    github_repository,
)

CSV_NAME = "progreso.csv"
HTML_NAME = "progreso.html"
DEFAULT_THREADS = 8


@dataclass
class Row:
    """Una fila del informe: un repositorio y su progreso (o por qué no lo hay)."""

    repository: str
    student: str
    progress: Progress | None
    problem: str = ""

    def note(self) -> str:
        """La observación de la fila: el problema o la primera parte pendiente."""
        if self.problem:
            return self.problem
        assert self.progress is not None
        pending = self.progress.first_not_done()
        renamed = ""
        if self.progress.repository.lower() != self.repository.lower():
            renamed = f"renombrado a {self.progress.repository}; "
        if pending is None:
            return renamed + "todo hecho"
        return f"{renamed}{pending.title}: {pending.evidence}"


# --------------------------------------------------------------------------
# La lista de repositorios
# --------------------------------------------------------------------------


def read_repository_list(path: Path) -> list[str]:
    """Los ``owner/repo`` de un archivo (una línea cada uno, # comenta)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise LabError(
            f"no se pudo leer la lista de repositorios {path} ({error.strerror}). "
            "Indica un archivo con una línea owner/repo por estudiante."
        ) from None
    repositories: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        name = github_repository(entry) or entry.removesuffix(".git")
        if name.count("/") != 1 or not all(name.split("/")):
            raise LabError(
                f"la línea {number} de {path} ({entry!r}) no es un repositorio: "
                "escribe owner/repo (por ejemplo utec-mlops/gitops-lab-ana)."
            )
        if name.lower() not in {item.lower() for item in repositories}:
            repositories.append(name)
    if not repositories:
        raise LabError(f"{path} no tiene ningún repositorio (una línea owner/repo).")
    return repositories


def classroom_repositories(client: GitHubClient, org: str, prefix: str) -> list[str]:
    """Los repositorios de ``org`` cuyo nombre empieza por ``prefix`` (Classroom)."""
    found: list[str] = []
    page = 1
    while True:
        answer = client.get(
            f"/orgs/{org}/repos",
            {"per_page": "100", "page": str(page), "type": "all"},
        )
        if answer.status != 200 or not isinstance(answer.data, list):
            raise LabError(
                f"no se pudo listar los repositorios de la organización {org} "
                f"(GitHub respondió {answer.status}). Revisa el nombre y que tu "
                "token tenga acceso a ella (gh auth login)."
            )
        for item in answer.data:
            name = str(item.get("name", ""))
            if name.lower().startswith(prefix.lower()):
                found.append(str(item.get("full_name")))
        if len(answer.data) < 100:
            break
        page += 1
    if not found:
        raise LabError(
            f"la organización {org} no tiene repositorios que empiecen por "
            f"{prefix!r}. Revisa el prefijo de la tarea de GitHub Classroom."
        )
    return sorted(found, key=str.lower)


def student_name(repository: str, prefix: str) -> str:
    """El estudiante: lo que sigue al prefijo de Classroom, o el dueño."""
    owner, name = repository.split("/")
    if prefix and name.lower().startswith(prefix.lower()):
        return name[len(prefix) :].lstrip("-_") or owner
    return owner


# --------------------------------------------------------------------------
# Las consultas, en paralelo
# --------------------------------------------------------------------------


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


def check_repository(client: GitHubClient, repository: str, prefix: str) -> Row:
    """La fila de un repositorio; un fallo de GitHub es una fila que lo dice."""
    student = student_name(repository, prefix)
    try:
        facts = fetch_github(client, repository)
    except GitHubUnavailable as error:
        return Row(repository, student, None, f"no se pudo consultar: {error}")
    progress = evaluate(None, facts)
    problem = f"el repositorio {facts.problem}" if facts.problem else ""
    return Row(repository, student, progress, problem)


def build_rows(
    client: GitHubClient,
    repositories: Sequence[str],
    prefix: str = "",
    threads: int = DEFAULT_THREADS,
    advance: Callable[[], None] = lambda: None,
) -> list[Row]:
    """Las filas en el orden de ``repositories``, con ``threads`` consultas a la vez."""

    def one(repository: str) -> Row:
        row = check_repository(client, repository, prefix)
        advance()
        return row

    with ThreadPoolExecutor(max_workers=max(threads, 1)) as pool:
        return list(pool.map(one, repositories))


# --------------------------------------------------------------------------
# Las salidas: CSV y HTML, enteras o nada
# --------------------------------------------------------------------------


def spreadsheet_safe(text: str) -> str:
    """``text`` sin fórmulas: una hoja de cálculo ejecutaría «=…» como fórmula.

    Las observaciones llevan títulos de pull requests, que escribe el estudiante.
    """
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def render_csv(rows: Sequence[Row]) -> str:
    """El CSV del libro de notas: 1 si la parte está hecha, 0 si no."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "repositorio",
            "estudiante",
            *[key for key, _ in PARTS],
            "hechas",
            "observaciones",
        ]
    )
    for row in rows:
        parts = row.progress.parts if row.progress else []
        cells = [1 if part.state == DONE else 0 for part in parts] or [0] * len(PARTS)
        note = spreadsheet_safe(row.note())
        writer.writerow([row.repository, row.student, *cells, sum(cells), note])
    return buffer.getvalue()


def _cell(row: Row, index: int) -> str:
    if row.progress is None:
        return '<td class="sin-datos" title="sin datos">–</td>'
    part = row.progress.parts[index]
    url = part.url or f"https://github.com/{row.progress.repository}"
    title = html.escape(f"{part.title}: {part.evidence}")
    css = {"✅": "hecha", "❌": "falta"}.get(part.state, "pendiente")
    return (
        f'<td class="{css}"><a href="{html.escape(url)}" title="{title}">'
        f"{part.state}</a></td>"
    )


def render_html(rows: Sequence[Row]) -> str:
    """La página del informe: una fila por estudiante y los totales por parte."""
    head = "".join(
        f"<th>{html.escape(title.split(':', maxsplit=1)[0])}</th>" for _, title in PARTS
    )
    body = []
    for row in rows:
        name = row.progress.repository if row.progress else row.repository
        link = f"https://github.com/{name}"
        cells = "".join(_cell(row, index) for index in range(len(PARTS)))
        done = sum(
            part.state == DONE for part in (row.progress.parts if row.progress else [])
        )
        body.append(
            f'<tr><td><a href="{html.escape(link)}">{html.escape(row.repository)}</a>'
            f"</td><td>{html.escape(row.student)}</td>{cells}<td>{done}</td>"
            f"<td>{html.escape(row.note())}</td></tr>"
        )
    done_per_part = [
        sum(
            1
            for row in rows
            if row.progress and row.progress.parts[index].state == DONE
        )
        for index in range(len(PARTS))
    ]
    totals = "".join(f"<td>{count}/{len(rows)}</td>" for count in done_per_part)
    legend = "✅ hecha · ❌ falta · ⏳ en marcha o sin comprobar · – sin datos"
    return f"""<!DOCTYPE html>
<html lang="es">
<head>
<meta charset="utf-8">
<title>Progreso del laboratorio GitOps</title>
<style>
body {{ font-family: sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; }}
th, td {{ border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: center; }}
td:first-child, td:last-child {{ text-align: left; }}
td.hecha {{ background: #e6f4ea; }} td.falta {{ background: #fce8e6; }}
td.pendiente {{ background: #fef7e0; }}
tfoot td {{ font-weight: bold; }}
a {{ text-decoration: none; }}
</style>
</head>
<body>
<h1>Progreso del laboratorio GitOps para Azure ML</h1>
<p>{len(rows)} repositorios. {legend}. Cada celda enlaza a su evidencia.</p>
<table>
<thead><tr><th>Repositorio</th><th>Estudiante</th>{head}<th>Hechas</th><th>Observaciones</th></tr></thead>
<tbody>
{chr(10).join(body)}
</tbody>
<tfoot><tr><td>Total de la clase</td><td></td>{totals}<td></td><td></td></tr></tfoot>
</table>
</body>
</html>
"""


def write_outputs(folder: Path, files: dict[str, str]) -> list[Path]:
    """Escribe todos los archivos o ninguno: primero los temporales, luego renombra."""
    temporaries: list[tuple[Path, Path]] = []
    blocked = [name for name in files if (folder / name).is_dir()]
    if blocked:
        raise LabError(
            f"en {folder} hay una carpeta llamada {blocked[0]}: bórrala o elige otra "
            "carpeta con --salida. No se escribió nada."
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            handle, temporary_name = tempfile.mkstemp(prefix=f".{name}.", dir=folder)
            temporaries.append((Path(temporary_name), folder / name))
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
                stream.write(text)
        for temporary, final in temporaries:
            os.replace(temporary, final)
    except OSError as error:
        raise LabError(
            f"no se pudo escribir el informe en {folder} ({error.strerror}). Elige "
            "otra carpeta con --salida."
        ) from None
    finally:
        for temporary, _ in temporaries:
            temporary.unlink(missing_ok=True)
    return [folder / name for name in files]


# --------------------------------------------------------------------------
# El comando
# --------------------------------------------------------------------------


def positive(text: str) -> int:
    """Tipo de argparse: entero de 1 a 64."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} no es un número entero") from None
    if not 1 <= value <= 64:
        raise argparse.ArgumentTypeError(f"debe estar entre 1 y 64, no {value}")
    return value


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """Las opciones del informe."""
    parser = build_parser(__doc__.split("\n\n", maxsplit=1)[0])
    source = parser.add_argument_group("repositorios (uno de los dos)")
    source.add_argument(
        "--repos", type=Path, help="archivo con una línea owner/repo por estudiante"
    )
    source.add_argument("--org", help="organización de GitHub Classroom")
    source.add_argument(
        "--prefix",
        help="prefijo de los repositorios de la tarea (y del nombre del estudiante)",
    )
    parser.add_argument(
        "--salida", type=Path, default=Path("informe"), help="carpeta del informe"
    )
    parser.add_argument(
        "--cache",
        type=Path,
        help="carpeta de la caché de respuestas (por defecto, .cache en --salida)",
    )
    parser.add_argument(
        "--hilos",
        type=positive,
        default=DEFAULT_THREADS,
        help="repositorios consultados a la vez",
    )
    args = parser.parse_args(argv)
    args.prefix = args.prefix or ""
    if bool(args.repos) == bool(args.org):
        raise LabError(
            "indica los repositorios con --repos ARCHIVO o con --org ORGANIZACIÓN "
            "--prefix PREFIJO (uno de los dos)."
        )
    if args.org and not args.prefix:
        raise LabError(
            "con --org indica también --prefix (el de la tarea de Classroom)."
        )
    return args


@report_errors
def main(argv: Sequence[str] | None = None) -> int:
    """Lee la lista, consulta GitHub, escribe el CSV y el HTML."""
    args = parse_arguments(argv)
    client = GitHubClient(
        token=find_token(), cache_dir=args.cache or args.salida / ".cache"
    )
    try:
        if args.org:
            repositories = classroom_repositories(client, args.org, args.prefix)
        else:
            repositories = read_repository_list(args.repos)
    except GitHubUnavailable as error:
        raise LabError(f"no se pudo consultar GitHub: {error}.") from None
    if not client.authenticated:
        print(
            "⚠️  Sin token (GITHUB_TOKEN o gh auth login): solo se ven los "
            "repositorios públicos y el límite es de 60 peticiones por hora.",
            file=sys.stderr,
        )
    progress_bar = ProgressBar(len(repositories))
    client.on_wait = lambda until, reason: progress_bar.message(
        f"⏳ {reason}: esperando hasta las {clock_text(until)}…"
    )
    rows = build_rows(
        client, repositories, args.prefix, args.hilos, progress_bar.advance
    )
    progress_bar.finish()
    written = write_outputs(
        args.salida, {CSV_NAME: render_csv(rows), HTML_NAME: render_html(rows)}
    )
    stats = client.stats
    print(f"✅ Informe de {len(rows)} repositorios:")
    for path in written:
        print(f"   {path}")
    print(
        f"🌐 {stats.requests} peticiones a GitHub ({stats.not_modified} sin cambios, "
        f"304), {stats.retries} reintentos, {stats.rate_limit_waits} esperas por el "
        "límite."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
