"""The MLflow REST API under Azure ML's path prefix: HTTP only.

Most requests go to MLflow's own app; creating an experiment or a model
version goes through ``models`` (Azure ML's differences), and the MLflow 3
``logged-models`` endpoints answer 404 with an empty body as Azure ML does
(Azure/azure-sdk-for-python#44896).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from ..app import WORKSPACE, json_response
from . import models

if TYPE_CHECKING:
    from ..app import AzureEmulator


class MlflowResponses:
    """The WSGI side of ``/mlflow/v2.0/.../workspaces/<name>/api/2.0/mlflow/``."""

    def __init__(self, emulator: AzureEmulator) -> None:
        self.emulator = emulator
        self.app = models.server_app(emulator.workdir)

    def __call__(
        self, environ: dict[str, Any], start_response: Any, request: Request
    ) -> Iterable[bytes]:
        if not self.emulator.authorized(request):
            return Response("", status=401)(environ, start_response)
        rest = request.path.split(f"/workspaces/{WORKSPACE}", 1)[-1]
        if "/api/2.0/mlflow/logged-models" in rest:
            # Azure ML's MLflow server has no logged models: empty 404.
            return Response("", status=404)(environ, start_response)
        if rest == "/api/2.0/mlflow/model-versions/create":
            return self.create_model_version(request)(environ, start_response)
        if rest == "/api/2.0/mlflow/experiments/create":
            return self.create_experiment(request)(environ, start_response)
        environ = dict(environ)
        environ["PATH_INFO"] = rest
        environ["SCRIPT_NAME"] = ""
        environ["HTTP_HOST"] = "localhost"
        environ["SERVER_NAME"] = "localhost"
        return self.app(environ, start_response)

    @staticmethod
    def create_experiment(request: Request) -> Response:
        """``experiments/create``, answered as MLflow's handler would."""
        from mlflow.exceptions import MlflowException
        from mlflow.protos.service_pb2 import CreateExperiment
        from mlflow.utils.proto_json_utils import message_to_json

        body = json.loads(request.get_data() or b"{}")
        try:
            experiment_id = models.create_experiment(str(body.get("name", "")))
        except MlflowException as error:
            return Response(
                error.serialize_as_json(),
                status=error.get_http_status_code(),
                content_type="application/json",
            )
        message = CreateExperiment.Response(experiment_id=experiment_id)
        return Response(message_to_json(message), content_type="application/json")

    def create_model_version(self, request: Request) -> Response:
        """``model-versions/create``, answered as MLflow's handler would."""
        from mlflow.protos.model_registry_pb2 import CreateModelVersion
        from mlflow.utils.proto_json_utils import message_to_json

        body = json.loads(request.get_data() or b"{}")
        try:
            version = models.create_model_version(self.emulator.blobs, body)
        except models.InvalidSource as error:
            return json_response(
                {
                    "error_code": "INVALID_PARAMETER_VALUE",
                    "message": f"Model source {str(error)!r} is not an uploaded MLflow model.",
                },
                400,
            )
        message = CreateModelVersion.Response(model_version=version.to_proto())
        return Response(message_to_json(message), content_type="application/json")
