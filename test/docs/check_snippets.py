"""Builds and runs the code snippets of README.md and docs/*.md as written.

Every fenced code block in the checked documents carries a marker, an HTML
comment on the line before its opening fence (blank lines may come between);
docs/testing.md describes the scheme:

  <!-- snippet: program <file> -->  a complete C program, written to <file>
  <!-- snippet: commands -->        shell lines, run as written, in order
  <!-- snippet: fragment -->        part of a program or of a header: skipped
  <!-- snippet: skip (<reason>) --> complete but not run here: skipped

Blocks fenced as ```text (listings, output, usage synopses) are not code and
need no marker; any other block without one is an error, so a new snippet is
either tested or visibly skipped.

Each document gets its own work directory holding model.onnx (a copy of
--model). All its programs are written there first, then its command blocks
run there, in document order, each line with `bash -c` (`set -o pipefail`).
A command that exits non-zero fails the document and ends its run. A program
that no command mentions is an error too.

The commands are written for the repository root of a built checkout. The only
rewriting is the table of make_paths() below (the build's and the repository's paths,
and /tmp/ into the work directory) and `cc` as the first word (the build's C
compiler). Any other path under build/ is an error, and every other path is
taken as written, so a document whose commands do not work from the repository
root fails here.

Prints one line per block and `N passed, M failed` (blocks run); exits 1 when
anything failed.
"""

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys

