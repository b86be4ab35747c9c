"""El tutorial (labs/gitops-workflow/README.md) dice la verdad.

- cada ``python scripts/...`` y ``python src/...`` nombra un archivo que existe
  y solo usa opciones que su ``--help`` ofrece;
- cada enlace del índice lleva a un encabezado que existe, y el índice
  lleva a cada encabezado del camino principal (de Prerequisitos al final de
  la Parte 6), las «Alternativa sin Azure» incluidas;
- el camino principal se lee en menos de 25 minutos: como mucho
  ``MAIN_PATH_WORDS`` palabras, contando también los bloques de código que
  se ven sin desplegar nada (la regla de ``main_path_words``);
- la salida mostrada tras ``<!-- salida: COMANDO -->`` aparece, en orden, en
  la salida real de ese comando en el repositorio de un estudiante
  (``tests/student_repo.py``; se enmascara lo que cambia: tiempos, fechas,
  rutas temporales e identificadores), y si no omite líneas con «…», las
  muestra todas;
- el cambio de la Parte 2 pasa ``python scripts/run_checks.py`` en el
  repositorio del estudiante, sin commit (el paso 4), y el ejemplo que falla,
  falla.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from lab_copy import LAB, ROOT
from student_repo import StudentRepo

# La regla de las palabras, una sola vez: la del benchmark de legibilidad.
sys.path.insert(0, str(ROOT / "bench"))
import readability  # noqa: E402  # pylint: disable=wrong-import-position

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = LAB / "README.md"
SECTIONS = [
    "Prerequisitos",
    "Parte 1",
    "Parte 2",
    "Parte 3",
    "Parte 4",
    "Parte 5",
    "Parte 6",
    "Extra",
    "Apéndice A",
    "Apéndice B",
]
# Un comentario marcador y, justo debajo, un bloque de código con la misma sangría.
OUTPUT_MARK = re.compile(
    r"^(?P<indent> *)<!-- salida: (?P<command>.+?) -->\n"
    r"(?P=indent)```text\n(?P<body>.*?)\n(?P=indent)```",
    re.S | re.M,
)
CHANGE_OUTPUT_MARK = re.compile(
    r"^(?P<indent> *)<!-- salida-del-(?P<kind>cambio|error) -->\n"
    r"(?P=indent)```text\n(?P<body>.*?)\n(?P=indent)```",
    re.S | re.M,
)
CHANGE_MARK = re.compile(
    r"^(?P<indent> *)<!-- (?P<kind>cambio|error)-parte-2 -->\n"
    r"(?P=indent)```python\n(?P<body>.*?)\n(?P=indent)```",
    re.S | re.M,
)
ELLIPSIS = "…"
# 25 minutos de lectura a 240 palabras por minuto.
MAIN_PATH_WORDS = 6000
FENCED_CODE = re.compile(r"^( *)(```|~~~).*?^\1\2[ \t]*$", re.S | re.M)


def dedented(match: re.Match[str]) -> str:
    """El cuerpo de un bloque marcado, sin la sangría de su lista."""
    indent = len(match.group("indent"))
    return "\n".join(line[indent:] for line in match.group("body").split("\n"))


def tutorial_text() -> str:
    return TUTORIAL.read_text(encoding="utf-8")


def section(text: str, title: str) -> str:
    """El texto de la sección ``## title…`` hasta la siguiente ``## ``."""
    start = re.search(rf"^## {re.escape(title)}.*$", text, re.M)
    assert start, f"falta la sección {title}"
    end = re.search(r"^## ", text[start.end() :], re.M)
    return text[start.start() : start.end() + end.start() if end else len(text)]


def main_path(text: str) -> str:
    """De ``## Prerequisitos`` al final de ``## Parte 6``."""
    start = text.index(section(text, "Prerequisitos"))
    last = section(text, "Parte 6")
    return text[start : text.index(last) + len(last)]


