"""Checks the model file that `nncc --train --emit=import` keeps.

    check_model_file.py MODEL.onnxtxt IMPORTED.mlir

Decodes the nncc.model_file blob of IMPORTED.mlir (the hex of its resource
section, after the 4-byte alignment) as an ONNX model, runs the checker on
it, and prints for each initializer where its data is and, for those that
are nn.parameter ops, whether the bytes at their nncc.file_offset are their
values, little-endian. With the initializers of MODEL put back, the decoded
model must be MODEL as read.
"""

import re
import sys

import numpy as np
import onnx
from google.protobuf import text_format
from onnx import numpy_helper

DATA_FIELDS = ["raw_data", "float_data", "int32_data", "int64_data",
               "double_data", "uint64_data"]


def main():
    original = text_format.Parse(open(sys.argv[1]).read(), onnx.ModelProto())
    mlir = open(sys.argv[2]).read()
    blob = re.search(r'nncc_model_file: "0x([0-9A-F]+)"', mlir).group(1)
    data = bytes.fromhex(blob)[4:]
    offsets = {m.group(2): int(m.group(3)) for m in re.finditer(
        r'nn\.parameter @("?)(.+?)\1 = .*\{nncc\.file_offset = (\d+) : i64\}',
        mlir)}

    model = onnx.ModelProto()
    model.ParseFromString(data)
    onnx.checker.check_model(model)
    print("checker: ok")
    initial = {t.name: t for t in original.graph.initializer}
    for tensor in model.graph.initializer:
        field = next(f for f in DATA_FIELDS if len(getattr(tensor, f)))
        if tensor.name not in offsets:
            print(f"{tensor.name}: {field}, not a parameter")
            continue
        value = numpy_helper.to_array(initial[tensor.name])
        raw = value.astype(value.dtype.newbyteorder("<")).tobytes()
        offset = offsets[tensor.name]
        where = ("at its offset" if data[offset:offset + len(raw)] == raw
                 else "NOT AT ITS OFFSET")
        same = np.array_equal(numpy_helper.to_array(tensor), value)
        print(f"{tensor.name}: {field}, {where}"
              + ("" if same else ", OTHER VALUES"))
    print("value_info:", len(model.graph.value_info))
    for tensor in model.graph.initializer:
        tensor.CopyFrom(initial[tensor.name])
    print("the rest:", "as read" if model == original else "CHANGED")


if __name__ == "__main__":
    main()
