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
value lies near a kink (check_training.near_kink: a relu input or max-pooling
tie within 1e-6 of it, a clip bound within 1e-3). A whole model at 224x224
has millions of relu inputs, some of which always do, and one of them routed
the other way moves a gradient by a few percent where few positions remain
(ResNet-18's layer4 at 7x7: PyTorch's own fp32 gradients are then 1e-2 from
float64 ones); hence the tests' --image-size 64 and batch 2, where a clear
batch exists (a model whose 50 batches never clear fails with
check_training's message).

Prints the ONNX op types, one PASS/FAIL line per check and the time taken,
and exits 1 on any failure.
"""

import os
import sys
import time

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
            elif isinstance(child, nn.ReLU):
                # In place, the hooks of check_training.near_kink would see
                # the relu's output as its input.
                child.inplace = False
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
