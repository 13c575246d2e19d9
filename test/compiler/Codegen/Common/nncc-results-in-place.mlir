// RUN: nncc-opt %s --split-input-file --nncc-results-in-place | FileCheck %s

// A weight updated in its gradient's collapsed [F, C * KH * KW] shape, by
// a loop that writes rows of the collapsed view of a [F, C, KH, KW]
// allocation and yields it, then returned as the expanded view: the
// allocation becomes the output buffer and the copy goes.
// CHECK-LABEL: func.func @train_step
// CHECK-SAME: %[[W:[^:]*]]: memref<4x2x3x3xf32> {{{.*}}}, %[[OUT:[^:]*]]: memref<4x2x3x3xf32> {{{.*}}nn.result
// CHECK-NOT: memref.alloc
// CHECK: %[[VIEW:.*]] = memref.collapse_shape %[[OUT]] {{\[}}[0], [1, 2, 3]] : memref<4x2x3x3xf32> into memref<4x18xf32>
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[VIEW]])
// CHECK: memref.expand_shape
// CHECK-NEXT: return
func.func @train_step(%ctx: !llvm.ptr {nn.context}, %w: memref<4x2x3x3xf32> {nn.abi_type = tensor<4x2x3x3xf32>, nn.input = "w"}, %out: memref<4x2x3x3xf32> {nn.abi_type = tensor<4x2x3x3xf32>, nn.output = "y", nn.result}) attributes {nn.entry = #nn.entry<train_step>} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %alloc = memref.alloc() {alignment = 64 : i64} : memref<4x2x3x3xf32>
  %src = memref.collapse_shape %w [[0], [1, 2, 3]] : memref<4x2x3x3xf32> into memref<4x18xf32>
  %dst = memref.collapse_shape %alloc [[0], [1, 2, 3]] : memref<4x2x3x3xf32> into memref<4x18xf32>
  %rows = scf.for %i = %c0 to %c4 step %c1 iter_args(%acc = %dst) -> (memref<4x18xf32>) {
    %from = memref.subview %src[%i, 0] [1, 18] [1, 1] : memref<4x18xf32> to memref<1x18xf32, strided<[18, 1], offset: ?>>
    %to = memref.subview %acc[%i, 0] [1, 18] [1, 1] : memref<4x18xf32> to memref<1x18xf32, strided<[18, 1], offset: ?>>
    memref.copy %from, %to : memref<1x18xf32, strided<[18, 1], offset: ?>> to memref<1x18xf32, strided<[18, 1], offset: ?>>
    scf.yield %acc : memref<4x18xf32>
  }
  %result = memref.expand_shape %rows [[0], [1, 2, 3]] output_shape [4, 2, 3, 3] : memref<4x18xf32> into memref<4x2x3x3xf32>
  memref.copy %result, %out : memref<4x2x3x3xf32> to memref<4x2x3x3xf32>
  return
}

// -----

// Left as they are: an allocation written after the copy (@written_after);
// an output buffer with another use (@output_read); a value of another
// shape than the output's (@other_shape, whose copy is no reshape's); a
// function that is no entry (@helper).
// CHECK-LABEL: func.func @written_after
// CHECK: memref.alloc
// CHECK: memref.copy
// CHECK: memref.store
func.func @written_after(%ctx: !llvm.ptr {nn.context}, %out: memref<2x3xf32> {nn.abi_type = tensor<2x3xf32>, nn.output = "y", nn.result}) attributes {nn.entry = #nn.entry<train_step>} {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %alloc = memref.alloc() : memref<2x3xf32>
  memref.copy %alloc, %out : memref<2x3xf32> to memref<2x3xf32>
  memref.store %zero, %alloc[%c0, %c0] : memref<2x3xf32>
  return
}

// CHECK-LABEL: func.func @output_read
// CHECK: memref.alloc
// CHECK: memref.copy
func.func @output_read(%ctx: !llvm.ptr {nn.context}, %out: memref<6xf32> {nn.abi_type = tensor<6xf32>, nn.output = "y", nn.result}, %sink: memref<6xf32> {nn.abi_type = tensor<6xf32>, nn.output = "z", nn.result}) attributes {nn.entry = #nn.entry<train_step>} {
  %alloc = memref.alloc() : memref<2x3xf32>
  %flat = memref.collapse_shape %alloc [[0, 1]] : memref<2x3xf32> into memref<6xf32>
  memref.copy %flat, %out : memref<6xf32> to memref<6xf32>
  memref.copy %out, %sink : memref<6xf32> to memref<6xf32>
  return
}

