"""Muestra qué partes del laboratorio tienes hechas, con la prueba de cada una.

Una línea por parte (Parte 1 … Parte 6 y Extra) con ✅ (hecha), ❌ (falta) o
⏳ (en marcha o sin comprobar), lo que la prueba y, al final, el siguiente
paso. Mira tu repositorio y su remoto, ``artifacts/``, ``data/`` y el almacén
local de MLflow; en GitHub (su API REST) el pull request, CI, CD, la release y
el despliegue; y en Azure ML, si tienes ``config.json``, el modelo registrado,
el activo de datos y el último trabajo de inferencia. Lo que no puede
comprobar (sin red o sin credenciales) lo dice, y muestra el resto.

Con ``--evidencia`` escribe ``evidence/progreso.json`` con la evidencia de las
Partes 3 a 6 (nombres, versiones, estados y la huella de las predicciones,
sin secretos): súbelo al repositorio para que tu profesor la vea.

Uso: python scripts/check_progress.py [--evidencia] [--sin-github] [--sin-azure]
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from _lab import LAB_ROOT  # va primero: revisa Python y el entorno virtual

from course.github_api import GitHubClient, find_token
from course.progress import (
    DONE,
    EVIDENCE_PATH,
    PARTS,
    AzureFacts,
    LocalFacts,
    Progress,
    build_evidence,
    check_github,
    evaluate,
    gather_azure,
    gather_local,
    render_markdown,
    render_text,
)
from labkit.cli import LabError, atomic_output, build_parser, report_errors
from labkit.workspace import (
    DEFAULT_CONFIG,
    azure_errors,
    create_ml_client,
    load_workspace_config,
)

PART_KEYS = [key for key, _ in PARTS]
# Donde run_inference_pipeline.py deja la salida de cada trabajo.
JOBS_DIR = LAB_ROOT / "outputs"


def check_azure(
    config_path: Path, unchecked: list[str]
) -> tuple[AzureFacts | None, str]:
    """Los hechos de Azure ML si hay ``config.json``, y el problema si lo hubo."""
    if not config_path.is_file():
        unchecked.append(
            f"Azure ML: no hay {config_path.name} (Parte 4); se miró solo lo local"
        )
        return None, ""
    try:
        config = load_workspace_config(config_path)
        with azure_errors(config):
            return gather_azure(config, JOBS_DIR, create_ml_client), ""
    except LabError as error:
        unchecked.append(f"Azure ML: {error}")
        return None, str(error)


def check_progress(
    local: LocalFacts,
    repository: str,
    use_github: bool = True,
    config_path: Path | None = None,
) -> tuple[Progress, AzureFacts | None]:
    """Reúne los hechos (local, GitHub, Azure) y devuelve el progreso."""
    unchecked: list[str] = []
    github = None
    if not use_github:
        unchecked.append("GitHub: no se consultó (--sin-github)")
    elif not repository:
        unchecked.append(
            "GitHub: no se sabe cuál es tu repositorio (no hay remoto origin en "
            "GitHub); indícalo con --repo TU-USUARIO/gitops-lab"
        )
    else:
        client = GitHubClient(token=find_token())
        github = check_github(client, repository, unchecked)
        if github is not None and github.problem and not client.authenticated:
            unchecked.append(
                "GitHub: sin token solo se ven los repositorios públicos; si el "
                "tuyo es privado, inicia sesión con gh auth login (o define "
                "GITHUB_TOKEN) y vuelve a ejecutar"
            )
    azure, problem = (None, "")
    if config_path is None:
        unchecked.append("Azure ML: no se consultó (--sin-azure)")
    else:
        azure, problem = check_azure(config_path, unchecked)
    progress = evaluate(local, github, azure, unchecked, azure_problem=problem)
    return progress, azure


def write_evidence(path: Path, evidence: dict[str, object]) -> None:
    """Escribe el archivo de evidencia entero o nada (temporal y renombrar)."""
    with atomic_output(path) as temporary:
        temporary.write_text(
            json.dumps(evidence, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )


def append_summary(markdown: str) -> bool:
    """Añade el progreso al resumen de GitHub Actions, si se ejecuta allí."""
    summary = os.environ.get("GITHUB_STEP_SUMMARY", "")
    if not summary:
        return False
    try:
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(markdown)
    except OSError as error:
        raise LabError(
            f"no se pudo escribir el resumen de GitHub Actions ({error.strerror})."
        ) from None
    return True


@report_errors
def main(argv: Sequence[str] | None = None) -> int:
    """Lee los argumentos, comprueba cada parte y devuelve el código de salida."""
    parser = build_parser(__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument(
        "--repo",
        help="tu repositorio en GitHub, TU-USUARIO/NOMBRE (por defecto, el del "
        "remoto origin)",
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=LAB_ROOT / DEFAULT_CONFIG,
        help="archivo con los datos del workspace de Azure ML (si no existe, "
        "no se consulta Azure)",
    )
    parser.add_argument(
        "--sin-github", action="store_true", help="no consulta la API de GitHub"
    )
    parser.add_argument("--sin-azure", action="store_true", help="no consulta Azure ML")
    parser.add_argument(
        "--evidencia",
        action="store_true",
        help=f"escribe {EVIDENCE_PATH} con la evidencia de las Partes 3 a 6",
    )
    parser.add_argument(
        "--exigir",
        choices=PART_KEYS,
        help="termina con código 1 si esa parte no está hecha (para autocorrección)",
    )
    args = parser.parse_args(argv)
    if args.repo is not None and args.repo.count("/") != 1:
        raise LabError(
            f"--repo {args.repo!r} no es válido: escríbelo como TU-USUARIO/NOMBRE."
        )

    local = gather_local(LAB_ROOT, JOBS_DIR)
    progress, azure = check_progress(
        local,
        args.repo or local.repository,
        use_github=not args.sin_github,
        config_path=None if args.sin_azure else args.config,
    )
    print(
        "📋 Progreso del laboratorio"
        + (f" ({progress.repository})" if progress.repository else "")
    )
    print()
    for line in render_text(progress):
        print(line)
    if args.evidencia:
        path = LAB_ROOT / EVIDENCE_PATH
        write_evidence(path, build_evidence(local, azure))
        print()
        print(
            f"📝 Evidencia escrita en {EVIDENCE_PATH}. Súbela: git add "
            f'{EVIDENCE_PATH} && git commit -m "docs: evidencia del progreso" '
            "&& git push"
        )
    if append_summary(render_markdown(progress)):
        print("📝 Progreso añadido al resumen de la ejecución.")
    if args.exigir:
        part = next(item for item in progress.parts if item.key == args.exigir)
        if part.state != DONE:
            raise LabError(
                f"{part.title} no está hecha: {part.evidence}. Siguiente paso: "
                f"{part.next_action}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
