// RUN: nncc-opt %s --pass-pipeline="builtin.module(nncc-linalg-pipeline,nncc-cpu-pipeline{model-name=net triple=x86_64-unknown-linux-gnu})" | FileCheck %s --implicit-check-not=memref. --implicit-check-not=linalg. --implicit-check-not=tensor. --implicit-check-not='= nn.'

// The target is recorded; weights become read-only globals; the model
// function is internal, takes the context, then inputs and output pointers
// (destination-passing, bare pointers); temporaries come from the context's
// workspace, one block (the static memory plan) taken at the start and
// given back at the end; tanh calls libm; the C API is built around it.
// CHECK: module attributes {llvm.target_triple = "x86_64-unknown-linux-gnu"
// CHECK-DAG: llvm.mlir.global private constant @{{.*}}(dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>)
// CHECK-DAG: llvm.func @nnrt_hook_alloc(!llvm.ptr, i64, i64) -> !llvm.ptr
// CHECK-DAG: llvm.func @nnrt_hook_free(!llvm.ptr, !llvm.ptr)
// CHECK-DAG: llvm.func @tanhf(f32) -> f32
// CHECK-DAG: llvm.func @expf(f32) -> f32
// CHECK: llvm.func internal @nncc.infer(%[[CTX:.*]]: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) {
// CHECK: llvm.call @nnrt_hook_alloc(%[[CTX]], %{{.*}}, %{{.*}})
// CHECK: llvm.call @tanhf
// CHECK: llvm.call @expf
// CHECK: llvm.call @nnrt_hook_free(%[[CTX]], %{{.*}})
// CHECK: llvm.return
// CHECK-DAG: llvm.func @net_create(
// CHECK-DAG: llvm.func @net_infer(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) -> i32
// CHECK-DAG: llvm.func @net_infer_packed(
func.func @infer(%x: tensor<2x3xf32> {nn.input = "x"}, %w: tensor<3x4xf32> {nn.input = "w"}) -> (tensor<2x4xf32> {nn.output = "t"}, tensor<2x4xf32> {nn.output = "s"}) attributes {nn.entry = #nn.entry<infer>} {
  %0 = nn.matmul %x, %w : tensor<2x3xf32>, tensor<3x4xf32> -> tensor<2x4xf32>
  %b = nn.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %1 = nn.add %0, %b : tensor<2x4xf32>, tensor<4xf32> -> tensor<2x4xf32>
  %2 = nn.tanh %1 : tensor<2x4xf32>
  %3 = nn.softmax %2 {axis = 1} : tensor<2x4xf32>
  return %2, %3 : tensor<2x4xf32>, tensor<2x4xf32>
}
