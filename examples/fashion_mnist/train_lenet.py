#!/usr/bin/python3
"""Train LeNet-5 on Fashion-MNIST and export it to ONNX for nncc.

Reads Debian's dataset-fashion-mnist files (MNIST idx format, gzip) with
gzip + numpy, trains on the 60,000 training images, exports the model at a
fixed batch size of 1 (input "image" [1, 1, 28, 28] float32, output
"logits" [1, 10]) and writes the PyTorch reference results that classify.c
compares against.

Input normalization: pixel / 255.0 as float32, i.e. values in [0, 1], no
mean/std shift. Any program feeding lenet.onnx (classify.c) must do the same.

Output files (in --out-dir):
  lenet.onnx      the model (opset 13, no dynamic axes)
  lenet.expected  line 1: "correct N of 10000" (+ percentage)
                  line 2: "first10 p0 p1 ... p9", the predicted classes of
                          the first 10 test images

Usage: /usr/bin/python3 train_lenet.py [--epochs N] [--out-dir DIR]
"""

import argparse
import gzip
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA_DIR = "/usr/share/datasets/fashion-mnist"
SEED = 0


def read_idx(path, magic, ndim):
    """Returns the array stored in a gzip-compressed idx file."""
    with gzip.open(path, "rb") as f:
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
    """Returns (images float32 [N,1,28,28] in [0,1], labels int64 [N])."""
    images = read_idx(os.path.join(data_dir, f"{split}-images-idx3-ubyte.gz"),
                      2051, 3)
    labels = read_idx(os.path.join(data_dir, f"{split}-labels-idx1-ubyte.gz"),
                      2049, 1)
    if images.shape[0] != labels.shape[0] or images.shape[1:] != (28, 28):
        sys.exit(f"{split}: unexpected shapes {images.shape} {labels.shape}")
    # The normalization classify.c reproduces: x / 255 in float32.
    x = torch.from_numpy(images.astype(np.float32) / np.float32(255.0))
    y = torch.from_numpy(labels.astype(np.int64))
    return x.unsqueeze(1), y


class LeNet5(nn.Module):
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


def predict(model, x, batch_size=1000):
    model.eval()
    preds = []
    with torch.no_grad():
        for i in range(0, x.shape[0], batch_size):
            preds.append(model(x[i:i + batch_size]).argmax(dim=1))
    return torch.cat(preds)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--out-dir", default=here)
    parser.add_argument("--data-dir", default=DATA_DIR)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    args = parser.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    np.random.seed(SEED)

    x_train, y_train = load_split(args.data_dir, "train")
    x_test, y_test = load_split(args.data_dir, "t10k")
    print(f"train {tuple(x_train.shape)}, test {tuple(x_test.shape)}")

    model = LeNet5()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    n = x_train.shape[0]
    start = time.time()
    for epoch in range(1, args.epochs + 1):
        model.train()
        perm = torch.randperm(n)
        total_loss = 0.0
        for i in range(0, n, args.batch_size):
            idx = perm[i:i + args.batch_size]
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x_train[idx]), y_train[idx])
            loss.backward()
            optimizer.step()
            total_loss += loss.item() * idx.shape[0]
        acc = (predict(model, x_test) == y_test).float().mean().item()
        print(f"epoch {epoch}/{args.epochs}: loss {total_loss / n:.4f}, "
              f"test accuracy {100 * acc:.2f}%, "
              f"{time.time() - start:.0f}s", flush=True)

    os.makedirs(args.out_dir, exist_ok=True)
    onnx_path = os.path.join(args.out_dir, "lenet.onnx")
    model.eval()
    dummy = torch.zeros(1, 1, 28, 28, dtype=torch.float32)
    torch.onnx.export(model, dummy, onnx_path, input_names=["image"],
                      output_names=["logits"], opset_version=13)
    print(f"wrote {onnx_path} ({os.path.getsize(onnx_path)} bytes)")

    # Reference results of the exported model (same weights, eval mode).
    preds = predict(model, x_test)
    correct = int((preds == y_test).sum())
    total = y_test.shape[0]
    first10 = " ".join(str(int(p)) for p in preds[:10])
    expected_path = os.path.join(args.out_dir, "lenet.expected")
    with open(expected_path, "w") as f:
        f.write(f"correct {correct} of {total} "
                f"({100.0 * correct / total:.2f}%)\n")
        f.write(f"first10 {first10}\n")
    print(f"PyTorch test accuracy: {correct} / {total} = "
          f"{100.0 * correct / total:.2f}%")
    print(f"first 10 predictions: {first10}")
    print(f"wrote {expected_path}")


if __name__ == "__main__":
    main()
