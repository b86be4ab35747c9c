"""Las familias de máquinas virtuales de Azure ML y las que ya no crecen.

Azure ML nombra cada familia en su lista de cuotas como ``standardDSv2Family``
(«Standard DSv2 Family Cluster Dedicated vCPUs» en Studio). Desde julio de
2026 las series con restricciones de crecimiento de capacidad no se pueden
desplegar en suscripciones nuevas y no reciben más cuota en las existentes
(MicrosoftDocs/azure-compute-docs, ``virtual-machines/sizes/lifecycle/
retirements-and-capacity-restrictions.md``, 2026-09-24); los reemplazos
recomendados son las series v5, v6 y v7.

Solo usa la biblioteca estándar.
"""

from __future__ import annotations

import re

# Serie AMD de uso general v5 (Dasv5): 2 vCPU y 8 GiB, de las recomendadas para
# reemplazar a las series restringidas; de sobra para puntuar 500 clientes.
DEFAULT_VM_SIZE = "Standard_D2as_v5"
# Las familias (como las nombra Azure ML en su lista de cuotas) de las series
# con restricciones de crecimiento de capacidad desde julio de 2026.
RESTRICTED_FAMILIES = {
    "standarddfamily": "D",
    "standarddsfamily": "Ds",
    "standarddv2family": "Dv2",
    "standarddsv2family": "Dsv2",
    "standarddv3family": "Dv3",
    "standarddsv3family": "Dsv3",
    "standardbfamily": "B",
    "standardbsfamily": "Bs",
    "standardav2family": "Av2",
    "standardamv2family": "Amv2",
    "standardffamily": "F",
    "standardfsfamily": "Fs",
    "standardfsv2family": "Fsv2",
    "standardev3family": "Ev3",
    "standardesv3family": "Esv3",
    "standardgfamily": "G",
    "standardgsfamily": "Gs",
    "standardlsfamily": "Ls",
    "standardlsv2family": "Lsv2",
}


def family_key(name: str) -> str:
    """``standardDSv2Family`` o «Standard DSv2 Family Cluster…» → la misma clave."""
    text = re.sub(r"\s+", "", name).lower()
    return text.split("family", 1)[0] + "family" if "family" in text else text


def family_label(family: str) -> str:
    """``standardDSv2Family`` → «Standard DSv2» (como la muestra Studio)."""
    label = re.sub(r"^standard", "", family, flags=re.IGNORECASE)
    label = re.sub(r"family$", "", label, flags=re.IGNORECASE)
    return f"Standard {label}"
