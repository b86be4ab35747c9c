"""Pruebas de scripts/verify_azure_connection.py."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.verify_azure_connection import main
from tests.helpers import (
    LAB_ROOT,
    assert_clean_failure,
    assert_main_fails,
    run_script,
)

SCRIPT = LAB_ROOT / "scripts" / "verify_azure_connection.py"


def run_as_student(folder: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """El script con un config.json válido, sin «az» y sin AZURE_TOKEN_CREDENTIALS.

    Así lo ejecuta un estudiante que no hizo az login: DefaultAzureCredential
    prueba todas sus credenciales (la de identidad administrada choca con el
    bloqueo de red, como en una computadora que no es de Azure).
    """
    (folder / "config.json").write_text(
        json.dumps(
            {
                "subscription_id": "00000000-0000-0000-0000-000000000000",
                "resource_group": "rg-lab",
                "workspace_name": "ws-lab",
            }
        ),
        encoding="utf-8",
    )
    # Vacía, AZURE_TOKEN_CREDENTIALS cuenta como no definida (todas las credenciales).
    settings = {"AZURE_TOKEN_CREDENTIALS": "", **env}
    return run_script(
        [SCRIPT, "--config", "config.json"],
        cwd=folder,
        # Solo la carpeta del Python del entorno: ahí no hay ningún «az».
        PATH=str(Path(sys.executable).parent),
        PYTHONPATH=str(LAB_ROOT / "src"),
        **settings,
    )


def test_without_az_login_says_run_az_login(tmp_path: Path) -> None:
    """La credencial falla de verdad: sin CLI de Azure ni identidad administrada."""
    result = run_as_student(tmp_path, AZURE_TOKEN_CREDENTIALS="AzureCliCredential")
    assert_clean_failure(
        result, "no se pudo iniciar sesión en Azure", "Ejecuta az login"
    )
    assert "red bloqueada" not in result.stdout + result.stderr


def test_without_login_only_one_spanish_line(tmp_path: Path) -> None:
    """Ni la lista en inglés de azure.identity ni avisos: solo el error en español."""
    result = run_as_student(tmp_path)
    assert_clean_failure(result, "no se pudo iniciar sesión en Azure")
    assert result.stderr.splitlines() == [result.stderr.strip()], result.stderr
    assert result.stderr.startswith("❌ Error: ")


def test_invalid_token_credentials_variable(tmp_path: Path) -> None:
    """azure-identity lanza ValueError (no AzureError) con un valor desconocido."""
    result = run_as_student(tmp_path, AZURE_TOKEN_CREDENTIALS="AzureCLI")
    assert_clean_failure(result, "AZURE_TOKEN_CREDENTIALS", "unset")
    assert len(result.stderr.splitlines()) == 1, result.stderr


def test_missing_config_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert_main_fails(
        main,
        ["--config", tmp_path / "config.json"],
        capsys,
        "no se encontró el archivo de configuración",
        "--local",
    )


def test_malformed_config_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "config.json"
    path.write_text("{'subscription_id': 'x'}", encoding="utf-8")
    assert_main_fails(main, ["--config", path], capsys, "no es un JSON válido")


def test_camel_case_keys_are_named_wrong_not_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "config.json"
    path.write_text(
        '{"subscriptionId": "x", "resourceGroup": "y", "workspaceName": "z"}',
        encoding="utf-8",
    )
    message = assert_main_fails(
        main,
        ["--config", path],
        capsys,
        "subscriptionId",
        "subscription_id",
        "resource_group",
        "workspace_name",
    )
    assert "faltan" not in message


@pytest.mark.slow
def test_local_store_check(lab_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--local"]) == 0
    output = capsys.readouterr().out
    assert "El almacén local funciona" in output
    assert "python scripts/mlflow_ui.py" in output
    # mlflow ui con el puerto ocupado dice «Address already in use» y termina
    # con código 0: el aviso dice qué hacer.
    assert "Address already in use" in output and "--port 5001" in output
    assert (lab_root / "mlflow.db").is_file()


def test_help_is_fast_and_spanish() -> None:
    result = run_script([SCRIPT, "--help"])
    assert result.returncode == 0
    assert "--subscription-id" in result.stdout and "--local" in result.stdout
    assert "muestra esta ayuda" in result.stdout
