#!/usr/bin/python3
"""Trains the whole models of test/models with nncc against PyTorch.

The models of torchvision_models.py and sequence_models.py, compiled with
`nncc --train --gradients-entry` and checked by test/train/check_training.py's
machinery (its tolerances, its train_harness.c, its comparisons):

  --mode grad   the gradients of every parameter against PyTorch autograd
                and float64 central finite differences (small models only:
                the finite differences cost 6 forward passes a parameter);
  --mode train  --steps N of --optimizer (default one SGD step): the loss,
                the first step's gradients, the parameters and batch norms'
                running statistics after the step against PyTorch's.

    train_models.py --model resnet18 --mode train --batch 2 --work /tmp/r18t

Torchvision models are trained from the same random weights as in
torchvision_models.py, except that every batch norm gets random parameters
and running statistics (as check_training.py's BatchNorm model), and other
parameters initialized to a constant (zero biases) random ones: PyTorch's
exporter merges initializers of equal values, so the constant ones would
become one ONNX initializer, trained as one parameter. They are exported
with TrainingMode.PRESERVE in eval mode, which keeps the
BatchNormalization nodes (the default, EVAL, folds them into the
convolutions), without constant folding (check_training.py says why), and
trained, as nncc's train step does, with the batch's statistics. Dropout
layers become identities: nncc and PyTorch draw different masks
(test/train/check_dropout.py checks nncc's dropout on its own).

The recurrent models are exported as in sequence_models.py; PyTorch then
trains sequence_models.onnx_layout's copy of them, whose parameters are the
exported LSTM/GRU node's W, R and B, so that their names and layouts are
nncc's.

The batch is drawn from --seed (default 0, fixed), and drawn again while a
value lies near a kink (check_training.near_kink, on a train-mode copy of
the model, so at the batch statistics the comparison uses: a relu input,
clip (relu6) bound or max-pooling tie within 1e-6 of it, counted only where
the loss's gradient with respect to the op's output is nonzero). A whole
model at 224x224 has millions of relu inputs, some of which always do, and
one of them routed the other way moves a gradient by a few percent where few
positions remain (ResNet-18's layer4 at 7x7: PyTorch's own fp32 gradients
are then 1e-2 from float64 ones); hence the tests' --image-size 64 and
batch 2, where a clear batch exists (a model whose 50 batches never clear
fails with check_training's message). Clear is not far enough where batch
norms over few values amplify the rounding of many layers: ResNet-18's
clear batch held a layer4 relu input 1.5e-5 from 0 (2.2e-6 of the tensor's
scale), which a different summation order in nncc's convolutions routed
the other way; resnet18-train.test uses --reference float64 (below).

That comparison does not suit MobileNet-V2, GoogLeNet and DenseNet-121
(measured at 64x64, batch 2): their last batch norms normalize 8 values a
channel, the fp32 forward pass drifts from float64 by up to 1e-4 of a
tensor's scale, PyTorch's own fp32 gradients are 1-4e-4 from the float64
ones (over GRAD_TOLERANCE), MobileNet-V2's running variances 1-2.6e-5 (over
PARAM_TOLERANCE), nncc is as far from float64 as PyTorch, and no batch of
50 clears near_kink. Their tests (mobilenet_v2-train.test, ...) use
--reference float64 (FLOAT64_FACTOR says how it compares and why) at batch
4, where PyTorch's fp32 gradients are 2-9e-5 from float64 when no kink is
crossed: the kinks are not avoided but resolved, since tens of them lie
within fp32 rounding of their bound in every batch (MobileNet-V2: 14 to 25
with a gradient; PyTorch routes one differently from float64 in one batch
in four, nncc in three in eight). GoogLeNet's 3x3 stride-1 Inception
poolings of a max pooling's output see thousands of exact duplicates a
batch; they route to copies of one element and are left alone.
GoogLeNet and DenseNet-121 compile with --nncc-flag=--O0: at -O2, LLVM
takes 100 s and over 5 minutes on their train steps, at -O0 20 s and 70 s
(GoogLeNet's errors were the same at both).

Prints the ONNX op types, one PASS/FAIL line per check and the time taken,
and exits 1 on any failure.
"""

