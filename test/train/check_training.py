#!/usr/bin/python3
"""Checks nncc's training step against PyTorch and finite differences.

Builds a small model in PyTorch (fixed seed), exports it to ONNX, compiles it
with `nncc --train`, links train_harness.c and runs it on a fresh random
batch, then compares with PyTorch 1.13 on the same weights and batch:

  --mode grad   the gradients (model_gradients) against PyTorch autograd
                and central finite differences of the loss in float64.
  --mode train  --steps N of --optimizer. Each step's loss is compared
                with PyTorch's at PyTorch's parameters (the first step's
                gradients too); then PyTorch's optimizer steps with nncc's
                gradients, so the parameters after the first and the last
                step compare the two optimizers alone: fp32 gradients
                differ in their last bits, which Adam-like optimizers
                amplify where a gradient element is near eps.

The batch is drawn again (from the seed, deterministically) while some
relu input or max-pooling window of PyTorch's forward pass lies within
1e-6 (relative) of its kink or tie: there the two fp32 computations may
take different sides and route a gradient differently, which is not an
error (AUTODIFF.md). The forward pass is the comparison's: a train-mode
copy of the model, whose batch norms normalize with the batch's
statistics (the running ones, in eval mode, put every later relu input
elsewhere). A relu-like, clip/hard-activation or max-pooling kink counts
only where the loss's gradient with respect to that op's output is
nonzero (a backward pass of the batch's loss): where it is zero (the
output feeds only relus that are off, or losing positions of pooling
windows), either side routes a zero and no gradient can differ. The ops
of the newer models are held further off, 1e-3 (see near_kink), in
--mode grad, whose finite differences step across them too: two operands
of a max or min, the two largest values a ReduceMax/ReduceMin compares,
a clamp, clip (relu6) or hard activation's input and its bounds, all
relative to the inputs' scale, and a floor or ceil input and the nearest
integer (absolute: a jump, which the steps must not cross). In --mode
train only fp32 rounding moves them, so the relative ones get 1e-6 too;
floor and ceil keep 1e-3. Later steps may still meet such a point, which
is why their gradients are not compared; their losses and parameters
are.

    check_training.py --model conv --loss cross_entropy --mode grad --work D

Prints one PASS/FAIL line per check and exits 1 on any failure. The input
seed is printed; --seed reproduces a run.
"""

import argparse
import copy
import os
import secrets
import sys

import numpy as np

SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(SCRIPT_DIR))
sys.path.insert(0, os.path.join(REPO_ROOT, "test", "lib"))
sys.path.insert(0, os.path.join(REPO_ROOT, "test", "e2e"))
import nncc_tools  # noqa: E402
import run_model  # noqa: E402 (build_model, run_step)

# Tolerances, all relative to the scale of what is compared (max |x| of the
# reference), because fp32 sums in another order differ by a few ulps times
# sqrt(reduction length) there, while elements near zero mean nothing:
#  - gradients: fp32 sums in another order differ by a few ulps times
#    sqrt(reduction length), ~1e-6 of max |g|; 1e-4 leaves margin and
#    catches any wrong rule (errors of 1e-1 and above). A parameter's scale
#    is at least GRAD_FLOOR (1e-2) times the largest |g| of the whole
#    model: some gradients are zero in exact arithmetic and fp32 noise in
#    both implementations (MobileNet-V2's batch-norm biases before a linear
#    bottleneck, whose shift the next train-mode batch norm removes: up to
#    5e-8 of the largest gradient between nncc and PyTorch, whose own fp32
#    is as far from float64), so relative to themselves they compare noise
#    with noise. The floor puts them at 1e-6 of the largest gradient, 20
#    times that noise, and still flags a wrong gradient whose own scale is
#    above 1e-6 of the largest;
#  - finite differences are float64 central differences along random
#    directions d: |fd - <g, d>| <= 1e-3 ||g|| ||d|| (AUTODIFF.md's float32
#    tolerance);
#  - parameters after one optimizer step: 1e-5 of max |p|, as the issue
#    asks; after ten steps also 1e-5: both optimizers get the same
#    gradients (nncc's), so only their own rounding (an ulp or two per step,
#    ~1e-7 each) accumulates;
#  - losses: 1e-5 at the first step; later steps run at parameters that
#    differ by that optimizer rounding, 1e-4.
GRAD_TOLERANCE = 1e-4
GRAD_FLOOR = 1e-2
FD_TOLERANCE = 1e-3
PARAM_TOLERANCE = 1e-5
LOSS_TOLERANCE = 1e-5
LATER_LOSS_TOLERANCE = 1e-4


def onnx_function(op_type, reference, constants=(), **attributes):
    """A function computing `reference` in PyTorch (with its autograd) that
    exports as one ONNX node `op_type` of its inputs, then `constants` (as
    Constant nodes), with `attributes` (g.op's suffixed names: axes_i=[1]):
    for the ONNX ops PyTorch never emits itself, such as Softsign,
    ReduceSumSquare or Sum and Mean of more than two inputs."""
    import torch

    class Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, *inputs):
            ctx.save_for_backward(*inputs)
            return reference(*inputs)

        @staticmethod
        def backward(ctx, grad):
            inputs = [t.detach().requires_grad_() for t in ctx.saved_tensors]
            with torch.enable_grad():
                result = reference(*inputs)
            return torch.autograd.grad(result, inputs, grad, allow_unused=True)

        @staticmethod
        def symbolic(g, *inputs):
            import warnings
            with warnings.catch_warnings():
                # PyTorch 1.13 calls g.op deprecated; it is what it passes.
                warnings.simplefilter("ignore", FutureWarning)
                constant_nodes = [g.op("Constant", value_t=torch.tensor(c))
                                  for c in constants]
                return g.op(op_type, *inputs, *constant_nodes, **attributes)

    return Function.apply


