"""Writes the models of save-load.test into the directory given.

mlp.onnx: x[2, 4] -> Linear(4, 5) -> ReLU -> Linear(5, 3), exported by
PyTorch with a fixed seed. other.onnx: the same with 6 hidden units, so its
initializers have the names of mlp.onnx's and other shapes.
"""

import os
import sys

import torch
from torch import nn


def export(hidden, path):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, hidden), nn.ReLU(), nn.Linear(hidden, 3))
    torch.onnx.export(model, torch.zeros(2, 4), path)


def main():
    export(5, os.path.join(sys.argv[1], "mlp.onnx"))
    export(6, os.path.join(sys.argv[1], "other.onnx"))


if __name__ == "__main__":
    main()
