"""Pylint con solo su chequeo de código duplicado, sin repetir trabajo.

Para encontrar código duplicado, Pylint compara cada par de archivos y, en
cada par, vuelve a calcular las huellas de las líneas de los dos
(``hash_lineset``): con 90 archivos, 8010 veces en lugar de 90, y es la
mitad de lo que tarda. Aquí es el mismo Pylint, con las mismas opciones y los
mismos mensajes, pero esas huellas se calculan una sola vez por archivo (solo
dependen del archivo). Lo ejecuta ``labkit.quick_pylint``, así::

    python -m labkit.pylint_duplicates --disable=all --enable=duplicate-code src
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Sequence

from pylint.checkers import symilar
from pylint.lint import Run


def main(argv: Sequence[str]) -> None:
    """Ejecuta Pylint con ``argv``; termina con su código de salida."""
    # Si otra versión de Pylint ya no tiene esa función, corre tal cual.
    if callable(getattr(symilar, "hash_lineset", None)):
        setattr(symilar, "hash_lineset", functools.cache(symilar.hash_lineset))
    Run(list(argv))


if __name__ == "__main__":
    main(sys.argv[1:])
