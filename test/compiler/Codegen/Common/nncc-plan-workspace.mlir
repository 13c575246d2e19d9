// RUN: nncc-opt %s --split-input-file --nncc-plan-workspace | FileCheck %s

// Lives in top-level op positions, from the allocation to the last use of
// the buffer or of a view of it (the deallocations, which the pipeline puts
// at the end, do not count): %a lives to the loop, which stores into a view
// of it, %b only to the copy; %c from its allocation to its copy; %d, used
// inside the loop, for the whole loop. Placed largest first at the lowest
// 64-byte aligned offset clear of overlapping lives: %c (256 bytes) at 0,
// %a (64) at 256 (their lives overlap), %b (40) and %d (4) at 0 again
// (theirs overlap only %a's). The workspace is one allocation of 320 bytes,
// freed at the end: %a and %c, live at once, need all of it.
// CHECK: module attributes {nncc.live_temporaries_bytes = {infer = 320 : i64}}
// CHECK-LABEL: func.func @infer
// CHECK: %[[WS:.*]] = memref.alloc() {alignment = 64 : i64} : memref<320xi8>
// CHECK: %[[A:.*]] = memref.view %[[WS]][%c256{{.*}}][] : memref<320xi8> to memref<16xf32>
// CHECK: %[[B:.*]] = memref.view %[[WS]][%c0{{.*}}][] : memref<320xi8> to memref<10xf32>
// CHECK: memref.expand_shape %[[A]]
// CHECK: %[[C:.*]] = memref.view %[[WS]][%c0{{.*}}][] : memref<320xi8> to memref<64xf32>
// CHECK: %[[D:.*]] = memref.view %[[WS]][%c0{{.*}}][] : memref<320xi8> to memref<f32>
// CHECK: scf.for
// CHECK-NOT: memref.dealloc %[[A]]
// CHECK-NOT: memref.alloc()
// CHECK: memref.dealloc %[[WS]] : memref<320xi8>
// CHECK-NEXT: return
func.func @infer(%ctx: !llvm.ptr {nn.context}) attributes {nn.entry = #nn.entry<infer>} {
  %a = memref.alloc() : memref<16xf32>
  %b = memref.alloc() : memref<10xf32>
  %v = memref.expand_shape %a [[0, 1]] output_shape [4, 4] : memref<16xf32> into memref<4x4xf32>
  %w = memref.collapse_shape %v [[0, 1]] : memref<4x4xf32> into memref<16xf32>
  memref.copy %b, %b : memref<10xf32> to memref<10xf32>
  %c = memref.alloc() : memref<64xf32>
  memref.copy %c, %c : memref<64xf32> to memref<64xf32>
  %d = memref.alloc() : memref<f32>
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %x = memref.load %d[] : memref<f32>
    memref.store %x, %w[%i] : memref<16xf32>
  }
  memref.dealloc %a : memref<16xf32>
  memref.dealloc %b : memref<10xf32>
  memref.dealloc %c : memref<64xf32>
  memref.dealloc %d : memref<f32>
  return
}

// -----

// Left to the allocator: a dynamic size, a buffer passed to a call (it
// lives to the end as far as the plan knows) and one allocated inside an
// scf.forall (each thread needs its own). They count towards the live bound
// but for the dynamic one: 16 + 8 bytes at the forall. The last buffer is
// planned (4 bytes, a workspace of 4).
// CHECK: module attributes {nncc.live_temporaries_bytes = {infer = 24 : i64}}
// CHECK-LABEL: func.func @infer
// CHECK: %[[WS:.*]] = memref.alloc() {alignment = 64 : i64} : memref<4xi8>
// CHECK: memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK: %[[E:.*]] = memref.alloc() : memref<4xf32>
// CHECK: call @use(%[[E]])
// CHECK: scf.forall
// CHECK: memref.alloc() : memref<2xf32>
// CHECK: memref.view %[[WS]][%{{.*}}][] : memref<4xi8> to memref<1xf32>
// CHECK: memref.dealloc %[[E]]
// CHECK: memref.dealloc %[[WS]]
func.func private @use(memref<4xf32>)
func.func @infer(%ctx: !llvm.ptr {nn.context}, %n: index {nn.batch_size}) attributes {nn.entry = #nn.entry<infer>} {
  %dyn = memref.alloc(%n) : memref<?xf32>
  %e = memref.alloc() : memref<4xf32>
  call @use(%e) : (memref<4xf32>) -> ()
  scf.forall (%i) in (2) {
    %t = memref.alloc() : memref<2xf32>
    memref.dealloc %t : memref<2xf32>
  }
  %s = memref.alloc() : memref<1xf32>
  memref.dealloc %s : memref<1xf32>
  memref.dealloc %dyn : memref<?xf32>
  memref.dealloc %e : memref<4xf32>
  return
}
