#!/usr/bin/env bash
# Comandos del proyecto Laboratorio GitOps para Azure ML.
#
#   ./dev.sh setup   crea .venv e instala las versiones fijadas del laboratorio
#   ./dev.sh demo    setup + el pipeline local completo (entrenar, probar, registrar,
#                    generar datos, subirlos e inferir, todo con --local)
#   ./dev.sh test    setup + las pruebas del proyecto, que incluyen los cinco linters y
#                    todas las pruebas del laboratorio en el repositorio de un estudiante
#   ./dev.sh bench   setup + las mediciones de rendimiento (bench/results.json)
#
# Necesita un Python de las versiones que admite el laboratorio (las dice
# labs/gitops-workflow/src/labkit/environment.py): el que indique $PYTHON, si
# no python3, y si python3 es de otra versión, el más nuevo de los de pyenv.
# Para los flujos de GitHub Actions con act y el trabajo de Azure ML hace falta
# además el Python de conda.yml (3.12: $PYTHON312, pyenv o python3.12).
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
# instala en el intérprete base de un venv) con requirements.lock ya instalado.
# Es el de los flujos (python-version) y el del trabajo de Azure ML (conda.yml).
RUNNER_PYTHON="$VENV/act-runner-python"
JOB_PYTHON_VERSION="$(sed -n 's/^  - python=//p' "$LAB/conda.yml")"
# La orden que escribe requirements.lock (la misma que dice su cabecera y
# requirements.txt); tests/test_supply_chain.py la repite sin red para ver que el lock
# está al día.
LOCK_COMMAND=(pip compile requirements.txt --universal --generate-hashes --python-version 3.11)
# La CLI de Azure de verdad para las pruebas de az login contra el emulador
# (tests/test_azure_cli.py), en un venv propio: tiene sus propias versiones
# fijadas y su python no debe quedar en el PATH. Los hijos solo ven el enlace
# .venv/az-bin/az. Los estudiantes la instalan ellos mismos (Parte 4).
AZURE_CLI_VERSION="2.91.0"
AZURE_CLI_VENV="$VENV/azure-cli"

say() { printf '\n==> %s\n' "$*"; }

# El Python para .venv: $PYTHON, o python3, o el más nuevo admitido de pyenv.
pick_python() {
  if [ -n "${PYTHON:-}" ]; then
    echo "$PYTHON"
    return
  fi
  local candidate
  for candidate in python3 $(pyenv_pythons); do
    if "$candidate" "$LAB/src/labkit/environment.py" >/dev/null 2>&1; then
      echo "$candidate"
      return
    fi
  done
  echo python3
}

# Los intérpretes de pyenv, del más nuevo al más viejo (nada si no hay pyenv).
pyenv_pythons() {
  local root
  root="$(pyenv root 2>/dev/null || true)"
  [ -n "$root" ] && [ -d "$root/versions" ] || return 0
  ls -d "$root"/versions/3.*/bin/python 2>/dev/null | sort -V -r || true
}

# Un intérprete de la versión $1 (3.12): $PYTHON312, pyenv o python3.12.
find_python_version() {
  local version="$1" variable candidate
  variable="PYTHON${version//./}"
  for candidate in "${!variable:-}" $(pyenv_pythons) "$(command -v "python$version" || true)"; do
    if [ -n "$candidate" ] && "$candidate" -c "import sys; assert '%d.%d' % sys.version_info[:2] == '$version'" >/dev/null 2>&1; then
      echo "$candidate"
      return
    fi
  done
}

