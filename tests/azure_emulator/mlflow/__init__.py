"""Azure ML's MLflow server (tracking and model registry) under ``/mlflow/v2.0/``.

``models``: MLflow's own server with a SQLite store and what Azure ML does
differently (no HTTP); ``responses``: which requests go where.
"""
