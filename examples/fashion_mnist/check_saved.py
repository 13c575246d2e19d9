#!/usr/bin/python3
"""Check the ONNX model that train.c saved with onnx and PyTorch.

    check_saved.py TRAINED.onnx --data-dir DIR --predictions FILE
                   [--initial INITIAL.onnx] [--max-differing N]

TRAINED.onnx is train.c's <out>/trained.onnx, FILE its test-predictions.txt
(the class nncc's final model predicted for each test image), INITIAL.onnx
the model compiled (make_models.py's). Checks, one line each:

  - the file passes onnx.checker (full check, with shape inference);
  - with --initial: it is the compiled model with other initializer values
    (same graph, same initializer names, types and shapes), and every
    initializer was trained (differs from its initial value);
  - PyTorch, with these weights loaded into fashion_mnist.py's module by name,
    classifies the 10,000 test images (x / 255) as nncc did: at most
    --max-differing (2) predictions differ. They need not all be equal: nncc
    and PyTorch sum the products of the convolutions and matrix products in
    different orders, so the logits differ in the last bits and an image
    whose two best logits are (nearly) tied may flip.

Exits 1 when a check fails.
"""

import argparse
import os
import sys

import numpy as np

SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, SCRIPT_DIR)
import fashion_mnist  # noqa: E402


def read_predictions(path, count):
    with open(path) as f:
        values = [int(line) for line in f if line.strip()]
    if len(values) != count or min(values) < 0 or max(values) > 9:
        sys.exit(f"{path}: expected {count} classes 0-9, one a line")
    return np.array(values, dtype=np.int64)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trained", help="the ONNX file train.c saved")
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--predictions", required=True,
                        help="train.c's test-predictions.txt")
    parser.add_argument("--initial", help="the ONNX model compiled")
    parser.add_argument("--max-differing", type=int, default=2)
    args = parser.parse_args()

    import onnx
    import torch
    from onnx import numpy_helper

    torch.set_num_threads(1)
    ok = True
    trained = onnx.load(args.trained)
    onnx.checker.check_model(trained, full_check=True)
    print("onnx.checker: ok")

    if args.initial:
        initial = onnx.load(args.initial)
        before = {t.name: numpy_helper.to_array(t)
                  for t in initial.graph.initializer}
        after = {t.name: numpy_helper.to_array(t)
                 for t in trained.graph.initializer}
        same_shapes = before.keys() == after.keys() and all(
            before[k].shape == after[k].shape and
            before[k].dtype == after[k].dtype for k in before)
        untrained = sorted(k for k in before if k in after and
                           np.array_equal(before[k], after[k]))
        # With the initial values back, the saved model is the compiled one.
        restored = onnx.ModelProto()
        restored.CopyFrom(trained)
        for tensor in restored.graph.initializer:
            tensor.CopyFrom(next(t for t in initial.graph.initializer
                                 if t.name == tensor.name))
        same_graph = same_shapes and restored == initial
        trained_text = ("all trained" if not untrained
                        else "UNTRAINED: " + ", ".join(untrained))
        print(f"initializers: {len(after)}, {trained_text}; "
              f"the rest: {'as compiled' if same_graph else 'CHANGED'}")
        ok = ok and same_graph and not untrained

    x_test, y_test = fashion_mnist.load_split(args.data_dir, "t10k")
    nncc = read_predictions(args.predictions, y_test.shape[0])
    model = fashion_mnist.make_model(fashion_mnist.model_kind(trained))
    fashion_mnist.load_onnx_weights(model, trained)
    _, correct, preds = fashion_mnist.evaluate(model, x_test, y_test)
    total = y_test.shape[0]
    nncc_correct = int((nncc == y_test).sum())
    differing = int((preds != nncc).sum())
    print(f"PyTorch on {os.path.basename(args.trained)}: {correct} / {total} "
          f"= {100.0 * correct / total:.2f}%; nncc: {nncc_correct} / {total} "
          f"= {100.0 * nncc_correct / total:.2f}%; predictions differ on "
          f"{differing} image{'' if differing == 1 else 's'}")
    if differing > args.max_differing:
        print(f"matches nncc: NO (at most {args.max_differing} differing "
              "predictions are allowed)")
        ok = False
    else:
        print("matches nncc: yes")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
