#!/usr/bin/env bash
# Inference benchmark: nncc against ONNX Runtime 1.30 and PyTorch 1.13.
#
#   bench/infer.sh
#   QUICK=1 bench/infer.sh        MLP and LeNet-5 at batch 1, 1 thread,
#                                 WARMUP=1 RUNS=3 (a check of the script)
#
# Models (bench/infer.py): the MLP 784-256-128-10 and LeNet-5 of
# bench/train_step.py (same definitions and seeds) at batch 1 and 64;
# torchvision's ResNet-18, ResNet-50 and MobileNet-V2 (random weights, seed
# 0, eval mode, 3x224x224) at batch 1 and 16. Each is exported to ONNX
# (opset 13) with one random input, and run by:
# - nncc: compiled with `nncc model.onnx --name model` (the wall time of
#   that command is the table's compile time), model_infer timed by
#   bench/infer_nncc.c; its warm-up stops after BUDGET / 4 seconds and its
#   timed calls after BUDGET seconds (one call at least; a first call that
#   took BUDGET alone is the measurement, without warm-up): naive loops
#   take a minute a call on ResNet-50 at batch 16;
# - ONNX Runtime: onnxruntime-node 1.30 (npm, ORT_NODE_MODULES or installed
#   with `npm install --ignore-scripts` into the work folder), session.run
#   timed in-process by bench/infer_ort.js; intra-op threads = the thread
#   count, one inter-op thread, sequential execution, all optimizations;
# - PyTorch: eager under inference_mode and TorchScript (trace, freeze,
#   optimize_for_inference), timed in-process by bench/infer.py, on
#   OpenBLAS with the kernel bench/machine.sh picks (as train-step.sh).
# Each time is the median of the medians of ROUNDS rounds (the peers in
# turn), each of RUNS / ROUNDS calls timed one by one after WARMUP untimed
# calls (SMALL_WARMUP for the MLP and LeNet-5) in every round, each peer in
# a process of its own, at each thread count of THREADS
# (NNRT_NUM_THREADS for nncc;
# torch.set_num_threads, OMP_NUM_THREADS and OPENBLAS_NUM_THREADS for
# PyTorch). nncc's output is compared with ORT's on the same input: max
# |nncc - ORT| must stay within 1e-3 x max |ORT|, else the row says
# MISMATCH (and the script exits 1 after writing the table). GFLOP counts
# the Conv/Gemm/MatMul multiply-adds (x2) of the ONNX graph; '% of peak' is
# of the single-core peak of bench/gemm_peers.c (as gemm.sh) x threads.
#
# Environment: NNCC (default build/bin/nncc), CC (default clang-22, else
# cc), PYTHON (default /usr/bin/python3, with torch, torchvision and onnx),
# THREADS (default "1 2"), WARMUP (5), RUNS (20), SMALL_RUNS (10 x RUNS: the
# MLP's and LeNet-5's), SMALL_WARMUP (10 x WARMUP: theirs), ROUNDS (3),
# BUDGET (20 seconds),
# MODELS (default "mlp:1 mlp:64 lenet:1 lenet:64 resnet18:1 resnet18:16
# resnet50:1 resnet50:16 mobilenet_v2:1 mobilenet_v2:16"), QUICK (1: the
# quick set above), ORT_NODE_MODULES, TORCH_BLAS_DIR, OUT (default
# bench/results/infer.md). Installs nodejs and npm from Debian when missing.
# 22 minutes on 2 busy cores at nncc's current speed. Prints the markdown
# table and writes it to OUT. Not a test.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ ${QUICK:-0} == 1 ]]; then
  : "${THREADS:=1}" "${WARMUP:=1}" "${RUNS:=3}" "${MODELS:=mlp:1 lenet:1}"
