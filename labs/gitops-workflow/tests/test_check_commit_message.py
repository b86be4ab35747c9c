"""Pruebas de la regla de los mensajes (course.conventional) y de su script.

La regla es una sola: la usan CD (los patrones de PaulHatch/semantic-version),
CI (título y commits de cada pull request) y el hook ``commit-msg``. Aquí se
prueba la regla con textos, que los flujos usan los mismos patrones, y la
versión «al fusionar» en un repositorio pequeño creado para cada prueba.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from course.conventional import (
    CD_PATHS_IGNORE,
    SEMANTIC_VERSION_INPUTS,
    Commit,
    bump_of,
    check_message,
    ignored_by_cd,
    next_version,
)
from scripts.check_commit_message import check, main, markdown, read_message_file
from tests.helpers import LAB_ROOT, run_script

WORKFLOWS = LAB_ROOT / ".github" / "workflows"


def load(name: str) -> dict:
    """Un flujo de .github/workflows como diccionario."""
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


# --------------------------------------------------------------------------
# La forma del mensaje
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "feat: añade la firma",
        "fix(api): corrige el umbral",
        "feat!: cambia las columnas",
        "refactor(datos)!: renombra",
        "docs: explica la versión\n\nCon un cuerpo.",
        "Merge branch 'main' into feat/mi-firma",
        'Revert "feat: añade la firma"',
        "fixup! feat: añade la firma",
    ],
)
def test_conventional_messages_pass(message: str) -> None:
    assert check_message(message).ok


@pytest.mark.parametrize(
    ("message", "problem", "fix"),
    [
        (
            "Update train_model.py",
            "no empieza con un tipo",
            "«feat: Update train_model.py» si añade algo",
        ),
        ("Feat: añade la firma", "va en minúsculas", "«feat: añade la firma»"),
        ("FIX: corrige", "va en minúsculas", "«fix: corrige»"),
        ("feature: añade la firma", "«feature» no es uno de los tipos", "feat:"),
        ("feat:añade", "seguidos de un espacio", "«feat: añade»"),
        ("feat : añade", "seguidos de un espacio", "«feat: añade»"),
        ("feat:", "falta la descripción", "«feat: …»"),
        ("", "vacío", "feat:"),
    ],
)
def test_non_conventional_messages_say_the_problem_and_the_fix(
    message: str, problem: str, fix: str
) -> None:
    verdict = check_message(message)
    assert not verdict.ok
    assert problem in verdict.problem
    assert fix in verdict.fix


# --------------------------------------------------------------------------
# La versión: la regla de la acción con nuestros patrones
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "body", "expected"),
    [
        ("feat: x", "", "minor"),
        ("feat(api): x", "", "minor"),
        ("fix: x", "", "patch"),
        ("chore: x", "", "patch"),
        ("feat!: x", "", "major"),
        ("fix(api)!: x", "", "major"),
        ("fix: x", "Explica.\n\nBREAKING CHANGE: otra API", "major"),
        ("fix: x", "BREAKING-CHANGE: otra API", "major"),
        ("fix: x", "Esto no es un BREAKING CHANGE: solo docs", "patch"),
        ("Merge pull request #1 from alumno/rama", "feat: x", "minor"),
        ("Merge pull request #1 from alumno/rama", "feat!: x", "major"),
        ("Feat: x", "", "patch"),
        ("fix: defeat: x", "", "patch"),
    ],
)
def test_bump_of_each_commit(subject: str, body: str, expected: str) -> None:
    assert bump_of(Commit(subject, body)) == expected


def test_next_version_from_the_last_tag() -> None:
    assert next_version(None, [Commit("feat: x")]) == ((0, 1, 0), "minor")
    assert next_version(None, [Commit("chore: x")]) == ((0, 0, 1), "patch")
    fix_and_feat = [Commit("fix: a"), Commit("feat: b")]
    assert next_version((0, 1, 0), fix_and_feat) == ((0, 2, 0), "minor")
    assert next_version((0, 2, 3), [Commit("feat!: c")]) == ((1, 0, 0), "major")
    assert next_version((0, 2, 3), []) == ((0, 2, 3), "none")


def test_the_workflows_use_this_rule() -> None:
    steps = load("reusable_semantic_version.yml")["jobs"]["version"]["steps"]
    [step] = [s for s in steps if s.get("uses", "").startswith("PaulHatch/")]
    assert step["with"] == SEMANTIC_VERSION_INPUTS
    cd = load("cd.yml")
    # PyYAML (YAML 1.1) lee la clave «on» como el booleano True.
    push = cd[True]["push"]
    assert tuple(push["paths-ignore"]) == CD_PATHS_IGNORE


def test_only_markdown_or_gitignore_changes_are_ignored_by_cd() -> None:
    assert ignored_by_cd(["README.md", "docs/notas.md", ".gitignore"])
    assert not ignored_by_cd(["README.md", "scripts/train_model.py"])
    assert not ignored_by_cd(["scripts/.gitignore"])
    assert not ignored_by_cd([])


def test_pre_commit_checks_the_message_with_this_script() -> None:
    config = yaml.safe_load(
        (LAB_ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    )
    assert "commit-msg" in config["default_install_hook_types"]
    hooks = {hook["id"]: hook for hook in config["repos"][0]["hooks"]}
    hook = hooks["conventional-commit"]
    assert hook["entry"] == "python scripts/check_commit_message.py"
    assert hook["stages"] == ["commit-msg"]


# --------------------------------------------------------------------------
# El script
# --------------------------------------------------------------------------


def test_help_is_spanish_and_exits_zero() -> None:
    result = run_script(["scripts/check_commit_message.py", "--help"])
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("uso: ")
    assert "--titulo" in result.stdout


def test_main_checks_a_message(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--mensaje", "feat: añade la firma"]) == 0
    assert "✅ sigue la regla" in capsys.readouterr().out
    assert main(["--mensaje", "Update train_model.py"]) == 1
    out = capsys.readouterr().out
    assert "❌ No sigue la regla «tipo: descripción» de Conventional Commits" in out
    assert "«fix: Update train_model.py» si corrige un error" in out


def test_the_hook_reads_the_message_file_without_git_comments(tmp_path: Path) -> None:
    message = tmp_path / "COMMIT_EDITMSG"
    message.write_text(
        "feat: añade la firma\n\n# Please enter the commit message\n"
        "# ------------------------ >8 ------------------------\n"
        "diff --git a/x b/x\n",
        encoding="utf-8",
    )
    assert read_message_file(message) == "feat: añade la firma\n"
    assert main([str(message)]) == 0
    message.write_text("Feat: añade la firma\n", encoding="utf-8")
    assert main([str(message)]) == 1
    assert main([str(tmp_path / "no-existe")]) == 1


# --------------------------------------------------------------------------
# La versión al fusionar, en un repositorio pequeño
# --------------------------------------------------------------------------


@pytest.fixture(name="repo")
def fixture_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Un repositorio con main y un commit inicial, sin la configuración del usuario."""
    empty = tmp_path / "gitconfig"
    empty.write_text("", encoding="utf-8")
    for name, value in {
        "GIT_CONFIG_GLOBAL": str(empty),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Alumna",
        "GIT_AUTHOR_EMAIL": "alumna@example.com",
        "GIT_COMMITTER_NAME": "Alumna",
        "GIT_COMMITTER_EMAIL": "alumna@example.com",
    }.items():
        monkeypatch.setenv(name, value)
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "--quiet", "-b", "main")
    commit(root, "chore: contenido inicial", "scripts/a.py")
    return root


