// RUN: nncc-opt %s --nncc-measure-workspace | FileCheck %s

// The peak of live temporaries in program order: 64 + 32 bytes live at
// once, then 64 freed before the 128-byte buffer: max(96, 32 + 128) = 160.
// Functions that are not entries are not measured.

// CHECK: module attributes {nncc.workspace_bytes = {infer = 160 : i64}}
func.func @infer(%ctx: !llvm.ptr {nn.context}) attributes {nn.entry = #nn.entry<infer>} {
  %a = memref.alloc() : memref<16xf32>
  %b = memref.alloc() : memref<8xf32>
  memref.dealloc %a : memref<16xf32>
  %c = memref.alloc() : memref<2x16xf32>
  memref.dealloc %b : memref<8xf32>
  memref.dealloc %c : memref<2x16xf32>
  return
}

func.func private @helper() {
  %a = memref.alloc() : memref<1024xf32>
  memref.dealloc %a : memref<1024xf32>
  return
}
