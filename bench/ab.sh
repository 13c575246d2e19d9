#!/usr/bin/env bash
# A/B timing of two compiles of one model, in one process.
#
#   NNCC_A=<nncc> NNCC_B=<nncc> bash bench/ab.sh MODEL.onnx
#
# Compiles MODEL with NNCC_A and FLAGS_A (as `ma`) and with NNCC_B and
# FLAGS_B (as `mb`), links both into bench/ab.c and calls them in turn,
# ROUNDS rounds of one call each (A first in even rounds, B first in odd
# ones), on THREADS threads. Prints the median time of each, the median of
# the rounds' B / A ratios and the largest difference of their outputs, e.g.
#   A ms 3.5210 B ms 3.4640 B/A 0.975 rounds 20 max_diff 0
# A compiler change of a few percent is below the run-to-run spread of this
# kind of machine (5-10%); the same phases fall on both compiles here.
#
# Environment: NNCC_A, NNCC_B (default build/bin/nncc, e.g. a build of the
# previous commit against this one), FLAGS_A, FLAGS_B (nncc flags, split on
# spaces, default none), THREADS (NNRT_NUM_THREADS, default 1), ROUNDS
# (default 20), CC (default clang-22, else cc). The runtime library is the
# one next to NNCC_B (<bin>/../runtime). Not a test.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[[ $# -eq 1 ]] || { echo "usage: NNCC_A=... NNCC_B=... $0 MODEL.onnx" >&2; exit 2; }
model=$1
nncc_a=${NNCC_A:-$root/build/bin/nncc}
nncc_b=${NNCC_B:-$root/build/bin/nncc}
cc=${CC:-$(command -v clang-22 || echo cc)}
read -r -a flags_a <<<"${FLAGS_A:-}"
read -r -a flags_b <<<"${FLAGS_B:-}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$nncc_a" "$model" "${flags_a[@]}" -o "$work/ma.o" --name ma
"$nncc_b" "$model" "${flags_b[@]}" -o "$work/mb.o" --name mb
"$cc" -std=c11 -O2 -Wall "$root/bench/ab.c" "$work/ma.o" "$work/mb.o" \
  -I"$root/runtime/include" -L"$(dirname "$nncc_b")/../runtime" -lnnrt -lm \
  -lpthread -o "$work/ab"
NNRT_NUM_THREADS=${THREADS:-1} "$work/ab" "${ROUNDS:-20}"
