"""Las salidas del informe: el CSV del libro de notas y la página HTML.

Lo que escribe un estudiante (títulos de pull requests, nombres) llega a las
dos como texto: en el HTML escapado, en el CSV sin convertirse en fórmula. El
CSV se abre bien en un Excel en español: UTF-8 con BOM, columnas separadas
por punto y coma.

Cada celda de una parte dice cómo se sabe:

- ``1``: hecha y comprobada en GitHub (o en el almacén de su autor);
- ``declarada``: hecha según el archivo de evidencia que escribe el
  estudiante (las Partes 3 a 6 ocurren en su computadora o en su Azure);
- ``0``: falta; ``en marcha``: CI o CD aún se ejecuta; ``sin comprobar``:
  GitHub no dejó leer lo necesario (el motivo, en observaciones y en el HTML).
"""

from __future__ import annotations

import csv
import html
import io
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from course.parts import DONE, MISSING, PARTS, PENDING, PartResult, Progress
from labkit.cli import LabError

CSV_NAME = "progreso.csv"
HTML_NAME = "progreso.html"
CELLS = {MISSING: "0", PENDING: "en marcha"}
CSS = {MISSING: "falta", PENDING: "pendiente"}


@dataclass
class Row:  # pylint: disable=too-many-instance-attributes
    """Una fila del informe: un estudiante, su repositorio y su progreso."""

    repository: str
    student: str
    user: str
    progress: Progress | None
    problem: str = ""
    unread: bool = False  # no se pudo leer el repositorio mismo

    def note(self) -> str:
        """La observación de la fila: el problema o la primera parte pendiente."""
        if self.problem:
            return self.problem
        assert self.progress is not None
        pending = self.progress.first_not_done()
        renamed = ""
        if self.progress.repository.lower() != self.repository.lower():
            renamed = f"renombrado a {self.progress.repository}; "
        first = f"{pending.title}: {pending.evidence}" if pending else "todo hecho"
        warnings = "".join(f" · {text}" for text in self.progress.warnings[:2])
        return f"{renamed}{first}{warnings}"

    def counts(self) -> tuple[int, int]:
        """(partes comprobadas, partes declaradas)."""
        parts = self.progress.parts if self.progress else []
        done = [part for part in parts if part.state == DONE]
        declared = sum(part.declared for part in done)
        return len(done) - declared, declared


def cell_value(part: PartResult) -> str:
    """Lo que dice la celda de una parte en el CSV."""
    if part.state == DONE:
        return "declarada" if part.declared else "1"
    return CELLS.get(part.state, "sin comprobar")


def spreadsheet_safe(text: str) -> str:
    """``text`` sin fórmulas: una hoja de cálculo ejecutaría «=…» como fórmula.

    Las observaciones llevan títulos de pull requests, que escribe el estudiante.
    """
    text = " ".join(text.split())
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def render_csv(rows: Sequence[Row], made_at: str) -> str:
    """El CSV del libro de notas, para Excel en español (BOM y punto y coma)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            "repositorio",
            "estudiante",
            "usuario",
            *[key for key, _ in PARTS],
            "comprobadas",
            "declaradas",
            "observaciones",
            "comprobado_el",
        ]
    )
    for row in rows:
        if row.progress:
            cells = [cell_value(part) for part in row.progress.parts]
        else:
            cells = ["sin leer" if row.unread else "0"] * len(PARTS)
        checked, declared = row.counts()
        texts = [row.repository, row.student, row.user]
        writer.writerow(
            [
                *map(spreadsheet_safe, texts),
                *cells,
                checked,
                declared,
                spreadsheet_safe(row.note()),
                made_at,
            ]
        )
    return "\ufeff" + buffer.getvalue()


def safe_url(url: str, fallback: str) -> str:
    """``url`` si es un enlace https; si no, ``fallback`` (nunca ``javascript:``)."""
    return url if url.startswith("https://") else fallback


def _cell(row: Row, index: int) -> str:
    if row.progress is None:
        text = "sin leer" if row.unread else "sin datos"
        return f'<td class="sin-datos" title="{text}">–</td>'
    part = row.progress.parts[index]
    url = safe_url(part.url, f"https://github.com/{row.progress.repository}")
    title = html.escape(f"{part.title}: {part.evidence}")
    if part.state == DONE:
        css, symbol = ("declarada", "📝") if part.declared else ("hecha", DONE)
    else:
        css, symbol = CSS.get(part.state, "sin-comprobar"), part.state
    return (
        f'<td class="{css}"><a href="{html.escape(url)}" title="{title}">'
        f"{symbol}</a></td>"
    )


def _body_row(row: Row) -> str:
    name = row.progress.repository if row.progress else row.repository
    link = html.escape(f"https://github.com/{name}")
    cells = "".join(_cell(row, index) for index in range(len(PARTS)))
    checked, declared = row.counts()
    return (
        f'<tr><td><a href="{link}">{html.escape(row.repository)}</a></td>'
        f"<td>{html.escape(row.student)}</td>{cells}<td>{checked}</td>"
        f"<td>{declared}</td><td>{html.escape(row.note())}</td></tr>"
    )


STYLE = """body { font-family: sans-serif; margin: 2em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: center; }
td:first-child, td:last-child { text-align: left; }
td.hecha { background: #e6f4ea; } td.declarada { background: #eef3fc; }
td.falta { background: #fce8e6; } td.pendiente { background: #fef7e0; }
td.sin-comprobar, td.sin-datos { background: #eeeeee; }
tfoot td { font-weight: bold; }
a { text-decoration: none; }"""
LEGEND = (
    "✅ hecha y comprobada en GitHub · 📝 declarada por el estudiante en "
    "evidence/progreso.json · ❌ falta · ⏳ en marcha · ❔ sin comprobar (el "
    "motivo, al pasar el ratón) · – sin leer"
)


def render_html(rows: Sequence[Row], made_at: str) -> str:
    """La página del informe: una fila por estudiante y los totales por parte."""
    head = "".join(
        f"<th>{html.escape(title.split(':', maxsplit=1)[0])}</th>" for _, title in PARTS
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
    unread = sum(row.unread for row in rows)
    missing = f" {unread} sin leer." if unread else ""
    body = "\n".join(_body_row(row) for row in rows)
    return f"""<!DOCTYPE html>
<html lang="es">
<head>
<meta charset="utf-8">
<title>Progreso del laboratorio GitOps</title>
<style>
{STYLE}
</style>
</head>
<body>
<h1>Progreso del laboratorio GitOps para Azure ML</h1>
<p>Informe hecho el {html.escape(made_at)}: {len(rows)} repositorios.{missing}
{LEGEND}. Cada celda enlaza a su evidencia.</p>
<table>
<thead><tr><th>Repositorio</th><th>Estudiante</th>{head}<th>Comprobadas</th><th>Declaradas</th><th>Observaciones</th></tr></thead>
<tbody>
{body}
</tbody>
<tfoot><tr><td>Total de la clase (hechas)</td><td></td>{totals}
<td></td><td></td><td></td></tr></tfoot>
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