import copy
import functools
import os
import sys
import time
import types

import numpy as np

SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(SCRIPT_DIR))
sys.path.insert(0, SCRIPT_DIR)
sys.path.insert(0, os.path.join(REPO_ROOT, "test", "train"))
import check_training as ct  # noqa: E402
import run_model  # noqa: E402 (StepFailed; check_training's path)
import sequence_models as sm  # noqa: E402
import torchvision_models as tv  # noqa: E402

INPUT_SEED = 0


def basic_block_forward(self, x):
    """torchvision's BasicBlock.forward, its last relu self.relu_out."""
    out = self.relu(self.bn1(self.conv1(x)))
    out = self.bn2(self.conv2(out))
    identity = self.downsample(x) if self.downsample is not None else x
    return self.relu_out(out + identity)


def build_torchvision_for_training(name):
    """build_torchvision's model with random batch-norm parameters and
    statistics, no parameter of equal elements and no dropout, in eval
    mode."""
    import torch
    from torch import nn
    model = tv.build_torchvision(name, calibrate=False)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.modules.batchnorm._BatchNorm):
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.5, 0.5)
                module.running_mean.uniform_(-0.5, 0.5)
                module.running_var.uniform_(0.5, 1.5)
        for param in model.parameters():
            # Other constant initializations (SqueezeNet's and VGG's zero
            # biases) would be merged the same way.
            if bool((param == param.flatten()[0]).all()):
                param.uniform_(-0.1, 0.1)
    for parent in model.modules():
        for child_name, child in parent.named_children():
            if isinstance(child, nn.Dropout):
                setattr(parent, child_name, nn.Identity())
            elif getattr(child, "inplace", False):
                # In place (ReLU, MobileNet-V2's ReLU6), the hooks of
                # check_training.near_kink would see the activation's output
                # as its input.
                child.inplace = False
    if type(model).__name__ == "DenseNet":
        # Its forward's F.relu of the features, which the hooks of near_kink
        # and kink_modules cannot see either: the same through an nn.ReLU.
        def densenet_forward(self, x):
            out = self.final_relu(self.features(x))
            out = nn.functional.adaptive_avg_pool2d(out, (1, 1))
            return self.classifier(torch.flatten(out, 1))

        model.final_relu = nn.ReLU()
        model.forward = types.MethodType(densenet_forward, model)
    for module in model.modules():
        if type(module).__name__ == "BasicBlock":
            # ResNet's block calls its relu twice, which --reference
            # float64's hooks (Step) take for one op: the second call
            # through a module of its own (no parameter, so the names and
            # the export are unchanged).
            module.relu_out = nn.ReLU()
            module.forward = types.MethodType(basic_block_forward, module)
        if type(module).__name__ == "BasicConv2d":
            # GoogLeNet's conv-bn-relu calls F.relu, which near_kink's
            # module hooks cannot see: the same function through an nn.ReLU
            # (no parameter, so the names and the export are unchanged).
            module.relu = nn.ReLU()
            module.forward = types.MethodType(
                lambda self, x: self.relu(self.bn(self.conv(x))), module)
    return model.eval()