def main_path_words(text: str) -> tuple[int, int]:
    """Palabras del camino principal: (prosa, prosa y código a la vista).

    La regla es la de ``bench/readability.py`` (``tutorial_words``): el texto
    de ``## Prerequisitos`` al final de ``## Parte 6``, sin los bloques
    ``<details>``, los comentarios HTML ni los bloques de código; la segunda
    cifra cuenta además los bloques de código que quedan a la vista.
    """
    return (
        readability.tutorial_words(text)["main_path_words"],
        readability.tutorial_words(text, with_code=True)["main_path_words"],
    )


def code_blocks(text: str) -> list[str]:
    return re.findall(r"```[a-z]*\n(.*?)```", text, re.S)


def lab_commands(text: str) -> list[list[str]]:
    """Los comandos ``python scripts/...`` y ``python src/...`` de los bloques."""
    commands = []
    for block in code_blocks(text):
        joined = re.sub(r"\s*[\\`]\n\s*", " ", block)
        for line in joined.splitlines():
            line = line.strip()
            match = re.match(r"^(?:\$ )?python3? ((?:scripts|src)/\S+\.py.*)$", line)
            if match:
                commands.append(shlex.split(match.group(1), comments=True))
    return commands


def lab_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "PYTHONIOENCODING": "utf-8",
            "AZURE_TOKEN_CREDENTIALS": "AzureCliCredential",
            "COLUMNS": "100",
        }
    )
    return env


def run_in_copy(
    copy: Path, args: list[str], **extra_env: str
) -> subprocess.CompletedProcess[str]:
    """Ejecuta ``python args`` en una copia del laboratorio, con su propio src.

    Con el Python de su ``.venv`` si lo tiene (el repositorio de un
    estudiante). La salida de error va mezclada con la normal, en el orden en
    que se ve en la terminal.
    """
    env = lab_env()
    env.update(extra_env)
    # El bloqueo de red del laboratorio (tests/netguard) va primero: nada de lo
    # que ejecuta el tutorial sale de 127.0.0.1.
    env["PYTHONPATH"] = os.pathsep.join(
        [str(copy / "tests" / "netguard"), str(copy / "src")]
    )
    venv_python = copy / ".venv" / "bin" / "python"
    python = str(venv_python) if venv_python.is_file() else sys.executable
    return subprocess.run(
        [python, *args],
        cwd=copy,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
        timeout=600,
    )


def github_anchor(heading: str) -> str:
    """El ancla que GitHub da a un encabezado (minúsculas, sin puntuación)."""
    text = heading.strip().lower()
    text = "".join(
        char for char in text if char in " -_" or unicodedata.category(char)[0] in "LN"
    )
    return text.replace(" ", "-")


def test_sections_in_order() -> None:
    headings = re.findall(r"^## (.+)$", tutorial_text(), re.M)
    positions = []
    for section in SECTIONS:
        found = [
            index for index, title in enumerate(headings) if title.startswith(section)
        ]
        assert found, f"falta la sección {section}"
        positions.append(found[0])
    assert positions == sorted(positions)


def test_table_of_contents_links_exist() -> None:
    text = tutorial_text()
    anchors = {
        github_anchor(title) for title in re.findall(r"^#{2,4} (.+)$", text, re.M)
    }
    links = re.findall(r"\]\(#([^)]+)\)", text)
    assert len(links) >= len(SECTIONS)
    missing = [link for link in links if link not in anchors]
    assert not missing, missing


def test_index_reaches_every_main_path_heading() -> None:
    text = tutorial_text()
    index_links = set(re.findall(r"\]\(#([^)]+)\)", section(text, "Índice")))
    prose = FENCED_CODE.sub("", main_path(text))
    headings = re.findall(r"^#{2,3} (.+)$", prose, re.M)
    assert sum("Alternativa sin Azure" in title for title in headings) == 3
    missing = [title for title in headings if github_anchor(title) not in index_links]
    assert not missing, f"el índice no lleva a: {missing}"
    # Dos encabezados con el mismo texto tendrían anclas distintas en GitHub
    # (…-1): los enlaces no sabrían a cuál ir.
    anchors = [
        github_anchor(title)
        for title in re.findall(r"^#{2,4} (.+)$", FENCED_CODE.sub("", text), re.M)
    ]
    assert len(anchors) == len(set(anchors)), sorted(anchors)


