"""Checks the ONNX file that m_save wrote in save-load.test.

    check_saved_model.py ORIGINAL SAVED STATES

ORIGINAL is the model compiled, SAVED the file m_save wrote from a trained
context, STATES the directory where save_load.c dumped that context's states
(<name>.bin, raw f32). The saved file must pass the full ONNX checker, hold
in each initializer exactly the state of its name (bit for bit), and be the
compiled model in everything else (no value_info from shape inference, no
other change). Prints one line per check.
"""

import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def main():
    original = onnx.load(sys.argv[1])
    saved = onnx.load(sys.argv[2])
    onnx.checker.check_model(saved, full_check=True)
    print("checker: ok")
    initial = {t.name: numpy_helper.to_array(t) for t in original.graph.initializer}
    for tensor in saved.graph.initializer:
        value = numpy_helper.to_array(tensor)
        state = np.fromfile(os.path.join(sys.argv[3], tensor.name + ".bin"),
                            dtype=np.float32).reshape(value.shape)
        same = value.dtype == state.dtype and value.tobytes() == state.tobytes()
        trained = value.tobytes() != initial[tensor.name].tobytes()
        print(f"{tensor.name}: {'the state' if same else 'NOT THE STATE'}, "
              f"{'trained' if trained else 'UNTRAINED'}")
    # With the initial values back, the saved model is the original.
    restored = onnx.ModelProto()
    restored.CopyFrom(saved)
    for tensor in restored.graph.initializer:
        tensor.CopyFrom(next(t for t in original.graph.initializer
                             if t.name == tensor.name))
    print("the rest:", "as compiled" if restored == original else "CHANGED")


if __name__ == "__main__":
    main()
