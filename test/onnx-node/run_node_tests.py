#!/usr/bin/python3
"""Runs the ONNX backend tests of Debian's libonnx-testdata through nncc.

Three suites, each a folder of /usr/share/libonnx-testdata/data: node (mostly
one operator per model), pytorch-operator and pytorch-converted (small models
exported from PyTorch, opset 6 to 12, some listing their initializers as
graph inputs as IR version 3 required). A test is named "<suite>/<test>".

Every test whose model uses only operators nncc supports, with tensors of
supported element types, is attempted: compiled with nncc, linked with
test/e2e/harness.c and libnnrt, run on each of its data sets and compared with
the shipped outputs. Graph inputs that determine shapes (CONSTANT_OPERANDS)
are first bound to the data set's values as initializers.

Two checked-in lists next to this script account for every test:
expected-passes.txt holds the tests that must pass, expected-failures.txt
every other test with the reason it fails or is not attempted. The run fails
when a listed pass fails and when an unlisted test passes; a failure whose
reason changed does not fail it (-v prints the change). --update rewrites
both lists from this run's results.

Output: "XFAIL: <test>: <reason>" for each expected failure, "FAIL: ..." for
each regression, "newly passing: ..." lines, then per suite the lines
"<suite>: N passed, M failed" (M counts listed passes that failed) and
"<suite>: X expected failures, Y not supported (...)". Exit status 1 on any
unexpected result.
"""

import argparse
import collections
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

DEFAULT_DATA_ROOT = "/usr/share/libonnx-testdata/data"
SUITES = ("node", "pytorch-operator", "pytorch-converted")
EXPECTED_PASSES = os.path.join(SCRIPT_DIR, "expected-passes.txt")
EXPECTED_FAILURES = os.path.join(SCRIPT_DIR, "expected-failures.txt")



def read_supported_types():
    """The ONNX data types of runtime/include/nnrt/dtypes.def's rows (the
    last field of each NNRT_DTYPE), nncc's one table of element types."""
    path = os.path.join(REPO_ROOT, "runtime", "include", "nnrt", "dtypes.def")
    with open(path) as f:
        rows = re.findall(r"^NNRT_DTYPE\((.*)\)\s*$", f.read(), re.M)
    return frozenset(int(row.split(",")[-1]) for row in rows)


SUPPORTED_TYPES = read_supported_types()

# Operand positions whose values determine a result's shape (or, for
# Dropout, the computation itself). nncc compiles static shapes and requires
# these operands to be constants, but the node tests often pass them as graph
# inputs with the values in input_<i>.pb. So a graph input feeding one of
# these positions is bound to the data set's value as an initializer before
# compiling, as onnx-mlir's backend runner does in its constant-input mode
# (CONSTANT_INPUT in test/backend/inference_backend.py). Positions an
# operator's opset lacks (Slice before opset 10, Pad before 11, ...) never
# occur. Gather's indices are not listed: nncc gathers at run-time indices.
CONSTANT_OPERANDS = {
    "Reshape": [1],            # shape
    "Expand": [1],             # shape
    "Tile": [1],               # repeats
    "ConstantOfShape": [0],    # input (the shape)
    "Slice": [1, 2, 3, 4],     # starts, ends, axes, steps
    "Pad": [1, 2],             # pads, constant_value
    "Squeeze": [1],            # axes (opset 13)
    "Unsqueeze": [1],          # axes (opset 13)
    "Split": [1],              # split (opset 13)
    "ReduceSum": [1],          # axes (opset 13)
    "Resize": [1, 2, 3],       # roi, scales, sizes
    "Upsample": [1],           # scales (opset 9)
    "TopK": [1],               # K (opset 10)
    "OneHot": [1],             # depth
    "Range": [0, 1, 2],        # start, limit, delta
    "Dropout": [1, 2],         # ratio, training_mode (opset 12)
    "CumSum": [1],             # axis
}

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


