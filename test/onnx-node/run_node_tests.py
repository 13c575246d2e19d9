#!/usr/bin/python3
"""Runs the ONNX backend node tests (Debian's libonnx-testdata) through nncc.

Every test in the data directory whose model uses only operators nncc
supports, with tensors of supported element types, is compiled with nncc,
linked with test/e2e/harness.c and libnnrt, run on each of its data sets and
compared with the shipped outputs.

expected-passes.txt (next to this script) lists the tests that must pass. The
run fails when a listed test fails and when an unlisted test passes (add it
to the list: a test that starts passing stays passing). --update rewrites the
list from this run's results.

Output: one line per failure with its reason, "newly passing: ..." lines,
then the summary line "N passed, M failed" (M counts listed tests that
failed), then the expected failures and the unsupported tests. Exit status 1
on any unexpected result.
"""

import argparse
import concurrent.futures
import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import onnx
from onnx import numpy_helper

SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(SCRIPT_DIR))
sys.path.insert(0, os.path.join(REPO_ROOT, "test", "lib"))
import nncc_tools  # noqa: E402 (found through the path set just above)
DEFAULT_DATA_DIR = "/usr/share/libonnx-testdata/data/node"
EXPECTED_PASSES = os.path.join(SCRIPT_DIR, "expected-passes.txt")

SUPPORTED_TYPES = frozenset([
    onnx.TensorProto.FLOAT, onnx.TensorProto.DOUBLE,
    onnx.TensorProto.INT32, onnx.TensorProto.INT64,
])

# The tolerances of ONNX's own backend test runner
# (onnx/backend/test/runner: np.testing.assert_allclose(rtol=1e-3,
# atol=1e-7)): an element passes when |actual - expected| <= atol + rtol *
# |expected|. NaNs and infinities must be at the same positions (infinities
# with the same sign). Integer outputs must match exactly.
RTOL = 1e-3
ATOL = 1e-7

TIMEOUT_S = 60


class TestFailure(Exception):
    pass


def tensor_types(model):
    """Element types of every tensor the model's interface and constants use;
    None for a value that is not a tensor (sequence, optional, ...)."""
    graph = model.graph
    for value in list(graph.input) + list(graph.output):
        if value.type.WhichOneof("value") != "tensor_type":
            yield value.name, None
        else:
            yield value.name, value.type.tensor_type.elem_type
    for init in graph.initializer:
        yield init.name, init.data_type
    for node in graph.node:
        if node.op_type == "Constant":
            for attr in node.attribute:
                if attr.type == onnx.AttributeProto.TENSOR:
                    yield node.output[0], attr.t.data_type
                elif attr.name in ("value_float", "value_floats"):
                    yield node.output[0], onnx.TensorProto.FLOAT
                elif attr.name in ("value_int", "value_ints"):
                    yield node.output[0], onnx.TensorProto.INT64
                else:  # sparse tensors, strings
                    yield node.output[0], None


def supported_ops(nncc):
    """The ONNX operators nncc imports, from its op registry (the table that
    also generates docs/supported-ops.md). A test is only attempted when
    every node of its model is one of these."""
    listing = subprocess.run([nncc, "--supported-ops=list"], check=True,
                             capture_output=True, text=True).stdout
    return frozenset(listing.split())


def unsupported_reason(model_path, ops_supported):
    """Why nncc cannot run this test, or None when it is attempted."""
    try:
        model = onnx.load(model_path)
    except Exception as error:  # a data set newer than this onnx
        return f"cannot load model: {error}"
    ops = sorted({node.op_type for node in model.graph.node} - ops_supported)
    if ops:
        return "operators " + ", ".join(ops)
    for name, elem_type in tensor_types(model):
        if elem_type not in SUPPORTED_TYPES:
            type_name = (onnx.TensorProto.DataType.Name(elem_type)
                         if elem_type else "non-tensor")
            return f"'{name}' has element type {type_name}"
    return None


def load_tensor(path):
    tensor = onnx.TensorProto()
    with open(path, "rb") as file:
        tensor.ParseFromString(file.read())
    return numpy_helper.to_array(tensor)


def data_files(data_set, kind):
    """input_<i>.pb or output_<i>.pb files of a data set, in index order."""
    files = glob.glob(os.path.join(data_set, f"{kind}_*.pb"))
    return sorted(files, key=lambda f: int(re.findall(r"\d+", f)[-1]))


