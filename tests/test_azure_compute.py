"""Parte 6 in a subscription created today: sizes, quota and clusters that fail.

The emulator is a subscription created after Azure's capacity growth
restrictions of July 2026 (``tests/azure_emulator/arm/quota.py``): the
restricted series have 0 quota and never get more, the current v5/v6 families
have a little, low priority has none. Each test runs the lab's script, as a
student would, and checks that what the student can get wrong ends within a
bounded wait (every ``run`` has a deadline; none is a timing) with one Spanish
line that names the restriction and a fix, and that the fix works.

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
from pathlib import Path

import pytest

from tests.azure_emulator import Emulator, running
from tests.test_azure_emulator import (
    POLL,
    copy_lab,
    ok,
    one_spanish_error,
    run,
    run_sdk,
)

PIPELINE = "scripts/run_inference_pipeline.py"
# A bounded wait: a script that never ends fails the test here (a deadline,
# not a timing).
DEADLINE = 300


@pytest.fixture(scope="module", name="emulator")
def fixture_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    with running(tmp_path_factory.mktemp("azure-ml-nueva"), "new") as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def no_faults(emulator: Emulator) -> Iterator[None]:
    emulator.set_faults()
    yield
    emulator.set_faults()


@pytest.fixture(scope="module", name="lab")
def fixture_lab(tmp_path_factory: pytest.TempPathFactory, emulator: Emulator) -> Path:
    """A lab copy with the model registered and the data uploaded (Partes 5 y 6)."""
    lab = copy_lab(tmp_path_factory.mktemp("alumna-nueva") / "mi-repo")
    (lab / "config.json").write_text(json.dumps(emulator.config), encoding="utf-8")
    for script in (
        "scripts/train_model.py",
        "scripts/create_inference_data.py",
        "scripts/register_model.py",
        "scripts/upload_data.py",
    ):
        ok(run(lab, emulator, script))
    return lab


def new_requests(emulator: Emulator, before: int) -> list[str]:
    return emulator.requests_log()[before:]


def predictions(lab: Path) -> list[dict[str, str]]:
    with (lab / "data" / "inference_output.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def clusters(lab: Path, emulator: Emulator) -> list[str]:
    """The names of the workspace's clusters, through azure-ai-ml."""
    listed = ok(
        run_sdk(
            lab,
            emulator,
            "print(json.dumps([c.name for c in ml_client.compute.list()]))",
        )
    )
    return list(json.loads(listed.strip().splitlines()[-1]))


def test_a_restricted_size_is_refused_before_anything_is_sent(
    lab: Path, emulator: Emulator
) -> None:
    """``--vm-size Standard_DS2_v2`` (the lab's size until 2026): one line, no job."""
    before = len(emulator.requests_log())
    result = run(
        lab, emulator, PIPELINE, *POLL, "--vm-size", "Standard_DS2_v2", timeout=DEADLINE
    )
    line = one_spanish_error(
        result, "Standard_DS2_v2", "serie Dsv2", "julio de 2026", "pedir cuota no sirve"
    )
    assert "--vm-size Standard_D2as_v5 (2 vCPU, 6 libres)" in line, line
    log = new_requests(emulator, before)
    assert any("/usages" in entry for entry in log), log
    assert not any(entry.startswith("PUT") for entry in log), log
    # The fix the line gives works.
    fixed = run(lab, emulator, PIPELINE, *POLL, "--vm-size", "Standard_D2as_v5")
    assert "500 clientes puntuados" in ok(fixed)
    assert len(predictions(lab)) == 500


def test_a_restricted_cluster_is_not_created(lab: Path, emulator: Emulator) -> None:
    """With ``--compute-name``, the quota is checked before the cluster is created."""
    before = len(emulator.requests_log())
    result = run(
        lab,
        emulator,
        PIPELINE,
        *POLL,
        "--compute-name",
        "cpu-cluster",
        "--vm-size",
        "Standard_DS2_v2",
        timeout=DEADLINE,
    )
    one_spanish_error(result, "serie Dsv2", "--vm-size Standard_D2as_v5")
    log = new_requests(emulator, before)
    assert not any(e.startswith("PUT") and "/computes/" in e for e in log), log
    assert "cpu-cluster" not in clusters(lab, emulator)


def test_the_service_refusal_is_explained_and_leaves_no_failed_cluster(
    lab: Path, emulator: Emulator
) -> None:
    """When the quota cannot be read (a workspace role), Azure's own refusal.

    The cluster is refused while its creation is polled
    (``ClusterMinNodesExceedCoreQuota``, even with 0 minimum nodes); the line
    says why and the cluster Azure left in ``Failed`` is deleted, so the fix
    (another size, same name) works at once.
    """
    emulator.set_faults("usages_forbidden")
    args = [*POLL, "--compute-name", "mi-cluster"]
    result = run(
        lab, emulator, PIPELINE, *args, "--vm-size", "Standard_DS2_v2", timeout=DEADLINE
    )
    one_spanish_error(result, "serie Dsv2", "julio de 2026", "ya lo borré")
    assert "no puede leer la cuota de la suscripción" in result.stdout
    assert "mi-cluster" not in clusters(lab, emulator)
    fixed = run(lab, emulator, PIPELINE, *args, "--vm-size", "Standard_D2as_v5")
    assert "Creando el clúster mi-cluster (Standard_D2as_v5" in ok(fixed)
    assert len(predictions(lab)) == 500


