"""Revisa que los mensajes de commit sigan Conventional Commits y dice qué versión dan.

CD calcula la versión de cada release con los mensajes de commit (Parte 2 del
tutorial). Un mensaje como ``Update train_model.py`` o ``Feat: …`` no sigue la
regla y da una versión equivocada, y eso se vería solo después de fusionar.
Este script aplica la misma regla que CD (``course.conventional``) antes:

- el hook ``commit-msg`` de pre-commit le pasa el archivo con el mensaje de
  cada ``git commit`` y detiene el commit si no sigue la regla;
- CI revisa el título del pull request y cada uno de sus commits, y calcula
  la versión que publicará CD al fusionar (``Al fusionar: v0.2.0 (feat)``).

Uso (con el entorno virtual activado):
    python scripts/check_commit_message.py                 # el último commit
    python scripts/check_commit_message.py --mensaje "feat: añade la firma"
    python scripts/check_commit_message.py --base main     # tu rama frente a main
    python scripts/check_commit_message.py --base main --titulo "feat: mi PR"
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from _lab import LAB_ROOT  # va primero: revisa Python y el entorno virtual

from course.conventional import (
    BUMP_EXPLAINED,
    BUMP_LABELS,
    RULE,
    TAG_PATTERN,
    Commit,
    check_message,
    ignored_by_cd,
    next_version,
    parse_tag,
    version_tag,
)
from labkit.cli import (
    LabError,
    atomic_output,
    build_parser,
    git,
    positive_int,
    report_errors,
)

# Lo que git escribe en el archivo del mensaje y no forma parte de él.
SCISSORS = "# ------------------------ >8 ------------------------"
# Separadores de git log que ningún mensaje trae, como los de la acción de CD.
RECORD, FIELD = "@@@FIN@@@", "@@@CUERPO@@@"
RELEASE_BRANCH = "main"


@dataclass(frozen=True)
class Checked:
    """Un mensaje revisado: qué es (título, commit), el texto y el veredicto."""

    what: str
    subject: str
    ok: bool
    explanation: str


@dataclass(frozen=True)
class Release:
    """Lo que publicará CD al fusionar: la línea «Al fusionar» y sus detalles."""

    line: str
    details: tuple[str, ...] = ()


def read_message_file(path: Path) -> str:
    """El mensaje del archivo que git pasa al hook, sin comentarios ni diff."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise LabError(
            f"no se puede leer el mensaje de commit {path} ({error.strerror})."
        ) from None
    lines = []
    for line in text.splitlines():
        if line.startswith(SCISSORS):
            break
        if not line.startswith("#"):
            lines.append(line)
    return "\n".join(lines)


def commits_between(
    root: Path, include: Sequence[str], exclude: str | None
) -> list[tuple[str, Commit]]:
    """Los commits de ``include`` que no están en ``exclude``: (hash, mensaje)."""
    args = ["log", f"--format=%H{FIELD}%s{FIELD}%b{RECORD}", *include]
    if exclude:
        args.append(f"^{exclude}")
    found: list[tuple[str, Commit]] = []
    for record in git(args, root).split(RECORD):
        if record.strip():
            sha, subject, body = record.strip().split(FIELD)
            found.append((sha, Commit(subject.strip(), body.strip())))
    return found


def last_version_tag(root: Path, revisions: Sequence[str]) -> str | None:
    """La etiqueta de versión más alta alcanzable desde ``revisions``, como CD."""
    tags: set[str] = set()
    for revision in revisions:
        output = git(
            [
                "for-each-ref",
                "--format=%(refname:short)",
                f"--merged={revision}",
                "refs/tags/v*[0-9].*[0-9].*[0-9]",
            ],
            root,
        )
        tags.update(tag for tag in output.split() if TAG_PATTERN.match(tag))
    return max(tags, key=lambda tag: parse_tag(tag) or (0, 0, 0), default=None)


def explain(what: str, subject: str, fix_where: str) -> Checked:
    """Revisa un mensaje y lo explica en una línea: la regla y el arreglo."""
    verdict = check_message(subject)
    if verdict.ok:
        return Checked(what, subject, True, "✅ sigue la regla")
    explanation = (
        f"❌ No sigue la regla «tipo: descripción» de Conventional Commits: "
        f"{verdict.problem}. Arreglo: {verdict.fix}{fix_where}."
    )
    return Checked(what, subject, False, explanation)


def release_after_merge(
    root: Path,
    base: str,
    head: str,
    title: str | None,
    options: tuple[str, int],
) -> Release:
    """La versión que publicará CD al fusionar ``head`` en ``base``.

    Con **Create a merge commit** llegan a main todos los commits de la rama
    y el commit de fusión, con el título del pull request en su cuerpo: CD los
    cuenta todos. Con **Squash and merge** llega un solo commit con el título.
    """
    base_name, number = options
    if base_name != RELEASE_BRANCH:
        return Release(
            f"Al fusionar en {base_name}: no se publica versión (CD publica solo "
            f"desde {RELEASE_BRANCH})."
        )
    changed = git(["diff", "--name-only", f"{base}...{head}"], root).splitlines()
    tag = last_version_tag(root, [base, head])
    last = parse_tag(tag) if tag else None
    since = f"desde {tag}" if tag else "sin etiquetas, desde 0.0.0"
    if ignored_by_cd(changed):
        return Release(
            "Al fusionar: no se publica versión: solo cambian archivos .md o "
            ".gitignore, que CD no mira (paths-ignore de cd.yml). Estos commits "
            "contarán en la próxima versión."
        )
    merge = Commit(f"Merge pull request #{number} from {head}", title or "")
    branch = [commit for _, commit in commits_between(root, [base, head], tag)]
    version, bump = next_version(last, [*branch, merge])
    line = f"Al fusionar: {version_tag(version)} ({BUMP_LABELS[bump]})"
    details = [f"{BUMP_EXPLAINED[bump]} {since}, con «Create a merge commit»."]
    if title is not None:
        on_base = [commit for _, commit in commits_between(root, [base], tag)]
        squash = Commit(f"{title} (#{number})")
        squashed, squash_bump = next_version(last, [*on_base, squash])
        if squashed != version:
            details.append(
                f"Con «Squash and merge» solo cuenta el título: "
                f"{version_tag(squashed)} ({BUMP_LABELS[squash_bump]})."
            )
    return Release(line, tuple(details))


