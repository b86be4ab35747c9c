"""El archivo de evidencia de las Partes 3 a 6: cómo se escribe y cómo se lee.

Lo que pasa en tu computadora o en tu suscripción de Azure (el modelo
entrenado, el workspace, el modelo registrado, el trabajo de inferencia) tu
profesor no lo puede ver. ``python scripts/check_progress.py --evidencia``
lo anota en ``evidence/progreso.json`` (``evidence_record``): nombres,
versiones, estados, conteos y la huella SHA-256 de las predicciones, nunca un
secreto, un ID de suscripción ni una ruta de tu computadora.

Quien lo lee (tu comprobación, el flujo «Progreso», el informe del profesor)
no se fía de él a ciegas (``parse_evidence``): un archivo enorme, anidado sin
fin, con tipos equivocados o valores imposibles no cuenta, y cada sección que
no sirve se dice por qué. Aun así, lo que solo dice este archivo queda
marcado como declarado, no como comprobado.

Solo usa la biblioteca estándar.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from course.parts import MODEL_NAME

EVIDENCE_FORMAT = 1
# El archivo que escribe --evidencia ocupa menos de 1 KB.
MAX_EVIDENCE_BYTES = 16 * 1024
MAX_DEPTH = 3
EARLIEST = datetime(2025, 1, 1, tzinfo=timezone.utc)
_VERSION_TAG = re.compile(r"v\d{1,4}\.\d{1,4}\.\d{1,4}")
_WORKSPACE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_JOB_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass
class Evidence:
    """Lo que sirve del archivo de evidencia y lo que no (con el motivo)."""

    data: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    url: str = ""

    def section(self, name: str) -> Any:
        """La sección ``name`` si es válida, o None."""
        return self.data.get(name)

    def problem_with(self, name: str) -> str:
        """Por qué no sirve la sección ``name`` (o el archivo entero), o ""."""
        for problem in self.problems:
            if problem.startswith((f"{name}:", f"{name}.", "el archivo")):
                return problem
        return ""


# --------------------------------------------------------------------------
# Escribirlo
# --------------------------------------------------------------------------


def evidence_record(  # pylint: disable=too-many-arguments
    now: datetime,
    lab_version: str,
    training: dict[str, Any] | None,
    workspace: str,
    model_version: str,
    job: dict[str, str] | None,
    predictions: dict[str, Any] | None,
) -> dict[str, Any]:
    """La evidencia de lo que se vio directamente, sin secretos ni secciones vacías."""
    evidence: dict[str, Any] = {
        "format": EVIDENCE_FORMAT,
        "generated_at": now.isoformat(timespec="seconds"),
        "lab_version": lab_version,
    }
    if training:
        evidence["training"] = training
    if workspace:
        evidence["workspace"] = workspace
    if model_version:
        evidence["model"] = {"name": MODEL_NAME, "version": model_version}
    if job:
        evidence["job"] = {"name": job["name"], "status": job["status"]}
    if predictions:
        evidence["predictions"] = dict(predictions)
    return evidence


# --------------------------------------------------------------------------
# Leerlo sin fiarse
# --------------------------------------------------------------------------


def from_contents_api(content: Any, url: str = "") -> Evidence:
    """La evidencia de una respuesta de ``GET /contents/evidence/progreso.json``."""
    if not isinstance(content, dict) or content.get("encoding") != "base64":
        return Evidence(problems=["el archivo no vino como GitHub lo sirve"], url=url)
    size = content.get("size")
    if not isinstance(size, int) or size > MAX_EVIDENCE_BYTES:
        return Evidence(problems=[_too_big()], url=url)
    try:
        raw = base64.b64decode(str(content.get("content", "")), validate=False)
    except (binascii.Error, ValueError):
        return Evidence(problems=["el archivo no se pudo decodificar"], url=url)
    evidence = parse_evidence(raw)
    evidence.url = url
    return evidence


def _load(raw: bytes) -> tuple[Any, str]:
    """(el JSON de ``raw``, "") o (None, por qué no se pudo leer)."""
    if len(raw) > MAX_EVIDENCE_BYTES:
        return None, _too_big()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, "el archivo no es texto UTF-8"
    if json_depth(text) > MAX_DEPTH:
        return None, "el archivo anida demasiadas llaves o corchetes"
    try:
        return json.loads(text), ""
    except ValueError:
        return None, "el archivo no es JSON válido"


def parse_evidence(raw: bytes, now: datetime | None = None) -> Evidence:
    """Las secciones válidas de un archivo de evidencia y los problemas del resto."""
    data, problem = _load(raw)
    if not problem and not isinstance(data, dict):
        problem = "el archivo no es un objeto JSON"
    elif not problem and data.get("format") != EVIDENCE_FORMAT:
        problem = "el archivo no es del formato 1 (format: 1)"
    if problem:
        return Evidence(problems=[problem])
    return validate_sections(data, now or datetime.now(timezone.utc))


def _too_big() -> str:
    return f"el archivo pasa de {MAX_EVIDENCE_BYTES // 1024} KB"


def json_depth(text: str) -> int:
    """La mayor profundidad de llaves y corchetes de un texto JSON (sin parsearlo)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def validate_sections(data: dict[str, Any], now: datetime) -> Evidence:
    """Cada sección conocida, comprobada por separado (las desconocidas no cuentan)."""
    checks: dict[str, Callable[[Any, datetime], str]] = {
        "generated_at": _check_generated_at,
        "lab_version": _check_lab_version,
        "training": _check_training,
        "workspace": _check_workspace,
        "model": _check_model,
        "job": _check_job,
        "predictions": _check_predictions,
    }
    evidence = Evidence()
    for name, check in checks.items():
        if name not in data:
            continue
        problem = check(data[name], now)
        if problem:
            evidence.problems.append(f"{name}{problem}")
        else:
            evidence.data[name] = data[name]
    return evidence


