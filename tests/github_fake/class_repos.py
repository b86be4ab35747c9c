"""Los repositorios de una clase en la API falsa: un estado de la clase cada uno.

Cada estado (``STATES``) deja lo que un estudiante en ese punto tiene en
GitHub, con las formas de la API REST: pull requests, ejecuciones de cada
flujo, comentarios, etiquetas, releases y el archivo de evidencia; quién hizo
cada cosa (``user``, ``author``) y en qué rama corrió cada ejecución. Lo usa
:mod:`github_fake.classroom`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

ORG = "utec-mlops"
PREFIX = "gitops-lab"
BOT = {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"}
STUDENT = {"login": "alumno", "id": 1001, "type": "User"}
MARKER = "<!-- add-pr-comment:ci-results -->\n## 🔍 Resultados de CI"

# Estado de cada repositorio -> lo que el informe debe decir de cada parte
# (✅, ❌ o ⏳) para Parte 1, Parte 2 y Extra, y una palabra de la evidencia
# de la primera que falta.
STATES: dict[str, tuple[str, str, str, str]] = {
    "sin_pr": ("✅", "❌", "❌", "ningún pull request"),
    "pr_abierto": ("✅", "❌", "❌", "sin fusionar"),
    "titulo_no_convencional": ("✅", "❌", "❌", "no es convencional"),
    "cd_fallo": ("✅", "❌", "❌", "CD falló"),
    "tag_sin_release": ("✅", "❌", "❌", "no tiene release"),
    "completo": ("✅", "✅", "✅", "release v0.1.0"),
    "muy_activo": ("✅", "✅", "✅", "release v0.1."),
    "comentario_ajeno": ("✅", "❌", "✅", "no lo escribió GitHub Actions"),
    "release_manual": ("✅", "❌", "✅", "no la publicó el flujo CD"),
    "despliegue_en_rama": ("✅", "✅", "❌", "fuera de main"),
    "inexistente": ("❌", "❌", "❌", "no existe"),
    "privado": ("❌", "❌", "❌", "no existe"),
    "vacio": ("❌", "❌", "❌", "vacío"),
    "renombrado": ("✅", "✅", "✅", "release v0.1.0"),
}
COMMON = (
    "sin_pr",
    "pr_abierto",
    "titulo_no_convencional",
    "cd_fallo",
    "tag_sin_release",
    "completo",
)
RARE = (
    "inexistente",
    "privado",
    "vacio",
    "renombrado",
    "muy_activo",
    "comentario_ajeno",
    "release_manual",
    "despliegue_en_rama",
)
# Los estados que subieron su evidencia (Partes 3 a 6 declaradas).
WITH_EVIDENCE = {
    "completo",
    "muy_activo",
    "comentario_ajeno",
    "release_manual",
    "despliegue_en_rama",
    "renombrado",
}
EVIDENCE = {
    "format": 1,
    "generated_at": "2026-12-01T08:00:00+00:00",
    "lab_version": "v0.1.0",
    "training": {"date": "2026-12-01T07:00:00", "accuracy": 0.83, "f1_score": 0.6},
    "workspace": "mlw-clase",
    "model": {"name": "churn-prediction-model", "version": "1"},
    "job": {"name": "quiet_lamp_1234", "status": "Completed"},
    "predictions": {"rows": 500, "sha256": "ab" * 32},
}


def generated_states(count: int) -> dict[str, str]:
    """``count`` repositorios ``ORG/PREFIX-alumnoNNN`` con sus estados.

    Los estados comunes se reparten en ciclo; cada uno de los raros aparece
    una vez cada 50 repositorios.
    """
    states: dict[str, str] = {}
    for index in range(count):
        name = f"{ORG}/{PREFIX}-alumno{index:03d}"
        if index % 50 < len(RARE):
            states[name] = RARE[index % 50]
        else:
            states[name] = COMMON[index % len(COMMON)]
    return states


def pull(repo: str, number: int, title: str, merged: bool) -> dict[str, Any]:
    """Un pull request como lo devuelve ``GET /pulls``."""
    return {
        "number": number,
        "title": title,
        "state": "closed" if merged else "open",
        "merged_at": "2026-11-20T10:00:00Z" if merged else None,
        "base": {"ref": "main"},
        "head": {"sha": f"{number:040d}"},
        "user": STUDENT,
        "html_url": f"https://github.com/{repo}/pull/{number}",
    }


def run(
    repo: str, run_id: int, workflow: str, conclusion: str, **extra: Any
) -> dict[str, Any]:
    """Una ejecución como la devuelve ``GET /actions/workflows/{flujo}/runs``."""
    return {
        "id": run_id,
        "name": workflow,
        "path": f".github/workflows/{workflow}",
        "status": "completed",
        "conclusion": conclusion,
        "event": "push",
        "head_branch": "main",
        "actor": STUDENT,
        "html_url": f"https://github.com/{repo}/actions/runs/{run_id}",
        "pull_requests": [],
        **extra,
    }


def release(
    repo: str, release_id: int, tag: str, author: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Una release como la devuelve ``GET /releases`` (la publica CD: el bot)."""
    return {
        "id": release_id,
        "tag_name": tag,
        "author": author or BOT,
        "html_url": f"https://github.com/{repo}/releases/tag/{tag}",
        "assets": [
            {"name": f"gitops-lab-{tag}.zip", "size": 1234, "uploader": author or BOT}
        ],
    }


