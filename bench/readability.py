"""Mide cuánto hay que leer en el laboratorio: scripts, funciones, módulos y tutorial.

Imprime una tabla y escribe ``bench/readability.json``. No ejecuta nada del
laboratorio ni importa su código: lo lee con ``ast`` (solo la biblioteca
estándar), así que sirve igual para otra copia o para un commit anterior:

    git worktree add /tmp/antes a41d17d
    python bench/readability.py --lab /tmp/antes/labs/gitops-workflow \\
        --output /tmp/antes-readability.json

Qué mide:

- **Scripts del estudiante** (los de ``tests/lab_copy.py``: ``scripts/*.py``
  sin los que empiezan por ``_``, y ``src/score.py``): sus líneas (todas, como
  ``wc -l``) y sus líneas de código (sin vacías, comentarios ni docstrings).
- **Las llamadas de scikit-learn, MLflow y Azure ML que se ven en el script
  mismo** (no en lo que importa del laboratorio): cada llamada cuyo nombre
  empieza por algo que el script importó de ``sklearn``, ``mlflow`` o
  ``azure`` (``RandomForestClassifier(...)``, ``mlflow.start_run(...)``,
  ``Data(...)``); cada método llamado sobre ``ml_client``, el ``MLClient``
  de Azure ML (``ml_client.jobs.create_or_update(...)``); y cada método de un
  estimador de scikit-learn (``fit``, ``predict``, ``predict_proba``…) sobre
  cualquier objeto (``model.fit(...)``): el modelo suele venir de una función.
- **Las diez funciones y los diez módulos más largos** del código del
  laboratorio (``scripts/`` y ``src/``, sin las pruebas). Una función mide
  desde su ``def`` hasta su última línea (las anidadas cuentan también solas);
  un módulo, sus líneas. También cuántas pasan de 60 y de 450 líneas.
- **Las palabras del camino principal del tutorial** (``README.md`` del
  laboratorio): desde el encabezado ``## Prerequisitos`` hasta el final de
  ``## Parte 6`` (el siguiente encabezado ``## ``), sin contar los bloques
  ``<details>…</details>`` (con su ``<summary>``), los comentarios HTML
  (``<!-- … -->``) ni los bloques de código (los que abren y cierran ```
  o ``~~~``, con o sin sangría). Del resto se quitan las etiquetas HTML y los
  destinos de los enlaces (``](…)``); una palabra es cada trozo separado por
  espacios que tiene al menos una letra o un número (``train_model.py`` es
  una palabra; ``|`` o ``—`` no). El código en línea (```...```) cuenta: se
  lee. También da las palabras de cada sección ``## `` y del tutorial entero
  con la misma regla.

Uso: python bench/readability.py [--lab CARPETA] [--output bench/readability.json]
"""

from __future__ import annotations

import argparse
import ast
import io
import json
import re
import sys
import tokenize
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
# pylint: disable-next=wrong-import-position
from lab_copy import TUTORIAL_ORDER  # noqa: E402

LIBRARIES = {"sklearn": "scikit-learn", "mlflow": "MLflow", "azure": "Azure ML"}
# El nombre que el laboratorio (y los ejemplos de Microsoft) da al MLClient.
ML_CLIENT = "ml_client"
# Los métodos de un estimador de scikit-learn, se llamen sobre lo que se llamen.
ESTIMATOR_METHODS = frozenset(
    {"fit", "predict", "predict_proba", "transform", "fit_transform", "score"}
)
TOP = 10
FUNCTION_LIMIT = 60
MODULE_LIMIT = 450
FIRST_SECTION = "## Prerequisitos"
LAST_SECTION = "## Parte 6"


def student_scripts(lab: Path) -> list[str]:
    """Los scripts del estudiante en el orden del tutorial, y después los demás."""
    others = sorted(
        f"scripts/{path.name}"
        for path in (lab / "scripts").glob("*.py")
        if not path.name.startswith("_")
        and f"scripts/{path.name}" not in TUTORIAL_ORDER
    )
    return [name for name in (*TUTORIAL_ORDER, *others) if (lab / name).is_file()]


def code_lines(source: str) -> int:
    """Líneas con código: sin vacías, comentarios ni docstrings."""
    tree = ast.parse(source)
    docstrings: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                docstrings.update(range(body[0].lineno, (body[0].end_lineno or 0) + 1))
    lines: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE):
            continue
        if token.type in (tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER):
            continue
        lines.update(range(token.start[0], token.end[0] + 1))
    return len(lines - docstrings)