def test_main_path_reads_in_25_minutes() -> None:
    prose, shown = main_path_words(tutorial_text())
    assert prose <= shown <= MAIN_PATH_WORDS, (prose, shown)


def test_word_count_rule() -> None:
    text = (
        "# Título\n\n## Prerequisitos\n\nuno dos <!-- no --> [tres](#x-y) <br>\n\n"
        "<details><summary>no</summary>\n\nnada de esto\n\n</details>\n\n"
        "   ```bash\n   python scripts/x.py\n   ```\n\n## Parte 6: fin\n\ntres\n\n"
        "## Extra\n\nfuera\n"
    )
    assert main_path_words(text) == (8, 10)


def test_anchor_rule() -> None:
    assert (
        github_anchor("Apéndice A: Crear workspace Azure ML")
        == "apéndice-a-crear-workspace-azure-ml"
    )
    assert (
        github_anchor("Parte 3: Entrenar modelo local")
        == "parte-3-entrenar-modelo-local"
    )


def test_commands_use_existing_scripts_and_options(lab_copy: Path) -> None:
    commands = lab_commands(tutorial_text())
    assert len(commands) >= 10
    helps: dict[str, str] = {}
    for command in commands:
        script = command[0]
        assert (LAB / script).is_file(), f"no existe {script}"
        if script not in helps:
            result = run_in_copy(lab_copy, [script, "--help"])
            assert result.returncode == 0, result.stdout
            helps[script] = result.stdout
        for option in command[1:]:
            if option.startswith("--"):
                name = option.split("=")[0]
                assert re.search(
                    rf"{re.escape(name)}\b", helps[script]
                ), f"{script} no acepta {name}"


def mask(text: str) -> str:
    """Quita de la salida lo que cambia entre ejecuciones.

    Las rayas de una tabla se cuentan como una sola: su ancho depende del de
    la columna, y en la de tiempos, de lo que tardó cada chequeo.
    """
    text = re.sub(r"-{2,}", "--", text)
    text = re.sub(r"\d{4}-\d{2}-\d{2}[T ][\d:.+Z-]+", "<fecha>", text)
    text = re.sub(r"\b\d+(?:[.,]\d+)? s\b", "<t> s", text)
    text = re.sub(r"\b[0-9a-f]{32}\b", "<id>", text)
    return text


def shown_lines_appear_in_order(shown: str, real: str) -> list[str]:
    """Líneas mostradas que no aparecen (en orden) en la salida real.

    Una línea que es solo «…» omite líneas; dentro de una línea, «…» vale por
    cualquier texto (una ruta que cambia de una computadora a otra).
    """
    real_lines = [line.rstrip() for line in mask(real).splitlines()]
    missing = []
    position = 0
    for line in mask(shown).splitlines():
        line = line.rstrip()
        if not line or line.strip() == ELLIPSIS:
            continue
        pattern = re.compile(".*".join(map(re.escape, line.split(ELLIPSIS))))
        found = next(
            (
                index
                for index in range(position, len(real_lines))
                if pattern.fullmatch(real_lines[index])
            ),
            None,
        )
        if found is None:
            missing.append(line)
        else:
            position = found + 1
    return missing


def test_table_rules_do_not_depend_on_timing() -> None:
    shown = "tiempo\n------\n9,5 s"
    assert not shown_lines_appear_in_order(shown, "tiempo\n-------\n120,4 s")