@dataclass
class FakeRepo:  # pylint: disable=too-many-instance-attributes
    """Un repositorio de la clase en la API falsa."""

    full_name: str
    state: str
    repo_id: int
    pulls: list[dict[str, Any]] = field(default_factory=list)
    runs: list[dict[str, Any]] = field(default_factory=list)
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    releases: list[dict[str, Any]] = field(default_factory=list)
    evidence: dict[str, Any] | None = None
    # Lo que el estudiante subió tal cual (para evidencias hostiles): gana a
    # ``evidence``.
    evidence_raw: bytes | None = None
    workflows: tuple[str, ...] = (
        "cd.yml",
        "ci.yml",
        "deploy_model.yml",
        "progress.yml",
    )
    is_template: bool = False
    private: bool = False
    # «privado»: un repositorio privado al que el token del profesor no llega.
    teacher_access: bool = True
    owner_type: str = "Organization"
    version: int = 0  # cambia con cada modificación: cambia el ETag

    def evidence_bytes(self) -> bytes | None:
        """El contenido de ``evidence/progreso.json``, o None si no existe."""
        if self.evidence_raw is not None:
            return self.evidence_raw
        if self.evidence is None:
            return None
        return json.dumps(self.evidence).encode()

    @classmethod
    def build(cls, full_name: str, state: str, repo_id: int) -> FakeRepo:
        """El repositorio con lo que deja ese estado."""
        hidden = state == "privado"
        repo = cls(full_name, state, repo_id, private=hidden, teacher_access=not hidden)
        if state == "vacio":
            return repo
        name = full_name
        # La Parte 1: el primer push a main ya crea v0.0.1 con su release.
        repo.runs.append(run(name, 9, "cd.yml", "success"))
        repo.tags = ["v0.0.1"]
        repo.releases = [release(name, 6, "v0.0.1")]
        if state != "sin_pr":
            _add_pull_request(repo)
        if state in ("cd_fallo", "tag_sin_release") or state in WITH_EVIDENCE:
            failed = state == "cd_fallo"
            repo.runs.insert(
                0, run(name, 11, "cd.yml", "failure" if failed else "success")
            )
        if state == "tag_sin_release" or state in WITH_EVIDENCE:
            repo.tags.insert(0, "v0.1.0")
        if state in WITH_EVIDENCE:
            _add_release_and_deploy(repo)
            repo.evidence = dict(EVIDENCE)
        if state == "muy_activo":
            _add_activity(repo)
        return repo


def _add_pull_request(repo: FakeRepo) -> None:
    name = repo.full_name
    title = (
        "Update train_model.py"
        if repo.state == "titulo_no_convencional"
        else "feat: mi primer cambio"
    )
    repo.pulls = [pull(name, 1, title, repo.state != "pr_abierto")]
    repo.runs.append(
        run(
            name,
            10,
            "ci.yml",
            "success",
            event="pull_request",
            head_branch="feat/mi-cambio",
            head_sha=f"{1:040d}",
            pull_requests=[{"number": 1}],
        )
    )
    author = STUDENT if repo.state == "comentario_ajeno" else BOT
    repo.comments[1] = [{"id": 5, "body": MARKER, "user": author}]


def _add_release_and_deploy(repo: FakeRepo) -> None:
    name = repo.full_name
    author = STUDENT if repo.state == "release_manual" else BOT
    repo.releases.insert(0, release(name, 7, "v0.1.0", author))
    branch = "prueba" if repo.state == "despliegue_en_rama" else "main"
    repo.runs.insert(
        0,
        run(
            name,
            12,
            "deploy_model.yml",
            "success",
            event="workflow_dispatch",
            head_branch=branch,
        ),
    )


def _add_activity(repo: FakeRepo) -> None:
    """Un estudiante muy activo: lo que cuenta queda en la segunda página.

    120 pull requests más nuevos sin fusionar (de Dependabot) con 150
    ejecuciones de CI, y 120 releases de parche posteriores a v0.1.0.
    """
    name = repo.full_name
    for number in range(2, 122):
        title = f"chore(deps): actualiza dependencia {number}"
        repo.pulls.insert(0, pull(name, number, title, merged=False))
    for index in range(150):
        number = 2 + index % 120
        repo.runs.insert(
            0,
            run(
                name,
                1000 + index,
                "ci.yml",
                "failure",
                event="pull_request",
                head_branch=f"dependabot/{number}",
                head_sha=f"{number:040d}",
                pull_requests=[{"number": number}],
            ),
        )
    for patch in range(1, 121):
        tag = f"v0.1.{patch}"
        repo.tags.insert(0, tag)
        repo.releases.insert(0, release(name, 2000 + patch, tag))
