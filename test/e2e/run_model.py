#!/usr/bin/python3
"""End-to-end check of nncc against PyTorch.

Builds a model in PyTorch (fixed seed, default initialization), exports it to
ONNX, compiles it with nncc, links the object with harness.c and libnnrt, runs
it on fresh random inputs and compares the result with PyTorch's:

    run_model.py --model mlp --batch 64 --work /tmp/mlp64

With --dynamic-batch 1,7,64 instead of --batch, the model is exported with a
symbolic batch (dynamic_axes), compiled once, and the one object runs at
each batch size (harness.c built with -DHARNESS_BATCH, which also checks
the entry's handling of bad batch sizes).

With --threads 1,2 the harness runs once per thread count (NNRT_NUM_THREADS);
each run is compared with PyTorch, and the runs must agree bit for bit (a
parallel loop gives each output element to one thread, which computes it
exactly as a single thread would).

Exits 0 and prints PASS when the results agree, else prints FAIL (or the
failing step's command and stderr) and exits 1. The input seed is printed;
pass it back with --seed to reproduce a run.

The tools default to the environment (NNCC, CC, NNRT_INCLUDE, NNRT_LIB) or
the repository layout (build/bin/nncc, runtime/include, build/runtime); the
lit tests pass them explicitly.
"""

import argparse
import os
import secrets
import subprocess
import sys

import numpy as np

SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(SCRIPT_DIR))
sys.path.insert(0, os.path.join(REPO_ROOT, "test", "lib"))
import nncc_tools  # noqa: E402 (found through the path set just above)

# Weights are PyTorch's default initialization under a fixed seed per model,
# so every run compiles the same model; the inputs are fresh each run.
MODEL_SEEDS = {"mlp": 1, "lenet": 2, "convnet": 3, "widen": 4, "kblocked": 5,
               "gemm": 6, "winograd": 7, "span": 8}

# The metric is max|nncc - torch| / max|torch| over the whole output: both
# compute in fp32 but sum in different orders (tiling, vectorized
# reductions), so elements near zero can have large relative errors that mean
# nothing, while the error relative to the output's scale stays around a few
# ulps times sqrt(reduction length) (K=784 here): about 1e-6 to 1e-5. 1e-4
# leaves headroom for that and still catches any real bug (a wrong element,
# a missing bias or activation gives errors of order 1e-1 and above).
TOLERANCE = 1e-4


def make_convnet():
    """A small CNN that exercises the ops LeNet and the MLP do not: strided,
    dilated and grouped convolutions, tanh, sigmoid, sub/add/div with a
    broadcast scalar, ceil-mode average pooling without padding in the
    divisor, padded max pooling, global average pooling, a Reshape with a
    constant shape (view), MatMul and softmax."""
    import torch
    from torch import nn
    import torch.nn.functional as F

    class ConvNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.c1 = nn.Conv2d(3, 8, 3, stride=2, padding=1)
            self.c2 = nn.Conv2d(8, 8, 3, padding=2, dilation=2, groups=4)
            self.avg = nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True,
                                    count_include_pad=False)
            self.max = nn.MaxPool2d(3, stride=2, padding=1)
            self.fc = nn.Linear(8, 5)
            self.w = nn.Parameter(torch.randn(8, 5))

        def forward(self, x):
            x = torch.tanh(self.c1(x))
            y = torch.sigmoid(self.c2(x))
            z = self.max(self.avg((x - y) / (y + 1.0)))
            v = F.adaptive_avg_pool2d(z, 1)
            v = v.view(v.size(0), -1)
            return torch.softmax(self.fc(v) + v @ self.w, dim=1)

    return ConvNet()


def make_widen():
    """Convolutions with 24 channels, which with AVX-512 (blocks of 16) nncc
    runs over 32 (nncc-cpu-block-channels, WidenChannels.h): a residual add
    and relu6 over the widened values, a convolution reading them whole, two
    reading them through a zero pad (b / b is NaN in the added channels; a
    spatial pad), and a global pooling of the 24 channels."""
    import torch
    from torch import nn
    import torch.nn.functional as F

    class Widen(nn.Module):
        def __init__(self):
            super().__init__()
            self.c0 = nn.Conv2d(3, 32, 3, padding=1)
            self.c1 = nn.Conv2d(32, 24, 1)
            self.c2 = nn.Conv2d(32, 24, 3, padding=1)
            self.c3 = nn.Conv2d(24, 32, 1)
            self.c4 = nn.Conv2d(24, 32, 1)
            self.c5 = nn.Conv2d(24, 32, 3, padding=1)
            self.fc = nn.Linear(24 + 3 * 32, 5)

        def forward(self, x):
            x = torch.relu(self.c0(x))
            b = F.relu6(self.c2(x)) + self.c1(x)
            c = self.c3(b)
            d = self.c4(b * (b / b))
            e = self.c5(b)
            pooled = [F.adaptive_avg_pool2d(t, 1).flatten(1)
                      for t in (b, c, d, e)]
            return self.fc(torch.cat(pooled, dim=1))

    return Widen()


