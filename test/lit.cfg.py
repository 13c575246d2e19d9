# -*- Python -*-
# lit configuration of the nncc test suite. The paths come from the generated
# lit.site.cfg.py in the build directory (test/lit.site.cfg.py.in); run the
# suite with `ninja -C build check-nncc`, one test with
# `lit -v build/test/<path>.test` (see docs/testing.md).

import os

import lit.formats

config.name = "nncc"
# lit's internal shell: pipes, &&, `not`, redirections, no bash needed.
config.test_format = lit.formats.ShTest(execute_external=False)

config.suffixes = [".mlir", ".onnxtxt", ".test"]
# Inputs/ holds files that tests read, not tests. The e2e and onnx-node helper
# files (.py, .c, .txt) have no test suffix, so they are never collected.
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
# test/models/ (whole torchvision and recurrent models against PyTorch:
# minutes of compiling) is a target of its own, check-nncc-models, which runs
# `lit build/test/models`. lit skips an excluded name while it searches a
# folder above it (so `lit build/test`, check-nncc, leaves test/models out),
# not when the folder or a test in it is named on the command line.
config.excludes.append("models")

config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.nncc_obj_root, "test")

# Tools first from this build (nncc, nncc-opt; nnrt-runtime-test next to
# libnnrt), then LLVM's test tools (FileCheck, not, count).
path = [config.nncc_tools_dir, config.nnrt_lib_dir, config.llvm_tools_dir]
config.environment["PATH"] = os.pathsep.join(
    path + [config.environment.get("PATH", os.environ.get("PATH", ""))])

# HOME lets torch and onnx find their caches and config; other variables stay
# out so tests behave the same for everyone.
if "HOME" in os.environ:
    config.environment["HOME"] = os.environ["HOME"]
# The runtime's thread count must not depend on the caller's environment
# (tests that need a thread count set it in their RUN line).
config.environment.pop("NNRT_NUM_THREADS", None)

config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(("%cc", config.host_cc))
config.substitutions.append(("%nnrt_include", config.nnrt_include_dir))
config.substitutions.append(("%nnrt_lib", config.nnrt_lib_dir))
config.substitutions.append(("%srcroot", config.nncc_src_root))
config.substitutions.append(("%buildroot", config.nncc_obj_root))
config.substitutions.append(("%cmake_generator", config.cmake_generator))
config.substitutions.append(("%cmake", config.cmake))