def _dotted(node: ast.AST) -> str | None:
    """``a.b.c`` para una cadena de atributos sobre un nombre; si no, None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return None


def _library_names(tree: ast.AST) -> dict[str, str]:
    """Cada nombre que el módulo importa de una de ``LIBRARIES`` -> su biblioteca."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                root = alias.name.split(".")[0]
                if root in LIBRARIES:
                    names[alias.asname or root] = LIBRARIES[root]
        elif isinstance(node, ast.ImportFrom) and node.module:
            root = node.module.split(".")[0]
            if root in LIBRARIES and node.level == 0:
                for alias in node.names:
                    names[alias.asname or alias.name] = LIBRARIES[root]
    return names


def visible_calls(source: str) -> dict[str, list[str]]:
    """Las llamadas de scikit-learn, MLflow y Azure ML escritas en ``source``."""
    tree = ast.parse(source)
    names = _library_names(tree)
    calls: dict[str, set[str]] = {library: set() for library in LIBRARIES.values()}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        dotted = _dotted(node.func)
        if dotted is None:
            continue
        root = dotted.split(".")[0]
        if root in names:
            calls[names[root]].add(dotted)
        elif root == ML_CLIENT and "." in dotted:
            calls[LIBRARIES["azure"]].add(dotted)
        elif "." in dotted and dotted.rsplit(".", 1)[-1] in ESTIMATOR_METHODS:
            calls[LIBRARIES["sklearn"]].add(dotted)
    return {library: sorted(found) for library, found in calls.items()}


def lab_modules(lab: Path) -> list[Path]:
    """El código del laboratorio: ``scripts/`` y ``src/`` (sin las pruebas)."""
    return sorted(
        path
        for folder in ("scripts", "src")
        for path in (lab / folder).rglob("*.py")
        if "__pycache__" not in path.parts
    )


def function_lengths(lab: Path) -> list[dict[str, Any]]:
    """Cada función del laboratorio con sus líneas, de la más larga a la más corta."""
    found = []
    for path in lab_modules(lab):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found.extend(_functions(tree, path.relative_to(lab).as_posix(), []))
    return sorted(found, key=lambda item: (-item["lines"], item["function"]))


def _functions(node: ast.AST, module: str, scope: list[str]) -> list[dict[str, Any]]:
    found = []
    for child in ast.iter_child_nodes(node):
        inner = scope
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
            inner = [*scope, child.name]
            lines = (child.end_lineno or child.lineno) - child.lineno + 1
            found.append({"function": f"{module}:{'.'.join(inner)}", "lines": lines})
        elif isinstance(child, ast.ClassDef):
            inner = [*scope, child.name]
        found.extend(_functions(child, module, inner))
    return found


def module_lengths(lab: Path) -> list[dict[str, Any]]:
    """Cada módulo del laboratorio con sus líneas, del más largo al más corto."""
    found = [
        {
            "module": path.relative_to(lab).as_posix(),
            "lines": len(path.read_text(encoding="utf-8").splitlines()),
        }
        for path in lab_modules(lab)
    ]
    return sorted(found, key=lambda item: (-item["lines"], item["module"]))


def _without_comments(line: str, in_comment: bool) -> tuple[str, bool]:
    """La línea sin comentarios HTML, y si sigue dentro de uno al terminar."""
    kept = []
    while line:
        if in_comment:
            end = line.find("-->")
            if end < 0:
                return "".join(kept), True
            rest = end + len("-->")
            line, in_comment = line[rest:], False
        else:
            start = line.find("<!--")
            if start < 0:
                kept.append(line)
                break
            kept.append(line[:start])
            rest = start + len("<!--")
            line, in_comment = line[rest:], True
    return "".join(kept), in_comment


def readable_lines(lines: Iterable[str], with_code: bool = False) -> Iterable[str]:
    """Las líneas que se leen: sin comentarios HTML ni ``<details>``.

    Sin los bloques de código, o con su contenido si ``with_code`` (los comandos
    y las salidas que el tutorial muestra sin desplegar nada).
    """
    fence, in_comment, depth = "", False, 0
    for raw in lines:
        stripped = raw.strip()
        if fence:
            if stripped.startswith(fence):
                fence = ""
            elif with_code and depth == 0:
                yield raw
            continue
        if stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
            continue
        text, in_comment = _without_comments(raw, in_comment)
        opened = len(re.findall(r"<details\b", text))
        closed = len(re.findall(r"</details>", text))
        inside = depth > 0 or opened > 0
        depth = max(depth + opened - closed, 0)
        if not inside:
            yield text


def count_words(lines: Iterable[str]) -> int:
    """Palabras (trozos con una letra o un número) de unas líneas legibles."""
    total = 0
    for line in lines:
        line = re.sub(r"\]\([^)]*\)", "]", line)  # el destino de un enlace
        line = re.sub(r"<[^>]+>", " ", line)  # etiquetas HTML
        total += sum(1 for token in line.split() if any(c.isalnum() for c in token))
    return total