def git(root: Path, *args: str) -> str:
    """git en ``root``; falla la prueba si git falla."""
    result = subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def commit(root: Path, message: str, path: str = "scripts/a.py") -> str:
    """Cambia ``path`` y hace commit con ``message``."""
    file = root / path
    file.parent.mkdir(parents=True, exist_ok=True)
    with file.open("a", encoding="utf-8") as handle:
        handle.write(f"# {message}\n")
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "-m", message)
    return git(root, "rev-parse", "HEAD")


def branch(root: Path, name: str, *messages: str, path: str = "scripts/a.py") -> None:
    """Una rama desde main con un commit por mensaje."""
    git(root, "switch", "--quiet", "-c", name, "main")
    for message in messages:
        commit(root, message, path)


def test_first_pull_request_releases_v0_1_0(repo: Path) -> None:
    branch(repo, "feat/mi-firma", "feat: muestra el autor")
    checked, release = check(
        repo, None, "main", "HEAD", "feat: muestra el autor", ("main", 1)
    )
    assert [item.ok for item in checked] == [True, True]
    assert release is not None
    assert release.line == "Al fusionar: v0.1.0 (feat)"
    text = markdown(checked, release)
    assert "| Título del pull request: `feat: muestra el autor` | ✅" in text
    assert "**Al fusionar: v0.1.0 (feat)**" in text


def test_version_counts_from_the_last_tag_and_squash_counts_the_title(
    repo: Path,
) -> None:
    git(repo, "tag", "-a", "v0.1.0", "-m", "Versión v0.1.0")
    branch(repo, "arreglo", "fix: corrige el umbral", "feat: otra columna")
    _, release = check(repo, None, "main", "HEAD", "fix: corrige", ("main", 2))
    assert release is not None
    assert release.line == "Al fusionar: v0.2.0 (feat)"
    assert any("«Squash and merge»" in d and "v0.1.1" in d for d in release.details)


def test_non_conventional_title_and_commit_fail_but_the_version_is_told(
    repo: Path,
) -> None:
    branch(repo, "cambio", "Update train_model.py")
    checked, release = check(
        repo, None, "main", "HEAD", "Update train_model.py", ("main", 3)
    )
    assert [item.ok for item in checked] == [False, False]
    assert release is not None and release.line == "Al fusionar: v0.0.1 (parche)"
    text = markdown(checked, release)
    assert "| Título del pull request: `Update train_model.py` | ❌ No sigue" in text
    assert "botón Edit junto al título" in text
    assert "git commit --amend" in text


def test_breaking_title_gives_a_major_version(repo: Path) -> None:
    branch(repo, "columnas", "feat: cambia las columnas")
    _, release = check(
        repo, None, "main", "HEAD", "feat!: cambia las columnas", ("main", 4)
    )
    assert release is not None
    assert release.line == "Al fusionar: v1.0.0 (cambio incompatible)"


def test_documentation_only_or_develop_releases_nothing(repo: Path) -> None:
    branch(repo, "docs", "docs: explica la versión", path="README.md")
    _, release = check(repo, None, "main", "HEAD", "docs: explica", ("main", 5))
    assert release is not None
    assert release.line.startswith("Al fusionar: no se publica versión")
    _, release = check(repo, None, "main", "HEAD", "docs: explica", ("develop", 5))
    assert release is not None
    assert release.line.startswith("Al fusionar en develop: no se publica versión")
