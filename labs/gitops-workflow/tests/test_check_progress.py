"""Pruebas de scripts/check_progress.py y de course.progress.

Cada parte, con su evidencia (✅) y sin ella (❌ y el siguiente paso que toca),
a partir de una carpeta de laboratorio de verdad (git, artifacts/, data/,
mlflow.db). Lo que responde GitHub se prueba con los datos que su API
devuelve; las pruebas del proyecto lo prueban además contra una API falsa.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from course.evidence import parse_evidence
from course.github_facts import GitHubFacts
from course.local_facts import LocalFacts, gather_local, github_repository
from course.parts import DONE, MISSING, PENDING, UNCHECKED
from course.progress import build_evidence, evaluate, render_markdown, render_text
from scripts import check_progress

REPO = "estudiante/gitops-lab"


def git(root: Path, *args: str) -> str:
    """Ejecuta git en ``root`` y devuelve su salida."""
    result = subprocess.run(
        ["git", "-C", str(root), *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout.strip()


def make_repository(root: Path, pushed: bool = True) -> Path:
    """Un repositorio como el de la Parte 1: el laboratorio en la raíz y origin."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "--quiet", "--initial-branch=main")
    git(root, "config", "user.email", "e@example.com")
    git(root, "config", "user.name", "Estudiante")
    (root / "README.md").write_text("# lab\n", encoding="utf-8")
    git(root, "add", ".")
    git(root, "commit", "--quiet", "-m", "chore: contenido inicial del laboratorio")
    git(root, "remote", "add", "origin", f"https://github.com/{REPO}.git")
    if pushed:
        git(root, "update-ref", "refs/remotes/origin/main", "HEAD")
        git(root, "tag", "-a", "v0.1.0", "-m", "v0.1.0")
    return root


def add_model(root: Path) -> None:
    """artifacts/ como lo deja train_model.py (el modelo no se abre)."""
    (root / "artifacts").mkdir(exist_ok=True)
    (root / "artifacts" / "model.pkl").write_bytes(b"modelo")
    metadata = {
        "model_name": "churn-prediction-model",
        "training_date": "2026-12-01T08:00:00",
        "metrics": {"accuracy": 0.8312, "f1_score": 0.61},
    }
    (root / "artifacts" / "model_metadata.json").write_text(
        json.dumps(metadata), encoding="utf-8"
    )


@pytest.fixture(scope="session", name="stores")
def fixture_stores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Almacenes de MLflow de verdad, hechos con su cliente.

    ``completo``: el experimento del laboratorio (lo crea
    ``verify_azure_connection.py --local``) y dos versiones registradas;
    ``experimento``: solo el experimento; ``vacio``: un ``mlflow.db`` de 0 bytes,
    lo que deja un intento fallido.
    """
    from mlflow import MlflowClient

    from labkit.local_store import quiet_mlflow_logs

    quiet_mlflow_logs()
    stores: dict[str, Path] = {}
    for name, versions in (("completo", 2), ("experimento", 0)):
        path = tmp_path_factory.mktemp(f"mlflow-{name}") / "mlflow.db"
        client = MlflowClient(tracking_uri=f"sqlite:///{path.as_posix()}")
        client.create_experiment("churn-prediction")
        if versions:
            client.create_registered_model("churn-prediction-model")
        for _ in range(versions):
            client.create_model_version("churn-prediction-model", source="file:///x")
        stores[name] = path
    stores["vacio"] = tmp_path_factory.mktemp("mlflow-vacio") / "mlflow.db"
    stores["vacio"].touch()
    return stores


def add_store(root: Path, store: Path) -> None:
    """Copia el almacén local de MLflow ``store`` a ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(store, root / "mlflow.db")


def add_predictions(root: Path, rows: int = 3) -> None:
    """data/inference_output.csv y la carpeta del trabajo local que lo hizo."""
    (root / "data").mkdir(exist_ok=True)
    lines = ["customer_id,churn_probability"]
    lines += [f"CUST-{index:05d},0.{index}" for index in range(1, rows + 1)]
    (root / "data" / "inference_output.csv").write_text(
        "\n".join(lines) + "\n", encoding="utf-8"
    )
    job = root / "outputs" / "local-20261201-080000-000000"
    (job / "named-outputs" / "predictions").mkdir(parents=True)
    (job / "named-outputs" / "predictions" / "predictions.csv").write_text(
        "x\n", encoding="utf-8"
    )


