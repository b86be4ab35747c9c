"""El cliente de GitHub del laboratorio contra la API falsa: el token y la memoria.

``course.github_api`` sirve a ``check_progress.py`` (también en el flujo
«Progreso», con el token del flujo) y al informe del profesor (con un token
que lee los repositorios privados de la clase). Aquí, contra
``github_fake.classroom`` en 127.0.0.1 y otro «host» en 127.0.0.2:

- una redirección a otro host se sigue sin ``Authorization``; una del mismo
  host (un repositorio renombrado) lo conserva;
- una redirección de https a http no se sigue (la API falsa por TLS, con una
  CA de prueba);
- la página siguiente de una lista en otro host no se pide;
- una respuesta de 512 MB cuesta unos pocos MB de memoria, con y sin
  ``Content-Length``;
- las listas se leen enteras; tras varias peticiones seguidas sin respuesta
  el cliente deja de intentar.
"""

from __future__ import annotations

import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
from github_fake.classroom import (
    TOKEN,
    ClassroomGitHub,
    RecordingHost,
    generated_states,
)
from lab_copy import ROOT

SRC = ROOT / "labs" / "gitops-workflow" / "src"
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))

# pylint: disable=wrong-import-position
from course.github_api import GitHubClient, GitHubUnavailable  # noqa: E402

STATES = generated_states(12)
COMPLETE = next(name for name, state in STATES.items() if state == "completo")
RENAMED = next(name for name, state in STATES.items() if state == "renombrado")


@pytest.fixture(name="fake")
def fixture_fake() -> Iterator[ClassroomGitHub]:
    with ClassroomGitHub(STATES) as fake:
        yield fake


@pytest.fixture(name="elsewhere")
def fixture_elsewhere() -> Iterator[RecordingHost]:
    with RecordingHost() as host:
        yield host


def test_a_redirect_to_another_host_leaves_the_token_behind(
    fake: ClassroomGitHub, elsewhere: RecordingHost
) -> None:
    fake.faults.redirect_pattern = r".*/contents/evidence/progreso.json"
    fake.faults.redirect_to = elsewhere.url
    client = GitHubClient(token=TOKEN, base_url=fake.url)
    answer = client.get(f"/repos/{COMPLETE}/contents/evidence/progreso.json")
    assert answer.status == 404  # lo que respondió el otro host
    assert len(elsewhere.seen) == 1
    headers = {key.lower(): value for key, value in elsewhere.seen[0].items()}
    assert "authorization" not in headers
    assert all(TOKEN not in value for value in headers.values())


def test_a_redirect_on_the_same_host_keeps_the_token(fake: ClassroomGitHub) -> None:
    """Un repositorio renombrado responde 301 hacia /repositories/{id}: misma API."""
    client = GitHubClient(token=TOKEN, base_url=fake.url)
    answer = client.get(f"/repos/{RENAMED}")
    assert answer.status == 200 and answer.data["full_name"] == f"{RENAMED}-nuevo"
    assert fake.anonymous == []


def test_an_https_to_http_redirect_is_not_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, elsewhere: RecordingHost
) -> None:
    authority = trustme.CA()
    ca_path = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_path))
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_path))
    fake = ClassroomGitHub(STATES)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    fake.use_tls(context)
    with fake:
        assert fake.url.startswith("https://")
        fake.faults.redirect_pattern = r".*/tags"
        fake.faults.redirect_to = elsewhere.url  # http://127.0.0.2:…
        client = GitHubClient(token=TOKEN, base_url=fake.url)
        assert client.get(f"/repos/{COMPLETE}").status == 200  # https funciona
        with pytest.raises(GitHubUnavailable, match="de https a http"):
            client.get(f"/repos/{COMPLETE}/tags")
    assert elsewhere.seen == []


def test_a_next_page_on_another_host_is_not_requested(
    fake: ClassroomGitHub, elsewhere: RecordingHost
) -> None:
    name = next(name for name, state in STATES.items() if state == "muy_activo")
    fake.faults.foreign_next_link = elsewhere.url
    client = GitHubClient(token=TOKEN, base_url=fake.url)
    with pytest.raises(GitHubUnavailable, match="otro sitio"):
        client.get_list(f"/repos/{name}/pulls", {"state": "all"})
    assert elsewhere.seen == []


def test_an_insecure_api_url_is_refused_before_any_request() -> None:
    with pytest.raises(GitHubUnavailable, match="no es https"):
        GitHubClient(token=TOKEN, base_url="http://github.example.com/api/v3")


def test_every_page_of_a_list_is_read(fake: ClassroomGitHub) -> None:
    name = next(name for name, state in STATES.items() if state == "muy_activo")
    client = GitHubClient(token=TOKEN, base_url=fake.url)
    runs = client.get_list(
        f"/repos/{name}/actions/workflows/ci.yml/runs", key="workflow_runs"
    )
    assert runs.status == 200 and len(runs.data) == 151
    assert runs.data[-1]["pull_requests"] == [{"number": 1}]
    assert client.stats.requests == 2


# Un proceso aparte para medir su memoria: lee VmHWM (el pico de memoria
# residente) antes y después de pedir la respuesta enorme.
MEASURE = """
import sys
sys.path.insert(0, sys.argv[1])
from course.github_api import GitHubClient, GitHubUnavailable

def peak_mb():
    with open("/proc/self/status", encoding="ascii") as status:
        line = next(line for line in status if line.startswith("VmHWM"))
    return int(line.split()[1]) / 1024

client = GitHubClient(token=sys.argv[3], base_url=sys.argv[2])
client.get(sys.argv[4] + "/tags")
before = peak_mb()
try:
    client.get(sys.argv[4] + "/contents/evidence/progreso.json")
    print("leída entera")
except GitHubUnavailable as error:
    print(error)
print(f"{peak_mb() - before:.1f}")
"""


@pytest.mark.parametrize("with_length", [True, False], ids=["con-length", "sin-length"])
def test_a_512_mb_answer_costs_a_few_mb(
    fake: ClassroomGitHub, with_length: bool
) -> None:
    fake.faults.huge_pattern = r".*/contents/evidence/progreso.json"
    fake.faults.huge_with_length = with_length
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            MEASURE,
            str(SRC),
            fake.url,
            TOKEN,
            f"/repos/{COMPLETE}",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    message, growth = result.stdout.strip().splitlines()
    assert "pasa de 5 MB" in message
    assert float(growth) < 32, result.stdout
    assert fake.huge_sent < 64 * 1024 * 1024  # dejó de leer: el servidor no siguió


def test_after_many_unanswered_requests_it_stops_trying() -> None:
    """Un host que acepta la conexión y nunca responde: no se espera 200 veces."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        client = GitHubClient(token=TOKEN, base_url=url, timeout=0.2, backoff=(0.01,))
        for _ in range(12):
            with pytest.raises(GitHubUnavailable):
                client.get("/repos/a/b")
    assert client.stats.requests == 8 * 2  # 8 intentos con su reintento, y basta
