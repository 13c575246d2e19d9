#!/usr/bin/env bash
# GEMM benchmark: nncc against OpenBLAS sgemm and the machine's peak.
#
#   bench/gemm.sh
#
# C[M,N] = A[M,K] * B[K,N] in fp32 for the square sizes 64 to 2048 and the
# network shapes of the MLP (64x784x256, 64x256x128) and LeNet-5's first
# dense layer at batch 64 (64x400x120). nncc: an ONNX MatMul with B as an
# initializer (the weights of a layer), compiled and timed through
# model_infer_packed (bench/gemm_nncc.c). OpenBLAS: cblas_sgemm, row major,
# with the SkylakeX/Haswell kernel on Intel CPUs (bench/machine.sh). The
# peak: an inline-asm FMA loop on one core (bench/gemm_peers.c). Each time
# is the median of the medians of ROUNDS rounds (machine.sh), each of
# RUNS / ROUNDS calls after WARMUP, at each thread count of THREADS
# (NNRT_NUM_THREADS for nncc, openblas_set_num_threads for OpenBLAS); nncc
# stops early once its timed calls took BUDGET seconds (and at least 3 ran),
# and the table says how many it timed.
#
# Environment: NNCC (default build/bin/nncc), CC (default clang-22, else
# cc), PYTHON (default /usr/bin/python3, with onnx and numpy), THREADS
# (default "1 2"), WARMUP (3), RUNS (20), ROUNDS (3), BUDGET (60), SIZES (default the list above, as
# MxKxN words), OUT (default bench/results/gemm.md). Prints the markdown
# table and writes it to OUT. Not a test.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Tools, work folder, the machine and the peers (sets nncc, cc, python,
# threads, work, commit, cpu, isa, load, blas_dir).
# shellcheck source=bench/machine.sh
source "$root/bench/machine.sh"
warmup=${WARMUP:-3}
runs=${RUNS:-20}
budget=${BUDGET:-60}
read -r -a sizes <<<"${SIZES:-64x64x64 128x128x128 256x256x256 512x512x512 \
1024x1024x1024 2048x2048x2048 64x784x256 64x256x128 64x400x120}"
out=${OUT:-$root/bench/results/gemm.md}


[[ -n $blas_dir ]] || { echo "no OpenBLAS found (set TORCH_BLAS_DIR)" >&2; exit 1; }
"$cc" -std=c11 -O2 -march=native "$root/bench/gemm_peers.c" \
  -I/usr/include/x86_64-linux-gnu "$blas_dir/libopenblas.so.0" -o "$work/peers"
peak=$("$work/peers" peak | awk '{ print $2 }')

gflops() { awk -v m="$1" -v k="$2" -v n="$3" -v ms="$4" \
  'BEGIN { printf "%.1f", 2 * m * k * n / (ms * 1e-3) / 1e9 }'; }

for size in "${sizes[@]}"; do
  IFS=x read -r m k n <<<"$size"
  "$python" - "$m" "$k" "$n" "$work/g$size.onnx" <<'PY'
import sys
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
m, k, n = map(int, sys.argv[1:4])
b = np.random.default_rng(0).standard_normal((k, n), dtype=np.float32)
graph = helper.make_graph(
    [helper.make_node("MatMul", ["a", "b"], ["c"])], "gemm",
    [helper.make_tensor_value_info("a", TensorProto.FLOAT, [m, k])],
    [helper.make_tensor_value_info("c", TensorProto.FLOAT, [m, n])],
    [numpy_helper.from_array(b, "b")])
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]),
          sys.argv[4])
PY
  mkdir -p "$work/$size"
  "$nncc" "$work/g$size.onnx" -o "$work/$size/model.o" --name model
  "$cc" -std=c11 -O2 "$root/bench/gemm_nncc.c" "$work/$size/model.o" \
    -I"$root/runtime/include" -L"$(dirname "$nncc")/../runtime" -lnnrt -lm \
    -lpthread -o "$work/$size/gemm_nncc"
done

table="| M x K x N | threads | nncc ms (runs) | OpenBLAS ms | nncc / OpenBLAS (time) \
| nncc GFLOP/s | OpenBLAS GFLOP/s | nncc % of peak |
|---|---:|---:|---:|---:|---:|---:|---:|"
for t in "${threads[@]}"; do
  for size in "${sizes[@]}"; do
    IFS=x read -r m k n <<<"$size"
    # The rounds (machine.sh): nncc, then OpenBLAS, then again.
    per_round=$(( (runs + rounds - 1) / rounds ))
    nn_list=() ob_list=() nn_runs=0
    for ((round = 1; round <= rounds; round++)); do
      read -r _ ms _ got < <(NNRT_NUM_THREADS=$t \
        "$work/$size/gemm_nncc" "$warmup" "$per_round" "$budget")
      nn_list+=("$ms")
      nn_runs=$((nn_runs + got))
      ob_list+=("$("$work/peers" sgemm "$m" "$n" "$k" "$warmup" "$per_round" "$t" |
        awk '{ print $2 }')")
    done
    nn=$(median "${nn_list[@]}")
    ob=$(median "${ob_list[@]}")
    nn_gf=$(gflops "$m" "$k" "$n" "$nn")
    ob_gf=$(gflops "$m" "$k" "$n" "$ob")
    row=$(awk -v a="$nn" -v b="$ob" -v r="$nn_runs" \
      'BEGIN { printf "%.3f (%d) | %.3f | %.2f", a, r, b, a / b }')
    pct=$(awk -v g="$nn_gf" -v p="$peak" -v t="$t" \
      'BEGIN { printf "%.1f", 100 * g / (p * t) }')
    table+=$'\n'"| $size | $t | $row | $nn_gf | $ob_gf | $pct |"
  done
done

report="# GEMM: nncc vs OpenBLAS sgemm, fp32

- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); load average at start: $load
- CPU: $cpu, $(nproc) cores online, widest vector ISA: ${isa:-none found}; $(uname -r)
- Peak of one core: $peak GFLOP/s (inline-asm FMA loop, bench/gemm_peers.c); '% of peak'
  is of threads x that.
- nncc: $("$nncc" --version | head -1), commit $commit; an ONNX MatMul with B as an
  initializer, through model_infer_packed.
- OpenBLAS: $blas_dir/libopenblas.so.0, cblas_sgemm row major,
  OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}.
- Method: $rounds rounds that take nncc and OpenBLAS in turn, each $warmup warm-up calls and
  $(( (runs + rounds - 1) / rounds )) calls timed one by one (CLOCK_MONOTONIC); a time is the median of the rounds'
  medians. nncc stops a round after $budget s of timed calls (at least 3), its count of timed
  calls in parentheses. Threads: NNRT_NUM_THREADS for nncc (its thread pool splits the
  rows or column panels of register tiles), openblas_set_num_threads for OpenBLAS.
$(busy_note)

$table"
mkdir -p "$(dirname "$out")"
printf '%s\n' "$report" | tee "$out"