def part(local: LocalFacts | None, key: str, github: GitHubFacts | None = None) -> Any:
    """La línea de la parte ``key``."""
    progress = evaluate(local, github)
    return next(item for item in progress.parts if item.key == key)


# --------------------------------------------------------------------------
# Parte 1: el repositorio
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/estudiante/gitops-lab.git",
        "https://github.com/estudiante/gitops-lab",
        "git@github.com:estudiante/gitops-lab.git",
        "ssh://git@github.com/estudiante/gitops-lab.git",
        "https://token@github.com/estudiante/gitops-lab.git",
    ],
)
def test_github_repository_from_remote_urls(url: str) -> None:
    assert github_repository(url) == REPO


def test_github_repository_ignores_other_hosts() -> None:
    assert github_repository("https://gitlab.com/estudiante/gitops-lab.git") == ""


def test_part1_done_when_the_lab_is_pushed(tmp_path: Path) -> None:
    local = gather_local(make_repository(tmp_path / "repo"))
    result = part(local, "parte1")
    assert result.state == DONE and REPO in result.evidence
    assert local.version_tag == "v0.1.0"


def test_part1_missing_without_git(tmp_path: Path) -> None:
    result = part(gather_local(tmp_path), "parte1")
    assert result.state == MISSING
    assert "no es un repositorio git" in result.evidence
    assert "clona tu repositorio" in result.next_action


def test_part1_missing_when_the_lab_is_in_a_subfolder(tmp_path: Path) -> None:
    make_repository(tmp_path)
    (tmp_path / "lab").mkdir()
    result = part(gather_local(tmp_path / "lab"), "parte1")
    assert result.state == MISSING and "raíz" in result.evidence


def test_part1_missing_before_the_first_push(tmp_path: Path) -> None:
    result = part(gather_local(make_repository(tmp_path, pushed=False)), "parte1")
    assert result.state == MISSING
    assert "git push -u origin main" in result.commands


def test_part1_missing_without_origin(tmp_path: Path) -> None:
    root = make_repository(tmp_path, pushed=False)
    git(root, "remote", "remove", "origin")
    result = part(gather_local(root), "parte1")
    assert result.state == MISSING
    assert result.commands[0].startswith("git remote add origin")


# --------------------------------------------------------------------------
# Partes 3 a 6: artifacts/, el almacén local y las predicciones
# --------------------------------------------------------------------------


def test_part3_done_with_the_trained_model(tmp_path: Path) -> None:
    add_model(tmp_path)
    result = part(gather_local(tmp_path), "parte3")
    assert result.state == DONE and "accuracy 0,831" in result.evidence


def test_part3_missing_without_model(tmp_path: Path) -> None:
    result = part(gather_local(tmp_path), "parte3")
    assert result.state == MISSING
    assert result.next_action.startswith("python scripts/train_model.py")


def test_parts_4_and_5_done_with_the_local_store(
    tmp_path: Path, stores: dict[str, Path]
) -> None:
    add_store(tmp_path, stores["completo"])
    local = gather_local(tmp_path)
    assert part(local, "parte4").state == DONE
    result = part(local, "parte5")
    assert result.state == DONE and "versión 2" in result.evidence


def test_an_empty_mlflow_db_is_not_part4(
    tmp_path: Path, stores: dict[str, Path]
) -> None:
    """Un mlflow.db de 0 bytes (un intento fallido) no es el almacén de la Parte 4."""
    add_store(tmp_path, stores["vacio"])
    result = part(gather_local(tmp_path), "parte4")
    assert result.state == MISSING
    assert (tmp_path / "mlflow.db").stat().st_size == 0  # la comprobación no escribe


def test_part4_missing_without_config_or_store(tmp_path: Path) -> None:
    result = part(gather_local(tmp_path), "parte4")
    assert result.state == MISSING
    assert "verify_azure_connection.py --local" in result.next_action


def test_part5_missing_with_an_empty_store(
    tmp_path: Path, stores: dict[str, Path]
) -> None:
    add_store(tmp_path, stores["experimento"])
    assert part(gather_local(tmp_path), "parte4").state == DONE
    result = part(gather_local(tmp_path), "parte5")
    assert result.state == MISSING
    assert result.next_action.startswith("python scripts/register_model.py --local")


