"""La puerta de calidad del modelo sin confiar en nada del pull request.

``scripts/compare_models.py`` muestra la lección (entrenar las dos versiones,
medirlas con los mismos clientes, comparar); aquí está lo que la hace segura
cuando la versión «cambio» es el código de otra persona:

- **El código de cada versión corre en otro proceso.** ``train`` ejecuta su
  ``scripts/train_model.py`` con un entorno mínimo (sin los tokens ni los
  archivos de resultados de GitHub Actions), en su propia sesión, y al
  terminar detiene lo que haya dejado en marcha. ``Scorer`` carga su
  ``model.pkl`` (cargar un pickle ejecuta código) en otro proceso, que solo
  devuelve una probabilidad por cliente: números que aquí se revisan.
- **El modelo de la base se carga antes de que corra el código del cambio**,
  en un proceso que ya no lee nada del disco: el cambio no puede tocar ese
  archivo ni lo que importa.
- **Los clientes de evaluación se sortean después de entrenar las dos
  versiones**, con una semilla nueva de 53 bits (``new_seed``) que ningún
  código del cambio llega a ver: solo sus datos, sin la columna ``churned``.
  La semilla se imprime, para repetir la comparación.
- **Las métricas y el veredicto los calcula este código** (el de la rama base
  en CI), que importa todo lo que necesita (``preload``) antes de ejecutar
  nada del cambio.
- **Los archivos de la puerta** (``GATE_FILES``) que cambia el pull request se
  señalan en el comentario: con ellos cambia la puerta de la próxima vez, y
  ``.github/CODEOWNERS`` pide la revisión de quien los cuida.

Lo que queda fuera, y por eso la revisión humana: un ``train_model.py`` que
ataca la máquina del trabajo (con ``sudo`` o un proceso que se esconde en
segundo plano) puede estropear la ejecución. Se ve en el diff.
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
import signal
import struct
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from churn_lab.data import INFERENCE_FIRST_ID, INFERENCE_SAMPLES
from churn_lab.schema import FEATURES, TARGET_COLUMN
from labkit.cli import LabError, _int_between, git

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from churn_lab.evaluation import Evaluation

# Clientes de evaluación: muchos, para que el ROC-AUC de cada versión varíe
# poco de un sorteo a otro (en torno a ±0,002; la tolerancia es 0,010). Sus
# ids siguen a los de inferencia: CUST-10501, …
GATE_CUSTOMERS = 100_000
GATE_FIRST_ID = INFERENCE_FIRST_ID + INFERENCE_SAMPLES
# 2⁵³ - 1: el mayor entero que un float representa exacto (los mensajes lo
# muestran bien).
MAX_EVALUATION_SEED = 2**53 - 1
# Plazos generosos (un equipo de 2 núcleos ocupado): entrenar y puntuar.
TRAIN_SECONDS = 900
SCORE_SECONDS = 600
# Lo único del entorno que recibe el código de una versión: dónde están los
# programas, el idioma, las carpetas temporales y su Python. Nada de GitHub
# Actions (GITHUB_TOKEN, GITHUB_OUTPUT, ACTIONS_…) ni de Azure.
CHILD_ENVIRONMENT = (
    "PATH",
    "HOME",
    "USERPROFILE",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TMPDIR",
    "TEMP",
    "TMP",
    "SYSTEMROOT",
    "COMSPEC",
    "PATHEXT",
    "WINDIR",
    "APPDATA",
    "LOCALAPPDATA",
    "VIRTUAL_ENV",
    "PYTHONPATH",
    "MPLCONFIGDIR",
)
# Los archivos que deciden la puerta: el código que mide y compara, lo que
# importa, los flujos de CI y las dependencias. Una carpeta termina en «/».
# .github/CODEOWNERS los asigna a quien debe revisarlos (una prueba lo
# comprueba, y otra que compare_models.py no importa nada fuera de esta lista).
GATE_FILES = (
    ".github/",
    "requirements-model.lock",
    "requirements-model.txt",
    "requirements.lock",
    "requirements.txt",
    "scripts/_lab.py",
    "scripts/compare_models.py",
    "src/churn_lab/__init__.py",
    "src/churn_lab/data.py",
    "src/churn_lab/evaluation.py",
    "src/churn_lab/schema.py",
    "src/course/__init__.py",
    "src/course/comparison.py",
    "src/course/gate.py",
    "src/course/markdown.py",
    "src/course/revisions.py",
    "src/labkit/__init__.py",
    "src/labkit/cli.py",
    "src/labkit/environment.py",
)
# pyproject.toml cuenta solo si cambia su sección de la puerta.
GATE_SETTINGS = ("pyproject.toml", "tool", "churn_lab")

# El proceso que carga un modelo: lee de su entrada lotes de clientes en CSV
# (datos, nunca pickle) y responde la probabilidad de abandono de cada uno.
# Lo que imprima el modelo al cargarse va a stderr: stdout es solo para
# los números. Es texto de este módulo, no un archivo de la versión medida.
_SCORER_CODE = """
import io, os, struct, sys
answers = os.fdopen(os.dup(1), "wb")
os.dup2(2, 1)
sys.path.insert(0, sys.argv[1])
import joblib, numpy, pandas
model = joblib.load(sys.argv[2])
requests = sys.stdin.buffer
while True:
    header = requests.read(8)
    if len(header) < 8:
        break
    (size,) = struct.unpack("<Q", header)
    features = pandas.read_csv(io.BytesIO(requests.read(size)), dtype=dict(zip(
        sys.argv[3].split(","), sys.argv[4].split(","))))
    probability = numpy.asarray(model.predict_proba(features)[:, 1], dtype="<f8")
    answers.write(struct.pack("<Q", len(probability)) + probability.tobytes())
    answers.flush()
