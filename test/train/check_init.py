#!/usr/bin/python3
"""Checks --init=glorot|he --seed=N on the MLP (784-256-128-10, exported
from PyTorch with Gemm weights [out, in]): the compiled model's parameters
before any step must have the distribution asked for (fan_in 784 and
fan_out 256 for the first layer), zero biases, be reproducible from the
seed and change with it."""

import argparse
import os
import subprocess
import sys

import numpy as np

SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, SCRIPT_DIR)
import check_training as ct  # noqa: E402


def initial_states(args, work, onnx_path, x, labels, flags):
    """The parameters of a fresh context of the model compiled with
    `flags`, by name."""
    os.makedirs(work, exist_ok=True)
    obj, harness = os.path.join(work, "m.o"), os.path.join(work, "h")
    ct.run_model.run_step("compiling", [args.nncc, onnx_path, "-o", obj,
                                        "--name", "model", "--train",
                                        "--gradients-entry"] + flags)
    ct.run_model.run_step("linking", [
        args.cc, "-std=c11", "-I", args.nnrt_include,
        os.path.join(SCRIPT_DIR, "train_harness.c"), obj, "-L", args.nnrt_lib,
        "-lnnrt", "-lm", "-o", harness])
    out = subprocess.run([harness, "0", x, labels, "--", work],
                         stdout=subprocess.PIPE, text=True, check=True).stdout
    states = {}
    for line in out.splitlines():
        words = line.split(" ", 2)
        if words[0] == "state":
            states[words[2]] = np.fromfile(
                os.path.join(work, f"state_{words[1]}.bin"), np.float32)
    return states


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", required=True)
    ct.nncc_tools.add_tool_arguments(parser)
    args = parser.parse_args()
    import torch
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    model, shape, _ = ct.build_model("mlp")
    onnx_path = os.path.join(work, "mlp.onnx")
    torch.onnx.export(model, torch.zeros((4,) + shape), onnx_path,
                      opset_version=13)
    x, labels = os.path.join(work, "x.bin"), os.path.join(work, "y.bin")
    np.zeros((4,) + shape, np.float32).tofile(x)
    np.zeros(4, np.int64).tofile(labels)
    original = model.state_dict()["0.weight"].numpy().ravel()

    he = initial_states(args, work + "/he3", onnx_path, x, labels,
                        ["--init=he", "--seed=3"])
    again = initial_states(args, work + "/he3b", onnx_path, x, labels,
                           ["--init=he", "--seed=3"])
    other = initial_states(args, work + "/he4", onnx_path, x, labels,
                           ["--init=he", "--seed=4"])
    glorot = initial_states(args, work + "/glorot", onnx_path, x, labels,
                            ["--init=glorot", "--seed=3"])
    report = ct.Report(metric="error")
    w = he["0.weight"]
    # 200,704 samples: the sample std is within 0.5% of the true one with
    # overwhelming probability, so 2% is a safe tolerance.
    expected = np.sqrt(2.0 / 784)
    report.check(f"he std {w.std():.5f} vs {expected:.5f} (relative)",
                 abs(w.std() / expected - 1), 0.02)
    report.check("he mean (in units of std)", abs(w.mean()) / expected, 0.02)
    bound = np.sqrt(6.0 / (784 + 256))
    g = glorot["0.weight"]
    report.check(f"glorot max |w| {np.abs(g).max():.5f} within {bound:.5f}",
                 max(0.0, np.abs(g).max() - bound), 0.0)
    report.check("glorot std vs bound / sqrt(3) (relative)",
                 abs(g.std() / (bound / np.sqrt(3)) - 1), 0.02)
    report.check("biases are zero", float(np.abs(he["0.bias"]).max()), 0.0)
    report.check("same seed, same values",
                 float(np.abs(he["0.weight"] - again["0.weight"]).max()), 0.0)
    report.check("another seed, other values (fraction equal)",
                 float(np.mean(he["0.weight"] == other["0.weight"])), 0.01)
    report.check("not the model's values (fraction equal)",
                 float(np.mean(w == original)), 0.01)
    print("all checks passed" if report.failed == 0 else
          f"{report.failed} check(s) FAILED")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