def small_models():
    """Models that each exercise a group of gradient rules through ONNX."""
    import torch
    from torch import nn

    class Broadcast(nn.Module):
        # add/sub/mul/div with parameters broadcast along the batch and the
        # rows, and a parameter used twice (its gradients are summed).
        def __init__(self):
            super().__init__()
            self.scale = nn.Parameter(torch.rand(1, 6) + 0.5)
            self.shift = nn.Parameter(torch.randn(6))
            self.fc = nn.Linear(6, 4)

        def forward(self, x):
            y = (x - self.shift) * self.scale
            y = y / (self.scale * self.scale + 1.0)
            return self.fc(torch.tanh(y))

    class Activations(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(6, 8)
            self.b = nn.Linear(8, 8)
            self.c = nn.Linear(8, 4)
            self.relu = nn.ReLU()

        def forward(self, x):
            h = torch.sigmoid(self.a(x))
            h = torch.softmax(self.b(h), dim=1) + self.relu(h)
            return self.c(h)

    class MoreActivations(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(6, 8)
            self.b = nn.Linear(8, 8)
            self.c = nn.Linear(8, 4)
            self.leaky = nn.LeakyReLU(0.1)
            self.elu = nn.ELU(0.7)

        def forward(self, x):
            h = self.leaky(self.a(x))
            h = self.elu(self.b(h)) + torch.log_softmax(h, dim=1)
            # SiLU exports as x * Sigmoid(x): nncc's swish.
            return self.c(torch.nn.functional.silu(h))

    class Functions(nn.Module):
        # exp, log, sqrt, abs and softplus, on values where they are smooth.
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(6, 8)
            self.b = nn.Linear(8, 4)

        def forward(self, x):
            h = self.a(x)
            h = torch.log(torch.exp(0.5 * h) + 1.0) + torch.sqrt(h * h + 1.0)
            h = torch.nn.functional.softplus(h) - torch.abs(h - 3.0)
            return self.b(h)

    class ConcatSlice(nn.Module):
        # concat along features, strided and offset slices (its gradient
        # scatters back with zeros between), a slice of the input.
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(6, 8)
            self.b = nn.Linear(6, 4)

        def forward(self, x):
            h = torch.tanh(self.a(x))
            joined = torch.cat([h, x[:, 1:5], h[:, 2:4]], dim=1)
            return self.b(joined[:, 1:13:2])

    class Conv(nn.Module):
        # strided, padded, dilated and grouped convolutions with bias; c3
        # and c4 take the contraction forms of both gradients (ConvGrad.cpp),
        # c4 with a dilation along one axis only.
        def __init__(self):
            super().__init__()
            self.c1 = nn.Conv2d(3, 4, 3, stride=2, padding=1)
            self.c2 = nn.Conv2d(4, 4, 3, padding=2, dilation=2, groups=2)
            self.c3 = nn.Conv2d(4, 6, 1, bias=False)
            self.c4 = nn.Conv2d(6, 6, 3, padding=(2, 1), dilation=(2, 1))
            self.fc = nn.Linear(6 * 5 * 5, 4)

        def forward(self, x):
            x = torch.tanh(self.c1(x))
            x = torch.tanh(self.c3(self.c2(x)))
            x = torch.tanh(self.c4(x))
            return self.fc(x.flatten(1))

    class WideConv(nn.Module):
        # Convolutions of 16 and 32 channels as in ResNet: a first layer
        # reading three colours (which nncc's CPU target runs over blocks
        # of channels, its filter packed on every call), a residual block,
        # batch norms, a strided 3x3 and a 1x1 downsampling, a global
        # average pooling. c1, c2 and c4 (16 and 32 filters at unit
        # strides) take the filter gradient's filters-innermost form
        # (ConvGrad.cpp).
        def __init__(self):
            super().__init__()
            self.c1 = nn.Conv2d(3, 16, 3, padding=1)
            self.bn1 = nn.BatchNorm2d(16)
            self.c2 = nn.Conv2d(16, 16, 3, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(16)
            self.c3 = nn.Conv2d(16, 32, 3, stride=2, padding=1, bias=False)
            self.bn3 = nn.BatchNorm2d(32)
            self.down = nn.Conv2d(16, 32, 1, stride=2, bias=False)
            self.c4 = nn.Conv2d(32, 32, 3, padding=1)
            self.fc = nn.Linear(32, 4)
            with torch.no_grad():  # distinct, or the export merges them
                for bn in (self.bn1, self.bn2, self.bn3):
                    bn.weight.uniform_(0.5, 1.5)
                    bn.bias.uniform_(-0.5, 0.5)
                    bn.running_mean.uniform_(-0.5, 0.5)
                    bn.running_var.uniform_(0.5, 1.5)

        def forward(self, x):
            # (A tanh between each convolution and its batch norm, which
            # PyTorch's export would fold: see BatchNorm.)
            x = torch.relu(self.bn1(torch.tanh(self.c1(x))))
            x = torch.relu(self.bn2(torch.tanh(self.c2(x))) + x)
            x = torch.relu(self.bn3(torch.tanh(self.c3(x))) +
                           torch.tanh(self.down(x)))
            x = torch.tanh(self.c4(x))
            return self.fc(x.mean((2, 3)))

    class BatchNorm(nn.Module):
        # batch normalization over images and over features, trained with
        # the batch's statistics while the running ones are updated.
        def __init__(self):
            super().__init__()
            self.c = nn.Conv2d(2, 4, 3, padding=1)
            self.bn1 = nn.BatchNorm2d(4)
            self.fc1 = nn.Linear(4 * 6 * 6, 6)
            self.bn2 = nn.BatchNorm1d(6, momentum=0.3)
            self.fc2 = nn.Linear(6, 3)
            with torch.no_grad():  # not the default 1 and 0, to see them
                for bn in (self.bn1, self.bn2):
                    bn.weight.uniform_(0.5, 1.5)
                    bn.bias.uniform_(-0.5, 0.5)
                    bn.running_mean.uniform_(-0.5, 0.5)
                    bn.running_var.uniform_(0.5, 1.5)

        def forward(self, x):
            # (PyTorch's export folds a batch norm right after a
            # convolution into its weights, so a tanh sits between them.)
            # A bias right before a batch norm has a zero gradient (the norm
            # removes the mean), so a tanh sits before each.
            x = self.bn1(torch.tanh(self.c(x)))
            h = torch.tanh(self.fc1(x.flatten(1)))
            return self.fc2(torch.tanh(self.bn2(h)))

    class LayerNorm(nn.Module):
        # layer normalization over the last dimension and over the last two
        # (ONNX LayerNormalization: exported at opset 17).
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(6, 8)
            self.ln1 = nn.LayerNorm(8)
            self.ln2 = nn.LayerNorm([2, 4])
            self.out = nn.Linear(8, 3)
            with torch.no_grad():
                for ln in (self.ln1, self.ln2):
                    ln.weight.uniform_(0.5, 1.5)
                    ln.bias.uniform_(-0.5, 0.5)

        def forward(self, x):
            h = torch.tanh(self.ln1(self.fc(x)))
            h = self.ln2(h.reshape(-1, 2, 4)).reshape(-1, 8)
            return self.out(torch.tanh(h))

    class Pool(nn.Module):
        # max pooling with padding and ceil mode, average pooling with the
        # padding in the divisor and without, in ceil mode, global average
        # pooling. PyTorch 1.13 exports average pooling as Pad +
        # AveragePool, which nncc does not import yet: pool_onnx() writes
        # this model's ONNX graph directly.
        def __init__(self):
            super().__init__()
            self.c = nn.Conv2d(2, 4, 3, padding=1)
            self.fc = nn.Linear(4, 3)
            self.max = nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True)

        def forward(self, x):
            F = torch.nn.functional
            x = self.max(self.c(x))
            x = F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True,
                             count_include_pad=False)
            x = F.avg_pool2d(x, 2, stride=1, padding=1,
                             count_include_pad=True)
            x = F.adaptive_avg_pool2d(x, 1)
            return self.fc(x.flatten(1))

    class Watched(nn.Module):
        # `function` of the inputs, with `distance(*inputs)`: how far each
        # element is from a kink, tie or step of it, which near_kink()
        # compares with TIE_MARGIN times the inputs' largest magnitude
        # (`relative`) or with TIE_MARGIN itself (floor and ceil, whose
        # steps are at integers whatever the scale).
        def __init__(self, function, distance, relative=True):
            super().__init__()
            self.function = function
            self.kink_distance = distance
            self.kink_relative = relative

        def forward(self, *inputs):
            return self.function(*inputs)

    def tie(*inputs):
        # The gap between the two largest of the (broadcast) operands.
        stacked = torch.stack(torch.broadcast_tensors(*inputs))
        top = stacked.topk(2, dim=0).values
        return top[0] - top[1]

    def reduction_tie(dims, negate=False):
        # The gap between the two largest (smallest) values reduced together.
        def gap(t):
            t = -t if negate else t
            kept = [d for d in range(t.dim()) if d not in dims]
            t = t.permute(kept + list(dims)).flatten(len(kept))
            top = t.topk(2, dim=-1).values
            return top[..., 0] - top[..., 1]
        return gap

    def step(t):
        return (t - t.round()).abs()

    def pad_function(pads, value):
        # Constant padding, as ONNX's Pad (pads: all starts, then all ends).
        rank = len(pads) // 2
        torch_pads = []
        for d in reversed(range(rank)):
            torch_pads += [pads[d], pads[rank + d]]
        return onnx_function(
            "Pad", lambda t: nn.functional.pad(t, torch_pads, value=value),
            constants=[pads, value], mode_s="constant")

    class MinMaxClipPow(nn.Module):
        # Max and Min of two operands (a parameter broadcast along the batch
        # in one) and of three (ONNX's variadic form); Clip with both bounds
        # (hardtanh), with the lower one only (clamp(min=)) and relu6 (as
        # MobileNet-V2: Relu then Clip(0, 6)), their inputs spanning the
        # bounds; Pow of a positive base by a parameter exponent (both
        # operands' gradients) and by a constant 2; Floor and Ceil of
        # trained values (zero gradient).
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(6, 8)
            self.b = nn.Linear(6, 8)
            self.level = nn.Parameter(torch.randn(8) * 0.5)
            self.exponent = nn.Parameter(torch.rand(8) + 0.5)
            self.c = nn.Linear(8 * 9, 4)
            self.maximum = Watched(torch.maximum, tie)
            self.minimum = Watched(torch.minimum, lambda a, b: tie(-a, -b))
            self.max3 = Watched(onnx_function(
                "Max", lambda a, b, c: torch.maximum(torch.maximum(a, b), c)),
                tie)
            self.min3 = Watched(onnx_function(
                "Min", lambda a, b, c: torch.minimum(torch.minimum(a, b), c)),
                lambda a, b, c: tie(-a, -b, -c))
            self.hardtanh = nn.Hardtanh(-0.5, 0.5)
            self.relu6 = nn.ReLU6()
            self.clamp = Watched(lambda t: torch.clamp(t, min=-0.2),
                                 lambda t: (t + 0.2).abs())
            self.floor = Watched(torch.floor, step, relative=False)
            self.ceil = Watched(torch.ceil, step, relative=False)

        def forward(self, x):
            h, k = self.a(x), self.b(x)
            parts = [
                self.maximum(h, self.level),
                self.minimum(k, h),
                self.max3(h, 2 * k, self.level),
                self.min3(k, self.level, h),
                self.hardtanh(2 * k),
                self.relu6(6 * h + 3),
                self.clamp(k),
                torch.pow(torch.sigmoid(h) + 0.5, self.exponent) + k ** 2,
                h + 0.25 * self.floor(3 * k) + 0.25 * self.ceil(2 * h),
            ]
            return self.c(torch.cat(parts, dim=1))

    class Gates(nn.Module):
        # Where between two trained branches, and between a trained value
        # and a parameter broadcast along the batch (conditions on the
        # input, which get no gradient); PRelu with a trained slope per
        # feature; HardSigmoid and HardSwish (exported at opset 17) on
        # inputs spanning their bends at -3 and 3; Selu, Softsign, Neg and
        # Reciprocal.
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(6, 6)
            self.b = nn.Linear(6, 8)
            self.fill = nn.Parameter(torch.randn(6))
            self.c = nn.Linear(8 * 3 + 6, 4)
            self.prelu = nn.PReLU(6)
            with torch.no_grad():
                self.prelu.weight.uniform_(0.1, 0.4)
            self.selu = nn.SELU()
            self.hardsigmoid = nn.Hardsigmoid()
            self.hardswish = nn.Hardswish()
            self.softsign = onnx_function("Softsign", nn.functional.softsign)

        def forward(self, x):
            h = self.a(x)
            # `side` sends column 0 to the first branch and column 1 to the
            # second for any |x| < 4, so that each branch gets a gradient
            # whatever the batch; prelu's input is shifted to be mostly
            # negative, where its slope trains.
            side = torch.tensor([4.0, -4.0, 0.0, 0.0, 0.0, 0.0])
            g = torch.where(x + side > 0, self.prelu(h - 0.5), self.selu(h))
            g = torch.where(x - side > 0, g, self.fill)
            k = 8 * self.b(torch.tanh(g))
            parts = [
                self.hardsigmoid(k),
                self.hardswish(k),
                torch.reciprocal(1.5 + self.softsign(k)),
                -g,
            ]
            return self.c(torch.cat(parts, dim=1))

    class Reductions(nn.Module):
        # ReduceMean, ReduceSum, ReduceMax, ReduceMin (over the batch too),
        # ReduceProd, ReduceL1, ReduceL2, ReduceSumSquare, ReduceLogSum and
        # ReduceLogSumExp over one and several axes, with and without
        # keepdims; their results joined by Sum and Mean of three and four
        # operands broadcasting together.
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(6, 12)
            self.c = nn.Linear(3 + 4 + 3, 4)
            self.amax = Watched(lambda t: t.amax(dim=1), reduction_tie([1]))
            self.amin = Watched(lambda t: t.amin(dim=(0, 2), keepdim=True),
                                reduction_tie([0, 2], negate=True))
            self.sum_square = onnx_function(
                "ReduceSumSquare", lambda t: (t * t).sum(dim=1, keepdim=True),
                axes_i=[1], keepdims_i=1)
            self.log_sum = onnx_function(
                "ReduceLogSum", lambda t: torch.log(t.sum(dim=2)),
                axes_i=[2], keepdims_i=0)
            self.sum3 = onnx_function("Sum", lambda a, b, c: a + b + c)
            self.mean4 = onnx_function(
                "Mean", lambda a, b, c, d: (a + b + c + d) / 4)

        def forward(self, x):
            t = self.a(x).reshape(-1, 3, 4)
            p = torch.sigmoid(t) + 0.5  # positive: prod's y / x, log
            rows = self.sum3(t.mean(dim=2) + p.prod(dim=2),
                             t.sum(dim=(1, 2), keepdim=True).flatten(1),
                             self.amin(t).reshape(1, 3) + self.log_sum(p))
            columns = self.mean4(self.amax(t), t.norm(p=2, dim=1),
                                 self.sum_square(t).flatten(1),
                                 torch.logsumexp(t, dim=(1, 2)).unsqueeze(1))
            l1 = t.norm(p=1, dim=2, keepdim=True).flatten(1)
            return self.c(torch.cat([rows, columns, l1], dim=1))

    class Indexing(nn.Module):
        # Gather by constant indices (repeated: their gradients add up) of
        # columns and, by index_select, of a middle axis; an embedding
        # table (a parameter) looked up by indices computed from the input
        # at run time (Floor, Clip, Cast to int64: no gradient), whose
        # gradient scatter-adds; Split into unequal parts, Unsqueeze,
        # Expand, Squeeze, Tile; constant Pad with a non-zero value on the
        # last axis and a middle one, and with a negative pad (a crop); a
        # Cast to float64 and back around a multiplication.
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(6, 8)
            self.table = nn.Parameter(torch.randn(5, 3))
            self.mix = nn.Parameter(torch.randn(2, 3))
            self.c = nn.Linear(5 + 9 + 9 + 9 + 10 + 6 + 8, 4)
            # PyTorch exports F.pad's pads through a Slice of step -1, which
            # nncc does not import yet: these are ONNX Pad nodes with the
            # pads (ONNX's order: all starts, then all ends) as a constant.
            self.pad_rows = pad_function([0, 1, 0, 0, 0, 0], -1.0)
            self.crop = pad_function([0, -1, 0, 1], 0.0)
            self.pad_columns = pad_function([0, 1, 0, 2], 0.5)

        def forward(self, x):
            F = torch.nn.functional
            h = torch.tanh(self.a(x))
            picked = h[:, torch.tensor([5, 1, 1, 6, 5])]
            ids = (torch.floor(2 * x[:, :3]).clamp(-2, 2) + 2).long()
            looked_up = F.embedding(ids, self.table).flatten(1)
            first, second = torch.split(h, [3, 5], dim=1)
            grid = first.unsqueeze(1).expand(-1, 2, 3) * self.mix
            grid = self.pad_rows(grid)
            rows = torch.index_select(grid, 1, torch.tensor([2, 0, 2]))
            grid, rows = grid.flatten(1), rows.flatten(1)
            tiled = self.crop(second.repeat(1, 2))
            squeezed = self.pad_columns(grid[:, 3:6].unsqueeze(1).squeeze(1))
            # .to(x.dtype): a Cast back to float32 in the export, nothing in
            # the float64 copy that the finite differences run.
            doubled = (h.double() * 0.75).to(x.dtype)
            return self.c(torch.cat([picked, rows, looked_up, grid, tiled,
                                     squeezed, doubled], dim=1))

    class Ties(nn.Module):
        # Parameters exactly on ties, compared with PyTorch only (finite
        # differences across a kink average its two sides): Clip passes
        # the gradient on at both bounds (torch.clamp); ReduceMax and
        # ReduceMin share it evenly among equal extremes (torch.amax,
        # amin); Max and Min of two operands give it to the first
        # (nncc's rule, which makes Clip = Min(Max(x, lo), hi) pass it on
        # at the bounds; torch.maximum would split it).
        exact_ties = True

        def __init__(self):
            super().__init__()
            self.clamped = nn.Parameter(
                torch.tensor([0.0, 1.0, 0.5, -0.3, 1.4, 0.0]))
            self.extremes = nn.Parameter(torch.tensor(
                [[0.5, 0.5, -1.0, 0.5], [-0.2, 0.3, -0.2, 0.1]]))
            self.first = nn.Parameter(
                torch.tensor([0.3, -0.1, 0.7, 0.2, 0.0, 0.9]))
            self.second = nn.Parameter(
                torch.tensor([0.3, 0.4, 0.7, -0.5, 0.0, 0.9]))
            self.fc = nn.Linear(8, 4)
            self.max2 = onnx_function(
                "Max", lambda a, b: torch.where(a >= b, a, b))
            self.min2 = onnx_function(
                "Min", lambda a, b: torch.where(a <= b, a, b))

        def forward(self, x):
            y = (x * torch.clamp(self.clamped, 0.0, 1.0)
                 + torch.tanh(x) * self.max2(self.first, self.second)
                 + x * x * self.min2(self.second, self.first))
            e = self.extremes
            z = x[:, :2] * e.amax(dim=1) + x[:, 2:4] * e.amin(dim=1)
            return self.fc(torch.cat([y, z], dim=1))

    def lrn_function(size, alpha, beta, bias, reference=None):
        # ONNX's LRN (one node: PyTorch 1.13 exports nn.LocalResponseNorm
        # as a Pad, a 3-D AveragePool and an If instead), computed in
        # PyTorch as ONNX defines it: x / (bias + alpha / size * the sum
        # of x^2 over channels c - floor((size - 1) / 2) ...
        # c + ceil((size - 1) / 2))^beta. For an odd size that is
        # nn.LocalResponseNorm (`reference`); for an even one PyTorch's
        # window starts a channel earlier (c - size // 2 ...
        # c + (size - 1) // 2), so the sum is written out here.
        def onnx_lrn(t):
            before, after = (size - 1) // 2, size // 2
            square = nn.functional.pad(
                t * t, [0, 0] * (t.dim() - 2) + [before, after])
            channels = t.shape[1]
            # (Added up one by one: sum() starts from the integer 0, which
            # the export's tracing of this function cannot take.)
            total = square[:, :channels]
            for i in range(1, size):
                total = total + square[:, i:i + channels]
            return t / (bias + alpha / size * total) ** beta
        return onnx_function("LRN", reference or onnx_lrn, size_i=size,
                             alpha_f=alpha, beta_f=beta, bias_f=bias)

    class ConvTranspose(nn.Module):
        # ConvTranspose (nn.conv2d_backward_input, whose gradients are a
        # convolution for the input and the filter gradient with input and
        # output swapped): 2-D with stride 2, padding, output_padding,
        # dilation, groups and a bias; 1-D (lifted to 2-D) with stride 3,
        # padding and output_padding, without a bias, then with a bias.
        # A 1x1 convolution before them trains through their input
        # gradient.
        def __init__(self):
            super().__init__()
            self.c = nn.Conv2d(3, 4, 1)
            self.up = nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1,
                                         output_padding=1, groups=2,
                                         dilation=2)
            self.down = nn.Conv2d(6, 4, 3, stride=3)
            self.up1d = nn.ConvTranspose1d(4, 3, 3, stride=3, padding=1,
                                           output_padding=1, bias=False)
            self.up1d_bias = nn.ConvTranspose1d(3, 2, 2, stride=2)
            self.fc = nn.Linear(4 * 3 * 3 + 2 * 94, 4)

        def forward(self, x):
            h = torch.tanh(self.c(x))  # [4, 4, 4]
            image = torch.tanh(self.up(h))  # [6, 10, 10]
            image = torch.tanh(self.down(image))  # [4, 3, 3]
            line = torch.tanh(self.up1d(h.flatten(2)))  # [4, 16] to [3, 47]
            line = torch.tanh(self.up1d_bias(line))  # [2, 94]
            return self.fc(torch.cat([image.flatten(1), line.flatten(1)],
                                     dim=1))

    class InstanceLRN(nn.Module):
        # InstanceNormalization over images (nn.InstanceNorm2d) and over
        # sequences (nn.InstanceNorm1d), with trained scales and biases;
        # LRN of size 3 (nn.LocalResponseNorm) and 4 (ONNX's window:
        # lrn_function), with alpha, beta and bias far enough from the
        # defaults (alpha 1e-4) that the normalization matters.
        def __init__(self):
            super().__init__()
            self.c = nn.Conv2d(3, 4, 3, padding=1)
            self.norm2d = nn.InstanceNorm2d(4, affine=True)
            self.norm1d = nn.InstanceNorm1d(4, affine=True)
            self.lrn3 = lrn_function(3, 0.6, 0.75, 1.5, reference=(
                nn.LocalResponseNorm(3, alpha=0.6, beta=0.75, k=1.5)))
            self.lrn4 = lrn_function(4, 0.4, 0.6, 2.0)
            self.fc = nn.Linear(2 * 4 * 6 * 6, 3)
            with torch.no_grad():
                for norm in (self.norm2d, self.norm1d):
                    norm.weight.uniform_(0.5, 1.5)
                    norm.bias.uniform_(-0.5, 0.5)

        def forward(self, x):
            # A bias right before an instance norm has a zero gradient (the
            # norm removes each plane's mean): a tanh sits between them.
            h = self.norm2d(torch.tanh(self.c(x)))
            h = self.lrn4(2 * torch.tanh(self.lrn3(2 * h)))
            line = self.norm1d(torch.tanh(h).flatten(2))
            return self.fc(torch.cat([h.flatten(1), line.flatten(1)], dim=1))

    class Conv1D(nn.Module):
        # 1-D convolution (padded; strided, dilated and grouped) and
        # pooling, which nncc runs as 2-D windows over an H of 1: max
        # pooling with padding and ceil mode, average pooling counting the
        # padding (PyTorch exports it as a zero Pad and an unpadded
        # AveragePool) and, in ceil mode with an overhang, without it.
        def __init__(self):
            super().__init__()
            self.c1 = nn.Conv1d(2, 4, 3, padding=1)
            self.c2 = nn.Conv1d(4, 6, 3, stride=2, padding=2, dilation=2,
                                groups=2)
            self.max = nn.MaxPool1d(3, stride=2, padding=1, ceil_mode=True)
            self.avg = nn.AvgPool1d(3, stride=2, padding=1)
            self.fc = nn.Linear(6 * 3 + 6 * 3, 4)

        def forward(self, x):
            h = self.max(torch.tanh(self.c1(x)))  # [4, 16], then [4, 9]
            h = torch.tanh(self.c2(h))  # [6, 5]
            counted = self.avg(h)  # [6, 3]
            overhang = nn.functional.avg_pool1d(
                h, 2, stride=2, ceil_mode=True, count_include_pad=False)
            return self.fc(torch.cat([counted.flatten(1),
                                      overhang.flatten(1)], dim=1))

    class Conv3D(nn.Module):
        # 3-D convolution (padded; strided, dilated and grouped) and
        # pooling, which nncc runs as 2-D windows over depth slices: max
        # pooling with padding and ceil mode, average pooling with padding
        # counted and, in ceil mode, not counted; a 3-D transposed
        # convolution (strided, padded, dilated, grouped, output padding).
        def __init__(self):
            super().__init__()
            self.c1 = nn.Conv3d(2, 4, 3, padding=1)
            self.c2 = nn.Conv3d(4, 4, (2, 3, 3), stride=(2, 1, 2),
                                padding=(1, 0, 1), dilation=(1, 2, 1),
                                groups=2)
            self.max = nn.MaxPool3d(2, stride=(1, 2, 2), padding=1,
                                    ceil_mode=True)
            self.avg = nn.AvgPool3d((2, 1, 2), stride=2, padding=(1, 0, 1))
            self.up = nn.ConvTranspose3d(
                4, 4, (2, 3, 2), stride=(2, 1, 2), padding=(1, 0, 1),
                output_padding=(1, 0, 1), dilation=(1, 2, 1), groups=2)
            self.fc = nn.Linear(2 * 4 * 2 * 1 * 2 + 4 * 5 * 5 * 5, 4)

        def forward(self, x):
            h = self.max(torch.tanh(self.c1(x)))  # [4, 5, 5, 5]
            h = torch.tanh(self.c2(h))  # [4, 3, 1, 3]
            counted = self.avg(h)  # [4, 2, 1, 2]
            overhang = nn.functional.avg_pool3d(  # [4, 2, 1, 2]
                h, (2, 1, 2), stride=2, ceil_mode=True,
                count_include_pad=False)
            up = torch.tanh(self.up(h))  # [4, 5, 5, 5]
            return self.fc(torch.cat([counted.flatten(1),
                                      overhang.flatten(1), up.flatten(1)],
                                     dim=1))

    return {
        "broadcast": (Broadcast, (6,), 4),
        "activations": (Activations, (6,), 4),
        "more_activations": (MoreActivations, (6,), 4),
        "concat_slice": (ConcatSlice, (6,), 4),
        "functions": (Functions, (6,), 4),
        "conv": (Conv, (3, 10, 10), 4),
        "wide_conv": (WideConv, (3, 8, 8), 4),
        "batchnorm": (BatchNorm, (2, 6, 6), 3),
        "layernorm": (LayerNorm, (6,), 3),
        "pool": (Pool, (2, 11, 11), 3),
        "minmax_clip_pow": (MinMaxClipPow, (6,), 4),
        "gates": (Gates, (6,), 4),
        "reductions": (Reductions, (6,), 4),
        "indexing": (Indexing, (6,), 4),
        "ties": (Ties, (6,), 4),
        "conv_transpose": (ConvTranspose, (3, 4, 4), 4),
        "instance_lrn": (InstanceLRN, (3, 6, 6), 3),
        "conv1d": (Conv1D, (2, 16), 4),
        "conv3d": (Conv3D, (2, 4, 8, 8), 3),
    }


