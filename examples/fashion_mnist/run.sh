#!/usr/bin/env bash
# Compiles the bundled LeNet-5 (lenet.onnx) with nncc, links it with libnnrt
# into classify.c and classifies the 10,000 Fashion-MNIST test images,
# checking the results against PyTorch's (lenet.expected).
#
#   examples/fashion_mnist/run.sh [BUILD_DIR]
#
# BUILD_DIR is nncc's CMake build directory (default: <repo>/build); it must
# hold bin/nncc and runtime/libnnrt.a. Everything this script writes goes to
# BUILD_DIR/examples/fashion_mnist. Environment: CC (default: cc),
# FASHION_MNIST_DIR (default: /usr/share/datasets/fashion-mnist, Debian's
# dataset-fashion-mnist package).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
data=${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}
cc=${CC:-cc}
splits=(t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

# die, check_build (sets build and nncc), check_dataset, decompress.
source "$here/common.sh"

check_build
check_dataset "$data" "${splits[@]}"

out=$build/examples/fashion_mnist
mkdir -p "$out"

echo "== decompressing the Fashion-MNIST test set into $out"
decompress "$data" "$out" "${splits[@]}"

echo "== nncc lenet.onnx -o $out/lenet.o --name lenet"
"$nncc" "$here/lenet.onnx" -o "$out/lenet.o" --name lenet

echo "== $cc classify.c lenet.o -lnnrt"
"$cc" -std=c11 -O2 -I"$out" -I"$root/runtime/include" "$here/classify.c" \
  "$out/lenet.o" -L"$build/runtime" -lnnrt -lm -lpthread -o "$out/classify"

echo "== classify"
"$out/classify" "$out/t10k-images-idx3-ubyte" "$out/t10k-labels-idx1-ubyte" \
  "$here/lenet.expected"
