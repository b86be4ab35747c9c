"""Microsoft Entra ID (login.microsoftonline.com) and ARM's directory listings.

``models``: tokens, device codes, tenants and subscriptions (no HTTP);
``responses``: the endpoints that parse a request, call the model and shape
the answer.
"""
