"""Pylint solo sobre los archivos cuya huella cambió, con los mismos mensajes.

Los mensajes de Pylint sobre un archivo dependen de él y de lo que importa
(Pylint infiere tipos a través de los imports): si nada de eso cambió, sus
mensajes son los de la última vez. :func:`pylint_plan` revisa solo los
archivos que cambiaron o importan (directa o indirectamente) algo que cambió,
con los mismos mensajes que les daría CI revisándolo todo; los mensajes que
comparan archivos entre sí se miran aparte: el código duplicado
(``duplicate-code``) entre todos los archivos (con
``labkit.pylint_duplicates``: el mismo Pylint, sin repetir trabajo), y si hay
imports en ciclo, se revisa todo.

Solo usa la biblioteca estándar.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from labkit.check_cache import (
    CROSS_FILE_MESSAGES,
    FAILING_TYPES,
    CheckCache,
    Plan,
    Step,
)
from labkit.dependencies import CODE_FOLDERS

EVERYTHING = (
    "CI lo revisa todo; tú también, con: python scripts/run_checks.py --completo"
)
# Hasta cuántos archivos Pylint corre en un solo proceso (más, en paralelo).
PYLINT_SERIAL_FILES = 4


def pylint_plan(cache: CheckCache, args: tuple[str, ...]) -> Plan:
    """Pylint con los archivos cuya huella (la de lo que importan) cambió."""
    cycle = cache.graph.import_cycle()
    if cycle:
        note = (
            "ℹ️ Pylint: todos los archivos (hay imports en ciclo: "
            f"{' → '.join(cycle)})."
        )
        return Plan("pylint", [Step(args)], note)
    section = cache.section("pylint")
    files = cache.python_files()
    current = {
        name: cache.fingerprint(cache.graph.closure([name]), exact=True)
        for name in files
    }
    saved: dict[str, Any] = section.setdefault("files", {})
    stale = [name for name in files if saved.get(name, {}).get("fp") != current[name]]
    run = _PylintRun(cache, section, current, stale)
    for path in (run.report, run.duplicates_report):
        path.unlink(missing_ok=True)
    options = [arg for arg in args[1:] if arg.startswith("-")]
    steps = []
    if run.everything:
        # Todos: el comando de CI, con el informe en JSON además del texto.
        folders = [arg for arg in args[1:] if not arg.startswith("-")]
        report = f"--output-format=json2:{run.report},text"
        steps.append(Step((args[0], *options, report, *folders)))
    else:
        if stale:
            steps.append(_pylint_step(cache, options, stale, run.report))
        if run.duplicates_changed:
            steps.append(_duplicates_step(cache, options, run.duplicates_report))
    note = _pylint_note(len(stale), len(files), bool(saved))
    return Plan("pylint", steps, note, run.finish)


@dataclass
class _PylintRun:
    """Lo que hace falta para guardar los mensajes de una pasada de Pylint."""

    cache: CheckCache
    section: dict[str, Any]
    current: dict[str, str]
    stale: list[str]

    @property
    def everything(self) -> bool:
        """Si se revisan todos los archivos (nada guardado sirve)."""
        return len(self.stale) == len(self.current)

    @property
    def whole(self) -> str:
        """La huella de todos los archivos (para el código duplicado)."""
        return self.cache.fingerprint(self.current, exact=True)

    @property
    def duplicates_changed(self) -> bool:
        """Si cambió algún archivo desde la última búsqueda de código duplicado."""
        return self.section.get("duplicates", {}).get("fp") != self.whole

    @property
    def report(self) -> Path:
        """El informe JSON de la pasada por archivos."""
        return self.cache.path("pylint.json")

    @property
    def duplicates_report(self) -> Path:
        """El informe JSON de la búsqueda de código duplicado."""
        return self.cache.path("pylint-duplicates.json")

    def finish(self, codes: list[int]) -> tuple[bool, str]:
        """Guarda los mensajes nuevos y da el veredicto con los de todos."""
        saved: dict[str, Any] = self.section["files"]
        complete = True
        if self.stale:
            messages = _read_messages(self.report)
            complete = messages is not None
            _record(saved, self.stale, self.current, messages, self.cache.root)
            if self.everything and messages is not None:
                self.section["duplicates"] = {
                    "fp": self.whole,
                    "messages": [m for m in messages if _cross_file(m)],
                }
        if self.duplicates_changed and not self.everything:
            messages = _read_messages(self.duplicates_report)
            complete = complete and messages is not None
            if messages is not None:
                self.section["duplicates"] = {"fp": self.whole, "messages": messages}
        for gone in set(saved) - set(self.current):
            del saved[gone]
        kept = [
            message
            for name in self.current
            if name not in self.stale
            for message in saved.get(name, {}).get("messages", [])
        ]
        shown = _text(kept, "de la última revisión (esos archivos no cambiaron)")
        everything = kept + self.section.get("duplicates", {}).get("messages", [])
        failing = [m for m in everything if m.get("type") in FAILING_TYPES]
        passed = complete and not failing and all(code == 0 for code in codes)
        return passed, shown


def _cross_file(message: dict[str, Any]) -> bool:
    """Si el mensaje compara archivos entre sí (no es de un archivo solo)."""
    return message.get("symbol") in CROSS_FILE_MESSAGES.split(",")


def _pylint_note(stale: int, total: int, had_results: bool) -> str:
    if stale == total and not had_results:
        return (
            "ℹ️ Pylint: todos los archivos (la primera vez; las siguientes, solo los "
            "que cambien o importen algo que cambió)."
        )
    if stale == 0:
        return (
            f"ℹ️ Pylint: ninguno de los {total} archivos ni lo que importan cambió "
            "desde la última revisión: sus resultados se repiten. " + EVERYTHING
        )
    return (
        f"ℹ️ Pylint: solo {stale} de {total} archivos (los que cambiaron o importan "
        "algo que cambió; código duplicado, entre todos). " + EVERYTHING
    )


def _pylint_step(
    cache: CheckCache, options: list[str], files: list[str], report: Path
) -> Step:
    """Pylint por partes: los mismos mensajes por archivo que con todos juntos."""
    jobs = ["--jobs=1"] if len(files) <= PYLINT_SERIAL_FILES else []
    # Con todos los archivos, Pylint pone scripts/, src/ y la raíz en sys.path:
    # con unos pocos, PYTHONPATH hace lo mismo (los imports se resuelven igual).
    roots = [str(cache.root / name) for name in ("scripts", "src", ".")]
    return Step(
        (
            "pylint",
            *options,
            *jobs,
            f"--disable={CROSS_FILE_MESSAGES}",
            f"--output-format=json2:{report},text",
            *files,
        ),
        {"PYTHONPATH": os.pathsep.join(roots)},
    )


def _duplicates_step(cache: CheckCache, options: list[str], report: Path) -> Step:
    """El código duplicado entre todos los archivos (solo ese mensaje)."""
    return Step(
        (
            "labkit.pylint_duplicates",  # Pylint, cada archivo leído una vez
            *options,
            "--disable=all",
            "--enable=duplicate-code",
            f"--output-format=json2:{report},text",
            *(name for name in CODE_FOLDERS if (cache.root / name).is_dir()),
        ),
        {"PYTHONPATH": str(Path(__file__).resolve().parents[1])},  # src/: labkit
        quiet=True,
    )


def _read_messages(report: Path) -> list[dict[str, Any]] | None:
    """Los mensajes del informe json2 de Pylint, o None si no hay informe."""
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    messages = data.get("messages") if isinstance(data, dict) else None
    return messages if isinstance(messages, list) else None


def _record(
    saved: dict[str, Any],
    stale: list[str],
    current: dict[str, str],
    messages: list[dict[str, Any]] | None,
    root: Path,
) -> None:
    """Guarda los mensajes de cada archivo revisado (nada si Pylint no terminó)."""
    if messages is None:
        for name in stale:
            saved.pop(name, None)
        return
    by_file: dict[str, list[dict[str, Any]]] = {name: [] for name in stale}
    for message in messages:
        if _cross_file(message):
            continue
        path = Path(str(message.get("absolutePath") or message.get("path", "")))
        try:
            name = path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            name = str(message.get("path", ""))
        by_file.setdefault(name, []).append(message)
    for name in stale:
        saved[name] = {"fp": current[name], "messages": by_file[name]}


def _text(messages: list[dict[str, Any]], origin: str) -> str:
    """Los mensajes guardados, con el formato de texto de Pylint."""
    if not messages:
        return ""
    lines = [f"Mensajes de Pylint {origin}:"]
    module = None
    for message in messages:
        if message.get("module") != module:
            module = message.get("module")
            lines.append(f"************* Module {module}")
        lines.append(
            f"{message.get('path')}:{message.get('line')}:{message.get('column')}: "
            f"{message.get('messageId')}: {message.get('message')} "
            f"({message.get('symbol')})"
        )
    return "\n".join(lines) + "\n"
