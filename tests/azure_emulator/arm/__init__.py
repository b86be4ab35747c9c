"""Azure Resource Manager (management.azure.com): the workspace and what is in it.

``models``: the workspace, datastores, versioned assets and compute clusters;
``jobs``: command jobs, their states and how they really run (both with no
HTTP); ``responses``: the ARM endpoints.
"""