# Antes que nada: el Python (el de .venv si ya existe) es de una versión admitida.
check_python() {
  local python="$1"
  if ! command -v "$python" >/dev/null 2>&1; then
    echo "❌ Error: no se encontró $python. Instala Python o usa PYTHON=/ruta/a/python3 ./dev.sh ..." >&2
    exit 1
  fi
  if ! "$python" "$LAB/src/labkit/environment.py"; then
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
    local base
    base="$(pick_python)"
    check_python "$base"
    say "Creando el entorno virtual .venv con $("$base" --version)"
    "$base" -m venv "$VENV"
  fi
  # Reinstala solo si cambiaron los requisitos desde la última instalación.
  local stamp="$VENV/.requirements.sha256"
  local wanted
  wanted="$(cat "$LAB/requirements.txt" "$LAB/requirements.lock" "$ROOT/requirements-dev.txt" "$LAB/pyproject.toml" | sha256sum | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    say "Instalando las dependencias fijadas (requirements.lock, con sus hashes, y requirements-dev.txt)"
    "$PY" -m pip install --quiet --upgrade pip
    # Como un estudiante: el lock, cada paquete comprobado con su hash. El
    # laboratorio no se instala: cada script y cada prueba usa el código de la
    # carpeta en la que corre (scripts/_lab.py, pythonpath de pyproject.toml).
    "$PY" -m pip install --quiet --require-hashes -r "$LAB/requirements.lock"
    # Un .venv de antes, cuando requirements.txt instalaba el laboratorio (-e .).
    if "$PY" -m pip show --quiet gitops-lab >/dev/null 2>&1; then
      "$PY" -m pip uninstall --quiet --yes gitops-lab
    fi
    "$PY" -m pip install --quiet -r "$ROOT/requirements-dev.txt"
    "$PY" -m pip check
    build_runner_python
    download_wheels
    warm_lock_cache
    warm_lock_resolution
    echo "$wanted" > "$stamp"
  fi
  install_azure_cli
  install_node
  prepare_newest_python
  # El entorno del trabajo de Azure ML para el emulador (el Python y la sección
  # pip de conda.yml), guardado por su hash: solo la primera vez.
  (cd "$ROOT" && "$PY" -m tests.azure_emulator.environment "$LAB/conda.yml")
  # El .venv del repositorio del estudiante (tests/student_repo.py), instalado
  # con los comandos del tutorial: una vez por lock y Python.
  (cd "$ROOT" && "$PY" tests/student_repo.py)
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
  # Los flujos (CI, CD, el despliegue) piden el Python del trabajo de Azure ML.
  local python
  python="$(find_python_version "$JOB_PYTHON_VERSION")"
  rm -rf "$RUNNER_PYTHON-3.10"  # el de antes, cuando el despliegue pedía 3.10
  if [ -z "$python" ]; then
    echo "❌ Error: hace falta Python $JOB_PYTHON_VERSION (el de conda.yml y de los flujos) para act y el emulador de Azure ML. Instálalo (pyenv install $JOB_PYTHON_VERSION) o indica cuál: PYTHON${JOB_PYTHON_VERSION//./}=/ruta/a/python$JOB_PYTHON_VERSION ./dev.sh setup" >&2
    exit 1
  fi
  build_runner_python_from "$python" "$RUNNER_PYTHON"
}

build_runner_python_from() {
  local python="$1" runner="$2"
  say "Preparando el Python del runner para act ($runner)"
  local base version
  base="$("$python" -c 'import sys; print(sys.base_prefix)')"
  version="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  rm -rf "$runner"
  mkdir -p "$runner/bin" "$runner/lib"
  cp "$base/bin/python$version" "$runner/bin/"
  ln -s "python$version" "$runner/bin/python3"
  ln -s "python$version" "$runner/bin/python"
  (cd "$base/lib" && tar cf - --exclude="python$version/site-packages" \
    --exclude="python$version/dist-packages" --exclude="python$version/test" \
    --exclude="__pycache__" "python$version") | (cd "$runner/lib" && tar xf -)
  mkdir -p "$runner/lib/python$version/site-packages"
  # La biblioteca compartida, por si el intérprete la busca junto a sí mismo.
  for library in "$base"/lib/libpython*; do
    if [ -e "$library" ]; then cp -a "$library" "$runner/lib/"; fi
  done
  "$runner/bin/python" -m ensurepip --default-pip >/dev/null 2>&1
  # El lock, como en GitHub: el paso «Install dependencies» de cada flujo
  # (pip install --require-hashes -r requirements.lock) lo encuentra instalado
  # y, sin red (PIP_NO_INDEX), no descarga nada.
  "$VENV/bin/uv" pip install --quiet --system --python "$runner/bin/python" \
    --require-hashes -r "$LAB/requirements.lock"
}