def _date_problem(value: Any, now: datetime) -> str:
    if not isinstance(value, str) or len(value) > 40:
        return "no es una fecha ISO 8601"
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return "no es una fecha ISO 8601"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    if not EARLIEST <= moment <= now + timedelta(days=1):
        return "es una fecha imposible para este laboratorio"
    return ""


def _fraction_problem(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "no es un número"
    if not math.isfinite(value) or not 0 <= value <= 1:
        return "no está entre 0 y 1"
    return ""


def _check_generated_at(value: Any, now: datetime) -> str:
    problem = _date_problem(value, now)
    return f": {problem}" if problem else ""


def _check_lab_version(value: Any, _: datetime) -> str:
    if value == "" or (isinstance(value, str) and _VERSION_TAG.fullmatch(value)):
        return ""
    return ": no es una versión como v0.1.0"


def _check_training(value: Any, now: datetime) -> str:
    if not isinstance(value, dict):
        return ": no es un objeto"
    problem = _date_problem(value.get("date"), now)
    if problem:
        return f".date: {problem}"
    problem = _fraction_problem(value.get("accuracy"))
    if problem:
        return f".accuracy: {problem}"
    if value.get("f1_score") is not None:
        problem = _fraction_problem(value.get("f1_score"))
        if problem:
            return f".f1_score: {problem}"
    return ""


def _check_workspace(value: Any, _: datetime) -> str:
    if isinstance(value, str) and _WORKSPACE.fullmatch(value):
        return ""
    return ": no es el nombre de un workspace (letras, números, - y _)"


def _check_model(value: Any, _: datetime) -> str:
    if not isinstance(value, dict):
        return ": no es un objeto"
    if value.get("name") != MODEL_NAME:
        return f".name: no es {MODEL_NAME}"
    version = value.get("version")
    if not (isinstance(version, str) and version.isascii() and version.isdigit()):
        return ".version: no es un número de versión"
    if not 1 <= int(version) <= 100_000:
        return ".version: no es un número de versión posible"
    return ""


def _check_job(value: Any, _: datetime) -> str:
    if not isinstance(value, dict):
        return ": no es un objeto"
    name = value.get("name")
    if not (isinstance(name, str) and _JOB_NAME.fullmatch(name)):
        return ".name: no es el nombre de un trabajo"
    if value.get("status") != "Completed":
        return ".status: el trabajo no está completado (Completed)"
    return ""


def _check_predictions(value: Any, _: datetime) -> str:
    if not isinstance(value, dict):
        return ": no es un objeto"
    rows = value.get("rows")
    if isinstance(rows, bool) or not isinstance(rows, int) or not 1 <= rows <= 10**7:
        return ".rows: no es un número de filas posible"
    sha256 = value.get("sha256")
    if not (isinstance(sha256, str) and _SHA256.fullmatch(sha256)):
        return ".sha256: no es una huella SHA-256"
    return ""
