// Every error the driver itself reports: exit code 1 and a clear message.
// RUN: not nncc %S/Inputs/mlp.mlir --emit=bogus 2>&1 | FileCheck %s --check-prefix=EMIT
// EMIT: nncc: error: unknown --emit phase 'bogus' (expected one of: import, nn, train, linalg, codegen, llvm, asm, obj)

// RUN: not nncc %S/Inputs/mlp.mlir --target=cuda -o %t.o 2>&1 | FileCheck %s --check-prefix=TARGET
// TARGET: nncc: error: --target=cuda is not implemented yet; this version of nncc generates code for --target=cpu only
// RUN: not nncc %S/Inputs/mlp.mlir --target=tpu -o %t.o 2>&1 | FileCheck %s --check-prefix=TARGET2
// TARGET2: nncc: error: unsupported --target 'tpu' (supported: cpu)

// RUN: not nncc %S/Inputs/mlp.mlir -O7 -o %t.o 2>&1 | FileCheck %s --check-prefix=OPT
// OPT: nncc: Unknown command line argument '-O7'

// RUN: not nncc %S/Inputs/mlp.mlir --name=1net -o %t.o 2>&1 | FileCheck %s --check-prefix=NAME
// RUN: not nncc %S/Inputs/mlp.mlir --name=int -o %t.o 2>&1 | FileCheck %s --check-prefix=NAME
// NAME: nncc: error: --name '{{1net|int}}' is {{not a valid C identifier|reserved \(a C keyword}}

// Names whose symbols would clash with the runtime's are reserved.
// RUN: not nncc %S/Inputs/mlp.mlir --name=nnrt_context -o %t.o 2>&1 | FileCheck %s --check-prefix=RESERVED
// RUN: not nncc %S/Inputs/mlp.mlir --name=NNRT -o %t.o 2>&1 | FileCheck %s --check-prefix=RESERVED
// RESERVED: nncc: error: --name '{{nnrt_context|NNRT}}' is reserved: names starting with 'nnrt' belong to the runtime (libnnrt)

// RUN: not nncc %S/Inputs/mlp.mlir --mcpu=no-such-cpu -o %t.o 2>&1 | FileCheck %s --check-prefix=CPU
// CPU: nncc: error: --mcpu: unknown CPU 'no-such-cpu' for target
// CPU-NOT: not a recognized processor
// 32-bit CPUs are refused before any work, not by an LLVM fatal error.
// RUN: not nncc %S/Inputs/mlp.mlir --mcpu=i386 -o %t.o 2>&1 | FileCheck %s --check-prefix=CPU32
// RUN: not nncc %S/Inputs/mlp.mlir --mcpu=pentium4 --emit=import 2>&1 | FileCheck %s --check-prefix=CPU32
// CPU32: nncc: error: --mcpu: CPU '{{i386|pentium4}}' has no 64-bit mode; nncc generates code for x86_64{{.*}} only
// CPU32-NOT: LLVM ERROR

// RUN: not nncc %S/Inputs/mlp.mlir -o - 2>&1 | FileCheck %s --check-prefix=STDOUT
// STDOUT: nncc: error: cannot write an object file to standard output; name a file with -o

// RUN: not nncc %S/Inputs/does-not-exist.mlir --emit=import 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: does-not-exist.mlir: error: cannot open input: {{.*}}

// RUN: echo "x" > %t.txt && not nncc %t.txt 2>&1 | FileCheck %s --check-prefix=FORMAT
// FORMAT: error: unknown input format: expected a file ending in .onnx, .onnxtxt, .textproto, .pbtxt or .mlir

// RUN: echo "model" > %t.nn && not nncc %t.nn 2>&1 | FileCheck %s --check-prefix=DSL
// DSL: error: the nncc model language (.nn) is not supported by this version yet; use an ONNX model

// RUN: not nncc %S/Inputs/no-entry.mlir -o %t.o 2>&1 | FileCheck %s --check-prefix=NOENTRY --implicit-check-not='see current operation'
// NOENTRY: no-entry.mlir: error: the module has no entry function: mark the model's functions with nn.entry = #nn.entry<infer> (see docs/contract.md)