def compare(actual, expected):
    """None when `actual` matches `expected`, else a description."""
    if np.issubdtype(expected.dtype, np.integer):
        bad = actual != expected
        if not bad.any():
            return None
        index = np.unravel_index(np.argmax(bad), bad.shape)
        return (f"{int(bad.sum())} of {bad.size} elements differ, e.g. at "
                f"{list(map(int, index))}: {actual[index]} instead of "
                f"{expected[index]}")
    a = actual.astype(np.float64)
    e = expected.astype(np.float64)
    nan_a, nan_e = np.isnan(a), np.isnan(e)
    if (nan_a != nan_e).any():
        return (f"NaN at {int((nan_a & ~nan_e).sum())} positions where none "
                f"is expected, missing at {int((nan_e & ~nan_a).sum())}")
    # Infinities must match exactly (inf - inf is NaN; the tolerance of an
    # infinite expected value would be infinite).
    inf = np.isinf(a) | np.isinf(e)
    with np.errstate(invalid="ignore"):
        diff = np.where(a == e, 0.0, np.abs(a - e))
    diff[nan_e] = 0.0
    bad = (diff > ATOL + RTOL * np.abs(e)) | (inf & (a != e))
    if not bad.any():
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(np.isfinite(e) & (e != 0), diff / np.abs(e), np.inf)
    index = np.unravel_index(np.argmax(np.where(bad, diff, -1)), bad.shape)
    return (f"{int(bad.sum())} of {bad.size} elements differ, max abs error "
            f"{np.max(diff):.3g}, max rel error {np.max(rel[bad]):.3g} "
            f"(at {list(map(int, index))}: {actual[index]!r} instead of "
            f"{expected[index]!r})")


def first_error_line(stderr):
    lines = [line for line in stderr.splitlines() if line.strip()]
    for line in lines:
        if "error" in line.lower():
            return line.strip()
    return lines[0].strip() if lines else "(no message)"


def describe_exit(returncode):
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"crashed ({name})"
    return f"exited with status {returncode}"


class Runner:
    def __init__(self, args):
        self.args = args

    def call(self, command, deadline, what):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TestFailure(f"timeout: over {TIMEOUT_S} s before {what}")
        try:
            return subprocess.run(command, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True,
                                  errors="replace", timeout=remaining)
        except subprocess.TimeoutExpired:
            raise TestFailure(f"timeout: {what} still running after "
                              f"{TIMEOUT_S} s in all")
        except OSError as error:
            raise TestFailure(f"{what}: cannot run {command[0]}: {error}")

    def run_test(self, name):
        """Runs one test; returns None when it passes, else the reason."""
        deadline = time.monotonic() + TIMEOUT_S
        test_dir = os.path.join(self.args.data_dir, name)
        work = os.path.join(self.args.work, name)
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
        try:
            obj = os.path.join(work, "model.o")
            result = self.call([self.args.nncc,
                                os.path.join(test_dir, "model.onnx"),
                                "-o", obj, "--name", "model"],
                               deadline, "compiling")
            if result.returncode != 0:
                prefix = ("compile error" if result.returncode == 1
                          else f"nncc {describe_exit(result.returncode)}")
                # The test's name is already on the line: drop the path.
                message = first_error_line(result.stderr).replace(
                    test_dir + os.sep, "")
                raise TestFailure(f"{prefix}: {message}")
            harness = os.path.join(work, "harness")
            result = self.call([self.args.cc, self.args.harness_obj, obj,
                                "-L", self.args.nnrt_lib, "-lnnrt", "-lm",
                                "-lpthread", "-o", harness],
                               deadline, "linking")
            if result.returncode != 0:
                raise TestFailure(
                    f"link error: {first_error_line(result.stderr)}")
            data_sets = sorted(glob.glob(os.path.join(test_dir,
                                                      "test_data_set_*")))
            if not data_sets:
                raise TestFailure("no test_data_set_* directory")
            for data_set in data_sets:
                self.run_data_set(harness, data_set, work, deadline)
        except TestFailure as failure:
            return str(failure)
        return None

    def run_data_set(self, harness, data_set, work, deadline):
        set_name = os.path.basename(data_set)
        inputs, outputs, expected = [], [], []
        for i, path in enumerate(data_files(data_set, "input")):
            array = load_tensor(path)
            inputs.append(os.path.join(work, f"{set_name}.input_{i}.bin"))
            np.ascontiguousarray(array).tofile(inputs[-1])
        for i, path in enumerate(data_files(data_set, "output")):
            expected.append(load_tensor(path))
            outputs.append(os.path.join(work, f"{set_name}.output_{i}.bin"))
        result = self.call([harness] + inputs + ["--"] + outputs, deadline,
                           f"running {set_name}")
        if result.returncode != 0:
            raise TestFailure(
                f"{set_name}: harness {describe_exit(result.returncode)}: "
                f"{first_error_line(result.stderr)}")
        for i, (path, want) in enumerate(zip(outputs, expected)):
            got = np.fromfile(path, dtype=want.dtype)
            if got.size != want.size:
                raise TestFailure(
                    f"{set_name}: output {i} has {got.size} elements of "
                    f"{want.dtype}, expected {want.size} {list(want.shape)}")
            problem = compare(got.reshape(want.shape), want)
            if problem:
                raise TestFailure(
                    f"{set_name}: mismatch in output {i}: {problem}")


