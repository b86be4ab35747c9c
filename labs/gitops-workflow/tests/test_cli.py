"""Pruebas de las piezas comunes de los scripts (labkit.cli)."""

from __future__ import annotations

import argparse
import ast
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from labkit.cli import (
    LabError,
    atomic_output,
    build_parser,
    display_path,
    format_number,
    format_percent,
    positive_int,
    print_table,
    quantity,
    report_errors,
    seed_int,
    wait_seconds,
)
from tests.helpers import LAB_ROOT, assert_clean_failure, run_script

# Los paquetes del laboratorio, en src/.
LAB_PACKAGES = {"churn_lab", "labkit", "course"}


def test_atomic_output_renames_on_success(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "result.txt"
    with atomic_output(target) as temporary:
        assert temporary.parent == target.parent
        temporary.write_text("listo", encoding="utf-8")
        assert not target.exists()
    assert target.read_text(encoding="utf-8") == "listo"
    assert [path.name for path in target.parent.iterdir()] == ["result.txt"]
    assert target.stat().st_mode & 0o044  # legible por otros, como un archivo normal


def test_atomic_output_leaves_nothing_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "result.txt"
    target.write_text("versión anterior", encoding="utf-8")
    with pytest.raises(LabError):
        with atomic_output(target) as temporary:
            temporary.write_text("a medias", encoding="utf-8")
            raise LabError("fallo a mitad de camino")
    assert target.read_text(encoding="utf-8") == "versión anterior"
    assert [path.name for path in tmp_path.iterdir()] == ["result.txt"]


def test_atomic_output_in_an_impossible_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "archivo"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(LabError, match="no se puede escribir en la carpeta"):
        with atomic_output(blocker / "result.txt"):
            pass


@pytest.mark.parametrize(
    ("text", "message"),
    [("0", "mayor que 0"), ("-3", "mayor que 0"), ("tres", "no es un número entero")],
)
def test_positive_int_rejects(text: str, message: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=message):
        positive_int(text)


def test_positive_int_accepts() -> None:
    assert positive_int("12") == 12


def test_seed_int_accepts_zero_and_rejects_negatives() -> None:
    assert seed_int("0") == 0
    with pytest.raises(argparse.ArgumentTypeError, match="desde 0, no -1"):
        seed_int("-1")


@pytest.mark.parametrize("kind", [positive_int, seed_int, wait_seconds])
@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("200.000", "200000"),
        ("10.000", "10000"),
        ("1.000.000", "1000000"),
        ("10,000", "10000"),
        ("10 000", "10000"),
    ],
)
def test_a_thousands_separator_gets_the_number_to_write(
    kind: Callable[[str], int], text: str, digits: str
) -> None:
    """«200.000» es doscientos mil en español: no se lee como 200 sin decir nada."""
    with pytest.raises(argparse.ArgumentTypeError) as error:
        kind(text)
    assert str(error.value) == (
        f"{text} parece un número con separador de miles: escribe {digits}"
    )


def test_numbers_without_thousands_separators_still_work() -> None:
    assert positive_int("200000") == 200_000
    assert positive_int("1e3") == 1000
    assert seed_int("1.0") == 1
    for text in ("2,5", "1.5"):
        with pytest.raises(argparse.ArgumentTypeError, match="no es un número entero"):
            positive_int(text)


def test_parser_errors_are_spanish_and_exit_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    parser = build_parser("Prueba.")
    parser.add_argument("--count", type=positive_int, default=1, help="cuántos")
    parser.add_argument("--mode", choices=["a", "b"], default="a", help="modo")
    for args, expected in [
        (["--count", "x"], "argumento --count: 'x' no es un número entero"),
        (["--mode", "c"], "opción no válida: 'c'"),
        (["--otro"], "argumentos no reconocidos: --otro"),
        (["--count"], "se esperaba un valor"),
    ]:
        with pytest.raises(SystemExit) as exit_info:
            parser.parse_args(args)
        assert exit_info.value.code == 1
        error = capsys.readouterr().err
        assert "uso:" in error and expected in error, error


def test_report_errors_turns_lab_error_into_exit_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    @report_errors
    def failing() -> int:
        raise LabError("falta el archivo x. Créalo con y.")

    assert failing() == 1
    assert capsys.readouterr().err == "❌ Error: falta el archivo x. Créalo con y.\n"


def test_print_table_aligns_columns(capsys: pytest.CaptureFixture[str]) -> None:
    print_table([["1", "corto"], ["22", "más largo"]], ["#", "Texto"])
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["#   Texto", "--  ---------", "1   corto", "22  más largo"]


def test_output_survives_a_non_utf8_terminal(tmp_path: Path) -> None:
    # Como en Windows al redirigir la salida a un archivo: cp1252 no tiene «✅».
    result = run_script(
        [
            LAB_ROOT / "scripts" / "create_inference_data.py",
            "--n-samples",
            "3",
            "--output-dir",
            tmp_path,
        ],
        cwd=tmp_path,
        PYTHONIOENCODING="cp1252",
    )
    assert result.returncode == 0, result.stderr
    assert "✅ Listo" in result.stdout


def test_format_number_uses_spanish_convention():
    assert format_number(10000) == "10 000"
    assert format_number(2000) == "2000"
    assert format_number(1234567) == "1 234 567"
    assert format_number(0.83214, 3) == "0,832"
    assert format_number(-12345.5, 1) == "-12 345,5"


def test_format_percent_uses_spanish_convention():
    assert format_percent(0.797) == "79,7 %"
    assert format_percent(0.25, 0) == "25 %"