class Test:
    """One test folder: model.onnx and test_data_set_*/."""

    def __init__(self, data_root, suite, name):
        self.suite = suite
        self.name = name
        self.key = f"{suite}/{name}"
        self.dir = os.path.join(data_root, suite, name)
        self.model_path = os.path.join(self.dir, "model.onnx")
        self.ops = frozenset()     # op types of the model's graph
        self.unsupported = None    # why it is not attempted, if it is not


class Result:
    """The outcome of one test: `reason` is None when it passed; `bound`
    names the graph inputs bound as constants (CONSTANT_OPERANDS)."""

    def __init__(self, reason=None, bound=(), attempted=True):
        self.reason = reason
        self.bound = tuple(bound)
        self.attempted = attempted

    @property
    def passed(self):
        return self.reason is None

    def describe(self):
        """The list entry after "<test>": the reason (failures) and the
        bound inputs, as written to the expected lists."""
        text = f": {self.reason}" if self.reason else ""
        if self.bound:
            text += f" [bound: {', '.join(self.bound)}]"
        return text


# --- Which tests are attempted ---------------------------------------------

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


def classify(test, ops_supported):
    """Sets test.ops and test.unsupported (None when it is attempted). Only
    the top-level graph counts: the operators with subgraphs (If, Loop,
    Scan) are not supported, so their bodies never matter."""
    try:
        model = onnx.load(test.model_path)
    except Exception as error:  # a data set newer than this onnx
        test.unsupported = f"cannot load model: {error}"
        return
    test.ops = frozenset(node.op_type for node in model.graph.node)
    missing = sorted(test.ops - ops_supported)
    if missing:
        test.unsupported = "operators " + ", ".join(missing)
        return
    for name, elem_type in tensor_types(model):
        if elem_type not in SUPPORTED_TYPES:
            type_name = (onnx.TensorProto.DataType.Name(elem_type)
                         if elem_type else "non-tensor")
            test.unsupported = f"'{name}' has element type {type_name}"
            return


def discover(data_root, suites, pattern):
    """The tests of `suites` whose "<suite>/<test>" name matches."""
    tests = []
    for suite in suites:
        suite_dir = os.path.join(data_root, suite)
        for name in sorted(os.listdir(suite_dir)):
            test = Test(data_root, suite, name)
            if (os.path.isfile(test.model_path)
                    and (not pattern or pattern.search(test.key))):
                tests.append(test)
    return tests


# --- Binding shape-determining inputs --------------------------------------

def runtime_inputs(model):
    """The graph inputs that data sets feed, in order: those without an
    initializer (IR version 3 lists every initializer as an input too)."""
    initialized = {init.name for init in model.graph.initializer}
    return [value.name for value in model.graph.input
            if value.name not in initialized]


def constant_operand_inputs(model):
    """The runtime inputs that feed a CONSTANT_OPERANDS position, in graph
    input order."""
    feeding = set()
    for node in model.graph.node:
        for position in CONSTANT_OPERANDS.get(node.op_type, ()):
            if position < len(node.input) and node.input[position]:
                feeding.add(node.input[position])
    return [name for name in runtime_inputs(model) if name in feeding]


def bind_inputs(model, values):
    """A copy of `model` in which the inputs named in `values` are
    initializers holding those arrays."""
    bound = onnx.ModelProto()
    bound.CopyFrom(model)
    # IR version 3 requires every initializer to be listed as an input too
    # (nncc reads such an input as a constant); later versions need not.
    if model.ir_version >= 4:
        kept = [value for value in bound.graph.input
                if value.name not in values]
        del bound.graph.input[:]
        bound.graph.input.extend(kept)
    bound.graph.initializer.extend(
        numpy_helper.from_array(array, name) for name, array in values.items())
    return bound


def array_key(array):
    return (array.dtype.str, array.shape, array.tobytes())


# --- Running a test --------------------------------------------------------

