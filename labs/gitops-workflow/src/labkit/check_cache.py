"""Lo que ``run_checks.py`` recuerda entre una vez y la siguiente.

Pylint y pytest son los chequeos caros. Para que revisar antes de cada push
tarde segundos, ``run_checks.py`` guarda en ``.run_checks_cache/`` (que git
ignora) qué pasó la última vez, con una huella (SHA-256) de todo lo que podía
influir en el resultado:

- **pytest**: cada archivo de pruebas que pasó entero, con la huella de todos
  los archivos que usa (``labkit.dependencies``: lo que importa, los scripts
  que ejecuta, los datos que lee). Si nada de eso cambió, sus pruebas darían
  lo mismo: no se repiten. Cambiar solo el formato o los comentarios de un
  archivo de Python no cambia su huella (Black garantiza que el código es el
  mismo), así ``--fix`` no repite las pruebas. De las fixtures que producen
  una carpeta con un script (``trained_model``: el modelo de
  ``train_model.py``), cuenta lo que producen, no el código del script
  (``labkit.products``).
- **Pylint**: los mensajes de cada archivo, con la huella de lo que importa
  (sus mensajes dependen de eso). Los mensajes que comparan archivos entre sí
  se calculan con todos: los de código duplicado (``duplicate-code``) en una
  pasada aparte, y si hay imports en ciclo (``cyclic-import``), se revisa
  todo.
- **Flake8**: cada archivo que pasó, con la huella de su contenido (sus
  mensajes solo dependen de él).

Las huellas incluyen la versión de Python, cada paquete instalado con su
versión y ``pyproject.toml``: otro entorno u otra configuración revisa todo
otra vez. CI, y ``--completo``, no usan nada de esto: lo revisan todo.

Solo usa la biblioteca estándar.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from labkit.dependencies import CODE_FOLDERS, Graph, build_graph

CACHE_DIR = ".run_checks_cache"
STATE_FILE = "state.json"
STATE_VERSION = 2
# Lo que también decide el resultado de cada herramienta, además del código.
CONFIG_FILES = ("pyproject.toml", ".flake8", "setup.cfg", "tox.ini", ".pylintrc")
# Los mensajes de Pylint que hacen fallar el chequeo (los informativos no).
FAILING_TYPES = {"fatal", "error", "warning", "refactor", "convention"}
# Pylint por partes no ve los mensajes que comparan archivos: esos se miran aparte.
CROSS_FILE_MESSAGES = "duplicate-code,cyclic-import"


@dataclass
class Step:
    """Un comando de un chequeo: ``python -m <module_args>`` con ``env`` extra.

    Con ``quiet``, su salida solo se muestra si falla; con ``if_failed``, solo
    se ejecuta si el paso anterior falló (para mostrar el detalle).
    """

    module_args: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)
    quiet: bool = False
    if_failed: bool = False


@dataclass
class Plan:
    """Qué ejecutar para un chequeo y cómo leer el resultado.

    ``steps`` vacío: no hay nada que volver a revisar. ``finish`` recibe los
    códigos de salida de los pasos y devuelve si el chequeo pasó y un texto
    que mostrar después de su salida. ``prepare``, si lo hay, da el plan de
    verdad cuando el chequeo ya está en marcha (en su hilo, mientras los demás
    corren): lo que tarda en calcularse no retrasa a los demás.
    """

    name: str
    steps: list[Step]
    note: str = ""
    finish: Callable[[list[int]], tuple[bool, str]] | None = None
    prepare: Callable[[], Plan] | None = None


def full_plan(name: str, module_args: Sequence[str]) -> Plan:
    """El chequeo tal como lo corre CI: un comando, pasa si termina con 0."""
    return Plan(name, [Step(tuple(module_args))])


def sha256(*parts: bytes | str) -> str:
    """La huella SHA-256 de varias partes (cada una con su longitud delante)."""
    digest = hashlib.sha256()
    for part in parts:
        data = (
            part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part
        )
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def environment_key(root: Path) -> str:
    """La huella del entorno: Python, los paquetes instalados y la configuración."""
    packages = sorted(
        f"{dist.metadata['Name']}=={dist.version}".lower()
        for dist in metadata.distributions()
        if dist.metadata["Name"]
    )
    configs = [
        sha256(name, (root / name).read_bytes())
        for name in CONFIG_FILES
        if (root / name).is_file()
    ]
    return sha256(sys.version, sys.platform, *packages, *configs)


def code_hash(path: Path) -> str:
    """La huella de lo que hace un archivo de Python: su árbol, sin el formato.

    Black solo cambia el formato (comprueba que el árbol sea el mismo): un
    archivo recién formateado tiene la misma huella. Si no se puede analizar,
    cuenta su contenido exacto.
    """
    data = path.read_bytes()
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError):
        return sha256(data)
    return sha256(ast.dump(tree, include_attributes=False))


class CheckCache:
    """El estado guardado y las huellas de este laboratorio."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.folder = root / CACHE_DIR
        self.state = self._load()
        self._graph: Graph | None = None
        self._environment: str | None = None
        self._raw: dict[str, str] = {}
        self._code: dict[str, str] = {}

    # ------------------------------------------------------------------
    # Estado guardado
    # ------------------------------------------------------------------

    def _load(self) -> dict[str, Any]:
        try:
            state = json.loads((self.folder / STATE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {"version": STATE_VERSION}
        if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
            return {"version": STATE_VERSION}
        return state

    def section(self, name: str) -> dict[str, Any]:
        """La parte del estado de un chequeo (se vacía si cambió el entorno)."""
        saved = self.state.get(name)
        if not isinstance(saved, dict) or saved.get("environment") != self.environment:
            saved = {"environment": self.environment}
            self.state[name] = saved
        return saved

    def save(self) -> None:
        """Escribe el estado entero de una vez (nunca a medias)."""
        self.folder.mkdir(exist_ok=True)
        ignore = self.folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Lo crea run_checks.py: git no lo ve.\n*\n", "utf-8")
        handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as output:
                json.dump(self.state, output)
            os.replace(temporary, self.folder / STATE_FILE)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def path(self, name: str) -> Path:
        """Un archivo de trabajo dentro de la carpeta de la caché."""
        self.folder.mkdir(exist_ok=True)
        return self.folder / name

    # ------------------------------------------------------------------
    # Huellas
    # ------------------------------------------------------------------

    @property
    def graph(self) -> Graph:
        """El grafo de dependencias del laboratorio (se calcula una vez)."""
        if self._graph is None:
            self._graph = build_graph(self.root)
        return self._graph

    @property
    def environment(self) -> str:
        """La huella del entorno (se calcula una vez)."""
        if self._environment is None:
            self._environment = environment_key(self.root)
        return self._environment

    def raw_hash(self, name: str) -> str:
        """La huella del contenido exacto de un archivo del laboratorio."""
        if name not in self._raw:
            self._raw[name] = sha256((self.root / name).read_bytes())
        return self._raw[name]

    def code_hash(self, name: str) -> str:
        """La huella de un archivo sin su formato (ver :func:`code_hash`)."""
        if not name.endswith(".py"):
            return self.raw_hash(name)
        if name not in self._code:
            self._code[name] = code_hash(self.root / name)
        return self._code[name]

    def fingerprint(self, names: Iterable[str], exact: bool) -> str:
        """La huella de un conjunto de archivos (contenido exacto o sin formato)."""
        measure = self.raw_hash if exact else self.code_hash
        return sha256(*(f"{name}\0{measure(name)}" for name in sorted(names)))

    def python_files(self) -> list[str]:
        """Los archivos de Python que revisan los linters (scripts, src, tests)."""
        return [
            name
            for name in self.graph.files
            if name.endswith(".py") and name.split("/", 1)[0] in CODE_FOLDERS
        ]


def junit_outcomes(report: Path, root: Path) -> dict[str, bool] | None:
    """Si pasó cada archivo de pruebas, según el informe JUnit de pytest.

    Devuelve None si el informe falta o tiene algo que no se sabe de qué
    archivo es (entonces no se guarda nada).
    """
    try:
        tree = ElementTree.parse(report)
    except (OSError, ElementTree.ParseError):
        return None
    outcomes: dict[str, bool] = {}
    for case in tree.iter("testcase"):
        failed = any(case.find(tag) is not None for tag in ("failure", "error"))
        name = case.get("file") or ""
        if not name:
            # Un error al importar el archivo: «tests.test_algo» como nombre.
            module = case.get("name", "") if not case.get("classname") else ""
            name = module.replace(".", "/") + ".py" if module else ""
        if not name or not (root / name).is_file():
            if failed:
                return None
            continue
        name = Path(name).as_posix()
        outcomes[name] = outcomes.get(name, True) and not failed
    return outcomes
