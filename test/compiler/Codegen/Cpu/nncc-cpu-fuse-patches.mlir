// RUN: nncc-opt %s --pass-pipeline="builtin.module(func.func(nncc-cpu-tile-and-vectorize{vector-width=512}),cse,canonicalize)" | FileCheck %s

// A filter gradient as a train step has it: one image's product of the
// output gradient [16, 100] by that image's patches [100, 150] (an im2col
// copy of the layer's input, collapsed to the product's B). One row of
// register tiles covers the 16 filters, so each image's row is the only one
// to read its patches: the copy is fused into the rows' scf.forall, each
// image copying its own patches right before its tiles read them (from
// cache, not from a copy of the whole batch made before any product ran).
// The rows vectorized in the fused copy write a slice of a per-image empty
// tensor that is then reshaped, not inserted into another empty tensor
// (which bufferized to a second buffer and a copy of each image's patches).
// CHECK-LABEL: func.func @filter_grad
// CHECK-NOT: linalg.generic
// CHECK: scf.forall (%[[N:.*]]) in (64)
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<1x10x10x6x5x5xf32>
// CHECK: vector.transfer_read %{{.*}}[%[[N]], {{.*}} : tensor<64x6x14x14xf32>, vector<5xf32>
// CHECK-NOT: tensor.insert_slice %{{.*}} into %[[EMPTY]]
// CHECK: %[[PATCHES:.*]] = tensor.expand_shape
// CHECK: %[[B:.*]] = tensor.collapse_shape %[[PATCHES]]
// CHECK: vector.transfer_read %[[B]]
// CHECK: vector.contract
// CHECK: scf.forall.in_parallel
// CHECK-NOT: linalg.generic
// CHECK: return
#patch = affine_map<(n, oh, ow, c, kh, kw) -> (n, c, oh + kh, ow + kw)>
#copy = affine_map<(n, oh, ow, c, kh, kw) -> (n, oh, ow, c, kh, kw)>
func.func @filter_grad(%x: tensor<64x6x14x14xf32>, %dy: tensor<64x16x100xf32>) -> tensor<64x16x150xf32> {
  %e = tensor.empty() : tensor<64x10x10x6x5x5xf32>
  %p = linalg.generic {indexing_maps = [#patch, #copy], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<64x6x14x14xf32>) outs(%e : tensor<64x10x10x6x5x5xf32>) {
  ^bb0(%a: f32, %b: f32):
    linalg.yield %a : f32
  } -> tensor<64x10x10x6x5x5xf32>
  %patches = tensor.collapse_shape %p [[0], [1, 2], [3, 4, 5]] : tensor<64x10x10x6x5x5xf32> into tensor<64x100x150xf32>
  %zero = arith.constant 0.0 : f32
  %init = tensor.empty() : tensor<64x16x150xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%init : tensor<64x16x150xf32>) -> tensor<64x16x150xf32>
  %r = linalg.batch_matmul ins(%dy, %patches : tensor<64x16x100xf32>, tensor<64x100x150xf32>) outs(%acc : tensor<64x16x150xf32>) -> tensor<64x16x150xf32>
  return %r : tensor<64x16x150xf32>
}

// With 32 filters, two rows of tiles read each image's patches: the copy
// stays a loop of its own before the products (fused, it would be made
// twice).
// CHECK-LABEL: func.func @filter_grad_two_rows
// CHECK: scf.forall
// CHECK: vector<5xf32>
// CHECK-NOT: vector.contract
// CHECK: scf.forall.in_parallel
// CHECK: scf.forall
// CHECK-NOT: vector<5xf32>
// CHECK: vector.contract
// CHECK: return
func.func @filter_grad_two_rows(%x: tensor<64x6x14x14xf32>, %dy: tensor<64x32x100xf32>) -> tensor<64x32x150xf32> {
  %e = tensor.empty() : tensor<64x10x10x6x5x5xf32>
  %p = linalg.generic {indexing_maps = [#patch, #copy], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<64x6x14x14xf32>) outs(%e : tensor<64x10x10x6x5x5xf32>) {
  ^bb0(%a: f32, %b: f32):
    linalg.yield %a : f32
  } -> tensor<64x10x10x6x5x5xf32>
  %patches = tensor.collapse_shape %p [[0], [1, 2], [3, 4, 5]] : tensor<64x10x10x6x5x5xf32> into tensor<64x100x150xf32>
  %zero = arith.constant 0.0 : f32
  %init = tensor.empty() : tensor<64x32x150xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%init : tensor<64x32x150xf32>) -> tensor<64x32x150xf32>
  %r = linalg.batch_matmul ins(%dy, %patches : tensor<64x32x100xf32>, tensor<64x100x150xf32>) outs(%acc : tensor<64x32x150xf32>) -> tensor<64x32x150xf32>
  return %r : tensor<64x32x150xf32>
}
