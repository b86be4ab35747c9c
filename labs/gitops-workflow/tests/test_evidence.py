"""Pruebas de course.evidence: el archivo de evidencia, leído sin fiarse de él.

Lo escribe el estudiante y lo lee quien lo califica: un archivo enorme,
anidado sin fin, con tipos equivocados o valores imposibles no cuenta, y cada
sección que no sirve dice por qué; nada de eso rompe la comprobación.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone
from typing import Any

import pytest

from course.evidence import MAX_EVIDENCE_BYTES, from_contents_api, parse_evidence
from course.github_facts import GitHubFacts
from course.parts import DONE, MISSING
from course.progress import evaluate

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=timezone.utc)
GOOD: dict[str, Any] = {
    "format": 1,
    "generated_at": "2026-12-01T08:00:00+00:00",
    "lab_version": "v0.1.0",
    "training": {"date": "2026-12-01T07:00:00", "accuracy": 0.83, "f1_score": 0.6},
    "workspace": "mlw-clase",
    "model": {"name": "churn-prediction-model", "version": "3"},
    "job": {"name": "quiet_lamp_1234", "status": "Completed"},
    "predictions": {"rows": 500, "sha256": "ab" * 32},
}


def parse(data: Any) -> Any:
    """La evidencia de ``data`` escrita como JSON."""
    return parse_evidence(json.dumps(data).encode(), NOW)


def test_the_file_check_progress_writes_is_valid_whole() -> None:
    evidence = parse(GOOD)
    assert not evidence.problems
    assert set(evidence.data) == set(GOOD) - {"format"}


def test_the_issues_hostile_file_proves_nothing_but_its_valid_part() -> None:
    """El ejemplo del issue: antes daba todas las partes por hechas."""
    hostile = {
        "format": 1,
        "training": {},
        "model": {"version": "x"},
        "predictions": {"rows": 1},
        "workspace": "mlw-clase",
    }
    evidence = parse(hostile)
    assert set(evidence.data) == {"workspace"}
    facts = GitHubFacts("a/b", evidence=evidence)
    progress = evaluate(None, facts)
    states = {part.key: part.state for part in progress.parts}
    assert states["parte3"] == states["parte5"] == states["parte6"] == MISSING
    assert states["parte4"] == DONE and progress.part("parte4").declared
    assert "training.date" in progress.part("parte3").evidence
    assert "--evidencia" in progress.part("parte3").next_action


@pytest.mark.parametrize(
    ("section", "value", "problem"),
    [
        ("job", "texto", "job: no es un objeto"),
        ("job", {"name": "x", "status": "Failed"}, "job.status"),
        ("job", {"name": "<img src=x>", "status": "Completed"}, "job.name"),
        ("training", {"date": "2026-12-01", "accuracy": True}, "training.accuracy"),
        ("training", {"date": "2026-12-01", "accuracy": 7}, "training.accuracy"),
        ("training", {"date": "2026-12-01", "accuracy": "0.9"}, "training.accuracy"),
        ("training", {"date": "3026-01-01", "accuracy": 0.8}, "fecha imposible"),
        ("training", {"date": "ayer", "accuracy": 0.8}, "training.date"),
        ("training", [], "training: no es un objeto"),
        ("model", {"name": "otro", "version": "1"}, "model.name"),
        ("model", {"name": "churn-prediction-model", "version": 3}, "model.version"),
        ("model", {"name": "churn-prediction-model", "version": "0"}, "posible"),
        ("model", {"name": "churn-prediction-model", "version": "١"}, "model.version"),
        ("predictions", {"rows": -5, "sha256": "ab" * 32}, "predictions.rows"),
        ("predictions", {"rows": 10**12, "sha256": "ab" * 32}, "predictions.rows"),
        ("predictions", {"rows": 500, "sha256": "zz"}, "predictions.sha256"),
        ("workspace", "a" * 300, "workspace"),
        ("workspace", ["mlw"], "workspace"),
        ("lab_version", "=HYPERLINK()", "lab_version"),
    ],
)
def test_each_bad_section_is_dropped_with_its_reason(
    section: str, value: Any, problem: str
) -> None:
    evidence = parse({**GOOD, section: value})
    assert section not in evidence.data
    assert any(problem in text for text in evidence.problems), evidence.problems
    assert set(evidence.data) == set(GOOD) - {"format", section}


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "pasa de 16 KB"),
        (b'{"format": 1, "a": ' + b"[" * 5000 + b"]" * 5000 + b"}", "anida"),
        (b'{"format": 1, "a": ' + b"[" * 50 + b"]" * 50 + b"}", "anida"),
        (b'{"format": 1, "a": "' + b"x" * 20_000 + b'"}', "pasa de 16 KB"),
        (b"\xff\xfe{}", "UTF-8"),
        (b"{no es json", "JSON"),
        (b"[1, 2]", "objeto"),
        (b'{"format": 2}', "formato"),
        (b"", "JSON"),
    ],
    ids=[
        "enorme",
        "recursion",
        "anidado",
        "texto-largo",
        "no-utf8",
        "no-json",
        "lista",
        "formato-2",
        "vacio",
    ],
)
def test_a_broken_file_is_a_reason_not_a_crash(raw: bytes, problem: str) -> None:
    evidence = parse_evidence(raw, NOW)
    assert not evidence.data
    assert len(evidence.problems) == 1 and problem in evidence.problems[0]


def test_braces_inside_strings_do_not_count_as_nesting() -> None:
    evidence = parse({**GOOD, "nota": "{{{{[[[[" * 10})
    assert not evidence.problems


def test_from_the_contents_api_with_size_and_encoding() -> None:
    text = json.dumps(GOOD).encode()
    content = {
        "encoding": "base64",
        "size": len(text),
        "content": base64.b64encode(text).decode(),
    }
    evidence = from_contents_api(content, "https://github.com/a/b/blob/main/x")
    assert evidence.url.startswith("https://") and "model" in evidence.data
    big = dict(content, size=MAX_EVIDENCE_BYTES + 1)
    assert "16 KB" in from_contents_api(big).problems[0]
    assert from_contents_api({"encoding": "none"}).problems
    assert from_contents_api("texto").problems
