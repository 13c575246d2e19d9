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
fails with check_training's message).

MobileNet-V2, GoogLeNet and DenseNet-121 have no training test. `nncc
--train` takes 70 s and 100 s of CPU on the first two, over 5 minutes on
DenseNet-121. And at 64x64, batch 2, their last batch norms normalize 8
values a channel: the fp32 forward pass drifts from float64 by up to 1e-4
of a tensor's scale, so PyTorch's own fp32 gradients are 1-4e-4 from the
float64 ones (over GRAD_TOLERANCE), MobileNet-V2's running variances
1-2.6e-5 (over PARAM_TOLERANCE), and 10 to 20 of MobileNet-V2's relu6
inputs that have a gradient lie within that drift of a bound in every
batch (one batch in three to six routes one differently in fp32 and
float64); nncc is as far from float64 as PyTorch. GoogLeNet's 3x3
stride-1 Inception poolings, of a max pooling's output or of a 2x2 map,
also see thousands of exact duplicates a batch, which near_kink takes for
ties (with them let through, nncc's gradients were 2.3e-4 from PyTorch's,
PyTorch's 2.1e-4 from float64).

Prints the ONNX op types, one PASS/FAIL line per check and the time taken,
and exits 1 on any failure.
"""

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
import sequence_models as sm  # noqa: E402
import torchvision_models as tv  # noqa: E402

INPUT_SEED = 0


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
    for module in model.modules():
        if type(module).__name__ == "BasicConv2d":
            # GoogLeNet's conv-bn-relu calls F.relu, which near_kink's
            # module hooks cannot see: the same function through an nn.ReLU
            # (no parameter, so the names and the export are unchanged).
            module.relu = nn.ReLU()
            module.forward = types.MethodType(
                lambda self, x: self.relu(self.bn(self.conv(x))), module)
    return model.eval()


def main():
    parser = ct.argument_parser(sorted(tv.TORCHVISION_MODELS) +
                                sorted(sm.SEQUENCE_MODELS))
    parser.set_defaults(seed=INPUT_SEED)
    parser.add_argument("--image-size", type=int, default=224,
                        help="height and width of the torchvision models' "
                             "images (default 224)")
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
    batch = ct.draw_batch(args, model, sample_shape, classes, rng)
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
    status = ct.compare_with_torch(args, work, onnx_path, model, x, target,
                                   ends_in_softmax=False)
    print(f"time: {time.monotonic() - start:.1f} s (export, compile, link, "
          f"run, PyTorch's step and the checks)")
    return status


if __name__ == "__main__":
    sys.exit(main())