# --reference float64: the comparison of the models whose fp32 gradients are
# conditioned worse than check_training's tolerances (see the docstring).
# nncc's loss, gradients, parameters after the step and running statistics
# are compared with PyTorch's float64 step on the same weights and batch,
# each tensor within max(check_training's tolerance, FLOAT64_FACTOR times
# PyTorch's own fp32 error against that float64 step). Both fp32
# computations round the same operations in different orders, so their
# errors from float64 are of the same size: measured over the five models'
# tensors (several batches each), nncc's is up to 2.1 times PyTorch's where
# FLOAT64_FACTOR times PyTorch's is the tolerance (the batch-norm models'
# gradients and updates, 3e-5 to 1e-4), up to 6 times where both are far
# below check_training's tolerances (AlexNet's and VGG-11's, 1e-7 to 1e-6:
# nncc sums longer chains), and the worst is 0.83 of its tolerance. 3 leaves
# that margin; a wrong rule or layout moves a gradient by 1e-1 of its scale,
# 100 times the largest tolerance this gives (3e-4 of a convolution's
# largest gradient, added to one element of nncc's, fails).
#
# Kinks: a relu or relu6 input, or the two largest values of a max-pooling
# window, whose float64 value lies within FLOAT64_FACTOR times the fp32
# error of its channel (max |fp32 - float64| of PyTorch's input to that op,
# over the batch and the channel's positions; twice that for a pooling gap)
# may be routed either way by a correct fp32 computation, and a whole
# model has tens of them in every batch (MobileNet-V2 at 64x64, batch 4:
# 14 to 25 where the loss has a gradient; PyTorch's fp32 routes one
# differently from float64 in one batch in four, and moves a gradient by
# 2e-3 to 5e-2). So the reference is the float64 step with the routing of
# those kinks that each fp32 side took: for PyTorch its own (read from its
# forward pass); for nncc, whose intermediate values are not visible, up to
# MAX_FLIPS of them, chosen greedily by how much of nncc's difference from
# float64 each explains (the first-order change of every gradient when
# that kink is routed the other way); the step is then recomputed with
# them routed so and everything compared again. Which kinks were taken,
# their distance and the margin are printed (those found so far lie within
# 1.2 times PyTorch's error of their channel; overlapping pooling windows
# that compare the same two inputs count as one kink). Exact ties (equal
# float64 values, copies of one value such as GoogLeNet's pooling of a
# pooled map) route to copies of the same element; they are left alone.
FLOAT64_FACTOR = 3
MAX_FLIPS = 6


def kink_modules(model):
    from torch import nn
    return [(name, module) for name, module in model.named_modules()
            if isinstance(module, (nn.ReLU, nn.Hardtanh, nn.MaxPool2d))]


def pair(v):
    return [v] * 2 if isinstance(v, int) else list(v)


def pool_windows(module, t):
    """The windows of a 2-D max pooling over t, padded with -inf (ceil
    mode's overhang too), as near_kink's: (N, C, H', W', kernel area)."""
    from torch import nn
    k, s, p = pair(module.kernel_size), pair(module.stride), \
        pair(module.padding)
    pads = []
    for d in reversed(range(2)):
        extra = (-(t.shape[2 + d] + 2 * p[d] - k[d]) % s[d]
                 if module.ceil_mode else 0)
        pads += [p[d], p[d] + extra]
    windows = nn.functional.pad(t, pads, value=float("-inf"))
    for d in range(2):
        windows = windows.unfold(2 + d, k[d], s[d])
    return windows.flatten(-2)


def pool_input_position(module, index, k):
    """The (row, column) of the input element at offset k of the window
    of output position index (n, c, i, j) of a 2-D max pooling."""
    size, stride, pad = pair(module.kernel_size), pair(module.stride), \
        pair(module.padding)
    return (index[2] * stride[0] - pad[0] + k // size[1],
            index[3] * stride[1] - pad[1] + k % size[1])


def crop(t, shape):
    return t[tuple(slice(0, n) for n in shape)]


def routed_other_way(module, v, output):
    """The op's output with every element routed the other way: a relu that
    passes blocks, one that blocks passes; a relu6 that clamps passes, one
    that passes clamps at its nearer bound; a max pooling takes its
    window's second largest value. Forward, these differ from `output` by
    at most the kink's distance."""
    import torch
    from torch import nn
    if isinstance(module, nn.MaxPool2d):
        second = pool_windows(module, v).topk(2, dim=-1).values[..., 1]
        return crop(second, output.shape)
    if isinstance(module, nn.Hardtanh):
        lo, hi = module.min_val, module.max_val
        bound = torch.where((v - lo).abs() < (v - hi).abs(),
                            torch.full_like(v, lo), torch.full_like(v, hi))
        return torch.where((v < lo) | (v > hi), v, bound)
    return torch.where(v > 0, torch.zeros_like(v), v)


