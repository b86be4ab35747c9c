"""¿Qué partes del laboratorio están hechas? Cada una, según la evidencia que deja.

Cada parte del tutorial deja algo que se puede comprobar sin mirar pantallas:

- **Parte 1**: el repositorio en GitHub con el laboratorio en su raíz (y, en
  tu computadora, el remoto ``origin`` y el primer ``git push``);
- **Parte 2**: un pull request fusionado con título convencional, la ejecución
  de CI en verde con su comentario, la de CD y la release ``v0.1.0`` con su zip;
- **Parte 3**: ``artifacts/model.pkl`` y ``artifacts/model_metadata.json``;
- **Partes 4 a 6**: el workspace de Azure ML (o el almacén local de MLflow),
  las versiones del modelo registrado, el activo de datos, el último trabajo de
  inferencia completado y ``data/inference_output.csv``;
- **Extra**: una ejecución correcta del flujo «Desplegar modelo».

Los hechos los reúnen ``course.local_facts`` (tu carpeta), ``course.github_facts``
(la API de GitHub) y ``course.azure_facts`` (tu workspace); este módulo los
evalúa (``evaluate``: una línea por parte) y los muestra en la terminal o en el
resumen del flujo «Progreso». Lo usan ``scripts/check_progress.py``, ese flujo
y el informe del profesor para toda la clase. Solo usa la biblioteca estándar.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone

from course.azure_facts import AzureFacts
from course.evidence import Evidence, evidence_record
from course.github_facts import GitHubFacts
from course.github_parts import github_extra, github_part1, github_part2
from course.lab_parts import REWRITE, local_part1, part3, part4, part5, part6
from course.local_facts import LocalFacts
from course.markdown import markdown_text
from course.parts import (
    DONE,
    EVIDENCE_PATH,
    MISSING,
    PARTS,
    PENDING,
    UNCHECKED,
    PartResult,
    Progress,
    result,
)
from course.parts import unchecked as unchecked_part

# Una celda del resumen: la evidencia con un título de pull request ya acotado.
CELL_LIMIT = 600

__all__ = [
    "DONE",
    "MISSING",
    "PARTS",
    "PENDING",
    "UNCHECKED",
    "Progress",
    "build_evidence",
    "evaluate",
    "render_markdown",
    "render_text",
]


def _repository_parts(
    local: LocalFacts | None, github: GitHubFacts | None
) -> tuple[PartResult, PartResult, PartResult]:
    """Partes 1, 2 y Extra: de GitHub si respondió; si no, la 1 desde git local."""
    if github is not None and not github.problem:
        return github_part1(github), github_part2(github), github_extra(github)
    if github is not None:  # el repositorio falta, es privado o está vacío
        part1 = github_part1(github)
        missing = [
            result(key, MISSING, "sin repositorio en GitHub", part1.next_action)
            for key in ("parte2", "extra")
        ]
        return part1, missing[0], missing[1]
    reason = "sin datos de GitHub"
    part1 = local_part1(local) if local else unchecked_part("parte1", reason)
    return part1, unchecked_part("parte2", reason), unchecked_part("extra", reason)


def _evidence(
    local: LocalFacts | None, github: GitHubFacts | None
) -> tuple[Evidence | None, str]:
    """La evidencia (la de tu carpeta, o la subida a GitHub) y por qué no se leyó."""
    if local and local.evidence:
        return local.evidence, ""
    if github is None:
        return None, ""
    return github.evidence, github.unread.get("evidence", "")


def evaluate(
    local: LocalFacts | None,
    github: GitHubFacts | None,
    azure: AzureFacts | None = None,
    unchecked: Iterable[str] = (),
    azure_problem: str = "",
) -> Progress:
    """Una línea por parte a partir de los hechos que se pudieron reunir."""
    part1, part2, extra = _repository_parts(local, github)
    evidence, unread = _evidence(local, github)
    parts = [
        part1,
        part2,
        part3(local, evidence, unread),
        part4(local, azure, evidence, (azure_problem, unread)),
        part5(local, azure, evidence, unread),
        part6(local, azure, evidence, unread),
        extra,
    ]
    repository = github.repository if github else (local.repository if local else "")
    warnings = [
        f"{EVIDENCE_PATH} no sirve en parte ({problem}): {REWRITE}"
        for problem in (evidence.problems[:5] if evidence else [])
    ]
    return Progress(parts, list(unchecked), repository, warnings)


def build_evidence(
    local: LocalFacts, azure: AzureFacts | None, now: datetime | None = None
) -> dict[str, object]:
    """La evidencia de las Partes 3 a 6 que se vio directamente, sin secretos.

    Solo nombres, versiones, estados, conteos y huellas: nunca el ID de la
    suscripción, el grupo de recursos, un token ni una ruta de la computadora.
    """
    training = None
    if local.model:
        metrics = local.model.get("metrics") or {}
        training = {
            "date": str(local.model.get("training_date", "")),
            "accuracy": metrics.get("accuracy"),
            "f1_score": metrics.get("f1_score"),
        }
    if azure:
        workspace = azure.workspace
        version = azure.models[-1]["version"] if azure.models else ""
    else:
        workspace = "local" if local.store_exists else ""
        version = local.store_versions[-1] if local.store_versions else ""
    return evidence_record(
        now or datetime.now(timezone.utc),
        local.version_tag,
        training,
        workspace,
        version,
        (azure.job if azure else None) or local.job,
        local.predictions,
    )


# --------------------------------------------------------------------------
# El progreso como texto: terminal, resumen de GitHub Actions
# --------------------------------------------------------------------------


def render_text(progress: Progress) -> list[str]:
    """Las líneas del progreso para la terminal."""
    lines = [f"{part.state} {part.title}: {part.evidence}" for part in progress.parts]
    if progress.unchecked:
        lines.append("")
        lines.append("⚠️  No se pudo comprobar:")
        lines.extend(f"   - {reason}" for reason in progress.unchecked)
    if progress.warnings:
        lines.append("")
        lines.append("⚠️  Avisos:")
        lines.extend(f"   - {warning}" for warning in progress.warnings)
    lines.append("")
    pending = progress.first_not_done()
    if pending is None:
        lines.append("🎉 ¡Todas las partes están hechas!")
    else:
        lines.append(f"➡️  Siguiente paso ({pending.title}): {pending.next_action}")
        lines.extend(f"      {command}" for command in pending.commands)
    return lines


def render_markdown(progress: Progress) -> str:
    """El progreso como tabla Markdown (resumen del flujo «Progreso»).

    Los textos que vienen del estudiante (títulos de pull requests, nombres)
    se muestran como texto: nunca como enlaces, imágenes ni menciones.
    """

    def cell(text: str) -> str:
        return markdown_text(text, CELL_LIMIT)

    title = "## 📋 Progreso del laboratorio"
    lines = [
        f"{title} ({cell(progress.repository)})" if progress.repository else title,
        "",
        "| Parte | Estado | Evidencia |",
        "|---|---|---|",
    ]
    for part in progress.parts:
        evidence = cell(part.evidence)
        if part.url.startswith("https://"):
            evidence = f"[{evidence}](<{part.url}>)"
        lines.append(f"| {cell(part.title)} | {part.state} | {evidence} |")
    pending = progress.first_not_done()
    lines.append("")
    if pending is None:
        lines.append("🎉 ¡Todas las partes están hechas!")
    else:
        lines.append(
            f"**Siguiente paso** ({pending.title}): {cell(pending.next_action)}"
        )
        if pending.commands:
            lines.extend(["", "```text", *pending.commands, "```"])
    if progress.unchecked:
        lines.append("")
        lines.append("No se pudo comprobar:")
        lines.extend(f"- {cell(reason)}" for reason in progress.unchecked)
    if progress.warnings:
        lines.append("")
        lines.append("Avisos:")
        lines.extend(f"- {cell(warning)}" for warning in progress.warnings)
    return "\n".join(lines) + "\n"
