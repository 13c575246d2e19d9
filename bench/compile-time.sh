#!/usr/bin/env bash
# Compile-time benchmark: chains of N Relu ops on an 8x64 float tensor.
#
#   bench/compile-time.sh                 N = 100 200 400 800
#   bench/compile-time.sh --quick         N = 50 100 200
#   bench/compile-time.sh 100 1000        the given N
#
# Environment: NNCC (default build/bin/nncc under the repository root),
# NNCC_FLAGS (extra flags, e.g. "-O0" or "--emit=llvm"), PYTHON (default
# /usr/bin/python3, which must have the onnx package).
# Prints N, wall seconds and peak RSS (MiB) per model. Not a test.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
nncc=${NNCC:-$root/build/bin/nncc}
python=${PYTHON:-/usr/bin/python3}
read -r -a flags <<<"${NNCC_FLAGS:-}"

sizes=(100 200 400 800)
if [[ ${1:-} == --quick ]]; then sizes=(50 100 200)
elif (($#)); then sizes=("$@"); fi

[[ -x $nncc ]] || { echo "nncc not found at $nncc (set NNCC)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# relu_chain.onnx: x -> Relu -> Relu -> ... (N times) -> y, all 8x64 float.
gen() {
  "$python" - "$1" "$2" <<'PY'
import sys, onnx
from onnx import helper, TensorProto
n, path = int(sys.argv[1]), sys.argv[2]
names = ["x"] + [f"t{i}" for i in range(1, n)] + ["y"]
nodes = [helper.make_node("Relu", [names[i]], [names[i + 1]]) for i in range(n)]
io = lambda name: helper.make_tensor_value_info(name, TensorProto.FLOAT, [8, 64])
graph = helper.make_graph(nodes, "relu_chain", [io("x")], [io("y")])
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)
PY
}

printf '%6s %10s %12s\n' N seconds peak_MiB
for n in "${sizes[@]}"; do
  gen "$n" "$work/m$n.onnx"
  if [[ -x /usr/bin/time ]]; then
    # GNU time: elapsed seconds and maximum resident set size in KiB.
    /usr/bin/time -o "$work/t" -f '%e %M' \
      "$nncc" "${flags[@]}" "$work/m$n.onnx" -o "$work/m$n.o" >/dev/null
    read -r secs kib <"$work/t"
    printf '%6s %10s %12s\n' "$n" "$secs" "$((kib / 1024))"
  else
    # Fallback: bash's time keyword, wall seconds only.
    TIMEFORMAT=%R
    secs=$( { time "$nncc" "${flags[@]}" "$work/m$n.onnx" -o "$work/m$n.o" >/dev/null; } 2>&1 )
    printf '%6s %10s %12s\n' "$n" "$secs" "-"
  fi
done
