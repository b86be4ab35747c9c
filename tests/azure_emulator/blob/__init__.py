"""Blob storage (<account>.blob.core.windows.net), for every upload and download.

``models``: the blobs, their blocks and metadata on disk (no HTTP);
``responses``: the Blob service's REST endpoints.
"""
