"""La fontanería del laboratorio: línea de comandos, entorno, Azure y MLflow.

Lo que los scripts necesitan y que no es aprendizaje automático vive aquí, una
sola vez: los argumentos y los errores en español (``labkit.cli``), la
revisión del entorno (``labkit.environment``), guardar y leer un entrenamiento
entero (``labkit.training``), el registro de modelos de MLflow
(``labkit.registry``), el workspace de Azure ML (``labkit.workspace``) y el
almacén local de MLflow (``labkit.local_store``). El modelo y los datos están
en ``churn_lab``; lo del curso (progreso, GitHub, reglas de los commits), en
``course``.

Importarlo no hace nada más que definir ``LAB_ROOT``: la revisión de Python y
de las bibliotecas la pide cada script al empezar (``scripts/_lab.py``).
"""

from pathlib import Path

# La raíz del laboratorio (src/labkit/__init__.py → src/labkit → src → raíz):
# las rutas por defecto de los scripts (artifacts/, data/, outputs/, el almacén
# local) cuelgan de aquí, desde cualquier carpeta en la que estés.
LAB_ROOT = Path(__file__).resolve().parents[2]