MODEL_NAMES = ["broadcast", "activations", "more_activations",
               "concat_slice", "conv", "batchnorm", "layernorm", "functions",
               "pool", "mlp", "lenet", "convnet", "minmax_clip_pow", "gates",
               "reductions", "indexing", "ties", "conv_transpose",
               "instance_lrn", "conv1d", "conv3d", "wide_conv"]

# The opset each model is exported at (13 otherwise): LayerNormalization
# and HardSwish need 17 and 14; the newer models take the highest nncc
# imports.
OPSETS = {"layernorm": 17, "minmax_clip_pow": 17, "gates": 17,
          "reductions": 17, "indexing": 17, "ties": 17,
          "conv_transpose": 17, "instance_lrn": 17, "conv1d": 17,
          "conv3d": 17}


def pool_onnx(model, batch, sample_shape, path):
    """The ONNX graph of small_models()'s Pool, with its weights."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    inits = [numpy_helper.from_array(p.detach().numpy(), n)
             for n, p in model.named_parameters()]
    node = helper.make_node
    nodes = [
        node("Conv", ["input", "c.weight", "c.bias"], ["c"], pads=[1] * 4),
        node("MaxPool", ["c"], ["m"], kernel_shape=[3, 3], strides=[2, 2],
             pads=[1] * 4, ceil_mode=1),
        node("AveragePool", ["m"], ["a1"], kernel_shape=[3, 3],
             strides=[2, 2], pads=[1] * 4, ceil_mode=1, count_include_pad=0),
        node("AveragePool", ["a1"], ["a2"], kernel_shape=[2, 2],
             pads=[1] * 4, count_include_pad=1),
        node("GlobalAveragePool", ["a2"], ["g"]),
        node("Flatten", ["g"], ["f"]),
        node("Gemm", ["f", "fc.weight", "fc.bias"], ["output"], transB=1),
    ]
    graph = helper.make_graph(
        nodes, "pool",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT,
                                       (batch,) + sample_shape)],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT,
                                       (batch, 3))], inits)
    onnx.save(helper.make_model(graph, opset_imports=[
        helper.make_opsetid("", 13)]), path)


def build_model(name):
    import torch
    models = small_models()
    if name in models:
        make, sample_shape, classes = models[name]
        torch.manual_seed(MODEL_NAMES.index(name) + 10)
        return make().eval(), sample_shape, classes
    model, sample_shape = run_model.build_model(name)
    return model, sample_shape, 10 if name != "convnet" else 5


def torch_loss(name, output, target, ends_in_softmax):
    import torch
    import torch.nn.functional as F
    if name == "cross_entropy":
        if ends_in_softmax:
            # nncc trains a model ending in Softmax through its logits:
            # -log(softmax(logits)[label]) is the same function.
            return F.nll_loss(torch.log(output), target)
        return F.cross_entropy(output, target)
    if name == "bce":
        return F.binary_cross_entropy_with_logits(output, target)
    if name == "mse":
        return F.mse_loss(output, target)
    if name == "sse":
        return F.mse_loss(output, target, reduction="sum")
    return F.l1_loss(output, target)


def torch_optimizer(args, params):
    import torch
    wd = args.weight_decay
    if args.optimizer == "sgd":
        return torch.optim.SGD(params, lr=args.lr, weight_decay=wd or 0)
    if args.optimizer in ("momentum", "nesterov"):
        return torch.optim.SGD(params, lr=args.lr, momentum=args.momentum,
                               nesterov=args.optimizer == "nesterov",
                               weight_decay=wd or 0)
    if args.optimizer == "adam":
        return torch.optim.Adam(params, lr=args.lr, weight_decay=wd or 0)
    if args.optimizer == "adamw":
        return torch.optim.AdamW(params, lr=args.lr,
                                 weight_decay=0.01 if wd is None else wd)
    if args.optimizer == "rmsprop":
        return torch.optim.RMSprop(params, lr=args.lr, weight_decay=wd or 0)
    return torch.optim.Adagrad(params, lr=args.lr, weight_decay=wd or 0,
                               eps=1e-10)


def torch_scheduler(args, optimizer):
    """PyTorch's scheduler for nncc's --lr-schedule and --warmup-steps,
    stepped once per training step."""
    import torch
    sched = torch.optim.lr_scheduler
    chain = []
    if args.lr_schedule == "step":
        chain.append(sched.StepLR(optimizer, step_size=args.lr_period or 1,
                                  gamma=args.lr_gamma or 0.1))
    elif args.lr_schedule == "exponential":
        chain.append(sched.ExponentialLR(optimizer, gamma=args.lr_gamma or 0.1))
    elif args.lr_schedule == "cosine":
        chain.append(sched.CosineAnnealingLR(optimizer, T_max=args.lr_period,
                                             eta_min=args.lr_min or 0.0))
    if args.warmup_steps:
        w = args.warmup_steps
        chain.append(sched.LinearLR(optimizer, start_factor=1.0 / w,
                                    end_factor=1.0, total_iters=w - 1))
    return sched.ChainedScheduler(chain) if chain else None


KINK_MARGIN = 1e-6
# The newer models' ops (small_models()'s Watched, hard activations) have a
# few dozen inputs each, so a wider margin costs a redraw now and then; it
# keeps them clear of the finite differences' steps too (1e-6 times the
# direction), which matters for floor and ceil, whose steps are jumps. Only
# --mode grad takes finite differences: in --mode train, where fp32
# rounding alone moves a value, the relative distances get KINK_MARGIN
# (MobileNet-V2's ~10^6 relu6 inputs always have some within 1e-3 of a
# bound); floor's and ceil's absolute one keeps TIE_MARGIN.
TIE_MARGIN = 1e-3


def near_kink(model, x, loss_of=None, finite_differences=True):
    """Whether PyTorch's forward pass on x puts a relu-like input (relu,
    leaky relu, elu, selu, prelu) within KINK_MARGIN (relative to the
    tensor's scale) of 0, or the two largest values of a max-pooling window
    that close together; or, within TIE_MARGIN, a hardtanh, relu6,
    hardsigmoid or hardswish input near a bound, or the distance a Watched
    module reports (two operands of a max or min, the two largest values
    of a reduce max, a clamp input and its bound: relative to the inputs'
    scale; a floor or ceil input and the nearest integer: absolute).
    Without finite_differences the relative TIE_MARGINs are KINK_MARGIN.

    The forward pass is that of the comparison: a train-mode copy of the
    model, so batch norms use the batch's statistics (the running ones put
    the relu inputs elsewhere). With loss_of (the loss of the model's
    output), a relu-like, hard-activation (clip) or max-pooling kink counts
    only where the loss's gradient with respect to that op's output is
    nonzero: where it is zero (a relu or pooling window downstream drops
    it) either side of the kink routes a zero, so no gradient can differ.
    Watched modules count whatever the gradient."""
    import torch
    from torch import nn
    model = copy.deepcopy(model).train()
    found = []
    # (near, output): kinks whose output gradient decides, after backward.
    pending = []

    def count(near, output):
        if loss_of is None or not output.requires_grad:
            found.append(bool(near.any()))
        elif bool(near.any()):
            output.retain_grad()
            pending.append((near, output))

    def relu_hook(module, inputs, output):
        t = inputs[0].detach().abs()
        count(t < KINK_MARGIN * t.max(), output)

    def margin(relative):
        return TIE_MARGIN if finite_differences or not relative else \
            KINK_MARGIN

    def near(distance, inputs, relative):
        scale = max(float(t.detach().abs().max()) for t in inputs
                    ) if relative else 1.0
        return distance < margin(relative) * scale

    def watched_hook(module, inputs, output):
        with torch.no_grad():
            found.append(bool(near(module.kink_distance(*inputs), inputs,
                                   module.kink_relative).any()))

    def bounds_hook(module, inputs, output):
        t = inputs[0].detach()
        if isinstance(module, nn.Hardtanh):  # relu6 too
            bounds = (module.min_val, module.max_val)
        else:  # hardsigmoid, hardswish
            bounds = (-3.0, 3.0)
        distance = torch.stack([(t - b).abs() for b in bounds]).amin(0)
        count(near(distance, inputs, True), output)

    def pool_hook(module, inputs, output):
        # The windows of a 1-D or 2-D max pooling, padded with -inf, and in
        # ceil mode at the end with the windows' overhang too (windows that
        # start past the input are all -inf: a NaN gap, never near; the
        # output has none of them).
        t = inputs[0].detach()
        rank = t.dim() - 2

        def per_dim(v):
            return [v] * rank if isinstance(v, int) else list(v)

        k, s, p = (per_dim(module.kernel_size), per_dim(module.stride),
                   per_dim(module.padding))
        pads = []
        for d in reversed(range(rank)):
            extra = (-(t.shape[2 + d] + 2 * p[d] - k[d]) % s[d]
                     if module.ceil_mode else 0)
            pads += [p[d], p[d] + extra]
        windows = nn.functional.pad(t, pads, value=float("-inf"))
        for d in range(rank):
            windows = windows.unfold(2 + d, k[d], s[d])
        windows = windows.flatten(-rank)
        top = windows.topk(2, dim=-1).values
        gap = top[..., 0] - top[..., 1]
        # Windows whose maximum is exactly 0 hold relu outputs: both sides
        # compute them as exact zeros, and relu'(0) = 0 drops whatever
        # gradient the tie routes, so they cannot differ.
        near = (gap < KINK_MARGIN * t.abs().max()) & (top[..., 0] != 0)
        count(near[tuple(slice(0, n) for n in output.shape)], output)

    handles = []
    for module in model.modules():
        if isinstance(module, (nn.ReLU, nn.LeakyReLU, nn.ELU, nn.SELU,
                               nn.PReLU)):
            handles.append(module.register_forward_hook(relu_hook))
        elif isinstance(module, (nn.MaxPool1d, nn.MaxPool2d)):
            handles.append(module.register_forward_hook(pool_hook))
        elif isinstance(module, (nn.Hardtanh, nn.Hardsigmoid, nn.Hardswish)):
            handles.append(module.register_forward_hook(bounds_hook))
        elif hasattr(module, "kink_distance"):
            handles.append(module.register_forward_hook(watched_hook))
    if loss_of is None:
        with torch.no_grad():
            model(torch.from_numpy(x))
    else:
        loss = loss_of(model(torch.from_numpy(x).requires_grad_()))
        if pending:
            loss.backward()
        for near_, output in pending:
            # No grad at all: the output does not reach the loss.
            if output.grad is not None:
                found.append(bool((near_ & (output.grad != 0)).any()))
    for handle in handles:
        handle.remove()
    return any(found)


def make_batch(args, rng, sample_shape, classes, prediction_shape):
    x = rng.standard_normal((args.batch,) + sample_shape, dtype=np.float32)
    if args.loss == "cross_entropy":
        target = rng.integers(0, classes, size=args.batch, dtype=np.int64)
    elif args.loss == "bce":
        target = rng.random(prediction_shape, dtype=np.float32)
    else:
        target = rng.standard_normal(prediction_shape, dtype=np.float32)
    return x, target


def relative_error(actual, expected):
    scale = float(np.max(np.abs(expected))) or 1.0
    return float(np.max(np.abs(actual - expected))) / scale


def gradient_error(actual, expected, largest):
    """relative_error of a parameter's gradient, its scale at least
    GRAD_FLOOR times `largest`, the largest |gradient| of the model."""
    scale = max(float(np.max(np.abs(expected))), GRAD_FLOOR * largest)
    return float(np.max(np.abs(actual - expected))) / (scale or 1.0)


def largest_gradient(params):
    return max((float(p.grad.abs().max()) for p in params
                if p.grad is not None), default=0.0)


class Report:
    def __init__(self, metric="relative error"):
        self.failed = 0
        self.metric = metric

    def check(self, what, error, tolerance):
        ok = error <= tolerance
        self.failed += not ok
        print(f"{what}: {self.metric} {error:.3g} (tolerance {tolerance}):"
              f" {'PASS' if ok else 'FAIL'}")


def build_nncc(args, work, onnx_path):
    """Compiles onnx_path with --train and links train_harness.c; returns
    the harness's path (built for a dynamic batch with --dynamic-batch)."""
    object_path = os.path.join(work, "model.o")
    harness = os.path.join(work, "train_harness")
    flags = ["--train", "--gradients-entry", f"--loss={args.loss}",
             f"--optimizer={args.optimizer}", f"--lr={args.lr}"]
    if args.optimizer in ("momentum", "nesterov"):
        flags.append(f"--momentum={args.momentum}")
    if args.weight_decay is not None:
        flags.append(f"--weight-decay={args.weight_decay}")
    # test/models/train_models.py's --nncc-flag.
    flags += getattr(args, "nncc_flags", [])
    for flag in ("clip_grad_norm", "lr_schedule", "lr_period", "lr_gamma",
                 "lr_min", "warmup_steps"):
        if getattr(args, flag) is not None:
            flags.append(f"--{flag.replace('_', '-')}={getattr(args, flag)}")
    run_model.run_step("compiling the model", [
        args.nncc, onnx_path, "-o", object_path, "--name", "model"] + flags)
    run_model.run_step("building the harness", [
        args.cc, "-std=c11", "-O1", "-I", args.nnrt_include] +
        (["-DHARNESS_BATCH"] if getattr(args, "dynamic_batch", None) else []) +
        [os.path.join(SCRIPT_DIR, "train_harness.c"), object_path,
         "-L", args.nnrt_lib, "-lnnrt", "-lm", "-lpthread", "-o", harness])
    return harness


