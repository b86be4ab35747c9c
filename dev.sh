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
  wanted="$(cat "$LAB/requirements.txt" "$ROOT/requirements-dev.txt" "$LAB/pyproject.toml" | sha256sum | cut -d' ' -f1)"
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
    echo "$wanted" > "$stamp"
  fi
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
