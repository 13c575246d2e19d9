#!/usr/bin/python3
"""Train a Fashion-MNIST model in PyTorch exactly as train.c does with nncc.

The reference for train.c: the same model and initial weights (read from the
ONNX file that nncc compiles, --model, into fashion_mnist.py's module by
initializer name), the same data in the same order, the same optimizer and
hyper-parameters, the same flags, outputs and messages. What "the same"
means, as train.c's file comment describes it:

  - data: the decompressed idx files in --data-dir (the .gz files are read
    when the plain ones are missing); pixels p become float32 p / 255;
  - validation: the last --val (5000) training images; training: the first
    --limit of the others (default all), in batches of the model's fixed
    batch size B, the last partial batch dropped;
  - order: each epoch the identity permutation shuffled by Fisher-Yates
    (for i = n-1 down to 1: swap i with j = r % (i + 1)), r drawn from
    splitmix64 seeded with --seed, one stream over the run (SplitMix64);
  - --augment: one draw r per training image in batch order from a second
    splitmix64 seeded with ~seed: ox = r % 5, oy = r // 5 % 5,
    flip = r // 25 % 2; zero-pad by 2, crop 28x28 at (oy, ox), mirror when
    flip is 1;
  - Adam (betas 0.9, 0.999, eps 1e-8, no weight decay: nncc's defaults),
    --lr (1e-3), mean cross-entropy;
  - after each epoch: validation and test loss and accuracy; the epoch with
    the best validation accuracy is kept, --patience P stops after P epochs
    without improvement; the best weights are the final model.

Writes to --out-dir: loss.csv (step,epoch,loss), metrics.csv (one line per
epoch), test-predictions.txt (the final model's class for each test image).
One CPU thread unless --threads says otherwise.

Usage: /usr/bin/python3 train_torch.py --model mlp.onnx --data-dir DIR
           --out-dir DIR [--epochs N] [--lr F] [--seed S] [--val N]
           [--limit N] [--augment] [--patience P] [--log-every K]
"""

import argparse
import copy
import os
import sys
import time

import numpy as np

SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, SCRIPT_DIR)
import fashion_mnist  # noqa: E402

MASK64 = (1 << 64) - 1
PAD = 2  # --augment: zero padding of the random crop


class SplitMix64:
    """Vigna's splitmix64, as train.c's splitmix64_next."""

    def __init__(self, seed):
        self.state = seed & MASK64

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)


def shuffled(n, rng):
    """The identity permutation of n shuffled by Fisher-Yates (train.c's
    shuffle)."""
    perm = list(range(n))
    for i in range(n, 1, -1):
        j = rng.next() % i
        perm[i - 1], perm[j] = perm[j], perm[i - 1]
    return perm


def augment(images, rng):
    """Shifts and flips a batch of normalized images [B, 1, 28, 28] (numpy
    float32), one draw of rng per image (train.c's augment)."""
    count = images.shape[0]
    padded = np.zeros((count, 28 + 2 * PAD, 28 + 2 * PAD), dtype=np.float32)
    padded[:, PAD:PAD + 28, PAD:PAD + 28] = images[:, 0]
    out = np.empty_like(images)
    for i in range(count):
        r = rng.next()
        ox, oy, flip = r % 5, r // 5 % 5, r // 25 % 2
        crop = padded[i, oy:oy + 28, ox:ox + 28]
        out[i, 0] = crop[:, ::-1] if flip else crop
    return out