def test_part6_done_with_predictions(tmp_path: Path) -> None:
    add_predictions(tmp_path, rows=3)
    result = part(gather_local(tmp_path), "parte6")
    assert result.state == DONE
    assert "3 predicciones" in result.evidence
    assert "local-20261201-080000-000000" in result.evidence


def test_part6_missing_when_the_csv_has_no_probabilities(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "inference_output.csv").write_text("a,b\n1,2\n")
    result = part(gather_local(tmp_path), "parte6")
    assert result.state == MISSING
    assert "run_inference_pipeline.py" in result.next_action


# --------------------------------------------------------------------------
# Parte 2 y Extra: lo que responde GitHub
# --------------------------------------------------------------------------


def pull(number: int = 1, title: str = "feat: primer cambio", merged: bool = True):
    """Un pull request como lo devuelve GET /pulls."""
    return {
        "number": number,
        "title": title,
        "state": "closed" if merged else "open",
        "merged_at": "2026-12-01T08:00:00Z" if merged else None,
        "base": {"ref": "main"},
        "head": {"sha": "a" * 40},
        "html_url": f"https://github.com/{REPO}/pull/{number}",
    }


BOT = {"login": "github-actions[bot]", "type": "Bot"}
STUDENT = {"login": "estudiante", "type": "User"}


def run(path: str, conclusion: str = "success", event: str = "push", **extra: Any):
    """Una ejecución como la devuelve GET /actions/workflows/{flujo}/runs."""
    return {
        "path": f".github/workflows/{path}",
        "event": event,
        "status": "completed" if conclusion else "in_progress",
        "conclusion": conclusion or None,
        "head_branch": "main",
        "html_url": f"https://github.com/{REPO}/actions/runs/1",
        **extra,
    }


def release(tag: str, author: dict[str, str] | None = None) -> dict[str, Any]:
    """Una release con su zip, como la publica CD (el bot de GitHub Actions)."""
    return {
        "tag_name": tag,
        "author": author or BOT,
        "html_url": f"https://github.com/{REPO}/releases/tag/{tag}",
        "assets": [{"name": f"gitops-lab-{tag}.zip"}],
    }


def github_facts(**changes: Any) -> GitHubFacts:
    """Un repositorio con todo hecho; ``changes`` quita o cambia una pieza."""
    facts = GitHubFacts(
        REPO,
        info={"default_branch": "main", "html_url": f"https://github.com/{REPO}"},
        workflows=["cd.yml", "ci.yml", "deploy_model.yml"],
        pulls=[pull()],
        runs=[
            run("deploy_model.yml", event="workflow_dispatch"),
            run("cd.yml"),
            run("ci.yml", event="pull_request", head_sha="a" * 40),
        ],
        comments=[
            {
                "body": "<!-- add-pr-comment:ci-results -->\n## 🔍 Resultados",
                "user": BOT,
            }
        ],
        tags=["v0.1.0"],
        releases=[release("v0.1.0")],
    )
    for name, value in changes.items():
        setattr(facts, name, value)
    return facts


def test_github_parts_done() -> None:
    progress = evaluate(None, github_facts())
    states = {item.key: item.state for item in progress.parts}
    assert states["parte1"] == states["parte2"] == states["extra"] == DONE
    part2 = progress.parts[1]
    assert "v0.1.0" in part2.evidence and part2.url.endswith("/releases/tag/v0.1.0")


@pytest.mark.parametrize(
    ("changes", "evidence", "action"),
    [
        ({"pulls": []}, "ningún pull request", "abre un pull"),
        ({"pulls": [pull(merged=False)]}, "abierto, sin fusionar", "fusiona"),
        ({"pulls": [pull(title="Update README")]}, "no es convencional", "feat:"),
        ({"runs": []}, "CI no se ejecutó", "Actions"),
        (
            {"runs": [run("ci.yml", "failure", "pull_request", head_sha="a" * 40)]},
            "CI falló",
            "Cuando un chequeo falla",
        ),
        ({"comments": []}, "comentario", "Apéndice B"),
        (
            {
                "tags": [],
                "releases": [],
                "runs": [
                    run("ci.yml", event="pull_request", head_sha="a" * 40),
                    run("cd.yml", "failure"),
                ],
            },
            "CD falló",
            "CD: la versión",
        ),
        ({"releases": []}, "no tiene release", "Re-run"),
    ],
)
def test_part2_missing_names_the_next_action(
    changes: dict[str, Any], evidence: str, action: str
) -> None:
    result = part(None, "parte2", github_facts(**changes))
    assert result.state == MISSING, result
    assert evidence in result.evidence and action in result.next_action


