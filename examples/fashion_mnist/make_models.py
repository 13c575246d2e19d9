#!/usr/bin/python3
"""Export the untrained MLP and LeNet-5 that the training example trains.

Builds the two models in PyTorch with a fixed seed (PyTorch's default
initialization) and exports their *initial* weights to ONNX, for
`nncc --train` (train.sh) and for train_torch.py, which loads the same
weights back into the PyTorch modules defined here:

  mlp.onnx    flatten -> linear 784->256 -> relu -> linear 256->128 -> relu
              -> linear 128->10                       (235,146 parameters)
  lenet.onnx  conv 5x5 1->6 pad 2 -> relu -> max pool 2x2 -> conv 5x5 6->16
              -> relu -> max pool 2x2 -> flatten -> linear 400->120 -> relu
              -> linear 120->84 -> relu -> linear 84->10  (61,706 parameters)

Both take input "image" f32 [B, 1, 28, 28] (pixels / 255) and return
"logits" f32 [B, 10], no softmax. The batch size B (--batch, default 64) is
fixed in the ONNX file (no dynamic axes): it is the batch size of training.
Opset 13. The initializers keep the PyTorch parameter names (fc1.weight,
conv1.bias, ...), which is how train_torch.py and check_saved.py find them.

Usage: /usr/bin/python3 make_models.py [--out-dir DIR] [--batch B] [--seed S]
"""

import argparse
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 0
BATCH = 64
MODELS = ("mlp", "lenet")


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(28 * 28, 256)
        self.fc2 = nn.Linear(256, 128)
        self.fc3 = nn.Linear(128, 10)

    def forward(self, x):
        x = torch.flatten(x, 1)                     # [N, 784]
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)                          # logits, no softmax


class LeNet5(nn.Module):
    """The LeNet-5 of train_lenet.py and test/e2e/run_model.py."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, kernel_size=5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, kernel_size=5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)  # [N, 6, 14, 14]
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)  # [N, 16, 5, 5]
        x = torch.flatten(x, 1)                     # [N, 400]
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)                          # logits, no softmax


def make_model(name):
    """Returns a fresh (randomly initialized) module of the given kind."""
    if name == "mlp":
        return MLP()
    if name == "lenet":
        return LeNet5()
    raise ValueError(f"unknown model '{name}' (expected one of {MODELS})")


def model_kind(onnx_model):
    """Tells the kind of model of an ONNX file by its initializers."""
    names = {t.name for t in onnx_model.graph.initializer}
    return "lenet" if "conv1.weight" in names else "mlp"


def load_onnx_weights(module, onnx_model):
    """Copies the initializers of an ONNX model into the module's parameters
    of the same names. Every parameter must be there with its shape."""
    from onnx import numpy_helper

    values = {t.name: numpy_helper.to_array(t)
              for t in onnx_model.graph.initializer}
    state = module.state_dict()
    for name, param in state.items():
        if name not in values:
            sys.exit(f"the ONNX model has no initializer '{name}'")
        value = values[name]
        if (tuple(value.shape) != tuple(param.shape)
                or value.dtype != np.float32):
            sys.exit(f"initializer '{name}' is {value.dtype}"
                     f"{list(value.shape)}, expected float32"
                     f"{list(param.shape)}")
        state[name] = torch.from_numpy(value.copy())
    module.load_state_dict(state)


def onnx_batch_size(onnx_model):
    """The fixed batch size of the model's input "image"."""
    dim = onnx_model.graph.input[0].type.tensor_type.shape.dim[0]
    if not dim.HasField("dim_value"):
        sys.exit("the ONNX model's batch dimension is not fixed")
    return dim.dim_value


def export(name, path, batch, seed):
    torch.manual_seed(seed)
    model = make_model(name).eval()
    dummy = torch.zeros(batch, 1, 28, 28, dtype=torch.float32)
    torch.onnx.export(model, dummy, path, input_names=["image"],
                      output_names=["logits"], opset_version=13,
                      do_constant_folding=True)
    count = sum(p.numel() for p in model.parameters())
    print(f"wrote {path}: {name}, {count} parameters, batch {batch}, "
          f"seed {seed}")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", default=here)
    parser.add_argument("--batch", type=int, default=BATCH)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("models", nargs="*", metavar="MODEL",
                        help="mlp and/or lenet (default: both)")
    args = parser.parse_args()
    if args.batch < 1:
        parser.error("--batch must be positive")
    for name in args.models:
        if name not in MODELS:
            parser.error(f"unknown model '{name}' (expected mlp or lenet)")
    os.makedirs(args.out_dir, exist_ok=True)
    for name in args.models or MODELS:
        export(name, os.path.join(args.out_dir, f"{name}.onnx"), args.batch,
               args.seed)


if __name__ == "__main__":
    main()