MARKER = re.compile(r"^\s*<!--\s*snippet:\s*(.*?)\s*-->\s*$")
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([^`\s]*)")
# Documents not checked: design-notes.md is a record of decisions, not a
# manual, and holds no snippets meant to be run.
EXCLUDED = {"docs/design-notes.md"}


class Block:
    def __init__(self, doc, line, marker, info, text):
        self.doc, self.line, self.marker, self.info, self.text = (
            doc, line, marker, info, text)

    def where(self):
        return f"{self.doc}:{self.line}"


def parse(doc, path):
    """Returns the fenced blocks of a markdown file and the marker errors."""
    lines = open(path, encoding="utf-8").read().split("\n")
    blocks, errors = [], []
    pending = None  # (line number, marker text) waiting for its fence
    i = 0
    while i < len(lines):
        line = lines[i]
        m = MARKER.match(line)
        if m:
            if pending:
                errors.append(f"{doc}:{pending[0]}: snippet marker without a code block")
            pending = (i + 1, m.group(1))
            i += 1
            continue
        f = FENCE.match(line)
        if not f:
            if line.strip() and pending:
                errors.append(f"{doc}:{pending[0]}: snippet marker without a code block")
                pending = None
            i += 1
            continue
        indent, fence, info = f.groups()
        start = i + 1
        body = []
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(fence):
            text = lines[i]
            body.append(text[len(indent):] if text.startswith(indent) else text.lstrip())
            i += 1
        if i == len(lines):
            errors.append(f"{doc}:{start}: unterminated code block")
        i += 1
        blocks.append(Block(doc, start, pending[1] if pending else None, info,
                            "\n".join(body) + "\n"))
        pending = None
    if pending:
        errors.append(f"{doc}:{pending[0]}: snippet marker without a code block")
    return blocks, errors


def make_paths(args, work):
    """The whole mapping from the documents' paths to this build's."""
    nncc = shutil.which("nncc")
    if not nncc:
        sys.exit("check_snippets: nncc is not on PATH")
    return [
        ("build/bin/", os.path.dirname(os.path.abspath(nncc)) + "/"),
        ("build/runtime", args.nnrt_lib),
        ("runtime/include", args.nnrt_include),
        ("test/", os.path.join(args.srcroot, "test") + "/"),
        ("examples/", os.path.join(args.srcroot, "examples") + "/"),
        ("bench/", os.path.join(args.srcroot, "bench") + "/"),
        ("/tmp/", os.path.join(work, "tmp") + "/"),
    ]


def rewrite(command, paths, cc):
    """Applies the path table to path-shaped words (also after -I, -L and =),
    in one pass so that no result is rewritten again, and replaces a leading
    `cc`. Returns (command, error)."""
    alternatives = "|".join(
        re.escape(prefix) + ("" if prefix.endswith("/") else r"(?=[/\s;|&)]|$)")
        for prefix, _ in paths)
    table = dict(paths)
    pattern = r"(?<![^\s=])(-[IL])?(" + alternatives + ")"
    if re.search(r"(?<![^\s=])(-[IL])?build/(?!bin/|runtime(?=[/\s;|&)]|$))", command):
        return command, "a path under build/ that the test does not map"
    command = re.sub(pattern, lambda m: (m.group(1) or "") + table[m.group(2)], command)
    command = re.sub(r"^cc(?=\s)", lambda m: cc, command)
    return command, None


def commands_of(text):
    """Shell lines of a block: continuations joined, blank and comment lines
    dropped (trailing comments are left to the shell)."""
    result, current = [], ""
    for line in text.split("\n"):
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        current += line
        if current.strip() and not current.strip().startswith("#"):
            result.append(current.strip())
        current = ""
    return result


def indent(text):
    return "".join("    | " + l + "\n" for l in text.rstrip("\n").split("\n")) if text.strip() else ""


def check_document(doc, blocks, args):
    """Runs one document's snippets. Returns (passed, failed)."""
    work = os.path.join(args.work, re.sub(r"[^\w.-]", "_", doc))
    os.makedirs(os.path.join(work, "tmp"))
    shutil.copyfile(args.model, os.path.join(work, "model.onnx"))
    paths = make_paths(args, work)
    passed = failed = 0

    # First the blocks that do not run, then the commands, in order.
    programs = {}
    for b in blocks:
        kind, _, rest = b.marker.partition(" ")
        if kind == "program":
            name = rest.strip()
            if not re.fullmatch(r"[\w.-]+\.c", name) or name in programs:
                print(f"FAIL: {b.where()}: program needs a new file name ending in .c, got '{name}'")
                failed += 1
                continue
            with open(os.path.join(work, name), "w") as f:
                f.write(b.text)
            programs[name] = b
            print(f"{b.where()}: program {name}: written")
        elif kind in ("fragment", "skip"):
            if kind == "skip" and not re.fullmatch(r"\(.+\)", rest.strip()):
                print(f"FAIL: {b.where()}: 'skip' needs a reason in parentheses")
                failed += 1
            else:
                print(f"{b.where()}: {b.marker}: not run")
        elif kind != "commands" or rest:
            print(f"FAIL: {b.where()}: unknown snippet marker '{b.marker}'")
            failed += 1

    mentioned = set()
    for b in blocks:
        if b.marker == "commands":
            mentioned.update(name for name in programs if re.search(
                r"(?<![\w.-])" + re.escape(name) + r"(?![\w.-])", b.text))
    for b in blocks:
        if b.marker != "commands":
            continue
        lines = commands_of(b.text)
        ok = True
        for line in lines:
            command, error = rewrite(line, paths, args.cc)
            if error:
                print(f"FAIL: {b.where()}: `{line}`: {error}")
                ok = False
                break
            print(f"  $ {line}")
            try:
                run = subprocess.run(["bash", "-c", "set -o pipefail\n" + command], cwd=work,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     universal_newlines=True, timeout=args.timeout)
                output, status = run.stdout, run.returncode
            except subprocess.TimeoutExpired:
                output, status = "", f"timeout after {args.timeout} s"
            # Long outputs (IR dumps) are cut: the log should show what ran.
            out_lines = output.split("\n")
            if len(out_lines) > 20:
                output = "\n".join(out_lines[:20]) + f"\n... ({len(out_lines) - 20} more lines)"
            sys.stdout.write(indent(output))
            if status != 0:
                print(f"FAIL: {b.where()}: `{line}` exited with {status} (run as `{command}` in {work})")
                ok = False
                break
        if ok:
            print(f"{b.where()}: commands: ok ({len(lines)} commands)")
            passed += 1
        else:
            failed += 1
            break  # later blocks build on this one
    for name, b in programs.items():
        if name not in mentioned:
            print(f"FAIL: {b.where()}: program {name} is not built by any command of {doc}")
            failed += 1
    return passed, failed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--srcroot", required=True)
    parser.add_argument("--work", required=True, help="emptied, then filled")
    parser.add_argument("--model", required=True, help="copied to model.onnx")
    parser.add_argument("--cc", required=True)
    parser.add_argument("--nnrt-include", required=True)
    parser.add_argument("--nnrt-lib", required=True)
    parser.add_argument("--timeout", type=int, default=120)
    parser.add_argument("docs", nargs="*", help="default: README.md and docs/*.md")
    args = parser.parse_args()
    args.model = os.path.abspath(args.model)
    args.work = os.path.abspath(args.work)

    docs = args.docs or ["README.md"] + sorted(
        os.path.relpath(p, args.srcroot)
        for p in glob.glob(os.path.join(args.srcroot, "docs", "*.md")))
    shutil.rmtree(args.work, ignore_errors=True)
    passed = failed = 0
    for doc in docs:
        if doc in EXCLUDED:
            print(f"{doc}: not checked")
            continue
        print(f"== {doc}")
        blocks, errors = parse(doc, os.path.join(args.srcroot, doc))
        for e in errors:
            print(f"FAIL: {e}")
        failed += len(errors)
        code = []
        for b in blocks:
            if b.marker is None:
                if b.info != "text":
                    print(f"FAIL: {b.where()}: code block without a snippet marker "
                          "(program, commands, fragment or skip; ```text if it is not code)")
                    failed += 1
            else:
                code.append(b)
        if code:
            p, f = check_document(doc, code, args)
            passed, failed = passed + p, failed + f
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