def add_training_arguments(parser):
    """The flags train.c takes too, with its defaults."""
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--out-dir", required=True)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--val", type=int, default=5000)
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--augment", action="store_true")
    parser.add_argument("--patience", type=int, default=0)
    parser.add_argument("--log-every", type=int, default=100)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True,
                        help="the ONNX model nncc compiles (initial weights)")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch.set_num_threads (default 1)")
    add_training_arguments(parser)
    args = parser.parse_args()
    for name in ("epochs", "val", "log_every", "threads"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be positive")
    if args.limit < 0 or args.patience < 0 or args.seed < 0 or args.lr <= 0:
        parser.error("--limit, --patience and --seed must not be negative, "
                     "--lr must be positive")

    import onnx
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(args.threads)
    onnx_model = onnx.load(args.model)
    kind = fashion_mnist.model_kind(onnx_model)
    batch = fashion_mnist.onnx_batch_size(onnx_model)
    model = fashion_mnist.make_model(kind)
    fashion_mnist.load_onnx_weights(model, onnx_model)
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)

    x_all, y_all = fashion_mnist.load_split(args.data_dir, "train")
    x_test, y_test = fashion_mnist.load_split(args.data_dir, "t10k")
    if args.val >= x_all.shape[0]:
        sys.exit(f"--val {args.val} leaves no training images of "
                 f"{x_all.shape[0]}")
    val_begin = x_all.shape[0] - args.val
    x_val, y_val = x_all[val_begin:], y_all[val_begin:]
    num_train = val_begin
    if 0 < args.limit < num_train:
        num_train = args.limit
    x_train = torch.from_numpy(x_all[:num_train])
    y_train = torch.from_numpy(y_all[:num_train])
    steps_per_epoch = num_train // batch
    if steps_per_epoch == 0:
        sys.exit(f"{num_train} training images make no batch of {batch}")
    print(f"{kind} (PyTorch {torch.__version__}, {args.threads} thread"
          f"{'s' if args.threads > 1 else ''}): {num_train} training images "
          f"({steps_per_epoch} steps of {batch} per epoch, "
          f"{num_train - steps_per_epoch * batch} dropped), {args.val} "
          f"validation, {x_test.shape[0]} test", flush=True)

    os.makedirs(args.out_dir, exist_ok=True)
    loss_csv = open(os.path.join(args.out_dir, "loss.csv"), "w")
    metrics_csv = open(os.path.join(args.out_dir, "metrics.csv"), "w")
    loss_csv.write("step,epoch,loss\n")
    metrics_csv.write("epoch,train_loss,val_loss,val_accuracy,test_accuracy,"
                      "train_seconds,samples_per_second\n")

    order_rng = SplitMix64(args.seed)
    augment_rng = SplitMix64(~args.seed)
    best_epoch, best_val_correct, best_test_correct = 0, 0, 0
    best_state, since_best = None, 0
    step, train_seconds, total = 0, 0.0, x_test.shape[0]
    for epoch in range(1, args.epochs + 1):
        perm = torch.tensor(shuffled(num_train, order_rng), dtype=torch.int64)
        epoch_loss = window_loss = 0.0
        window_steps = 0
        epoch_start = window_start = time.perf_counter()
        for s in range(steps_per_epoch):
            idx = perm[s * batch:(s + 1) * batch]
            images = x_train[idx]
            if args.augment:
                images = torch.from_numpy(augment(images.numpy(),
                                                  augment_rng))
            optimizer.zero_grad()
            loss = F.cross_entropy(model(images), y_train[idx])
            loss.backward()
            optimizer.step()
            value = loss.item()
            if not np.isfinite(value):
                sys.exit(f"step {step + 1}: the loss is {value} "
                         "(training diverged)")
            step += 1
            loss_csv.write(f"{step},{epoch},{value:.9g}\n")
            epoch_loss += value
            window_loss += value
            window_steps += 1
            if (s + 1) % args.log_every == 0 or s + 1 == steps_per_epoch:
                now = time.perf_counter()
                print(f"epoch {epoch}/{args.epochs} step {s + 1}/"
                      f"{steps_per_epoch}: "
                      f"{window_steps * batch / (now - window_start):.0f} "
                      f"samples/s, loss {window_loss / window_steps:.4f}",
                      flush=True)
                window_loss, window_steps, window_start = 0.0, 0, now
        epoch_seconds = time.perf_counter() - epoch_start
        train_seconds += epoch_seconds

        val_loss, val_correct, _ = fashion_mnist.evaluate(model, x_val, y_val)
        _, test_correct, _ = fashion_mnist.evaluate(model, x_test, y_test)
        improved = best_epoch == 0 or val_correct > best_val_correct
        val_acc = 100.0 * val_correct / args.val
        test_acc = 100.0 * test_correct / x_test.shape[0]
        rate = steps_per_epoch * batch / epoch_seconds
        print(f"epoch {epoch}/{args.epochs}: train loss "
              f"{epoch_loss / steps_per_epoch:.4f}, val loss {val_loss:.4f}, "
              f"val accuracy {val_acc:.2f}%, test accuracy {test_acc:.2f}%, "
              f"{epoch_seconds:.1f} s ({rate:.0f} samples/s)"
              f"{', best so far' if improved else ''}", flush=True)
        metrics_csv.write(f"{epoch},{epoch_loss / steps_per_epoch:.6f},"
                          f"{val_loss:.6f},{val_acc:.4f},{test_acc:.4f},"
                          f"{epoch_seconds:.3f},{rate:.1f}\n")
        if improved:
            best_epoch, best_val_correct, since_best = epoch, val_correct, 0
            best_test_correct = test_correct
            best_state = copy.deepcopy(model.state_dict())
        else:
            since_best += 1
            if args.patience > 0 and since_best >= args.patience:
                print(f"early stop: no better validation accuracy in "
                      f"{since_best} epoch{'' if since_best == 1 else 's'}")
                break
    loss_csv.close()
    metrics_csv.close()

    model.load_state_dict(best_state)
    test_loss, test_correct, preds = fashion_mnist.evaluate(model, x_test,
                                                            y_test)
    with open(os.path.join(args.out_dir, "test-predictions.txt"), "w") as f:
        f.write("".join(f"{p}\n" for p in preds))
    print(f"best epoch {best_epoch}: validation accuracy "
          f"{100.0 * best_val_correct / args.val:.2f}%, test accuracy "
          f"{100.0 * best_test_correct / total:.2f}%")
    print(f"final test accuracy: {test_correct} / {total} = "
          f"{100.0 * test_correct / total:.2f}% (test loss {test_loss:.4f})")
    print(f"training time: {train_seconds:.1f} s, "
          f"{step * batch / train_seconds:.0f} samples/s")


if __name__ == "__main__":
    main()