fi
# Tools, work folder, the machine and the peers (sets nncc, cc, python,
# threads, work, commit, cpu, isa, load, blas_dir).
# shellcheck source=bench/machine.sh
source "$root/bench/machine.sh"
warmup=${WARMUP:-5}
runs=${RUNS:-20}
# The MLP and LeNet-5 take under a millisecond a call: on two threads their
# calls fall into two modes (a fast one and one about twice as slow, as the
# scheduler places the worker), and a median of 20 landed in either. Ten
# times the calls (still under a second) give every peer a stable median.
small_runs=${SMALL_RUNS:-$((runs * 10))}
# A fresh ONNX Runtime session needs tens of calls to reach its speed: the
# MLP at batch 64 on one thread (Xeon, model 167), median of 67 calls after
# 1 warm-up call 0.49 ms, after 5 0.207, after 50 0.204, of 2000 after 1
# 0.200. Every round starts each peer in a new process, so every round
# warms up in full (rounds after the first had taken one warm-up call, and
# ORT's median of the rounds ran up to 1.4x its own best).
small_warmup=${SMALL_WARMUP:-$((warmup * 10))}
budget=${BUDGET:-20}
read -r -a configs <<<"${MODELS:-mlp:1 mlp:64 lenet:1 lenet:64 resnet18:1 \
resnet18:16 resnet50:1 resnet50:16 mobilenet_v2:1 mobilenet_v2:16}"
out=${OUT:-$root/bench/results/infer.md}
ort_version=1.30
started=$(date +%s)

log() { echo "infer.sh: $*" >&2; }
now() { date +%s.%N; }