// CHECK-LABEL: func.func @other_shape
// CHECK: memref.alloc
// CHECK: memref.copy
func.func @other_shape(%ctx: !llvm.ptr {nn.context}, %out: memref<6xf32> {nn.abi_type = tensor<6xf32>, nn.output = "y", nn.result}) attributes {nn.entry = #nn.entry<train_step>} {
  %alloc = memref.alloc() : memref<12xf32>
  %part = memref.subview %alloc[0] [6] [1] : memref<12xf32> to memref<6xf32, strided<[1]>>
  memref.copy %part, %out : memref<6xf32, strided<[1]>> to memref<6xf32>
  return
}

// CHECK-LABEL: func.func @helper
// CHECK: memref.alloc
// CHECK: memref.copy
func.func @helper(%out: memref<6xf32> {nn.abi_type = tensor<6xf32>, nn.result}) {
  %alloc = memref.alloc() : memref<2x3xf32>
  %flat = memref.collapse_shape %alloc [[0, 1]] : memref<2x3xf32> into memref<6xf32>
  memref.copy %flat, %out : memref<6xf32> to memref<6xf32>
  return
}

// -----

// A product computed in packed blocks, [M / 4, 4, N / 8, 8], and returned
// as [M, N] (the same elements in the same order): the allocation becomes
// the output buffer collapsed to one dimension and expanded to the blocks'
// shape, and the copy goes.
// CHECK-LABEL: func.func @blocked
// CHECK-SAME: %[[OUT:[^:]*]]: memref<8x16xf32>
// CHECK-NOT: memref.alloc
// CHECK: %[[FLAT:.*]] = memref.collapse_shape %[[OUT]] {{\[}}[0, 1]] : memref<8x16xf32> into memref<128xf32>
// CHECK: %[[BLOCKS:.*]] = memref.expand_shape %[[FLAT]] {{\[}}[0, 1, 2, 3]] output_shape [2, 4, 2, 8] : memref<128xf32> into memref<2x4x2x8xf32>
// CHECK: memref.store %{{.*}}, %[[BLOCKS]]
// CHECK-NOT: memref.copy
func.func @blocked(%ctx: !llvm.ptr {nn.context}, %out: memref<8x16xf32> {nn.abi_type = tensor<8x16xf32>, nn.output = "y", nn.result}) attributes {nn.entry = #nn.entry<infer>} {
  %c0 = arith.constant 0 : index
  %one = arith.constant 1.0 : f32
  %alloc = memref.alloc() : memref<2x4x2x8xf32>
  memref.store %one, %alloc[%c0, %c0, %c0, %c0] : memref<2x4x2x8xf32>
  %flat = memref.collapse_shape %alloc [[0, 1], [2, 3]] : memref<2x4x2x8xf32> into memref<8x16xf32>
  memref.copy %flat, %out : memref<8x16xf32> to memref<8x16xf32>
  return
}

// Left as it is: a rank-0 value returned as [1, 1] (a reduction over all
// axes, keepdims), which no collapse and expand can view as the other.
// CHECK-LABEL: func.func @rank0
// CHECK: memref.alloc
// CHECK: memref.copy
func.func @rank0(%ctx: !llvm.ptr {nn.context}, %out: memref<1x1xf32> {nn.abi_type = tensor<1x1xf32>, nn.output = "y", nn.result}) attributes {nn.entry = #nn.entry<infer>} {
  %one = arith.constant 1.0 : f32
  %alloc = memref.alloc() : memref<f32>
  memref.store %one, %alloc[] : memref<f32>
  %view = memref.expand_shape %alloc [] output_shape [1, 1] : memref<f32> into memref<1x1xf32>
  memref.copy %view, %out : memref<1x1xf32> to memref<1x1xf32>
  return
}
