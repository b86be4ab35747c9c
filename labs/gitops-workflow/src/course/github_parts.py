"""Las Partes 1, 2 y Extra según GitHub, y quién hizo cada cosa.

Un hecho de GitHub cuenta solo si lo hizo quien debe: el comentario de CI lo
escribe GitHub Actions (``github-actions[bot]``), la release con su zip la
publica el flujo CD (también ``github-actions[bot]``), CD y «Desplegar
modelo» corren en la rama principal, y CI en el pull request. Lo que GitHub
no dejó leer deja la parte sin comprobar (❔), con el motivo.

Solo usa la biblioteca estándar.
"""

from __future__ import annotations

from typing import Any

from course.conventional import check_message, parse_tag
from course.github_facts import GitHubFacts, chosen_pull
from course.markdown import one_line
from course.parts import DONE, MISSING, PENDING, PartResult, result, unchecked

ACTIONS_BOT = "github-actions[bot]"
COMMENT_MARKER = "<!-- add-pr-comment:ci-results -->"
# La Parte 1 ya deja v0.0.1 (el primer push a main); la Parte 2, con un
# «feat:», sube a v0.1.0 o más.
PART2_VERSION = (0, 1, 0)
CD_HELP = "mira el Apéndice B, «CD: la versión no es la esperada»"


def _login(item: dict[str, Any], key: str) -> str:
    user = item.get(key)
    return str(user.get("login", "")) if isinstance(user, dict) else ""


def _shown(value: Any, limit: int = 120) -> str:
    """Un texto de GitHub (título, usuario, rama) en una línea y acotado."""
    return one_line(str(value), limit)


def _runs(github: GitHubFacts, workflow: str) -> list[dict[str, Any]]:
    return [
        run
        for run in github.runs
        if str(run.get("path", "")).split("@", maxsplit=1)[0].endswith(f"/{workflow}")
    ]


def _on_main(github: GitHubFacts, workflow: str) -> list[dict[str, Any]]:
    """Las ejecuciones de ``workflow`` en la rama principal (no de un pull request)."""
    return [
        run
        for run in _runs(github, workflow)
        if run.get("event") != "pull_request"
        and run.get("head_branch") == github.default_branch
    ]


def _run_state(run: dict[str, Any]) -> str:
    if run.get("status") != "completed":
        return PENDING
    return DONE if run.get("conclusion") == "success" else MISSING


def _url(item: dict[str, Any] | None, default: str = "") -> str:
    return str((item or {}).get("html_url") or default)


def github_part1(github: GitHubFacts) -> PartResult:
    """Parte 1: el repositorio existe, tiene commits y los flujos de CI y CD."""
    url = _url(github.info, f"https://github.com/{github.repository}")
    if github.problem:
        action = (
            "haz el primer commit y git push -u origin main (Parte 1)"
            if "vacío" in github.problem
            else "crea el repositorio en GitHub (Parte 1) o revisa su nombre"
        )
        return result("parte1", MISSING, f"el repositorio {github.problem}", action)
    if "workflows" in github.unread:
        return unchecked("parte1", github.unread["workflows"])
    missing = [name for name in ("ci.yml", "cd.yml") if name not in github.workflows]
    if missing:
        return result(
            "parte1",
            MISSING,
            f"al repositorio le faltan los flujos {', '.join(missing)} en "
            ".github/workflows",
            "copia el contenido de la carpeta del laboratorio (con la carpeta "
            ".github) a la raíz del repositorio y haz git push (Parte 1)",
            url,
        )
    renamed = github.info.get("renamed_from")
    note = f" (antes {renamed})" if renamed else ""
    return result(
        "parte1", DONE, f"{github.repository}{note} con los flujos de CI y CD", url=url
    )