def make_kblocked():
    """A residual block of 3x3 convolutions of 512 channels at 7x7 (ResNet's
    last stage; too small an image for Winograd's transforms to pay,
    chooseWinogradTile), whose filters (9.4 MB each) nncc's blocked
    convolutions read in chunks of input channels
    (chooseBlockedConvKChunk), the accumulators kept in memory between
    chunks; the biases are zeros, as in the batch-norm folded ResNets, where
    the fill of the accumulators had once been fused into every chunk."""
    import torch
    from torch import nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.c1 = nn.Conv2d(512, 512, 3, padding=1)
            self.c2 = nn.Conv2d(512, 512, 3, padding=1)

        def forward(self, x):
            return torch.relu(self.c2(torch.relu(self.c1(x))) + x)

    model = nn.Sequential(nn.Conv2d(64, 512, 1), Block(),
                          nn.AdaptiveAvgPool2d(1), nn.Flatten())
    for module in model.modules():
        if isinstance(module, nn.Conv2d):
            nn.init.zeros_(module.bias)
    return model


def make_winograd():
    """3x3 stride-1 convolutions that nncc runs as Winograd's F(m x m, 3 x 3)
    at batch 4 (compiler/Codegen/Cpu/Winograd.cpp; its cost model picks m):
    32x32 (m = 4, whole tiles), 14x14 from an unpadded 16x16 input (m = 4,
    the input padded to whole tiles and the output sliced), 14x14 padded
    (the same, the padding made larger), and 7x7 (m = 2, ragged) twice, the
    second with a residual add; biases from PyTorch's initialization, so
    that the output transform's added initial value is not zero."""
    import torch
    from torch import nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.c1 = nn.Conv2d(16, 32, 3, padding=1)
            self.c2 = nn.Conv2d(32, 32, 3)
            self.c3 = nn.Conv2d(32, 32, 3, padding=1)
            self.c4 = nn.Conv2d(32, 32, 3, padding=1)
            self.c5 = nn.Conv2d(32, 32, 3, padding=1)
            self.pool = nn.MaxPool2d(2)

        def forward(self, x):
            x = self.pool(torch.relu(self.c1(x)))
            x = self.pool(torch.relu(self.c3(torch.relu(self.c2(x)))))
            x = torch.relu(self.c5(torch.relu(self.c4(x))) + x)
            return torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1)

    return Net()


def make_span():
    """Convolutions over 16-channel blocks (AVX-512's vector; the 16-channel
    input sets the block) whose rows of 28, 14 and 7 pixels take register
    tiles spanning 2 or 4 output blocks (CpuMachine::blockSpanMaxPixels,
    chooseBlockedConvTile): a 1x1 with relu6 (4 blocks, 28 = 4 x 6 + 4
    pixels), a strided 3x3 and a 1x1 with a residual add (4 blocks, 14 =
    5 + 5 + 4), a strided 1x1 to 7x7 (2 blocks), a depthwise 3x3 (which
    never spans) and a 1x1 of 48 channels (3 blocks, which no tile of 2 or
    4 divides), then a global pooling."""
    import torch
    from torch import nn
    import torch.nn.functional as F

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.c1 = nn.Conv2d(16, 64, 1)
            self.c2 = nn.Conv2d(64, 64, 3, stride=2, padding=1)
            self.c3 = nn.Conv2d(64, 64, 1)
            self.c4 = nn.Conv2d(64, 32, 1, stride=2)
            self.dw = nn.Conv2d(32, 32, 3, padding=1, groups=32)
            self.c5 = nn.Conv2d(32, 48, 1)

        def forward(self, x):
            x = F.relu6(self.c1(x))
            x = torch.relu(self.c2(x))
            x = self.c3(x) + x
            x = F.relu6(self.dw(self.c4(x)))
            x = torch.relu(self.c5(x))
            return torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)

    return Net()


def make_gemm():
    """Two dense layers over 2048 rows whose A (2048 x 1024 floats, 8 MiB)
    nncc packs into micro-panels and blocks for the caches with B
    (CpuMachine::packedAMinBytes, tilePackedBlocked): the first without a
    bias (the accumulators start from a fill), 1024 columns; the second
    with a bias (a broadcast, padded) and 328 columns, which the panels of
    16 do not divide."""
    from torch import nn

    return nn.Sequential(nn.Linear(1024, 1024, bias=False), nn.ReLU(),
                         nn.Linear(1024, 328))


