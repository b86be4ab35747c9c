"""Qué usa un archivo de pruebas, contando solo las fixtures que pide.

pytest carga cada ``conftest.py`` para todas las pruebas de su carpeta, pero
lo que una fixture importa dentro de su función solo se ejecuta en las
pruebas que la piden: por el nombre de un argumento, con
``@pytest.mark.usefixtures("…")`` o porque es ``autouse``. Así, la fixture
``trained_model`` (que entrena con ``scripts/train_model.py``) no hace que
todas las pruebas dependan de ``train_model.py``: solo las que la piden.
Ante la duda (un nombre que aparece en el archivo, aunque sea en un texto),
cuenta como pedida.

Una fixture de la tabla ``PRODUCTS`` de un ``conftest.py`` da una carpeta
que produce un script, ejecutado en otro proceso como lo ejecuta el
estudiante (``{"trained_model": ("scripts/train_model.py", "--output-dir")}``:
el comando, al que se añade la carpeta). Quien la pide depende de lo que el
script produce, no de su código: ``labkit.quick_checks`` lo compara.

Solo usa la biblioteca estándar.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import NamedTuple

from labkit.dependencies import Graph


@dataclass
class Fixtures:
    """Lo que aporta un ``conftest.py``: lo que corre siempre y cada fixture."""

    always: set[str] = field(default_factory=set)
    imports: dict[str, set[str]] = field(default_factory=dict)
    needs: dict[str, set[str]] = field(default_factory=dict)
    autouse: set[str] = field(default_factory=set)
    products: dict[str, tuple[str, ...]] = field(default_factory=dict)


class UsedByTest(NamedTuple):
    """Lo que usa un archivo de pruebas (ver :func:`run_by_test`)."""

    code: set[str]
    content: set[str]
    products: dict[str, tuple[str, ...]]


def fixture_of(
    function: ast.FunctionDef | ast.AsyncFunctionDef,
) -> tuple[str, bool] | None:
    """El nombre de la fixture y si es ``autouse``, o None si no es fixture."""
    for decorator in function.decorator_list:
        call = decorator if isinstance(decorator, ast.Call) else None
        target = call.func if call else decorator
        name = getattr(target, "attr", None) or getattr(target, "id", None)
        if name != "fixture":
            continue
        keywords = {item.arg: item.value for item in (call.keywords if call else [])}
        named = keywords.get("name")
        autouse = keywords.get("autouse")
        explicit = named.value if isinstance(named, ast.Constant) else None
        return (
            explicit if isinstance(explicit, str) else function.name,
            isinstance(autouse, ast.Constant) and autouse.value is True,
        )
    return None


def conftest_fixtures(graph: Graph, name: str) -> Fixtures:
    """Las fixtures de un ``conftest.py`` y lo que importa cada una."""
    found = Fixtures()
    for node in graph.trees[name].body:
        fixture = (
            fixture_of(node)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            else None
        )
        if fixture is None:
            # Lo demás (imports, ganchos de pytest, código suelto) corre siempre.
            found.always |= graph.imports_in(node, name)
            found.products.update(declared_products(node))
            continue
        fixture_name, autouse = fixture
        assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        found.imports[fixture_name] = graph.imports_in(node, name)
        found.needs[fixture_name] = {arg.arg for arg in _arguments(node)}
        if autouse:
            found.autouse.add(fixture_name)
    return found


def declared_products(node: ast.AST) -> dict[str, tuple[str, ...]]:
    """La tabla ``PRODUCTS = {fixture: comando}`` si ``node`` la define."""
    names = [getattr(target, "id", "") for target in getattr(node, "targets", [])]
    if not isinstance(node, ast.Assign) or names != ["PRODUCTS"]:
        return {}
    try:
        table = ast.literal_eval(node.value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return {}
    return {
        fixture: tuple(command)
        for fixture, command in (table.items() if isinstance(table, dict) else [])
        if isinstance(fixture, str)
        and isinstance(command, (tuple, list))
        and command
        and all(isinstance(part, str) for part in command)
    }


def _arguments(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.arg]:
    args = function.args
    return [*args.posonlyargs, *args.args, *args.kwonlyargs]


def names_used(tree: ast.Module) -> set[str]:
    """Los nombres que pueden pedir una fixture: argumentos y textos."""
    names = {
        arg.arg
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        for arg in _arguments(node)
    }
    names |= {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    return names


def run_by_test(graph: Graph, test: str) -> UsedByTest:
    """Lo que usa ``test`` por sí mismo: código que corre, archivos que lee, productos.

    El código: el archivo, sus paquetes (``__init__.py``), lo que sus
    ``conftest.py`` ejecutan siempre y lo que importan las fixtures que pide.
    Los archivos que lee: los ``conftest.py`` mismos (cualquier cambio en uno
    cuenta) y lo que nombra su texto. Los productos: las fixtures de
    ``PRODUCTS`` que pide, con su comando.
    """
    files = set(graph.files)
    parts = test.split("/")[:-1]
    folders = ["/".join(parts[:depth]) for depth in range(len(parts) + 1)]
    start = {test}
    start |= {f"{folder}/__init__.py".lstrip("/") for folder in folders} & files
    conftests = [f"{folder}/conftest.py".lstrip("/") for folder in folders]
    content: set[str] = set()
    found = {
        name: conftest_fixtures(graph, name)
        for name in conftests
        if name in graph.trees
    }
    for name in conftests:
        if name in files and name not in found:
            start.add(name)  # no se pudo leer: cuenta entero
    wanted = wanted_fixtures(graph, test, found)
    products: dict[str, tuple[str, ...]] = {}
    for name, fixtures in found.items():
        content.add(name)
        content |= graph.mentions.get(name, set())
        start |= fixtures.always
        for fixture, imported in fixtures.imports.items():
            if fixture in wanted:
                start |= imported
        products.update(
            (fixture, command)
            for fixture, command in fixtures.products.items()
            if fixture in wanted
        )
    return UsedByTest(start, content, products)


def wanted_fixtures(graph: Graph, test: str, found: dict[str, Fixtures]) -> set[str]:
    """Las fixtures que pide ``test``, las ``autouse`` y las que ellas piden."""
    wanted = names_used(graph.trees[test]) if test in graph.trees else set()
    for fixtures in found.values():
        wanted |= fixtures.autouse
    pending = list(wanted)
    while pending:
        name = pending.pop()
        for fixtures in found.values():
            for needed in fixtures.needs.get(name, ()):
                if needed not in wanted:
                    wanted.add(needed)
                    pending.append(needed)
    return wanted
