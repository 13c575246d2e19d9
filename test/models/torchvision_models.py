#!/usr/bin/python3
"""Whole torchvision models, compiled by nncc, against PyTorch.

Builds one of torchvision's classification models (Debian's
python3-torchvision 0.14) with random weights (torch.manual_seed(0), the
model's own initialization; batch norms calibrated, see
calibrate_batch_norms), in eval mode, exports it to ONNX at batch 1,
3x224x224, compiles it with `nncc --name model`, links the object with
test/e2e/harness.c and libnnrt, runs it on a seeded standard-normal image and
compares the logits with PyTorch's:

    torchvision_models.py --model resnet18 --work /tmp/resnet18

Everything large (the ONNX file, the object, the harness, the tensors) is
made at test time under --work; nothing is checked in. Prints the op types of
the exported graph, the time of each step and one PASS/FAIL line, and exits 1
on any failure (a step that fails prints its command and stderr; for nncc the
first line of its diagnostic is repeated as `error: ...`).

check_inference (export, compile, run, compare) is shared with
sequence_models.py.
"""

import argparse
import collections
import os
import sys
import time

import numpy as np

SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(SCRIPT_DIR))
sys.path.insert(0, os.path.join(REPO_ROOT, "test", "lib"))
sys.path.insert(0, os.path.join(REPO_ROOT, "test", "e2e"))
import nncc_tools  # noqa: E402
import run_model  # noqa: E402 (run_step, StepFailed)

# The ONNX opset of every export here: the newest that both nncc (opsets 1 to
# 17, docs/supported-ops.md) and PyTorch 1.13's exporter support. For the
# torchvision models opset 13 gives the same op types and forms (Clip-13,
# Pad-13: bounds and pads as inputs); the recurrent ones get LSTM-14/GRU-14
# (the `layout` attribute, left at 0) instead of LSTM-7/GRU-7.
OPSET = 17

# Weights: torch.manual_seed(WEIGHT_SEED), then the model's constructor, so
# every run compiles the same model. The image is drawn from INPUT_SEED
# (fixed, so that a model with near-tied top classes cannot flake; --seed
# draws another).
WEIGHT_SEED = 0
INPUT_SEED = 0

# The tolerance: max |nncc - torch| <= RTOL * max |torch| + ATOL over the
# output. Both sides compute in fp32 and differ only in the order of their
# sums (nncc's tiled loops and vector reductions against PyTorch's
# im2col/oneDNN GEMMs): each layer adds a few ulps times sqrt(reduction
# length) relative to its output's scale (K = 4608 for a 3x3x512
# convolution), and 8 to 120 layers deep these add up like a random walk.
# The batch norms scale them further by 1/sqrt(var + eps) where a channel's
# variance is small. Measured (batch 1, six input seeds, relative to max
# |torch|): ResNet-18 1.8-2.3e-6, SqueezeNet 1.1 4e-7, AlexNet 1.4e-6, VGG-11
# 3.6e-6, MobileNet-V2 6.8e-6 and DenseNet-121 4.4e-6 (seed 0), GoogLeNet
# 1.3-2.1e-5 - and GoogLeNet's fp32 PyTorch is itself
# 0.8-1.2e-5 away from the float64 result (printed as "float64 yardstick"),
# so that is its conditioning, not an error of nncc's. 1e-4 leaves at least
# five times that and still catches any real bug: a wrong padding, stride,
# bias, channel order or pooling window moves the logits by 1e-2 of their
# scale and more (MIN_SIGNAL makes sure they depend on the input). ATOL
# guards an all-zero output.
RTOL = 1e-4
ATOL = 1e-5

# The output must depend on the input: max |torch(x) - torch(x')| over two
# images must be at least MIN_SIGNAL of max |torch(x)|, else a wrong layer
# could hide under the tolerance (an output that is the last bias alone
# matches whatever the layers before it compute). 1e-3 is ten times RTOL.
MIN_SIGNAL = 1e-3

TORCHVISION_MODELS = {
    "resnet18": {},
    "mobilenet_v2": {},
    "squeezenet1_1": {},
    # No auxiliary classifiers (they only run in training); init_weights
    # explicitly (torchvision warns when it is left to its default).
    "googlenet": {"aux_logits": False, "init_weights": True},
    "densenet121": {},
    "vgg11": {},
    "alexnet": {},
}
IMAGE_SHAPE = (3, 224, 224)