def test_a_serverless_job_of_a_restricted_size_is_refused_at_submission(
    lab: Path, emulator: Emulator
) -> None:
    """Serverless jobs use the same quota: Azure refuses the job when it is sent."""
    emulator.set_faults("usages_forbidden")
    before = len(emulator.requests_log())
    result = run(
        lab, emulator, PIPELINE, *POLL, "--vm-size", "Standard_F2s_v2", timeout=DEADLINE
    )
    one_spanish_error(result, "serie Fsv2", "--vm-size Standard_D2as_v5")
    puts = [e for e in new_requests(emulator, before) if e.startswith("PUT")]
    assert any("/jobs/" in entry for entry in puts), puts


def test_a_failed_cluster_is_not_a_dead_end(lab: Path, emulator: Emulator) -> None:
    """A cluster left ``Failed`` by an earlier attempt: the line says what works."""
    created = run_sdk(
        lab,
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
    result = run(lab, emulator, PIPELINE, *POLL, "--compute-name", "roto")
    line = one_spanish_error(
        result,
        "estado Failed",
        "sin --compute-name",
        "az ml compute delete --name roto --resource-group rg-gitops-lab "
        "--workspace-name mlw-gitops-lab --yes",
        "Proceso → Clústeres de proceso",
    )
    assert "--compute-name roto --vm-size Standard_D2as_v5" in line
    # What the line says, done (az ml is not on PyPI: the SDK's same call).
    emulator.set_faults()
    deleted = run_sdk(
        lab, emulator, 'ml_client.compute.begin_delete("roto").result(); print("ok")'
    )
    assert "ok" in ok(deleted) and "roto" not in clusters(lab, emulator)
    fixed = run(lab, emulator, PIPELINE, *POLL, "--compute-name", "roto")
    assert "Creando el clúster roto (Standard_D2as_v5" in ok(fixed)


def test_quota_in_use_ends_before_the_queue(lab: Path, emulator: Emulator) -> None:
    """Every vCPU in use by others: said before sending, not after hours in a queue."""
    emulator.set_faults("quota_in_use")
    before = len(emulator.requests_log())
    result = run(lab, emulator, PIPELINE, *POLL, timeout=DEADLINE)
    one_spanish_error(result, "ocupada (6 de 6 vCPU en uso", "esperaría en cola")
    assert not any(e.startswith("PUT") for e in new_requests(emulator, before))


def test_a_job_that_never_gets_a_node_stops_the_wait(
    lab: Path, emulator: Emulator
) -> None:
    """The quota unreadable and in use: the job queues, the script stops waiting."""
    emulator.set_faults("usages_forbidden", "quota_in_use")
    args = ["--queued-warning-seconds", "1", "--max-queued-seconds", "4"]
    result = run(lab, emulator, PIPELINE, *POLL, *args, timeout=DEADLINE)
    line = one_spanish_error(
        result, "dejé de esperar", "sigue en Azure ML", "az ml job cancel --name"
    )
    assert "--output-name predictions" in line
    assert "Sigo esperando" in result.stdout


def test_ctrl_c_stops_the_wait_and_says_how_to_get_the_job(
    lab: Path, emulator: Emulator
) -> None:
    """Ctrl+C while the job is queued: the job goes on in Azure ML, the line says how."""
    emulator.set_faults("job_stays_queued")
    env = emulator.env()
    env["PYTHONIOENCODING"] = "utf-8"
    env["PYTHONPATH"] = os.pathsep.join(
        [str(lab / "tests" / "netguard"), str(lab / "src")]
    )
    with subprocess.Popen(
        [sys.executable, PIPELINE, *POLL],
        cwd=lab,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        start_new_session=True,
        # Ctrl+C works as in the student's terminal even if this process
        # inherited SIGINT ignored (Python keeps an ignored SIGINT ignored).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    ) as process:
        assert process.stdout is not None
        # A generous deadline, not a timing: a script that never queues is stopped.
        watchdog = threading.Timer(DEADLINE, os.killpg, (process.pid, signal.SIGKILL))
        watchdog.start()
        try:
            for line in process.stdout:
                if "en cola:" in line:
                    process.send_signal(signal.SIGINT)  # what Ctrl+C sends
                    break
            _, errors = process.communicate(timeout=DEADLINE)
        finally:
            watchdog.cancel()
    assert process.returncode == 1, errors
    lines = errors.splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "❌ Error: dejaste de esperar"
    ), errors
    for words in (
        "sigue en Azure ML",
        "az ml job show --name",
        "--resource-group rg-gitops-lab --workspace-name mlw-gitops-lab",
        "--output-name predictions",
    ):
        assert words in lines[0], lines[0]
