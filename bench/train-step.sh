#!/usr/bin/env bash
# Train-step benchmark: nncc against PyTorch 1.13, batch 64.
#
#   bench/train-step.sh
#
# For the MLP (784-256-128-10, relu) and LeNet-5 of test/e2e/run_model.py
# (same seeds, so both sides start from the same weights): exports ONNX
# (bench/train_step.py), compiles `nncc --train` with SGD (lr 0.01) and
# Adam (lr 0.001), and LeNet-5 with SGD training only its last layer
# (--trainable='11.*'), links bench/train_step.c, and times one
# m_train_step on a fixed batch: WARMUP untimed steps, then the median of
# RUNS steps timed one by one (CLOCK_MONOTONIC), in ROUNDS rounds (default
# 3) that take nncc and PyTorch in turn; a time is the median of the rounds'
# medians (bench/machine.sh). PyTorch does the same
# step (zero_grad, forward, CrossEntropyLoss, backward, optimizer.step) the
# same way, at the same thread count (torch.set_num_threads,
# OMP_NUM_THREADS, OPENBLAS_NUM_THREADS; NNRT_NUM_THREADS for nncc).
#
# PyTorch at its best: Debian's PyTorch calls the system BLAS
# (libblas.so.3). The reference BLAS there is ~20x slower than OpenBLAS,
# so PyTorch is pointed at OpenBLAS: TORCH_BLAS_DIR, else
# /usr/lib/x86_64-linux-gnu/openblas-pthread when the system BLAS is not
# already OpenBLAS; the script installs Debian's libopenblas0-pthread
# (apt-get, as root or with sudo) when neither is there.
# OPENBLAS_CORETYPE is set to SkylakeX (AVX-512) or Haswell (AVX2) from the
# CPU (bench/machine.sh says why; BENCH_OPENBLAS_CORETYPE chooses another).
# The BLAS and kernel PyTorch used are recorded.
#
# Environment: NNCC (default build/bin/nncc), CC (default clang-22, else
# cc), PYTHON (default /usr/bin/python3, with torch and onnx), THREADS
# (default "1 2"), WARMUP (5), RUNS (30), ROUNDS (3), TORCH_BLAS_DIR, OUT (default
# bench/results/train-step.md). Prints the markdown table and writes it to
# OUT. Not a test.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Tools, work folder, the machine and the peers (sets nncc, cc, python,
# threads, work, commit, cpu, isa, load, blas_dir).
# shellcheck source=bench/machine.sh
source "$root/bench/machine.sh"
warmup=${WARMUP:-5}
runs=${RUNS:-30}
out=${OUT:-$root/bench/results/train-step.md}


# PyTorch already runs on OpenBLAS when the system BLAS is OpenBLAS.
[[ -z ${TORCH_BLAS_DIR:-} &&
   $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3) == *openblas* ]] &&
  blas_dir=

# Models and configurations: model optimizer lr trainable-glob ("-": all).
configs=("mlp sgd 0.01 -" "mlp adam 0.001 -" "lenet sgd 0.01 -"
         "lenet adam 0.001 -" "lenet sgd 0.01 11.*")
for model in mlp lenet; do
  "$python" "$root/bench/train_step.py" export "$model" "$work/$model.onnx"
done
for i in "${!configs[@]}"; do
  read -r model opt lr glob <<<"${configs[$i]}"
  flags=(--train --loss=cross_entropy "--optimizer=$opt" "--lr=$lr")
  [[ $glob == - ]] || flags+=("--trainable=$glob")
  mkdir -p "$work/c$i"
  "$nncc" "$work/$model.onnx" "${flags[@]}" -o "$work/c$i/model.o" --name model
  "$cc" -std=c11 -O2 -Wall "$root/bench/train_step.c" "$work/c$i/model.o" \
    -I"$work/c$i" -I"$root/runtime/include" -L"$(dirname "$nncc")/../runtime" \
    -lnnrt -lm -lpthread -o "$work/c$i/train_step"