def tutorial_words(text: str, with_code: bool = False) -> dict[str, Any]:
    """Las palabras del camino principal, de cada sección y del tutorial entero.

    Con ``with_code``, cuentan también los bloques de código a la vista.
    """
    sections: dict[str, list[str]] = {}
    title = "(antes del primer encabezado)"
    for line in readable_lines(text.splitlines(), with_code):
        if line.startswith("## "):
            title = line[3:].strip()
        sections.setdefault(title, []).append(line)
    words = {title: count_words(body) for title, body in sections.items()}
    main_path, inside = 0, False
    for title, count in words.items():
        if f"## {title}".startswith(FIRST_SECTION):
            inside = True
        if inside:
            main_path += count
        if f"## {title}".startswith(LAST_SECTION):
            break
    return {
        "main_path_words": main_path,
        "total_words": sum(words.values()),
        "sections": words,
        "rule": (
            f"desde «{FIRST_SECTION}» hasta el final de «{LAST_SECTION}», sin "
            "<details>, comentarios HTML ni bloques de código; una palabra es un "
            "trozo separado por espacios con al menos una letra o un número"
        ),
    }


def measure(lab: Path) -> dict[str, Any]:
    """Todas las cifras de ``lab`` (la carpeta del laboratorio)."""
    scripts = []
    for name in student_scripts(lab):
        source = (lab / name).read_text(encoding="utf-8")
        scripts.append(
            {
                "script": name,
                "lines": len(source.splitlines()),
                "code_lines": code_lines(source),
                "calls": visible_calls(source),
            }
        )
    functions = function_lengths(lab)
    modules = module_lengths(lab)
    return {
        "lab": str(lab),
        "scripts": scripts,
        "longest_functions": functions[:TOP],
        "longest_modules": modules[:TOP],
        "functions_over_limit": sum(
            item["lines"] > FUNCTION_LIMIT for item in functions
        ),
        "modules_over_limit": sum(item["lines"] > MODULE_LIMIT for item in modules),
        "tutorial": tutorial_words((lab / "README.md").read_text(encoding="utf-8")),
    }


def print_table(rows: Sequence[Sequence[object]], header: Sequence[str]) -> None:
    """Una tabla de texto con las columnas alineadas."""
    table = [[str(cell) for cell in row] for row in [header, *rows]]
    widths = [max(len(row[index]) for row in table) for index in range(len(header))]
    table.insert(1, ["-" * width for width in widths])
    for row in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


def report(figures: dict[str, Any]) -> None:
    """Imprime las cifras de ``measure``."""
    print(f"📏 Legibilidad de {figures['lab']}\n")
    libraries = list(LIBRARIES.values())
    print_table(
        [
            [
                item["script"],
                item["lines"],
                item["code_lines"],
                *(len(item["calls"][library]) for library in libraries),
            ]
            for item in figures["scripts"]
        ],
        ["script", "líneas", "código", *libraries],
    )
    print("\nLlamadas de scikit-learn, MLflow y Azure ML visibles en cada script:")
    for item in figures["scripts"]:
        for library, found in item["calls"].items():
            if found:
                print(f"  {item['script']} · {library}: {', '.join(found)}")
    print(
        f"\nLas {TOP} funciones más largas (más de {FUNCTION_LIMIT} líneas: "
        f"{figures['functions_over_limit']}):"
    )
    print_table(
        [[item["function"], item["lines"]] for item in figures["longest_functions"]],
        ["función", "líneas"],
    )
    print(
        f"\nLos {TOP} módulos más largos (más de {MODULE_LIMIT} líneas: "
        f"{figures['modules_over_limit']}):"
    )
    print_table(
        [[item["module"], item["lines"]] for item in figures["longest_modules"]],
        ["módulo", "líneas"],
    )
    tutorial = figures["tutorial"]
    print("\nPalabras del tutorial por sección:")
    print_table(list(tutorial["sections"].items()), ["sección", "palabras"])
    print(
        f"\n📖 Camino principal del tutorial: {tutorial['main_path_words']} palabras "
        f"(el tutorial entero: {tutorial['total_words']}; {tutorial['rule']})."
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Mide el laboratorio, imprime la tabla y escribe el JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument(
        "--lab",
        type=Path,
        default=ROOT / "labs" / "gitops-workflow",
        help="carpeta del laboratorio que se mide",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=ROOT / "bench" / "readability.json",
        help="archivo JSON con las cifras",
    )
    args = parser.parse_args(argv)
    figures = measure(args.lab.resolve())
    report(figures)
    args.output.write_text(
        json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"\n💾 {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
