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
