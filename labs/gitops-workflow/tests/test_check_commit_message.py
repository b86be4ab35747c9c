"""Pruebas de la regla de los mensajes (course.conventional) y de su script.

La regla es una sola: la usan CD (los patrones de PaulHatch/semantic-version),
CI (título y commits de cada pull request) y el hook ``commit-msg``. Aquí se
prueba la regla con textos, que los flujos usan los mismos patrones, y la
versión «al fusionar» en un repositorio pequeño creado para cada prueba.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
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
from labkit.cli import LabError
from scripts.check_commit_message import (
    Checked,
    check,
    explain,
    main,
    markdown,
    read_message_file,
)
from tests.helpers import LAB_ROOT, copy_lab_code, run_script

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


# --------------------------------------------------------------------------
# Mensajes en otras formas: codificación, BOM, la rama base
# --------------------------------------------------------------------------


def test_a_latin1_message_file_gets_its_verdict_and_a_spanish_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Un editor de Windows configurado en Latin-1: «ñ» es el byte 0xF1.
    message = tmp_path / "COMMIT_EDITMSG"
    message.write_bytes("feat: añade la firma\n".encode("latin-1"))
    assert main([str(message)]) == 0
    out = capsys.readouterr().out
    assert "no está guardado en UTF-8" in out and "Mensaje: feat: añade la firma" in out
    message.write_bytes("Añade la firma\n".encode("latin-1"))
    assert main([str(message)]) == 1
    assert "«feat: Añade la firma» si añade algo" in capsys.readouterr().out


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_a_message_file_with_a_bom_is_read_without_it(
    tmp_path: Path, encoding: str, capsys: pytest.CaptureFixture[str]
) -> None:
    message = tmp_path / "COMMIT_EDITMSG"
    message.write_text("feat: añade la firma\n", encoding=encoding)
    code = main([str(message)])
    out = capsys.readouterr().out
    if encoding == "utf-8-sig":
        assert code == 0, out
        assert "\ufeff" not in out
    else:  # UTF-16: ni UTF-8 ni Latin-1; se dice, sin traceback
        assert code == 1 and "no está guardado en UTF-8" in out


def test_a_bom_at_the_start_of_a_title_is_not_part_of_it() -> None:
    assert check_message("\ufefffeat: añade la firma").ok
    assert Commit.from_message("\ufeff  fix: x\n\ncuerpo") == Commit("fix: x", "cuerpo")
    verdict = check_message("\ufeffFeat: x")
    assert verdict.fix == "escribe «feat: x»"


@pytest.mark.parametrize("title", ["-x", "--", "--x"])
def test_a_title_that_starts_with_a_dash_is_a_title(
    title: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Como lo pasa CI: --titulo=… (un título sin espacios que empieza con «-»).
    assert main([f"--titulo={title}"]) == 1
    out = capsys.readouterr().out
    assert f"Título del pull request: {title}\n" in out
    assert "no empieza con un tipo seguido de dos puntos" in out


def test_a_raw_latin1_commit_gets_its_verdict(repo: Path) -> None:
    # Un commit con bytes que no son UTF-8 y sin cabecera «encoding» (git
    # commit los convertiría; otras herramientas los guardan tal cual): la
    # revisión no se detiene con un UnicodeDecodeError.
    git(repo, "switch", "--quiet", "-c", "latin")
    tree = git(repo, "rev-parse", "HEAD^{tree}")
    parent = git(repo, "rev-parse", "HEAD")
    raw = (
        f"tree {tree}\nparent {parent}\n"
        "author A <a@example.com> 1700000000 +0000\n"
        "committer A <a@example.com> 1700000000 +0000\n\n"
    ).encode("ascii") + "fix: corrige el año\n\nCon eñe.\n".encode("latin-1")
    created = subprocess.run(
        ["git", "hash-object", "-t", "commit", "-w", "--stdin"],
        cwd=repo,
        input=raw,
        capture_output=True,
        check=True,
    )
    git(repo, "reset", "--quiet", "--hard", created.stdout.decode().strip())
    assert (
        b"\xf1"
        in subprocess.run(
            ["git", "log", "-1", "--format=%s"],
            cwd=repo,
            capture_output=True,
            check=True,
        ).stdout
    )
    checked, release = check(repo, None, "main", "HEAD", None, ("main", 1))
    assert len(checked) == 1
    commit_checked = checked[0]
    assert commit_checked.ok, commit_checked
    assert commit_checked.subject == "fix: corrige el a\ufffdo"
    assert release is not None and release.line == "Al fusionar: v0.0.1 (parche)"


def test_a_repository_still_on_master_names_the_cause_and_the_fix(
    repo: Path,
) -> None:
    git(repo, "branch", "-m", "main", "master")
    git(repo, "switch", "--quiet", "-c", "feat/x")
    with pytest.raises(LabError) as raised:
        check(repo, None, "main", "HEAD", None, ("main", 1))
    message = str(raised.value)
    assert message == (
        "no existe la rama main en este repositorio: tu rama principal se llama "
        "master. Renómbrala con git branch -m master main (y en GitHub: Settings → "
        "General → Default branch) o usa --base master."
    )
    assert "fatal" not in message and "\n" not in message
    # Con --base master funciona.
    checked, _ = check(repo, None, "master", "HEAD", None, ("master", 1))
    assert not checked


def test_an_unknown_base_lists_the_branches_that_exist(repo: Path) -> None:
    with pytest.raises(
        LabError, match=r"'no-existe'.*--base con una rama que exista: main"
    ):
        check(repo, None, "no-existe", "HEAD", None, ("main", 1))
    with pytest.raises(LabError, match="'-x'"):
        check(repo, None, "-x", "HEAD", None, ("main", 1))


def test_the_script_on_master_says_it_in_one_spanish_line(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    env = {"GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"), "GIT_CONFIG_NOSYSTEM": "1"}
    (tmp_path / "gitconfig").write_text(
        "[user]\n\tname = A\n\temail = a@example.com\n", encoding="utf-8"
    )
    for args in (
        ["init", "--quiet", "-b", "master"],
        ["commit", "--quiet", "--allow-empty", "-m", "chore: inicio"],
    ):
        subprocess.run(["git", *args], cwd=repo, env={**os.environ, **env}, check=True)
    copy = copy_lab_code(repo)
    result = run_script(
        ["scripts/check_commit_message.py", "--base", "main"],
        cwd=copy,
        PYTHONPATH=str(copy / "src"),
        **env,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.strip().splitlines() == [
        "❌ Error: no existe la rama main en este repositorio: tu rama principal se "
        "llama master. Renómbrala con git branch -m master main (y en GitHub: "
        "Settings → General → Default branch) o usa --base master."
    ]


# --------------------------------------------------------------------------
# Texto del estudiante en el comentario: se ve tal cual
# --------------------------------------------------------------------------

EVIL_TITLE = (
    "<img src=x onerror=alert(1)> <details><summary>más</summary> @profesor "
    "[✅ pasa](https://example.com) `a|b` *x*"
)


def test_the_version_section_shows_student_text_as_text() -> None:
    text = markdown([explain_title(EVIL_TITLE)], None)
    [row] = [line for line in text.splitlines() if line.startswith("| Título")]
    # Dos celdas: ningún «|» del título parte la fila.
    cells = re.split(r"(?<!\\)\|", row)
    assert len(cells) == 4, row
    # El título, como código: una sola cerca de comillas que nada cierra antes.
    title = cells[1].removeprefix(" Título del pull request: ").strip()
    assert (
        title.startswith("`` ") is False
        and title.startswith("``")
        and title.endswith("``")
    )
    assert "``" not in title[2:-2]
    # La explicación repite el título escapado: sin HTML, enlaces ni menciones.
    explanation = cells[2]
    assert not re.search(r"(?<!\\)[<>\[\]`]", explanation), explanation
    assert "\\<img src=x onerror=alert(1)\\>" in explanation
    assert (
        "@\u200bprofesor" in explanation and "https:\u200b//example.com" in explanation
    )


def explain_title(title: str) -> Checked:
    """La fila del título del pull request, como la arma CI."""
    return explain("Título del pull request", title, "")


def test_a_huge_title_is_shortened_in_the_section() -> None:
    text = markdown([explain_title("feat " + "x" * 1_000_000)], None)
    assert len(text) < 5000


# --------------------------------------------------------------------------
# Los patrones de versión en tiempo lineal
# --------------------------------------------------------------------------

# Un cuerpo de 1 MB en las formas que hacían retroceder al patrón anterior
# ([^)]* cruzaba líneas): cada línea abre un ámbito que nunca se cierra.
HUGE_BODIES = {
    "lineas": "a(\n",
    "una-linea": "a(",
    "palabra": "a",
    "feat": "feat(",
}
HUGE_SECONDS = 10.0  # generoso: en un equipo cargado tarda menos de 1 s


@pytest.mark.parametrize("shape", HUGE_BODIES)
def test_a_1_mb_body_is_classified_in_linear_time(shape: str) -> None:
    # En otro proceso y con un plazo: con el patrón anterior tardaba minutos.
    code = (
        "import sys, time\n"
        "from course.conventional import Commit, bump_of, check_message\n"
        f"body = ({HUGE_BODIES[shape]!r} * (1 << 20))[: 1 << 20]\n"
        "started = time.perf_counter()\n"
        "bump_of(Commit('fix: x', body))\n"
        "check_message(body)\n"
        "print(time.perf_counter() - started)\n"
    )
    try:
        result = subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONPATH": str(LAB_ROOT / "src")},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("revisar un cuerpo de 1 MB tardó más de 2 minutos")
    assert result.returncode == 0, result.stderr
    assert float(result.stdout) < HUGE_SECONDS, result.stdout
