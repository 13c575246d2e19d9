#!/usr/bin/python3
"""Helper of bench/infer.sh: the models, their FLOPs and the PyTorch side.

    infer.py export MODEL BATCH DIR
        writes DIR/model.onnx (MODEL at batch BATCH, opset 13) and
        DIR/input.bin (its input: standard normal, seed 0, raw f32), and
        prints "gflop G": 2 FLOPs per multiply-add of the graph's Conv, Gemm
        and MatMul nodes, with ONNX shape inference.
    infer.py torch MODEL BATCH INPUT --threads N [--warmup W] [--runs R]
        times PyTorch eager (under inference_mode) and TorchScript
        (torch.jit.trace, freeze and optimize_for_inference) on INPUT:
        W untimed calls, then R calls timed one by one with CLOCK_MONOTONIC;
        prints "eager_ms M script_ms S" and "blas PATH core NAME" (the BLAS
        PyTorch loaded and, for OpenBLAS, its kernel).
    infer.py diff REF OUT
        prints "max_diff D max_ref R ok|MISMATCH" for two raw f32 outputs:
        MISMATCH when D > 1e-3 * R or the sizes differ.

Models: mlp and lenet are bench/train_step.py's (test/e2e/run_model.py's
definitions and seeds); resnet18, resnet50 and mobilenet_v2 are
torchvision's with random weights (seed 0), 3x224x224. All in eval mode;
every call builds the same weights.
"""

import argparse
import os
import sys
import time

import numpy as np

import train_step  # noqa: E402 (bench/: the MLP, LeNet-5 and blas_in_use)

TORCHVISION = ("resnet18", "resnet50", "mobilenet_v2")
TOLERANCE = 1e-3


def build_model(name):
    """The model in eval mode and the shape of one sample."""
    if name not in TORCHVISION:
        return train_step.run_model.build_model(name)
    import torch
    import torchvision

    torch.manual_seed(0)
    return getattr(torchvision.models, name)().eval(), (3, 224, 224)


def gflop(path):
    """2 x the multiply-adds of the Conv, Gemm and MatMul nodes, in 1e9."""
    import onnx

    graph = onnx.shape_inference.infer_shapes(onnx.load(path)).graph
    shapes = {t.name: list(t.dims) for t in graph.initializer}
    for value in [*graph.input, *graph.value_info, *graph.output]:
        dims = value.type.tensor_type.shape.dim
        shapes[value.name] = [d.dim_value for d in dims]
    macs = 0
    for node in graph.node:
        attrs = {a.name: onnx.helper.get_attribute_value(a)
                 for a in node.attribute}
        if node.op_type == "Conv":
            # Each output element: (C_in / group) x kernel multiply-adds.
            weight = shapes[node.input[1]]
            macs += np.prod(shapes[node.output[0]]) * np.prod(weight[1:])
        elif node.op_type == "Gemm":
            a = shapes[node.input[0]]
            macs += np.prod(shapes[node.output[0]]) * a[
                0 if attrs.get("transA", 0) else 1]
        elif node.op_type == "MatMul":
            macs += np.prod(shapes[node.output[0]]) * shapes[node.input[0]][-1]
    return 2 * int(macs) / 1e9


def export(args):
    import torch

    model, sample_shape = build_model(args.model)
    shape = (args.batch,) + tuple(sample_shape)
    x = np.random.default_rng(0).standard_normal(shape, dtype=np.float32)
    os.makedirs(args.dir, exist_ok=True)
    x.tofile(os.path.join(args.dir, "input.bin"))
    path = os.path.join(args.dir, "model.onnx")
    torch.onnx.export(model, torch.from_numpy(x), path, opset_version=13,
                      input_names=["input"], output_names=["output"])
    print(f"gflop {gflop(path):.6f}")


def median_ms(call, warmup, runs):
    """The median of `runs` timed calls after `warmup` untimed ones (the
    upper one for an even count, as bench/timing.h takes it)."""
    for _ in range(warmup):
        call()
    times = []
    for _ in range(runs):
        start = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
        call()
        times.append((time.clock_gettime_ns(time.CLOCK_MONOTONIC) - start)
                     * 1e-6)
    return sorted(times)[runs // 2]


def time_torch(args):
    import torch

    torch.set_num_threads(args.threads)
    model, sample_shape = build_model(args.model)
    x = torch.from_numpy(np.fromfile(args.input, dtype=np.float32).reshape(
        (args.batch,) + tuple(sample_shape)))
    with torch.inference_mode():
        eager = median_ms(lambda: model(x), args.warmup, args.runs)
    with torch.no_grad():
        script = torch.jit.optimize_for_inference(
            torch.jit.freeze(torch.jit.trace(model, x)))
        scripted = median_ms(lambda: script(x), args.warmup, args.runs)
    print(f"eager_ms {eager:.4f} script_ms {scripted:.4f}")
    print("blas %s core %s" % train_step.blas_in_use())


def diff(args):
    ref = np.fromfile(args.ref, dtype=np.float32)
    out = np.fromfile(args.out, dtype=np.float32)
    if ref.shape != out.shape or ref.size == 0:
        print("max_diff nan max_ref nan MISMATCH")
        return
    max_diff = float(np.max(np.abs(ref - out)))
    max_ref = float(np.max(np.abs(ref)))
    ok = max_diff <= TOLERANCE * max_ref  # also false for NaN
    print(f"max_diff {max_diff:.2e} max_ref {max_ref:.3g} "
          f"{'ok' if ok else 'MISMATCH'}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="action", required=True)
    models = ["mlp", "lenet", *TORCHVISION]
    p = sub.add_parser("export")
    p.add_argument("model", choices=models)
    p.add_argument("batch", type=int)
    p.add_argument("dir")
    p = sub.add_parser("torch")
    p.add_argument("model", choices=models)
    p.add_argument("batch", type=int)
    p.add_argument("input")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--runs", type=int, default=20)
    p = sub.add_parser("diff")
    p.add_argument("ref")
    p.add_argument("out")
    args = parser.parse_args()
    {"export": export, "torch": time_torch, "diff": diff}[args.action](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