def test_quantity_agrees_in_number() -> None:
    assert quantity(1, "valor vacío", "valores vacíos") == "1 valor vacío"
    assert quantity(0, "fila", "filas") == "0 filas"
    assert quantity(10000, "cliente", "clientes") == "10 000 clientes"


def test_paths_are_shown_from_where_you_are(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert display_path(tmp_path / "artifacts" / "model.pkl") == str(
        Path("artifacts") / "model.pkl"
    )
    assert display_path(Path("data")) == "data"
    assert display_path(LAB_ROOT / "data") == str(LAB_ROOT / "data")


def test_help_shows_lab_defaults_as_lab_paths() -> None:
    parser = build_parser("Prueba.")
    parser.add_argument(
        "--output-dir", type=Path, default=LAB_ROOT / "artifacts", help="carpeta"
    )
    text = " ".join(parser.format_help().split())
    assert "(por defecto: artifacts en la carpeta del laboratorio)" in text
    assert str(LAB_ROOT) not in text


def module_imports(path: Path) -> list[str]:
    """Los módulos que ``path`` importa al cargarse, en orden (no los de funciones)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.module or "" if isinstance(node, ast.ImportFrom) else node.names[0].name
        for node in tree.body
        if isinstance(node, (ast.Import, ast.ImportFrom))
    ]


def test_every_script_imports_lab_before_any_library() -> None:
    """_lab.py va antes que labkit, churn_lab, course y cualquier biblioteca.

    Revisa Python y convierte la falta de pandas, scikit-learn… (el entorno
    virtual sin activar) en una línea en español: solo si va primero.
    """
    for script in sorted((LAB_ROOT / "scripts").glob("[!_]*.py")):
        outside = [
            module
            for module in module_imports(script)
            if module.split(".")[0] not in sys.stdlib_module_names
        ]
        assert outside[:1] == ["_lab"], f"{script.name} importa primero {outside[:1]}"


def test_score_guards_the_environment_before_any_library() -> None:
    """score.py (también en el trabajo de Azure ML) llama a guard_environment()."""
    score = LAB_ROOT / "src" / "score.py"
    outside = [
        module
        for module in module_imports(score)
        if module.split(".")[0] not in sys.stdlib_module_names
    ]
    assert all(module.split(".")[0] in LAB_PACKAGES for module in outside), outside
    tree = ast.parse(score.read_text(encoding="utf-8"))
    calls = [
        node.value.func.id
        for node in tree.body
        if isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
    ]
    assert "guard_environment" in calls


def test_numbers_have_an_upper_bound() -> None:
    assert positive_int("1e6") == 1_000_000
    for text in ("1e30", "1" + "0" * 30, "1000001"):
        with pytest.raises(argparse.ArgumentTypeError, match="como mucho 1 000 000"):
            positive_int(text)
    assert seed_int(str(2**32 - 1)) == 2**32 - 1
    for text in ("1e38", str(2**32)):
        with pytest.raises(argparse.ArgumentTypeError, match="4 294 967 295"):
            seed_int(text)
    for text in ("nan", "inf", "1e400", "2.5"):
        with pytest.raises(argparse.ArgumentTypeError, match="no es un número entero"):
            seed_int(text)
    with pytest.raises(argparse.ArgumentTypeError, match="como mucho 3600"):
        wait_seconds("86400")


# Cada opción numérica de cada script, con un valor enorme escrito de las dos
# maneras: termina con un mensaje en español antes de hacer nada.
NUMERIC_OPTIONS = [
    ("scripts/train_model.py", "--n-samples"),
    ("scripts/train_model.py", "--seed"),
    ("scripts/compare_models.py", "--n-samples"),
    ("scripts/compare_models.py", "--seed"),
    ("scripts/create_inference_data.py", "--n-samples"),
    ("scripts/create_inference_data.py", "--seed"),
    ("src/score.py", "--chunk-rows"),
    ("scripts/run_inference_pipeline.py", "--poll-seconds"),
    ("scripts/run_inference_pipeline.py", "--queued-warning-seconds"),
    ("scripts/check_commit_message.py", "--numero"),
]
BOUNDED_TYPES = {"positive_int", "seed_int", "wait_seconds"}


def test_every_numeric_option_is_bounded() -> None:
    found = set()
    for path in [*LAB_ROOT.glob("scripts/*.py"), LAB_ROOT / "src" / "score.py"]:
        text = path.read_text(encoding="utf-8")
        for option, kind in re.findall(r'"(--[\w-]+)",\s*type=(\w+)', text):
            assert kind in BOUNDED_TYPES | {"Path", "check_asset_name"}, option
            if kind in BOUNDED_TYPES:
                found.add((path.relative_to(LAB_ROOT).as_posix(), option))
    assert found == set(NUMERIC_OPTIONS)


@pytest.mark.parametrize(("script", "option"), NUMERIC_OPTIONS)
def test_huge_numbers_end_in_a_spanish_message(
    script: str, option: str, tmp_path: Path
) -> None:
    # Las rutas de salida, a una carpeta de la prueba: nada cae en el laboratorio.
    outputs: list[str | Path] = ["--output-dir", tmp_path]
    if script in ("src/score.py", "scripts/run_inference_pipeline.py"):
        outputs = ["--output-path", tmp_path / "out.csv"]
    for value in ("1e38", "1" + "0" * 38):
        result = run_script([script, option, value, *outputs])
        assert_clean_failure(result, f"argumento {option}", "como mucho")
    assert not list(tmp_path.iterdir())
