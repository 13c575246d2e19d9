// RUN: nncc-opt %s --pass-pipeline="builtin.module(func.func(nncc-cpu-tile-and-vectorize{vector-width=512}),cse,canonicalize)" | FileCheck %s --check-prefixes=CHECK,AVX512
// RUN: nncc-opt %s --pass-pipeline="builtin.module(func.func(nncc-cpu-tile-and-vectorize{vector-width=256}),cse,canonicalize)" | FileCheck %s --check-prefixes=CHECK,AVX2

#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> (d1)>

// A dense layer: the matmul, the fill of its accumulator and the bias + relu
// chain (fused into one generic first) become one loop nest of register
// tiles. The cost model picks 4x64 with AVX-512 (16 zmm accumulators) and
// 2x32 with AVX2 (8 ymm accumulators, 16 registers in all). K streams one
// step at a time with the accumulator in registers (a loop-carried vector);
// the epilogue runs on that vector before the one store of the tile.
// CHECK-LABEL: func.func @dense_relu
// CHECK-NOT: linalg.
// AVX512: scf.forall (%[[I:.*]], %[[J:.*]]) = (0, 0) to (64, 256) step (4, 64)
// AVX2: scf.forall (%[[I:.*]], %[[J:.*]]) = (0, 0) to (64, 256) step (2, 32)
// CHECK: %[[ACC:.*]] = scf.for %[[K:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%{{.*}} = %{{.*}}) -> (vector<[[TILE:[0-9]+x[0-9]+]]xf32>)
// CHECK: vector.transfer_read %{{.*}}[%[[I]], %[[K]]]
// CHECK: vector.transfer_read %{{.*}}[%[[K]], %[[J]]]
// CHECK: vector.contract
// CHECK: scf.yield
// CHECK: %[[SUM:.*]] = arith.addf %[[ACC]], %{{.*}} : vector<[[TILE]]xf32>
// CHECK: %[[RELU:.*]] = arith.maximumf %[[SUM]], %{{.*}} : vector<[[TILE]]xf32>
// CHECK: vector.transfer_write %[[RELU]]
// CHECK: tensor.parallel_insert_slice
// CHECK-NOT: linalg.
// CHECK: return

func.func @dense_relu(%x: tensor<64x784xf32>, %w: tensor<784x256xf32>, %b: tensor<256xf32>) -> tensor<64x256xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x256xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<64x256xf32>) -> tensor<64x256xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<64x784xf32>, tensor<784x256xf32>) outs(%fill : tensor<64x256xf32>) -> tensor<64x256xf32>
  %bias = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel"]} ins(%mm, %b : tensor<64x256xf32>, tensor<256xf32>) outs(%e : tensor<64x256xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %s = arith.addf %in, %in_1 : f32
    linalg.yield %s : f32
  } -> tensor<64x256xf32>
  %relu = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%bias : tensor<64x256xf32>) outs(%e : tensor<64x256xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<64x256xf32>
  return %relu : tensor<64x256xf32>
}

// A convolution becomes an im2col copy (a generic) and a batched
// contraction of the filter [F, C*KH*KW] with it, tiled the same way.
// CHECK-LABEL: func.func @conv
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2, 3]] : tensor<8x3x3x3xf32> into tensor<8x27xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<2x3x10x10xf32>) outs(%{{.*}} : tensor<2x27x64xf32>)
// CHECK: scf.forall
// CHECK: scf.for
// CHECK: vector.contract
// CHECK: tensor.expand_shape
func.func @conv(%x: tensor<2x3x10x10xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<2x8x8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x8x8x8xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<2x8x8x8xf32>) -> tensor<2x8x8x8xf32>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<2x3x10x10xf32>, tensor<8x3x3x3xf32>) outs(%fill : tensor<2x8x8x8xf32>) -> tensor<2x8x8x8xf32>
  return %c : tensor<2x8x8x8xf32>
}

// Integer products are left to the loop lowering.
// CHECK-LABEL: func.func @integer_matmul
// CHECK-NOT: scf.forall
// CHECK: linalg.matmul
func.func @integer_matmul(%a: tensor<4x8xi32>, %b: tensor<8x16xi32>, %c: tensor<4x16xi32>) -> tensor<4x16xi32> {
  %r = linalg.matmul ins(%a, %b : tensor<4x8xi32>, tensor<8x16xi32>) outs(%c : tensor<4x16xi32>) -> tensor<4x16xi32>
  return %r : tensor<4x16xi32>
}
