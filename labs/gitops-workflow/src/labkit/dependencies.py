"""Qué archivos del laboratorio usa cada archivo de Python (sin ejecutarlo).

``python scripts/run_checks.py`` revisa solo lo que tus cambios pueden
afectar: vuelve a pasar Pylint por los archivos que importan (directa o
indirectamente) algo que cambió, y corre las pruebas que usan algo que
cambió. Para saber qué usa cada archivo, lee su código con ``ast``; ante la
duda, cuenta como que lo usa (revisar de más solo cuesta tiempo):

1. cada ``import`` y ``from … import`` de un módulo del laboratorio, en
   cualquier lugar del archivo (también dentro de una función), y todo lo que
   ese módulo importa a su vez;
2. cada texto que nombra un archivo del laboratorio que no es de Python, por
   su ruta o por su nombre (``"pyproject.toml"``, ``"ci.yml"``);
3. cada texto que nombra una carpeta que no es de código (``"golden"``,
   ``"workflows"``): todos sus archivos;
4. en el código de las pruebas (``tests/``), cada patrón (``"*.py"``,
   ``"scripts/*.py"``): todos los archivos que coinciden (una prueba que
   revisa el texto de los scripts).

Lo que una prueba hace al correr no se deduce del texto: un script que
ejecuta en otro proceso («train_model.py» en un mensaje no es ejecutarlo) y
las carpetas del laboratorio que lista su código (un patrón en un script o
en la biblioteca se aplica a la carpeta que recibe: la del laboratorio, la de
una prueba, la de los datos). Los anota ``tests/netguard/sitecustomize.py``
mientras corre la prueba, y ``labkit.quick_checks`` suma el script con todo
lo que importa, y la carpeta con todos sus archivos. Pylint solo sigue la
regla 1. Solo usa la biblioteca estándar.
"""

from __future__ import annotations

import ast
import fnmatch
import os
import re
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

# Carpetas de código (estas y los paquetes, con ``__init__.py``): sus archivos
# de Python se siguen por sus import (regla 1); nombrar la carpeta entera
# (copiar el laboratorio, ponerla en el PYTHONPATH) no cuenta como usar cada
# archivo.
CODE_FOLDERS = ("scripts", "src", "tests")
# Dónde se buscan los módulos importados, en este orden: lo que ponen en
# sys.path los scripts (_lab.py), pytest (pyproject.toml) y Pylint.
MODULE_ROOTS = ("scripts", "src", ".")
# Lo que no es del laboratorio, si no hay git para preguntarle.
NOT_OURS = {".git", ".venv", "venv", "__pycache__", "node_modules"}
# Un patrón de archivos: con comodines y una extensión al final («*.py»,
# «scripts/*.py», «[!_]*.py»); «*» o «.*» solos (argparse, expresiones
# regulares) no nombran archivos.
GLOB = re.compile(r"[\w*?\[\]!./-]*[*?\[][\w*?\[\]!./-]*\.\w+")
LONGEST_NAME = 300


def lab_files(root: Path) -> list[str]:
    """Los archivos del laboratorio (rutas relativas con «/»), sin lo ignorado.

    Con git: lo versionado y lo nuevo que ``.gitignore`` no excluye (los
    modelos, los datos y las cachés quedan fuera). Sin git, todo menos los
    entornos virtuales, las cachés y ``.git``.
    """
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root,
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout.decode("utf-8", errors="surrogateescape")
    except (OSError, subprocess.SubprocessError):
        return sorted(_walk(root))
    names = {name for name in listed.split("\0") if name}
    return sorted(name for name in names if (root / name).is_file())


def _walk(root: Path) -> Iterator[str]:
    for folder, dirs, files in os.walk(root):
        dirs[:] = [
            name
            for name in dirs
            if name not in NOT_OURS and not name.endswith(("_cache", ".egg-info"))
        ]
        for name in files:
            yield Path(folder, name).relative_to(root).as_posix()


def parse(path: Path) -> ast.Module | None:
    """El árbol de un archivo de Python, o None si no se puede leer o analizar."""
    try:
        return ast.parse(path.read_bytes(), filename=str(path))
    except (OSError, SyntaxError, ValueError):
        return None


@dataclass
class Graph:
    """Para cada archivo de Python, los archivos que usa directamente.

    ``imports``: los módulos que importa (regla 1); ``mentions``: los archivos
    que nombra su texto (reglas 2 a 4), de los que solo cuenta el contenido.
    """

    root: Path
    files: list[str]
    imports: dict[str, set[str]] = field(default_factory=dict)
    mentions: dict[str, set[str]] = field(default_factory=dict)
    trees: dict[str, ast.Module] = field(default_factory=dict, repr=False)
    _index: _Index | None = field(default=None, repr=False)

    def imports_in(self, node: ast.AST, filename: str) -> set[str]:
        """Los archivos del laboratorio que importa ``node`` (parte de ``filename``)."""
        index = self._index or _Index(self.files)
        return {
            found
            for module in imported_modules(node, filename)
            for found in index.module_files(module, filename)
        } - {filename}

    def closure(self, start: Iterable[str]) -> set[str]:
        """``start`` y todo lo que importa, directa o indirectamente."""
        seen = set(start)
        pending = list(seen)
        while pending:
            for used in self.imports.get(pending.pop(), ()):
                if used not in seen:
                    seen.add(used)
                    pending.append(used)
        return seen

    def used_by(self, start: Iterable[str]) -> set[str]:
        """Lo que importan los archivos de ``start`` y lo que nombra su texto."""
        code = self.closure(start)
        return code.union(*(self.mentions.get(name, ()) for name in code))

    def import_cycle(self) -> list[str] | None:
        """Un ciclo de imports entre archivos del laboratorio, o None si no hay.

        Como el ``cyclic-import`` de Pylint, sin los imports de los bloques
        ``if TYPE_CHECKING:``, que no se ejecutan.
        """
        imports = {
            name: self.imports_in(without_type_checking(tree), name)
            for name, tree in self.trees.items()
        }
        state: dict[str, int] = {}  # 1: en el camino actual; 2: terminado
        for start in sorted(imports):
            if start in state:
                continue
            path = [start]
            stack = [iter(sorted(imports[start]))]
            state[start] = 1
            while stack:
                following = next(stack[-1], None)
                if following is None:
                    state[path.pop()] = 2
                    stack.pop()
                elif state.get(following) == 1:
                    return path[path.index(following) :] + [following]
                elif following not in state:
                    state[following] = 1
                    path.append(following)
                    stack.append(iter(sorted(imports.get(following, ()))))
        return None


