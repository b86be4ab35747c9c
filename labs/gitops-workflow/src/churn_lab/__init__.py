"""El aprendizaje automático del laboratorio de abandono de clientes (churn).

Solo lo que el modelo necesita: el esquema de los datos (``churn_lab.schema``),
el generador de clientes sintéticos (``churn_lab.data``), cómo cargar y revisar
un modelo (``churn_lab.model``) y sus métricas (``churn_lab.evaluation``). Los
scripts de ``scripts/`` y ``src/score.py`` lo importan para que cada pieza
exista una sola vez.
"""

import labkit  # noqa: F401  revisa Python y el entorno virtual antes que nada
