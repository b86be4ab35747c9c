"""A job's Docker image, as a node would have it: nothing built, just pulled.

An environment with only an ``image`` (no conda file, no build context) is a
prebuilt image: Azure ML builds nothing, the node pulls it and runs the command
in it (azure-ai-docs, ``how-to-manage-environments-v2.md``: "Create an
environment from a Docker image"; ``concept-environments.md``: only conda
specifications and build contexts are built into new images). The lab's job
uses uv's official images, ``ghcr.io/astral-sh/uv:<uv>-python3.X-<debian>-slim``
(Debian slim with CPython 3.X installed as the system Python, and uv).

Here "pulling" such an image makes, in the job's node folder, a system Python
of that version from an interpreter found on this machine
(``environment.find_python``: pyenv's or uv's): its binary copied, its standard
library linked, an empty site-packages, and ``uv`` next to ``python``. So
``uv pip install --system`` installs into the image as it would in the
container, and never into the interpreter it came from. The node has no internet: its PyPI is uv's cache,
which ``./dev.sh setup`` fills with exactly the pins of the lab's conda.yml
(``python -m tests.azure_emulator.environment``); the job's process gets
``UV_OFFLINE=1`` and that cache (``node_variables``). A package that is not in
the cache fails the install as an unreachable index would.

Any other image fails to pull, with the runtime's message, as a misspelt image
does on Azure ML.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from .. import environment

UV_IMAGE = re.compile(
    r"^ghcr\.io/astral-sh/uv:(?P<uv>\d+\.\d+(?:\.\d+)?)-python(?P<python>3\.\d+)"
    r"-(?P<debian>bookworm|trixie)-slim$"
)


class ImagePullError(Exception):
    """The image cannot be pulled; ``log`` is what the node's runtime printed."""

    def __init__(self, log: str) -> None:
        super().__init__(log.strip().splitlines()[-1])
        self.log = log


def python_version(image: str) -> str:
    """The CPython version of one of uv's images, or ``ImagePullError``."""
    match = UV_IMAGE.match(image)
    if not match:
        raise ImagePullError(
            f"Pulling image {image}\n"
            f"Error response from daemon: manifest for {image} not found: manifest "
            "unknown: manifest unknown\n"
        )
    return match["python"]


def pull(image: str, node: Path) -> Path:
    """``image`` unpacked in ``node/image``: returns the folder with its ``python``.

    The interpreter's binary is copied (so its prefix, and its site-packages,
    are the image's, empty) and the standard library is linked, not copied.
    """
    version = python_version(image)
    try:
        interpreter = Path(environment.find_python(version)).resolve()
    except environment.EnvironmentBuildError as error:
        raise ImagePullError(f"Pulling image {image}\n{error.log}\n") from None
    prefix = interpreter.parents[1]
    target = node / "image"
    bin_dir = target / "bin"
    bin_dir.mkdir(parents=True)
    shutil.copy2(interpreter, bin_dir / interpreter.name)
    for alias in ("python", "python3"):
        if not (bin_dir / alias).exists():
            (bin_dir / alias).symlink_to(interpreter.name)
    (bin_dir / "uv").symlink_to(environment.uv_executable())
    stdlib = target / "lib" / f"python{version}"
    stdlib.mkdir(parents=True)
    for entry in (prefix / "lib" / f"python{version}").iterdir():
        if entry.name != "site-packages":
            (stdlib / entry.name).symlink_to(entry)
    (stdlib / "site-packages").mkdir()
    for library in (prefix / "lib").glob("libpython*"):
        (target / "lib" / library.name).symlink_to(library)
    return bin_dir


@lru_cache(maxsize=1)
def uv_cache_dir() -> str:
    """The uv cache that ``./dev.sh setup`` filled (the node's PyPI)."""
    found = subprocess.run(
        [environment.uv_executable(), "cache", "dir"],
        capture_output=True,
        text=True,
        check=True,
    )
    return found.stdout.strip()


def node_variables() -> dict[str, str]:
    """What stands in for the node's internet: uv's cache, offline."""
    return {
        "UV_OFFLINE": "1",
        "UV_CACHE_DIR": uv_cache_dir(),
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_NO_PROGRESS": "1",
    }
