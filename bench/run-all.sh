#!/usr/bin/env bash
# The whole benchmark suite, one script after the other.
#
#   bench/run-all.sh
#
# Runs bench/gemm.sh, bench/infer.sh, bench/train-step.sh and
# bench/compile-time.sh --quick in sequence. Each of the first three writes
# its table to RESULTS (default bench/results/: gemm.md, infer.md,
# train-step.md); the output of compile-time.sh, which only prints, goes to
# RESULTS/compile-time.md under a short header. A script that fails does
# not stop the others: the suite says which failed and exits 1.
#
# Environment: RESULTS; the rest is passed on to every script (NNCC, CC,
# PYTHON, THREADS, WARMUP, RUNS, BUDGET, TORCH_BLAS_DIR, ORT_NODE_MODULES,
# ...; see each script's header), except OUT, which is RESULTS/<name>.md.
# About 10 minutes on 2 cores, most of it infer.sh's calls at batch 16
# (the peers' as much as nncc's). Not a test.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
results=${RESULTS:-$root/bench/results}
nncc=${NNCC:-$root/build/bin/nncc}
mkdir -p "$results"
results=$(cd "$results" && pwd)

failed=()
# step NAME COMMAND...: runs one script, recording a failure.
step() {
  local name=$1 start=$SECONDS
  shift
  echo "== run-all.sh: $name" >&2
  local status=0
  "$@" || status=$?
  if ((status == 0)); then
    echo "== run-all.sh: $name done in $(((SECONDS - start) / 60)) min" >&2
  else
    echo "== run-all.sh: $name FAILED (status $status)" >&2
    failed+=("$name")
  fi
}

# compile-time.sh prints a table; this keeps it with the machine and date.
compile_time() {
  local table commit
  commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
  git -C "$root" diff --quiet HEAD 2>/dev/null || commit+=" + local changes"
  table=$(bash "$root/bench/compile-time.sh" --quick) || return
  printf '%s\n' "# Compile time: chains of N Relu ops (bench/compile-time.sh --quick)

- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); load average: $(cut -d' ' -f1-3 /proc/loadavg)
- CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores online
- nncc: $("$nncc" --version | head -1), commit $commit

\`\`\`
$table
\`\`\`" | tee "$results/compile-time.md"
}

for name in gemm infer train-step; do
  step "$name" env OUT="$results/$name.md" bash "$root/bench/$name.sh"
done
step compile-time compile_time

echo
echo "Results in $results:"
for name in gemm infer train-step compile-time; do
  if [[ -f $results/$name.md ]]; then echo "  $results/$name.md"; fi
done
if ((${#failed[@]})); then
  echo "failed: ${failed[*]}" >&2
  exit 1
fi