done

table="| model | optimizer | threads | nncc ms | PyTorch ms | nncc/PyTorch | nncc infer ms \
| loss nncc / PyTorch |
|---|---|---:|---:|---:|---:|---:|---|"
torch_blas=
for t in "${threads[@]}"; do
  for i in "${!configs[@]}"; do
    read -r model opt lr glob <<<"${configs[$i]}"
    torch_flags=(--optimizer "$opt" --lr "$lr" --threads "$t" --warmup "$warmup" --runs "$runs")
    [[ $glob == - ]] || torch_flags+=(--last-only)
    # ROUNDS rounds, each nncc's steps then PyTorch's (machine.sh).
    nn_times=() pt_times=() nn_infers=()
    for ((r = 0; r < rounds; ++r)); do
      result=$(NNRT_NUM_THREADS=$t "$work/c$i/train_step" "$warmup" "$runs")
      read -r _ nn_ms _ _ _ _ _ nn_loss _ nn_infer <<<"${result//$'\n'/ }"
      nn_times+=("$nn_ms") nn_infers+=("$nn_infer")
      result=$(env OMP_NUM_THREADS="$t" OPENBLAS_NUM_THREADS="$t" \
        ${blas_dir:+LD_LIBRARY_PATH="$blas_dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"} \
        "$python" "$root/bench/train_step.py" torch "$model" "${torch_flags[@]}")
      read -r _ pt_ms _ _ _ _ _ pt_loss _ blas _ core <<<"${result//$'\n'/ }"
      pt_times+=("$pt_ms")
    done
    nn_ms=$(median "${nn_times[@]}") pt_ms=$(median "${pt_times[@]}")
    nn_infer=$(median "${nn_infers[@]}")
    torch_blas="$blas (kernel $core)"
    name=$model
    [[ $glob == - ]] || name="$model, only '$glob' trained"
    row=$(awk -v a="$nn_ms" -v b="$pt_ms" -v f="$nn_infer" \
      'BEGIN { printf "%.2f | %.2f | %.2f | %.2f", a, b, a / b, f }')
    table+=$'\n'"| $name | $opt (lr $lr) | $t | $row | $nn_loss / $pt_loss |"
  done
done
case $torch_blas in
  *openblas*) ;;
  *) echo "warning: PyTorch did not run on OpenBLAS ($torch_blas): set TORCH_BLAS_DIR" >&2 ;;
esac

report="# Train step: nncc vs PyTorch, batch 64

- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); load average at start: $load
- CPU: $cpu, $(nproc) cores online, widest vector ISA: ${isa:-none found}; $(uname -r)
- nncc: $("$nncc" --version | head -1), commit $commit, harness built with $("$cc" --version | head -1)
- PyTorch: $("$python" -c 'import torch; print(torch.__version__)'), BLAS: $torch_blas,
  OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}; convolutions run in oneDNN (MKL-DNN)
- Method: in each of $rounds rounds, nncc then PyTorch: a process that takes $warmup warm-up
  steps, then times $runs steps one by one (CLOCK_MONOTONIC) and reports their median; a time
  is the median of the rounds' medians (the rounds spread a machine's fast and slow phases
  over both). One fixed batch, from the same initial weights on both sides in every round
  (the losses after the $((warmup + runs)) steps agree when both did the same work). Threads: NNRT_NUM_THREADS for nncc;
  torch.set_num_threads, OMP_NUM_THREADS and OPENBLAS_NUM_THREADS for PyTorch.
  'nncc infer ms': the forward pass alone (m_infer), for scale.
$(awk -v l="${load%% *}" -v n="$(nproc)" 'BEGIN { if (l >= n - 0.5)
  print "- The machine was busy (load average " l " on " n " cores): times run high, " \
        "and runs\n  with as many threads as cores compete with the other load, " \
        "PyTorch'"'"'s spinning OpenMP threads most." }')

$table"
mkdir -p "$(dirname "$out")"
printf '%s\n' "$report" | tee "$out"
