"""The lab's Azure scripts as a student runs them: after a real ``az login``.

The Azure CLI itself (``azure-cli`` from PyPI, in ``.venv/azure-cli``, made by
``./dev.sh setup``) signs in to the emulator (tests/azure_emulator) through its
HTTPS proxy and test CA, with a configuration folder of its own per test
(``AZURE_CONFIG_DIR``). The scripts then run with no credential variables, so
``DefaultAzureCredential`` is served by ``AzureCliCredential``, which starts
``az account get-access-token``. ``az`` on the children's PATH is a small
wrapper that writes down each start and then runs the real one, so a test can
count how often a script asks the CLI for a token.

``AZURE_EMULATOR_LAB=/path/to/labs/gitops-workflow`` runs the same tests
against another copy of the lab (for example an older commit's).
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.azure_emulator import AZ_BIN, NETGUARD, Emulator, running
from tests.azure_emulator.app import (
    CLIENT_ID,
    CLIENT_SECRET,
    OTHER_SUBSCRIPTION,
    OTHER_TENANT,
    SUBSCRIPTION,
    TENANT,
)
from tests.azure_emulator.login.models import USER_CODE
from tests.test_azure_emulator import (
    JOB_STATES,
    POLL,
    copy_lab,
    in_order,
    ok,
    one_spanish_error,
    run,
    run_sdk,
)


TOKEN_REQUEST = "POST login.microsoftonline.com/"
IMDS = "169.254.169.254"


@dataclass
class Student:
    """A student's shell: the emulator, a config folder for ``az``, a PATH with it."""

    emulator: Emulator
    home: Path
    path: str

    @property
    def config_dir(self) -> Path:
        return self.home / "azure"

    @property
    def az_starts(self) -> Path:
        return self.home / "az-starts.txt"

    def env(self) -> dict[str, str]:
        env = self.emulator.cli_env(self.config_dir)
        env["PATH"] = self.path
        env["PYTHONIOENCODING"] = "utf-8"
        env.pop("AZURE_TOKEN_CREDENTIALS", None)
        return env

    def az(self, *args: str) -> subprocess.CompletedProcess[str]:
        """The real Azure CLI, with the lab's network guard (only 127.0.0.1)."""
        env = self.env()
        env["PYTHONPATH"] = str(NETGUARD)
        return subprocess.run(
            [str(AZ_BIN / "az"), *args],
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=300,
            check=False,
        )

    def login_service_principal(self, tenant: str = TENANT) -> None:
        ok(
            self.az(
                "login",
                "--service-principal",
                "-u",
                CLIENT_ID,
                "-p",
                CLIENT_SECRET,
                "--tenant",
                tenant,
            )
        )

    def login_device_code(self) -> str:
        result = self.az("login", "--use-device-code")
        ok(result)
        return result.stderr

    def run(
        self, lab: Path, *args: str, **extra: str
    ) -> subprocess.CompletedProcess[str]:
        """``python args`` in ``lab`` with no credential variables (the network guarded)."""
        self.az_starts.unlink(missing_ok=True)
        env = {**self.env(), **extra}
        env["PYTHONPATH"] = os.pathsep.join(
            [str(lab / "tests" / "netguard"), str(lab / "src")]
        )
        return subprocess.run(
            [sys.executable, *args],
            cwd=lab,
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=600,
            check=False,
        )

    def token_requests_by_az(self) -> list[str]:
        """The arguments of each ``az`` start since the last ``run``."""
        if not self.az_starts.is_file():
            return []
        return self.az_starts.read_text(encoding="utf-8").splitlines()


ROOT = Path(__file__).resolve().parents[1]
LAB = Path(os.environ.get("AZURE_EMULATOR_LAB", ROOT / "labs" / "gitops-workflow"))


