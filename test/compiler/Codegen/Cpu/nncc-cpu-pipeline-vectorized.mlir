// RUN: nncc-opt %s --pass-pipeline="builtin.module(nncc-linalg-pipeline,nncc-cpu-pipeline{model-name=net triple=x86_64-unknown-linux-gnu vector-width=512})" | FileCheck %s
// RUN: nncc-opt %s --pass-pipeline="builtin.module(nncc-linalg-pipeline,nncc-cpu-pipeline{model-name=net triple=x86_64-unknown-linux-gnu vector-width=512 opt-level=0})" | FileCheck %s --check-prefix=O0

// From -O1 the CPU pipeline tiles and vectorizes: a dense layer ends in
// FMAs on 64-lane vectors (four zmm registers each), unrolled over the 4
// rows of the register tile, with no temporary for the product (the bias
// add is fused into its tile). The loop over the tiles runs on the thread
// pool (8 x 256 x 128 is 2^18 multiply-adds, CpuMachine::parallelMinMacs):
// its body is outlined and nnrt_parallel_for_chunks gets the context, the
// count of rows of 4x64 tiles (8 / 4 = 2), a grain of 1, the closure of
// buffer pointers (x, w, b, y: 4 slots) and the body. At -O0 it stays scalar
// loops with a temporary.
// CHECK-LABEL: llvm.func internal @nncc.infer(
// CHECK-SAME: %[[CTX:[^:]*]]: !llvm.ptr
// CHECK-NOT: llvm.call @nnrt_hook_alloc
// CHECK-DAG: %[[BODY:.*]] = llvm.mlir.addressof @nncc.infer.parallel0
// CHECK-DAG: %[[FOUR:.*]] = llvm.mlir.constant(4 : i64)
// CHECK-DAG: %[[TWO:.*]] = llvm.mlir.constant(2 : i64)
// CHECK-DAG: %[[CLOSURE:.*]] = llvm.alloca %[[FOUR]] x i64
// CHECK-DAG: %[[GRAIN:.*]] = llvm.mlir.constant(1 : i64)
// CHECK-COUNT-4: llvm.store
// CHECK: llvm.call @nnrt_parallel_for_chunks(%[[CTX]], %[[TWO]], %[[GRAIN]], %[[CLOSURE]], %[[BODY]])
// CHECK-NOT: llvm.call @nnrt_hook_alloc
// CHECK: llvm.return
// CHECK-LABEL: llvm.func internal @nncc.infer.parallel0(%{{.*}}: !llvm.ptr, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64)
// CHECK-COUNT-4: llvm.intr.fmuladd(%{{.*}}, %{{.*}}, %{{.*}}) : (vector<64xf32>, vector<64xf32>, vector<64xf32>) -> vector<64xf32>
// CHECK: llvm.return
// O0-LABEL: llvm.func internal @nncc.infer
// O0-NOT: nnrt_parallel_for
// O0-NOT: vector<
// O0: llvm.call @nnrt_hook_alloc
// O0-NOT: vector<
// O0: llvm.return
func.func @infer(%x: tensor<8x256xf32> {nn.input = "x"},
                 %w: tensor<256x128xf32> {nn.input = "w"},
                 %b: tensor<128xf32> {nn.input = "b"})
    -> (tensor<8x128xf32> {nn.output = "y"})
    attributes {nn.entry = #nn.entry<infer>} {
  %0 = nn.matmul %x, %w : tensor<8x256xf32>, tensor<256x128xf32> -> tensor<8x128xf32>
  %1 = nn.add %0, %b : tensor<8x128xf32>, tensor<128xf32> -> tensor<8x128xf32>
  return %1 : tensor<8x128xf32>
}
