"""Texto del estudiante dentro de Markdown: se ve tal cual, nunca como marcado.

El título de un pull request, el mensaje de un commit o el nombre de un archivo
los escribe el estudiante (o cualquiera que abra un pull request). Si llegan
sin escapar al comentario de CI o al resumen de una ejecución, GitHub los
interpreta: ``<img src=…>`` carga una imagen, ``<details>`` esconde el resto
del comentario, ``[✅ pasa](https://…)`` es un enlace que dice otra cosa,
``@profesor`` le manda una notificación, ``|`` parte la tabla y un salto de
línea la termina. Estas dos funciones son las únicas que ponen ese texto en
Markdown, en todo el laboratorio:

- :func:`markdown_text`: para texto corrido o una celda de tabla;
- :func:`markdown_code`: para mostrarlo como código (una celda con el título).

Las dos lo dejan en una sola línea y lo acortan a ``limit`` caracteres: un
título de 1 MB no llena el comentario. Solo usan la biblioteca estándar.
"""

from __future__ import annotations

import re
import unicodedata

# Lo más largo que se muestra de un texto del estudiante.
DEFAULT_LIMIT = 200
# Espacio de ancho cero: GitHub enlaza «@usuario», «#12», «https://…» y
# «www.…» después de interpretar el Markdown, así que la barra invertida no
# los detiene; un carácter invisible en medio, sí.
ZERO_WIDTH_SPACE = "\u200b"
# Los signos que empiezan algo dentro de una línea de Markdown (énfasis,
# código, enlaces e imágenes, HTML, entidades, tablas, tachado): CommonMark
# deja escaparlos con una barra invertida. Sin «[» no hay enlace ni imagen,
# así que «(», «)» y «!» pueden quedar tal cual (el texto se lee mejor).
_INLINE = re.compile(r"([\\`*_\[\]<>&|~])")
# Al comienzo, además, lo que empezaría un bloque: título, cita, lista.
_BLOCK_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])")
_LINKS = re.compile(r"(@|#|://|(?i:www)\.)")
# Controles de dirección del texto (U+202A–U+202E, U+2066–U+2069): cambian el
# orden en que se ve lo que sigue.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def one_line(text: str, limit: int = DEFAULT_LIMIT) -> str:
    """El texto en una línea, sin caracteres de control y de ``limit`` como mucho."""
    flat = "".join(
        " " if unicodedata.category(char) == "Cc" else char
        for char in text[: limit + 1]
    )
    flat = _BIDI.sub("", flat)
    if len(text) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    return flat


def markdown_text(text: str, limit: int = DEFAULT_LIMIT) -> str:
    """``text`` en Markdown (también en una celda de tabla), tal cual se ve."""
    escaped = _INLINE.sub(r"\\\1", one_line(text, limit))
    escaped = _BLOCK_START.sub(
        lambda match: match.group(1) + match.group(2)[:-1] + "\\" + match.group(2)[-1],
        escaped,
    )
    return _LINKS.sub(_unlinked, escaped)


def _unlinked(match: re.Match[str]) -> str:
    """«@», «#», «://» o «www.» con un espacio de ancho cero que GitHub no enlaza."""
    found = match.group(1)
    if found == "://":
        return ":" + ZERO_WIDTH_SPACE + "//"
    if found.endswith("."):  # www.
        return found[:-1] + ZERO_WIDTH_SPACE + "."
    return found + ZERO_WIDTH_SPACE


def markdown_code(text: str, limit: int = DEFAULT_LIMIT) -> str:
    """``text`` como código en una celda de tabla: `` `así` ``, sin que nada lo rompa.

    Dentro del código GitHub no interpreta nada (ni HTML ni enlaces ni
    menciones); solo hay que elegir una cerca de comillas invertidas más larga
    que cualquiera del texto y escapar ``|``, que en una tabla separa celdas
    incluso dentro del código.
    """
    flat = one_line(text, limit).replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    padding = " " if flat.startswith("`") or flat.endswith("`") or not flat else ""
    return f"{fence}{padding}{flat}{padding}{fence}"
