// RUN: nncc-opt %s -split-input-file --nncc-allocate-through-context -verify-diagnostics | FileCheck %s

// MLIR's generic allocation functions become the runtime's workspace hooks,
// with the function's context; the generic declarations go away.
// CHECK-NOT: _mlir_memref_to_llvm
// CHECK-LABEL: llvm.func @nncc.model(
// CHECK-SAME: %[[CTX:.*]]: !llvm.ptr {nn.context}, %[[SIZE:.*]]: i64)
// A null result (out of memory) leaves the function at once.
// CHECK: %[[ALIGN:.*]] = llvm.mlir.constant(128 : i64)
// CHECK: %[[A:.*]] = llvm.call @nnrt_hook_alloc(%[[CTX]], %[[ALIGN]], %[[SIZE]])
// CHECK: %[[NULL:.*]] = llvm.mlir.zero : !llvm.ptr
// CHECK: %[[FAILED:.*]] = llvm.icmp "eq" %[[A]], %[[NULL]]
// CHECK: llvm.cond_br %[[FAILED]], ^[[FAIL:.*]], ^[[OK:bb[0-9]+]]
// CHECK: ^[[OK]]:
// CHECK: %[[DEFAULT:.*]] = llvm.mlir.constant(64 : i64)
// CHECK: %[[B:.*]] = llvm.call @nnrt_hook_alloc(%[[CTX]], %[[DEFAULT]], %[[SIZE]])
// CHECK: llvm.cond_br %{{.*}}, ^[[FAIL]], ^[[OK2:bb[0-9]+]]
// CHECK: ^[[OK2]]:
// CHECK: llvm.call @nnrt_hook_free(%[[CTX]], %[[A]])
// CHECK: llvm.call @nnrt_hook_free(%[[CTX]], %[[B]])
// CHECK: llvm.return
// CHECK: ^[[FAIL]]:
// CHECK-NEXT: llvm.return
llvm.func @_mlir_memref_to_llvm_aligned_alloc(i64, i64) -> !llvm.ptr
llvm.func @_mlir_memref_to_llvm_alloc(i64) -> !llvm.ptr
llvm.func @_mlir_memref_to_llvm_free(!llvm.ptr)
llvm.func @nncc.model(%ctx: !llvm.ptr {nn.context}, %size: i64) {
  %align = llvm.mlir.constant(128 : i64) : i64
  %a = llvm.call @_mlir_memref_to_llvm_aligned_alloc(%align, %size) : (i64, i64) -> !llvm.ptr
  %b = llvm.call @_mlir_memref_to_llvm_alloc(%size) : (i64) -> !llvm.ptr
  llvm.call @_mlir_memref_to_llvm_free(%a) : (!llvm.ptr) -> ()
  llvm.call @_mlir_memref_to_llvm_free(%b) : (!llvm.ptr) -> ()
  llvm.return
}

// -----

// Generated code without a context cannot allocate.
llvm.func @_mlir_memref_to_llvm_alloc(i64) -> !llvm.ptr
llvm.func @f(%size: i64) {
  // expected-error @+1 {{'llvm.call' op allocates memory in 'f', which has no nn.context argument}}
  %a = llvm.call @_mlir_memref_to_llvm_alloc(%size) : (i64) -> !llvm.ptr
  llvm.return
}