# Los wheels de requirements.lock para cada Python del runner de act: el índice
# de paquetes en 127.0.0.1 de las pruebas de los flujos los sirve como PyPI
# (tests/github_fake/installs.py) y cada trabajo los instala de verdad, en un
# Python nuevo, como en GitHub. Los locks de CI (requirements-lint.lock,
# requirements-model.lock) son partes de este.
download_wheels() {
  say "Descargando los wheels del lock para los flujos bajo act (.venv/wheelhouse)"
  mkdir -p "$VENV/wheelhouse"
  local runner
  for runner in "$RUNNER_PYTHON" "$RUNNER_PYTHON"-3.*; do
    if [ -x "$runner/bin/python" ] && "$runner/bin/python" "$LAB/src/labkit/environment.py" >/dev/null 2>&1; then
      "$runner/bin/python" -m pip download --quiet --disable-pip-version-check \
        --only-binary=:all: --require-hashes -r "$LAB/requirements.lock" -d "$VENV/wheelhouse"
    fi
  done
}

# tests/test_supply_chain.py regenera el lock sin red (uv pip compile --offline): aquí,
# con red, uv guarda en su caché los índices y metadatos que necesita.
warm_lock_cache() {
  say "Comprobando requirements.lock con uv (y dejando su caché lista para las pruebas)"
  local copy
  copy="$(mktemp -d)"
  cp "$LAB/requirements.txt" "$LAB/requirements.lock" "$copy/"
  (cd "$copy" && UV_PYTHON_DOWNLOADS=never "$VENV/bin/uv" --quiet "${LOCK_COMMAND[@]}" \
    --output-file requirements.lock)
  if ! cmp -s "$copy/requirements.lock" "$LAB/requirements.lock"; then
    echo "⚠️ requirements.lock no corresponde a requirements.txt: regenéralo (ver su cabecera)." >&2
  fi
  # Y los wheels del lock para el Python de .venv (el benchmark instala con uv
  # sin red; el runner de act es de otra versión y guarda otros).
  UV_PYTHON_DOWNLOADS=never "$VENV/bin/uv" pip install --quiet --python "$PY" \
    --no-deps --require-hashes --target "$copy/wheels" -r "$LAB/requirements.lock"
  rm -rf "$copy"
}

# tests/test_python_versions.py comprueba sin red que el lock se instala solo
# con wheels en cada Python admitido y cada plataforma (uv pip install
# --dry-run --no-build): aquí, con red, uv guarda en su caché lo que necesita.
warm_lock_resolution() {
  say "Comprobando que requirements.lock se instala solo con wheels (cada Python admitido; Windows, macOS y Linux)"
  (cd "$ROOT" && "$PY" tests/lock_wheels.py)
}

# La jaula de newest-python con CPython 3.14 y 3.15 de Debian (un minuto la
# primera vez; necesita root) y los wheels que pip elige allí para el lock
# (.venv/wheelhouse-newest; los de act están en .venv/wheelhouse): las pruebas en esos Python instalan sin red.
prepare_newest_python() {
  say "Preparando CPython 3.14 y 3.15 (newest-python) y sus wheels del lock (.venv/wheelhouse-newest)"
  (cd "$ROOT" && "$PY" tests/newest_python.py)
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
  # En una copia del laboratorio, como la de un estudiante: ./dev.sh no
  # escribe en labs/gitops-workflow/ (ni modelos, ni datos, ni el almacén).
  local work="$VENV/demo"
  rm -rf "$work"
  "$PY" "$ROOT/tests/lab_copy.py" "$work" >/dev/null
  cd "$work"
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
  echo "Predicciones:       $work/data/inference_output.csv"
  echo "Almacén de MLflow:  $work/mlflow.db y $work/mlartifacts/"
  echo "Para verlo:         $PY $work/scripts/mlflow_ui.py"
}

run_tests() {
  # Las pruebas del proyecto incluyen los chequeos del laboratorio enteros
  # (python scripts/run_checks.py --completo: Black, isort, Flake8, Pylint,
  # MyPy y todas sus pruebas) en el repositorio de un estudiante, con .venv
  # dentro, y en el checkout de un pull request (tests/test_student_repo.py).
  say "Pruebas del proyecto (el laboratorio en el repositorio de un estudiante, flujos de GitHub Actions, tutorial, benchmark)"
  (cd "$ROOT" && "$PY" -m pytest tests)
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
