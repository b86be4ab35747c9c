"""Compara tu modelo con el de la rama main: la misma tabla que CI pone en el PR.

1. Entrena dos versiones del modelo con los mismos datos y la misma semilla:
   la de la rama base, en una copia temporal (``git worktree``) que se borra
   al terminar, y la tuya (esta carpeta tal como está, también lo que aún no
   confirmaste).
2. Sortea clientes de evaluación **nuevos**, con una semilla que ninguna de
   las dos versiones pudo conocer al entrenar (se muestra al final, para
   repetir la medición con ``--semilla-evaluacion``).
3. Pide a cada modelo la probabilidad de abandono de esos clientes. Cada
   modelo se carga en su propio proceso (cargar un ``model.pkl`` ejecuta
   código) y solo devuelve números.
4. Calcula las métricas de las dos y la puerta de calidad: termina con código
   1 si el ROC-AUC baja más que la tolerancia (``auc_tolerance`` en la sección
   ``[tool.churn_lab]`` del ``pyproject.toml`` de la rama base) o no supera el
   de la referencia (la misma probabilidad para todos: ROC-AUC 0,5).

En CI mide el pull request el ``compare_models.py`` de la rama base
(``--cambio``): el pull request no puede cambiar cómo se le mide. Lo que hace
segura cada paso está en ``course.gate``.

Uso: python scripts/compare_models.py [--base main] [--markdown modelo.md]
"""

from __future__ import annotations

import contextlib
import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from _lab import LAB_ROOT  # va primero: revisa Python y el entorno virtual

from churn_lab.data import TRAINING_SAMPLES, TRAINING_SEED
from course import gate
from course.gate import evaluation_seed
from course.revisions import require_revision
from labkit.cli import (
    LabError,
    atomic_output,
    build_parser,
    display_path,
    format_number,
    git,
    positive_int,
    report_errors,
    seed_int,
)

DEFAULT_OUTPUT = Path("artifacts") / "comparacion"
HEAD_DIRNAME = "cambio"
HEAD_LABEL = "de esta carpeta"


def base_label(base: str) -> str:
    """Cómo se llama la base en la tabla: ``origin/main`` → ``main``."""
    if re.fullmatch(r"[0-9a-f]{40}", base):
        return base[:7]
    return base.removeprefix("origin/")


@contextlib.contextmanager
def base_checkout(commit: str, lab_dir: Path) -> Iterator[Path]:
    """Una copia temporal del commit base; da la carpeta del laboratorio en ella."""
    prefix = git(["rev-parse", "--show-prefix"], lab_dir)
    temporary = Path(tempfile.mkdtemp(prefix="comparar-modelo-"))
    checkout = temporary / "base"
    try:
        git(["worktree", "add", "--detach", str(checkout), commit], lab_dir)
        yield checkout / prefix
    finally:
        with contextlib.suppress(LabError):
            git(["worktree", "remove", "--force", str(checkout)], lab_dir)
        shutil.rmtree(temporary, ignore_errors=True)
        with contextlib.suppress(LabError):
            git(["worktree", "prune"], lab_dir)