def run_nncc(args, work, onnx_path, x, target, steps, harness=None):
    """Runs the harness (built by build_nncc unless given) on the batch
    for `steps` steps; returns the losses, the state files and the
    gradient files."""
    if harness is None:
        harness = build_nncc(args, work, onnx_path)
    files = []
    for i, array in enumerate((x, target)):
        files.append(os.path.join(work, f"input_{i}.bin"))
        array.tofile(files[-1])
    import subprocess
    batch_flags = (["--batch", str(len(x))]
                   if getattr(args, "dynamic_batch", None) else [])
    result = subprocess.run([harness] + batch_flags + [str(steps)] + files +
                            ["--", work],
                            stdout=subprocess.PIPE, text=True, check=True)
    losses, states, grads = [], {}, []
    for line in result.stdout.splitlines():
        words = line.split(" ", 2)
        if words[0] == "loss":
            losses.append(float(words[2]))
        elif words[0] == "state":
            states[words[2]] = os.path.join(work, f"state_{words[1]}.bin")
        elif words[0] == "grad":
            step, k, name = line.split(" ", 3)[1:]
            if int(step) == len(grads):
                grads.append({})
            assert name.startswith("grad:")
            grads[-1][name[5:]] = os.path.join(work, f"grad_{step}_{k}.bin")
    return losses, states, grads


