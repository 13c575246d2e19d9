"""Writes mlp.onnx, the small binary model of the importer tests.

Run with Debian's Python (python3-onnx): /usr/bin/python3 make_mlp.py
x[1, 8] -> Gemm(8 -> 16) -> Relu -> Gemm(16 -> 4, transB) -> Softmax.
"""

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(0)


def weight(name, *shape):
    data = rng.standard_normal(shape).astype(np.float32)
    return numpy_helper.from_array(data, name)


graph = helper.make_graph(
    [
        helper.make_node("Gemm", ["x", "w1", "b1"], ["h"], name="fc1"),
        helper.make_node("Relu", ["h"], ["a"], name="relu1"),
        helper.make_node("Gemm", ["a", "w2", "b2"], ["logits"], name="fc2",
                         transB=1),
        helper.make_node("Softmax", ["logits"], ["probs"], name="softmax"),
    ],
    "mlp",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8])],
    [helper.make_tensor_value_info("probs", TensorProto.FLOAT, [1, 4])],
    [weight("w1", 8, 16), weight("b1", 16), weight("w2", 4, 16),
     weight("b2", 4)],
)
model = helper.make_model(graph, producer_name="nncc-tests",
                          opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 8
onnx.checker.check_model(model)
onnx.save(model, "mlp.onnx")
