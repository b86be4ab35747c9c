"""El aprendizaje automático del laboratorio de abandono de clientes (churn).

Solo lo que el modelo necesita: el esquema de los datos (``churn_lab.schema``),
el generador de clientes sintéticos (``churn_lab.data``), cómo cargar y revisar
un modelo (``churn_lab.model``) y sus métricas (``churn_lab.evaluation``). El
modelo mismo (un ``Pipeline`` de scikit-learn) se arma a la vista, en
``scripts/train_model.py``. Los scripts de ``scripts/`` y ``src/score.py`` lo
importan para que cada pieza exista una sola vez.
"""
