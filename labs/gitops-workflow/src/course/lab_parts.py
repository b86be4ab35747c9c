"""La Parte 1 vista desde tu carpeta, y las Partes 3 a 6.

Las Partes 3 a 6 se comprueban con lo que hay a mano, en este orden: tu
carpeta del laboratorio y tu workspace de Azure ML (comprobado), y si no, el
archivo de evidencia que subiste (declarado: lo escribiste tú). Una sección
de la evidencia que no sirve dice por qué; una evidencia que GitHub no dejó
leer deja la parte sin comprobar.

Solo usa la biblioteca estándar.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from course.azure_facts import AzureFacts
from course.evidence import Evidence
from course.local_facts import LocalFacts
from course.parts import (
    DONE,
    EVIDENCE_PATH,
    MISSING,
    MODEL_NAME,
    PREDICTIONS_PATH,
    PartResult,
    result,
    unchecked,
)
from labkit.cli import format_number

REWRITE = (
    "vuelve a escribirla con python scripts/check_progress.py --evidencia y "
    "súbela con un pull request"
)
NOT_PUSHED = (
    "git add .",
    'git commit -m "chore: contenido inicial del laboratorio"',
    "git push -u origin main",
)


def local_part1(local: LocalFacts) -> PartResult:
    """Parte 1 sin GitHub: el laboratorio en la raíz de un repositorio con origin."""
    problems = {
        "no_repo": (
            "esta carpeta no es un repositorio git",
            "clona tu repositorio de GitHub y copia en su raíz el contenido de la "
            "carpeta del laboratorio (Parte 1)",
            (),
        ),
        "not_root": (
            "el laboratorio no está en la raíz del repositorio git",
            "copia el contenido de la carpeta del laboratorio a la raíz de tu "
            "repositorio (Parte 1), no la carpeta entera",
            (),
        ),
        "no_remote": (
            "el repositorio no tiene un remoto origin en GitHub",
            "conecta tu repositorio de GitHub y sube main, uno por uno:",
            (
                "git remote add origin https://github.com/TU-USUARIO/gitops-lab.git",
                "git push -u origin main",
            ),
        ),
        "not_pushed": (
            f"aún no subiste nada a {local.repository}",
            "sube el laboratorio a main (Parte 1), uno por uno:",
            NOT_PUSHED,
        ),
    }
    if local.git_problem:
        evidence, action, commands = problems[local.git_problem]
        return result("parte1", MISSING, evidence, action, commands=commands)
    return result(
        "parte1",
        DONE,
        f"repositorio git con el laboratorio en la raíz, subido a {local.repository}",
        url=f"https://github.com/{local.repository}",
    )


def _declared(key: str, evidence: str, url: str) -> PartResult:
    part = result(key, DONE, f"{evidence} (según {EVIDENCE_PATH})", url=url)
    part.declared = True
    return part


def _from_evidence(
    key: str,
    evidence: Evidence | None,
    unread: str,
    section: str,
    describe: Callable[[Any], str],
) -> PartResult | None:
    """La parte según la sección ``section`` de la evidencia, si dice algo."""
    value = evidence.section(section) if evidence else None
    if evidence and value:
        return _declared(key, describe(value), evidence.url)
    problem = evidence.problem_with(section) if evidence else ""
    if problem:
        return result(
            key,
            MISSING,
            f"{EVIDENCE_PATH} no sirve para esta parte ({problem})",
            REWRITE,
            evidence.url if evidence else "",
        )
    if unread:
        return unchecked(key, unread)
    return None


def _accuracy(metrics: dict[str, Any]) -> str:
    accuracy = metrics.get("accuracy")
    if isinstance(accuracy, float):
        return f", accuracy {format_number(accuracy, 3)}"
    return ""


def part3(
    local: LocalFacts | None, evidence: Evidence | None, unread: str = ""
) -> PartResult:
    """Parte 3: el modelo entrenado en artifacts/ (o anotado en la evidencia)."""
    model = local.model if local else None
    if model:
        date = str(model.get("training_date", ""))[:10]
        return result(
            "parte3",
            DONE,
            f"modelo entrenado el {date}{_accuracy(model.get('metrics') or {})}",
        )
    found = _from_evidence(
        "parte3",
        evidence,
        unread,
        "training",
        lambda training: f"modelo entrenado el {training['date'][:10]}"
        f"{_accuracy(training)}",
    )
    return found or result(
        "parte3",
        MISSING,
        "no hay modelo entrenado en artifacts/",
        "python scripts/train_model.py (Parte 3)",
    )


def part4(
    local: LocalFacts | None,
    azure: AzureFacts | None,
    evidence: Evidence | None,
    problems: tuple[str, str] = ("", ""),
) -> PartResult:
    """Parte 4: el workspace de Azure ML, o el almacén local de MLflow.

    ``problems`` es (por qué falló Azure, por qué no se leyó la evidencia).
    """
    azure_problem, unread = problems
    if azure:
        return result("parte4", DONE, f"conectado al workspace {azure.workspace}")
    if local and local.store_exists:
        return result(
            "parte4", DONE, "almacén local de MLflow (mlflow.db) con el experimento"
        )
    # Lo que responde Azure ahora pesa más que lo anotado en la evidencia.
    if azure_problem:
        return result(
            "parte4",
            MISSING,
            f"no se pudo usar el workspace: {azure_problem}",
            "python scripts/verify_azure_connection.py (Parte 4)",
        )
    found = _from_evidence(
        "parte4", evidence, unread, "workspace", lambda name: f"workspace {name}"
    )
    if found:
        return found
    if local and local.store_problem:
        return unchecked(
            "parte4",
            f"mlflow.db: {local.store_problem}",
            "activa el entorno virtual y vuelve a ejecutar la comprobación",
        )
    return result(
        "parte4",
        MISSING,
        "no hay config.json ni almacén local de MLflow",
        "crea config.json y ejecuta python scripts/verify_azure_connection.py; "
        "sin Azure: python scripts/verify_azure_connection.py --local (Parte 4)",
    )


def part5(
    local: LocalFacts | None,
    azure: AzureFacts | None,
    evidence: Evidence | None,
    unread: str = "",
) -> PartResult:
    """Parte 5: una versión registrada de churn-prediction-model."""
    if azure and azure.models:
        latest = azure.models[-1]
        shown = list(latest["tags"].items())[:3]  # el linaje: commit, versión…
        tags = ", ".join(f"{key}={value}" for key, value in shown)
        lineage = f" (etiquetas: {tags})" if tags else ""
        return result(
            "parte5",
            DONE,
            f"{MODEL_NAME} versión {latest['version']} en {azure.workspace}{lineage}",
        )
    if local and local.store_versions:
        return result(
            "parte5",
            DONE,
            f"{MODEL_NAME} versión {local.store_versions[-1]} en el almacén local",
        )
    found = _from_evidence(
        "parte5",
        evidence,
        unread,
        "model",
        lambda model: f"{MODEL_NAME} versión {model['version']}",
    )
    if found:
        return found
    where = " --local" if local and local.store_exists and not azure else ""
    return result(
        "parte5",
        MISSING,
        f"no hay ninguna versión de {MODEL_NAME} registrada",
        f"python scripts/register_model.py{where} (Parte 5)",
    )


def part6(
    local: LocalFacts | None,
    azure: AzureFacts | None,
    evidence: Evidence | None,
    unread: str = "",
) -> PartResult:
    """Parte 6: las predicciones descargadas (y el trabajo que las hizo)."""
    job = (azure.job if azure else None) or (local.job if local else None)
    predictions = local.predictions if local else None
    if predictions:
        where = f"trabajo {job['name']} completado; " if job else ""
        return result(
            "parte6",
            DONE,
            f"{where}{predictions['rows']} predicciones en {PREDICTIONS_PATH} "
            f"(sha256 {predictions['sha256'][:12]}…)",
        )
    recorded_job = (evidence.section("job") if evidence else None) or {}

    def describe(recorded: dict[str, Any]) -> str:
        name = recorded_job.get("name", "sin nombre")
        return (
            f"trabajo {name} completado; {recorded['rows']} predicciones "
            f"(sha256 {recorded['sha256'][:12]}…)"
        )

    found = _from_evidence("parte6", evidence, unread, "predictions", describe)
    if found:
        return found
    missing_data = azure is not None and not azure.data_version
    action = "python scripts/upload_data.py y después " if missing_data else ""
    local_flag = " --local" if local and local.store_exists and not azure else ""
    return result(
        "parte6",
        MISSING,
        f"no hay predicciones en {PREDICTIONS_PATH}",
        f"{action}python scripts/run_inference_pipeline.py{local_flag} (Parte 6)",
    )
