// RUN: nncc-opt %s --pass-pipeline="builtin.module(func.func(nncc-cpu-tile-and-vectorize{vector-width=512}),cse,canonicalize)" | FileCheck %s --check-prefixes=CHECK,AVX512
// RUN: nncc-opt %s --pass-pipeline="builtin.module(func.func(nncc-cpu-tile-and-vectorize{vector-width=256}),cse,canonicalize)" | FileCheck %s --check-prefixes=CHECK,AVX2
// RUN: nncc-opt %s --pass-pipeline="builtin.module(func.func(nncc-cpu-tile-and-vectorize{vector-width=512},nncc-cpu-lower-vectors),cse,canonicalize)" | FileCheck %s --check-prefix=SHUFFLE
// RUN: nncc-opt %s --pass-pipeline="builtin.module(func.func(nncc-cpu-tile-and-vectorize{vector-width=512 l2-bytes=1048576}),cse,canonicalize)" | FileCheck %s --check-prefix=PANEL

// A train step's weight transpose (W[256, 784] for the forward product)
// moves in blocks of one vector register by one: an scf.forall over rows of
// blocks (the threads' loop), an scf.for over the blocks of a row, each a
// transposed vector read and one vector write; nothing is left to the
// element-by-element loops.
// CHECK-LABEL: func.func @weights
// CHECK-NOT: linalg.transpose
// AVX512: scf.forall (%[[I:.*]]) = (0) to (784) step (16)
// AVX512: scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %c16
// AVX512: %[[BLOCK:.*]] = vector.transfer_read %{{.*}}[%[[J]], %[[I]]]{{.*}} : tensor<256x784xf32>, vector<16x16xf32>
// AVX512: vector.transpose %[[BLOCK]], [1, 0] : vector<16x16xf32> to vector<16x16xf32>
// AVX2: scf.forall (%[[I:.*]]) = (0) to (784) step (8)
// AVX2: scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %c8
// AVX2: vector.transfer_read %{{.*}}[%[[J]], %[[I]]]{{.*}} : tensor<256x784xf32>, vector<8x8xf32>
// CHECK: vector.transfer_write
// CHECK: tensor.parallel_insert_slice
// CHECK-NOT: linalg.transpose
// CHECK: return
//
// The 16 x 16 block becomes the 64 two-input shuffles of 16 lanes (unpack
// low and high of 32- and 64-bit pairs, then two rounds of 128-bit lane
// shuffles), not one shuffle of a 256-element vector.
// SHUFFLE-LABEL: func.func @weights
// SHUFFLE-COUNT-64: vector.shuffle {{.*}} : vector<16xf32>, vector<16xf32>
// SHUFFLE-NOT: vector.shuffle
// SHUFFLE: return
func.func @weights(%w: tensor<256x784xf32>) -> tensor<784x256xf32> {
  %e = tensor.empty() : tensor<784x256xf32>
  %t = linalg.transpose ins(%w : tensor<256x784xf32>) outs(%e : tensor<784x256xf32>) permutation = [1, 0]
  return %t : tensor<784x256xf32>
}

// A side that no vector divides (the 10 classes) moves in the largest
// divisor up to a vector (all 10 with AVX-512, 5 with AVX2); a transpose
// this small is one thread's work: an scf.for, not an scf.forall.
// CHECK-LABEL: func.func @narrow
// CHECK-NOT: scf.forall
// AVX512: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %c16
// AVX512: vector.transfer_read %{{.*}}[%{{.*}}, %[[I]]]{{.*}} : tensor<10x128xf32>, vector<10x16xf32>
// AVX512: vector.transpose %{{.*}}, [1, 0] : vector<10x16xf32> to vector<16x10xf32>
// AVX2: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c8
// AVX2: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c5
// AVX2: vector.transpose %{{.*}}, [1, 0] : vector<5x8xf32> to vector<8x5xf32>
// CHECK-NOT: linalg.transpose
// CHECK: return
func.func @narrow(%w: tensor<10x128xf32>) -> tensor<128x10xf32> {
  %e = tensor.empty() : tensor<128x10xf32>
  %t = linalg.transpose ins(%w : tensor<10x128xf32>) outs(%e : tensor<128x10xf32>) permutation = [1, 0]
  return %t : tensor<128x10xf32>
}

// A prime side above a vector has no block: the transpose is left to the
// loops.
// CHECK-LABEL: func.func @prime
// CHECK-NOT: vector.transpose
// CHECK: linalg.transpose
func.func @prime(%w: tensor<4x17xf32>) -> tensor<17x4xf32> {
  %e = tensor.empty() : tensor<17x4xf32>
  %t = linalg.transpose ins(%w : tensor<4x17xf32>) outs(%e : tensor<17x4xf32>) permutation = [1, 0]
  return %t : tensor<17x4xf32>
}

