// RUN: nncc-opt %s --nncc-strided-copy-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @copies
// CHECK-SAME: (%[[A:.*]]: memref<4x4xf32>, %[[B:.*]]: memref<4x4xf32>, %[[C:.*]]: memref<6x6xf32>)
func.func @copies(%a: memref<4x4xf32>, %b: memref<4x4xf32>, %c: memref<6x6xf32>) {
  // Contiguous: stays a memref.copy (a memcpy later).
  // CHECK: memref.copy %[[A]], %[[B]]
  memref.copy %a, %b : memref<4x4xf32> to memref<4x4xf32>
  // Strided target: becomes loops through linalg.copy.
  // CHECK: %[[SUB:.*]] = memref.subview %[[C]]
  // CHECK-NOT: memref.copy
  // CHECK: linalg.copy ins(%[[A]] : memref<4x4xf32>) outs(%[[SUB]] : memref<4x4xf32, strided<[6, 1], offset: 7>>)
  %sub = memref.subview %c[1, 1] [4, 4] [1, 1] : memref<6x6xf32> to memref<4x4xf32, strided<[6, 1], offset: 7>>
  memref.copy %a, %sub : memref<4x4xf32> to memref<4x4xf32, strided<[6, 1], offset: 7>>
  return
}

// The interior of a padded blocked tensor: [1, 2, 4, 4, 16] in [1, 2, 6, 6,
// 16]. Its last two dimensions are contiguous on both sides, so the copy
// runs over rows of 4 x 16 floats (which the loops copy as vectors), not 4
// rows of 16.
// CHECK-LABEL: func.func @blocked_interior
// CHECK-SAME: (%[[X:.*]]: memref<1x2x4x4x16xf32>, %[[P:.*]]: memref<1x2x6x6x16xf32>)
// CHECK: %[[SUB:.*]] = memref.subview %[[P]][0, 0, 1, 1, 0] [1, 2, 4, 4, 16]
// CHECK-DAG: %[[FROM:.*]] = memref.collapse_shape %[[X]] {{\[\[}}0], [1], [2], [3, 4]] : memref<1x2x4x4x16xf32> into memref<1x2x4x64xf32>
// CHECK-DAG: %[[TO:.*]] = memref.collapse_shape %[[SUB]] {{\[\[}}0], [1], [2], [3, 4]] : memref<1x2x4x4x16xf32, strided<[1152, 576, 96, 16, 1], offset: 112>> into memref<1x2x4x64xf32, strided<[1152, 576, 96, 1], offset: 112>>
// CHECK: linalg.copy ins(%[[FROM]] : memref<1x2x4x64xf32>) outs(%[[TO]] : memref<1x2x4x64xf32, strided<[1152, 576, 96, 1], offset: 112>>)
func.func @blocked_interior(%x: memref<1x2x4x4x16xf32>, %p: memref<1x2x6x6x16xf32>) {
  %sub = memref.subview %p[0, 0, 1, 1, 0] [1, 2, 4, 4, 16] [1, 1, 1, 1, 1] : memref<1x2x6x6x16xf32> to memref<1x2x4x4x16xf32, strided<[1152, 576, 96, 16, 1], offset: 112>>
  memref.copy %x, %sub : memref<1x2x4x4x16xf32> to memref<1x2x4x4x16xf32, strided<[1152, 576, 96, 16, 1], offset: 112>>
  return
}

// A pad as bufferization leaves it: a fill of the padded buffer and a copy
// of the interior, here 4 x 130 x 130 and 4 x 128 x 128 elements (at least
// CpuMachine::parallelMinIterations, 64K). Each becomes an scf.forall over
// its first dimension of more than one iteration, for the thread pool; the
// small copy above stays whole.
// CHECK-LABEL: func.func @large_pad
// CHECK: scf.forall (%[[C:.*]]) in (4)
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : memref<1x1x130x130xf32, strided<[67600, 16900, 130, 1], offset: ?>>)
// CHECK: scf.forall (%[[D:.*]]) in (4)
// CHECK: linalg.copy ins(%{{.*}} : memref<1x1x128x128xf32, strided<[65536, 16384, 128, 1], offset: ?>>) outs(%{{.*}} : memref<1x1x128x128xf32, strided<[67600, 16900, 130, 1], offset: ?>>)
func.func @large_pad(%x: memref<1x4x128x128xf32>, %p: memref<1x4x130x130xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%p : memref<1x4x130x130xf32>)
  %sub = memref.subview %p[0, 0, 1, 1] [1, 4, 128, 128] [1, 1, 1, 1] : memref<1x4x130x130xf32> to memref<1x4x128x128xf32, strided<[67600, 16900, 130, 1], offset: 131>>
  memref.copy %x, %sub : memref<1x4x128x128xf32> to memref<1x4x128x128xf32, strided<[67600, 16900, 130, 1], offset: 131>>
  return
}
