"""Código compartido del laboratorio de abandono de clientes (churn).

Los scripts de ``scripts/`` y ``src/score.py`` importan de aquí el esquema de
los datos, el generador, el modelo y las utilidades de línea de comandos, para
que cada pieza exista una sola vez.

Importar ``churn_lab`` es lo primero que hace cada script, así que aquí mismo,
antes que nada, se revisa que la versión de Python sea una de las admitidas y
que el entorno virtual tenga las bibliotecas (``churn_lab.environment``): si
no, el script termina con una línea en español que dice cómo arreglarlo.
"""

from pathlib import Path

from churn_lab.environment import require_environment

require_environment()

# La raíz del laboratorio (src/churn_lab/__init__.py → src/churn_lab → src → raíz):
# las rutas por defecto de los scripts (artifacts/, data/, outputs/, el almacén
# local) cuelgan de aquí, desde cualquier carpeta en la que estés.
LAB_ROOT = Path(__file__).resolve().parents[2]