"""


def preload() -> None:
    """Importa ya todo lo que la puerta usará después de ejecutar el cambio.

    Un módulo ya importado no se vuelve a leer del disco: lo que el código
    del cambio escriba en las bibliotecas instaladas no llega a la puerta.
    """
    # pylint: disable=unused-import
    import matplotlib.backends.backend_agg  # noqa: F401
    import matplotlib.figure  # noqa: F401
    import matplotlib.ticker  # noqa: F401
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    import sklearn.metrics  # noqa: F401


def evaluation_seed(text: str) -> int:
    """Tipo de argparse: la semilla de los clientes de evaluación (0 a 2⁵³ - 1).

    Las mismas reglas y mensajes que las demás opciones numéricas
    (``labkit.cli``), con un máximo mayor que el de ``seed_int``.
    """
    return _int_between(text, 0, MAX_EVALUATION_SEED, "desde 0")


def new_seed() -> int:
    """Una semilla que nadie puede saber antes: 53 bits del sistema operativo."""
    return secrets.randbits(53)


def evaluation_customers(seed: int) -> tuple[pd.DataFrame, pd.Series]:
    """Los clientes de evaluación de ``seed``: sus datos y si abandonaron."""
    from churn_lab.data import generate_customers

    customers = generate_customers(GATE_CUSTOMERS, seed, GATE_FIRST_ID)
    return customers.loc[:, list(FEATURES)], customers[TARGET_COLUMN]


def changed_gate_files(lab_dir: Path, base_commit: str) -> list[str]:
    """Los archivos de la puerta que cambian entre ``base_commit`` y ``lab_dir``.

    Cuenta lo que aún no está en un commit (también los archivos nuevos):
    es lo que se va a medir. Rutas relativas a la carpeta del laboratorio.
    """
    # -z: los nombres tal cual, sin las comillas con que git escribe «ñ.yml».
    changed = git(
        ["diff", "--no-ext-diff", "--no-textconv", "--name-only", "--relative", "-z"]
        + [base_commit, "--"],
        lab_dir,
    ).split("\0")
    changed += git(["ls-files", "--others", "--exclude-standard", "-z"], lab_dir).split(
        "\0"
    )
    folders = tuple(name for name in GATE_FILES if name.endswith("/"))
    flagged = sorted(
        {name for name in changed if name in GATE_FILES or name.startswith(folders)}
    )
    settings, *section = GATE_SETTINGS
    if settings in changed and _section(
        _committed(lab_dir, base_commit, settings), section
    ) != _section(_read(lab_dir / settings), section):
        flagged.append(f"{settings} [{'.'.join(section)}]")
    return flagged


def _committed(lab_dir: Path, commit: str, name: str) -> str:
    prefix = git(["rev-parse", "--show-prefix"], lab_dir)
    try:
        return git(["show", f"{commit}:{prefix}{name}"], lab_dir)
    except LabError:
        return ""


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _section(text: str, keys: Sequence[str]) -> object:
    """La sección ``keys`` de un TOML (o el texto entero si no se puede leer)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover, solo en Python 3.10
        import tomli as tomllib
    try:
        value: Any = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return text
    for key in keys:
        value = value.get(key, {}) if isinstance(value, dict) else {}
    return value


def child_environment(lab_dir: Path) -> dict[str, str]:
    """El entorno del código de una versión: lo mínimo, y su ``src`` primero."""
    env = {name: os.environ[name] for name in CHILD_ENVIRONMENT if name in os.environ}
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(lab_dir / "src"), env.get("PYTHONPATH")])
    )
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def _stop_group(process: subprocess.Popen[Any]) -> None:
    """Detiene el proceso y todo lo que lanzó en su sesión (POSIX)."""
    if os.name == "posix":
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    elif process.poll() is None:  # pragma: no cover, solo en Windows
        process.kill()


def _last_line(stream: IO[bytes]) -> str:
    """La última línea que escribió un proceso (lo que dice su error)."""
    stream.seek(0, os.SEEK_END)
    stream.seek(max(0, stream.tell() - 4096))
    lines = stream.read().decode("utf-8", errors="replace").strip().splitlines()
    return lines[-1][:300] if lines else "sin mensaje"


