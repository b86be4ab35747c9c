"""Lo del curso, aparte del modelo: progreso, cliente de GitHub y commits.

``course.progress`` revisa cada parte del laboratorio (``check_progress.py`` y
el informe del profesor), ``course.github_api`` lee la API de GitHub,
``course.conventional`` es la regla de los mensajes de commit que siguen CI y
CD, y ``course.comparison`` la tabla y la puerta de calidad del modelo en el
pull request. Nada de esto viaja al trabajo de Azure ML (``src/.amlignore``).
"""