class Step:
    """PyTorch's train step of a train-mode copy of `model` in `dtype` on
    (x, target): the loss, every parameter's gradient and value after one
    SGD step of `lr`, the running statistics, and every kink op's input
    (with keep_graph, still in the graph, for first_order_flip) and output
    gradient. `flips` ({op name: mask over its output}) routes those
    elements the other way. Holds no more than the model, its gradients
    and (keep_graph) the graph: VGG-11's 133 million parameters."""

    def __init__(self, model, x, target, dtype, lr, flips=None,
                 keep_graph=False):
        import torch
        self.model = copy.deepcopy(model).to(dtype).train()
        self.lr = lr
        self.seen = {}
        handles = []
        for name, module in kink_modules(self.model):
            handles.append(module.register_forward_hook(
                functools.partial(self.hook, name, flips or {})))
        output = self.model(torch.from_numpy(x).to(dtype))
        for handle in handles:
            handle.remove()
        self.loss = ct.torch_loss("cross_entropy", output,
                                  torch.from_numpy(target), False)
        self.loss.backward(retain_graph=keep_graph)
        self.seen = {name: (module, v if keep_graph else v.detach(),
                            output.grad)
                     for name, (module, v, output) in self.seen.items()}
        self.params = dict(self.model.named_parameters())
        self.grads = {n: p.grad.numpy() for n, p in self.params.items()}
        self.largest = max(float(np.max(np.abs(g)))
                           for g in self.grads.values())
        self.buffers = {n: b.numpy()
                        for n, b in self.model.named_buffers()
                        if not n.endswith("num_batches_tracked")}

    def after(self, name):
        """The parameter after the SGD step."""
        p = self.params[name]
        return (p.detach() - self.lr * p.grad).numpy()

    def release(self):
        """Frees the graph that keep_graph kept."""
        self.seen = {name: (module, v.detach(), grad)
                     for name, (module, v, grad) in self.seen.items()}

    def hook(self, name, flips, module, inputs, output):
        import torch
        assert name not in self.seen, f"{name} runs twice"
        v = inputs[0]
        if name in flips:
            output = torch.where(flips[name],
                                 routed_other_way(module, v, output), output)
        output.retain_grad()
        self.seen[name] = (module, v, output)
        return output


def kink_candidates(step32, step64):
    """The kinks either fp32 side may route unlike float64 (see
    FLOAT64_FACTOR): [(op name, output index, distance, margin)], and
    PyTorch fp32's routing of them ({op name: mask}, those it routes the
    other way)."""
    import torch
    from torch import nn
    candidates, torch_flips = [], {}
    for name, (module, v64, grad) in step64.seen.items():
        if grad is None:
            continue
        v64 = v64.detach()
        v32 = step32.seen[name][1].double()
        live = grad != 0
        error = (v32 - v64).abs().transpose(0, 1).flatten(1).amax(1)
        error = error.view(1, -1, 1, 1) if v64.dim() == 4 else \
            error.view(1, -1)
        if isinstance(module, nn.MaxPool2d):
            top64 = pool_windows(module, v64).topk(2, dim=-1)
            top32 = pool_windows(module, v32).topk(2, dim=-1)
            distance = crop(top64.values[..., 0] - top64.values[..., 1],
                            live.shape)
            margin = 2 * FLOAT64_FACTOR * error.expand_as(distance)
            live = live & (distance > 0)
            other = crop(top32.indices[..., 0] != top64.indices[..., 0],
                         live.shape)
        else:
            if isinstance(module, nn.Hardtanh):
                lo, hi = module.min_val, module.max_val
                distance = torch.minimum((v64 - lo).abs(), (v64 - hi).abs())
                other = ((v32 < lo) | (v32 > hi)) != ((v64 < lo) | (v64 > hi))
            else:
                distance = v64.abs()
                other = (v32 > 0) != (v64 > 0)
            margin = FLOAT64_FACTOR * error.expand_as(distance)
        near = live & ((distance < margin) | other)
        groups = {}
        for index in near.nonzero().tolist():
            index = tuple(index)
            key = index
            if isinstance(module, nn.MaxPool2d):
                # Overlapping windows compare the same two inputs: one
                # near tie, routed alike in all of them.
                key = index[:2] + tuple(sorted(
                    pool_input_position(module, index, int(
                        top64.indices[index + (k,)])) for k in (0, 1)))
            groups.setdefault(key, []).append(index)
        for indices in groups.values():
            candidates.append((name, indices, float(distance[indices[0]]),
                               float(margin[indices[0]])))
        if bool((other & live).any()):
            torch_flips[name] = other & live
    return candidates, torch_flips


