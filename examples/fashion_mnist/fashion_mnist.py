"""What the example's Python scripts share: the data and the models.

Imported by train_lenet.py, make_models.py, train_torch.py and
check_saved.py (each puts this directory on sys.path first):

  - read_idx, load_split: Fashion-MNIST's idx files, plain or gzip'ed, with
    the normalization every program of the example uses (float32 p / 255,
    nothing else);
  - MLP, LeNet5, make_model: the two models, built with PyTorch's default
    initialization. Their attribute names (fc1, conv1, ...) are the
    parameter names, hence the names of the initializers of every ONNX file
    exported from them: changing one changes the files and breaks loading
    them back (load_onnx_weights);
  - model_kind, onnx_batch_size, load_onnx_weights: an exported ONNX file
    back into a module;
  - evaluate: loss, accuracy and predictions of a module on a data set.
"""

import gzip
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

MODELS = ("mlp", "lenet")


def read_idx(path, magic, ndim):
    """Returns the array stored in an idx file, or in path + ".gz" when there
    is no such file. A path ending in ".gz" is decompressed."""
    if not os.path.exists(path):
        if not os.path.exists(path + ".gz"):
            sys.exit(f"cannot find '{path}' (nor '{path}.gz')")
        path += ".gz"
    with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
        data = f.read()
    header_size = 4 + 4 * ndim
    if len(data) < header_size:
        sys.exit(f"{path}: truncated idx header")
    got_magic = int.from_bytes(data[0:4], "big")
    if got_magic != magic:
        sys.exit(f"{path}: bad magic {got_magic}, expected {magic}")
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big")
            for i in range(ndim)]
    count = int(np.prod(dims))
    if len(data) - header_size != count:
        sys.exit(f"{path}: expected {count} bytes of data, "
                 f"found {len(data) - header_size}")
    return np.frombuffer(data, dtype=np.uint8,
                         offset=header_size).reshape(dims)


def load_split(data_dir, split):
    """Returns (images float32 [N, 1, 28, 28] = pixels / 255, labels int64
    [N]) as numpy arrays, from <split>-images-idx3-ubyte and
    <split>-labels-idx1-ubyte in data_dir (or their .gz files)."""
    images = read_idx(os.path.join(data_dir, f"{split}-images-idx3-ubyte"),
                      2051, 3)
    labels = read_idx(os.path.join(data_dir, f"{split}-labels-idx1-ubyte"),
                      2049, 1)
    if images.shape[0] != labels.shape[0] or images.shape[1:] != (28, 28):
        sys.exit(f"{split}: unexpected shapes {images.shape} {labels.shape}")
    if labels.max() >= 10:
        sys.exit(f"{split}: a label is {labels.max()}, expected 0-9")
    # The normalization of classify.c and train.c: (float)p / 255.0f.
    x = images.astype(np.float32) / np.float32(255.0)
    return x.reshape(-1, 1, 28, 28), labels.astype(np.int64)


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
    """The LeNet-5 of lenet.onnx, also built by test/e2e/run_model.py."""

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
    # Imported here: train_lenet.py and make_models.py do without onnx.
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


def evaluate(model, x, y, batch_size=1000):
    """Returns (mean cross-entropy, number correct, predictions) of the
    module on images x and labels y (numpy arrays, as load_split's)."""
    model.eval()
    loss_sum, preds = 0.0, []
    with torch.no_grad():
        for i in range(0, x.shape[0], batch_size):
            logits = model(torch.from_numpy(x[i:i + batch_size]))
            target = torch.from_numpy(y[i:i + batch_size])
            loss_sum += float(F.cross_entropy(logits, target,
                                              reduction="sum"))
            preds.append(logits.argmax(dim=1).numpy())
    model.train()
    preds = np.concatenate(preds)
    return loss_sum / x.shape[0], int((preds == y).sum()), preds