def test_part1_release_v0_0_1_does_not_count_for_part2() -> None:
    """El primer push (Parte 1) ya crea v0.0.1; la Parte 2 pide v0.1.0 o más."""
    facts = github_facts(tags=["v0.0.1"], releases=[release("v0.0.1")])
    result = part(None, "parte2", facts)
    assert result.state == MISSING and "v0.1.0" in result.evidence
    facts = github_facts(tags=["v0.0.1", "v0.10.0"], releases=[release("v0.10.0")])
    assert part(None, "parte2", facts).state == DONE


# Quién hizo cada cosa: lo que cuenta lo hace GitHub Actions, en main.


def test_a_ci_comment_written_by_someone_else_does_not_count() -> None:
    comment = {"body": "<!-- add-pr-comment:ci-results -->\n✅ todo", "user": STUDENT}
    result = part(None, "parte2", github_facts(comments=[comment]))
    assert result.state == MISSING
    assert "no lo escribió GitHub Actions (lo escribió estudiante)" in result.evidence


def test_a_release_published_by_hand_does_not_count() -> None:
    facts = github_facts(releases=[release("v0.1.0", STUDENT)])
    result = part(None, "parte2", facts)
    assert result.state == MISSING and "no la publicó el flujo CD" in result.evidence


def test_a_deploy_run_outside_main_does_not_count() -> None:
    deploy = run("deploy_model.yml", event="workflow_dispatch", head_branch="prueba")
    result = part(None, "extra", github_facts(runs=[deploy]))
    assert result.state == MISSING and "fuera de main" in result.evidence
    assert "rama main" in result.next_action


def test_a_cd_run_of_a_pull_request_is_not_cd_after_merging() -> None:
    runs = [
        run("ci.yml", event="pull_request", head_sha="a" * 40),
        run("cd.yml", event="pull_request", head_branch="feat/x"),
    ]
    result = part(None, "parte2", github_facts(tags=[], releases=[], runs=runs))
    assert result.state == MISSING and "CD no se ejecutó" in result.evidence


# Lo que GitHub no deja leer: sin comprobar (❔), nunca ❌.

FORBIDDEN = (
    "GitHub no dejó leer las ejecuciones de GitHub Actions (403: Resource not "
    "accessible by personal access token); el token necesita permiso de lectura "
    "de Actions"
)


def test_runs_the_token_cannot_read_leave_part2_and_extra_unchecked() -> None:
    facts = github_facts(runs=[], unread={"runs": FORBIDDEN})
    progress = evaluate(None, facts)
    for key in ("parte2", "extra"):
        line = progress.part(key)
        assert line.state == UNCHECKED, line
        assert "Resource not accessible" in line.evidence
    assert progress.part("parte1").state == DONE


@pytest.mark.parametrize("resource", ["pulls", "comments", "tags", "releases"])
def test_each_unread_list_leaves_part2_unchecked(resource: str) -> None:
    facts = github_facts(**{resource: []}, unread={resource: "GitHub respondió 502"})
    assert part(None, "parte2", facts).state == UNCHECKED


def test_an_unread_evidence_file_leaves_parts_3_to_6_unchecked() -> None:
    facts = github_facts(unread={"evidence": "GitHub respondió 403"})
    progress = evaluate(None, facts)
    for key in ("parte3", "parte4", "parte5", "parte6"):
        assert progress.part(key).state == UNCHECKED


def test_part2_pending_while_ci_runs() -> None:
    facts = github_facts(runs=[run("ci.yml", "", "pull_request", head_sha="a" * 40)])
    assert part(None, "parte2", facts).state == PENDING


