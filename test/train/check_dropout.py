#!/usr/bin/python3
"""Checks dropout in nncc's training step.

A model Gemm -> Tanh -> Dropout(0.3) -> Gemm (written as ONNX; PyTorch's
exporter drops Dropout in eval mode) is compiled with --train
--gradients-entry and trained two steps at batch 1. At batch 1 the gradient
of the first layer's bias is zero exactly where the mask dropped a unit, so
nncc's mask can be read off it; then:
  - the dropped fraction must be near the ratio (512 units: within 4
    standard deviations, 0.08);
  - PyTorch, applying that mask (scaled by 1 / (1 - ratio)), must give the
    same loss and gradients (check_training.py's tolerances): the backward
    pass used the forward pass's mask;
  - the second step must draw another mask;
  - eval and infer must not drop (eval's prediction equals PyTorch's
    forward without dropout).
"""

import argparse
import os
import subprocess
import sys

import numpy as np

SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, SCRIPT_DIR)
import check_training as ct  # noqa: E402

RATIO, HIDDEN = 0.3, 512


def write_model(path, w1, b1, w2, b2):
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    inits = [numpy_helper.from_array(a, n) for n, a in
             (("fc1.weight", w1), ("fc1.bias", b1), ("fc2.weight", w2),
              ("fc2.bias", b2))]
    inits.append(numpy_helper.from_array(np.array(RATIO, np.float32),
                                         "ratio"))
    node = helper.make_node
    nodes = [node("Gemm", ["input", "fc1.weight", "fc1.bias"], ["h"],
                  transB=1),
             node("Tanh", ["h"], ["t"]),
             node("Dropout", ["t", "ratio"], ["d"]),
             node("Gemm", ["d", "fc2.weight", "fc2.bias"], ["output"],
                  transB=1)]
    graph = helper.make_graph(
        nodes, "dropout",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, (1, 6))],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, (1, 4))],
        inits)
    onnx.save(helper.make_model(graph, opset_imports=[
        helper.make_opsetid("", 13)]), path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", required=True)
    parser.add_argument("--seed", type=int, default=7)
    ct.nncc_tools.add_tool_arguments(parser)
    args = parser.parse_args()
    import torch
    torch.set_num_threads(1)
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    w1 = rng.standard_normal((HIDDEN, 6), dtype=np.float32) * 0.5
    b1 = rng.standard_normal(HIDDEN, dtype=np.float32) * 0.1
    w2 = rng.standard_normal((4, HIDDEN), dtype=np.float32) * 0.05
    b2 = np.zeros(4, np.float32)
    x = rng.standard_normal((1, 6), dtype=np.float32)
    label = np.array([2], np.int64)
    onnx_path = os.path.join(work, "model.onnx")
    write_model(onnx_path, w1, b1, w2, b2)
    args.loss, args.optimizer, args.lr, args.weight_decay = (
        "cross_entropy", "sgd", 0.01, None)
    for flag in ("clip_grad_norm", "lr_schedule", "lr_period", "lr_gamma",
                 "lr_min", "warmup_steps"):
        setattr(args, flag, None)
    losses, states, grads = ct.run_nncc(args, work, onnx_path, x, label, 2)

    report = ct.Report(metric="error")
    masks = []
    for step in range(2):
        g1 = np.fromfile(grads[step]["fc1.bias"], np.float32)
        masks.append((g1 != 0).astype(np.float32) / (1 - RATIO))
    dropped = float(np.mean(masks[0] == 0))
    report.check(f"dropped fraction {dropped:.3f} vs ratio {RATIO}",
                 abs(dropped - RATIO), 0.08)
    same = float(np.mean(masks[0] == masks[1]))
    report.check(f"second step's mask equal to the first's in "
                 f"{same:.2f} of the units (independent: about "
                 f"{RATIO ** 2 + (1 - RATIO) ** 2:.2f})", same, 0.7)

    params = {n: torch.tensor(a, requires_grad=True) for n, a in
              (("fc1.weight", w1), ("fc1.bias", b1), ("fc2.weight", w2),
               ("fc2.bias", b2))}
    mask = torch.from_numpy(masks[0])
    h = torch.tanh(torch.from_numpy(x) @ params["fc1.weight"].T +
                   params["fc1.bias"])
    out = (h * mask) @ params["fc2.weight"].T + params["fc2.bias"]
    loss = torch.nn.functional.cross_entropy(out, torch.from_numpy(label))
    loss.backward()
    report.check("loss with nncc's mask", ct.relative_error(
        np.array(losses[:1]), np.array([loss.item()])), ct.LOSS_TOLERANCE)
    for name, p in params.items():
        mine = np.fromfile(grads[0][name], np.float32).reshape(p.shape)
        report.check(f"{name} gradient with nncc's mask", ct.relative_error(
            mine, p.grad.numpy()), ct.GRAD_TOLERANCE)

    # eval runs after the two steps, with the updated weights: compare with
    # PyTorch's forward without dropout on those weights.
    updated = {n: np.fromfile(states[n], np.float32).reshape(p.shape)
               for n, p in params.items()}
    hidden = np.tanh(x @ updated["fc1.weight"].T + updated["fc1.bias"])
    expected = hidden @ updated["fc2.weight"].T + updated["fc2.bias"]
    prediction = np.fromfile(os.path.join(work, "prediction.bin"), np.float32)
    report.check("eval prediction (no dropout)", ct.relative_error(
        prediction.reshape(expected.shape), expected), ct.GRAD_TOLERANCE)
    print("all checks passed" if report.failed == 0 else
          f"{report.failed} check(s) FAILED")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
