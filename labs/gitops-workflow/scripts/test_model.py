"""Prueba el modelo entrenado con cinco clientes escritos a mano.

Los cinco clientes van de un riesgo claramente bajo (contrato de dos años,
muchos meses como cliente, sin reclamos) a uno claramente alto (contrato mes a
mes, recién llegado, fibra óptica con muchos tickets de soporte y pago con
cheque electrónico). Si el modelo aprendió algo, sus probabilidades de abandono
deben subir de arriba abajo en la tabla.

``model.pkl`` es un archivo de joblib (pickle): cargarlo ejecuta el código que
lleve dentro. Prueba solo el que entrenaste tú.

Uso: python scripts/test_model.py [--model-path artifacts/model.pkl]
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from _lab import LAB_ROOT  # va primero: encuentra src/ y revisa tu Python

import pandas as pd

from churn_lab.evaluation import THRESHOLD
from churn_lab.model import DEFAULT_MODEL_PATH, load_model, model_type
from churn_lab.schema import FEATURES, as_model_input
from labkit.cli import (
    build_parser,
    display_path,
    format_percent,
    print_table,
    report_errors,
)

SAMPLE_CUSTOMERS: list[dict[str, Any]] = [
    {
        "description": "Fiel: 2 años de contrato, 60 meses",
        "tenure_months": 60,
        "monthly_charges": 55.0,
        "total_charges": 3300.0,
        "contract_type": "two-year",
        "internet_service": "dsl",
        "payment_method": "credit_card",
        "num_support_tickets": 0,
    },
    {
        "description": "Estable: 1 año de contrato, 36 meses",
        "tenure_months": 36,
        "monthly_charges": 70.0,
        "total_charges": 2520.0,
        "contract_type": "one-year",
        "internet_service": "dsl",
        "payment_method": "bank_transfer",
        "num_support_tickets": 1,
    },
    {
        "description": "Dudoso: mes a mes, 30 meses",
        "tenure_months": 30,
        "monthly_charges": 65.0,
        "total_charges": 1950.0,
        "contract_type": "month-to-month",
        "internet_service": "dsl",
        "payment_method": "mailed_check",
        "num_support_tickets": 2,
    },
    {
        "description": "En riesgo: mes a mes, 8 meses, fibra",
        "tenure_months": 8,
        "monthly_charges": 90.0,
        "total_charges": 720.0,
        "contract_type": "month-to-month",
        "internet_service": "fiber_optic",
        "payment_method": "mailed_check",
        "num_support_tickets": 3,
    },
    {
        "description": "Crítico: recién llegado, 7 tickets",
        "tenure_months": 2,
        "monthly_charges": 105.0,
        "total_charges": 210.0,
        "contract_type": "month-to-month",
        "internet_service": "fiber_optic",
        "payment_method": "electronic_check",
        "num_support_tickets": 7,
    },
]


def predict_samples(model_path: Path) -> list[float]:
    """Carga el modelo y devuelve la probabilidad de abandono de cada cliente."""
    model = load_model(model_path)  # joblib.load, con un mensaje claro si falla
    n_features = getattr(model, "n_features_in_", len(FEATURES))
    print(f"🤖 Modelo: {model_type(model)} · {n_features} columnas de entrada")
    customers = as_model_input(pd.DataFrame(SAMPLE_CUSTOMERS))
    # predict_proba da la probabilidad de cada clase: [se queda, abandona].
    return [float(value) for value in model.predict_proba(customers)[:, 1]]


def verdict(probability: float) -> str:
    """Texto del veredicto para una probabilidad de abandono."""
    return "⚠️  abandonaría" if probability > THRESHOLD else "se queda"


@report_errors
def main(argv: Sequence[str] | None = None) -> int:
    """Lee los argumentos, prueba el modelo y devuelve el código de salida."""
    parser = build_parser(__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument(
        "--model-path",
        type=Path,
        default=LAB_ROOT / DEFAULT_MODEL_PATH,
        help="archivo del modelo que entrenaste tú (joblib: ejecuta código al cargar)",
    )
    args = parser.parse_args(argv)
    print(
        f"🧪 Probando el modelo {display_path(args.model_path)} "
        "con 5 clientes de ejemplo\n"
    )
    probabilities = predict_samples(args.model_path)
    rows = [
        [
            str(number),
            customer["description"],
            format_percent(probability).rjust(7),
            verdict(probability),
        ]
        for number, (customer, probability) in enumerate(
            zip(SAMPLE_CUSTOMERS, probabilities), start=1
        )
    ]
    print()
    print_table(rows, ["#", "Cliente", "Prob. abandono", "Veredicto"])
    print(
        f"\n(Umbral: {format_percent(THRESHOLD, 0)}. "
        "Más probabilidad = más riesgo de abandonar.)"
    )
    print("✅ El modelo responde.")
    # Como en el tutorial: después de probarlo en local viene la Parte 4.
    print(
        "➡️  Siguiente paso: conecta con Azure ML (Parte 4): "
        "python scripts/verify_azure_connection.py"
    )
    print("   Sin Azure: python scripts/verify_azure_connection.py --local")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