// RUN: not nncc %S/Inputs/syntax-error.mlir --emit=import 2>&1 | FileCheck %s --check-prefix=SYNTAX
// SYNTAX: syntax-error.mlir:3:{{[0-9]+}}: error:

// RUN: not nncc %S/Inputs/invalid-op.mlir --emit=import 2>&1 | FileCheck %s --check-prefix=VERIFY
// VERIFY: invalid-op.mlir:3:{{[0-9]+}}: error: 'nn.softmax' op axis 5 is out of range for rank 2

// RUN: not nncc %S/Inputs/bf16-input.mlir -o %t.o 2>&1 | FileCheck %s --check-prefix=DTYPE
// DTYPE: bf16-input.mlir:2:{{[0-9]+}}: error: 'func.func' op argument 0 has element type 'bf16', which the C API does not support

// RUN: not nncc %S/Inputs/dynamic-input.mlir -o %t.o 2>&1 | FileCheck %s --check-prefix=DYNAMIC
// DYNAMIC: dynamic-input.mlir:3:{{[0-9]+}}: error: 'func.func' op result 0 has type 'tensor<?xf32>', but only outputs of an entry with a dynamic input may have a dynamic batch

// RUN: not nncc 2>&1 | FileCheck %s --check-prefix=NOINPUT
// NOINPUT: nncc: error: no input model (see nncc --help)

// RUN: not nncc %S/Inputs/mlp.mlir -o %t.missing-dir/model.o 2>&1 | FileCheck %s --check-prefix=OUTPUT
// OUTPUT: nncc: error: cannot open output '{{.*}}missing-dir/model.o': {{.*}}No such file or directory

// RUN: not nncc %S/Inputs/mlp.mlir -o %t.o --header=%t.missing-dir/model.h 2>&1 | FileCheck %s --check-prefix=HEADER
// HEADER: nncc: error: cannot open header output '{{.*}}missing-dir/model.h': {{.*}}No such file or directory

// RUN: not nncc %S/Inputs/mlp.mlir --emit=nn -o %t.missing-dir/model.mlir 2>&1 | FileCheck %s --check-prefix=TEXT
// TEXT: nncc: error: cannot open output '{{.*}}missing-dir/model.mlir': {{.*}}No such file or directory

// RUN: not nncc %S/Inputs/case-clash.mlir -o %t.o 2>&1 | FileCheck %s --check-prefix=CASE
// CASE: case-clash.mlir:5:{{[0-9]+}}: error: entry functions 'infer' and 'INFER' differ only in case; the header's macros would clash

// Names of the API that would collide: M_NUM_STATES as a macro and as the
// function of entry NUM_STATES; m_ctx as the context type and the function
// of entry ctx.
// RUN: not nncc %S/Inputs/entry-names.mlir --name=M -o %t.o 2>&1 | FileCheck %s --check-prefix=HEADER-CLASH
// HEADER-CLASH: nncc: error: the generated header would define 'M_NUM_STATES' twice; rename the model (--name) or the entry function
// RUN: not nncc %S/Inputs/entry-names.mlir --name=m --emit=codegen 2>&1 | FileCheck %s --check-prefix=CTX-CLASH
// CTX-CLASH: nncc: error: the generated header would define 'm_ctx' twice; rename the model (--name) or the entry function

// RUN: not nncc %S/Inputs/lowering-attrs.mlir -o %t.o 2>&1 | FileCheck %s --check-prefix=LOWERING
// LOWERING: lowering-attrs.mlir:3:{{[0-9]+}}: error: 'nn.context' is set by nncc's lowering (nncc-prepare-entry-abi); an input model must not use it

// RUN: not nncc %S/Inputs/entry-t.mlir --name=size -o %t.o 2>&1 | FileCheck %s --check-prefix=LIBRARY
// LIBRARY: nncc: error: the generated header would define 'size_t', which C, C++ or their standard headers already define; rename the model (--name) or the entry function
