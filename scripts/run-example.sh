#!/usr/bin/env bash
# The main job: set-up (scripts/setup.sh), then compile the bundled LeNet-5
# (trained on Fashion-MNIST) with nncc, link it with libnnrt into a small C
# program and classify the Fashion-MNIST test set.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="${NNCC_BUILD_DIR:-$root/build}"
"$root/scripts/setup.sh"
"$root/examples/fashion_mnist/run.sh" "$build"
