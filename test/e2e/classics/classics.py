#!/usr/bin/python3
"""The classics of the training tests: models and the PyTorch oracle.

Three tiny models with fixed, seeded initial weights, written as ONNX with
onnx.helper (opset 17):

  nand         x[4, 2] -> MatMul+Add -> Sigmoid -> y[4, 1]   (one unit, mse)
  xor          x[4, 2] -> 2-4-1 MLP, tanh hidden -> logit[4, 1] (bce)
  autoencoder  x[8, 8] -> 8-3-8, sigmoid hidden -> Softmax -> y[8, 8]
               (cross_entropy, labels 0..7)

    classics.py onnx NAME PATH
        writes the model.
    classics.py torch NAME --steps N --loss=L --optimizer=O --lr=F
                [--momentum=F] --nncc-output FILE
        trains the same model (same weights, data, loss, optimizer, steps)
        in PyTorch 1.13 and compares its first and final losses with the
        ones the C program printed to FILE ("NAME: first loss V",
        "NAME: final loss V"); prints PASS/FAIL lines, exits 1 on FAIL.

The training data are the truth tables, as in nand.c, xor.c and
autoencoder.c.
"""

import argparse
import re
import sys

import numpy as np

# Both runs start from the same fp32 weights and take the same steps; they
# differ only by fp32 rounding (sums in other orders, expf vs PyTorch's
# exp), an ulp or so per step, which thousands of steps can grow to ~1e-6
# of the loss where the trajectory is smooth. The first loss, computed from
# the initial weights alone, must agree to fp32 rounding.
FIRST_TOLERANCE = 1e-5
FINAL_TOLERANCE = 1e-4

SEEDS = {"nand": 1, "xor": 2, "autoencoder": 3}


def data(name):
    """Inputs and targets (float for mse/bce, class labels for the AE)."""
    if name == "autoencoder":
        return np.eye(8, dtype=np.float32), np.arange(8, dtype=np.int64)
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    t = [1, 1, 1, 0] if name == "nand" else [0, 1, 1, 0]
    return x, np.array(t, dtype=np.float32).reshape(4, 1)


def weights(name):
    """(name, array) in model order: uniform(-1, 1) from the model's seed."""
    rng = np.random.RandomState(SEEDS[name])
    shapes = {"nand": [("w", (2, 1)), ("b", (1,))],
              "xor": [("w1", (2, 4)), ("b1", (4,)), ("w2", (4, 1)),
                      ("b2", (1,))],
              "autoencoder": [("w1", (8, 3)), ("b1", (3,)), ("w2", (3, 8)),
                              ("b2", (8,))]}[name]
    return [(n, rng.uniform(-1, 1, s).astype(np.float32)) for n, s in shapes]


def write_onnx(name, path):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    x, _ = data(name)
    inits = [numpy_helper.from_array(a, n) for n, a in weights(name)]
    node = helper.make_node
    if name == "nand":
        nodes = [node("MatMul", ["x", "w"], ["z0"]),
                 node("Add", ["z0", "b"], ["z"]),
                 node("Sigmoid", ["z"], ["y"])]
        out = [4, 1]
    else:
        act = "Tanh" if name == "xor" else "Sigmoid"
        nodes = [node("MatMul", ["x", "w1"], ["h0"]),
                 node("Add", ["h0", "b1"], ["h1"]),
                 node(act, ["h1"], ["h"]),
                 node("MatMul", ["h", "w2"], ["z0"]),
                 node("Add", ["z0", "b2"], ["y" if name == "xor" else "z"])]
        out = [4, 1]
        if name == "autoencoder":
            nodes.append(node("Softmax", ["z"], ["y"], axis=1))
            out = [8, 8]
    io = helper.make_tensor_value_info
    graph = helper.make_graph(
        nodes, name, [io("x", TensorProto.FLOAT, list(x.shape))],
        [io("y", TensorProto.FLOAT, out)], inits)
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    onnx.save(model, path)


def torch_losses(name, args):
    """The first and final train-step losses of PyTorch's run."""
    import torch
    from torch import nn

    torch.set_num_threads(1)
    x, t = (torch.from_numpy(a) for a in data(name))
    params = {n: torch.tensor(a, requires_grad=True) for n, a in weights(name)}

    def forward():
        if name == "nand":
            return torch.sigmoid(x @ params["w"] + params["b"])
        act = torch.tanh if name == "xor" else torch.sigmoid
        h = act(x @ params["w1"] + params["b1"])
        return h @ params["w2"] + params["b2"]  # logits for bce and CE

    loss_fn = {"mse": nn.MSELoss(), "bce": nn.BCEWithLogitsLoss(),
               "cross_entropy": nn.CrossEntropyLoss()}[args.loss]
    p = list(params.values())
    if args.optimizer == "sgd":
        opt = torch.optim.SGD(p, lr=args.lr)
    elif args.optimizer in ("momentum", "nesterov"):
        opt = torch.optim.SGD(p, lr=args.lr, momentum=args.momentum,
                              nesterov=args.optimizer == "nesterov")
    elif args.optimizer == "adam":
        opt = torch.optim.Adam(p, lr=args.lr)
    else:
        sys.exit(f"classics.py: optimizer {args.optimizer} not mirrored")
    losses = []
    for _ in range(args.steps):
        opt.zero_grad()
        loss = loss_fn(forward(), t)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses[0], losses[-1]


def compare(name, args):
    text = open(args.nncc_output).read()

    def printed(what):
        m = re.search(rf"^{name}: {what} loss (\S+)", text, re.M)
        if not m:
            sys.exit(f"classics.py: no '{name}: {what} loss' in "
                     f"{args.nncc_output}")
        return float(m.group(1))

    first, final = torch_losses(name, args)
    ok = True
    for what, mine, ref, tol in (("first", printed("first"), first,
                                  FIRST_TOLERANCE),
                                 ("final", printed("final"), final,
                                  FINAL_TOLERANCE)):
        err = abs(mine - ref) / abs(ref)
        verdict = "PASS" if err <= tol else "FAIL"
        ok &= verdict == "PASS"
        print(f"{name}: {what} loss nncc {mine:.7g} torch {ref:.7g} "
              f"relative error {err:.2e} (tolerance {tol:g}): {verdict}")
    return 0 if ok else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=["onnx", "torch"])
    parser.add_argument("name", choices=sorted(SEEDS))
    parser.add_argument("path", nargs="?")
    parser.add_argument("--steps", type=int)
    parser.add_argument("--loss")
    parser.add_argument("--optimizer", default="sgd")
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--nncc-output")
    args = parser.parse_args()
    if args.action == "onnx":
        write_onnx(args.name, args.path)
        return 0
    return compare(args.name, args)


if __name__ == "__main__":
    sys.exit(main())