def counting_az(folder: Path, starts: Path) -> Path:
    """A folder with an ``az`` that writes its arguments to ``starts``, then runs az."""
    folder.mkdir(parents=True, exist_ok=True)
    wrapper = folder / "az"
    wrapper.write_text(
        "#!/bin/sh\n" f"echo \"$*\" >> '{starts}'\n"
        # The CLI keeps to loopback too: the lab's network guard.
        f"PYTHONPATH='{NETGUARD}' exec '{AZ_BIN / 'az'}' \"$@\"\n",
        encoding="utf-8",
    )
    wrapper.chmod(0o755)
    return folder


@pytest.fixture(scope="module", name="emulator")
def fixture_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    """A subscription created today, as a student has now (``arm/quota.py``)."""
    with running(tmp_path_factory.mktemp("azure-ml-cli"), "new") as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def no_faults(emulator: Emulator) -> Iterator[None]:
    emulator.set_faults()
    yield
    emulator.set_faults()


@pytest.fixture(name="student")
def fixture_student(tmp_path: Path, emulator: Emulator) -> Student:
    """A student with the Azure CLI installed and not signed in yet."""
    assert (AZ_BIN / "az").exists(), "falta la CLI de Azure: ejecuta ./dev.sh setup"
    home = tmp_path / "estudiante"
    bin_dir = counting_az(home / "bin", home / "az-starts.txt")
    return Student(emulator, home, os.pathsep.join([str(bin_dir), "/usr/bin", "/bin"]))


@pytest.fixture(scope="module", name="lab")
def fixture_lab(tmp_path_factory: pytest.TempPathFactory, emulator: Emulator) -> Path:
    """A lab copy with a trained model, inference data and the workspace's config.json."""
    lab = copy_lab(tmp_path_factory.mktemp("alumno-cli") / "mi-repo")
    (lab / "config.json").write_text(json.dumps(emulator.config), encoding="utf-8")
    home = lab.parent / "sin-azure"
    student = Student(emulator, home, "/usr/bin:/bin")
    ok(student.run(lab, "scripts/train_model.py"))
    ok(student.run(lab, "scripts/create_inference_data.py"))
    return lab


def scopes_asked(starts: list[str]) -> list[str]:
    """The scope (or resource) of each ``az account get-access-token`` start."""
    asked = []
    for line in starts:
        words = line.split()
        assert words[:2] == ["account", "get-access-token"], line
        for option in ("--scope", "--resource"):
            if option in words:
                asked.append(words[words.index(option) + 1])
    return asked


