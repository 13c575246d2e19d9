"""Compares the loss curves of train.c and train_torch.py step by step.

    compare_losses.py NNCC_LOSS.csv TORCH_LOSS.csv [--rtol R]

Both files are examples/fashion_mnist's loss.csv (step,epoch,loss). They
must have the same steps and epochs, and losses within R (default 1e-4)
relative: the two programs start from the same weights and see the same
batches in the same order (augmented the same way), so their losses differ
only by fp32 rounding, which Adam amplifies slowly over the steps (~3e-7
after 20 steps of the MLP). One image of a batch of 64 taken from elsewhere,
or shifted otherwise, changes the loss by ~1e-3 and more. Prints the number
of steps and the largest relative difference; exits 1 on a mismatch.
"""

import argparse
import csv
import sys


def read(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    if not rows or rows[0] != ["step", "epoch", "loss"]:
        sys.exit(f"{path}: expected the header step,epoch,loss")
    return [(int(s), int(e), float(l)) for s, e, l in rows[1:]]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("nncc")
    parser.add_argument("torch")
    parser.add_argument("--rtol", type=float, default=1e-4)
    args = parser.parse_args()
    a, b = read(args.nncc), read(args.torch)
    if [r[:2] for r in a] != [r[:2] for r in b]:
        print(f"steps differ: {len(a)} in {args.nncc}, {len(b)} in "
              f"{args.torch}: FAIL")
        return 1
    worst, worst_step = 0.0, 0
    for (step, _, x), (_, _, y) in zip(a, b):
        diff = abs(x - y) / max(abs(y), 1e-12)
        if diff > worst:
            worst, worst_step = diff, step
    verdict = "PASS" if worst <= args.rtol else "FAIL"
    print(f"{len(a)} steps, largest relative loss difference {worst:.2e} "
          f"(step {worst_step}, tolerance {args.rtol:g}): {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