def read_state(path, like):
    return np.fromfile(path, dtype=np.float32).reshape(like.shape)


def check_gradients(args, report, model, loss_of, x, target, losses,
                    grads):
    import torch
    params = dict(model.named_parameters())
    for p in params.values():
        p.grad = None
    loss = loss_of(model, torch.from_numpy(x), torch.from_numpy(target))
    report.check("loss", relative_error(np.array(losses[:1]),
                                        np.array([loss.item()])),
                 LOSS_TOLERANCE)
    loss.backward()
    largest = largest_gradient(params.values())
    model64 = copy.deepcopy(model).double()
    params64 = dict(model64.named_parameters())
    x64 = torch.from_numpy(x).double()
    t64 = torch.from_numpy(target)
    t64 = t64.double() if t64.is_floating_point() else t64
    # The exact (float64 autograd) gradient, which tells a finite difference
    # that crossed a relu or max-pool kink (it disagrees with the exact
    # directional derivative too) from one that shows a wrong gradient.
    loss_of(model64, x64, t64).backward()
    rng = np.random.default_rng(args.seed)
    # Parameters whose gradient is zero in nncc and in PyTorch alike: for
    # this input, a legitimate value (an L1 loss's bias gradient is a sum of
    # signs, which a batch can balance exactly), but one that says nothing.
    # Every other zero gradient fails, and so does a model whose gradients
    # are all such: the check would pass without testing anything.
    vacuous = []

    def zero_gradient(name, grad, reference):
        if np.any(grad):
            return
        if not np.any(reference):
            vacuous.append(name)
            print(f"{name}: the gradient is all zeros, as PyTorch's for this "
                  "input: no evidence either way")
            return
        report.failed += 1
        print(f"{name}: the gradient is all zeros: FAIL")

    for name, p in params.items():
        if name not in grads[0]:
            report.failed += 1
            print(f"{name}: the compiled model has no gradient of that "
                  "name: FAIL")
            continue
        old = p.detach().numpy()
        grad = read_state(grads[0][name], old)
        report.check(f"{name} gradient vs PyTorch", gradient_error(
            grad, p.grad.numpy(), largest), GRAD_TOLERANCE)
        if getattr(model, "exact_ties", False):
            print(f"{name} gradient vs finite differences: skipped (the "
                  "model sits on ties)")
            zero_gradient(name, grad, p.grad.numpy())
            continue
        # Central differences in float64 along random directions. A
        # direction whose difference also misses the exact directional
        # derivative by the tolerance crossed a kink: it is redrawn (up to
        # 10 times), as it says nothing about nncc's gradient.
        worst = 0.0
        exact = params64[name].grad.numpy()
        checked = redrawn = 0
        while checked < 3 and redrawn < 10:
            d = rng.standard_normal(old.shape)
            eps = 1e-6
            base = params64[name].detach().clone()
            with torch.no_grad():
                params64[name].copy_(base + eps * torch.from_numpy(d))
                up = loss_of(model64, x64, t64).item()
                params64[name].copy_(base - eps * torch.from_numpy(d))
                down = loss_of(model64, x64, t64).item()
                params64[name].copy_(base)
            fd = (up - down) / (2 * eps)
            scale = np.linalg.norm(grad) * np.linalg.norm(d)
            if abs(fd - float(np.sum(exact * d))) > FD_TOLERANCE * max(
                    np.linalg.norm(exact) * np.linalg.norm(d), 1e-12):
                redrawn += 1
                continue
            checked += 1
            worst = max(worst, abs(fd - float(np.sum(grad * d))) /
                        max(scale, 1e-12))
        if redrawn:
            print(f"{name}: {redrawn} direction(s) redrawn (their finite "
                  "difference crossed a kink: it missed the float64 "
                  "gradient too)")
        if checked < 3:
            report.failed += 1
            print(f"{name} gradient vs finite differences: only {checked} "
                  "of 3 directions away from kinks: FAIL")
        report.check(f"{name} gradient vs finite differences", worst,
                     FD_TOLERANCE)
        zero_gradient(name, grad, p.grad.numpy())
    if params and len(vacuous) == len(params):
        report.failed += 1
        print("every gradient is all zeros, in PyTorch too: the check tests "
              "nothing: FAIL")


