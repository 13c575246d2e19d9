#!/usr/bin/python3
"""Writes ONNX node tests of unsigned integer arithmetic, in the layout of
libonnx-testdata's data/node (model.onnx, test_data_set_0/*.pb), for
run_node_tests.py --data-root.

The ONNX backend tests of UINT8...UINT64 use small values, which signed
arithmetic gets right too; these use values at and above 2^(bits-1), where
signed comparison, division, extension and conversion differ. Expected
outputs are NumPy's. Each op is tested twice: on graph inputs (computed by
the generated code) and on initializers (folded by the compiler, nncc's
NnConstantFolds.cpp), the _const variant.

    make_unsigned_tests.py DIR    writes DIR/node/test_unsigned_* and prints
                                  the names, one per line, as
                                  node/test_unsigned_...
"""

import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper
from onnx.mapping import NP_TYPE_TO_TENSOR_TYPE  # onnx 1.12

# Div takes 8- and 16-bit unsigned integers from opset 14 on.
OPSET = 14
TYPES = (np.uint8, np.uint16, np.uint32, np.uint64)


def high_values(dtype, shape, seed):
    """Values spread over the whole unsigned range: half of them at or above
    2^(bits-1), including the largest; no zeros (divisors)."""
    info = np.iinfo(dtype)
    rng = np.random.default_rng(seed)
    size = int(np.prod(shape))
    values = rng.integers(1, info.max, size=size, dtype=dtype, endpoint=True)
    values[0] = info.max
    values[1] = (info.max >> 1) + 1  # 2^(bits-1)
    values[2] = 1
    return values.reshape(shape)


def cases():
    """(name, op, attributes, inputs {name: array}, expected outputs)."""
    for dtype in TYPES:
        t = np.dtype(dtype).name
        a = high_values(dtype, (3, 4), 1)
        b = high_values(dtype, (3, 4), 2)
        b_row = high_values(dtype, (4,), 3)
        yield f"max_{t}", "Max", {}, {"a": a, "b": b}, [np.maximum(a, b)]
        yield f"min_{t}", "Min", {}, {"a": a, "b": b_row}, [
            np.minimum(a, b_row)]
        yield f"div_{t}", "Div", {}, {"a": a, "b": b}, [a // b]
        yield f"less_{t}", "Less", {}, {"a": a, "b": b}, [a < b]
        yield f"greater_{t}", "Greater", {}, {"a": a, "b": b_row}, [a > b_row]
        if dtype != np.uint16:  # ReduceMax/Min-13 take no UINT16
            yield f"reduce_max_{t}", "ReduceMax", {
                "axes": [1], "keepdims": 0}, {"a": a}, [a.max(axis=1)]
            yield f"reduce_min_{t}", "ReduceMin", {
                "axes": [0], "keepdims": 1}, {"a": a}, [
                a.min(axis=0, keepdims=True)]
        yield f"argmax_{t}", "ArgMax", {"axis": 1, "keepdims": 0}, {"a": a}, [
            a.argmax(axis=1).astype(np.int64)]
        yield f"argmin_{t}", "ArgMin", {"axis": 0, "keepdims": 0}, {"a": a}, [
            a.argmin(axis=0).astype(np.int64)]
        yield f"cast_{t}_to_float", "Cast", {"to": onnx.TensorProto.DOUBLE}, {
            "a": a}, [a.astype(np.float64)]
        yield f"cast_{t}_to_int64", "Cast", {"to": onnx.TensorProto.INT64}, {
            "a": a}, [a.astype(np.int64)]
        # Floats at and above 2^(bits-1) that convert exactly.
        f = (a >> 4 << 4).astype(np.float64) if dtype != np.uint64 else \
            np.array([2.0**63, 2.0**64 - 2**11, 3.0, 2.0**40], np.float64)
        yield f"cast_double_to_{t}", "Cast", {
            "to": NP_TYPE_TO_TENSOR_TYPE[np.dtype(dtype)]}, {
            "a": f}, [f.astype(dtype)]
    base = np.array([[0.5, 1.5, 2.0, 1.0001]], np.float32)
    exponent = np.array([[3000000000, 7, 4294967295, 2]], np.uint32)
    with np.errstate(over="ignore"):  # 1.5^3e9 is inf, as it must be
        power = np.power(base.astype(np.float64), exponent.astype(np.float64))
    yield "pow_float_uint32", "Pow", {}, {"a": base, "b": exponent}, [
        power.astype(np.float32)]


def save(directory, name, value):
    with open(os.path.join(directory, name), "wb") as f:
        f.write(numpy_helper.from_array(value).SerializeToString())


def write_test(root, name, op, attributes, inputs, outputs, constant):
    test = os.path.join(root, "node", "test_unsigned_" + name +
                        ("_const" if constant else ""))
    data = os.path.join(test, "test_data_set_0")
    os.makedirs(data, exist_ok=True)
    node_outputs = ["y"] if not constant else ["r"]
    nodes = [helper.make_node(op, list(inputs), node_outputs, **attributes)]
    graph_inputs, initializers = [], []
    for input_name, value in inputs.items():
        if constant:
            initializers.append(numpy_helper.from_array(value, input_name))
        else:
            graph_inputs.append(helper.make_tensor_value_info(
                input_name, NP_TYPE_TO_TENSOR_TYPE[value.dtype],
                value.shape))
    if constant:
        nodes.append(helper.make_node("Identity", ["r"], ["y"]))
    expected = np.asarray(outputs[0])
    graph = helper.make_graph(
        nodes, "unsigned", graph_inputs,
        [helper.make_tensor_value_info(
            "y", NP_TYPE_TO_TENSOR_TYPE[expected.dtype],
            expected.shape)], initializers)
    model = helper.make_model(graph, opset_imports=[
        helper.make_opsetid("", OPSET)])
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(test, "model.onnx"))
    if not constant:
        for i, value in enumerate(inputs.values()):
            save(data, f"input_{i}.pb", value)
    save(data, "output_0.pb", expected)
    return os.path.relpath(test, root)


def main():
    root = sys.argv[1]
    for name, op, attributes, inputs, outputs in cases():
        for constant in (False, True):
            print(write_test(root, name, op, attributes, inputs, outputs,
                             constant))


if __name__ == "__main__":
    main()
