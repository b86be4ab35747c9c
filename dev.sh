#!/usr/bin/env bash
# Comandos del proyecto Laboratorio GitOps para Azure ML.
#
#   ./dev.sh setup   crea .venv e instala las versiones fijadas del laboratorio
#   ./dev.sh demo    setup + el pipeline local completo (entrenar, probar, registrar,
#                    generar datos, subirlos e inferir, todo con --local)
#   ./dev.sh test    setup + los cinco linters y todas las pruebas del laboratorio (en
#                    una copia) + las pruebas del proyecto
#   ./dev.sh bench   setup + las mediciones de rendimiento (bench/results.json)
#
# Necesita un Python de las versiones que admite el laboratorio (python3, o el
# que indique $PYTHON): las dice labs/gitops-workflow/src/churn_lab/environment.py.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LAB="$ROOT/labs/gitops-workflow"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

# Node 24 para las acciones de JavaScript bajo act (tests/test_workflows_act.py):
# el paquete de npm con el binario oficial, fuera del laboratorio.
NODE_VERSION="24.22.3"
NODE_HOME="$ROOT/.tools/node-$NODE_VERSION"
# El Python que actions/setup-python encuentra en la caché de herramientas de
# act: una copia del intérprete base (no un venv: uv pip install --system
# instala en el intérprete base de un venv) con requirements.txt ya instalado.
RUNNER_PYTHON="$VENV/act-runner-python"
# La CLI de Azure de verdad para las pruebas de az login contra el emulador
# (tests/test_azure_cli.py), en un venv propio: tiene sus propias versiones
# fijadas y su python no debe quedar en el PATH. Los hijos solo ven el enlace
# .venv/az-bin/az. Los estudiantes la instalan ellos mismos (Parte 4).
AZURE_CLI_VERSION="2.91.0"
AZURE_CLI_VENV="$VENV/azure-cli"

say() { printf '\n==> %s\n' "$*"; }

# Antes que nada: el Python (el de .venv si ya existe) es de una versión admitida.
check_python() {
  local python="$1"
  if ! command -v "$python" >/dev/null 2>&1; then
    echo "❌ Error: no se encontró $python. Instala Python o usa PYTHON=/ruta/a/python3 ./dev.sh ..." >&2
    exit 1
  fi
  if ! "$python" "$LAB/src/churn_lab/environment.py"; then
    if [ "$python" = "$PY" ]; then
      echo "   .venv se creó con ese Python: bórralo (rm -rf .venv) y usa PYTHON=/ruta/a/python3 ./dev.sh ..." >&2
    else
      echo "   Usa otro: PYTHON=/ruta/a/python3 ./dev.sh ..." >&2
    fi
    exit 1
  fi
}

setup() {
  if [ ! -x "$PY" ]; then
    local base="${PYTHON:-python3}"
    check_python "$base"
    say "Creando el entorno virtual .venv con $("$base" --version)"
    "$base" -m venv "$VENV"
  fi
  # Reinstala solo si cambiaron los requisitos desde la última instalación.
  local stamp="$VENV/.requirements.sha256"
  local wanted
  wanted="$(cat "$LAB/requirements.txt" "$ROOT/requirements-dev.txt" "$ROOT/requirements-runner.txt" "$LAB/pyproject.toml" | sha256sum | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    say "Instalando las dependencias fijadas (requirements.txt y requirements-dev.txt)"
    "$PY" -m pip install --quiet --upgrade pip
    # Todo requirements.txt menos el propio laboratorio (-e .): instalarlo
    # escribiría en labs/gitops-workflow/, y las pruebas, el benchmark y la demo
    # usan el código de la carpeta en la que corren (scripts/_lab.py).
    grep -v '^-e ' "$LAB/requirements.txt" > "$VENV/requirements-lab.txt"
    "$PY" -m pip install --quiet -r "$VENV/requirements-lab.txt"
    if "$PY" -m pip show --quiet gitops-lab >/dev/null 2>&1; then
      "$PY" -m pip uninstall --quiet --yes gitops-lab
    fi
    "$PY" -m pip install --quiet -r "$ROOT/requirements-dev.txt"
    "$PY" -m pip check
    build_runner_python
    echo "$wanted" > "$stamp"
  fi
  install_azure_cli
  install_node
  # El entorno del trabajo de Azure ML para el emulador (Python 3.10 con la
  # sección pip de conda.yml), guardado por su hash: solo la primera vez.
  (cd "$ROOT" && "$PY" -m tests.azure_emulator.environment "$LAB/conda.yml")
}

install_azure_cli() {
  local stamp="$AZURE_CLI_VENV/.version"
  if [ "$(cat "$stamp" 2>/dev/null)" = "$AZURE_CLI_VERSION" ] && [ -x "$VENV/az-bin/az" ]; then
    return
  fi
  say "Instalando la CLI de Azure $AZURE_CLI_VERSION para las pruebas (.venv/azure-cli)"
  rm -rf "$AZURE_CLI_VENV" "$VENV/az-bin"
  "$VENV/bin/uv" venv --quiet --python "$("$PY" -c 'import sys; print(sys._base_executable)')" "$AZURE_CLI_VENV"
  "$VENV/bin/uv" pip install --quiet --python "$AZURE_CLI_VENV/bin/python" "azure-cli==$AZURE_CLI_VERSION"
  mkdir -p "$VENV/az-bin"
  ln -s ../azure-cli/bin/az "$VENV/az-bin/az"
  echo "$AZURE_CLI_VERSION" > "$stamp"
}