def calibrate_batch_norms(model, shape):
    """Sets every batch norm's running statistics to those of one batch of
    standard-normal inputs of `shape` (the random weights stay).

    With the initial statistics (mean 0, variance 1) a batch norm in eval
    mode is nearly the identity, and under the models' own initializations
    the activations then vanish with depth: GoogLeNet's logits are its last
    bias alone (they change by 1e-12 between two images), MobileNet-V2's are
    3e-9. Calibrated, every batch norm normalizes, as after training, and the
    logits depend on the image (MIN_SIGNAL)."""
    import torch
    from torch import nn
    norms = [m for m in model.modules()
             if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if not norms:
        return
    momenta = [bn.momentum for bn in norms]
    for bn in norms:
        bn.reset_running_stats()
        bn.momentum = None  # a cumulative average: one batch sets them
    model.train()
    with torch.no_grad():
        model(torch.randn(shape))
    for bn, momentum in zip(norms, momenta):
        bn.momentum = momentum
    model.eval()


def build_torchvision(name, calibrate=True):
    """The torchvision model `name` with seeded random weights, in eval
    mode; with `calibrate`, its batch norms calibrated on 4 random images."""
    import torch
    import torchvision
    torch.manual_seed(WEIGHT_SEED)
    model = getattr(torchvision.models, name)(
        weights=None, **TORCHVISION_MODELS[name])
    if calibrate:
        calibrate_batch_norms(model, (4,) + IMAGE_SHAPE)
    return model.eval()


def op_counts(onnx_path):
    """'Op: count' of the graph's node types, sorted by name."""
    import onnx
    graph = onnx.load(onnx_path, load_external_data=False).graph
    counts = collections.Counter(node.op_type for node in graph.node)
    return ", ".join(f"{op}: {n}" for op, n in sorted(counts.items()))


class Timer:
    """Records how long each step takes: `with timer("compile"): ...`."""

    def __init__(self):
        self.times = []

    def __call__(self, step):
        timer = self

        class Step:
            def __enter__(self):
                self.start = time.monotonic()

            def __exit__(self, *exc):
                timer.times.append((step, time.monotonic() - self.start))

        return Step()

    def line(self):
        return ", ".join(f"{step} {seconds:.1f} s" for step, seconds in
                         self.times)


def first_error_line(message):
    """The first line of nncc's diagnostic in a StepFailed message."""
    lines = str(message).splitlines()
    for line in lines[1:]:
        if "error" in line:
            return line.strip()
    return lines[1].strip() if len(lines) > 1 else lines[0]


def compile_and_run(args, work, onnx_path, inputs, timer):
    """Compiles onnx_path, links harness.c, runs it on `inputs` (a list of
    numpy arrays) and returns the raw float32 data of output 0."""
    object_path = os.path.join(work, "model.o")
    harness_path = os.path.join(work, "harness")
    output_path = os.path.join(work, "output.bin")
    input_paths = []
    for i, array in enumerate(inputs):
        input_paths.append(os.path.join(work, f"input_{i}.bin"))
        np.ascontiguousarray(array).tofile(input_paths[-1])
    try:
        with timer("compile"):
            run_model.run_step("compiling the model", [
                args.nncc, onnx_path, "-o", object_path, "--name", "model"])
    except run_model.StepFailed as error:
        # The first line of nncc's diagnostic names the node and the op: the
        # line to look for in the log (and to record as the reason of an
        # XFAIL).
        print(f"error: {first_error_line(error)}")
        raise
    with timer("link"):
        run_model.run_step("building the harness", [
            args.cc, "-std=c11", "-O1", "-I", work, "-I", args.nnrt_include,
            args.harness_src, object_path, "-L", args.nnrt_lib, "-lnnrt",
            "-lm", "-lpthread", "-o", harness_path])
    if os.path.exists(output_path):
        os.remove(output_path)
    with timer("run"):
        run_model.run_step("running the model",
                           [harness_path] + input_paths + ["--", output_path])
    return np.fromfile(output_path, dtype=np.float32)


def check_outputs(label, actual, expected, top1):
    """Compares nncc's output with PyTorch's; prints the figures and one
    PASS/FAIL line; returns whether they agree. With top1, the arg max of
    every row must also agree, unless PyTorch's values of the two classes
    are within the tolerance of each other (a tie, where either is right)."""
    if actual.size != expected.size:
        print(f"error: nncc wrote {actual.size} output elements, PyTorch "
              f"produced {expected.size} {list(expected.shape)}")
        print(f"{label}: FAIL")
        return False
    actual = actual.reshape(expected.shape)
    scale = float(np.max(np.abs(expected)))
    tolerance = RTOL * scale + ATOL
    abs_error = np.abs(actual.astype(np.float64) - expected)
    max_abs = float(np.max(abs_error))  # NaN if nncc produced a NaN
    ok = bool(np.all(np.isfinite(actual))) and max_abs <= tolerance
    print(f"output {list(expected.shape)}: max |torch| {scale:.6g}, max abs "
          f"error {max_abs:.3g} ({max_abs / scale if scale else 0:.3g} of "
          f"max |torch|)")
    if not ok:
        worst = np.unravel_index(
            np.argmax(np.nan_to_num(abs_error, nan=np.inf)), abs_error.shape)
        print(f"worst element {list(map(int, worst))}: nncc "
              f"{actual[worst]:.8g}, torch {expected[worst]:.8g}")
    if top1:
        rows_e = expected.reshape(-1, expected.shape[-1])
        rows_a = actual.reshape(rows_e.shape)
        for row, (e, a) in enumerate(zip(rows_e, rows_a)):
            best_e, best_a = int(np.argmax(e)), int(np.argmax(a))
            tie = best_a != best_e and e[best_e] - e[best_a] <= tolerance
            print(f"top-1 of row {row}: nncc {best_a}, torch {best_e}"
                  + (" (tied within the tolerance)" if tie else ""))
            ok = ok and (best_a == best_e or tie)
    print(f"{label}: max abs error {max_abs:.3g} (tolerance {RTOL:g} * "
          f"{scale:.4g} + {ATOL:g} = {tolerance:.3g}): "
          f"{'PASS' if ok else 'FAIL'}")
    return ok


def check_signal(model, examples, others, expected):
    """Whether the output depends on the input (MIN_SIGNAL): PyTorch's
    output on `others` against `expected`, its output on `examples`."""
    import torch
    with torch.no_grad():
        other = model(*(torch.from_numpy(x) for x in others))
    other = (other[0] if isinstance(other, tuple) else other).numpy()
    scale = float(np.max(np.abs(expected)))
    signal = float(np.max(np.abs(other - expected))) / (scale or 1.0)
    ok = signal >= MIN_SIGNAL
    print(f"input dependence: max |torch(x) - torch(x')| is {signal:.3g} of "
          f"max |torch(x)| (at least {MIN_SIGNAL:g}): "
          f"{'ok' if ok else 'FAIL, the comparison would mean nothing'}")
    return ok


def float64_yardstick(model, examples, expected, actual):
    """Prints how far PyTorch's fp32 result and nncc's are from PyTorch's
    float64 one, relative to max |torch|: a model whose fp32 error is large
    is badly conditioned (information for a failure, not a check)."""
    import copy
    import torch
    with torch.no_grad():
        exact = copy.deepcopy(model).double()(*(x.double() for x in examples))
    exact = (exact[0] if isinstance(exact, tuple) else exact).numpy()
    if actual.size != exact.size:
        return
    scale = float(np.max(np.abs(exact))) or 1.0
    print(f"float64 yardstick: PyTorch fp32 is "
          f"{np.max(np.abs(expected - exact)) / scale:.3g} of max |torch| "
          f"from float64, nncc "
          f"{np.max(np.abs(actual.reshape(exact.shape) - exact)) / scale:.3g}")


def check_inference(args, label, model, inputs, input_names, others,
                    top1=True):
    """Exports `model` (eval mode) on `inputs` (numpy arrays, fixed shapes),
    compiles and runs it with nncc and compares output 0 with PyTorch's.
    `others` are inputs of the same shapes for check_signal. Returns the
    exit status."""
    import torch
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    onnx_path = os.path.join(work, "model.onnx")
    timer = Timer()
    examples = tuple(torch.from_numpy(x) for x in inputs)
    with torch.no_grad():
        with timer("reference"):
            expected = model(*examples)
            if isinstance(expected, tuple):
                expected = expected[0]
            expected = expected.numpy().astype(np.float32)
    if not check_signal(model, inputs, others, expected):
        print(f"{label}: FAIL")
        return 1
    with torch.no_grad():
        with timer("export"):
            # A fixed batch: no dynamic_axes, so every shape is static.
            torch.onnx.export(model, examples, onnx_path,
                              opset_version=OPSET, input_names=input_names,
                              output_names=["output"])
    print(f"ONNX ops (opset {OPSET}): {op_counts(onnx_path)}")
    try:
        actual = compile_and_run(args, work, onnx_path, inputs, timer)
    except run_model.StepFailed as error:
        print(f"error: {error}")
        print(f"times: {timer.line()}")
        print(f"{label}: FAIL")
        return 1
    print(f"times: {timer.line()}")
    float64_yardstick(model, examples, expected, actual)
    return 0 if check_outputs(label, actual, expected, top1) else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=sorted(TORCHVISION_MODELS),
                        required=True)
    parser.add_argument("--work", required=True,
                        help="directory for the model, object and binaries")
    parser.add_argument("--seed", type=int, default=INPUT_SEED,
                        help=f"input seed (default {INPUT_SEED})")
    nncc_tools.add_tool_arguments(parser)
    args = parser.parse_args()

    import torch
    torch.set_num_threads(1)  # the test machines' cores are shared
    model = build_torchvision(args.model)
    print(f"{args.model}: weights seed {WEIGHT_SEED}, input seed {args.seed}"
          f", batch 1, {'x'.join(map(str, IMAGE_SHAPE))}")
    rng = np.random.default_rng(args.seed)
    x, other = (rng.standard_normal((1,) + IMAGE_SHAPE, dtype=np.float32)
                for _ in range(2))
    return check_inference(args, args.model, model, [x], ["input"], [other])


if __name__ == "__main__":
    sys.exit(main())