def first_order_flip(step64, candidate):
    """The change of every gradient of step64 when `candidate` is routed the
    other way, to first order (its forward value moves by its distance
    only): the gradient through the element gained minus the one lost."""
    import torch
    from torch import nn
    name, indices = candidate[:2]
    module, v, grad = step64.seen[name]
    z = 0
    if isinstance(module, nn.MaxPool2d):
        top = pool_windows(module, v).topk(2, dim=-1).values
    for index in indices:
        g = grad[index]
        if isinstance(module, nn.MaxPool2d):
            z = z + g * (top[index + (1,)] - top[index + (0,)])
            continue
        passes = v[index] > 0
        if isinstance(module, nn.Hardtanh):
            passes = (v[index] >= module.min_val) & \
                (v[index] <= module.max_val)
        z = z + g * v[index] * (-1.0 if bool(passes) else 1.0)
    names = list(step64.params)
    grads = torch.autograd.grad(z, [step64.params[n] for n in names],
                                retain_graph=True, allow_unused=True)
    # fp32 finds the kinks as well and halves the memory (VGG-11's first
    # classifier weight alone would take 800 MB a kink in float64).
    return {n: d.numpy().astype(np.float32) for n, d in zip(names, grads)
            if d is not None}


def flip_masks(step64, chosen):
    import torch
    masks = {}
    for name, indices in chosen:
        grad = step64.seen[name][2]
        mask = masks.setdefault(name, torch.zeros(grad.shape,
                                                  dtype=torch.bool))
        for index in indices:
            mask[index] = True
    return masks