build_runner_python() {
  say "Preparando el Python del runner para act (.venv/act-runner-python)"
  local base version
  base="$("$PY" -c 'import sys; print(sys.base_prefix)')"
  version="$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  rm -rf "$RUNNER_PYTHON"
  mkdir -p "$RUNNER_PYTHON/bin" "$RUNNER_PYTHON/lib"
  cp "$base/bin/python$version" "$RUNNER_PYTHON/bin/"
  ln -s "python$version" "$RUNNER_PYTHON/bin/python3"
  ln -s "python$version" "$RUNNER_PYTHON/bin/python"
  (cd "$base/lib" && tar cf - --exclude="python$version/site-packages" \
    --exclude="python$version/dist-packages" --exclude="python$version/test" \
    --exclude="__pycache__" "python$version") | (cd "$RUNNER_PYTHON/lib" && tar xf -)
  mkdir -p "$RUNNER_PYTHON/lib/python$version/site-packages"
  # La biblioteca compartida, por si el intérprete la busca junto a sí mismo.
  for library in "$base"/lib/libpython*; do
    if [ -e "$library" ]; then cp -a "$library" "$RUNNER_PYTHON/lib/"; fi
  done
  "$RUNNER_PYTHON/bin/python" -m ensurepip --default-pip >/dev/null 2>&1
  # requirements-lab.txt (lo escribe setup): todo menos el propio laboratorio
  # (-e .), que cada flujo instala en su copia sin red (UV_OFFLINE,
  # UV_NO_BUILD_ISOLATION).
  "$VENV/bin/uv" pip install --quiet --system --python "$RUNNER_PYTHON/bin/python" \
    -r "$ROOT/requirements-runner.txt" -r "$VENV/requirements-lab.txt"
}

install_node() {
  if [ -x "$NODE_HOME/bin/node" ]; then
    return
  fi
  local platform
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) platform="linux-x64" ;;
    Linux-aarch64) platform="linux-arm64" ;;
    Darwin-arm64) platform="darwin-arm64" ;;
    Darwin-x86_64) platform="darwin-x64" ;;
    *) echo "⚠️ Sin Node $NODE_VERSION para $(uname -s) $(uname -m): las pruebas con act se saltarán." >&2; return ;;
  esac
  if ! command -v npm >/dev/null 2>&1; then
    echo "❌ Error: hace falta npm para descargar Node $NODE_VERSION (pruebas de los flujos con act). Instálalo (por ejemplo, apt-get install npm) y vuelve a ejecutar." >&2
    exit 1
  fi
  say "Descargando Node $NODE_VERSION para act (npm pack node-$platform@$NODE_VERSION)"
  local tmp
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "node-$platform@$NODE_VERSION" >/dev/null && tar xzf "node-$platform-$NODE_VERSION.tgz")
  mkdir -p "$(dirname "$NODE_HOME")"
  rm -rf "$NODE_HOME"
  mv "$tmp/package" "$NODE_HOME"
  rm -rf "$tmp"
  "$NODE_HOME/bin/node" --version >/dev/null
}

demo() {
  cd "$LAB"
  say "1/6 Entrenar el modelo"
  "$PY" scripts/train_model.py
  say "2/6 Probar el modelo con cinco clientes"
  "$PY" scripts/test_model.py
  say "3/6 Registrar el modelo en el almacén local de MLflow"
  "$PY" scripts/register_model.py --local
  say "4/6 Crear los datos de inferencia"
  "$PY" scripts/create_inference_data.py
  say "5/6 Registrar los datos como activo local"
  "$PY" scripts/upload_data.py --local
  say "6/6 Ejecutar el pipeline de inferencia en local (src/score.py)"
  "$PY" scripts/run_inference_pipeline.py --local
  say "Listo"
  echo "Predicciones:       $LAB/data/inference_output.csv"
  echo "Almacén de MLflow:  $LAB/mlflow.db y $LAB/mlartifacts/"
  echo "Para verlo:         cd $LAB && $VENV/bin/mlflow ui --backend-store-uri sqlite:///mlflow.db --default-artifact-root ./mlartifacts"
}

run_tests() {
  local status=0 work
  # En una copia, como la de un estudiante: las cachés de las herramientas, los
  # modelos y el almacén de MLflow de las pruebas no caen en el laboratorio.
  work="$(mktemp -d)"
  # shellcheck disable=SC2064  # la carpeta se fija ahora: $work es local
  trap "rm -rf '$work'" EXIT
  "$PY" "$ROOT/tests/lab_copy.py" "$work/gitops-workflow" >/dev/null
  say "Chequeos del laboratorio, en una copia (Black, isort, Flake8, Pylint, MyPy y todas las pruebas)"
  (cd "$work/gitops-workflow" && "$PY" scripts/run_checks.py --completo) || status=1
  say "Pruebas del proyecto (flujos de GitHub Actions, tutorial, benchmark)"
  (cd "$ROOT" && "$PY" -m pytest tests) || status=1
  return "$status"
}

if [ -x "$PY" ]; then
  check_python "$PY"
fi

case "${1:-}" in
  setup) setup ;;
  demo) setup; demo ;;
  test) setup; run_tests ;;
  bench) setup; shift; (cd "$ROOT" && "$PY" bench/run.py "$@") ;;
  *)
    echo "uso: ./dev.sh {setup|demo|test|bench}" >&2
    exit 1
    ;;
esac