def build_model(name):
    import torch
    from torch import nn

    torch.manual_seed(MODEL_SEEDS[name])
    if name == "convnet":
        return make_convnet().eval(), (3, 32, 32)
    if name == "widen":
        return make_widen().eval(), (3, 16, 16)
    if name == "kblocked":
        return make_kblocked().eval(), (64, 7, 7)
    if name == "gemm":
        return make_gemm().eval(), (1024,)
    if name == "span":
        return make_span().eval(), (16, 28, 28)
    if name == "winograd":
        return make_winograd().eval(), (16, 32, 32)
    if name == "mlp":
        model = nn.Sequential(
            nn.Linear(784, 256), nn.ReLU(),
            nn.Linear(256, 128), nn.ReLU(),
            nn.Linear(128, 10))
        sample_shape = (784,)
    else:
        # LeNet-5 for 28x28 inputs (padding 2 on the first convolution keeps
        # the classic 32x32 geometry: 28 -> 14 -> 10 -> 5).
        model = nn.Sequential(
            nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(6, 16, kernel_size=5), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(400, 120), nn.ReLU(),
            nn.Linear(120, 84), nn.ReLU(),
            nn.Linear(84, 10))
        sample_shape = (1, 28, 28)
    return model.eval(), sample_shape


class StepFailed(Exception):
    pass


def run_step(what, command, timeout=600, env=None):
    """Runs one command (with `env` added to the environment); raises
    StepFailed with its stderr when it fails."""
    shown = " ".join(f"{k}={v}" for k, v in (env or {}).items())
    print(f"$ {shown + ' ' if shown else ''}{' '.join(command)}", flush=True)
    try:
        result = subprocess.run(command, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True,
                                timeout=timeout,
                                env=dict(os.environ, **(env or {})))
    except subprocess.TimeoutExpired:
        raise StepFailed(f"{what} timed out after {timeout} s")
    except OSError as error:
        raise StepFailed(f"{what}: cannot run {command[0]}: {error}")
    if result.stdout:
        sys.stdout.write(result.stdout)
    if result.returncode != 0:
        how = (f"was killed by signal {-result.returncode}"
               if result.returncode < 0
               else f"exited with status {result.returncode}")
        message = f"{what} failed: {command[0]} {how}"
        if result.stderr.strip():
            message += "\n" + result.stderr.rstrip()
        raise StepFailed(message)
    if result.stderr:
        sys.stderr.write(result.stderr)



def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=sorted(MODEL_SEEDS), required=True)
    batch = parser.add_mutually_exclusive_group(required=True)
    batch.add_argument("--batch", type=int)
    batch.add_argument("--dynamic-batch", metavar="N,N,...",
                       help="export with a dynamic batch, compile once and "
                            "run at each of these batch sizes")
    parser.add_argument("--work", required=True,
                        help="directory for the model, object and binaries")
    parser.add_argument("--seed", type=int,
                        help="input seed (default: a fresh one, printed)")
    nncc_tools.add_tool_arguments(parser)
    parser.add_argument("--build-only", action="store_true",
                        help="stop after building <work>/harness")
    parser.add_argument("--nncc-arg", action="append", default=[],
                        help="extra nncc option (repeatable), e.g. -O0")
    parser.add_argument("--threads", metavar="N,N,...",
                        help="run at each of these NNRT_NUM_THREADS values "
                             "and require bit-identical outputs")
    parser.add_argument("--run-under", default="",
                        help="command line to run the harness under, e.g. "
                             "'valgrind --error-exitcode=9'")
    args = parser.parse_args()
    if args.dynamic_batch:
        args.batches = [int(b) for b in args.dynamic_batch.split(",")]
    else:
        args.batches = [args.batch]
    if min(args.batches) < 1:
        parser.error("batch sizes must be positive")
    args.thread_counts = ([int(t) for t in args.threads.split(",")]
                          if args.threads else [None])
    if min(t or 1 for t in args.thread_counts) < 1:
        parser.error("thread counts must be positive")
    return args