def read_expected(path):
    if not os.path.exists(path):
        return set()
    with open(path) as file:
        return {line.strip() for line in file
                if line.strip() and not line.startswith("#")}


def write_expected(path, names):
    with open(path, "w") as file:
        file.write("# ONNX node tests that nncc must pass (test/onnx-node/"
                   "run_node_tests.py).\n"
                   "# Regenerate with run_node_tests.py --update; see "
                   "docs/testing.md.\n")
        for name in sorted(names):
            file.write(name + "\n")


def build_harness(args):
    """Compiles harness.c once, without a model header (HARNESS_GENERIC)."""
    args.harness_obj = os.path.join(args.work, "harness.o")
    command = [args.cc, "-std=c11", "-O1", "-DHARNESS_GENERIC",
               "-I", args.nnrt_include, "-c", args.harness_src,
               "-o", args.harness_obj]
    result = subprocess.run(command, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    if result.returncode != 0:
        sys.exit(f"error: building the harness failed: {' '.join(command)}\n"
                 f"{result.stderr}")



def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="Exit status 1 when a listed test fails or an unlisted one "
               "passes.")
    parser.add_argument("--work", required=True,
                        help="directory for objects, binaries and data")
    parser.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    parser.add_argument("--expected", default=EXPECTED_PASSES,
                        help="the list of tests that must pass")
    parser.add_argument("--filter", metavar="REGEX",
                        help="only tests whose name matches (re.search)")
    parser.add_argument("--update", action="store_true",
                        help="rewrite the expected list from this run")
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="also print every passing and unsupported test")
    nncc_tools.add_tool_arguments(parser)
    return parser.parse_args()


def main():
    args = parse_args()
    args.work = os.path.abspath(args.work)
    os.makedirs(args.work, exist_ok=True)
    if not os.path.isdir(args.data_dir):
        sys.exit(f"error: no ONNX node tests in {args.data_dir} "
                 "(Debian package libonnx-testdata)")

    for tool in (args.nncc, args.cc):
        if not shutil.which(tool):
            sys.exit(f"error: cannot find '{tool}' (see --help for the tool "
                     "options)")

    pattern = re.compile(args.filter) if args.filter else None
    names = sorted(
        name for name in os.listdir(args.data_dir)
        if os.path.isfile(os.path.join(args.data_dir, name, "model.onnx"))
        and (not pattern or pattern.search(name)))
    expected = read_expected(args.expected)
    considered_expected = {name for name in expected
                           if not pattern or pattern.search(name)}

    unsupported = {}
    selected = []
    ops_supported = supported_ops(args.nncc)
    for name in names:
        reason = unsupported_reason(
            os.path.join(args.data_dir, name, "model.onnx"), ops_supported)
        if reason:
            unsupported[name] = reason
        else:
            selected.append(name)

    build_harness(args)
    runner = Runner(args)
    results = {}
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = {pool.submit(runner.run_test, name): name
                   for name in selected}
        for future in concurrent.futures.as_completed(futures):
            results[futures[future]] = future.result()

    passed = sorted(name for name, reason in results.items()
                    if reason is None)
    failed_listed, failed_unlisted, newly_passing = [], [], []
    for name in sorted(considered_expected):
        if name in results:
            if results[name] is not None:
                failed_listed.append((name, results[name]))
        else:
            reason = (f"not supported: {unsupported[name]}"
                      if name in unsupported else "no such test")
            failed_listed.append((name, reason))
    for name in sorted(results):
        if results[name] is not None and name not in considered_expected:
            failed_unlisted.append((name, results[name]))
        if results[name] is None and name not in considered_expected:
            newly_passing.append(name)

    if args.verbose:
        for name in passed:
            print(f"PASS: {name}")
        for name, reason in sorted(unsupported.items()):
            print(f"UNSUPPORTED: {name}: {reason}")
    for name, reason in failed_unlisted:
        print(f"XFAIL: {name}: {reason}")
    for name, reason in failed_listed:
        print(f"FAIL: {name}: {reason}")
    if not args.update:
        for name in newly_passing:
            print(f"newly passing: {name} - add it to expected-passes.txt")

    print(f"{len(passed)} passed, {len(failed_listed)} failed")
    print(f"{len(failed_unlisted)} expected failures (not in "
          f"{os.path.basename(args.expected)}), {len(unsupported)} not "
          f"supported (operators or element types)")

    if args.update:
        # Tests outside --filter keep their entries.
        kept = expected - considered_expected
        write_expected(args.expected, kept | set(passed))
        print(f"updated {args.expected}: {len(kept | set(passed))} tests")
        return 0
    return 1 if failed_listed or newly_passing else 0


if __name__ == "__main__":
    sys.exit(main())
