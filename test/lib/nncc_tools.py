"""Command-line options shared by the test scripts that compile and link
models (test/e2e/run_model.py, test/onnx-node/run_node_tests.py).

Each tool defaults to an environment variable (NNCC, CC, NNRT_INCLUDE,
NNRT_LIB), else to the repository layout (build/bin/nncc, runtime/include,
build/runtime); the lit tests pass them explicitly.
"""

import os
import shutil

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def _default(env, fallback):
    return os.environ.get(env) or fallback


def add_tool_arguments(parser):
    """Adds --nncc, --cc, --nnrt-include, --nnrt-lib and --harness-src."""
    parser.add_argument("--nncc", default=_default(
        "NNCC", shutil.which("nncc") or
        os.path.join(REPO_ROOT, "build", "bin", "nncc")))
    parser.add_argument("--cc", default=_default("CC", "cc"))
    parser.add_argument("--nnrt-include", default=_default(
        "NNRT_INCLUDE", os.path.join(REPO_ROOT, "runtime", "include")))
    parser.add_argument("--nnrt-lib", default=_default(
        "NNRT_LIB", os.path.join(REPO_ROOT, "build", "runtime")))
    parser.add_argument("--harness-src", default=os.path.join(
        REPO_ROOT, "test", "e2e", "harness.c"))
