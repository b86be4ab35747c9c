"""Azure ML's compute quota: the VM sizes of the region and each subscription's usages.

No HTTP here. Two subscriptions can be emulated (``Subscription``), switched
by the tests (``AzureEmulator.subscription``):

- ``existing``: a subscription from before July 2026, with quota approved for
  the older families (what the lab was written against);
- ``new``: one created today. The series under Azure's capacity growth
  restrictions (D, Ds, Dv2, Dsv2, Dv3, Dsv3, B, Av2, F, Fs, Fsv2, Ev3, Esv3, G,
  Gs, Ls, Lsv2: MicrosoftDocs/azure-compute-docs,
  ``virtual-machines/sizes/lifecycle/retirements-and-capacity-restrictions.md``,
  2026-09-24: "New subscriptions can't deploy the affected VM series") are at 0
  and stay there; the current v5/v6 families have a little quota; low-priority
  (Spot) has none, as a 2026-08 ``az ml compute list-usage`` of a student-sized
  subscription shows ("Total Cluster Low Priority Regional vCPUs 0").

The usages list has the service's shape (``GET …/locations/<region>/usages``,
azure-ai-ml's ``Usage`` REST model): one row per family
(``name.value`` ``standardDSv2Family``, ``name.localizedValue`` «Standard DSv2
Family Cluster Dedicated vCPUs»), the regional totals («Total Cluster Dedicated
Regional vCPUs», «Total Cluster Low Priority Regional vCPUs»), and the same
family rows per workspace; it comes in two pages (``nextLink``).

What the service refuses, with its texts (search of the issues corpus):

- a cluster whose family cannot hold even one node, at creation, even with 0
  minimum nodes, while the long-running operation is polled:
  ``ClusterMinNodesExceedCoreQuota`` «The specified subscription has a Standard
  DSv2 family vCPU quota of 6 and cannot accomodate for at least 1 requested
  managed compute nodes which maps to 8 vCPUs.» (ansible-collections/azure#2209,
  2026-04); with no regional quota at all, «…has a total vCPU quota of 0 and
  cannot accomodate for at least 1 requested managed compute node which maps to
  2 vCPUs» (Azure/mlops-v2#81);
- a serverless job whose family has no quota, at submission
  (``how-to-use-serverless-compute.md``: "If you don't have quota for your
  specified VM size, you see an error"), with the job-submission text of
  ``JobNodeCountExceedsCoreQuota`` (MicrosoftLearning/mslearn-dp100#35);
- quota used up by others: the job waits in the queue ("your job must wait in a
  queue until quota is available"), here for as long as the fault lasts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..app import REGION, SUBSCRIPTION, WORKSPACE_ID, ArmError


@dataclass(frozen=True)
class Size:
    """A VM size Azure ML offers in the region."""

    name: str
    family: str
    vcpus: int
    memory_gb: float
    gpus: int = 0


SIZES = [
    # Restricted series (capacity growth restrictions, July 2026).
    Size("Standard_DS2_v2", "standardDSv2Family", 2, 7),
    Size("Standard_DS3_v2", "standardDSv2Family", 4, 14),
    Size("Standard_D2_v2", "standardDv2Family", 2, 7),
    Size("Standard_D2s_v3", "standardDSv3Family", 2, 8),
    Size("Standard_D2_v3", "standardDv3Family", 2, 8),
    Size("Standard_F2s_v2", "standardFSv2Family", 2, 4),
    Size("Standard_E4s_v3", "standardESv3Family", 4, 32),
    Size("Standard_A2_v2", "standardAv2Family", 2, 4),
    Size("Standard_DS11_v2", "standardDSv2Family", 2, 14),
    # Not restricted, but no new quota here (End of Life).
    Size("Standard_D2as_v4", "standardDASv4Family", 2, 8),
    # Current series.
    Size("Standard_D2as_v5", "standardDASv5Family", 2, 8),
    Size("Standard_D4as_v5", "standardDASv5Family", 4, 16),
    Size("Standard_D2s_v5", "standardDSv5Family", 2, 8),
    Size("Standard_D2ads_v5", "standardDADSv5Family", 2, 8),
    Size("Standard_E2as_v5", "standardEASv5Family", 2, 16),
    Size("Standard_D2as_v6", "standardDASv6Family", 2, 8),
    Size("Standard_D2s_v6", "standardDSv6Family", 2, 8),
    Size("Standard_NC4as_T4_v3", "standardNCASv3_T4Family", 4, 28, 1),
]
SIZES_BY_NAME = {size.name.lower(): size for size in SIZES}
RESTRICTED = {
    "standardDSv2Family",
    "standardDv2Family",
    "standardDSv3Family",
    "standardDv3Family",
    "standardFSv2Family",
    "standardESv3Family",
    "standardAv2Family",
}
CURRENT = {
    "standardDASv5Family",
    "standardDSv5Family",
    "standardDADSv5Family",
    "standardEASv5Family",
    "standardDASv6Family",
    "standardDSv6Family",
}
FAMILIES = sorted({size.family for size in SIZES})
QUOTA_DOCS = (
    "https://docs.microsoft.com/azure/machine-learning/how-to-manage-quotas"
    "#request-quota-increases"
)


@dataclass(frozen=True)
class Subscription:
    """The Azure ML quota of one subscription in the region: vCPU limits."""

    name: str
    regional: int
    low_priority: int
    families: dict[str, int]

    def limit(self, family: str) -> int:
        return self.families.get(family, 0)


SUBSCRIPTIONS = {
    "existing": Subscription(
        "existing",
        regional=20,
        low_priority=0,
        families={family: 6 for family in FAMILIES if "NC" not in family},
    ),
    "new": Subscription(
        "new",
        regional=6,
        low_priority=0,
        families={family: 6 if family in CURRENT else 0 for family in FAMILIES},
    ),
}


def family_label(family: str) -> str:
    """``standardDSv2Family`` → «Standard DSv2» (as the service writes it)."""
    return "Standard " + family.removeprefix("standard").removesuffix("Family")


def size_of(name: str) -> Size:
    """The size called ``name`` (case-insensitive, as Azure), or a 400."""
    size = SIZES_BY_NAME.get(str(name).lower())
    if size is None:
        raise ArmError(
            400, "BadRequest", f"The VM size {name} is not supported in {REGION}."
        )
    return size


class Quota:
    """What the subscription can run now: limits, and vCPUs held by others."""

    def __init__(self, subscription: Subscription, in_use: bool) -> None:
        self.subscription = subscription
        # ``quota_in_use``: other jobs and clusters hold every vCPU of the quota.
        self.in_use = in_use

    def used(self, limit: int) -> int:
        return limit if self.in_use else 0

    def usages(self) -> list[dict[str, Any]]:
        """Every row of ``GET …/locations/<region>/usages``, subscription first."""
        base = (
            f"/subscriptions/{SUBSCRIPTION}/providers/"
            "Microsoft.MachineLearningServices/locations/" + REGION
        )
        sub = self.subscription
        rows = [
            self._row(
                f"{base}/usages/totalCores",
                "Microsoft.MachineLearningServices/totalCores/usages",
                ("TotalCores", "Total Cluster Dedicated Regional vCPUs"),
                sub.regional,
            ),
            self._row(
                f"{base}/usages/totalLowPriorityCores",
                "Microsoft.MachineLearningServices/totalLowPriorityCores/usages",
                ("TotalLowPriorityCores", "Total Cluster Low Priority Regional vCPUs"),
                sub.low_priority,
            ),
        ]
        for scope, kind in (
            (base, "Microsoft.MachineLearningServices/vmFamily/usages"),
            (
                WORKSPACE_ID,
                "Microsoft.MachineLearningServices/workspaces/dedicatedCores/usages",
            ),
        ):
            rows.extend(
                self._row(
                    f"{scope}/vmFamily/{family}/usages",
                    kind,
                    (family, f"{family_label(family)} Family Cluster Dedicated vCPUs"),
                    sub.limit(family),
                )
                for family in FAMILIES
            )
        return rows

    def _row(
        self, row_id: str, kind: str, name: tuple[str, str], limit: int
    ) -> dict[str, Any]:
        return {
            "id": row_id,
            "amlWorkspaceLocation": REGION,
            "type": kind,
            "unit": "Count",
            "currentValue": self.used(limit),
            "limit": limit,
            "name": {"value": name[0], "localizedValue": name[1]},
        }

    def cluster_refusal(self, size: Size) -> dict[str, str] | None:
        """The error a cluster creation ends with while polling, or None.

        Even with 0 minimum nodes, the family and the region must hold one node.
        """
        sub = self.subscription
        if sub.regional < size.vcpus:
            return regional_refusal(size, sub.regional)
        if sub.limit(size.family) < size.vcpus:
            return family_refusal(size, sub.limit(size.family))
        return None

    def check_serverless_job(self, size: Size, count: int) -> None:
        """``ArmError`` 400 if the family or the region cannot hold the job's nodes."""
        sub = self.subscription
        needed = size.vcpus * count
        for limit, what in (
            (sub.limit(size.family), f"{family_label(size.family)} family"),
            (sub.regional, "total"),
        ):
            if limit < needed:
                raise ArmError(
                    400,
                    "UserError",
                    "Job submission to AzureML Compute encountered an Exception with "
                    "status code JobNodeCountExceedsCoreQuota, The specified "
                    f"subscription has a {what} vCPU quota of {limit} and is less "
                    f"than the requested job node count of {count} which maps to "
                    f"{needed} vCPUs. Talk to your Subscription Admin or refer to "
                    f"{QUOTA_DOCS} to increase the {what} vCPU quota",
                )

    def node_available(self) -> bool:
        """Whether a job in the queue gets a node now."""
        return not self.in_use


