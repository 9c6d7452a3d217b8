#!/bin/bash
# The catalogue's region-embedding stack on IMDB's reference split with Keras on JAX, as on a GPU machine that has
# JAX and no TensorFlow: `region_cnn_unlabelled` and `ensemble_region_cnn`, seed 0, their models not kept.
#
# Usage: benchmarks/stack_on_jax.sh DATA VECTORS... [-- MORE_COMPARE_OPTIONS]
#   DATA     the IMDB archive (.tar.gz, or a .tar.xz repack of it) or its aclImdb folder
#   VECTORS  region-embedding files a TensorFlow run learned and cached (.txt, or .txt.xz), named as the cache
#            names them: learning one needs TensorFlow, reading one does not. Seed 0 on the reference split
#            reads ~/.cache/imdb-baselines/vectors/regions-1adffd22c8c10c8121cb.txt.
# Needs a Python (PYTHON, default python3) with jax (its CUDA build for a GPU), keras and the package's core
# dependencies. The files go into a cache folder of the run's own (a fresh temporary one), so no cached file is
# replaced; the report goes to benchmarks/results/stack_on_jax/ (REPORT=FOLDER changes it).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { sed -n 5,9p "$0" >&2; exit 2; }
data=$1; shift
scratch=$(mktemp -d); trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/home/vectors"
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  name=$(basename "$1" .xz)
  [[ $name == regions-*.txt ]] || { echo "$1: not a cached region embedding (regions-KEY.txt)" >&2; exit 2; }
  if [[ $1 == *.xz ]]; then xz -dc "$1" > "$scratch/home/vectors/$name"; else cp "$1" "$scratch/home/vectors/"; fi
  shift
done
[ "${1:-}" != "--" ] || shift
if [[ $data == *.tar.xz ]]; then
  tar xJf "$data" -C "$scratch" && data=$scratch/aclImdb
fi
export KERAS_BACKEND=jax IMDB_BASELINES_HOME=$scratch/home PYTHONUNBUFFERED=1
export PYTHONPATH=${PYTHONPATH:+$PYTHONPATH:}$PWD
"${PYTHON:-python3}" -c "import jax, keras; print('Keras', keras.__version__, 'on JAX', jax.__version__, jax.devices())"
"${PYTHON:-python3}" compare.py --data "$data" --models region_cnn_unlabelled,ensemble_region_cnn \
  --group-column movie --no-save-models --out "${REPORT:-benchmarks/results/stack_on_jax}" "$@"
