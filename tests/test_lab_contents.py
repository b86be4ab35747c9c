"""La carpeta del laboratorio tiene solo lo que dice su tabla «Qué hay en esta carpeta».

Lo que hay en ``labs/gitops-workflow/`` llega al repositorio de cada
estudiante y al zip de cada release. Un archivo que nadie listó (como el
``-`` de 341 KB que dejó ``uv … -o -``, una copia vieja del lock) viaja igual,
sin que nadie lo vea. Aquí cada archivo que git guardaría (los del índice y
los nuevos que ``.gitignore`` no excluye) tiene que estar en la primera
columna de la tabla del tutorial: una ruta exacta o una carpeta (``src/…/``).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAB = ROOT / "labs" / "gitops-workflow"
HEADING = "### Qué hay en esta carpeta"


def listed_paths(readme: str) -> list[str]:
    """Las rutas de la primera columna de la tabla (cada `…` de la celda)."""
    assert HEADING in readme, f"falta la sección «{HEADING}» en el README"
    section = readme[readme.index(HEADING) + len(HEADING) :].lstrip("\n")
    rows = []
    for line in section.splitlines():
        if not line.startswith("|"):
            break
        rows.append(line)
    assert len(rows) > 2, "la sección no empieza con una tabla"
    paths = []
    for row in rows[2:]:  # sin la cabecera ni la línea |---|
        first_cell = row.split("|")[1]
        paths += re.findall(r"`([^`]+)`", first_cell)
    return paths


def lab_files() -> list[str]:
    """Los archivos del laboratorio que git guardaría, relativos a su carpeta."""
    result = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=LAB,
        capture_output=True,
        check=True,
        timeout=60,
    )
    names = result.stdout.decode("utf-8").split("\0")
    return sorted(name for name in names if name and (LAB / name).exists())


def unlisted(files: list[str], paths: list[str]) -> list[str]:
    """Los archivos que ninguna ruta de la tabla cubre."""
    folders = tuple(path for path in paths if path.endswith("/"))
    return [
        name for name in files if name not in paths and not name.startswith(folders)
    ]


def test_the_rule_covers_files_and_folders() -> None:
    paths = ["README.md", "src/churn_lab/", "pyproject.toml"]
    files = ["README.md", "src/churn_lab/data.py", "src/score.py", "-"]
    assert unlisted(files, paths) == ["src/score.py", "-"]


def test_the_lab_folder_holds_only_what_its_table_lists() -> None:
    paths = listed_paths((LAB / "README.md").read_text(encoding="utf-8"))
    missing = unlisted(lab_files(), paths)
    assert not missing, (
        "archivos del laboratorio que la tabla «Qué hay en esta carpeta» del "
        f"README no lista (o que sobran): {missing}"
    )


def test_no_stray_copy_of_the_lock() -> None:
    # uv pip compile … -o - escribió el lock en un archivo llamado «-».
    assert not (LAB / "-").exists()
    for name in lab_files():
        head = (LAB / name).read_bytes()[:200]
        if not re.fullmatch(r"requirements(-\w+)?\.lock", name):
            assert b"uv pip compile" not in head, name