# ONNX Runtime for Node.
missing=()
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || [[ -n ${ORT_NODE_MODULES:-} ]] || missing+=(npm)
if ((${#missing[@]})); then
  sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi
node_modules=${ORT_NODE_MODULES:-$work/ort/node_modules}
if [[ -z ${ORT_NODE_MODULES:-} ]]; then
  log "npm install onnxruntime-node@$ort_version"
  # --ignore-scripts: the package ships its CPU binaries; the install
  # script would only fetch GPU ones.
  npm install --prefix "$work/ort" --ignore-scripts --no-audit --no-fund \
    --loglevel=error "onnxruntime-node@$ort_version" >/dev/null
fi
[[ -f $node_modules/onnxruntime-node/package.json ]] ||
  { echo "no onnxruntime-node in '$node_modules'" >&2; exit 1; }

# The peak of one core, and PyTorch's BLAS (as train-step.sh: none to add
# when the system BLAS already is OpenBLAS).
[[ -n $blas_dir ]] || { echo "no OpenBLAS found (set TORCH_BLAS_DIR)" >&2; exit 1; }
"$cc" -std=c11 -O2 -march=native "$root/bench/gemm_peers.c" \
  -I/usr/include/x86_64-linux-gnu "$blas_dir/libopenblas.so.0" -o "$work/peers"
peak=$("$work/peers" peak | awk '{ print $2 }')
torch_blas_dir=$blas_dir
[[ -z ${TORCH_BLAS_DIR:-} &&
   $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3) == *openblas* ]] &&
  torch_blas_dir=

# Export, count and compile every model once (the thread count does not
# change the code). compiled[cfg]: 1 when its nncc program is built.
declare -A gflop compile_s compiled memory
for cfg in "${configs[@]}"; do
  IFS=: read -r model batch <<<"$cfg"
  dir=$work/$model-$batch
  log "$model, batch $batch: export and compile"
  gflop[$cfg]=$("$python" "$root/bench/infer.py" export "$model" "$batch" "$dir" |
    awk '{ print $2 }')
  compiled[$cfg]=0
  start=$(now)
  if "$nncc" "$dir/model.onnx" -o "$dir/model.o" --name model --report-memory \
      >"$dir/memory.txt"; then
    compile_s[$cfg]=$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
    # The infer workspace on one thread (with one slice of the per-thread
    # buffers, "+ N per thread") against the most bytes of temporaries live
    # at once.
    memory[$cfg]=$(awk '/workspace of infer/ {
      bytes = $4; if ($5 == "+" && $7 == "per" && $8 == "thread") bytes += $6
      bound = $NF; sub(/\)$/, "", bound); ratio = bytes / (bound > 0 ? bound : 1)
      printf "%d | %d | %.3f | %s", bytes, bound, ratio, ratio <= 1.1 ? "yes" : "NO" }' \
      "$dir/memory.txt")
    "$cc" -std=c11 -O2 -Wall "$root/bench/infer_nncc.c" "$dir/model.o" \
      -I"$dir" -I"$root/runtime/include" -L"$(dirname "$nncc")/../runtime" \
      -lnnrt -lm -lpthread -o "$dir/infer_nncc"
    compiled[$cfg]=1
  else
    compile_s[$cfg]=failed
    log "$model, batch $batch: nncc failed"
  fi
done

table="| model | batch | GFLOP | threads | nncc ms (runs) | ORT ms | PyTorch eager ms \
| TorchScript ms | nncc / ORT | nncc / best PyTorch | nncc GFLOP/s | nncc % of peak \
| compile s | max diff / max \|ORT\| |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
failures=0
torch_blas=
ort_got=
for t in "${threads[@]}"; do
  for cfg in "${configs[@]}"; do
    IFS=: read -r model batch <<<"$cfg"
    dir=$work/$model-$batch
    runs_here=$runs warm_here=$warmup
    [[ $model == mlp || $model == lenet ]] &&
      runs_here=$small_runs warm_here=$small_warmup
    log "$model, batch $batch, $t thread(s): nncc, ORT, PyTorch, $rounds round(s)"
    per_round=$(( (runs_here + rounds - 1) / rounds ))
    nn=- nn_cell=failed nn_list=() nn_total=0 nn_warm=1
    ort=- ort_list=() eager_list=() script_list=()
    rm -f "$dir/nncc.bin" "$dir/ort.bin"
    for ((round = 1; round <= rounds; round++)); do
      if [[ ${compiled[$cfg]} == 1 ]] && result=$(NNRT_NUM_THREADS=$t "$dir/infer_nncc" \
          "$dir/input.bin" "$dir/nncc.bin" "$warm_here" "$per_round" "$budget"); then
        read -r _ ms _ got _ warm <<<"$result"
        nn_list+=("$ms")
        nn_total=$((nn_total + got))
        ((warm)) || nn_warm=0
      fi
      if result=$(NODE_PATH=$node_modules node "$root/bench/infer_ort.js" \
          "$dir/model.onnx" "$dir/input.bin" "$dir/ort.bin" "$t" "$warm_here" "$per_round"); then
        read -r _ ms _ _ _ ort_got <<<"$result"
        ort_list+=("$ms")
      fi
      result=$(env OMP_NUM_THREADS="$t" OPENBLAS_NUM_THREADS="$t" \
        ${torch_blas_dir:+LD_LIBRARY_PATH="$torch_blas_dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"} \
        "$python" "$root/bench/infer.py" torch "$model" "$batch" "$dir/input.bin" \
        --threads "$t" --warmup "$warm_here" --runs "$per_round")
      read -r _ ms _ script_ms _ blas _ core <<<"${result//$'\n'/ }"
      eager_list+=("$ms")
      script_list+=("$script_ms")
    done
    if ((${#nn_list[@]} == rounds)); then
      nn=$(median "${nn_list[@]}")
      nn_cell=$(printf '%.3f (%d)' "$nn" "$nn_total")
      ((nn_warm)) || nn_cell="${nn_cell%)}, cold)"
    fi
    ((${#ort_list[@]} == rounds)) && ort=$(median "${ort_list[@]}")
    eager=$(median "${eager_list[@]}")
    script=$(median "${script_list[@]}")
    torch_blas="$blas (kernel $core)"
    check="no output"
    if [[ -f $dir/nncc.bin && -f $dir/ort.bin ]]; then
      read -r _ max_diff _ max_ref verdict < <("$python" "$root/bench/infer.py" \
        diff "$dir/ort.bin" "$dir/nncc.bin")
      check="$max_diff / $max_ref"
      [[ $verdict == ok ]] || check+=" MISMATCH"
    fi
    [[ $check != *MISMATCH* && $check != "no output" ]] || failures=$((failures + 1))
    row=$(awk -v nn="$nn" -v ort="$ort" -v eager="$eager" -v script="$script" \
      -v gf="${gflop[$cfg]}" -v peak="$peak" -v t="$t" '
      function ratio(a, b) { return (a == "-" || b == "-") ? "-" : sprintf("%.2f", a / b) }
      BEGIN {
        best = eager < script ? eager : script
        rate = nn == "-" ? "-" : sprintf("%.2f", gf / (nn * 1e-3))
        pct = nn == "-" ? "-" : sprintf("%.2f", 100 * rate / (peak * t))
        printf "%s | %.3f | %.3f | %s | %s | %s | %s", \
          (ort == "-" ? "-" : sprintf("%.3f", ort)), eager, script, \
          ratio(nn, ort), ratio(nn, best), rate, pct
      }')
    table+=$'\n'"| $model | $batch | $(printf '%.4g' "${gflop[$cfg]}") | $t | $nn_cell \
| $row | ${compile_s[$cfg]} | $check |"
  done
done
case $torch_blas in
  *openblas*) ;;
  *) echo "warning: PyTorch did not run on OpenBLAS ($torch_blas): set TORCH_BLAS_DIR" >&2 ;;
esac
minutes=$(( ($(date +%s) - started + 30) / 60 ))

report="# Inference: nncc vs ONNX Runtime and PyTorch, fp32

- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); load average at start: $load; the whole run
  took $minutes min
- CPU: $cpu, $(nproc) cores online, widest vector ISA: ${isa:-none found}; $(uname -r)
- Peak of one core: $peak GFLOP/s (inline-asm FMA loop, bench/gemm_peers.c); '% of peak'
  is of threads x that.
- nncc: $("$nncc" --version | head -1), commit $commit, timing program built with
  $("$cc" --version | head -1); 'compile s': wall time of the nncc command.
- ONNX Runtime: onnxruntime-node ${ort_got:-?} on Node $(node --version), session.run timed
  in-process; intraOpNumThreads = threads, interOpNumThreads 1, sequential, optimization 'all'.
- PyTorch: $("$python" -c 'import torch, torchvision
print(torch.__version__, "with torchvision", torchvision.__version__)'), BLAS: $torch_blas,
  OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}; eager under inference_mode, TorchScript:
  trace + freeze + optimize_for_inference (convolutions in oneDNN).
- Models: MLP 784-256-128-10 and LeNet-5 (bench/train_step.py), ResNet-18/-50 and
  MobileNet-V2 (torchvision, random weights, seed 0, 224x224), ONNX opset 13, one random
  input; GFLOP: 2 x the Conv/Gemm/MatMul multiply-adds of one call.
- Method: each row's calls in $rounds rounds that take nncc, ORT and PyTorch in turn; a round is
  a new process per peer, $warmup warm-up call(s) and $(( (runs + rounds - 1) / rounds )) call(s) timed one by one
  ($small_warmup and $(( (small_runs + rounds - 1) / rounds )) for the MLP and LeNet-5: a fresh ORT session needs tens of calls to
  reach its speed, and their sub-millisecond calls on two threads fall into a fast and a slow mode), and a time is the median of the rounds' medians (the rounds spread a
  machine's fast and slow phases over all the peers); nncc
  stops its warm-up after $(awk -v b="$budget" 'BEGIN { print b / 4 }') s and its timed calls after $budget s (one call at least),
  its count of timed calls in parentheses; 'cold': its first call took $budget s and is the measurement.
  Threads: NNRT_NUM_THREADS for nncc; torch.set_num_threads, OMP_NUM_THREADS and
  OPENBLAS_NUM_THREADS for PyTorch. Ratios are of times (above 1: nncc is slower); 'best
  PyTorch': the faster of eager and TorchScript. 'max diff': max |nncc - ORT| on the same
  input, then max |ORT|; MISMATCH when the first is above 1e-3 x the second.
$(busy_note)

$table

Memory of one inference call on one thread (nncc --report-memory): the workspace (the static
plan's block plus any temporaries left to the allocator, plus one thread's buffers of the parallel
loops) against the most bytes of temporaries live at once; the target is at most 1.1 times that.

| model | batch | workspace bytes | live temporaries bytes | ratio | within 1.1 |
|---|---:|---:|---:|---:|---|
$(for cfg in "${configs[@]}"; do
    IFS=: read -r model batch <<<"$cfg"
    echo "| $model | $batch | ${memory[$cfg]:-- | - | - | -} |"
  done)"
mkdir -p "$(dirname "$out")"
printf '%s\n' "$report" | tee "$out"
if ((failures)); then
  echo "infer.sh: $failures row(s) without a matching nncc output (see the last column)" >&2
  exit 1
fi