def markdown(checked: Sequence[Checked], release: Release | None) -> str:
    """La sección «Versión» del comentario del pull request."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("`", "'")

    lines = [
        "## 🏷️ Versión",
        "",
        "| Mensaje | Conventional Commits |",
        "|---|---|",
    ]
    lines += [
        f"| {item.what}: `{cell(item.subject)}` | {cell(item.explanation)} |"
        for item in checked
    ]
    if release is not None:
        lines += ["", f"**{release.line}**", ""]
        lines += [f"- {detail}" for detail in release.details]
    if not all(item.ok for item in checked):
        lines += [
            "",
            f"⚠️ Corrige los mensajes con ❌: CD calcula la versión con ellos. "
            f"La regla de Conventional Commits: {RULE}.",
        ]
    return "\n".join(lines).rstrip() + "\n"


def check(  # pylint: disable=too-many-arguments
    root: Path,
    message: str | None,
    base: str | None,
    head: str,
    title: str | None,
    options: tuple[str, int],
) -> tuple[list[Checked], Release | None]:
    """Revisa los mensajes pedidos y, con ``base``, la versión al fusionar."""
    checked: list[Checked] = []
    if title is not None:
        checked.append(
            explain(
                "Título del pull request",
                title,
                " (botón Edit junto al título del pull request)",
            )
        )
    if message is not None:
        checked.append(explain("Mensaje", Commit.from_message(message).subject, ""))
    if base is None:
        if message is None and title is None:
            try:
                last = commits_between(root, ["-1", head], None)
            except LabError:
                last = []
            if not last:
                raise LabError(
                    "no hay un commit que revisar (la carpeta no es un repositorio "
                    "de git o aún no tiene commits): revisa un mensaje con "
                    '--mensaje "feat: …"'
                )
            sha, commit = last[0]
            checked.append(explain(f"Commit {sha[:7]}", commit.subject, ""))
        return checked, None
    amend = (
        " (si es el último commit: git commit --amend y git push "
        "--force-with-lease; si no, fusiona con «Squash and merge», donde solo "
        "cuenta el título)"
    )
    for sha, commit in reversed(commits_between(root, [head], base)):
        checked.append(explain(f"Commit {sha[:7]}", commit.subject, amend))
    return checked, release_after_merge(root, base, head, title, options)


@report_errors
def main(argv: Sequence[str] | None = None) -> int:
    """Punto de entrada: revisa los mensajes y devuelve 0 si todos siguen la regla."""
    parser = build_parser(__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument(
        "archivo",
        nargs="?",
        type=Path,
        help="archivo con el mensaje (lo pasa el hook commit-msg de pre-commit)",
    )
    parser.add_argument("--mensaje", help="revisa este mensaje")
    parser.add_argument("--titulo", help="revisa el título del pull request")
    parser.add_argument(
        "--base",
        help="revisa los commits que no están en esta rama o commit y calcula la "
        "versión al fusionar (por ejemplo, main)",
    )
    parser.add_argument(
        "--head", default="HEAD", help="la rama o commit que se fusionaría"
    )
    parser.add_argument(
        "--rama-base",
        help="nombre de la rama en la que se fusiona (por defecto, el de --base)",
    )
    parser.add_argument(
        "--numero", type=positive_int, default=0, help="número del pull request"
    )
    parser.add_argument(
        "--markdown", type=Path, help="escribe además la sección del comentario de CI"
    )
    args = parser.parse_args(argv)
    message = args.mensaje
    if args.archivo is not None:
        message = read_message_file(args.archivo)
    base_name = args.rama_base or (args.base or "").removeprefix("origin/")
    checked, release = check(
        LAB_ROOT, message, args.base, args.head, args.titulo, (base_name, args.numero)
    )
    for item in checked:
        print(f"{item.what}: {item.subject}")
        print(f"   {item.explanation}")
    if release is not None:
        print(f"\n🏷️  {release.line}")
        for detail in release.details:
            print(f"   {detail}")
    if args.markdown is not None:
        with atomic_output(args.markdown) as temporary:
            temporary.write_text(markdown(checked, release), encoding="utf-8")
    failed = [item for item in checked if not item.ok]
    if failed:
        print(
            f"\n❌ {len(failed)} mensaje(s) no siguen Conventional Commits: "
            "corrígelos como dice cada línea.\n"
            f"   La regla de Conventional Commits: {RULE}.\n"
            "   La versión: feat sube la menor, «!» o un pie «BREAKING CHANGE:» "
            "la mayor, y los demás tipos el parche."
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