def test_four_scripts_after_az_login_with_device_code(
    tmp_path: Path, emulator: Emulator, student: Student
) -> None:
    """A student's path end to end: ``az login --use-device-code``, then Partes 4–6."""
    prompt = student.login_device_code()
    assert USER_CODE in prompt and "https://microsoft.com/devicelogin" in prompt
    lab = copy_lab(tmp_path / "mi-repo")
    (lab / "config.json").write_text(json.dumps(emulator.config), encoding="utf-8")
    ok(student.run(lab, "scripts/train_model.py"))
    ok(student.run(lab, "scripts/create_inference_data.py"))
    before = len(emulator.requests_log())
    starts: dict[str, list[str]] = {}
    for script in (
        "scripts/verify_azure_connection.py",
        "scripts/register_model.py",
        "scripts/upload_data.py",
        "scripts/run_inference_pipeline.py",
    ):
        extra = ["--poll-seconds", "1"] if "inference" in script else []
        ok(student.run(lab, script, *extra))
        starts[script] = student.token_requests_by_az()
    log = emulator.requests_log()[before:]

    with (lab / "data" / "inference_output.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 500
    assert all(0.0 <= float(row["churn_probability"]) <= 1.0 for row in rows)
    # Every token came from the Azure CLI, each scope asked for once per script.
    for script, started in starts.items():
        asked = scopes_asked(started)
        assert asked and len(asked) == len(set(asked)), (script, started)
    tokens = [line for line in log if line.startswith(TOKEN_REQUEST)]
    assert len(tokens) <= sum(len(started) for started in starts.values()), tokens
    assert not any(IMDS in line for line in log), "sonda de identidad administrada"


def test_service_principal_login_and_its_tokens(
    tmp_path: Path, emulator: Emulator, student: Student, lab: Path
) -> None:
    """``az login --service-principal`` (as azure/login does) serves the scripts too."""
    student.login_service_principal()
    result = student.run(lab, "scripts/verify_azure_connection.py")
    assert "✅" in ok(result) and "mlw-gitops-lab" in result.stdout
    # AzureCliCredential turns the scope into --resource.
    assert scopes_asked(student.token_requests_by_az()) == [
        "https://management.azure.com"
    ]


def test_chain_keeps_to_loopback_without_exclusions(
    emulator: Emulator, student: Student, lab: Path
) -> None:
    """With every credential of the chain, the managed-identity probe ends at the proxy."""
    student.login_service_principal()
    before = len(emulator.requests_log())
    result = student.run(lab, "-c", _PROBE)
    assert "token" in ok(result)
    log = emulator.requests_log()[before:]
    probes = [line for line in log if IMDS in line]
    assert probes and all(
        line.startswith("GET 169.254.169.254/metadata/identity/") for line in probes
    ), log


_PROBE = """
from azure.identity import DefaultAzureCredential
token = DefaultAzureCredential().get_token("https://management.azure.com/.default")
print("token", len(token.token) > 0)
"""


def test_not_logged_in(student: Student, lab: Path) -> None:
    result = student.run(lab, "scripts/verify_azure_connection.py")
    line = one_spanish_error(result, "az login")
    assert "no has iniciado sesión" in line, line


def test_azure_cli_missing(student: Student, lab: Path) -> None:
    student.path = "/usr/bin:/bin"
    result = student.run(lab, "scripts/verify_azure_connection.py")
    one_spanish_error(
        result,
        "la CLI de Azure (az) no está instalada",
        "https://learn.microsoft.com/cli/azure/install-azure-cli",
    )


def test_token_of_another_directory(student: Student, lab: Path) -> None:
    """Signed in to another tenant only: ARM 401 InvalidAuthenticationTokenTenant."""
    student.login_service_principal(OTHER_TENANT)
    result = student.run(lab, "scripts/verify_azure_connection.py")
    one_spanish_error(
        result,
        f"az login --tenant {TENANT}",
        f"az account set --subscription {SUBSCRIPTION}",
        "otro directorio",
    )


def test_default_subscription_in_another_directory(student: Student, lab: Path) -> None:
    """Signed in to both tenants, with the other one's subscription as default."""
    student.login_device_code()
    ok(student.az("account", "set", "--subscription", OTHER_SUBSCRIPTION))
    result = student.run(lab, "scripts/verify_azure_connection.py")
    one_spanish_error(result, f"az account set --subscription {SUBSCRIPTION}", TENANT)


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        (
            "mfa_required",
            ["AADSTS50076", "verificación en dos pasos", f"az login --tenant {TENANT}"],
        ),
        (
            "refresh_token_expired",
            [
                "AADSTS700082",
                "tu sesión de Azure expiró",
                f"az login --tenant {TENANT}",
            ],
        ),
    ],
)
def test_refresh_token_refused(
    emulator: Emulator, student: Student, lab: Path, fault: str, words: list[str]
) -> None:
    """Entra ID refuses the CLI's refresh token: the student signs in again."""
    student.login_device_code()
    emulator.set_faults(fault)
    result = student.run(lab, "scripts/verify_azure_connection.py")
    one_spanish_error(result, *words)


# --------------------------------------------------------------------------
# Compute creation and job states as Azure ML gives them (the deploy
# workflow's credential: these are about the service, not the login)
# --------------------------------------------------------------------------


@pytest.fixture(scope="module", name="published")
def fixture_published(lab: Path, emulator: Emulator) -> Path:
    """The model registered and the data uploaded once, as Partes 5 and 6 do."""
    ok(run(lab, emulator, "scripts/register_model.py"))
    ok(run(lab, emulator, "scripts/upload_data.py"))
    return lab