def test_matcher_needs_order_and_allows_ellipsis() -> None:
    real = "uno\ndos /tmp/x/y.py\ntres 1.5 s"
    assert not shown_lines_appear_in_order("uno\n…\ntres 9.9 s", real)
    assert not shown_lines_appear_in_order("dos …/y.py", real)
    assert shown_lines_appear_in_order("tres 1.5 s\nuno", real) == ["uno"]
    assert shown_lines_appear_in_order("cuatro", real) == ["cuatro"]


@pytest.fixture(scope="module", name="lab_copy")
def fixture_lab_copy(
    student_repo: StudentRepo, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    return student_repo.clone(tmp_path_factory.mktemp("alumno") / "mi-repo").root


def test_shown_outputs_match_real_runs(lab_copy: Path) -> None:
    blocks = list(OUTPUT_MARK.finditer(tutorial_text()))
    assert len(blocks) >= 5
    for block in blocks:
        command = shlex.split(block.group("command"))
        assert command[0] in ("python", "python3")
        real = run_in_copy(lab_copy, command[1:]).stdout
        shown = dedented(block)
        missing = shown_lines_appear_in_order(shown, real)
        assert (
            not missing
        ), f"{block.group('command')}:\n{missing}\n--- real ---\n{real}"
        # Sin una línea «…», la salida mostrada es la salida entera.
        if ELLIPSIS not in [line.strip() for line in shown.splitlines()]:
            not_shown = shown_lines_appear_in_order(real, shown)
            assert not not_shown, f"{block.group('command')}: falta {not_shown}"


def apply_change(lab_root: Path, body: str) -> Path:
    """Inserta las líneas nuevas de un bloque tras su primera línea (el contexto)."""
    anchor, *new_lines = body.rstrip("\n").split("\n")
    target = lab_root / "scripts" / "train_model.py"
    source = target.read_text(encoding="utf-8")
    assert (
        source.count(anchor + "\n") == 1
    ), f"el tutorial cita una línea que no está: {anchor}"
    assert all(
        line not in source for line in new_lines if line.strip()
    ), "el cambio de la Parte 2 ya está hecho"
    target.write_text(
        source.replace(anchor + "\n", "\n".join([anchor, *new_lines]) + "\n"),
        encoding="utf-8",
    )
    return target


@pytest.mark.parametrize("kind", ["cambio", "error"])
def test_part_two_change(kind: str, tmp_path: Path, student_repo: StudentRepo) -> None:
    changes = {
        match.group("kind"): dedented(match)
        for match in CHANGE_MARK.finditer(tutorial_text())
    }
    assert set(changes) == {"cambio", "error"}
    # Parte 2, paso 4, al pie de la letra: en el repositorio del estudiante,
    # con el cambio aún sin commit y el .venv activado.
    repo = student_repo.clone(tmp_path / "mi-repo")
    apply_change(repo.root, changes[kind])
    # El cambio pasa el chequeo completo; el error, los linters.
    checks = [] if kind == "cambio" else ["black", "isort", "flake8", "pylint", "mypy"]
    result = repo.run(["scripts/run_checks.py", *checks], COLUMNS="100")
    output = result.stdout
    assert result.returncode == (0 if kind == "cambio" else 1), output
    if kind == "cambio":
        # Todas las pruebas del laboratorio (la primera vez run_checks.py no
        # tiene nada guardado y las corre todas), ninguna saltada ni fallida.
        collected = repo.run(["-m", "pytest", "--collect-only", "-q", "-n", "0"]).stdout
        expected = int(
            re.findall(r"(\d+)(?:/\d+)? tests? (?:collected|selected)", collected)[-1]
        )
        assert re.findall(r"(\d+) passed", output)[-1] == str(expected), output
        assert "skipped" not in output and "failed" not in output, output
        assert repo.git("status", "--porcelain") == " M scripts/train_model.py\n"
    shown = {
        match.group("kind"): dedented(match)
        for match in CHANGE_OUTPUT_MARK.finditer(tutorial_text())
    }
    missing = shown_lines_appear_in_order(shown[kind], output)
    assert not missing, f"{missing}\n--- real ---\n{output}"