def _pull_request_check(github: GitHubFacts) -> PartResult | dict[str, Any]:
    branch = github.default_branch
    if "pulls" in github.unread:
        return unchecked("parte2", github.unread["pulls"])
    pull = chosen_pull(github.pulls, branch)
    if pull is None:
        open_pulls = [item for item in github.pulls if item.get("state") == "open"]
        if open_pulls:
            number = open_pulls[0].get("number")
            return result(
                "parte2",
                MISSING,
                f"el pull request #{number} está abierto, sin fusionar",
                f"cuando CI esté en verde, fusiona el pull request #{number} "
                "(Merge pull request)",
                _url(open_pulls[0]),
            )
        return result(
            "parte2",
            MISSING,
            f"no hay ningún pull request fusionado en {branch}",
            "crea una rama, haz un commit «feat: …», súbela y abre un pull "
            f"request hacia {branch} (Parte 2)",
        )
    if not check_message(str(pull.get("title", ""))).ok:
        return result(
            "parte2",
            MISSING,
            f"el pull request #{pull.get('number')} se fusionó con el título "
            f"«{_shown(pull.get('title'))}», que no es convencional",
            "abre otro pull request con un título convencional, por ejemplo "
            "«feat: mi primer cambio», y fusiónalo (Parte 2, Mensajes de commit "
            "convencionales)",
            _url(pull),
        )
    return pull


def _ci_check(github: GitHubFacts, pull: dict[str, Any]) -> PartResult | None:
    number = pull.get("number")
    head = (pull.get("head") or {}).get("sha")
    if "runs" in github.unread:
        return unchecked("parte2", github.unread["runs"])
    runs = [
        run
        for run in _runs(github, "ci.yml")
        if run.get("event") == "pull_request"
        and (
            run.get("head_sha") == head
            or number in [item.get("number") for item in run.get("pull_requests") or []]
        )
    ]
    url = _url(pull)
    if not runs:
        return result(
            "parte2",
            MISSING,
            f"CI no se ejecutó en el pull request #{number}",
            "revisa que .github/workflows/ci.yml esté en la rama main y que "
            "Actions esté habilitado (pestaña Actions); abre otro pull request",
            url,
        )
    state = _run_state(runs[0])
    if state != DONE:
        what = "sigue ejecutándose" if state == PENDING else "falló"
        return result(
            "parte2",
            state,
            f"CI {what} en el pull request #{number}",
            "abre la ejecución de CI, corrige lo que falló (Parte 2, Cuando un "
            "chequeo falla) y sube el arreglo",
            _url(runs[0], url),
        )
    return _comment_check(github, number, url)


def _comment_check(github: GitHubFacts, number: Any, url: str) -> PartResult | None:
    if "comments" in github.unread:
        return unchecked("parte2", github.unread["comments"])
    marked = [
        item for item in github.comments if COMMENT_MARKER in str(item.get("body", ""))
    ]
    if any(_login(item, "user") == ACTIONS_BOT for item in marked):
        return None
    if marked:
        return result(
            "parte2",
            MISSING,
            f"el comentario de CI del pull request #{number} no lo escribió "
            "GitHub Actions (lo escribió "
            f"{_shown(_login(marked[0], 'user')) or 'otra cuenta'})",
            "vuelve a ejecutar CI en el pull request (Re-run all jobs) para que "
            "GitHub Actions escriba su comentario",
            url,
        )
    return result(
        "parte2",
        MISSING,
        f"CI no dejó su comentario en el pull request #{number}",
        "mira el Apéndice B, «CI: el comentario no aparece en el pull request»",
        url,
    )