def compare_with_float64(args, work, onnx_path, model, x, target):
    """compare_with_torch's --mode train, one SGD step, against PyTorch's
    float64 step (see FLOAT64_FACTOR). Returns the exit status."""
    import torch
    if args.optimizer != "sgd" or args.steps != 1 or args.mode != "train" \
            or args.loss != "cross_entropy" or args.weight_decay:
        print("FAIL: --reference float64 is one plain SGD step of "
              "cross-entropy (--mode train)")
        return 1
    start = time.monotonic()
    try:
        losses, states, grads = ct.run_nncc(args, work, onnx_path, x, target,
                                            1)
    except run_model.StepFailed as error:
        print(error)
        print("FAIL")
        return 1
    print(f"nncc's compile, link and step: {time.monotonic() - start:.1f} s")
    start = time.monotonic()
    step32 = Step(model, x, target, torch.float32, args.lr)
    step64 = Step(model, x, target, torch.float64, args.lr, keep_graph=True)
    candidates, torch_flips = kink_candidates(step32, step64)
    print(f"kinks within {FLOAT64_FACTOR} times their channel's fp32 error "
          f"of float64 (with a gradient): {len(candidates)}; PyTorch's fp32 "
          f"routes {sum(int(m.sum()) for m in torch_flips.values())} of "
          "them the other way")
    missing = [n for n in step32.params
               if n not in states or n not in grads[0]]
    if missing:
        print(f"parameters {missing} are missing from the compiled model: "
              "FAIL")
        return 1

    # PyTorch's fp32 errors, against the float64 step routed as it routes,
    # computed now so that neither model need be kept (VGG-11's are 0.5 and
    # 1 GB, twice that with their gradients).
    def scalar(value, expected):
        return abs(value - expected) / max(abs(expected), 1e-30)

    torch64 = Step(model, x, target, torch.float64, args.lr, torch_flips) \
        if torch_flips else step64
    torch_error = {"loss": scalar(step32.loss.item(), torch64.loss.item())}
    for n in step32.params:
        torch_error["grad " + n] = ct.gradient_error(
            step32.grads[n], torch64.grads[n], torch64.largest)
        torch_error["after " + n] = ct.relative_error(step32.after(n),
                                                      torch64.after(n))
    for n in step32.buffers:
        torch_error["buffer " + n] = ct.relative_error(step32.buffers[n],
                                                       torch64.buffers[n])
    del torch64
    mine = {n: ct.read_state(grads[0][n], p)
            for n, p in step32.params.items()}
    grad_tolerance = {n: max(ct.GRAD_TOLERANCE,
                             FLOAT64_FACTOR * torch_error["grad " + n])
                      for n in mine}
    del step32

    # nncc's difference from float64 (fp32 keeps its digits: it is a
    # difference) over its tolerance, tensor by tensor: the worst is > 1
    # where some check would fail.
    scale = {n: max(float(np.max(np.abs(step64.grads[n]))),
                    ct.GRAD_FLOOR * step64.largest) * grad_tolerance[n]
             for n in mine}

    def ratios(residual, names, base):
        ratio = dict(base)
        for n in names:
            ratio[n] = float(np.max(np.abs(residual[n]))) / scale[n]
        return ratio

    # The kinks nncc routes unlike float64: a set of candidates, toggled
    # one at a time (first order) while that lowers the worst ratio; it
    # starts from float64's routing or from PyTorch's, whichever is closer
    # (fp32 computations often agree with each other where they differ
    # from float64).
    residual = {n: (mine[n] - step64.grads[n]).astype(np.float32)
                for n in mine}
    ratio = ratios(residual, mine, {})
    chosen = set()
    if max(ratio.values()) > 1 and candidates:
        changes = [first_order_flip(step64, c) for c in candidates]

        def toggled(residual, ratio, i, sign):
            trial = dict(residual)
            for n, d in changes[i].items():
                trial[n] = residual[n] - sign * d
            return trial, ratios(trial, changes[i], ratio)

        torch_side = {i for i, (name, indices, _, _) in enumerate(candidates)
                      if name in torch_flips and
                      bool(torch_flips[name][indices[0]])}
        as_torch = (residual, ratio)
        for i in torch_side:
            as_torch = toggled(*as_torch, i, 1)
        if max(as_torch[1].values()) < max(ratio.values()):
            residual, ratio = as_torch
            chosen = torch_side
        for _ in range(MAX_FLIPS):
            if max(ratio.values()) <= 1:
                break
            best, i, trial = min(
                ((max(t[1].values()), i, t) for i in range(len(candidates))
                 for t in [toggled(residual, ratio, i,
                                   -1 if i in chosen else 1)]),
                key=lambda t: t[0])
            if best >= max(ratio.values()):
                break  # no kink explains more of the difference
            chosen ^= {i}
            residual, ratio = trial
        del changes, as_torch
    del residual
    step64.release()
    reference = step64
    if chosen:
        for i in sorted(chosen):
            name, indices, distance, margin = candidates[i]
            print(f"nncc routes {name}{[list(i) for i in indices]} the "
                  f"other way: "
                  f"{distance:.3g} from its kink, within {margin:.3g}")
        masks = flip_masks(step64, [candidates[i][:2]
                                    for i in sorted(chosen)])
        del reference, step64
        reference = Step(model, x, target, torch.float64, args.lr, masks)
    print(f"PyTorch's steps and the kinks: {time.monotonic() - start:.1f} s")

    report = ct.Report()

    def check(what, error, torch_error, tolerance):
        allowed = max(tolerance, FLOAT64_FACTOR * torch_error)
        ok = error <= allowed
        report.failed += not ok
        print(f"{what}: {report.metric} {error:.3g} from float64, PyTorch's "
              f"fp32 {torch_error:.3g} (tolerance {allowed:.3g}): "
              f"{'PASS' if ok else 'FAIL'}")

    check("loss of the first step", scalar(losses[0], reference.loss.item()),
          torch_error["loss"], ct.LOSS_TOLERANCE)
    for n in mine:
        check(f"{n} gradient", ct.gradient_error(
            mine[n], reference.grads[n], reference.largest),
            torch_error["grad " + n], ct.GRAD_TOLERANCE)
    for n, expected in reference.buffers.items():
        if n not in states:
            report.failed += 1
            print(f"{n}: no state of that name in the compiled model: FAIL")
            continue
        check(f"{n} after 1 steps", ct.relative_error(
            ct.read_state(states[n], expected), expected),
            torch_error["buffer " + n], ct.PARAM_TOLERANCE)
    for n in reference.params:
        expected = reference.after(n)
        after_first = states[n].replace("state_", "first_")
        check(f"{n} after 1 sgd step", ct.relative_error(
            ct.read_state(after_first, expected), expected),
            torch_error["after " + n], ct.PARAM_TOLERANCE)
    print("all checks passed" if report.failed == 0 else
          f"{report.failed} check(s) FAILED")
    return 1 if report.failed else 0


