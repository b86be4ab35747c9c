"""Código compartido del laboratorio de abandono de clientes (churn).

Los scripts de ``scripts/`` y ``src/score.py`` importan de aquí el esquema de
los datos, el generador, el modelo y las utilidades de línea de comandos, para
que cada pieza exista una sola vez.
"""