def load_tensor(path):
    tensor = onnx.TensorProto()
    with open(path, "rb") as file:
        tensor.ParseFromString(file.read())
    return numpy_helper.to_array(tensor)


def data_files(data_set, kind):
    """input_<i>.pb or output_<i>.pb files of a data set, in index order."""
    files = glob.glob(os.path.join(data_set, f"{kind}_*.pb"))
    return sorted(files, key=lambda f: int(re.findall(r"\d+", f)[-1]))


class DataSet:
    """A data set's inputs by graph input name, and its expected outputs."""

    def __init__(self, path, input_names):
        self.name = os.path.basename(path)
        arrays = [load_tensor(f) for f in data_files(path, "input")]
        if len(arrays) != len(input_names):
            raise TestFailure(f"{self.name}: {len(arrays)} inputs for the "
                              f"model's {len(input_names)}")
        self.inputs = dict(zip(input_names, arrays))
        self.outputs = [load_tensor(f) for f in data_files(path, "output")]


def group_by_bound_values(data_sets, bound):
    """Data sets grouped by the values of the bound inputs: each group
    needs its own compiled model."""
    groups = collections.OrderedDict()
    for data_set in data_sets:
        key = tuple(array_key(data_set.inputs[name]) for name in bound)
        groups.setdefault(key, []).append(data_set)
    return list(groups.values())


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


def strip_paths(message, directories):
    """The message without the test's and the work folder's paths, so that
    reasons read the same on every machine."""
    for directory in directories:
        message = message.replace(directory + os.sep, "")
    return message


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

    def run_test(self, test):
        """Runs one test on all of its data sets."""
        deadline = time.monotonic() + TIMEOUT_S
        work = os.path.join(self.args.work, test.suite, test.name)
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
        model = onnx.load(test.model_path)
        bound = constant_operand_inputs(model)
        try:
            paths = sorted(glob.glob(os.path.join(test.dir,
                                                  "test_data_set_*")))
            if not paths:
                raise TestFailure("no test_data_set_* directory")
            inputs = runtime_inputs(model)
            data_sets = [DataSet(path, inputs) for path in paths]
            groups = group_by_bound_values(data_sets, bound)
            for index, group in enumerate(groups):
                # One group (the usual case) works in the test's folder.
                variant = (work if len(groups) == 1
                           else os.path.join(work, f"variant_{index}"))
                self.run_group(test, model, bound, group, variant, deadline)
        except TestFailure as failure:
            reason = strip_paths(str(failure), [test.dir, work])
            return Result(reason, bound)
        return Result(None, bound)

    def run_group(self, test, model, bound, group, work, deadline):
        """Compiles the model with the group's values of the bound inputs
        (the original model when there are none) and runs the group."""
        os.makedirs(work, exist_ok=True)
        model_path = test.model_path
        if bound:
            values = {name: group[0].inputs[name] for name in bound}
            model_path = os.path.join(work, "model.onnx")
            onnx.save(bind_inputs(model, values), model_path)
        harness = self.build(model_path, work, deadline)
        for data_set in group:
            self.run_data_set(harness, data_set, bound, work, deadline)

    def build(self, model_path, work, deadline):
        """Compiles the model and links it with the harness; returns the
        harness's path."""
        obj = os.path.join(work, "model.o")
        result = self.call([self.args.nncc, model_path, "-o", obj,
                            "--name", "model"], deadline, "compiling")
        if result.returncode != 0:
            prefix = ("compile error" if result.returncode == 1
                      else f"nncc {describe_exit(result.returncode)}")
            # nncc starts its messages with the model's path; the test's
            # name already says which model.
            message = first_error_line(result.stderr).replace(
                model_path + ": ", "")
            raise TestFailure(f"{prefix}: {message}")
        harness = os.path.join(work, "harness")
        result = self.call([self.args.cc, self.args.harness_obj, obj,
                            "-L", self.args.nnrt_lib, "-lnnrt", "-lm",
                            "-lpthread", "-o", harness],
                           deadline, "linking")
        if result.returncode != 0:
            raise TestFailure(
                f"link error: {first_error_line(result.stderr)}")
        return harness

    def run_data_set(self, harness, data_set, bound, work, deadline):
        """Feeds the data set's runtime inputs (the bound ones are in the
        model) and compares the outputs."""
        inputs, outputs = [], []
        runtime = [name for name in data_set.inputs if name not in bound]
        for i, name in enumerate(runtime):
            inputs.append(os.path.join(work, f"{data_set.name}.input_{i}.bin"))
            np.ascontiguousarray(data_set.inputs[name]).tofile(inputs[-1])
        for i in range(len(data_set.outputs)):
            outputs.append(
                os.path.join(work, f"{data_set.name}.output_{i}.bin"))
        result = self.call([harness] + inputs + ["--"] + outputs, deadline,
                           f"running {data_set.name}")
        if result.returncode != 0:
            raise TestFailure(
                f"{data_set.name}: harness "
                f"{describe_exit(result.returncode)}: "
                f"{first_error_line(result.stderr)}")
        for i, (path, want) in enumerate(zip(outputs, data_set.outputs)):
            got = np.fromfile(path, dtype=want.dtype)
            if got.size != want.size:
                raise TestFailure(
                    f"{data_set.name}: output {i} has {got.size} elements of "
                    f"{want.dtype}, expected {want.size} {list(want.shape)}")
            problem = compare(got.reshape(want.shape), want)
            if problem:
                raise TestFailure(
                    f"{data_set.name}: mismatch in output {i}: {problem}")


