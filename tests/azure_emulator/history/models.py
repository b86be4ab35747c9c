"""Artifacts, runs and job outputs as run history sees them. No HTTP here.

Every artifact is a blob of the workspace's artifact container, at
``<origin>/<container>/<path>``; a run's are at ``ExperimentRun/dcid.<run id>/``,
next to the logs of a job (whose run id is its name).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..app import ARTIFACT_CONTAINER, ArmError
from ..arm.jobs import output_asset_id, output_uri

if TYPE_CHECKING:
    from ..app import AzureEmulator

RUN_ORIGIN = "ExperimentRun"
OUTPUT_ASSET = re.compile(
    r"/data/azureml_(?P<job>.+)_output_data_(?P<output>[^/]+)/versions/1$"
)


def run_container(run: str) -> str:
    """The artifact container of a run."""
    return f"dcid.{run}"


class RunHistory:
    """Artifacts and runs of the workspace."""

    def __init__(self, emulator: AzureEmulator) -> None:
        self.emulator = emulator

    def content_uri(self, origin: str, container: str, path: str) -> str:
        """The SAS link to an artifact's blob."""
        return self.emulator.blobs.url(
            ARTIFACT_CONTAINER, f"{origin}/{container}/{path}"
        )

    def exists(self, origin: str, container: str, path: str) -> bool:
        """Whether the artifact has been uploaded."""
        return self.emulator.blobs.path(
            ARTIFACT_CONTAINER, f"{origin}/{container}/{path}"
        ).is_file()

    def paths(self, origin: str, container: str) -> list[str]:
        """The artifacts' paths in a container, sorted."""
        return self.emulator.blobs.files_under(
            ARTIFACT_CONTAINER, f"{origin}/{container}"
        )

    @staticmethod
    def check_run(run: str) -> None:
        """``ArmError`` 404 unless MLflow's tracking store knows the run."""
        from mlflow.exceptions import MlflowException
        from mlflow.server.handlers import _get_tracking_store

        try:
            _get_tracking_store().get_run(run)
        except MlflowException as error:
            raise ArmError(404, "UserError", f"Run {run} was not found.") from error

    def run_data(self, run_id: str) -> dict[str, Any]:
        """A job's run metadata: its status and its outputs' data assets."""
        job = self.emulator.jobs.get(run_id)
        if job is None:
            raise ArmError(404, "UserError", f"Run {run_id} not found.")
        outputs = {
            output: {"assetId": output_asset_id(run_id, output), "type": "UriFolder"}
            for output in job["properties"].get("outputs", {})
            if output != "default"
        }
        return {
            "runMetadata": {
                "runId": run_id,
                "status": job["properties"]["status"],
                "outputs": outputs,
            }
        }

    def resolved_uris(self, asked: list[str]) -> dict[str, Any]:
        """Where the jobs' output data assets in ``asked`` are, by asset id."""
        found = {}
        for asset_id in asked:
            match = OUTPUT_ASSET.search(asset_id)
            if match and match["job"] in self.emulator.jobs:
                found[asset_id] = {
                    "uri": output_uri(match["job"], match["output"]),
                    "type": "UriFolder",
                }
        return found