def compare(  # pylint: disable=too-many-arguments
    base: str,
    label: str,
    head_dir: Path,
    output_dir: Path,
    training: tuple[int, int],
    chosen_seed: int | None,
) -> tuple[dict[str, Any], dict[str, Any], float, list[str]]:
    """Entrena y mide las dos versiones.

    Devuelve el informe de la base, el del cambio, la tolerancia de la base y
    los archivos de la puerta que el cambio toca.
    """
    from course.comparison import read_tolerance

    n_samples, seed = training
    base_commit = require_revision(head_dir, base)
    flagged = gate.changed_gate_files(head_dir, base_commit)
    folders = {label: output_dir / re.sub(r"[^\w.-]", "-", label)}
    folders[HEAD_LABEL] = output_dir / HEAD_DIRNAME
    with base_checkout(base_commit, head_dir) as base_dir:
        tolerance = read_tolerance(base_dir / "pyproject.toml")
        print(f"🌿 Entrenando la versión de {label} (copia temporal con git worktree)…")
        base_model = gate.train(base_dir, folders[label], n_samples, seed, label)
        # El modelo de la base queda cargado antes de ejecutar el cambio.
        with gate.scorer(base_model, base_dir, label) as base_scorer:
            gate.preload()  # lo que se usará después, importado antes que el cambio
            print("🌱 Entrenando tu versión (esta carpeta, con tus cambios)…")
            head_model = gate.train(
                head_dir, folders[HEAD_LABEL], n_samples, seed, HEAD_LABEL
            )
            # La semilla de los clientes: nueva, salvo que se pida repetir una.
            customers_seed = gate.new_seed() if chosen_seed is None else chosen_seed
            print(
                f"🎲 Midiendo con {format_number(gate.GATE_CUSTOMERS)} clientes "
                f"nuevos (semilla {customers_seed})…"
            )
            features, churned = gate.evaluation_customers(customers_seed)
            probabilities = {label: base_scorer.score(features)}
    with gate.scorer(head_model, head_dir, HEAD_LABEL) as head_scorer:
        probabilities[HEAD_LABEL] = head_scorer.score(features)

    base_report, head_report = (
        save_report(probabilities[name], churned, training, customers_seed, folder)
        for name, folder in folders.items()
    )
    return base_report, head_report, tolerance, flagged


def save_report(
    probability: Any, churned: Any, training: tuple[int, int], seed: int, folder: Path
) -> dict[str, Any]:
    """Las métricas de una versión: ``metrics.json`` y los PNG en ``folder``."""
    from churn_lab.evaluation import save_evaluation

    evaluation = gate.evaluation_report(churned, probability, training, seed)
    save_evaluation(evaluation, folder)
    return dict(evaluation.report)


@report_errors
def main(argv: Sequence[str] | None = None) -> int:
    """Lee los argumentos, compara los modelos y devuelve el código de salida."""
    parser = build_parser(__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument(
        "--base", default="main", help="rama o commit con el que comparar"
    )
    parser.add_argument(
        "--base-name",
        help="nombre de la base en la tabla (por defecto, el de --base)",
    )
    parser.add_argument(
        "--cambio",
        type=Path,
        help="carpeta del laboratorio que se compara (por defecto, esta)",
    )
    parser.add_argument(
        "--semilla-evaluacion",
        type=evaluation_seed,
        help="semilla de los clientes de evaluación (por defecto, una nueva): "
        "la que muestra otra comparación, para repetirla",
    )
    parser.add_argument(
        "--markdown",
        type=Path,
        help="además, escribe la sección «Modelo» del comentario de CI en este archivo",
    )
    parser.add_argument(
        "--output-dir",
        type=Path,
        help="carpeta para los modelos, metrics.json y los PNG de las dos versiones "
        "(por defecto, artifacts/comparacion)",
    )
    parser.add_argument(
        "--seed",
        type=seed_int,
        default=TRAINING_SEED,
        help="semilla de los datos y del modelo (la misma para las dos versiones)",
    )
    parser.add_argument(
        "--n-samples",
        type=positive_int,
        default=TRAINING_SAMPLES,
        help="número de clientes sintéticos (el mismo para las dos versiones)",
    )
    args = parser.parse_args(argv)

    from course.comparison import check_gate, render_markdown, render_text

    label = args.base_name or base_label(args.base)
    head_dir = (args.cambio or LAB_ROOT).resolve()
    output_dir = (args.output_dir or head_dir / DEFAULT_OUTPUT).resolve()
    base, head, tolerance, flagged = compare(
        args.base,
        label,
        head_dir,
        output_dir,
        (args.n_samples, args.seed),
        args.semilla_evaluacion,
    )
    print(f"\n📈 Modelo: {label} frente a tu versión\n")
    print(render_text(base, head, tolerance, label, flagged), end="")
    print(f"\n🖼️  Curvas ROC y matrices de confusión en {display_path(output_dir)}")
    if args.markdown:
        with atomic_output(args.markdown) as temporary:
            temporary.write_text(
                render_markdown(base, head, tolerance, label, flagged=flagged),
                encoding="utf-8",
            )
        print(f"📝 Sección «Modelo» para el comentario en {args.markdown}")
    return 0 if check_gate(base, head, tolerance).passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