# --- The expected lists ----------------------------------------------------

# The comment at the top of each list, by whether it lists passes.
LIST_HEADERS = {
    True:
        "# Tests of libonnx-testdata that nncc must pass, as <suite>/<test>;\n"
        "# \"[bound: x, y]\": graph inputs x and y were bound to the data\n"
        "# set's values as constants first (CONSTANT_OPERANDS).\n",
    False:
        "# Every other test of libonnx-testdata, as <suite>/<test>: <reason>.\n"
        "# \"not supported: ...\": not attempted (operators or element\n"
        "# types nncc lacks); any other reason: attempted and failed.\n"
        "# A changed reason does not fail the run.\n",
}
LIST_FOOTER = ("# Generated by test/onnx-node/run_node_tests.py --update; "
               "see docs/testing.md.\n")


def read_list(path):
    """{"<suite>/<test>": the rest of its line} of an expected list."""
    entries = {}
    if os.path.exists(path):
        with open(path) as file:
            for line in file:
                line = line.rstrip("\n")
                if line.strip() and not line.startswith("#"):
                    key = re.match(r"[^\s:]+", line).group(0)
                    entries[key] = line[len(key):]
    return entries


def write_list(path, header, entries):
    with open(path, "w") as file:
        file.write(header + LIST_FOOTER)
        for key in sorted(entries):
            file.write(key + entries[key] + "\n")


def update_lists(args, results):
    """Rewrites both lists: this run's results replace the entries of its
    suites and --filter; the entries of other suites are kept, those of no
    suite (the old format) dropped."""
    for path, want_pass in ((args.expected, True),
                            (args.expected_failures, False)):
        entries = {key: text for key, text in read_list(path).items()
                   if key.split("/", 1)[0] in SUITES
                   and not in_scope(args, key)}
        entries.update((key, result.describe())
                       for key, result in results.items()
                       if result.passed == want_pass)
        write_list(path, LIST_HEADERS[want_pass], entries)
        print(f"updated {path}: {len(entries)} tests")


# --- Reporting -------------------------------------------------------------

