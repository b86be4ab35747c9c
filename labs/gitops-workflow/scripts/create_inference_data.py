"""Crea el CSV de clientes nuevos que el modelo va a puntuar.

Genera clientes sintéticos con el mismo esquema que los de entrenamiento, pero
sin la columna ``churned`` (es lo que queremos predecir) y con identificadores
que siguen a los de entrenamiento: ``CUST-10001``, ``CUST-10002``, … La semilla
fija hace que el archivo sea idéntico byte a byte en cada ejecución.

Uso: python scripts/create_inference_data.py [--seed 123] [--n-samples 500]
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from _lab import LAB_ROOT  # va primero: encuentra src/ y revisa tu Python

import pandas as pd

from churn_lab.data import INFERENCE_SAMPLES, INFERENCE_SEED, generate_inference_data
from churn_lab.schema import CSV_WRITE_OPTIONS
from labkit.cli import (
    atomic_output,
    build_parser,
    display_path,
    positive_int,
    quantity,
    report_errors,
    seed_int,
)

OUTPUT_FILENAME = "inference_input.csv"
PREVIEW_ROWS = 5


def create_inference_data(n_samples: int, seed: int, output_dir: Path) -> Path:
    """Genera los clientes, los guarda en ``output_dir`` y devuelve la ruta."""
    customers = generate_inference_data(n_samples, seed)
    output_path = output_dir / OUTPUT_FILENAME
    with atomic_output(output_path) as temporary:  # nunca un CSV a medias
        customers.to_csv(temporary, **CSV_WRITE_OPTIONS)
    print(
        f"📊 {quantity(len(customers), 'cliente generado', 'clientes generados')} "
        f"(semilla {seed})."
    )
    shown = min(PREVIEW_ROWS, len(customers))
    print("\nPrimera fila:" if shown == 1 else f"\nPrimeras {shown} filas:")
    with pd.option_context("display.width", 120, "display.max_columns", None):
        print(customers.head(PREVIEW_ROWS).to_string(index=False))
    return output_path


@report_errors
def main(argv: Sequence[str] | None = None) -> int:
    """Lee los argumentos, crea el CSV y devuelve el código de salida."""
    parser = build_parser(__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument(
        "--seed",
        type=seed_int,
        default=INFERENCE_SEED,
        help="semilla aleatoria (mismo archivo en cada ejecución)",
    )
    parser.add_argument(
        "--n-samples",
        type=positive_int,
        default=INFERENCE_SAMPLES,
        help="número de clientes a generar",
    )
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=LAB_ROOT / "data",
        help=f"carpeta donde se guarda {OUTPUT_FILENAME}",
    )
    args = parser.parse_args(argv)
    output_path = create_inference_data(args.n_samples, args.seed, args.output_dir)
    print(f"\n💾 Datos guardados en {display_path(output_path)}")
    # Este script es igual con Azure y sin Azure; el siguiente no.
    print("✅ Listo. Siguiente paso: súbelos con python scripts/upload_data.py")
    print("   Sin Azure: python scripts/upload_data.py --local")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
