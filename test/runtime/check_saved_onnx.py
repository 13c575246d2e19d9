"""Checks a model written by nnrt_hook_save_onnx with the onnx package.

nnrt-runtime-test leaves saved.onnx in its work directory: the compiled
model of its file tests (file_io_test.c) with the trained values of fc.weight
and fc.bias patched in. This script loads it with onnx.load, runs the full
ONNX checker (shape inference included) and prints every initializer, so that
runtime.test can match the values the test set.
"""

import sys

import onnx
from onnx import numpy_helper


def main():
    model = onnx.load(sys.argv[1])
    onnx.checker.check_model(model, full_check=True)
    print("checker: ok")
    for tensor in model.graph.initializer:
        print(f"{tensor.name}: {numpy_helper.to_array(tensor).tolist()}")


if __name__ == "__main__":
    main()