def check_training(args, report, model, loss_of, x, target, losses, states,
                   grads):
    import torch
    params = dict(model.named_parameters())
    missing = [n for n in params if n not in states or n not in grads[0]]
    if missing:
        report.failed += 1
        print(f"parameters {missing} are missing from the compiled model: "
              "FAIL")
        return
    optimizer = torch_optimizer(args, params.values())
    scheduler = torch_scheduler(args, optimizer)
    xt, tt = torch.from_numpy(x), torch.from_numpy(target)
    worst_grad, expected_losses = 0.0, []
    first = {}
    for step in range(args.steps):
        optimizer.zero_grad()
        loss = loss_of(model, xt, tt)
        expected_losses.append(loss.item())
        loss.backward()
        largest = largest_gradient(params.values())
        for name, p in params.items():
            mine = read_state(grads[step][name], p)
            if step == 0:
                worst_grad = max(worst_grad, gradient_error(
                    mine, p.grad.numpy(), largest))
            p.grad = torch.from_numpy(mine)
        if args.clip_grad_norm:
            torch.nn.utils.clip_grad_norm_(params.values(), args.clip_grad_norm)
        optimizer.step()
        if scheduler:
            scheduler.step()
        if step == 0:
            first = {n: p.detach().numpy().copy() for n, p in params.items()}
    report.check("loss of the first step", relative_error(
        np.array(losses[:1]), np.array(expected_losses[:1])), LOSS_TOLERANCE)
    if args.steps > 1:
        report.check("losses of the later steps", relative_error(
            np.array(losses[1:]), np.array(expected_losses[1:])),
            LATER_LOSS_TOLERANCE)
    report.check("gradients of the first step", worst_grad, GRAD_TOLERANCE)
    for name, buffer in model.named_buffers():
        if name.endswith("num_batches_tracked"):
            continue
        expected = buffer.numpy()
        if name not in states:
            report.failed += 1
            print(f"{name}: no state of that name in the compiled model: FAIL")
            continue
        report.check(f"{name} after {args.steps} steps",
                     relative_error(read_state(states[name], expected),
                                    expected), PARAM_TOLERANCE)
    for name, p in params.items():
        expected = first[name]
        after_first = states[name].replace("state_", "first_")
        report.check(f"{name} after 1 {args.optimizer} step",
                     relative_error(read_state(after_first, expected),
                                    expected), PARAM_TOLERANCE)
        if args.steps > 1:
            expected = p.detach().numpy()
            report.check(f"{name} after {args.steps} {args.optimizer} steps",
                         relative_error(read_state(states[name], expected),
                                        expected), PARAM_TOLERANCE)


