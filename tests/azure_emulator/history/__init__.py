"""Run history and the artifact service (``<region>.api.azureml.ms``).

``/artifact/v2.0`` and ``/history/v1.0/.../runs/<id>/artifacts`` hand out SAS
links to the workspace's artifact container (azureml-mlflow's uploads and a
job's logs); ``/history/v1.0/.../rundata`` and ``/data/v1.0/.../dataversion``
describe a job's outputs to ``ml_client.jobs.download``.
``models``: the state (no HTTP); ``responses``: the endpoints.
"""