def main():
    parser = ct.argument_parser(sorted(tv.TORCHVISION_MODELS) +
                                sorted(sm.SEQUENCE_MODELS))
    parser.set_defaults(seed=INPUT_SEED)
    parser.add_argument("--image-size", type=int, default=224,
                        help="height and width of the torchvision models' "
                             "images (default 224)")
    parser.add_argument("--reference", choices=["float32", "float64"],
                        default="float32",
                        help="float32: PyTorch's fp32 step within "
                             "check_training's tolerances (default); "
                             "float64: see FLOAT64_FACTOR")
    parser.add_argument("--nncc-flag", action="append", default=[],
                        dest="nncc_flags", metavar="FLAG",
                        help="one more nncc option (--nncc-flag=--O1)")
    args = parser.parse_args()
    if args.mode == "grad":
        args.steps = 1

    import torch
    torch.set_num_threads(1)
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    onnx_path = os.path.join(work, "model.onnx")
    sequence = args.model in sm.SEQUENCE_MODELS
    if sequence:
        model = sm.build_sequence_model(args.model)
        sample_shape, classes = sm.SAMPLE_SHAPE, sm.CLASSES
    else:
        model = build_torchvision_for_training(args.model)
        sample_shape = (3, args.image_size, args.image_size)
        classes = 1000
    print(f"{args.model} {args.loss} {args.mode}: batch {args.batch} of "
          f"{'x'.join(map(str, sample_shape))}, input seed {args.seed}")
    rng = np.random.default_rng(args.seed)
    # With --reference float64, kinks are not avoided but resolved (see
    # FLOAT64_FACTOR).
    batch = ct.draw_batch(args, model, sample_shape, classes, rng,
                          avoid_kinks=args.reference == "float32")
    if batch is None:
        return 1
    x, target = batch
    start = time.monotonic()
    with torch.no_grad():
        if sequence:
            # As sequence_models.py: constant folding puts the weights in
            # ONNX's layout (onnx_layout reads them back).
            torch.onnx.export(model, torch.from_numpy(x), onnx_path,
                              opset_version=tv.OPSET, input_names=["input"],
                              output_names=["output"])
        else:
            torch.onnx.export(model, torch.from_numpy(x), onnx_path,
                              opset_version=tv.OPSET, input_names=["input"],
                              output_names=["output"],
                              training=torch.onnx.TrainingMode.PRESERVE,
                              do_constant_folding=False)
    print(f"ONNX ops (opset {tv.OPSET}): {tv.op_counts(onnx_path)}")
    if sequence:
        model = sm.onnx_layout(args.model, model, onnx_path)
    if args.reference == "float64":
        status = compare_with_float64(args, work, onnx_path, model, x, target)
    else:
        status = ct.compare_with_torch(args, work, onnx_path, model, x,
                                       target, ends_in_softmax=False)
    print(f"time: {time.monotonic() - start:.1f} s (export, compile, link, "
          f"run, PyTorch's step and the checks)")
    return status


if __name__ == "__main__":
    sys.exit(main())