def test_extra_missing_without_a_deploy_run() -> None:
    result = part(None, "extra", github_facts(runs=[run("cd.yml")]))
    assert result.state == MISSING and "Desplegar modelo" in result.next_action


def test_extra_missing_when_the_deploy_failed() -> None:
    facts = github_facts(runs=[run("deploy_model.yml", "failure")])
    result = part(None, "extra", facts)
    assert result.state == MISSING and "falló" in result.evidence


def test_part1_missing_when_the_repository_has_no_workflows() -> None:
    result = part(None, "parte1", github_facts(workflows=[]))
    assert result.state == MISSING and ".github" in result.next_action


def test_an_empty_repository_is_a_reason_not_a_crash() -> None:
    facts = GitHubFacts(REPO, problem="está vacío: aún no tiene ningún commit")
    progress = evaluate(None, facts)
    assert progress.parts[0].state == MISSING
    assert "git push" in progress.parts[0].next_action
    assert progress.parts[1].state == MISSING


def test_without_github_parts_2_and_extra_are_unverified(tmp_path: Path) -> None:
    progress = evaluate(gather_local(tmp_path), None, unchecked=["GitHub: sin red"])
    assert progress.parts[1].state == UNCHECKED
    assert progress.parts[6].state == UNCHECKED
    text = "\n".join(render_text(progress))
    assert "No se pudo comprobar" in text and "GitHub: sin red" in text


# --------------------------------------------------------------------------
# El archivo de evidencia y el script
# --------------------------------------------------------------------------


def test_evidence_counts_in_the_remote_view_as_declared(
    tmp_path: Path, stores: dict[str, Path]
) -> None:
    root = make_repository(tmp_path / "repo")
    add_model(root)
    add_store(root, stores["completo"])
    add_predictions(root)
    record = build_evidence(gather_local(root), None)
    evidence = parse_evidence(json.dumps(record).encode())
    assert not evidence.problems
    evidence.url = "https://x/evidence"
    progress = evaluate(None, github_facts(evidence=evidence))
    for item in progress.parts[2:6]:
        assert item.state == DONE and "evidence/progreso.json" in item.evidence
        assert item.declared and item.url == "https://x/evidence"
    assert not any(item.declared for item in progress.parts[:2])


@pytest.fixture(name="lab")
def fixture_lab(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stores: dict[str, Path]
) -> Path:
    """Un laboratorio con todo hecho en local; el script trabaja en él."""
    root = make_repository(tmp_path / "repo")
    add_model(root)
    add_store(root, stores["completo"])
    add_predictions(root)
    monkeypatch.setattr(check_progress, "LAB_ROOT", root)
    monkeypatch.setattr(check_progress, "JOBS_DIR", root / "outputs")
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    return root


def commands_after(output: str, marker: str) -> list[str]:
    """Las líneas de comandos (sangradas) que siguen a la línea con ``marker``."""
    lines = output.splitlines()
    start = next(index for index, line in enumerate(lines) if marker in line)
    found = []
    for line in lines[start + 1 :]:
        if not line.startswith("      "):
            break
        found.append(line.strip())
    return found


