"""Compara tu modelo con el de la rama main: la misma tabla que CI pone en el PR.

Entrena dos versiones del modelo con los mismos datos y la misma semilla: la
de tu carpeta tal como está ahora (también lo que aún no confirmaste) y la de
la rama base, en una copia temporal (``git worktree``) que se borra al
terminar. Evalúa las dos con los mismos clientes de evaluación (5000, de su
propia semilla: ``churn_lab.data.generate_evaluation_data``), que ninguna vio
al entrenar, y muestra cada métrica, la diferencia y la puerta de calidad:
termina con código 1 si el ROC-AUC baja más que la tolerancia
(``auc_tolerance`` en la sección ``[tool.churn_lab]`` del ``pyproject.toml`` de
la rama base) o no supera el de la referencia (la misma probabilidad para
todos los clientes: ROC-AUC 0,5).

Uso: python scripts/compare_models.py [--base main] [--markdown modelo.md]
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from _lab import LAB_ROOT  # va primero: revisa Python y el entorno virtual

from churn_lab.data import TRAINING_SAMPLES, TRAINING_SEED
from churn_lab.evaluation import METRICS_FILENAME
from churn_lab.model import MODEL_FILENAME
from labkit.cli import (
    LabError,
    atomic_output,
    build_parser,
    display_path,
    git,
    positive_int,
    report_errors,
    seed_int,
)

DEFAULT_OUTPUT = Path("artifacts") / "comparacion"
HEAD_DIRNAME = "cambio"


def base_label(base: str) -> str:
    """Cómo se llama la base en la tabla: ``origin/main`` → ``main``."""
    if re.fullmatch(r"[0-9a-f]{40}", base):
        return base[:7]
    return base.removeprefix("origin/")


@contextlib.contextmanager
def base_checkout(base: str, lab_root: Path) -> Iterator[Path]:
    """Una copia temporal de la rama base; da la carpeta del laboratorio en ella."""
    try:
        prefix = git(["rev-parse", "--show-prefix"], lab_root)
    except LabError:
        raise LabError(
            f"{lab_root} no es un repositorio de git. Compara desde la carpeta de "
            "tu repositorio (la que creaste en la Parte 1)."
        ) from None
    try:
        commit = git(
            ["rev-parse", "--verify", "--quiet", f"{base}^{{commit}}"], lab_root
        )
    except LabError:
        raise LabError(
            f"no existe la rama o commit {base!r} en este repositorio. Usa --base con "
            "una rama que exista (git branch -a las muestra), por ejemplo --base main."
        ) from None
    temporary = Path(tempfile.mkdtemp(prefix="comparar-modelo-"))
    checkout = temporary / "base"
    try:
        git(["worktree", "add", "--detach", str(checkout), commit], lab_root)
        yield checkout / prefix
    finally:
        with contextlib.suppress(LabError):
            git(["worktree", "remove", "--force", str(checkout)], lab_root)
        shutil.rmtree(temporary, ignore_errors=True)
        with contextlib.suppress(LabError):
            git(["worktree", "prune"], lab_root)


def train_version(
    lab_dir: Path, output_dir: Path, n_samples: int, seed: int, label: str
) -> Path:
    """Entrena con el ``train_model.py`` y el código de ``lab_dir``; da el modelo."""
    script = lab_dir / "scripts" / "train_model.py"
    if not script.is_file():
        raise LabError(f"la versión {label} no tiene scripts/train_model.py.")
    env = dict(os.environ)
    # El src de esa versión va primero: sus módulos churn_lab, no los de esta.
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(lab_dir / "src"), env.get("PYTHONPATH")])
    )
    env["PYTHONIOENCODING"] = "utf-8"
    completed = subprocess.run(
        [
            sys.executable,
            str(script),
            "--output-dir",
            str(output_dir),
            "--seed",
            str(seed),
            "--n-samples",
            str(n_samples),
        ],
        cwd=lab_dir,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    if completed.returncode != 0:
        lines = (completed.stderr.strip() or completed.stdout.strip()).splitlines()
        raise LabError(
            f"no se pudo entrenar la versión {label}: "
            f"{lines[-1] if lines else 'sin mensaje'}. Ejecuta "
            "python scripts/train_model.py para ver el error completo."
        )
    return output_dir / MODEL_FILENAME


def compare(
    base: str,
    label: str,
    output_dir: Path,
    n_samples: int,
    seed: int,
    lab_root: Path = LAB_ROOT,
) -> tuple[dict[str, Any], dict[str, Any], float]:
    """Entrena y evalúa la base y tu versión; da sus informes y la tolerancia."""
    from churn_lab.evaluation import evaluate_model_file, read_report
    from course.comparison import read_tolerance

    output_dir = output_dir.resolve()
    base_dir = output_dir / re.sub(r"[^\w.-]", "-", label)
    head_dir = output_dir / HEAD_DIRNAME
    with base_checkout(base, lab_root) as base_lab:
        print(f"🌿 Entrenando la versión de {label} (copia temporal con git worktree)…")
        base_model = train_version(base_lab, base_dir, n_samples, seed, label)
        tolerance = read_tolerance(base_lab / "pyproject.toml")
    print("🌱 Entrenando tu versión (esta carpeta, con tus cambios)…")
    head_model = train_version(lab_root, head_dir, n_samples, seed, "de esta carpeta")
    # Las dos se miden con el mismo código de evaluación y los mismos clientes.
    for model_path in (base_model, head_model):
        evaluate_model_file(model_path, model_path.parent, n_samples, seed)
    return (
        read_report(base_dir / METRICS_FILENAME),
        read_report(head_dir / METRICS_FILENAME),
        tolerance,
    )


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
        "--markdown",
        type=Path,
        help="además, escribe la sección «Modelo» del comentario de CI en este archivo",
    )
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=LAB_ROOT / DEFAULT_OUTPUT,
        help="carpeta para los modelos, metrics.json y los PNG de las dos versiones",
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
    output_dir = args.output_dir
    base, head, tolerance = compare(
        args.base, label, output_dir, args.n_samples, args.seed
    )
    print(f"\n📈 Modelo: {label} frente a tu versión\n")
    print(render_text(base, head, tolerance, label), end="")
    print(f"\n🖼️  Curvas ROC y matrices de confusión en {display_path(output_dir)}")
    if args.markdown:
        with atomic_output(args.markdown) as temporary:
            temporary.write_text(
                render_markdown(base, head, tolerance, label), encoding="utf-8"
            )
        print(f"📝 Sección «Modelo» para el comentario en {args.markdown}")
    return 0 if check_gate(base, head, tolerance).passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