def argument_parser(models):
    """The command line of check_training.py, with --model one of `models`
    (test/models/train_models.py parses its own models' with it)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=models, required=True)
    parser.add_argument("--loss", default="cross_entropy",
                        choices=["cross_entropy", "bce", "mse", "sse", "l1"])
    parser.add_argument("--mode", choices=["grad", "train"], required=True)
    parser.add_argument("--optimizer", default="sgd")
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--weight-decay", type=float)
    parser.add_argument("--clip-grad-norm", type=float)
    parser.add_argument("--lr-schedule",
                        choices=["constant", "step", "exponential", "cosine"])
    parser.add_argument("--lr-period", type=int)
    parser.add_argument("--lr-gamma", type=float)
    parser.add_argument("--lr-min", type=float)
    parser.add_argument("--warmup-steps", type=int)
    parser.add_argument("--steps", type=int, default=1)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--dynamic-batch", metavar="N,N,...",
                        help="export with a symbolic batch, compile once and "
                             "check a fresh model at each of these batch "
                             "sizes (instead of --batch)")
    parser.add_argument("--work", required=True)
    parser.add_argument("--seed", type=int)
    nncc_tools.add_tool_arguments(parser)
    return parser


def draw_batch(args, model, sample_shape, classes, rng, avoid_kinks=True,
               ends_in_softmax=False):
    """A batch (x, target) drawn from rng; with avoid_kinks, drawn again
    while near_kink (on the train-mode model, counting the kinks that the
    batch's loss has a gradient through); None (after printing FAIL) when
    50 draws all are."""
    import torch
    with torch.no_grad():
        probe = torch.zeros((args.batch,) + sample_shape)
        prediction_shape = tuple(model(probe).shape)
    for attempt in range(50):
        x, target = make_batch(args, rng, sample_shape, classes,
                               prediction_shape)
        if not avoid_kinks:
            return x, target

        def loss_of(output):
            return torch_loss(args.loss, output, torch.from_numpy(target),
                              ends_in_softmax)

        if not near_kink(model, x, loss_of,
                         finite_differences=args.mode == "grad"):
            return x, target
        print(f"batch {attempt} has a value near a kink, tie or step "
              f"(near_kink): drawing another")
    print("FAIL: 50 batches all lie near a kink; the model or the margin "
          "needs a look")
    return None


def compare_with_torch(args, work, onnx_path, model, x, target,
                       ends_in_softmax, harness=None):
    """Compiles onnx_path (exported from `model`) with --train, runs it on
    the batch and checks it against `model` in PyTorch (--mode grad:
    check_gradients, train: check_training). Prints one line per check and
    the verdict; returns the exit status."""
    # Exported for inference (running statistics); trained, like nncc's
    # train step, with the batch's.
    model.train()

    def loss_of(m, xt, tt):
        return torch_loss(args.loss, m(xt), tt, ends_in_softmax)

    try:
        losses, states, grads = run_nncc(args, work, onnx_path, x, target,
                                         args.steps, harness)
    except run_model.StepFailed as error:
        print(error)
        print("FAIL")
        return 1
    report = Report()
    if args.mode == "grad":
        check_gradients(args, report, model, loss_of, x, target, losses,
                        grads)
    else:
        check_training(args, report, model, loss_of, x, target, losses,
                       states, grads)
    print("all checks passed" if report.failed == 0 else
          f"{report.failed} check(s) FAILED")
    return 1 if report.failed else 0


def check_dynamic_batch(args, work, onnx_path, model, x, sample_shape,
                        classes, rng, ends_in_softmax):
    """--dynamic-batch: one export with the batch as a symbol, one compile,
    then at each batch size a fresh copy of the model and a fresh batch,
    checked as compare_with_torch does."""
    import copy
    import torch
    with torch.no_grad():
        torch.onnx.export(model, torch.from_numpy(x), onnx_path,
                          opset_version=OPSETS.get(args.model, 13),
                          input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "batch"},
                                        "output": {0: "batch"}},
                          do_constant_folding=args.model in
                          ("convnet", "layernorm"))
    try:
        harness = build_nncc(args, work, onnx_path)
    except run_model.StepFailed as error:
        print(error)
        print("FAIL")
        return 1
    status = 0
    for size in [int(b) for b in args.dynamic_batch.split(",")]:
        print(f"--- batch {size}")
        args.batch = size
        fresh = copy.deepcopy(model)
        batch = draw_batch(args, fresh, sample_shape, classes, rng,
                           ends_in_softmax=ends_in_softmax)
        if batch is None:
            return 1
        batch_work = os.path.join(work, f"batch{size}")
        os.makedirs(batch_work, exist_ok=True)
        status |= compare_with_torch(args, batch_work, onnx_path, fresh,
                                     *batch, ends_in_softmax, harness)
    return status


def main():
    args = argument_parser(MODEL_NAMES).parse_args()
    if args.mode == "grad":
        args.steps = 1

    import torch
    torch.set_num_threads(1)
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    model, sample_shape, classes = build_model(args.model)
    args.seed = args.seed if args.seed is not None else secrets.randbits(32)
    print(f"{args.model} {args.loss} {args.mode}: input seed {args.seed} "
          f"(--seed {args.seed} reproduces this run)")
    rng = np.random.default_rng(args.seed)
    ends_in_softmax = args.model == "convnet"
    batch = draw_batch(args, model, sample_shape, classes, rng,
                       ends_in_softmax=ends_in_softmax)
    if batch is None:
        return 1
    x, target = batch
    onnx_path = os.path.join(work, "model.onnx")
    if args.dynamic_batch:
        return check_dynamic_batch(args, work, onnx_path, model, x,
                                   sample_shape, classes, rng,
                                   ends_in_softmax)
    if args.model == "pool":
        pool_onnx(model, args.batch, sample_shape, onnx_path)
    else:
        with torch.no_grad():
            # The exporter's constant folding would turn expressions of
            # parameters alone (scale * scale + 1) into new initializers,
            # which would then train as independent parameters; it is only
            # needed where shapes are computed (convnet's view).
            torch.onnx.export(model, torch.from_numpy(x), onnx_path,
                              opset_version=OPSETS.get(args.model, 13),
                              input_names=["input"],
                              output_names=["output"],
                              do_constant_folding=args.model in
                              ("convnet", "layernorm"))
    return compare_with_torch(args, work, onnx_path, model, x, target,
                              ends_in_softmax)


if __name__ == "__main__":
    sys.exit(main())
