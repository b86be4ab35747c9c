"""Lo que producen los scripts de las fixtures ``PRODUCTS``, por su huella.

La fixture ``trained_model`` (``tests/conftest.py``) entrena con
``python scripts/train_model.py --output-dir <carpeta>``, en otro proceso,
como el estudiante. Las pruebas que la piden solo ven esa carpeta: el modelo
y sus archivos. Si cambias ``train_model.py`` sin cambiar el modelo (un
``print`` nuevo, un comentario), darían lo mismo. Para saberlo,
``run_checks.py`` entrena una vez (unos segundos) y compara la huella de la
carpeta con la de la última vez; si es la misma, esas pruebas no se repiten
por ese cambio. Si el código del script y lo que importa no cambiaron, ni
siquiera entrena: usa la huella guardada.

Lo que produjo se guarda en ``.run_checks_cache/products/<fixture>/`` y la
fixture lo usa en lugar de entrenar otra vez (``made_by_run_checks`` de
``tests/helpers.py``): son los archivos de ese mismo comando con ese mismo
código, comprobados por su huella antes de empezar. CI (y ``--completo``) no
guarda nada: la fixture entrena.

La fecha de entrenamiento (``training_date`` de ``model_metadata.json``)
cambia en cada ejecución y no cuenta: ninguna prueba puede depender de su
valor. Solo usa la biblioteca estándar.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from labkit.check_cache import CheckCache, sha256

# Lo que cambia en cada ejecución aunque todo lo demás sea igual.
VARYING_KEYS = ("training_date",)
PRODUCE_TIMEOUT = 600
# Dónde quedan, en la caché, las carpetas producidas (una por fixture); la
# variable de entorno con la que pytest las encuentra.
PRODUCTS_FOLDER = "products"
PRODUCTS_VARIABLE = "RUN_CHECKS_PRODUCTS"


class Products:
    """La huella de lo que produce cada comando de ``PRODUCTS`` (una vez por uso)."""

    def __init__(self, cache: CheckCache, section: dict[str, Any]) -> None:
        self.cache = cache
        self.saved: dict[str, Any] = section.setdefault("products", {})
        self.known: dict[str, str] = {}
        # Los scripts que cambiaron y produjeron lo mismo que antes.
        self.unchanged: list[str] = []
        self.folder = cache.folder / PRODUCTS_FOLDER

    def fingerprint(self, fixture: str, command: tuple[str, ...]) -> str:
        """La huella de la carpeta que produce ``command`` ahora (una vez por uso)."""
        if fixture not in self.known:
            self.known[fixture] = self._fingerprint(fixture, command)
        return self.known[fixture]

    def _fingerprint(self, fixture: str, command: tuple[str, ...]) -> str:
        script = command[0]
        if script not in self.cache.graph.files:
            # Sin el script, la fixture falla: sus pruebas nunca quedan como pasadas.
            return sha256("sin script", *command)
        code = self.cache.fingerprint(self.cache.graph.used_by({script}), exact=False)
        saved = self.saved.get(fixture)
        if isinstance(saved, dict) and saved.get("code") == code:
            return str(saved.get("files"))
        reason = "cambió (o lo que importa)" if saved else "aún no se ha ejecutado"
        print(
            f"⏳ pytest: {script} {reason}: lo ejecuto una vez para saber qué "
            "produce…",
            flush=True,
        )
        files = produce(self.cache.root, command, self.folder / fixture)
        if files is None:
            # Falló: sus pruebas se repiten y fallarán como en CI.
            return sha256("falló", code)
        if isinstance(saved, dict) and saved.get("files") == files:
            self.unchanged.append(script)
        self.saved[fixture] = {"code": code, "files": files}
        return files

    def environment(self) -> dict[str, str]:
        """La variable con la que las fixtures encuentran lo ya producido.

        Solo quedan las carpetas de este código cuya huella es la guardada
        (nadie las tocó); las demás se borran y su fixture produce las suyas.
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        for made in self.folder.iterdir():
            files = self.known.get(made.name)
            if not (files and made.is_dir() and folder_fingerprint(made) == files):
                _remove(made)
        return {PRODUCTS_VARIABLE: str(self.folder)}

    def note(self) -> str:
        """Lo que hay que decir al estudiante, o nada."""
        if not self.unchanged:
            return ""
        return (
            f"ℹ️ pytest: {', '.join(sorted(set(self.unchanged)))} cambió, pero produce "
            "los mismos archivos que antes (sin contar la fecha): las pruebas que "
            "solo usan lo que produce no se repiten por ese cambio."
        )


def produce(root: Path, command: tuple[str, ...], keep: Path) -> str | None:
    """Ejecuta ``python <command> <carpeta>``: la huella, o None si falla.

    Si termina bien, la carpeta queda en ``keep`` (en lugar de la anterior);
    si no, no queda nada en ``keep``.
    """
    _remove(keep)
    keep.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="run-checks-", dir=keep.parent))
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("RUN_CHECKS_TRACE", None)  # no es de ninguna prueba
    try:
        result = subprocess.run(
            [sys.executable, *command, str(folder)],
            cwd=root,
            env=env,
            capture_output=True,
            timeout=PRODUCE_TIMEOUT,
            check=False,
        )
        if result.returncode != 0:
            return None
        files = folder_fingerprint(folder)
        folder.replace(keep)
        return files
    except (OSError, subprocess.SubprocessError):
        return None
    finally:
        _remove(folder)  # si no llegó a ``keep``


def _remove(path: Path) -> None:
    """Borra una carpeta (o archivo) producida antes, si está."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def folder_fingerprint(folder: Path) -> str:
    """La huella de los archivos de ``folder``, sin la fecha en los JSON."""
    parts = []
    for path in sorted(item for item in folder.rglob("*") if item.is_file()):
        data = path.read_bytes()
        if path.suffix == ".json":
            data = _without_varying_keys(data)
        parts.append(sha256(path.relative_to(folder).as_posix(), data))
    return sha256(*parts)


def _without_varying_keys(data: bytes) -> bytes:
    try:
        document = json.loads(data)
    except ValueError:
        return data
    if not isinstance(document, dict):
        return data
    kept = {key: value for key, value in document.items() if key not in VARYING_KEYS}
    return json.dumps(kept, sort_keys=True).encode("utf-8")