def write_op_counts(path, tests, results):
    """Per op type and suite: tests whose model contains it, how many of
    them were attempted and how many passed (TSV)."""
    counts = collections.defaultdict(lambda: [0, 0, 0])
    for test in tests:
        result = results[test.key]
        for op in test.ops:
            row = counts[(op, test.suite)]
            row[0] += 1
            row[1] += result.attempted
            row[2] += result.passed
    with open(path, "w") as file:
        file.write("op\tsuite\ttests\tattempted\tpassed\n")
        for (op, suite), row in sorted(
                counts.items(), key=lambda i: (i[0][0], SUITES.index(i[0][1]))):
            file.write("\t".join([op, suite] + [str(n) for n in row]) + "\n")


SUITE_LABELS = {"node": "node", "pytorch-operator": "pytorch-operator",
                "pytorch-converted": "pytorch-converted"}


def write_docs(args, path):
    """docs/supported-ops.md: nncc's own tables (--supported-ops=markdown)
    with a column of the backend tests each operator passes, counted from
    the checked-in expected-passes.txt over every test whose model uses the
    operator. No test is run; the lists are the record."""
    markdown = subprocess.run([args.nncc, "--supported-ops=markdown"],
                              check=True, capture_output=True,
                              text=True).stdout
    passes = read_list(args.expected)
    ops_supported = supported_ops(args.nncc)
    counts = collections.defaultdict(lambda: collections.defaultdict(
        lambda: [0, 0]))
    totals = {suite: [0, 0] for suite in SUITES}
    for test in discover(args.data_root, SUITES, None):
        classify(test, ops_supported)
        passed = test.key in passes
        totals[test.suite][0] += passed
        totals[test.suite][1] += 1
        for op in test.ops:
            counts[op][test.suite][0] += passed
            counts[op][test.suite][1] += 1

    def cell(op):
        parts = [f"{SUITE_LABELS[suite]} {n}/{m}"
                 for suite, (n, m) in sorted(counts[op].items(),
                                             key=lambda i: SUITES.index(i[0]))]
        return ", ".join(parts) if parts else "no tests"

    lines = []
    for line in markdown.splitlines():
        if line.startswith("| ONNX op |"):
            line += " backend tests passed |"
        elif line.startswith("|---|"):
            line += "---|"
        elif line.startswith("| "):
            line += f" {cell(line.split('|')[1].strip())} |"
        lines.append(line)
    lines.append("")
    lines.append("The last column counts, per suite of `libonnx-testdata`, "
                 "the tests whose model uses the operator and how many of "
                 "them pass (a test with several operators counts for each). "
                 "In all:")
    lines.append("")
    for suite in SUITES:
        n, m = totals[suite]
        lines.append(f"- {suite}: {n} of {m} tests pass")
    with open(path, "w") as file:
        file.write("\n".join(lines) + "\n")
    print(f"wrote {path}")


def report(args, results, passes, failures):
    """Prints the per-test lines and the summaries; returns whether the run
    had an unexpected result."""
    regressions = {}
    for key in sorted(k for k in passes if in_scope(args, k)):
        result = results.get(key) or Result("no such test", attempted=False)
        if not result.passed:
            regressions[key] = result
    newly_passing = sorted(key for key, result in results.items()
                           if result.passed and key not in passes)
    for key, result in sorted(results.items()):
        if key in regressions:
            continue
        print_result(args, key, result, passes, failures)
    for key, result in regressions.items():
        print(f"FAIL: {key}{result.describe()}")
    if not args.update:
        for key in newly_passing:
            print(f"newly passing: {key} - add it to expected-passes.txt "
                  f"(--update)")
    for suite in args.suites:
        print_summary(suite, results, regressions)
    return bool(regressions or (newly_passing and not args.update))


def print_result(args, key, result, passes, failures):
    """The lines of a test that is not a regression: XFAIL always, PASS,
    UNSUPPORTED and changes of the recorded entry with -v."""
    recorded = (passes if result.passed else failures).get(key)
    if result.passed:
        label = "PASS"
    else:
        label = "XFAIL" if result.attempted else "UNSUPPORTED"
    if args.verbose or label == "XFAIL":
        print(f"{label}: {key}{result.describe()}")
    if recorded is None:
        if not result.passed and not args.update:
            print(f"unlisted: {key} - run --update to record its reason")
    elif args.verbose and recorded != result.describe():
        print(f"  was: {key}{recorded}")