def regional_refusal(size: Size, limit: int) -> dict[str, str]:
    """A cluster refused for the regional total (Azure/mlops-v2#81)."""
    return {
        "code": "BadRequest",
        "message": (
            f"The specified subscription has a total vCPU quota of {limit} and "
            "cannot accomodate for at least 1 requested managed compute node which "
            f"maps to {size.vcpus} vCPUs. Talk to your Subscription Admin or refer "
            f"to {QUOTA_DOCS} to increase the total vCPU quota."
        ),
    }


def family_refusal(size: Size, limit: int) -> dict[str, str]:
    """A cluster refused for its family (ansible-collections/azure#2209)."""
    return {
        "code": "ClusterMinNodesExceedCoreQuota",
        "message": (
            f"The specified subscription has a {family_label(size.family)} family "
            f"vCPU quota of {limit} and cannot accomodate for at least 1 requested "
            f"managed compute nodes which maps to {size.vcpus} vCPUs."
        ),
    }


def vm_sizes() -> list[dict[str, Any]]:
    """``GET …/locations/<region>/vmSizes``: every size, as the REST model has it."""
    return [
        {
            "name": size.name,
            "family": size.family,
            "vCPUs": size.vcpus,
            "gpus": size.gpus,
            "osVhdSizeMB": 1047552,
            "maxResourceVolumeMB": size.vcpus * 8192,
            "memoryGB": size.memory_gb,
            "lowPriorityCapable": True,
            "premiumIO": True,
            "supportedComputeTypes": ["AmlCompute", "ComputeInstance"],
        }
        for size in SIZES
    ]
