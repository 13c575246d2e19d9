// Every --emit phase of the driver, on an nn-dialect input.
// RUN: nncc %S/Inputs/mlp.mlir --emit=import | FileCheck %s --check-prefix=IMPORT
// RUN: nncc %S/Inputs/mlp.mlir --emit=nn -o - | FileCheck %s --check-prefix=NN
// RUN: nncc %S/Inputs/mlp.mlir --emit=linalg | FileCheck %s --check-prefix=LINALG --implicit-check-not='= nn.'
// RUN: nncc %S/Inputs/mlp.mlir --emit=codegen --name=mlp | FileCheck %s --check-prefix=CODEGEN
// RUN: nncc %S/Inputs/mlp.mlir --emit=llvm --name=mlp | FileCheck %s --check-prefix=LLVM
// RUN: nncc %S/Inputs/mlp.mlir --emit=asm --name=mlp -O1 | FileCheck %s --check-prefix=ASM
// RUN: rm -rf %t && mkdir -p %t && nncc %S/Inputs/mlp.mlir -o %t/net.o
// RUN: FileCheck %s --check-prefix=HEADER < %t/net.h
// RUN: llvm-nm %t/net.o | FileCheck %s --check-prefix=SYMBOLS
// RUN: llvm-nm --extern-only --defined-only %t/net.o | FileCheck %s --check-prefix=EXTERN
// RUN: nncc %S/Inputs/mlp.mlir -o %t/other.o --header=%t/custom.h --name=custom -O0
// RUN: FileCheck %s --check-prefix=CUSTOM < %t/custom.h

// IMPORT: func.func @infer(%{{.*}}: tensor<2x4xf32> {nn.input = "input"}) -> (tensor<2x3xf32> {nn.output = "scores"}) attributes {nn.entry = #nn.entry<infer>}
// IMPORT: nn.matmul
// IMPORT: nn.relu

// NN: nn.matmul
// NN: nn.add
// NN: nn.relu

// LINALG: linalg.matmul
// LINALG: linalg.generic
// LINALG: arith.maximumf

// The model function takes the context first; the entry points are built in
// MLIR (nncc-generate-entry-points).
// CODEGEN-DAG: llvm.func internal @nncc.infer(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// CODEGEN-DAG: llvm.func @mlp_infer(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) -> i32
// CODEGEN-DAG: llvm.func @mlp_create(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) -> i32

// The model function is internal (and inlined at -O2); the API is external.
// LLVM-NOT: define {{.*}}void @nncc.infer(
// LLVM-DAG: define i32 @mlp_create(ptr
// LLVM-DAG: define void @mlp_destroy(ptr
// LLVM-DAG: define i32 @mlp_infer(ptr
// LLVM-DAG: define i32 @mlp_infer_packed(ptr
// LLVM-DAG: define {{.*}}i64 @mlp_num_inputs()
// LLVM-DAG: define {{.*}}ptr @mlp_input_info(i64
// LLVM-DAG: declare i32 @nnrt_hook_enter(
// LLVM-DAG: declare ptr @nnrt_hook_alloc(ptr

// ASM: mlp_infer:

// HEADER: typedef struct net_ctx net_ctx;
// HEADER: nnrt_status net_create(const nnrt_options *opts, net_ctx **out_ctx);
// HEADER: static inline nnrt_context *net_runtime_context(net_ctx *ctx) {
// HEADER: void net_destroy(net_ctx *ctx);
// HEADER: #define NET_NUM_STATES 0
// HEADER: #define NET_NUM_INPUTS 1
// HEADER: #define NET_NUM_OUTPUTS 1
// HEADER: /* input 0 'input': f32[2, 4] */
// HEADER: #define NET_INPUT_0_RANK 2
// HEADER: #define NET_INPUT_0_SIZE 8
// HEADER: #define NET_INPUT_0_DTYPE NNRT_DTYPE_F32
// HEADER: #define NET_INPUT_0_SHAPE {2, 4}
// HEADER: /* output 0 'scores': f32[2, 3] */
// HEADER: #define NET_OUTPUT_0_SIZE 6
// HEADER: nnrt_status net_infer(net_ctx *ctx, const float *input, float *scores);
// HEADER: nnrt_status net_infer_packed(net_ctx *ctx, const void *const *inputs,
// HEADER: const nnrt_tensor_info *net_input_info(size_t i);

// SYMBOLS-DAG: T net_create
// SYMBOLS-DAG: T net_infer
// SYMBOLS-DAG: T net_infer_packed
// SYMBOLS-DAG: T net_destroy
// SYMBOLS-DAG: T net_input_info
// SYMBOLS-DAG: T net_output_info
// SYMBOLS-DAG: T net_num_inputs
// SYMBOLS-DAG: T net_num_outputs
// SYMBOLS-DAG: U nnrt_hook_enter
// SYMBOLS-DAG: U nnrt_hook_leave
// SYMBOLS-DAG: U nnrt_hook_context_create
// SYMBOLS-NOT: _mlir_memref_to_llvm

// Only the API is exported: two models link into one program.
// EXTERN-NOT: nncc.
// EXTERN-NOT: __constant

// CUSTOM: nnrt_status custom_infer(custom_ctx *ctx, const float *input, float *scores);
