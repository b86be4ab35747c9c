"""Las partes del laboratorio y cómo se dice el estado de cada una.

Cada comprobación (``course.lab_parts``, ``course.github_parts``) devuelve un
``PartResult``: la parte, su estado, lo que lo prueba y el siguiente paso.
Hay cuatro estados:

- ✅ hecha; si solo lo dice el archivo de evidencia que escribe el propio
  estudiante, queda marcada como declarada (``declared``), no comprobada;
- ❌ falta, con el paso que toca;
- ⏳ en marcha (una ejecución de CI o CD que aún no termina);
- ❔ sin comprobar: GitHub (o Azure) no dejó leer lo necesario, y se dice por
  qué. Nunca es ❌: no se sabe si falta.

Solo usa la biblioteca estándar.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

DONE, MISSING, PENDING, UNCHECKED = "✅", "❌", "⏳", "❔"
PARTS: tuple[tuple[str, str], ...] = (
    ("parte1", "Parte 1: Crear repositorio"),
    ("parte2", "Parte 2: Flujo de trabajo GitOps"),
    ("parte3", "Parte 3: Entrenar modelo local"),
    ("parte4", "Parte 4: Configurar Azure ML"),
    ("parte5", "Parte 5: Registrar modelo"),
    ("parte6", "Parte 6: Pipeline de inferencia"),
    ("extra", "Extra: Automatización con GitHub Actions"),
)
PART_KEYS = tuple(key for key, _ in PARTS)
MODEL_NAME = "churn-prediction-model"
DATA_ASSET_NAME = "churn-inference-data"
PREDICTIONS_PATH = "data/inference_output.csv"
EVIDENCE_PATH = "evidence/progreso.json"
RETRY_ACTION = "vuelve a ejecutar la comprobación cuando GitHub responda"


@dataclass
class PartResult:  # pylint: disable=too-many-instance-attributes
    """Una línea del progreso: la parte, su estado, qué lo prueba y qué hacer.

    ``commands`` son los comandos del siguiente paso, uno por línea (así
    funcionan igual en PowerShell, cmd y bash); ``declared`` dice que la parte
    solo consta en la evidencia que escribió el estudiante.
    """

    key: str
    title: str
    state: str
    evidence: str
    next_action: str = ""
    url: str = ""
    commands: list[str] = field(default_factory=list)
    declared: bool = False


def result(  # pylint: disable=too-many-arguments
    key: str,
    state: str,
    evidence: str,
    action: str = "",
    url: str = "",
    commands: tuple[str, ...] = (),
) -> PartResult:
    """El ``PartResult`` de la parte ``key`` (sin siguiente paso si está hecha)."""
    title = dict(PARTS)[key]
    if state == DONE:
        action, commands = "", ()
    return PartResult(key, title, state, evidence, action, url, list(commands))


def unchecked(key: str, reason: str, action: str = RETRY_ACTION) -> PartResult:
    """La parte ``key`` sin comprobar (❔), con el motivo."""
    return result(key, UNCHECKED, f"sin comprobar: {reason}", action)


@dataclass
class Progress:
    """Todas las partes y las comprobaciones que no se pudieron hacer (y por qué)."""

    parts: list[PartResult]
    unchecked: list[str] = field(default_factory=list)
    repository: str = ""
    # Lo que no sirve del archivo de evidencia (ya se dijo en su parte, o no
    # afecta a ninguna): para que el estudiante lo corrija.
    warnings: list[str] = field(default_factory=list)

    def first_not_done(self) -> PartResult | None:
        """La primera parte que falta (❌); si no, la primera en marcha o sin comprobar.

        Mientras CI se ejecuta, o si GitHub no respondió, el siguiente paso es
        la primera parte que sí se sabe que falta.
        """
        for wanted in (MISSING, PENDING, UNCHECKED):
            found = [part for part in self.parts if part.state == wanted]
            if found:
                return found[0]
        return None

    def part(self, key: str) -> PartResult:
        """La línea de la parte ``key``."""
        return next(part for part in self.parts if part.key == key)

    def as_dict(self) -> dict[str, Any]:
        """El progreso como diccionario (para JSON)."""
        return {
            "repository": self.repository,
            "parts": [asdict(part) for part in self.parts],
            "unchecked": list(self.unchecked),
            "warnings": list(self.warnings),
        }
