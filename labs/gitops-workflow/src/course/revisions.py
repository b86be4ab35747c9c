"""La rama base de una comparación (``--base main``), o por qué no existe.

``check_commit_message.py --base main`` y ``compare_models.py`` comparan tu
rama con ``main``. En un repositorio que aún se llama ``master`` (git anterior
a 2.28, o ``init.defaultBranch`` sin cambiar), git solo dice
``fatal: bad revision '^main'``; aquí se dice la causa y el arreglo en una
línea. Solo usa la biblioteca estándar.
"""

from __future__ import annotations

from pathlib import Path

from labkit.cli import LabError, git

# Cuántas ramas se citan como ejemplo cuando la pedida no existe.
_SHOWN_BRANCHES = 5


def branches(root: Path) -> list[str]:
    """Las ramas locales y remotas del repositorio (``main``, ``origin/main``…)."""
    try:
        output = git(
            ["for-each-ref", "--format=%(refname:short)", "refs/heads", "refs/remotes"],
            root,
        )
    except LabError:
        return []
    return [name for name in output.splitlines() if not name.endswith("/HEAD")]


def require_revision(root: Path, revision: str, option: str = "--base") -> str:
    """El commit de ``revision``; si no existe, LabError con la causa y el arreglo."""
    try:
        git(["rev-parse", "--show-toplevel"], root)
    except LabError:
        raise LabError(
            f"{root} no es un repositorio de git. Ejecútalo desde la carpeta de tu "
            "repositorio (la que creaste en la Parte 1)."
        ) from None
    if not revision.startswith("-"):  # git lo leería como una opción
        try:
            return git(
                ["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], root
            )
        except LabError:
            pass
    known = branches(root)
    wanted = revision.removeprefix("origin/")
    if wanted == "main" and ("master" in known or "origin/master" in known):
        raise LabError(
            "no existe la rama main en este repositorio: tu rama principal se "
            "llama master. Renómbrala con git branch -m master main (y en GitHub: "
            f"Settings → General → Default branch) o usa {option} master."
        )
    shown = ", ".join(known[:_SHOWN_BRANCHES]) + (
        ", …" if len(known) > _SHOWN_BRANCHES else ""
    )
    existing = f": {shown}" if known else " (aún no hay ninguna: haz un commit)"
    raise LabError(
        f"no existe la rama o commit {revision!r} en este repositorio. Usa {option} "
        f"con una rama que exista{existing}."
    )
