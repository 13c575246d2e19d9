#!/usr/bin/python3
"""Train LeNet-5 on Fashion-MNIST and export it to ONNX for nncc.

Reads Debian's dataset-fashion-mnist files (MNIST idx format, gzip) with
gzip + numpy (fashion_mnist.py, which also defines the model), trains on
the 60,000 training images, exports the model at a fixed batch size of 1
(input "image" [1, 1, 28, 28] float32, output "logits" [1, 10]) and writes
the PyTorch reference results that classify.c compares against.

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
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fashion_mnist  # noqa: E402

DATA_DIR = "/usr/share/datasets/fashion-mnist"
SEED = 0


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

    # The gzip'ed files of dataset-fashion-mnist, as torch tensors.
    x_train, y_train = map(torch.from_numpy,
                           fashion_mnist.load_split(args.data_dir, "train"))
    x_test, y_test = map(torch.from_numpy,
                         fashion_mnist.load_split(args.data_dir, "t10k"))
    print(f"train {tuple(x_train.shape)}, test {tuple(x_test.shape)}")

    model = fashion_mnist.LeNet5()
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
