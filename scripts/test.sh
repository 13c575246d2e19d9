#!/usr/bin/env bash
# Set-up (scripts/setup.sh) followed by the whole test suite: lit tests of
# every dialect, pass and driver path, the runtime, end-to-end models against
# PyTorch, and the ONNX backend node tests (check-nncc); then the whole
# torchvision and recurrent models against PyTorch (check-nncc-models,
# test/models/).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="${NNCC_BUILD_DIR:-$root/build}"
"$root/scripts/setup.sh"
ninja -C "$build" check-nncc
ninja -C "$build" check-nncc-models