// A dense layer of a train step reads its weights transposed (W[256, 784]
// as B[784, 256]); at batch 160 W is not twice the size of the input and
// the result, so B stays the transpose (TransposedProducts.cpp). With B
// over half the L2 the product runs columns first,
// each column's K x 64 panel copied contiguous: the copy transposes the
// panel straight from W's 64 rows, in blocks, and W is never transposed as
// a whole (written, then read back by the panel copies).
// PANEL-LABEL: func.func @dense_transposed_weights
// PANEL-NOT: linalg.transpose
// PANEL: scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %c64
// PANEL: scf.for %[[K:.*]] = %{{.*}} to %{{.*}} step %c16
// PANEL: vector.transfer_read %{{.*}}[%{{.*}}, %[[K]]]{{.*}} : tensor<256x784xf32>, vector<16x16xf32>
// PANEL: vector.transpose %{{.*}}, [1, 0] : vector<16x16xf32> to vector<16x16xf32>
// PANEL: scf.forall
// PANEL: vector.contract
// PANEL-NOT: linalg.transpose
// PANEL: return
func.func @dense_transposed_weights(%x: tensor<160x784xf32>, %w: tensor<256x784xf32>) -> tensor<160x256xf32> {
  %e = tensor.empty() : tensor<784x256xf32>
  %wt = linalg.transpose ins(%w : tensor<256x784xf32>) outs(%e : tensor<784x256xf32>) permutation = [1, 0]
  %zero = arith.constant 0.0 : f32
  %init = tensor.empty() : tensor<160x256xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%init : tensor<160x256xf32>) -> tensor<160x256xf32>
  %y = linalg.matmul ins(%x, %wt : tensor<160x784xf32>, tensor<784x256xf32>) outs(%acc : tensor<160x256xf32>) -> tensor<160x256xf32>
  return %y : tensor<160x256xf32>
}

#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> (d1)>

// A train step's dense layer: its weights W change every step, so B is a
// transpose computed on every call. W (256 x 784) is more than twice the
// input and the result together, so the product is computed as its
// transpose (TransposedProducts.cpp): the input is transposed to [784, 64]
// in blocks, W's rows are the broadcast side of the register tiles (rows of
// W by 64 batch columns), and the [256, 64] result is transposed back for
// the bias. W itself is never transposed.
// CHECK-LABEL: func.func @transposed_weights
// AVX512: vector.transfer_read %arg0{{.*}} : tensor<64x784xf32>, vector<16x16xf32>
// AVX2: vector.transfer_read %arg0{{.*}} : tensor<64x784xf32>, vector<8x8xf32>
// CHECK: scf.forall (%[[R:.*]]) = (0) to (256) step (4)
// CHECK: vector.transfer_read %arg1[%[[R]], %{{.*}}]{{.*}} : tensor<256x784xf32>, vector<4x1xf32>
// CHECK: vector.transfer_read %{{.*}} : tensor<784x64xf32>, vector<1x{{64|16}}xf32>
// CHECK: vector.contract
// CHECK: vector.transpose %{{.*}}, [1, 0]
// CHECK: tensor<64x256xf32>
// CHECK-NOT: tensor<784x256xf32>
// CHECK-LABEL: func.func @transposed_weights_one_row
// A batch of one keeps W's transpose (one row would be a product one float
// wide), and so does a W not twice the size of the input and the result.
// CHECK: tensor<784x256xf32>
// CHECK-LABEL: func.func @transposed_weights_small
// CHECK: vector.transfer_read %arg1{{.*}} : tensor<128x256xf32>, vector<{{16x16|8x8}}xf32>
// CHECK: scf.forall (%{{.*}}) = (0) to (64) step (4)
func.func @transposed_weights(%x: tensor<64x784xf32>, %w: tensor<256x784xf32>, %b: tensor<256xf32>) -> tensor<64x256xf32> {
  %e = tensor.empty() : tensor<784x256xf32>
  %wt = linalg.transpose ins(%w : tensor<256x784xf32>) outs(%e : tensor<784x256xf32>) permutation = [1, 0]
  %zero = arith.constant 0.0 : f32
  %c = tensor.empty() : tensor<64x256xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%c : tensor<64x256xf32>) -> tensor<64x256xf32>
  %p = linalg.matmul ins(%x, %wt : tensor<64x784xf32>, tensor<784x256xf32>) outs(%acc : tensor<64x256xf32>) -> tensor<64x256xf32>
  %r = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel"]} ins(%p, %b : tensor<64x256xf32>, tensor<256xf32>) outs(%c : tensor<64x256xf32>) {
  ^bb0(%in: f32, %bias: f32, %out: f32):
    %s = arith.addf %in, %bias : f32
    linalg.yield %s : f32
  } -> tensor<64x256xf32>
  return %r : tensor<64x256xf32>
}
func.func @transposed_weights_one_row(%x: tensor<1x784xf32>, %w: tensor<256x784xf32>) -> tensor<1x256xf32> {
  %e = tensor.empty() : tensor<784x256xf32>
  %wt = linalg.transpose ins(%w : tensor<256x784xf32>) outs(%e : tensor<784x256xf32>) permutation = [1, 0]
  %zero = arith.constant 0.0 : f32
  %c = tensor.empty() : tensor<1x256xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%c : tensor<1x256xf32>) -> tensor<1x256xf32>
  %p = linalg.matmul ins(%x, %wt : tensor<1x784xf32>, tensor<784x256xf32>) outs(%acc : tensor<1x256xf32>) -> tensor<1x256xf32>
  return %p : tensor<1x256xf32>
}
func.func @transposed_weights_small(%x: tensor<64x256xf32>, %w: tensor<128x256xf32>) -> tensor<64x128xf32> {
  %e = tensor.empty() : tensor<256x128xf32>
  %wt = linalg.transpose ins(%w : tensor<128x256xf32>) outs(%e : tensor<256x128xf32>) permutation = [1, 0]
  %zero = arith.constant 0.0 : f32
  %c = tensor.empty() : tensor<64x128xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%c : tensor<64x128xf32>) -> tensor<64x128xf32>
  %p = linalg.matmul ins(%x, %wt : tensor<64x256xf32>, tensor<256x128xf32>) outs(%acc : tensor<64x128xf32>) -> tensor<64x128xf32>
  return %p : tensor<64x128xf32>
}
