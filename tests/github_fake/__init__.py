"""Los flujos de GitHub Actions del laboratorio, ejecutados de verdad y sin red.

- :mod:`github_fake.server`: una API REST de GitHub falsa en 127.0.0.1 que
  anota cada llamada y guarda el estado (referencias y etiquetas en un
  repositorio git desnudo, releases con sus archivos, comentarios);
- :mod:`github_fake.act`: ``act`` en el propio equipo (sin Docker) con el
  código de cada acción en su SHA fijado, Node 24 y esa API falsa.
"""
