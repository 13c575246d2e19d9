// RUN: nncc-opt %s --nncc-measure-workspace | FileCheck %s

// The peak of live temporaries in program order: 64 + 32 bytes live at
// once, then 64 freed before the 128-byte buffer: max(96, 32 + 128) = 160.
// Functions that are not entries are not measured.
//
// The buffers a parallel loop's body allocates are per thread
// (ThreadScratch.h), counted apart: train_step's loop needs 64 + 128 bytes,
// each on a cache line, per thread; its own temporaries peak at 256 bytes.
// A loop whose buffer is not freed where it is allocated stays serial
// (nncc-cpu-parallelize) and counts as an ordinary temporary (eval, 4096).

//
// The most buffers live at once, as the bytes, in program order: infer 2 (a
// and b, then b and c), train_step 1 (its loop's buffers are scratch), eval
// 1.

// CHECK: module attributes {nncc.thread_scratch_bytes = {eval = 0 : i64, infer = 0 : i64, train_step = 192 : i64}, nncc.workspace_buffers = {eval = 1 : i64, infer = 2 : i64, train_step = 1 : i64}, nncc.workspace_bytes = {eval = 4096 : i64, infer = 160 : i64, train_step = 256 : i64}}
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

func.func @train_step(%ctx: !llvm.ptr {nn.context}) attributes {nn.entry = #nn.entry<train_step>} {
  %a = memref.alloc() : memref<64xf32>
  scf.forall (%i) in (4) {
    %t = memref.alloc() : memref<4xf32>
    memref.dealloc %t : memref<4xf32>
    %c0 = arith.constant 0 : index
    %c2 = arith.constant 2 : index
    %c1 = arith.constant 1 : index
    scf.for %j = %c0 to %c2 step %c1 {
      %u = memref.alloc() : memref<8x4xf32>
      memref.dealloc %u : memref<8x4xf32>
    }
  }
  memref.dealloc %a : memref<64xf32>
  return
}

func.func @eval(%ctx: !llvm.ptr {nn.context}) attributes {nn.entry = #nn.entry<eval>} {
  scf.forall (%i) in (4) {
    %t = memref.alloc() : memref<1024xf32>
  }
  return
}