def compare(args, batch, actual_path, expected):
    """Prints the comparison of the output file with PyTorch's output and
    the verdict; returns whether it passed."""
    name = f"{args.model} batch {batch}" + (
        " (dynamic)" if args.dynamic_batch else "")
    actual = np.fromfile(actual_path, dtype=np.float32)
    if actual.size != expected.size:
        print(f"error: nncc wrote {actual.size} output elements, PyTorch "
              f"produced {expected.size} {list(expected.shape)}")
        print(f"{name}: FAIL")
        return False
    actual = actual.reshape(expected.shape)

    scale = float(np.max(np.abs(expected)))
    abs_error = np.abs(actual.astype(np.float64) - expected)
    max_abs = float(np.max(abs_error))  # NaN if nncc produced any NaN
    max_rel = max_abs / scale if scale > 0 else max_abs
    ok = bool(np.all(np.isfinite(actual))) and max_rel <= TOLERANCE
    print(f"output {list(expected.shape)}: max |torch| {scale:.6g}, "
          f"max abs error {max_abs:.3g}")
    if not ok:
        worst = np.unravel_index(
            np.argmax(np.nan_to_num(abs_error, nan=np.inf)), abs_error.shape)
        print(f"worst element {list(map(int, worst))}: nncc "
              f"{actual[worst]:.8g}, torch {expected[worst]:.8g}")
    verdict = "PASS" if ok else "FAIL"
    print(f"{name}: max relative error {max_rel:.3g} (tolerance "
          f"{TOLERANCE:g}): {verdict}")
    return ok


def main():
    args = parse_args()
    import torch
    torch.set_num_threads(1)  # the test machines' cores are shared

    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    onnx_path = os.path.join(work, "model.onnx")
    object_path = os.path.join(work, "model.o")
    harness_path = os.path.join(work, "harness")
    input_path = os.path.join(work, "input.bin")
    output_path = os.path.join(work, "output.bin")

    model, sample_shape = build_model(args.model)
    seed = args.seed if args.seed is not None else secrets.randbits(32)
    print(f"{args.model} batch {args.dynamic_batch or args.batch}: weights "
          f"seed {MODEL_SEEDS[args.model]}, input seed {seed} "
          f"(--seed {seed} reproduces this run)")
    rng = np.random.default_rng(seed)
    inputs = [rng.standard_normal((batch,) + sample_shape, dtype=np.float32)
              for batch in args.batches]

    with torch.no_grad():
        # A fixed batch: no dynamic_axes, so every shape is static; or the
        # batch as a symbol, the first dimension of input and output.
        dynamic_axes = ({"input": {0: "batch"}, "output": {0: "batch"}}
                        if args.dynamic_batch else None)
        torch.onnx.export(model, torch.from_numpy(inputs[0]), onnx_path,
                          opset_version=13, input_names=["input"],
                          output_names=["output"], dynamic_axes=dynamic_axes)

    harness_flags = (["-DHARNESS_GENERIC", "-DHARNESS_BATCH"]
                     if args.dynamic_batch else [])
    try:
        run_step("compiling the model",
                 [args.nncc, onnx_path, "-o", object_path, "--name", "model"]
                 + args.nncc_arg)
        run_step("building the harness",
                 [args.cc, "-std=c11", "-O1", "-I", work,
                  "-I", args.nnrt_include] + harness_flags +
                 [args.harness_src, object_path,
                  "-L", args.nnrt_lib, "-lnnrt", "-lm", "-lpthread",
                  "-o", harness_path])
        if args.build_only:
            print(f"built {harness_path}")
            return 0
        if args.dynamic_batch:
            run_step("checking bad arguments",
                     [harness_path, "--batch", "1", "--check-bad-args"])
    except StepFailed as error:
        print(f"error: {error}")
        print(f"{args.model}: FAIL")
        return 1

    ok = True
    for batch, x in zip(args.batches, inputs):
        with torch.no_grad():
            expected = model(torch.from_numpy(x)).numpy().astype(np.float32)
        x.tofile(input_path)
        batch_flags = ["--batch", str(batch)] if args.dynamic_batch else []
        outputs = {}
        for threads in args.thread_counts:
            env = {"NNRT_NUM_THREADS": str(threads)} if threads else None
            try:
                if os.path.exists(output_path):
                    os.remove(output_path)
                run_step("running the model",
                         args.run_under.split() + [harness_path] +
                         batch_flags + [input_path, "--", output_path],
                         env=env)
            except StepFailed as error:
                print(f"error: {error}")
                print(f"{args.model} batch {batch}: FAIL")
                ok = False
                continue
            if threads:
                print(f"{threads} thread(s):")
            ok &= compare(args, batch, output_path, expected)
            outputs[threads] = np.fromfile(output_path, dtype=np.uint32)
        if len(args.thread_counts) > 1 and len(outputs) == len(
                args.thread_counts):
            first = outputs[args.thread_counts[0]]
            same = all(np.array_equal(first, other)
                       for other in outputs.values())
            print(f"{args.model} batch {batch}: threads {args.threads} "
                  f"{'bit-identical' if same else 'DIFFER'}: "
                  f"{'PASS' if same else 'FAIL'}")
            ok &= same
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