def _release_check(github: GitHubFacts, pull: dict[str, Any]) -> PartResult:
    reason = github.unread_reason("tags", "releases")
    if reason:
        return unchecked("parte2", reason)
    versions = {tag: parse_tag(tag) or (0,) for tag in github.tags}
    tags = sorted(
        (tag for tag, version in versions.items() if version >= PART2_VERSION),
        key=versions.__getitem__,
        reverse=True,
    )
    releases = {str(item.get("tag_name")): item for item in github.releases}
    for tag in tags:
        release = releases.get(tag) or {}
        zips = [
            asset
            for asset in release.get("assets") or []
            if isinstance(asset, dict) and str(asset.get("name", "")).endswith(".zip")
        ]
        if zips and _login(release, "author") == ACTIONS_BOT:
            return result(
                "parte2",
                DONE,
                f"pull request #{pull.get('number')} «{_shown(pull.get('title'))}» "
                f"fusionado, CI en verde con su comentario, release {tag} con "
                f"{_shown(zips[0].get('name'))}",
                url=_url(release),
            )
        if zips:
            return result(
                "parte2",
                MISSING,
                f"la release {_shown(tag)} no la publicó el flujo CD (la publicó "
                f"{_shown(_login(release, 'author')) or 'otra cuenta'})",
                "bórrala y deja que CD la cree: fusiona un pull request «feat: …»; "
                + CD_HELP,
                _url(release),
            )
    return _cd_check(github, tags)


def _cd_check(github: GitHubFacts, tags: list[str]) -> PartResult:
    if "runs" in github.unread:
        return unchecked("parte2", github.unread["runs"])
    runs = _on_main(github, "cd.yml")
    if tags:
        return result(
            "parte2",
            MISSING,
            f"el tag {_shown(tags[0])} no tiene release con el zip",
            "en Actions → CD, vuelve a ejecutar la última ejecución (Re-run all "
            "jobs); " + CD_HELP,
            _url(runs[0]) if runs else "",
        )
    if not runs:
        return result(
            "parte2",
            MISSING,
            "CD no se ejecutó tras fusionar",
            "revisa que .github/workflows/cd.yml esté en main y que Actions esté "
            "habilitado; después fusiona un pull request «feat: …»",
        )
    state = _run_state(runs[0])
    evidence = {
        PENDING: "CD se está ejecutando",
        MISSING: "la última ejecución de CD falló",
    }.get(state, "CD terminó sin crear la versión v0.1.0 (o una mayor)")
    return result(
        "parte2",
        PENDING if state == PENDING else MISSING,
        evidence,
        "abre la ejecución de CD en Actions y " + CD_HELP,
        _url(runs[0]),
    )


def github_part2(github: GitHubFacts) -> PartResult:
    """Parte 2: PR fusionado con título convencional, CI con su comentario y release."""
    pull = _pull_request_check(github)
    if isinstance(pull, PartResult):
        return pull
    return _ci_check(github, pull) or _release_check(github, pull)


def github_extra(github: GitHubFacts) -> PartResult:
    """Extra: «Desplegar modelo» terminó bien en la rama principal."""
    if "runs" in github.unread:
        return unchecked("extra", github.unread["runs"])
    runs = _runs(github, "deploy_model.yml")
    on_main = _on_main(github, "deploy_model.yml")
    done = [run for run in on_main if _run_state(run) == DONE]
    if done:
        return result(
            "extra", DONE, "«Desplegar modelo» terminó bien", url=_url(done[0])
        )
    if not runs:
        return result(
            "extra",
            MISSING,
            "el flujo «Desplegar modelo» no se ha ejecutado",
            "guarda los seis secretos de Azure en el repositorio y ejecuta "
            "Actions → Desplegar modelo → Run workflow (Extra)",
        )
    if not on_main:
        return result(
            "extra",
            MISSING,
            f"«Desplegar modelo» solo se ejecutó fuera de {github.default_branch} "
            f"(en {_shown(runs[0].get('head_branch'))})",
            f"ejecútalo desde {github.default_branch}: Actions → Desplegar modelo "
            f"→ Run workflow, rama {github.default_branch}",
            _url(runs[0]),
        )
    state = _run_state(on_main[0])
    return result(
        "extra",
        state,
        "«Desplegar modelo» " + ("se está ejecutando" if state == PENDING else "falló"),
        "abre la ejecución en Actions: si dice que faltan secretos, créalos "
        "(Extra); si no, mira el Apéndice B",
        _url(on_main[0]),
    )
