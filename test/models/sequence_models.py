#!/usr/bin/python3
"""Recurrent sequence classifiers, compiled by nncc, against PyTorch.

A small classifier: an LSTM or GRU (8 features -> hidden 16, batch_first,
optionally bidirectional) over a batch of 2 sequences of 5 steps, whose last
hidden state (both directions' for a bidirectional one, concatenated) feeds a
Linear layer to 4 classes. Built with a fixed seed, exported to ONNX (opset
17, as torchvision_models.py), compiled, run and compared with PyTorch like
the torchvision models (torchvision_models.check_inference states the
tolerance):

    sequence_models.py --model lstm --work /tmp/lstm

PyTorch exports nn.LSTM/nn.GRU as one ONNX LSTM/GRU node (weights reordered
to ONNX's gate order by constant folding), its batch_first input through a
Transpose, and the zero initial state through a Shape -> Gather ->
Unsqueeze -> Concat -> Expand subgraph of the input's shape.

train_models.py trains the same models (gradients, one SGD step) through
OnnxLayout, PyTorch's recurrence on the exported ONNX weights.
"""

import argparse
import os
import sys

import numpy as np

SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, SCRIPT_DIR)
import torchvision_models as tv  # noqa: E402 (check_inference, OPSET)

# name: (cell, bidirectional)
SEQUENCE_MODELS = {
    "lstm": ("LSTM", False),
    "bilstm": ("LSTM", True),
    "gru": ("GRU", False),
    "bigru": ("GRU", True),
}
BATCH, STEPS, FEATURES, HIDDEN, CLASSES = 2, 5, 8, 16, 4
SAMPLE_SHAPE = (STEPS, FEATURES)
WEIGHT_SEEDS = {"lstm": 1, "bilstm": 2, "gru": 3, "bigru": 4}
INPUT_SEED = 0


def classify(fc, h_n, bidirectional):
    """The logits from the final hidden state h_n [directions, B, H]: the
    last direction's, or both concatenated, through fc."""
    import torch
    h = torch.cat([h_n[0], h_n[1]], 1) if bidirectional else h_n[-1]
    return fc(h)


def build_sequence_model(name):
    """The classifier `name` with PyTorch's default initialization under
    WEIGHT_SEEDS[name], in eval mode (the same as train mode: no dropout)."""
    import torch
    from torch import nn

    cell, bidirectional = SEQUENCE_MODELS[name]

    class SequenceClassifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = getattr(nn, cell)(FEATURES, HIDDEN, batch_first=True,
                                         bidirectional=bidirectional)
            self.fc = nn.Linear(HIDDEN * (2 if bidirectional else 1),
                                CLASSES)

        def forward(self, x):
            _, state = self.rnn(x)
            return classify(self.fc, state[0] if cell == "LSTM" else state,
                            bidirectional)

    torch.manual_seed(WEIGHT_SEEDS[name])
    return SequenceClassifier().eval()


# The gates of ONNX's LSTM are (i, o, f, c) and of its GRU (z, r, h);
# PyTorch's are (i, f, g, o) and (r, z, n): the PyTorch gate at each
# position, as an index into the ONNX order.
TORCH_FROM_ONNX_GATES = {"LSTM": (0, 2, 3, 1), "GRU": (1, 0, 2)}


def onnx_layout(name, model, onnx_path):
    """`model` with its recurrent weights replaced by the exported ONNX
    node's W, R and B initializers, as parameters of the same names and
    layouts (W [directions, gates*H, features], R [directions, gates*H, H],
    B [directions, 2*gates*H]), so that nncc's trained parameters and their
    gradients compare by name with PyTorch's (check_training.py). The
    forward pass reorders them into PyTorch's layout and runs PyTorch's own
    recurrence (torch._VF.lstm / gru) on them; fc stays as it is."""
    import onnx
    import torch
    from onnx import numpy_helper
    from torch import nn

    cell, bidirectional = SEQUENCE_MODELS[name]
    graph = onnx.load(onnx_path).graph
    nodes = [n for n in graph.node if n.op_type == cell]
    assert len(nodes) == 1, f"expected one {cell} node"
    inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    names = list(nodes[0].input[1:4])  # W, R, B
    gates = len(TORCH_FROM_ONNX_GATES[cell])
    directions = 2 if bidirectional else 1

    def to_torch(t):
        """ONNX gate order -> PyTorch's, along the first dimension."""
        blocks = t.split(HIDDEN, 0)
        return torch.cat([blocks[g] for g in TORCH_FROM_ONNX_GATES[cell]], 0)

    class OnnxLayout(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = model.fc
            self.weight_names = names
            for n in names:  # "onnx::LSTM_114": no dots, a valid name
                self.register_parameter(n, nn.Parameter(
                    torch.from_numpy(inits[n].copy())))

        def forward(self, x):
            w, r, b = (getattr(self, n) for n in self.weight_names)
            flat = []
            for d in range(directions):
                flat += [to_torch(w[d]), to_torch(r[d]),
                         to_torch(b[d, :gates * HIDDEN]),
                         to_torch(b[d, gates * HIDDEN:])]
            h0 = torch.zeros(directions, x.shape[0], HIDDEN, dtype=x.dtype)
            if cell == "LSTM":
                _, h_n, _ = torch._VF.lstm(x, (h0, h0), flat, True, 1, 0.0,
                                           self.training, bidirectional, True)
            else:
                _, h_n = torch._VF.gru(x, h0, flat, True, 1, 0.0,
                                       self.training, bidirectional, True)
            return classify(self.fc, h_n, bidirectional)

    return OnnxLayout()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=sorted(SEQUENCE_MODELS),
                        required=True)
    parser.add_argument("--work", required=True,
                        help="directory for the model, object and binaries")
    parser.add_argument("--seed", type=int, default=INPUT_SEED,
                        help=f"input seed (default {INPUT_SEED})")
    tv.nncc_tools.add_tool_arguments(parser)
    args = parser.parse_args()

    import torch
    torch.set_num_threads(1)
    model = build_sequence_model(args.model)
    print(f"{args.model}: weights seed {WEIGHT_SEEDS[args.model]}, input "
          f"seed {args.seed}, batch {BATCH}, {STEPS} steps of {FEATURES}")
    rng = np.random.default_rng(args.seed)
    x, other = (rng.standard_normal((BATCH,) + SAMPLE_SHAPE, dtype=np.float32)
                for _ in range(2))
    return tv.check_inference(args, args.model, model, [x], ["input"],
                              [other])


if __name__ == "__main__":
    sys.exit(main())
