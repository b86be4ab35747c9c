"""El despliegue (deploy_model.yml) de verdad con act: solo main, y OIDC sin secreto.

- Desde otra rama, el flujo se detiene en su primer paso con un mensaje en
  español, antes de leer un secreto o de instalar nada.
- Desde main, con OIDC: el paso «Azure sign-in (OIDC)» pide a la API falsa de
  GitHub (``ACTIONS_ID_TOKEN_REQUEST_URL``/``_TOKEN``, lo que GitHub da a un
  trabajo con ``id-token: write``) el token del environment ``azure``;
  azure-identity (``WorkloadIdentityCredential``, desde
  ``AZURE_FEDERATED_TOKEN_FILE``) lo presenta al emulador de Entra ID como
  ``client_assertion``, y el emulador solo lo acepta si coincide con la
  credencial federada (emisor, sujeto y audiencia). El modelo queda
  registrado en el emulador de Azure ML. No hay secreto de cliente en ninguna
  parte: ni en los secretos de act ni en el entorno.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from github_fake.act import (
    REPOSITORY,
    ActEnvironment,
    ActRun,
    StudentRepo,
    missing_requirements,
    missing_runner_python,
)
from github_fake.fixtures import (  # noqa: F401  pylint: disable=unused-import
    fixture_act_environment,
    fixture_github,
    fixture_student,
)
from github_fake.server import OIDC_REQUEST_TOKEN, FakeGitHub

from tests.azure_emulator import Emulator, running
from tests.azure_emulator.app import CLIENT_ID, CLIENT_SECRET, TENANT
from tests.azure_emulator.login.models import FEDERATED_CREDENTIAL

MISSING = missing_requirements()
pytestmark = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")
NEEDS_PYTHON = missing_runner_python("3.12")
ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = (
    ROOT / "labs" / "gitops-workflow" / ".github" / "workflows" / "deploy_model.yml"
)


def dispatch_event(ref: str) -> dict[str, object]:
    """El evento workflow_dispatch de «Run workflow» en la rama ``ref``."""
    return {
        "inputs": {"model-name": "churn-prediction-model"},
        "ref": ref,
        "repository": {"full_name": REPOSITORY, "default_branch": "main"},
    }


@pytest.fixture(name="emulator")
def fixture_emulator(tmp_path: Path) -> Iterator[Emulator]:
    """El emulador de Azure ML en 127.0.0.1, detenido al terminar."""
    with running(tmp_path / "emulator") as emulator:
        yield emulator


def test_deploy_from_another_branch_stops_first_with_a_spanish_message(
    act_environment: ActEnvironment, student: StudentRepo, github: FakeGitHub
) -> None:
    student.commit("chore: laboratorio inicial")
    student.push()
    student.git("checkout", "--quiet", "-b", "cambio")
    student.push("cambio")
    run = act_environment.run(
        student,
        github,
        "workflow_dispatch",
        dispatch_event("refs/heads/cambio"),
        "deploy_model.yml",
        secrets={"AZURE_CLIENT_SECRET": CLIENT_SECRET},
    )
    assert run.returncode != 0, run.log
    assert run.step_outcome("Check branch") == "failure", run.log
    assert run.step_outcome("Check Azure secrets") == "skipped"
    assert run.step_outcome("Install dependencies") == "skipped"
    assert "Solo se despliega desde main" in run.log
    assert "## ❌ Solo se despliega desde main" in run.summary()
    assert "refs/heads/cambio" in run.summary()


def test_the_deploy_job_is_bound_to_the_azure_environment() -> None:
    job = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]["deploy"]
    assert job["environment"] == "azure"
    assert job["permissions"] == {"contents": "read", "id-token": "write"}
    assert FEDERATED_CREDENTIAL["subject"] == f"repo:{REPOSITORY}:environment:azure"


def run_oidc_deploy(
    act_environment: ActEnvironment,
    student: StudentRepo,
    github: FakeGitHub,
    emulator: Emulator,
) -> ActRun:
    """Ejecuta deploy_model.yml en main con OIDC contra el emulador."""
    student.commit("chore: laboratorio inicial")
    student.push()
    ready = emulator.ready
    # Las dos CA de prueba: la del emulador de Azure y la del índice de paquetes
    # (el «PyPI» de los trabajos): REQUESTS_CA_BUNDLE vale también para pip.
    bundle = act_environment.cache / "ca-azure-y-pypi.pem"
    bundle.write_text(
        Path(ready["ca_path"]).read_text(encoding="utf-8")
        + act_environment.index_ca.read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    env = {
        "HTTPS_PROXY": ready["proxy_url"],
        "https_proxy": ready["proxy_url"],
        "SSL_CERT_FILE": str(bundle),
        "REQUESTS_CA_BUNDLE": str(bundle),
        # El índice de paquetes se alcanza directo, como PyPI desde un runner:
        # el proxy solo lleva a Azure.
        "NO_PROXY": "127.0.0.1",
        "no_proxy": "127.0.0.1",
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "ACTIONS_ID_TOKEN_REQUEST_URL": f"{github.url}/idtoken?api-version=2.0",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN": OIDC_REQUEST_TOKEN,
    }
    secrets = {
        "AZURE_TENANT_ID": TENANT,
        "AZURE_CLIENT_ID": CLIENT_ID,
        "AZURE_SUBSCRIPTION_ID": emulator.config["subscription_id"],
        "AZURE_RESOURCE_GROUP": emulator.config["resource_group"],
        "AZURE_ML_WORKSPACE_NAME": emulator.config["workspace_name"],
    }
    assert CLIENT_SECRET not in {*env.values(), *secrets.values()}
    assert not any("CLIENT_SECRET" in name for name in os.environ)
    return act_environment.run(
        student,
        github,
        "workflow_dispatch",
        dispatch_event("refs/heads/main"),
        "deploy_model.yml",
        secrets=secrets,
        env=env,
    )


@pytest.mark.skipif(NEEDS_PYTHON is not None, reason=NEEDS_PYTHON or "")
def test_deploy_with_oidc_registers_the_model_without_a_client_secret(
    act_environment: ActEnvironment,
    student: StudentRepo,
    github: FakeGitHub,
    emulator: Emulator,
) -> None:
    # Lo que GitHub pone en el sub del token de un trabajo con «environment: azure».
    github.oidc_environment = "azure"
    run = run_oidc_deploy(act_environment, student, github, emulator)
    assert run.returncode == 0, run.log
    assert run.step_outcome("Azure sign-in (OIDC)") == "success"
    assert "Token OIDC de GitHub listo para Azure (sin secreto)" in run.log
    assert run.step_outcome("Register model") == "success", run.log
    summary = run.summary()
    assert "| Estado | ✅ Modelo registrado |" in summary
    assert "| Versión | 1 |" in summary
    assert github.called("GET", "/idtoken")
    log = emulator.requests_log()
    assert any("/oauth2/v2.0/token" in line for line in log), log
    assert any("/mlflow/model-versions/create" in line for line in log), log
    # El token de GitHub no aparece en el registro de la ejecución.
    assert github.oidc_token("api://AzureADTokenExchange").split(".")[0] + "." not in (
        run.log.split("Azure sign-in (OIDC)", 1)[1]
    )


@pytest.mark.skipif(NEEDS_PYTHON is not None, reason=NEEDS_PYTHON or "")
def test_a_token_without_the_environment_is_refused_by_entra_id(
    act_environment: ActEnvironment,
    student: StudentRepo,
    github: FakeGitHub,
    emulator: Emulator,
) -> None:
    """Sin environment el sub es la rama: no coincide con la credencial federada."""
    github.oidc_environment = None
    run = run_oidc_deploy(act_environment, student, github, emulator)
    assert run.returncode != 0
    assert run.step_outcome("Azure sign-in (OIDC)") == "success"
    assert run.step_outcome("Register model") == "failure"
    assert "Azure no aceptó el token de GitHub (AADSTS70021)" in run.log, run.log
    assert f"«repo:{REPOSITORY}:ref:refs/heads/main»" in run.log
    assert "repo:<usuario>/<repositorio>:environment:azure" in run.log
