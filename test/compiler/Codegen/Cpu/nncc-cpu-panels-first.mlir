// RUN: nncc-opt %s --pass-pipeline="builtin.module(func.func(nncc-cpu-tile-and-vectorize{vector-width=512}),cse,canonicalize)" | FileCheck %s

// A dense layer with constant weights (inference): B is packed in panels of
// the register tile's width, and the tile is the tallest of the fastest
// (8 x 32 with AVX-512, one vector load of B per 8 FMAs). A (200 KB) fits
// half of the L2 (2 MiB by default), so the panels are the parallel loop
// and each panel's rows of tiles read it in blocks of 196 of K's 784 steps
// (196 x 32 floats: 24.5 KiB, kept in L1). The accumulators start from a
// loop that writes the fill, are carried in the panel's output from block
// to block, and the bias + relu epilogue runs in its own loop over the
// panel's rows of tiles after the last block.
// CHECK-LABEL: func.func @dense_relu_constant
// CHECK: scf.forall (%[[P:.*]]) in (8)
// CHECK: %[[FILLED:.*]] = scf.for %{{.*}} = %c0 to %c64 step %c8
// CHECK: vector.transfer_write %{{.*}} : vector<8x1x32xf32>, tensor<64x1x32xf32>
// CHECK: %[[BLOCKS:.*]] = scf.for %[[KB:.*]] = %c0 to %c784 step %c196 iter_args(%{{.*}} = %[[FILLED]])
// CHECK-NEXT: scf.for %{{.*}} = %c0 to %c64 step %c8
// CHECK: scf.for %{{.*}} = %c0 to %c196 step %c1 iter_args(%{{.*}} = %{{.*}}) -> (vector<8x32xf32>)
// CHECK: vector.contract {{.*}} : vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
// CHECK: scf.for %{{.*}} = %c0 to %c64 step %c8
// CHECK: vector.transfer_read %[[BLOCKS]]
// CHECK: arith.addf
// CHECK: arith.maximumf
// CHECK: tensor.parallel_insert_slice
#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> (d1)>
func.func @dense_relu_constant(%x: tensor<64x784xf32>, %b: tensor<256xf32>) -> tensor<64x256xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<0.5> : tensor<784x256xf32>
  %e = tensor.empty() : tensor<64x256xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<64x256xf32>) -> tensor<64x256xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<64x784xf32>, tensor<784x256xf32>) outs(%fill : tensor<64x256xf32>) -> tensor<64x256xf32>
  %relu = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel"]} ins(%mm, %b : tensor<64x256xf32>, tensor<256xf32>) outs(%e : tensor<64x256xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %s = arith.addf %in, %in_1 : f32
    %m = arith.maximumf %s, %zero : f32
    linalg.yield %m : f32
  } -> tensor<64x256xf32>
  return %relu : tensor<64x256xf32>
}

// A batch-1 layer is a single row of tiles: its panels (4 of 64 columns,
// the 1 x 64 tile) are still the outer loop, and the threads' loop when the
// product is worth sharing (2048 x 256 multiply-adds, over
// CpuMachine::parallelMinMacs); a row of tiles alone ran on one thread. A
// smaller one (64 x 256) runs its panels in a plain scf.for. Neither runs in
// K blocks: no other row would read a block of a panel again.
// CHECK-LABEL: func.func @classifier_batch1
// CHECK: scf.forall (%{{.*}}) in (4)
// CHECK-NEXT: tensor.extract_slice
// CHECK-NOT: scf.for %{{.*}} step %c8
// CHECK: scf.for %{{.*}} = %c0 to %c2048 step %c1 iter_args(%{{.*}} = %{{.*}}) -> (vector<64xf32>)
// CHECK-LABEL: func.func @small_batch1
// CHECK-NOT: scf.forall
// CHECK: scf.for %{{.*}} = %c0 to %c4 step %c1
// CHECK: scf.for %{{.*}} = %c0 to %c64 step %c1 iter_args(%{{.*}} = %{{.*}}) -> (vector<64xf32>)
// CHECK: return
func.func @classifier_batch1(%x: tensor<1x2048xf32>) -> tensor<1x256xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<0.5> : tensor<2048x256xf32>
  %e = tensor.empty() : tensor<1x256xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<1x256xf32>) -> tensor<1x256xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<1x2048xf32>, tensor<2048x256xf32>) outs(%fill : tensor<1x256xf32>) -> tensor<1x256xf32>
  return %mm : tensor<1x256xf32>
}
func.func @small_batch1(%x: tensor<1x64xf32>) -> tensor<1x256xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<0.5> : tensor<64x256xf32>
  %e = tensor.empty() : tensor<1x256xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<1x256xf32>) -> tensor<1x256xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<1x64xf32>, tensor<64x256xf32>) outs(%fill : tensor<1x256xf32>) -> tensor<1x256xf32>
  return %mm : tensor<1x256xf32>
}
