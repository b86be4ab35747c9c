"""La fontanería del laboratorio: línea de comandos, entorno, Azure y MLflow.

Lo que los scripts necesitan y que no es aprendizaje automático vive aquí, una
sola vez: los argumentos y los errores en español (``labkit.cli``), la
revisión del entorno (``labkit.environment``), el workspace de Azure ML
(``labkit.workspace``) y el almacén local de MLflow (``labkit.local_store``).
El modelo y los datos están en ``churn_lab``; lo del curso (progreso, GitHub,
reglas de los commits), en ``course``.

Importar ``labkit`` revisa, antes que nada, que la versión de Python sea una de
las admitidas y que el entorno virtual tenga las bibliotecas
(``labkit.environment``): si no, el script termina con una línea en español
que dice cómo arreglarlo.
"""

from pathlib import Path

from labkit.environment import require_environment

require_environment()

# La raíz del laboratorio (src/labkit/__init__.py → src/labkit → src → raíz):
# las rutas por defecto de los scripts (artifacts/, data/, outputs/, el almacén
# local) cuelgan de aquí, desde cualquier carpeta en la que estés.
LAB_ROOT = Path(__file__).resolve().parents[2]
