#!/usr/bin/python3
"""Helper of bench/train-step.sh: the models and the PyTorch side.

    train_step.py export MODEL PATH
        writes MODEL (mlp: 784-256-128-10 relu, lenet: LeNet-5 for 28x28,
        as test/e2e/run_model.py builds them, same seeds) at batch 64 as
        ONNX.
    train_step.py torch MODEL --optimizer sgd|adam --lr F --threads N
                  [--last-only] [--warmup W] [--runs R]
        times PyTorch's train step (zero_grad, forward, CrossEntropyLoss,
        backward, optimizer.step) on the fixed batch of train_step.c, like
        train_step.c: W untimed steps, then R steps timed one by one with
        CLOCK_MONOTONIC; prints "median_ms M min_ms m runs R loss L" and
        "blas PATH core NAME" (the BLAS library PyTorch loaded and, for
        OpenBLAS, the kernel it picked). --last-only trains only the last
        Linear layer (the others have requires_grad off).

The thread count of the caller's OMP_NUM_THREADS/OPENBLAS_NUM_THREADS is
set by train-step.sh; --threads sets torch.set_num_threads.
"""

import argparse
import ctypes
import os
import sys
import time

import numpy as np

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO_ROOT, "test", "e2e"))
import run_model  # noqa: E402 (build_model)

BATCH = 64


def fixed_batch(sample_shape):
    """train_step.c's batch: its LCG's inputs, label i % 10."""
    n = BATCH * int(np.prod(sample_shape))
    x = np.empty(n, dtype=np.float32)
    state = 12345
    for i in range(n):
        state = (state * 1664525 + 1013904223) & 0xFFFFFFFF
        x[i] = (state >> 8) / float(1 << 24)
    labels = np.arange(BATCH, dtype=np.int64) % 10
    return x.reshape((BATCH,) + tuple(sample_shape)), labels


def blas_in_use():
    """The BLAS shared library mapped into this process, and its core."""
    names = (line.split()[-1] for line in open("/proc/self/maps"))
    path = next((p for p in names if "blas" in os.path.basename(p)
                 and ".so" in p), "none")
    core = "-"
    try:
        lib = ctypes.CDLL(path)
        lib.openblas_get_corename.restype = ctypes.c_char_p
        core = lib.openblas_get_corename().decode()
    except (OSError, AttributeError):
        pass
    return path, core


def time_torch(args):
    import torch
    from torch import nn

    torch.set_num_threads(args.threads)
    model, sample_shape = run_model.build_model(args.model)
    model.train()
    params = list(model.parameters())
    if args.last_only:
        last = [m for m in model.modules() if isinstance(m, nn.Linear)][-1]
        for p in params:
            p.requires_grad_(False)
        params = list(last.parameters())
        for p in params:
            p.requires_grad_(True)
    if args.optimizer == "sgd":
        opt = torch.optim.SGD(params, lr=args.lr)
    else:
        opt = torch.optim.Adam(params, lr=args.lr)
    x, labels = (torch.from_numpy(a) for a in fixed_batch(sample_shape))
    loss_fn = nn.CrossEntropyLoss()

    times = []
    for i in range(args.warmup + args.runs):
        start = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
        opt.zero_grad()
        loss = loss_fn(model(x), labels)
        loss.backward()
        opt.step()
        if i >= args.warmup:
            times.append(
                (time.clock_gettime_ns(time.CLOCK_MONOTONIC) - start) * 1e-6)
    times.sort()
    print(f"median_ms {np.median(times):.4f} min_ms {times[0]:.4f} "
          f"runs {args.runs} loss {loss.item():.6g}")
    print("blas %s core %s" % blas_in_use())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=["export", "torch"])
    parser.add_argument("model", choices=["mlp", "lenet"])
    parser.add_argument("path", nargs="?")
    parser.add_argument("--optimizer", choices=["sgd", "adam"], default="sgd")
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--last-only", action="store_true")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    if args.action == "torch":
        time_torch(args)
        return 0
    import torch
    model, sample_shape = run_model.build_model(args.model)
    torch.onnx.export(model, torch.zeros((BATCH,) + sample_shape), args.path,
                      opset_version=13, input_names=["input"],
                      output_names=["output"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