@pytest.mark.parametrize(
    ("fault", "words", "not_words"),
    [
        (
            "quota",
            ["cuota de vCPU", "--vm-size", "Azure ML Studio → Cuota", "ya lo borré"],
            [],
        ),
        (
            "regional_quota",
            ["cuota total 0", "otro --vm-size no ayuda", "Azure ML Studio → Cuota"],
            ["list-usage"],
        ),
    ],
)
def test_compute_creation_fails_while_polling(
    emulator: Emulator,
    published: Path,
    fault: str,
    words: list[str],
    not_words: list[str],
) -> None:
    """201 + Azure-AsyncOperation, then Failed with the quota error while polling.

    The quota the script read first had room: the refusal comes from Azure
    while the creation is polled (Azure/mlops-v2#81), and the cluster it left
    in Failed is deleted.
    """
    emulator.set_faults(fault)
    before = len(emulator.requests_log())
    result = run(
        published,
        emulator,
        "scripts/run_inference_pipeline.py",
        *POLL,
        "--compute-name",
        f"sin-cuota-{fault.replace('_', '-')}",
    )
    line = one_spanish_error(result, *words)
    assert not any(word in line for word in not_words), line
    log = emulator.requests_log()[before:]
    assert any("/computeOperationsStatus/" in entry for entry in log), log
    assert not any("/jobs/" in entry for entry in log), "sin clúster no hay trabajo"
    name = f"sin-cuota-{fault.replace('_', '-')}"
    assert any(e.startswith("DELETE") and f"/computes/{name}" in e for e in log), log


def test_existing_cluster_in_failed_state(emulator: Emulator, published: Path) -> None:
    created = run_sdk(
        published,
        emulator,
        """
        from azure.ai.ml.entities import AmlCompute
        ml_client.compute.begin_create_or_update(
            AmlCompute(name="roto", size="Standard_D2as_v5", max_instances=1)
        ).result()
        print("creado")
        """,
    )
    assert "creado" in ok(created)
    emulator.set_faults("compute_failed")
    result = run(
        published,
        emulator,
        "scripts/run_inference_pipeline.py",
        *POLL,
        "--compute-name",
        "roto",
    )
    one_spanish_error(
        result,
        "estado Failed",
        "Proceso → Clústeres de proceso",
        "sin --compute-name",
        "az ml compute delete --name roto",
    )


def test_job_stays_queued_then_runs_in_the_sdk_order(
    emulator: Emulator, published: Path
) -> None:
    """No node for a while: the wait says why and what to do, and keeps waiting."""
    emulator.set_faults("job_stays_queued")
    env = emulator.env()
    env["PYTHONIOENCODING"] = "utf-8"
    env["PYTHONPATH"] = os.pathsep.join(
        [str(published / "tests" / "netguard"), str(published / "src")]
    )
    args = [*POLL, "--queued-warning-seconds", "2"]
    with subprocess.Popen(
        [sys.executable, "scripts/run_inference_pipeline.py", *args],
        cwd=published,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        start_new_session=True,
    ) as process:
        assert process.stdout is not None
        # A generous deadline, not a timing: a script that never warns is stopped.
        watchdog = threading.Timer(600, os.killpg, (process.pid, signal.SIGKILL))
        watchdog.start()
        shown = []
        try:
            for line in process.stdout:  # the script polls until told
                shown.append(line)
                if "en cola: Azure ML aún no le da una máquina" in line:
                    emulator.set_faults()  # a node is granted at last
                    break
            rest, errors = process.communicate(timeout=600)
        finally:
            watchdog.cancel()
    output = "".join(shown) + rest
    assert process.returncode == 0, output + errors
    warning = next(line for line in shown if "aún no le da una máquina" in line)
    assert "Azure ML Studio → Cuota" in warning and "Sigo esperando" in warning
    assert in_order(output, *JOB_STATES, "✅ Pipeline completado"), output