def in_scope(args, key):
    """Whether a listed test belongs to this run (its suite, --filter)."""
    suite = key.split("/", 1)[0]
    return suite in args.suites and (not args.pattern or
                                     args.pattern.search(key))


def print_summary(suite, results, regressions):
    def count(condition):
        return sum(1 for key, result in results.items()
                   if key.startswith(suite + "/") and key not in regressions
                   and condition(result))
    failed = sum(1 for key in regressions if key.startswith(suite + "/"))
    print(f"{suite}: {count(lambda r: r.passed)} passed, {failed} failed")
    print(f"{suite}: {count(lambda r: r.attempted and not r.passed)} expected "
          f"failures, {count(lambda r: not r.attempted)} not supported "
          f"(operators or element types)")


# --- Main ------------------------------------------------------------------

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
    parser.add_argument("--work",
                        help="directory for objects, binaries and data "
                             "(required unless --write-docs)")
    parser.add_argument("--data-root", default=DEFAULT_DATA_ROOT,
                        help="the folder holding the suites' folders")
    parser.add_argument("--suite", choices=SUITES + ("all",), default="all")
    parser.add_argument("--expected", default=EXPECTED_PASSES,
                        help="the list of tests that must pass")
    parser.add_argument("--expected-failures", default=EXPECTED_FAILURES,
                        help="the list of the other tests, with reasons")
    parser.add_argument("--filter", metavar="REGEX",
                        help="only tests whose <suite>/<test> name matches "
                             "(re.search)")
    parser.add_argument("--update", action="store_true",
                        help="rewrite the expected lists from this run")
    parser.add_argument("--op-counts", metavar="FILE",
                        help="write per op type and suite the number of "
                             "tests, attempted tests and passes (TSV)")
    parser.add_argument("--write-docs", metavar="FILE",
                        help="write docs/supported-ops.md (nncc's tables "
                             "with the passes per operator, from the "
                             "expected lists) to FILE and exit; runs no "
                             "test")
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="also print passing and unsupported tests and "
                             "changed reasons")
    nncc_tools.add_tool_arguments(parser)
    args = parser.parse_args()
    args.suites = SUITES if args.suite == "all" else (args.suite,)
    args.pattern = re.compile(args.filter) if args.filter else None
    return args


def check_environment(args):
    for suite in args.suites:
        if not os.path.isdir(os.path.join(args.data_root, suite)):
            sys.exit(f"error: no {suite} tests in {args.data_root} "
                     "(Debian package libonnx-testdata)")
    for tool in (args.nncc, args.cc):
        if not shutil.which(tool):
            sys.exit(f"error: cannot find '{tool}' (see --help for the tool "
                     "options)")


def main():
    args = parse_args()
    if args.write_docs:
        write_docs(args, args.write_docs)
        return 0
    if not args.work:
        sys.exit("error: --work is required")
    args.work = os.path.abspath(args.work)
    os.makedirs(args.work, exist_ok=True)
    check_environment(args)

    tests = discover(args.data_root, args.suites, args.pattern)
    ops_supported = supported_ops(args.nncc)
    results = {}
    for test in tests:
        classify(test, ops_supported)
        if test.unsupported:
            results[test.key] = Result(f"not supported: {test.unsupported}",
                                       attempted=False)

    build_harness(args)
    runner = Runner(args)
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = {pool.submit(runner.run_test, test): test.key
                   for test in tests if not test.unsupported}
        for future in concurrent.futures.as_completed(futures):
            results[futures[future]] = future.result()

    passes = read_list(args.expected)
    failures = read_list(args.expected_failures)
    unexpected = report(args, results, passes, failures)
    if args.op_counts:
        write_op_counts(args.op_counts, tests, results)
    if args.update:
        update_lists(args, results)
        return 0
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
