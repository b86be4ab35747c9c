"""Generador de datos sintéticos de abandono de clientes (churn).

Crea clientes ficticios de una empresa de telecomunicaciones con el esquema de
``churn_lab.schema``. Todo se calcula con operaciones vectoriales de NumPy a
partir de ``numpy.random.default_rng(seed)``: la misma semilla da siempre los
mismos datos, byte a byte.

Cómo se generan los clientes (cada columna es independiente salvo donde se dice):

- ``tenure_months``: meses como cliente, entero uniforme entre 1 y 72.
- ``contract_type``: mes a mes 50 %, un año 25 %, dos años 25 %.
- ``internet_service``: DSL 35 %, fibra óptica 45 %, sin internet 20 %.
- ``payment_method``: cheque electrónico 35 %, cheque por correo 20 %,
  transferencia 22 %, tarjeta 23 %.
- ``monthly_charges``: uniforme según el servicio (sin internet 20–35,
  DSL 40–80, fibra 70–120 USD), con dos decimales.
- ``total_charges``: antigüedad × cargo mensual × (1 + ruido normal del 5 %).
- ``num_support_tickets``: Poisson de media 1,2 (2,2 con fibra), máximo 10.

La probabilidad real de abandono es una regresión logística:

    logit = -2,2
            + 1,7 si el contrato es mes a mes     (-1,2 si es de dos años)
            + 1,0 si paga con cheque electrónico
            + 0,3 × tickets de soporte si tiene fibra óptica
            + 0,15 × tickets de soporte en cualquier caso
            - 1,3 si lleva más de 24 meses como cliente
    p = 1 / (1 + e^-logit)

y ``churned`` se sortea con esa probabilidad. Con 10 000 clientes sale un
abandono global del 25 %, en torno al 41 % con contrato mes a mes y al 35 %
con cheque electrónico, y del 19 % pasados los 24 meses. Usar ``p`` como
puntuación da un ROC-AUC cercano a 0,83: es lo máximo que cualquier modelo
puede lograr con estos datos.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from churn_lab.schema import (
    CATEGORIES,
    ID_COLUMN,
    TARGET_COLUMN,
)

TRAINING_SEED = 42
TRAINING_SAMPLES = 10_000
INFERENCE_SEED = 123
INFERENCE_SAMPLES = 500
# Los clientes de inferencia siguen a los de entrenamiento: CUST-10001, …
INFERENCE_FIRST_ID = TRAINING_SAMPLES + 1

_CATEGORY_SHARES: dict[str, tuple[float, ...]] = {
    "contract_type": (0.50, 0.25, 0.25),
    "internet_service": (0.35, 0.45, 0.20),
    "payment_method": (0.35, 0.20, 0.22, 0.23),
}
# Cargo mensual (mínimo, máximo) según el servicio de internet, en el orden
# de CATEGORIES["internet_service"]: dsl, fiber_optic, no.
_CHARGE_LOW = np.array([40.0, 70.0, 20.0])
_CHARGE_HIGH = np.array([80.0, 120.0, 35.0])
_TICKET_MEAN = np.array([1.2, 2.2, 1.2])


def _category(rng: np.random.Generator, column: str, size: int) -> np.ndarray:
    """Índices de categoría sorteados con las proporciones de la columna."""
    shares = _CATEGORY_SHARES[column]
    return rng.choice(len(shares), size=size, p=shares)


def _labels(column: str, codes: np.ndarray) -> np.ndarray:
    """Textos de categoría para los índices ``codes`` (arreglo de objetos str)."""
    return np.array(CATEGORIES[column], dtype=object)[codes]


def _customer_ids(first_id: int, size: int) -> np.ndarray:
    numbers: np.ndarray = np.arange(first_id, first_id + size).astype(str)
    return np.char.add("CUST-", np.char.zfill(numbers, 5))


def churn_probability(customers: pd.DataFrame) -> np.ndarray:
    """Probabilidad real de abandono de cada cliente (el modelo del docstring)."""
    tickets = customers["num_support_tickets"].to_numpy(dtype=float)
    contract = customers["contract_type"].to_numpy()
    logit = (
        -2.2
        + 1.7 * (contract == "month-to-month")
        - 1.2 * (contract == "two-year")
        + 1.0 * (customers["payment_method"].to_numpy() == "electronic_check")
        + 0.3 * tickets * (customers["internet_service"].to_numpy() == "fiber_optic")
        + 0.15 * tickets
        - 1.3 * (customers["tenure_months"].to_numpy() > 24)
    )
    return 1.0 / (1.0 + np.exp(-logit))


def generate_customers(
    n_samples: int, seed: int, first_id: int = 1, with_target: bool = True
) -> pd.DataFrame:
    """Genera ``n_samples`` clientes; con ``with_target`` incluye ``churned``.

    Las columnas salen en el orden del esquema (E1 con objetivo, E2 sin él).
    """
    if n_samples < 1:
        raise ValueError("n_samples debe ser al menos 1")
    rng = np.random.default_rng(seed)
    contract = _category(rng, "contract_type", n_samples)
    internet = _category(rng, "internet_service", n_samples)
    payment = _category(rng, "payment_method", n_samples)
    tenure = rng.integers(1, 73, size=n_samples)
    monthly = np.round(rng.uniform(_CHARGE_LOW[internet], _CHARGE_HIGH[internet]), 2)
    noise = 1.0 + rng.normal(0.0, 0.05, size=n_samples)
    total = np.round(np.maximum(tenure * monthly * noise, 0.0), 2)
    tickets = np.minimum(rng.poisson(_TICKET_MEAN[internet]), 10)

    customers = pd.DataFrame(
        {
            ID_COLUMN: _customer_ids(first_id, n_samples),
            "tenure_months": tenure.astype("int64"),
            "monthly_charges": monthly,
            "total_charges": total,
            "contract_type": _labels("contract_type", contract),
            "internet_service": _labels("internet_service", internet),
            "payment_method": _labels("payment_method", payment),
            "num_support_tickets": tickets.astype("int64"),
        }
    )
    # El sorteo del objetivo va al final para que los datos de inferencia
    # (sin objetivo) y los de entrenamiento usen la misma secuencia aleatoria.
    if with_target:
        probability = churn_probability(customers)
        customers[TARGET_COLUMN] = (rng.random(n_samples) < probability).astype("int64")
    return customers


def generate_training_data(
    n_samples: int = TRAINING_SAMPLES, seed: int = TRAINING_SEED
) -> pd.DataFrame:
    """Datos de entrenamiento E1: ``CUST-00001`` en adelante, con ``churned``."""
    return generate_customers(n_samples, seed)


def generate_inference_data(
    n_samples: int = INFERENCE_SAMPLES, seed: int = INFERENCE_SEED
) -> pd.DataFrame:
    """Datos de inferencia E2: ``CUST-10001`` en adelante, sin ``churned``."""
    return generate_customers(n_samples, seed, INFERENCE_FIRST_ID, with_target=False)
