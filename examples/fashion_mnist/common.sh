# common.sh - what run.sh and train.sh share: sourced, not run.
# shellcheck shell=bash
#
# Both scripts check the build directory and the dataset the same way, with
# the same messages, before writing anything, and decompress the idx files the
# same way (the C programs read them uncompressed).

# Prints "<script>: <message>" on stderr and exits 1.
die() {
  echo "${0##*/}: $*" >&2
  exit 1
}

# Checks the build directory $build: it must hold bin/nncc and libnnrt. Sets
# build to its absolute path and nncc to the compiler.
check_build() {
  [[ -d $build ]] || die "build directory '$build' does not exist (build nncc first)"
  build=$(cd "$build" && pwd)
  nncc=$build/bin/nncc
  [[ -x $nncc ]] || die "'$nncc' not found: build nncc first"
  [[ -f $build/runtime/libnnrt.a || -f $build/runtime/libnnrt.so ]] ||
    die "libnnrt not found in '$build/runtime': build the runtime first"
}

# check_dataset DIR FILE...: each DIR/FILE.gz must exist.
check_dataset() {
  local dir=$1 f
  shift
  for f in "$@"; do
    [[ -f $dir/$f.gz ]] ||
      die "'$dir/$f.gz' not found (install dataset-fashion-mnist or set FASHION_MNIST_DIR)"
  done
}

# decompress FROM TO FILE...: TO/FILE is FROM/FILE.gz decompressed. Written
# under a temporary name first, so that an interrupted run leaves no
# truncated file behind.
decompress() {
  local from=$1 to=$2 f
  shift 2
  for f in "$@"; do
    gzip -dc "$from/$f.gz" >"$to/$f.tmp"
    mv "$to/$f.tmp" "$to/$f"
  done
}
