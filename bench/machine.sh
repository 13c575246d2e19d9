# bench/machine.sh - sourced by the bench scripts (after setting `root`, the
# repository root): their tools, a work folder, the machine, the peers at
# their best.
#
# Sets: nncc (NNCC, default build/bin/nncc, which must exist), cc (CC,
# default clang-22, else cc), python (PYTHON, default /usr/bin/python3),
# threads (THREADS, default "1 2"), work (a temporary folder removed on
# exit), commit (nncc's commit, "+ local changes" when the tree differs).
#
# Sets: cpu (model, vendor, family, model number), isa (widest of avx2,
# avx512f), load (load average at start), blas_dir (the OpenBLAS folder for
# PyTorch and sgemm: TORCH_BLAS_DIR, else Debian's openblas-pthread, which
# is installed with apt-get when missing). Exports OPENBLAS_CORETYPE from
# the widest ISA on every CPU: SkylakeX (AVX-512) or Haswell (AVX2), since
# OpenBLAS 0.3.21 falls back to SSE3 on Xeons it does not know
# (/work/shared/TOOLCHAIN.md) and its Zen and Haswell kernels use half of a
# Zen 5's vector width (sgemm 512^3 on one Zen 5 core: 102 GFLOP/s with
# Haswell, 196 with SkylakeX). An inherited OPENBLAS_CORETYPE is replaced
# (some machines export Haswell for every program); BENCH_OPENBLAS_CORETYPE
# chooses another kernel.

nncc=${NNCC:-$root/build/bin/nncc}
cc=${CC:-$(command -v clang-22 || echo cc)}
python=${PYTHON:-/usr/bin/python3}
read -r -a threads <<<"${THREADS:-1 2}"
[[ -x $nncc ]] || { echo "nncc not found at $nncc (set NNCC)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$root" diff --quiet HEAD 2>/dev/null || commit+=" + local changes"

field() { lscpu | sed -n "s/^$1: *//p" | head -1; }
cpu="$(field 'Model name') ($(field 'Vendor ID'), family $(field 'CPU family')"
cpu+=" model $(field 'Model'))"
isa=
for flag in avx2 avx512f; do grep -qw "$flag" /proc/cpuinfo && isa=$flag; done
case ${BENCH_OPENBLAS_CORETYPE:-$isa} in
  avx512f) export OPENBLAS_CORETYPE=SkylakeX ;;
  avx2) export OPENBLAS_CORETYPE=Haswell ;;
  *) export OPENBLAS_CORETYPE=$BENCH_OPENBLAS_CORETYPE ;;
esac
blas_dir=${TORCH_BLAS_DIR:-}
if [[ -z $blas_dir && ! -d /usr/lib/x86_64-linux-gnu/openblas-pthread ]]; then
  sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get install -y -q --no-install-recommends \
    libopenblas0-pthread >&2
fi
if [[ -z $blas_dir && -d /usr/lib/x86_64-linux-gnu/openblas-pthread ]]; then
  blas_dir=/usr/lib/x86_64-linux-gnu/openblas-pthread
fi
load=$(cut -d' ' -f1-3 /proc/loadavg)

# The line saying the machine was busy, when it was.
busy_note() {
  awk -v l="${load%% *}" -v n="$(nproc)" 'BEGIN { if (l >= n - 0.5)
    print "- The machine was busy (load average " l " on " n " cores): times " \
          "run high." }'
}

# median X...: the median of the numbers (the lower middle one of an even
# count).
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Each time is split into ROUNDS rounds (default 3) that take the peers in
# turn, and is the median of the rounds' medians: some machines (the AVX2
# Zen 3 VM) run in a fast and a slow phase about 1.3x apart that switch
# within seconds, and a peer timed in one go could land in either.
rounds=${ROUNDS:-3}