def train(
    lab_dir: Path, output_dir: Path, n_samples: int, seed: int, label: str
) -> Path:
    """Entrena con el ``train_model.py`` y el ``src`` de ``lab_dir``; da el modelo."""
    script = lab_dir / "scripts" / "train_model.py"
    if not script.is_file():
        raise LabError(f"la versión {label} no tiene scripts/train_model.py.")
    output_dir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, str(script), "--output-dir", str(output_dir)]
    command += ["--seed", str(seed), "--n-samples", str(n_samples)]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(  # pylint: disable=consider-using-with
            command,
            cwd=lab_dir,
            env=child_environment(lab_dir),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            code = process.wait(timeout=TRAIN_SECONDS)
        except subprocess.TimeoutExpired:
            code = None
        finally:
            _stop_group(process)
            process.wait()
        if code != 0:
            reason = (
                f"tardó más de {TRAIN_SECONDS // 60} minutos"
                if code is None
                else _last_line(log)
            )
            raise LabError(
                f"no se pudo entrenar la versión {label}: {reason}. Ejecuta "
                "python scripts/train_model.py para ver el error completo."
            )
    model = output_dir / "model.pkl"
    if not model.is_file():
        raise LabError(
            f"la versión {label} terminó de entrenar sin escribir {model.name} en "
            "--output-dir. Revisa que scripts/train_model.py guarde el modelo ahí."
        )
    return model


class Scorer:
    """Un proceso que carga un ``model.pkl`` y solo devuelve probabilidades.

    Se usa con ``with``: al salir se detiene el proceso. ``score`` le manda
    los clientes (datos en CSV) y revisa la respuesta: una probabilidad
    finita entre 0 y 1 por cliente.
    """

    def __init__(self, model: Path, lab_dir: Path, label: str) -> None:
        self.label = label
        self.errors = tempfile.TemporaryFile()  # pylint: disable=consider-using-with
        types = {name: "str" for name in FEATURES}
        types.update(tenure_months="int64", num_support_tickets="int64")
        types.update(monthly_charges="float64", total_charges="float64")
        self.process = subprocess.Popen(  # pylint: disable=consider-using-with
            [sys.executable, "-c", _SCORER_CODE, str(lab_dir / "src"), str(model)]
            + [",".join(types), ",".join(types.values())],
            cwd=lab_dir,
            env=child_environment(lab_dir),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.errors,
            start_new_session=True,
        )

    def __enter__(self) -> Scorer:
        return self

    def __exit__(self, *_: object) -> None:
        _stop_group(self.process)
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self.errors):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()

    def score(self, features: pd.DataFrame) -> np.ndarray:
        """La probabilidad de abandono de cada cliente, según el modelo cargado."""
        import numpy as np

        assert self.process.stdin is not None and self.process.stdout is not None
        data = features.to_csv(index=False).encode("utf-8")
        count = struct.pack("<Q", len(features))
        # Si el proceso no responde a tiempo, se detiene y la lectura termina.
        watchdog = threading.Timer(SCORE_SECONDS, _stop_group, [self.process])
        watchdog.start()
        try:
            self.process.stdin.write(struct.pack("<Q", len(data)) + data)
            self.process.stdin.flush()
            answer = _read_exactly(self.process.stdout, 8)
            if answer == count:  # tantas probabilidades como clientes
                answer += _read_exactly(self.process.stdout, 8 * len(features))
        except OSError:
            answer = b""
        finally:
            watchdog.cancel()
        if len(answer) != 8 + 8 * len(features):
            _stop_group(self.process)
            raise LabError(
                f"no se pudo puntuar con el modelo de la versión {self.label}: "
                f"{_last_line(self.errors)}. Ejecuta python scripts/test_model.py "
                "con ese modelo para ver el error completo."
            )
        probability = np.frombuffer(answer[8:], dtype="<f8")
        if not (
            np.isfinite(probability) & (probability >= 0) & (probability <= 1)
        ).all():
            raise LabError(
                f"el modelo de la versión {self.label} no dio una probabilidad "
                "entre 0 y 1 para cada cliente."
            )
        return probability


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    """Lee ``size`` bytes (o menos, si el proceso terminó antes)."""
    chunks = io.BytesIO()
    while chunks.tell() < size:
        block = stream.read(size - chunks.tell())
        if not block:
            break
        chunks.write(block)
    return chunks.getvalue()


@contextlib.contextmanager
def scorer(model: Path, lab_dir: Path, label: str) -> Iterator[Scorer]:
    """Un ``Scorer`` que ya cargó el modelo: lo prueba con unos clientes."""
    from churn_lab.data import generate_customers

    with Scorer(model, lab_dir, label) as loaded:
        loaded.score(generate_customers(20, 0).loc[:, list(FEATURES)])
        yield loaded


def evaluation_report(
    churned: pd.Series,
    probability: np.ndarray,
    training: tuple[int, int],
    seed: int,
) -> Evaluation:
    """El informe de una versión (``metrics.json``) con los clientes de ``seed``.

    ``training`` es (clientes, semilla) del entrenamiento: queda en el informe.
    Las métricas son las de ``churn_lab.evaluation``, las mismas de siempre.
    """
    from churn_lab.evaluation import measure

    n_samples, training_seed = training
    return measure(
        churned,
        probability,
        n_samples,
        training_seed,
        evaluation_seed=seed,
        evaluation_first_id=GATE_FIRST_ID,
    )
