#!/usr/bin/python3
"""Inference batch norm with constant statistics folds (nn canonicalization)
into the convolution before it, or into a per-channel multiply-add: a model
Conv -> BatchNormalization -> Relu -> BatchNormalization (written as ONNX,
since PyTorch's export folds the first pair itself) compiled by nncc must
give what PyTorch computes with the same weights (max relative error 1e-5
of the output's scale: the folded weights round once more), and its nn IR
must have no batch norm left."""

import argparse
import os
import subprocess
import sys

import numpy as np

SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(SCRIPT_DIR), "lib"))
sys.path.insert(0, SCRIPT_DIR)
import nncc_tools  # noqa: E402
import run_model  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", required=True)
    nncc_tools.add_tool_arguments(parser)
    args = parser.parse_args()
    import onnx
    import torch
    from onnx import TensorProto, helper, numpy_helper
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    rng = np.random.default_rng(5)
    f32 = np.float32
    w = rng.standard_normal((4, 3, 3, 3)).astype(f32)
    cb = rng.standard_normal(4).astype(f32)
    bn = [[rng.uniform(0.5, 1.5, 4), rng.uniform(-0.5, 0.5, 4),
           rng.uniform(-0.5, 0.5, 4), rng.uniform(0.5, 1.5, 4)]
          for _ in range(2)]
    names = ["w", "cb"]
    inits = [numpy_helper.from_array(w, "w"), numpy_helper.from_array(cb, "cb")]
    for k, params in enumerate(bn):
        for n, a in zip(("s", "b", "m", "v"), params):
            inits.append(numpy_helper.from_array(a.astype(f32), f"{n}{k}"))
    node = helper.make_node
    nodes = [node("Conv", ["x", "w", "cb"], ["c"], pads=[1] * 4),
             node("BatchNormalization", ["c", "s0", "b0", "m0", "v0"], ["n0"],
                  epsilon=1e-3),
             node("Relu", ["n0"], ["r"]),
             node("BatchNormalization", ["r", "s1", "b1", "m1", "v1"], ["y"])]
    graph = helper.make_graph(
        nodes, "bn", [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                                    (2, 3, 5, 5))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, (2, 4, 5, 5))],
        inits)
    path = os.path.join(work, "bn.onnx")
    onnx.save(helper.make_model(graph, opset_imports=[
        helper.make_opsetid("", 13)]), path)

    x = rng.standard_normal((2, 3, 5, 5)).astype(f32)
    t = lambda a: torch.from_numpy(np.asarray(a, f32))  # noqa: E731
    with torch.no_grad():
        h = torch.nn.functional.conv2d(t(x), t(w), t(cb), padding=1)
        for k, (s, b, m, v) in enumerate(bn):
            h = torch.nn.functional.batch_norm(
                h, t(m), t(v), t(s), t(b), False, 0.0, 1e-3 if k == 0 else 1e-5)
            if k == 0:
                h = torch.relu(h)
    expected = h.numpy()

    ir = subprocess.run([args.nncc, path, "--emit=nn"], check=True,
                        stdout=subprocess.PIPE, text=True).stdout
    print(f"batch norms left in the nn IR: {ir.count('nn.batch_norm')}")
    obj = os.path.join(work, "model.o")
    harness = os.path.join(work, "harness")
    run_model.run_step("compiling", [args.nncc, path, "-o", obj, "--name",
                                     "model"])
    run_model.run_step("linking", [
        args.cc, "-std=c11", "-I", work, "-I", args.nnrt_include,
        args.harness_src, obj, "-L", args.nnrt_lib, "-lnnrt", "-lm", "-o",
        harness])
    x.tofile(os.path.join(work, "x.bin"))
    subprocess.run([harness, os.path.join(work, "x.bin"), "--",
                    os.path.join(work, "y.bin")], check=True)
    actual = np.fromfile(os.path.join(work, "y.bin"), f32).reshape(
        expected.shape)
    error = np.abs(actual - expected).max() / np.abs(expected).max()
    ok = error <= 1e-5
    print(f"folded batch norms vs PyTorch: max relative error {error:.3g} "
          f"(tolerance 1e-05): {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
