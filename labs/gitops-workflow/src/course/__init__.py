"""Lo del curso, aparte del modelo: progreso, cliente de GitHub y commits.

``course.progress`` dice qué partes del laboratorio están hechas
(``check_progress.py``, el flujo «Progreso» y el informe del profesor), con
los hechos de ``course.local_facts`` (tu carpeta), ``course.github_facts``
(la API de GitHub, con ``course.github_api``) y ``course.azure_facts`` (tu
workspace), y las comprobaciones de ``course.lab_parts`` y
``course.github_parts``; ``course.evidence`` escribe y valida el archivo de
evidencia; ``course.markdown`` pone el texto del estudiante en Markdown sin
que se vuelva marcado; ``course.conventional`` es la regla de los mensajes
de commit que siguen CI y CD, y ``course.comparison`` la tabla y la puerta de
calidad del modelo en el pull request. Nada de esto viaja al trabajo de
Azure ML (``src/.amlignore``).
"""
