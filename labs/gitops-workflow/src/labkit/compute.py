"""Dónde corre el trabajo de Azure ML y si tu suscripción tiene cuota para ello.

Por defecto el trabajo usa **cómputo sin servidor** (*serverless*): Azure ML
enciende una máquina del tamaño pedido solo para el trabajo y la apaga al
terminar; no hay clúster que crear, escalar ni borrar. Consume la misma
cuota de vCPU de Azure ML que un clúster (azure-ai-docs,
``how-to-use-serverless-compute.md``). Con ``--compute-name`` se usa (o se
crea) un clúster tuyo.

Antes de enviar nada, ``check_quota`` lee la cuota de la suscripción en la
región del workspace (``ml_client.compute.list_usage()``) y los tamaños que
ofrece Azure ML (``ml_client.compute.list_sizes()``) y, si el tamaño pedido
no puede correr, termina en segundos con una línea en español que dice por
qué y qué tamaños sí puede usar esta suscripción:

- las series con **restricciones de crecimiento de capacidad** (julio de
  2026: D, Ds, Dv2, Dsv2, Dv3, Dsv3, B, Av2, F, Fs, Fsv2, Ev3, Esv3, G, Gs,
  Ls, Lsv2) no se pueden desplegar en suscripciones nuevas y no reciben más
  cuota (MicrosoftDocs/azure-compute-docs, ``retirements-and-capacity-
  restrictions.md``, 2026-09-24): pedir cuota no sirve, hay que cambiar de
  tamaño a una serie actual (v5, v6, v7);
- una familia actual con cuota 0 sí se puede pedir (Azure ML Studio → Cuota);
- con el total regional en 0, ningún tamaño sirve (Azure/mlops-v2#81);
- con la cuota ocupada por otros trabajos o clústeres, el trabajo esperaría
  en cola sin límite: mejor decirlo antes.

Un clúster que quedó en estado ``Failed`` no arranca nodos y su tamaño no se
puede cambiar: ``prepare_compute`` lo dice con los comandos exactos que sí
funcionan; uno que este mismo script acaba de crear y Azure rechazó se borra
enseguida, para que el siguiente intento no tropiece con él.

Las bibliotecas de Azure se importan dentro de las funciones para que
``--help`` responda al instante.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from labkit.azure_errors import explain_azure_error
from labkit.cli import LabError, first_line
from labkit.vm_families import (
    DEFAULT_VM_SIZE,
    RESTRICTED_FAMILIES,
    family_key,
    family_label,
)

if TYPE_CHECKING:
    from azure.ai.ml import MLClient

    from labkit.workspace import WorkspaceConfig

# Standard: máquina dedicada. Spot es más barata pero puede interrumpirse y en
# muchas suscripciones su cuota (Low Priority) es 0.
JOB_TIER = "Standard"
IDLE_SECONDS_BEFORE_SCALE_DOWN = 180
QUOTA_PAGE = "Azure ML Studio → Cuota (Quota) → la familia → Solicitar cuota"
# Cuántos tamaños alternativos se nombran en un mensaje.
SUGGESTIONS = 3


@dataclass(frozen=True)
class Quota:
    """Una fila de la lista de cuotas: vCPU en uso y límite."""

    name: str
    used: int
    limit: int

    @property
    def free(self) -> int:
        """vCPU libres (nunca negativo)."""
        return max(self.limit - self.used, 0)


@dataclass(frozen=True)
class VmSize:
    """Un tamaño de máquina que Azure ML ofrece en la región."""

    name: str
    family: str
    vcpus: int
    memory_gb: float
    gpus: int


def _field(item: Any, *names: str) -> Any:
    """Un campo de una entidad de azure-ai-ml, con su nombre de Python o de REST.

    azure-ai-ml 1.35.2 copia el JSON del servicio tal cual en ``Usage`` y
    ``VmSize`` (``_from_rest_object`` hace ``__dict__.update(obj.as_dict())``):
    ``current_value`` y ``v_cp_us`` quedan en ``None`` y los valores llegan como
    ``currentValue`` y ``vCPUs``. Se leen los dos.
    """
    for name in names:
        value = getattr(item, name, None)
        if value is None and isinstance(item, dict):
            value = item.get(name)
        if value is not None:
            return value
    return None


def read_quotas(usages: Iterable[Any]) -> tuple[dict[str, Quota], Quota | None]:
    """Las cuotas de la suscripción por familia, y la del total regional dedicado."""
    families: dict[str, Quota] = {}
    regional = None
    for usage in usages:
        kind = str(_field(usage, "type") or "")
        if "/workspaces/" in kind:
            continue  # las filas por workspace repiten las de la suscripción
        name = _field(usage, "name") or {}
        value = str(_field(name, "value") or "")
        shown = str(_field(name, "localized_value", "localizedValue") or value)
        quota = Quota(
            shown,
            int(_field(usage, "current_value", "currentValue") or 0),
            int(_field(usage, "limit") or 0),
        )
        lowered = (value + " " + shown).lower()
        if "total" in lowered:
            if "dedicated" in lowered or value == "TotalCores":
                regional = quota
        elif "family" in lowered:
            families[family_key(value or shown)] = quota
    return families, regional


def read_sizes(sizes: Iterable[Any]) -> dict[str, VmSize]:
    """Los tamaños de CPU de la región por nombre en minúsculas."""
    found = {}
    for size in sizes:
        name = str(_field(size, "name") or "")
        found[name.lower()] = VmSize(
            name,
            str(_field(size, "family") or ""),
            int(_field(size, "v_cp_us", "vCPUs") or 0),
            float(_field(size, "memory_gb", "memoryGB") or 0),
            int(_field(size, "gpus") or 0),
        )
    return found


def restricted_series(size: VmSize) -> str | None:
    """La serie con restricciones de capacidad de ``size``, si es de una."""
    return RESTRICTED_FAMILIES.get(family_key(size.family))


def runnable_sizes(
    sizes: dict[str, VmSize], families: dict[str, Quota], regional: Quota | None
) -> list[tuple[VmSize, int]]:
    """Tamaños de CPU de 2 a 4 vCPU que la suscripción puede usar ya, y sus libres."""
    room = regional.free if regional else 0
    found = []
    for size in sizes.values():
        quota = families.get(family_key(size.family))
        if (
            quota is None
            or size.gpus
            or not 2 <= size.vcpus <= 4
            or restricted_series(size)
            or min(quota.free, room) < size.vcpus
        ):
            continue
        found.append((size, min(quota.free, room)))
    found.sort(
        key=lambda item: (
            item[0].name.lower() != DEFAULT_VM_SIZE.lower(),
            item[0].vcpus,
            item[0].memory_gb,
            item[0].name,
        )
    )
    return found


def _alternatives(runnable: list[tuple[VmSize, int]]) -> str:
    return ", ".join(
        f"--vm-size {size.name} ({size.vcpus} vCPU, {free} libres)"
        for size, free in runnable[:SUGGESTIONS]
    )


def quota_problem(
    size: VmSize,
    families: dict[str, Quota],
    regional: Quota | None,
    runnable: list[tuple[VmSize, int]],
) -> str | None:
    """Por qué ``size`` no puede correr ahora en esta suscripción, o ``None``."""
    quota = families.get(family_key(size.family), Quota(size.family, 0, 0))
    label = family_label(size.family)
    others = _alternatives([item for item in runnable if item[0] != size])
    use_other = f"Usa uno que sí puede: {others}." if others else ""
    series = restricted_series(size)
    if series and quota.free < size.vcpus:
        ask = (
            ""
            if others
            else f" Pide cuota para una serie actual (v5 o v6) en {QUOTA_PAGE}."
        )
        return (
            f"{size.name} es de la serie {series}, que desde julio de 2026 no se "
            "puede desplegar en suscripciones nuevas ni recibe más cuota "
            "(restricción de crecimiento de capacidad de Azure): pedir cuota no "
            f"sirve (cuota de {label}: {quota.limit} vCPU). {use_other}{ask}"
        ).strip()
    if regional is not None and regional.limit == 0:
        return (
            "tu suscripción no tiene cuota de vCPU de Azure ML en esta región "
            f"(cuota total 0, «{regional.name}»): otro --vm-size no ayuda. Pide "
            f"cuota para la familia {label} en {QUOTA_PAGE} (es aparte de la de "
            "máquinas virtuales), crea el workspace en otra región o usa --local."
        )
    if quota.limit < size.vcpus:
        return (
            f"tu suscripción tiene {quota.limit} vCPU de cuota de Azure ML para la "
            f"familia {label} y {size.name} necesita {size.vcpus}. {use_other} "
            f"O pide cuota para {label} en {QUOTA_PAGE}."
        ).strip()
    busy = quota if quota.free < size.vcpus else regional
    if busy is not None and busy.free < size.vcpus:
        return (
            f"la cuota de «{busy.name}» está ocupada ({busy.used} de {busy.limit} "
            "vCPU en uso por otros trabajos o clústeres con nodos encendidos): el "
            "trabajo esperaría en cola hasta que se liberen. Espera a que terminen "
            "(Azure ML Studio → Trabajos y Proceso; un clúster con mínimo de nodos "
            f"mayor que 0 no los libera nunca). {use_other}"
        ).strip()
    return None


@dataclass(frozen=True)
class QuotaView:
    """La cuota de la suscripción en la región del workspace y sus tamaños."""

    location: str
    sizes: dict[str, VmSize]
    families: dict[str, Quota]
    regional: Quota | None

    def runnable(self) -> list[tuple[VmSize, int]]:
        """Los tamaños que la suscripción puede usar ya."""
        return runnable_sizes(self.sizes, self.families, self.regional)

    def size(self, vm_size: str) -> VmSize:
        """El tamaño ``vm_size`` de la región, o ``LabError`` con los que sí hay."""
        size = self.sizes.get(vm_size.lower())
        if size is None:
            others = _alternatives(self.runnable())
            raise LabError(
                f"Azure ML no ofrece el tamaño {vm_size!r} en la región "
                f"{self.location} (revisa mayúsculas y guiones bajos: "
                f"{DEFAULT_VM_SIZE})."
                + (
                    f" Tamaños que tu suscripción puede usar: {others}."
                    if others
                    else ""
                )
            )
        return size


def read_compute_quota(ml_client: MLClient) -> QuotaView | None:
    """La cuota y los tamaños de la región del workspace.

    ``None`` si Azure no deja leerlos (el rol AzureML Data Scientist no lee las
    cuotas de la suscripción): entonces se sigue sin comprobarlos.
    """
    from azure.core.exceptions import HttpResponseError

    try:
        location = str(ml_client.workspaces.get(ml_client.workspace_name).location)
        sizes = ml_client.compute.list_sizes(
            location=location, compute_type="AmlCompute"
        )
        usages = ml_client.compute.list_usage(location=location)
        return QuotaView(location, read_sizes(sizes), *read_quotas(usages))
    except HttpResponseError as error:
        if error.status_code != 403:
            raise
        return None


def check_quota(ml_client: MLClient, vm_size: str) -> VmSize | None:
    """Comprueba, antes de enviar, que ``vm_size`` puede correr ya en tu suscripción.

    Devuelve el tamaño (con sus vCPU), o ``None`` si la cuota no se puede leer
    (Azure dirá si no alcanza). ``LabError`` si el tamaño no existe o no cabe.
    """
    view = read_compute_quota(ml_client)
    if view is None:
        print(
            "ℹ️  Tu cuenta no puede leer la cuota de la suscripción "
            "(AuthorizationFailed): sigo sin comprobarla; si no alcanza, Azure "
            "ML lo dirá."
        )
        return None
    size = view.size(vm_size)
    problem = quota_problem(size, view.families, view.regional, view.runnable())
    if problem:
        raise LabError(problem)
    quota = view.families[family_key(size.family)]
    print(
        f"🧮 Cuota: {size.name} ({size.vcpus} vCPU) cabe en "
        f"{family_label(size.family)} ({quota.free} de {quota.limit} vCPU libres)."
    )
    return size


def quota_summary(ml_client: MLClient, vm_size: str = DEFAULT_VM_SIZE) -> str:
    """Una línea para la Parte 4: si el trabajo de la Parte 6 cabe en tu cuota."""
    view = read_compute_quota(ml_client)
    if view is None:
        return "sin permiso para leer la cuota (lo comprobará la Parte 6)"
    try:
        size = view.size(vm_size)
    except LabError as error:
        return str(error)
    problem = quota_problem(size, view.families, view.regional, view.runnable())
    if problem:
        return f"{vm_size} no cabe: {problem}"
    quota = view.families[family_key(size.family)]
    return f"{vm_size} sin servidor: {quota.free} de {quota.limit} vCPU libres"


# --------------------------------------------------------------------------
# Un clúster propio (--compute-name)
# --------------------------------------------------------------------------


def az_ml_compute(action: str, name: str, config: WorkspaceConfig) -> str:
    """``az ml compute <action>`` con el grupo y el workspace, como se escribe."""
    return (
        f"az ml compute {action} --name {name} --resource-group "
        f"{config.resource_group} --workspace-name {config.workspace_name}"
    )


def prepare_compute(
    ml_client: MLClient,
    compute_name: str | None,
    vm_size: str,
    config: WorkspaceConfig,
) -> str:
    """Deja listo dónde correrá el trabajo y devuelve el tamaño de máquina.

    Sin ``compute_name``: cómputo sin servidor de ``vm_size``, con la cuota
    comprobada. Con ``compute_name``: el clúster, si existe (con la cuota de
    su tamaño comprobada), o uno nuevo de 0 a 1 nodos de ``vm_size``. Un
    clúster en estado ``Failed`` es un callejón sin salida: se dice qué hacer.
    Si la creación que empieza aquí falla (Azure responde con el error de
    cuota mientras se consulta la operación, Azure/mlops-v2#81), el clúster
    fallido recién creado se borra antes de explicar el error.
    """
    from azure.ai.ml.entities import AmlCompute
    from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

    if not compute_name:
        check_quota(ml_client, vm_size)
        return vm_size
    try:
        compute = ml_client.compute.get(compute_name)
    except ResourceNotFoundError:
        check_quota(ml_client, vm_size)
        print(f"🖥️  Creando el clúster {compute_name} ({vm_size}, de 0 a 1 nodos)…")
        cluster = AmlCompute(
            name=compute_name,
            size=vm_size,
            min_instances=0,
            max_instances=1,
            idle_time_before_scale_down=IDLE_SECONDS_BEFORE_SCALE_DOWN,
            tier="Dedicated",
        )
        try:
            ml_client.compute.begin_create_or_update(cluster).result()
        except HttpResponseError as error:
            if _delete_failed_cluster(ml_client, compute_name):
                cleanup = "ya lo borré: puedes volver a intentarlo"
            else:
                delete = az_ml_compute("delete", compute_name, config)
                cleanup = f"bórralo con: {delete} --yes"
            raise LabError(
                f"{explain_azure_error(error)} (Azure dejó el clúster {compute_name} "
                f"en estado Failed; {cleanup}.)"
            ) from None
        print(f"🖥️  Clúster {compute_name} creado.")
        return vm_size
    if compute.provisioning_state == "Failed":
        raise LabError(failed_cluster_message(compute, vm_size, config))
    size = str(getattr(compute, "size", None) or vm_size)
    check_quota(ml_client, size)
    print(f"🖥️  Clúster {compute_name} listo ({size}).")
    return size


def _delete_failed_cluster(ml_client: MLClient, name: str) -> bool:
    """Borra el clúster que esta ejecución creó y Azure dejó en ``Failed``."""
    from azure.core.exceptions import AzureError

    try:
        ml_client.compute.begin_delete(name).result(timeout=300)
    except AzureError:
        return False  # el mensaje dice cómo borrarlo a mano
    return True


def failed_cluster_message(compute: Any, vm_size: str, config: WorkspaceConfig) -> str:
    """Qué hacer con un clúster en ``Failed``: no arranca nodos ni cambia de tamaño."""
    errors = getattr(compute, "provisioning_errors", None) or []
    detail = first_line(Exception(str(errors[0]))) if errors else "sin detalle"
    return (
        f"el clúster {compute.name} ({getattr(compute, 'size', '?')}) quedó en estado "
        f"Failed al crearlo ({detail[:200]}) y así no arranca nodos: su tamaño "
        "tampoco se puede cambiar. Ejecuta el pipeline sin --compute-name (cómputo "
        f"sin servidor con --vm-size {vm_size}), o bórralo y vuelve a crearlo: "
        f"{az_ml_compute('delete', compute.name, config)} --yes (o en Azure ML "
        "Studio → Proceso → Clústeres de proceso) y después el mismo comando con "
        f"--compute-name {compute.name} --vm-size {vm_size}."
    )