def test_main_writes_evidence_without_secrets_or_paths(
    lab: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (lab / "config.json").write_text(
        json.dumps(
            {
                "subscription_id": "11111111-2222-3333-4444-555555555555",
                "resource_group": "rg-secreto",
                "workspace_name": "ws",
            }
        )
    )
    args = ["--evidencia", "--sin-github", "--sin-azure"]
    assert check_progress.main(args) == 0
    text = (lab / "evidence" / "progreso.json").read_text(encoding="utf-8")
    evidence = json.loads(text)
    assert evidence["lab_version"] == "v0.1.0"
    assert evidence["model"] == {"name": "churn-prediction-model", "version": "2"}
    assert evidence["predictions"]["rows"] == 3
    assert len(evidence["predictions"]["sha256"]) == 64
    assert evidence["job"]["status"] == "Completed"
    for secret in ("11111111", "rg-secreto", str(lab), str(Path.home())):
        assert secret not in text
    output = capsys.readouterr().out
    # Como manda la Parte 2: a main por un pull request, desde una rama nueva,
    # y un comando por línea (PowerShell 5.1 no tiene «&&»).
    assert commands_after(output, "Evidencia escrita") == [
        "git switch -c docs/evidencia",
        "git add evidence/progreso.json",
        'git commit -m "docs: evidencia del progreso"',
        "git push -u origin docs/evidencia",
    ]
    assert "&&" not in output and "pull request" in output


def test_evidence_commands_on_a_branch_push_that_branch(
    lab: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(lab, "switch", "--quiet", "-c", "feat/mi-modelo")
    git(lab, "branch", "docs/evidencia")  # de una vez anterior
    assert check_progress.main(["--evidencia", "--sin-github", "--sin-azure"]) == 0
    commands = commands_after(capsys.readouterr().out, "Evidencia escrita")
    assert commands[0] == "git add evidence/progreso.json"
    assert commands[-1] == "git push -u origin feat/mi-modelo"


def test_evidence_commands_never_reuse_an_existing_branch(
    lab: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(lab, "branch", "docs/evidencia")
    assert check_progress.main(["--evidencia", "--sin-github", "--sin-azure"]) == 0
    commands = commands_after(capsys.readouterr().out, "Evidencia escrita")
    assert commands[0] == "git switch -c docs/evidencia-2"


def test_first_push_commands_are_one_per_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repository(tmp_path / "repo", pushed=False)
    monkeypatch.setattr(check_progress, "LAB_ROOT", root)
    monkeypatch.setattr(check_progress, "JOBS_DIR", root / "outputs")
    assert check_progress.main(["--sin-github", "--sin-azure"]) == 0
    output = capsys.readouterr().out
    assert commands_after(output, "Siguiente paso") == [
        "git add .",
        'git commit -m "chore: contenido inicial del laboratorio"',
        "git push -u origin main",
    ]
    assert "&&" not in output


@pytest.mark.usefixtures("lab")
def test_main_appends_the_checklist_to_the_job_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("antes\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert check_progress.main(["--sin-github", "--sin-azure"]) == 0
    text = summary.read_text(encoding="utf-8")
    assert (
        text.startswith("antes\n") and "| Parte 3: Entrenar modelo local | ✅ |" in text
    )


def test_main_exigir_fails_with_one_spanish_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(check_progress, "LAB_ROOT", tmp_path)
    monkeypatch.setattr(check_progress, "JOBS_DIR", tmp_path / "outputs")
    assert check_progress.main(["--sin-github", "--exigir", "parte3"]) == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith("❌ Error: Parte 3") and "train_model.py" in error


@pytest.mark.usefixtures("lab")
def test_main_exigir_passes_when_the_part_is_done() -> None:
    assert check_progress.main(["--sin-github", "--exigir", "parte6"]) == 0


def test_main_rejects_a_bad_repository_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert check_progress.main(["--repo", "solo-un-nombre"]) == 1
    assert "TU-USUARIO/NOMBRE" in capsys.readouterr().err


def test_markdown_escapes_pipes_in_titles() -> None:
    facts = github_facts(pulls=[pull(title="arreglo | tabla")])
    assert "arreglo \\| tabla" in render_markdown(evaluate(None, facts))


@pytest.mark.parametrize(
    "title",
    [
        "<img src=x onerror=alert(1)>",
        "<details><summary>ok</summary>",
        "@profesor revisa esto",
        "[✅ pasa](https://example.com)",
        "feat: x\n\n| Parte 9 | ✅ |",
    ],
)
def test_a_pull_request_title_stays_text_in_the_summary(title: str) -> None:
    facts = github_facts(pulls=[pull(title=title)])
    summary = render_markdown(evaluate(None, facts))
    # Cada signo de marcado llega escapado (\<, \[, \|) o cortado («@» y un
    # espacio de ancho cero): GitHub lo muestra como texto.
    for markup in (r"<img", r"<details", r"\[✅ pasa\]", r"\| Parte 9 \|"):
        assert not re.search(r"(?<!\\)" + markup, summary), summary
    assert "@profesor" not in summary


def test_a_huge_title_is_bounded_in_every_output() -> None:
    facts = github_facts(pulls=[pull(title="Update " + "x" * 1_000_000)])
    progress = evaluate(None, facts)
    assert len(progress.part("parte2").evidence) < 400
    assert len(render_markdown(progress)) < 10_000
    assert max(len(line) for line in render_text(progress)) < 400
