"""El bloqueo de red de las pruebas (sitecustomize.py): no se importa como paquete."""
