#!/bin/bash
# Measures what searching and pruning save against a full grid on the 5×5
# grid of Gaussians (BENCHMARKS.md § Search and pruning against the grid):
# one grid of loss × lr_g × lr_d × arch × n_critic (4·4·4·2·2 = 256
# trials), random, Sobol and TPE searches of 24 configurations each over
# the same space with the learning rates log-uniform, five search seeds
# each, and the grid again under ASHA in a database of its own (its keys
# are the grid's). Not part of CI: about 45 minutes on 2 cores.
#
#   go build -o ganexp ./cmd/ganexp && bench/savings.sh ./ganexp /tmp/sav
#   go run ./bench/savings --db /tmp/sav/sav.db --asha sav-asha --asha-db /tmp/sav/asha.db
set -euo pipefail
bin=$(realpath "$1")
out=$2
mkdir -p "$out"
cd "$out"
head='dataset: {kind: grid}
train: {steps: 5000, batch_size: 128, eval_every: 250, eval_samples: 1000, optimizer: adam}
seeds: [1]'
arch='  arch:
    mlp64: {g: [64, 64], d: [64, 64]}
    mlp128: {g: [128, 128], d: [128, 128]}'
grid="name: sav-grid
$head
grid:
  loss: [nonsaturating, wgan, lsgan, hinge]
  lr_g: [1e-4, 2e-4, 5e-4, 1e-3]
  lr_d: [1e-4, 2e-4, 5e-4, 1e-3]
$arch
  n_critic: [1, 5]"
echo "$grid" > sav-grid.yaml
printf '%s\n' "${grid/name: sav-grid/name: sav-asha}" \
  "prune: {strategy: asha, metric: balanced_hq, min_steps: 500, reduction_factor: 3}" > sav-asha.yaml
for st in random sobol tpe; do
  for s in 1 2 3 4 5; do
    obj=""
    [ $st = tpe ] && obj=", objective: {metric: balanced_hq, direction: maximize}"
    cat > sav-$st-s$s.yaml <<YAML
name: sav-$st-s$s
$head
search: {strategy: $st, trials: 24, seed: $s$obj}
space:
  lr_g: {log_uniform: [1e-4, 1e-3]}
  lr_d: {log_uniform: [1e-4, 1e-3]}
grid:
  loss: [nonsaturating, wgan, lsgan, hinge]
$arch
  n_critic: [1, 5]
YAML
  done
done
for f in sav-grid.yaml sav-random-s*.yaml sav-sobol-s*.yaml sav-tpe-s*.yaml; do
  "$bin" sweep "$f" --db sav.db --yes --parallel 2 >/dev/null
done
"$bin" sweep sav-asha.yaml --db asha.db --yes --parallel 2 >/dev/null
