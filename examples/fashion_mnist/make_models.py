#!/usr/bin/python3
"""Export the untrained MLP and LeNet-5 that the training example trains.

Builds the two models in PyTorch with a fixed seed (PyTorch's default
initialization) and exports their *initial* weights to ONNX, for
`nncc --train` (train.sh) and for train_torch.py, which loads the same
weights back into the same PyTorch modules (fashion_mnist.py's):

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

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fashion_mnist import MODELS, make_model  # noqa: E402

SEED = 0
BATCH = 64


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