def without_type_checking(tree: ast.Module) -> ast.Module:
    """``tree`` sin sus bloques ``if TYPE_CHECKING:`` de primer nivel."""

    def type_checking(node: ast.stmt) -> bool:
        test = node.test if isinstance(node, ast.If) else None
        return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
            isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
        )

    body = [node for node in tree.body if not type_checking(node)]
    return ast.Module(body=body, type_ignores=[])


def build_graph(root: Path, files: list[str] | None = None) -> Graph:
    """El grafo de dependencias de los archivos de Python de ``root``."""
    files = lab_files(root) if files is None else files
    index = _Index(files)
    graph = Graph(root, files, _index=index)
    for name in files:
        if not name.endswith(".py"):
            continue
        tree = parse(root / name)
        if tree is None:
            graph.imports[name] = set()
            graph.mentions[name] = set()
            continue
        graph.trees[name] = tree
        imported = {
            found
            for module in imported_modules(tree, name)
            for found in index.module_files(module, name)
        }
        graph.imports[name] = imported - {name}
        patterns = name.startswith("tests/")
        graph.mentions[name] = index.named_files(texts(tree), patterns) - {name}
    return graph


def imported_modules(tree: ast.AST, filename: str) -> set[str]:
    """Los nombres de módulo que importa el árbol, con los relativos resueltos.

    ``from a import b`` da ``a`` y ``a.b`` (``b`` puede ser un submódulo).
    """
    package = list(PurePosixPath(filename).parent.parts)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package[: len(package) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            if base:
                found.add(base)
            found.update(
                f"{base}.{alias.name}" if base else alias.name
                for alias in node.names
                if alias.name != "*"
            )
    return found


def texts(tree: ast.Module) -> set[str]:
    """Los textos cortos del árbol: candidatos a nombres de archivo o patrones."""
    return {
        node.value.strip().replace("\\", "/").removeprefix("./")
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and len(node.value) <= LONGEST_NAME
        and "\n" not in node.value
    }


class _Index:
    """Búsquedas rápidas entre los archivos del laboratorio."""

    def __init__(self, files: Iterable[str]) -> None:
        self.files = set(files)
        self.by_name: dict[str, set[str]] = {}
        self.folders: dict[str, set[str]] = {}
        packages = {
            PurePosixPath(name).parent.as_posix()
            for name in self.files
            if name.endswith("/__init__.py")
        }
        for name in self.files:
            path = PurePosixPath(name)
            self.by_name.setdefault(path.name, set()).add(name)
            for parent in path.parents:
                folder = parent.as_posix()
                if folder in (".", *CODE_FOLDERS) or folder in packages:
                    continue
                for key in (folder, parent.name):
                    self.folders.setdefault(key, set()).add(name)

    def module_files(self, module: str, importer: str) -> set[str]:
        """Los archivos que pueden ser el módulo ``module`` y sus paquetes."""
        own = PurePosixPath(importer).parent.as_posix()
        parts = module.split(".")
        found: set[str] = set()
        for root in dict.fromkeys([*MODULE_ROOTS, own]):
            base = PurePosixPath(root)
            for depth in range(1, len(parts) + 1):
                stem = base.joinpath(*parts[:depth]).as_posix().removeprefix("./")
                for candidate in (f"{stem}.py", f"{stem}/__init__.py"):
                    if candidate in self.files:
                        found.add(candidate)
        return found

    def named_files(self, names: Iterable[str], patterns: bool = True) -> set[str]:
        """Los archivos que nombran esos textos (reglas 2 a 4; 4 con ``patterns``)."""
        found: set[str] = set()
        for text in names:
            if not text or text in (".", "/"):
                continue
            if GLOB.fullmatch(text):
                found.update(self._matching(text) if patterns else ())
                continue
            if text in self.files:
                named = {text}
            elif "/" in text:
                named = {name for name in self.files if name.endswith("/" + text)}
            else:
                named = self.by_name.get(text, set())
            found.update(name for name in named if not name.endswith(".py"))
            found.update(self.folders.get(text.rstrip("/"), ()))
        return found

    def _matching(self, pattern: str) -> Iterator[str]:
        for name in self.files:
            if fnmatch.fnmatchcase(name, pattern) or fnmatch.fnmatchcase(
                PurePosixPath(name).name, pattern
            ):
                yield name
