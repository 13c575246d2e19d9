// RUN: nncc-opt %s --pass-pipeline="builtin.module(func.func(nncc-cpu-tile-and-vectorize{vector-width=512}),cse,canonicalize)" | FileCheck %s --check-prefixes=CHECK,AVX512
// RUN: nncc-opt %s --pass-pipeline="builtin.module(func.func(nncc-cpu-tile-and-vectorize{vector-width=256}),cse,canonicalize)" | FileCheck %s --check-prefixes=CHECK,AVX2

#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> (d1)>
#map4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// A dense layer: the matmul, the fill of its accumulator and the bias + relu
// chain (fused into one generic first) become one loop nest of register
// tiles: an scf.forall over rows of tiles (the parallel loop), an scf.for
// over the tiles of a row. The cost model picks 4x64 with AVX-512 (16 zmm
// accumulators) and 4x16 with AVX2 (8 ymm). K streams one step at a time
// with the accumulator in registers (a loop-carried vector); the epilogue
// runs on that vector before the one store of the tile.
// CHECK-LABEL: func.func @dense_relu
// CHECK-NOT: linalg.
// CHECK: scf.forall (%[[I:.*]]) = (0) to (64) step (4)
// AVX512: scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %c64
// AVX2: scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %c16
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

// A convolution becomes an im2col copy (a generic over [N, C, KH, KW, OH,
// OW], ow innermost: unit-stride rows) and a batched contraction of the
// filter [F, C*KH*KW] with it, tiled the same way; the image's unit
// dimension is dropped from the tile, which vectorizes to a plain 2-D
// contraction. The relu consuming the convolution is collapsed to [N, F,
// OH*OW] and fused into the tiles as their epilogue; the zero fill of the
// accumulator is made again in that shape and fused too (the K loop starts
// from a zero vector, no memset of the output). The copy's rows of OW = 8
// elements are each one vector read and write (vectorizeRows). The
// product (55K multiply-adds) is below CpuMachine::parallelMinMacs: its
// rows of tiles are an scf.for, not a loop for the threads.
// CHECK-LABEL: func.func @conv
// CHECK: %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : vector<4x{{16|64}}xf32>
// CHECK-COUNT-5: scf.for
// CHECK: %[[ROW:.*]] = vector.transfer_read %{{.*}} {in_bounds = [true]} : tensor<2x3x10x10xf32>, vector<8xf32>
// CHECK: vector.transfer_write %[[ROW]], %{{.*}} : vector<8xf32>, tensor<1x1x1x1x1x8xf32>
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2, 3], [4, 5]] : tensor<2x3x3x3x8x8xf32> into tensor<2x27x64xf32>
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2, 3]] : tensor<16x3x3x3xf32> into tensor<16x27xf32>
// CHECK-NOT: linalg.fill
// CHECK-NOT: scf.forall
// CHECK: scf.for %{{.*}} iter_args(%{{.*}} = %[[ZERO]])
// CHECK: vector.contract {{.*}} : vector<4x1xf32>, vector<1x{{[0-9]+}}xf32> into vector<4x[[W:[0-9]+]]xf32>
// CHECK: scf.yield
// CHECK: arith.maximumf %{{.*}} : vector<4x[[W]]xf32>
// CHECK-NOT: linalg.
// CHECK: tensor.expand_shape
// CHECK-NOT: linalg.
// CHECK: return
func.func @conv(%x: tensor<2x3x10x10xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<2x16x8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x16x8x8xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<2x16x8x8xf32>) -> tensor<2x16x8x8xf32>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<2x3x10x10xf32>, tensor<16x3x3x3xf32>) outs(%fill : tensor<2x16x8x8xf32>) -> tensor<2x16x8x8xf32>
  %relu = linalg.generic {indexing_maps = [#map4, #map4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c : tensor<2x16x8x8xf32>) outs(%e : tensor<2x16x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<2x16x8x8xf32>
  return %relu : tensor<2x16x8x8xf32>
}

// Integer products are left to the loop lowering.
// CHECK-LABEL: func.func @integer_matmul
// CHECK-NOT: scf.forall
// CHECK: linalg.matmul
func.func @integer_matmul(%a: tensor<4x8xi32>, %b: tensor<8x16xi32>, %c: tensor<4x16xi32>) -> tensor<4x16xi32> {
  %r = linalg.matmul ins(%a, %b : tensor<4x8xi32>, tensor<8x16xi32>) outs(%c : tensor<4x16xi32>) -> tensor<4x16xi32>
  return %r : tensor<4x16xi32>
}

// N = 200 is not a multiple of the tile width: the loop over a row's tiles
// is peeled, and the last tile is static too, as wide as the remainder (200
// = 3 x 64 + 8 with AVX-512, 12 x 16 + 8 with AVX2).
// CHECK-LABEL: func.func @remainder
// AVX512: scf.for %{{.*}} = %{{.*}} to %c192 step %c64
// AVX512: vector.contract {{.*}} into vector<2x64xf32>
// AVX512: vector.contract {{.*}} into vector<2x8xf32>
// AVX2: scf.for %{{.*}} = %{{.*}} to %c192 step %c16
// AVX2: vector.contract {{.*}} into vector<2x16xf32>
// AVX2: vector.contract {{.*}} into vector<2x8xf32>
func.func @remainder(%a: tensor<2x32xf32>, %b: tensor<32x200xf32>, %c: tensor<2x200xf32>) -> tensor<2x200xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<2x32xf32>, tensor<32x200xf32>) outs(%c : tensor<2x200xf32>) -> tensor<2x200xf32>
  return %r : tensor<2x200xf32>
}

// Other ops with at least 64K iterations get their first parallel dimension
// of more than one iteration split by an scf.forall (the thread pool's
// loop); the loops inside stay for the loop lowering. Smaller ones are left
// whole: waking a thread would cost more than it saves.
// Either way their short rows (32 and 8 elements) are vectors.
// CHECK-LABEL: func.func @big_elementwise
// CHECK: scf.forall (%[[C:.*]]) in (64)
// CHECK: tensor.extract_slice %{{.*}}[0, %[[C]], 0, 0] [1, 1, 32, 32]
// CHECK: scf.for
// CHECK: vector.transfer_read {{.*}} : tensor<1x64x32x32xf32>, vector<32xf32>
// CHECK: arith.maximumf {{.*}} : vector<32xf32>
// CHECK-LABEL: func.func @small_elementwise
// CHECK-NOT: scf.forall
// CHECK: scf.for
// CHECK: vector.transfer_read {{.*}} : tensor<1x4x8x8xf32>, vector<8xf32>
// CHECK: arith.maximumf {{.*}} : vector<8xf32>
func.func @big_elementwise(%x: tensor<1x64x32x32xf32>) -> tensor<1x64x32x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x64x32x32xf32>
  %relu = linalg.generic {indexing_maps = [#map4, #map4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x64x32x32xf32>) outs(%e : tensor<1x64x32x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x64x32x32xf32>
  return %relu : tensor<1x64x32x32xf32>
}
func.func @small_elementwise(%x: tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x8x8xf32>
  %relu = linalg.generic {indexing_maps = [#map4, #map4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x4x8x8xf32>) outs(%e : tensor<1x4x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x4x8x8xf32>
  return %relu : tensor<1x4x8x8xf32>
}

// A batch whose im2col copy would exceed 64 MiB (4 x 37.7 MB here) but one
// image's would not: an scf.for over the images around the copy and the
// contraction of one image (the copy itself split over the channels).
// CHECK-LABEL: func.func @conv_per_image
// CHECK: scf.for %[[N:.*]] = %c0 to %c4 step %c1
// CHECK: tensor.empty() : tensor<1x64x3x3x128x128xf32>
// CHECK: scf.forall
// Rows of 128: 8 zmm (vectors), over 8 ymm (left to LLVM).
// AVX512: vector.transfer_read {{.*}} vector<128xf32>
// AVX2: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x1x3x3x128x128xf32>)
// CHECK: scf.forall
// CHECK: vector.contract
// CHECK: tensor.insert_slice %{{.*}}[%[[N]], 0, 0, 0] [1, 64, 128, 128]
func.func @conv_per_image(%x: tensor<4x64x130x130xf32>, %w: tensor<64x64x3x3xf32>) -> tensor<4x64x128x128xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x64x128x128xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<4x64x128x128xf32>) -> tensor<4x64x128x128xf32>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<4x64x130x130xf32>, tensor<64x64x3x3xf32>) outs(%fill : tensor<4x64x128x128xf32>) -> tensor<4x64x128x128xf32>
  return %c : tensor<4x64x128x128xf32>
}


// One image's product (29M multiply-adds) is work for the threads, so the
// batch is split into images even though the batch's copy would fit: each
// image's copy is read back while in cache. The bias broadcast that starts
// the accumulator and the relu both come into the image loop and then into
// the tiles (a vector.broadcast of the bias, a maximumf of the result): no
// pass over the output of their own. One image's B (576 x 784 floats) is
// over 1 MiB, so columns of tiles go outermost, and each column's 576 x w
// panel is first copied to a contiguous buffer that the rows of tiles then
// read. There are at least 8 full columns (24 of 32 with AVX-512, 49 of 16
// with AVX2), so the columns are the parallel loop (an scf.forall whose
// tiles each insert their own column) with the panel in it, and the rows of
// each column an scf.for. N = 784 is not a multiple of 32: the last column
// is a static, vectorized 16 wide (its loop of one iteration is inlined),
// with its rows parallel.
// CHECK-LABEL: func.func @conv_columns
// CHECK-SAME: %[[B:[^:]*]]: tensor<64xf32>
// CHECK-NOT: linalg.generic
// CHECK: scf.for %{{.*}} = %c0 to %c2 step %c1
// CHECK: tensor.empty() : tensor<1x64x3x3x28x28xf32>
// AVX512: %[[COLUMNS:.*]] = scf.forall (%[[COL:.*]]) = (0) to (768) step (32) shared_outs(%[[OUT:.*]] = %{{.*}})
// AVX512: %[[PANEL:.*]] = tensor.empty() : tensor<1x576x32xf32>
// AVX2: %[[COLUMNS:.*]] = scf.forall (%[[COL:.*]]) = (0) to (784) step (16) shared_outs(%[[OUT:.*]] = %{{.*}})
// AVX2: %[[PANEL:.*]] = tensor.empty() : tensor<1x576x16xf32>
// CHECK: %[[PACKED:.*]] = scf.for {{.*}} iter_args(%{{.*}} = %[[PANEL]])
// CHECK: vector.transfer_read %{{.*}}[%c0, %{{.*}}, %[[COL]]]
// CHECK: %[[MINE:.*]] = tensor.extract_slice %[[OUT]][0, 0, %[[COL]]]
// CHECK: %[[ROWS:.*]] = scf.for {{.*}} iter_args(%{{.*}} = %[[MINE]])
// CHECK: %[[BIAS:.*]] = vector.transfer_read %[[B]]
// CHECK: vector.broadcast %[[BIAS]]
// CHECK: scf.for
// CHECK: vector.transfer_read %[[PACKED]]
// AVX512: vector.contract {{.*}} into vector<8x32xf32>
// AVX2: vector.contract {{.*}} into vector<4x16xf32>
// CHECK: arith.maximumf
// CHECK: scf.forall.in_parallel
// CHECK-NEXT: tensor.parallel_insert_slice %[[ROWS]] into %[[OUT]][0, 0, %[[COL]]]
// AVX512: tensor.empty() : tensor<1x576x16xf32>
// AVX512: tensor.extract_slice %[[COLUMNS]][0, 0, 768] [1, 64, 16]
// AVX512: scf.forall
// AVX512: vector.broadcast
// AVX512: vector.contract {{.*}} into vector<8x16xf32>
// AVX512: arith.maximumf
// CHECK-NOT: linalg.generic
// CHECK: return
#bias = affine_map<(n, f, h, w) -> (f)>
func.func @conv_columns(%x: tensor<2x64x30x30xf32>, %w: tensor<64x64x3x3xf32>, %b: tensor<64xf32>) -> tensor<2x64x28x28xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x64x28x28xf32>
  %init = linalg.generic {indexing_maps = [#bias, #map4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%b : tensor<64xf32>) outs(%e : tensor<2x64x28x28xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<2x64x28x28xf32>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<2x64x30x30xf32>, tensor<64x64x3x3xf32>) outs(%init : tensor<2x64x28x28xf32>) -> tensor<2x64x28x28xf32>
  %relu = linalg.generic {indexing_maps = [#map4, #map4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c : tensor<2x64x28x28xf32>) outs(%e : tensor<2x64x28x28xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<2x64x28x28xf32>
  return %relu : tensor<2x64x28x28xf32>
}

// A convolution over a batch whose images are too small to be work for the
// threads (240K multiply-adds each; LeNet-5's second layer in a training
// step, where the filter is a parameter) keeps one im2col copy for the
// batch, [64, 150, 100]: 3.8 MB, but a row of tiles reads one image's 150 x
// 100 floats (the image is tiled by one with the rows), which stay in cache.
// So the rows of tiles, over (image, filters), are the parallel loop, and
// the tiles read the copy in place: no column loop outside and no panel
// copy (which had been 5.7% of the LeNet-5 step).
// CHECK-LABEL: func.func @conv_batch_rows
// CHECK: tensor.empty() : tensor<64x6x5x5x10x10xf32>
// CHECK-NOT: tensor.empty
// CHECK: tensor.empty() : tensor<64x16x100xf32>
// AVX512: scf.forall (%[[N:.*]], %[[F:.*]]) = (0, 0) to (64, 16) step (1, 8)
// AVX2: scf.forall (%[[N:.*]], %[[F:.*]]) = (0, 0) to (64, 16) step (1, 4)
// AVX512: scf.for %[[P:.*]] = %c0 to %c96 step %c32
// AVX2: scf.for %[[P:.*]] = %c0 to %c96 step %c16
// CHECK-NOT: tensor.empty
// CHECK: scf.for %[[K:.*]] = %c0 to %c150 step %c1
// CHECK: vector.transfer_read %{{.*}}[%[[N]], %[[K]], %[[P]]]
// AVX512: vector.contract {{.*}} into vector<8x32xf32>
// AVX2: vector.contract {{.*}} into vector<4x16xf32>
// CHECK: scf.forall.in_parallel
// CHECK: return
func.func @conv_batch_rows(%x: tensor<64x6x14x14xf32>, %w: tensor<16x6x5x5xf32>) -> tensor<64x16x10x10xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x16x10x10xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<64x16x10x10xf32>) -> tensor<64x16x10x10xf32>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<64x6x14x14xf32>, tensor<16x6x5x5xf32>) outs(%fill : tensor<64x16x10x10xf32>) -> tensor<64x16x10x10xf32>
  return %c : tensor<64x16x10x10xf32>
}

// A strided convolution's copy reads its rows with stride 2: not a plain
// vector load, so the rows stay loops.
// CHECK-LABEL: func.func @strided_conv_copy
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<1x3x9x9xf32>) outs(%{{.*}} : tensor<1x3x3x3x4x4xf32>)
// CHECK: vector.contract
func.func @strided_conv_copy(%x: tensor<1x3x9x9xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x8x4x4xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %w : tensor<1x3x9x9xf32>, tensor<8x3x3x3xf32>) outs(%fill : tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  return %c : tensor<1x8x4x4xf32>
}

// A filter gradient's sum over the batch, [N, F, K] -> [F, K] in f64: the
// reductions are outer loops and the last is parallel, so the rows take the
// path of the short rows. The loops keep their order (n, then f), each an
// scf.for, and the 150-wide rows (longer than 8 vectors) run in the largest
// divisor that fits (75 with AVX-512, 50 with AVX2): a vector read of the
// f32 row, its extension and an add into the accumulator's row.
// CHECK-LABEL: func.func @batch_sum_rows
// CHECK: scf.for %[[N:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args
// CHECK: scf.for %[[F:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args
// AVX512: scf.for %[[K:.*]] = %{{.*}} to %{{.*}} step %c75 iter_args
// AVX2: scf.for %[[K:.*]] = %{{.*}} to %{{.*}} step %c50 iter_args
// CHECK: %[[ROW:.*]] = vector.transfer_read %{{.*}}[%[[N]], %[[F]], %[[K]]], %{{.*}} {in_bounds = [true]} : tensor<64x16x150xf32>, vector<[[W:[0-9]+]]xf32>
// CHECK: %[[ACC:.*]] = vector.transfer_read %{{.*}}[%[[F]], %[[K]]], %{{.*}} {in_bounds = [true]} : tensor<16x150xf64>, vector<[[W]]xf64>
// CHECK: %[[WIDE:.*]] = arith.extf %[[ROW]] : vector<[[W]]xf32> to vector<[[W]]xf64>
// CHECK: arith.addf %[[WIDE]], %[[ACC]] : vector<[[W]]xf64>
func.func @batch_sum_rows(%x: tensor<64x16x150xf32>) -> tensor<16x150xf64> {
  %zero = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<16x150xf64>
  %init = linalg.fill ins(%zero : f64) outs(%e : tensor<16x150xf64>) -> tensor<16x150xf64>
  %sum = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>], iterator_types = ["reduction", "parallel", "parallel"]} ins(%x : tensor<64x16x150xf32>) outs(%init : tensor<16x150xf64>) {
  ^bb0(%in: f32, %out: f64):
    %w = arith.extf %in : f32 to f64
    %a = arith.addf %w, %out : f64
    linalg.yield %a : f64
  } -> tensor<16x150xf64>
  return %sum : tensor<16x150xf64>
}

// A bias gradient's first pass, [N, C, H, W] -> [C, W] in f64 over rows of
// 28: not whole vectors of f64 with AVX-512 (8 lanes), so the rows run in
// the largest power of two that divides them, 4 (one ymm of f64, no
// shuffles); whole vectors with AVX2 (4 lanes), so whole rows.
// CHECK-LABEL: func.func @bias_sum_rows
// AVX512: scf.for %{{.*}} = %c0 to %c28 step %c4 iter_args
// AVX512: vector.transfer_read {{.*}} : tensor<64x6x28x28xf32>, vector<4xf32>
// AVX512: arith.extf %{{.*}} : vector<4xf32> to vector<4xf64>
// AVX2-NOT: step %c4
// AVX2: vector.transfer_read {{.*}} : tensor<64x6x28x28xf32>, vector<28xf32>
// AVX2: arith.extf %{{.*}} : vector<28xf32> to vector<28xf64>
func.func @bias_sum_rows(%x: tensor<64x6x28x28xf32>) -> tensor<6x28xf64> {
  %zero = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<6x28xf64>
  %init = linalg.fill ins(%zero : f64) outs(%e : tensor<6x28xf64>) -> tensor<6x28xf64>
  %sum = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d1, d3)>], iterator_types = ["reduction", "parallel", "reduction", "parallel"]} ins(%x : tensor<64x6x28x28xf32>) outs(%init : tensor<6x28xf64>) {
  ^bb0(%in: f32, %out: f64):
    %w = arith.extf %in : f32 to f64
    %a = arith.addf %w, %out : f64
    linalg.yield %a : f64
  } -> tensor<6x28xf64>
  return %sum : tensor<6x28xf64>
}

// A max pool's gradient over windows that tile the input: the argmax
// (elementwise over the windows [N, C, OH, OW]) is read broadcast over the
// routing's kernel loops (n, c, oh, kh, kw, ow), so it is not fused into
// them (it would be computed KH * KW times per window). Each stays its own
// op, with rows along ow: the argmax's reads of the window's elements
// (strided), the routing's contiguous read of the argmax and the gradient,
// and its write with stride KW.
// CHECK-LABEL: func.func @pool_routing
// CHECK: %[[ARGMAX:.*]] = scf.for
// CHECK: arith.cmpf ogt, %{{.*}}, %{{.*}} : vector<14xf32>
// CHECK: arith.select %{{.*}}, %{{.*}}, %{{.*}} : vector<14xi1>, vector<14xi64>
// CHECK: scf.for
// CHECK: vector.transfer_read %[[ARGMAX]]{{.*}} : tensor<2x6x14x14xi64>, vector<14xi64>
// CHECK: vector.transfer_read {{.*}} : tensor<2x6x14x14xf32>, vector<14xf32>
// CHECK-NOT: arith.cmpf
// CHECK: arith.cmpi eq, %{{.*}}, %{{.*}} : vector<14xi64>
// CHECK: vector.transfer_write {{.*}} : vector<14x1xf32>, tensor<1x1x1x1x14x1xf32>
func.func @pool_routing(%x: tensor<2x6x14x2x14x2xf32>, %g: tensor<2x6x14x14xf32>) -> tensor<2x6x14x2x14x2xf32> {
  %c2 = arith.constant 2 : index
  %c28 = arith.constant 28 : index
  %zero = arith.constant 0.0 : f32
  %x00 = tensor.extract_slice %x[0, 0, 0, 0, 0, 0] [2, 6, 14, 1, 14, 1] [1, 1, 1, 1, 1, 1] : tensor<2x6x14x2x14x2xf32> to tensor<2x6x14x14xf32>
  %x01 = tensor.extract_slice %x[0, 0, 0, 0, 0, 1] [2, 6, 14, 1, 14, 1] [1, 1, 1, 1, 1, 1] : tensor<2x6x14x2x14x2xf32> to tensor<2x6x14x14xf32>
  %ei = tensor.empty() : tensor<2x6x14x14xi64>
  %argmax = linalg.generic {indexing_maps = [#map4, #map4, #map4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x00, %x01 : tensor<2x6x14x14xf32>, tensor<2x6x14x14xf32>) outs(%ei : tensor<2x6x14x14xi64>) {
  ^bb0(%a: f32, %b: f32, %out: i64):
    %oh = linalg.index 2 : index
    %ow = linalg.index 3 : index
    %h = arith.muli %oh, %c2 : index
    %row = arith.muli %h, %c28 : index
    %w = arith.muli %ow, %c2 : index
    %at0 = arith.addi %row, %w : index
    %at1 = arith.addi %at0, %c2 : index
    %i0 = arith.index_cast %at0 : index to i64
    %i1 = arith.index_cast %at1 : index to i64
    %better = arith.cmpf ogt, %b, %a : f32
    %where = arith.select %better, %i1, %i0 : i64
    linalg.yield %where : i64
  } -> tensor<2x6x14x14xi64>
  %e = tensor.empty() : tensor<2x6x14x2x14x2xf32>
  %routed = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d5)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d5)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d5, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%argmax, %g : tensor<2x6x14x14xi64>, tensor<2x6x14x14xf32>) outs(%e : tensor<2x6x14x2x14x2xf32>) {
  ^bb0(%winner: i64, %gv: f32, %out: f32):
    %oh = linalg.index 2 : index
    %kh = linalg.index 3 : index
    %kw = linalg.index 4 : index
    %ow = linalg.index 5 : index
    %h0 = arith.muli %oh, %c2 : index
    %h = arith.addi %h0, %kh : index
    %w0 = arith.muli %ow, %c2 : index
    %w = arith.addi %w0, %kw : index
    %row = arith.muli %h, %c28 : index
    %flat = arith.addi %row, %w : index
    %here = arith.index_cast %flat : index to i64
    %hit = arith.cmpi eq, %winner, %here : i64
    %v = arith.select %hit, %gv, %zero : f32
    linalg.yield %v : f32
  } -> tensor<2x6x14x2x14x2xf32>
  return %routed : tensor<2x6x14x2x14x2xf32>
}

// A row of i1 stays a loop: a vector of i1 is stored as packed bits, a
// tensor of i1 one byte per element.
// CHECK-LABEL: func.func @bool_rows
// CHECK-NOT: vector.
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<4x8xi1>)
func.func @bool_rows(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> tensor<4x8xi1> {
  %e = tensor.empty() : tensor<4x8xi1>
  %gt = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %y : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xi1>) {
  ^bb0(%a: f32, %b: f32, %out: i1):
    %c = arith.cmpf ogt, %a, %b : f32
    linalg.yield %c : i1
  } -> tensor<4x8xi1>
  return %gt : tensor<4x8xi1>
}

// A convolution with few filters (6, at most CpuMachine::directConvMaxFilters)
// and unit strides runs direct, without an im2col copy: rows of filters by
// output columns of whole vectors (6x16 and the peeled remainder, 28 = 16 +
// 12, with AVX-512; 6x8 and 28 = 3 x 8 + 4 with AVX2), the zero accumulator
// in registers, and one tap (c, kh, kw) per step: an FMA of the broadcast
// weights by input rows read in place. With AVX-512 a tile spans two output
// rows (chooseConvRows: 6 FMAs per tap would wait on the FMA latency, 12 keep
// both pipes busy), each tap reading two input rows; AVX2's 16 registers
// hold one row. 235K multiply-adds: an scf.for, not a loop for the threads.
// CHECK-LABEL: func.func @direct_conv
// CHECK-NOT: scf.forall
// CHECK-NOT: tensor<2x1x5x5x28x28xf32>
// AVX512: scf.for %{{.*}} = %c0 to %c28 step %c2
// AVX512: vector.transfer_read %{{.*}} : tensor<2x1x32x32xf32>, vector<2x16xf32>
// AVX512: vector.fma %{{.*}} : vector<6x2x16xf32>
// AVX512: vector.fma %{{.*}} : vector<6x2x12xf32>
// AVX2: scf.for %{{.*}} = %c0 to %c28 step %c1
// AVX2: vector.fma %{{.*}} : vector<6x8xf32>
// AVX2: vector.fma %{{.*}} : vector<6x4xf32>
func.func @direct_conv(%x: tensor<2x1x32x32xf32>, %w: tensor<6x1x5x5xf32>) -> tensor<2x6x28x28xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x6x28x28xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<2x6x28x28xf32>) -> tensor<2x6x28x28xf32>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<2x1x32x32xf32>, tensor<6x1x5x5xf32>) outs(%fill : tensor<2x6x28x28xf32>) -> tensor<2x6x28x28xf32>
  return %c : tensor<2x6x28x28xf32>
}

// An input gradient's convolution: the 10x10 output gradient padded with
// zeros by 4 on each side, a 5x5 kernel, 14x14 out. The taps whose input
// row is in the padding add nothing, so each output row oh runs its kernel
// rows kh in [max(0, 4 - oh), min(5, 14 - oh)) (skipPaddedRows): 50 of the
// 70 (row, kh) pairs. A tile of two rows from oh (AVX-512) reads rows
// oh + kh and oh + kh + 1, so it skips only the kh whose rows are both in
// the padding: [max(0, 3 - oh), min(5, 14 - oh)).
// CHECK-LABEL: func.func @direct_conv_padded
// CHECK: %[[PAD:.*]] = tensor.pad
// AVX512: scf.forall (%[[OH:.*]]) = (0) to (14) step (2)
// AVX2: scf.forall (%[[OH:.*]]) in (14)
// CHECK: scf.for %{{.*}} = %c0 to %c16 step %c1
// AVX512: %[[ABOVE:.*]] = arith.subi %c3, %[[OH]] : index
// AVX2: %[[ABOVE:.*]] = arith.subi %c4, %[[OH]] : index
// CHECK: %[[FIRST:.*]] = arith.maxsi %[[ABOVE]], %c0 : index
// CHECK: %[[BELOW:.*]] = arith.subi %c14, %[[OH]] : index
// CHECK: %[[END:.*]] = arith.minsi %[[BELOW]], %c5 : index
// CHECK: scf.for %[[KH:.*]] = %[[FIRST]] to %[[END]] step %c1
// CHECK: scf.for %{{.*}} = %c0 to %c5 step %c1
// CHECK: %[[ROW:.*]] = affine.apply #{{.*}}()[%[[OH]], %[[KH]]]
// CHECK: vector.transfer_read %[[PAD]][%{{.*}}, %{{.*}}, %[[ROW]], %{{.*}}]
// A padding of ones is not skipped.
// CHECK-LABEL: func.func @direct_conv_padded_ones
// CHECK-NOT: arith.maxsi
// CHECK: return
func.func @direct_conv_padded(%g: tensor<1x16x10x10xf32>, %w: tensor<6x16x5x5xf32>) -> tensor<1x6x14x14xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %g low[0, 0, 4, 4] high[0, 0, 4, 4] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x16x10x10xf32> to tensor<1x16x18x18xf32>
  %e = tensor.empty() : tensor<1x6x14x14xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<1x6x14x14xf32>) -> tensor<1x6x14x14xf32>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%p, %w : tensor<1x16x18x18xf32>, tensor<6x16x5x5xf32>) outs(%fill : tensor<1x6x14x14xf32>) -> tensor<1x6x14x14xf32>
  return %c : tensor<1x6x14x14xf32>
}
func.func @direct_conv_padded_ones(%g: tensor<1x16x10x10xf32>, %w: tensor<6x16x5x5xf32>) -> tensor<1x6x14x14xf32> {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %p = tensor.pad %g low[0, 0, 4, 4] high[0, 0, 4, 4] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %one : f32
  } : tensor<1x16x10x10xf32> to tensor<1x16x18x18xf32>
  %e = tensor.empty() : tensor<1x6x14x14xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<1x6x14x14xf32>) -> tensor<1x6x14x14xf32>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%p, %w : tensor<1x16x18x18xf32>, tensor<6x16x5x5xf32>) outs(%fill : tensor<1x6x14x14xf32>) -> tensor<1x6x14x14xf32>
  return %c : tensor<1x6x14x14xf32>
}

// The same input gradient for a batch of 64 (whole vectors of images) runs
// with the images innermost (tileBatchInnermostConv): the gradient as
// [1600, 64] by a 2-D transpose in blocks, viewed as [C, H, W, N] and
// padded along H and W only; rows of tiles over (rows of filters, output
// pixel), each tile 3 filters by 64 images (AVX-512: 4 zmm per filter) or 16
// images (AVX2), taps over (c, kh, kw) with the padded rows AND columns
// skipped: kh in [max(0, 4 - oh), min(5, 14 - oh)), kw in [max(0, 4 - ow),
// min(5, 14 - ow)); the [6, 14, 14, 64] result transposed back to
// [64, 6, 14, 14].
// CHECK-LABEL: func.func @batch_innermost_conv
// CHECK: tensor.collapse_shape %arg0 {{\[\[}}0], [1, 2, 3]] : tensor<64x16x10x10xf32> into tensor<64x1600xf32>
// CHECK: vector.transpose
// CHECK: %[[PAD:.*]] = tensor.pad %{{.*}} low[0, 4, 4, 0] high[0, 4, 4, 0]
// CHECK: scf.forall (%{{.*}}, %[[OH:.*]], %[[OW:.*]]) = (0, 0, 0) to (6, 14, 14) step (3, 1, 1)
// CHECK: scf.for %[[C:.*]] = %c0 to %c16 step %c1
// CHECK: %[[ABOVE:.*]] = arith.subi %c4, %[[OH]] : index
// CHECK: %[[FIRST:.*]] = arith.maxsi %[[ABOVE]], %c0 : index
// CHECK: %[[BELOW:.*]] = arith.subi %c14, %[[OH]] : index
// CHECK: %[[END:.*]] = arith.minsi %[[BELOW]], %c5 : index
// CHECK: scf.for %[[KH:.*]] = %[[FIRST]] to %[[END]] step %c1
// CHECK: %[[LEFT:.*]] = arith.subi %c4, %[[OW]] : index
// CHECK: %[[FIRSTW:.*]] = arith.maxsi %[[LEFT]], %c0 : index
// CHECK: %[[RIGHT:.*]] = arith.subi %c14, %[[OW]] : index
// CHECK: %[[ENDW:.*]] = arith.minsi %[[RIGHT]], %c5 : index
// CHECK: scf.for %[[KW:.*]] = %[[FIRSTW]] to %[[ENDW]] step %c1
// AVX512: vector.transfer_read %[[PAD]][%[[C]], %{{.*}}, %{{.*}}, %c0]{{.*}} : tensor<16x18x18x64xf32>, vector<64xf32>
// AVX2: vector.transfer_read %[[PAD]][%[[C]], %{{.*}}, %{{.*}}, %{{.*}}]{{.*}} : tensor<16x18x18x64xf32>, vector<16xf32>
// AVX512: vector.fma %{{.*}} : vector<3x64xf32>
// AVX2: vector.fma %{{.*}} : vector<3x16xf32>
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1, 2], [3]] : tensor<6x14x14x64xf32> into tensor<1176x64xf32>
// CHECK: vector.transpose
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2, 3]] output_shape [64, 6, 14, 14]
func.func @batch_innermost_conv(%g: tensor<64x16x10x10xf32>, %w: tensor<6x16x5x5xf32>) -> tensor<64x6x14x14xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %g low[0, 0, 4, 4] high[0, 0, 4, 4] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<64x16x10x10xf32> to tensor<64x16x18x18xf32>
  %e = tensor.empty() : tensor<64x6x14x14xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<64x6x14x14xf32>) -> tensor<64x6x14x14xf32>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%p, %w : tensor<64x16x18x18xf32>, tensor<6x16x5x5xf32>) outs(%fill : tensor<64x6x14x14xf32>) -> tensor<64x6x14x14xf32>
  return %c : tensor<64x6x14x14xf32>
}

// A constant filter [16, 2] (entries 2f + k) is packed at compile time into
// panels of the register tile's 4 rows, [16 / 4, K, 4]: a K step's 4 filter
// values are adjacent, and the next step's follow. The product runs over
// [N, 16 / 4, 4, OH * OW]; the bias broadcast is expanded to [4, 4] and
// fused into the tiles as their start.
// CHECK-LABEL: func.func @packed_filter
// CHECK-SAME: %[[B:[^:]*]]: tensor<16xf32>
// CHECK: %[[W:.*]] = arith.constant dense<{{\[\[\[}}0.000000e+00, 2.000000e+00, 4.000000e+00, 6.000000e+00], [1.000000e+00, 3.000000e+00, 5.000000e+00, 7.000000e+00]], {{\[\[}}8.000000e+00, 1.000000e+01, 1.200000e+01, 1.400000e+01], [9.000000e+00
// CHECK-SAME: tensor<4x2x4xf32>
// CHECK: %[[BIAS:.*]] = tensor.expand_shape %[[B]] {{\[\[}}0, 1]] output_shape [4, 4]
// CHECK-NOT: linalg.generic
// CHECK: scf.for %[[FB:.*]] = %c0 to %c4 step %c1
// CHECK: vector.transfer_read %[[BIAS]][%[[FB]], %c0]
// CHECK: vector.broadcast
// CHECK: vector.transfer_read %[[W]][%[[FB]], %{{.*}}, %c0]{{.*}} : tensor<4x2x4xf32>, vector<1x4xf32>
// CHECK: vector.contract {{.*}} into vector<4x{{16|64}}xf32>
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2], [3]] : tensor<1x4x4x64xf32> into tensor<1x16x64xf32>
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @packed_filter(%x: tensor<1x2x8x8xf32>, %b: tensor<16xf32>) -> tensor<1x16x8x8xf32> {
  %w = arith.constant dense<[[[[0.0]], [[1.0]]], [[[2.0]], [[3.0]]], [[[4.0]], [[5.0]]], [[[6.0]], [[7.0]]], [[[8.0]], [[9.0]]], [[[10.0]], [[11.0]]], [[[12.0]], [[13.0]]], [[[14.0]], [[15.0]]], [[[16.0]], [[17.0]]], [[[18.0]], [[19.0]]], [[[20.0]], [[21.0]]], [[[22.0]], [[23.0]]], [[[24.0]], [[25.0]]], [[[26.0]], [[27.0]]], [[[28.0]], [[29.0]]], [[[30.0]], [[31.0]]]]> : tensor<16x2x1x1xf32>
  %e = tensor.empty() : tensor<1x16x8x8xf32>
  %init = linalg.generic {indexing_maps = [#bias, #map4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%b : tensor<16xf32>) outs(%e : tensor<1x16x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x16x8x8xf32>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x2x8x8xf32>, tensor<16x2x1x1xf32>) outs(%init : tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32>
  return %c : tensor<1x16x8x8xf32>
}

// A depthwise convolution (one input and one output channel per group, unit
// strides) runs as rows of taps: a loop over (image, channel, output row),
// then the kernel taps (kh, kw) one at a time, each an FMA of the broadcast
// weight by an input row read in place, the accumulator row in a register
// across the taps.
// CHECK-LABEL: func.func @depthwise
// CHECK-NOT: linalg.
// CHECK: scf.for %{{.*}} = %c0 to %c4 step %c1
// CHECK: scf.for %{{.*}} = %c0 to %c8 step %c1
// CHECK: scf.for %{{.*}} = %c0 to %c3 step %c1 iter_args(%{{.*}}) -> (vector<8xf32>)
// CHECK: scf.for %{{.*}} = %c0 to %c3 step %c1 iter_args(%{{.*}}) -> (vector<8xf32>)
// CHECK: %[[ROW:.*]] = vector.transfer_read %{{.*}} : tensor<1x4x1x10x10xf32>, vector<8xf32>
// CHECK: %[[W:.*]] = vector.broadcast %{{.*}} : vector<f32> to vector<8xf32>
// CHECK: vector.fma %[[ROW]], %[[W]], %{{.*}} : vector<8xf32>
// CHECK-NOT: linalg.
// CHECK: return
func.func @depthwise(%x: tensor<1x4x1x10x10xf32>, %w: tensor<4x1x1x3x3xf32>) -> tensor<1x4x1x8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x1x8x8xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x1x8x8xf32>) -> tensor<1x4x1x8x8xf32>
  %c = linalg.conv_2d_ngchw_gfchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x4x1x10x10xf32>, tensor<4x1x1x3x3xf32>) outs(%fill : tensor<1x4x1x8x8xf32>) -> tensor<1x4x1x8x8xf32>
  return %c : tensor<1x4x1x8x8xf32>
}

// A row of 16 x 16 tiles would stream its 16 x 1024 A panel (64 KiB, over
// CpuMachine::kBlockBytes) from L2 once per column of tiles: the row's
// columns run K-blocked instead. The bias broadcast fills the row's
// accumulators first, by columns; then, for each block of 256 of K (16 rows x
// 256 floats, 16 KiB), the columns of tiles read and write their accumulators
// from the row's output; then the relu runs over the row by columns. The
// last column is one wide, as a tile of its 16 rows: one vector, not a
// 16 x 1 tile (which lowered to scalar FMAs).
// AVX512-LABEL: func.func @k_blocked
// AVX512: scf.forall (%[[ROW:.*]]) = (0) to (32) step (16)
// AVX512: %[[ACC:.*]] = tensor.empty() : tensor<16x49xf32>
// AVX512: %[[FILLED:.*]] = scf.for %{{.*}} = %c0 to %c48 step %c16 iter_args(%{{.*}} = %[[ACC]])
// AVX512: vector.broadcast
// AVX512: %[[FILLED1:.*]] = vector.transfer_write %{{.*}}, %[[FILLED]][%c0, %c48] {{.*}} : vector<16x1xf32>, tensor<16x49xf32>
// AVX512: %[[BLOCKS:.*]] = scf.for %[[K0:.*]] = %c0 to %c1024 step %c256 iter_args(%{{.*}} = %[[FILLED1]])
// AVX512: scf.for %{{.*}} = %c0 to %c48 step %c16
// AVX512: vector.transfer_read {{.*}} : tensor<16x16xf32>, vector<16x16xf32>
// AVX512: scf.for %{{.*}} = %c0 to %c256 step %c1 {{.*}} -> (vector<16x16xf32>)
// AVX512: vector.contract {{.*}} into vector<16x16xf32>
// AVX512: scf.for %{{.*}} = %c0 to %c256 step %c1 {{.*}} -> (vector<16xf32>)
// AVX512: vector.contract {{.*}} iterator_types = ["parallel", "reduction"]{{.*}} into vector<16xf32>
// AVX512: scf.for %{{.*}} = %c0 to %c48 step %c16
// AVX512: vector.transfer_read %[[BLOCKS]]
// AVX512: arith.maximumf {{.*}} : vector<16x16xf32>
// AVX512: arith.maximumf {{.*}} : vector<16x1xf32>
// AVX512: tensor.parallel_insert_slice
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
func.func @k_blocked(%a: tensor<32x1024xf32>, %b: tensor<1024x49xf32>, %bias: tensor<49xf32>) -> tensor<32x49xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<32x49xf32>
  %init = linalg.generic {indexing_maps = [#col, #id2], iterator_types = ["parallel", "parallel"]} ins(%bias : tensor<49xf32>) outs(%e : tensor<32x49xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<32x49xf32>
  %mm = linalg.matmul ins(%a, %b : tensor<32x1024xf32>, tensor<1024x49xf32>) outs(%init : tensor<32x49xf32>) -> tensor<32x49xf32>
  %r = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%mm : tensor<32x49xf32>) outs(%e : tensor<32x49xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<32x49xf32>
  return %r : tensor<32x49xf32>
}

// The zero bias of both products is one broadcast of a splat (CSE merges
// equal ones: batch norms folded at their initial statistics); each product
// gets its own, as a fill (a splat folded into the broadcast's body), so it
// fuses into each one's tiles. The main product is K-blocked; the epilogue,
// tiled by columns after the blocks, brings in the other product (a residual
// branch's 1x1 convolution) as tiles of its own: 16 x 16 with its K of 64,
// not one 16 x 49 vector.
// AVX512-LABEL: func.func @k_blocked_residual
// AVX512: scf.forall
// AVX512: vector.transfer_write %{{.*}} : vector<16x16xf32>, tensor<16x49xf32>
// AVX512: scf.for %{{.*}} = %c0 to %c1024 step %c256
// AVX512: vector.contract {{.*}} into vector<16x16xf32>
// AVX512: scf.for %{{.*}} = %c0 to %c48 step %c16
// AVX512: scf.for %{{.*}} = %c0 to %c64 step %c1 {{.*}} -> (vector<16x16xf32>)
// AVX512: vector.contract {{.*}} into vector<16x16xf32>
// AVX512: arith.addf {{.*}} : vector<16x16xf32>
// AVX512-NOT: vector<16x49xf32>
// AVX512: scf.forall.in_parallel
func.func @k_blocked_residual(%a: tensor<32x1024xf32>, %b: tensor<1024x49xf32>, %c: tensor<32x64xf32>, %d: tensor<64x49xf32>) -> tensor<32x49xf32> {
  %zeros = arith.constant dense<0.0> : tensor<49xf32>
  %e = tensor.empty() : tensor<32x49xf32>
  %init = linalg.generic {indexing_maps = [#col, #id2], iterator_types = ["parallel", "parallel"]} ins(%zeros : tensor<49xf32>) outs(%e : tensor<32x49xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<32x49xf32>
  %main = linalg.matmul ins(%a, %b : tensor<32x1024xf32>, tensor<1024x49xf32>) outs(%init : tensor<32x49xf32>) -> tensor<32x49xf32>
  %side = linalg.matmul ins(%c, %d : tensor<32x64xf32>, tensor<64x49xf32>) outs(%init : tensor<32x49xf32>) -> tensor<32x49xf32>
  %r = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%main, %side : tensor<32x49xf32>, tensor<32x49xf32>) outs(%e : tensor<32x49xf32>) {
  ^bb0(%x: f32, %y: f32, %out: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<32x49xf32>
  return %r : tensor<32x49xf32>
}

// A convolution over blocks of 64 channels (nncc-cpu-block-channels'
// generic, loops (n, fb, oh, ow, fi, cb, kh, kw, ci)) and its relu: rows
// over (output row, output block) are the parallel loop (the filter, 288
// KiB, stays in cache, so a row's blocks come together and read its input
// rows from cache: blockedConvOrder); with AVX-512 a
// row's 14 pixels are columns of 5 (accumulators 5 x 4 zmm: the cost model,
// chooseBlockedConvTile) and a peeled column of 4; each tap (kh, kw, ci) is a
// [5, 1] x [1, 64] contraction: the 5 input pixels of one channel read in
// place, broadcast against the block's 64 output channels of the filter. The
// accumulator starts from a zero vector (the fill fused), and the relu runs
// on it before the tile's one store. With AVX2 (16 ymm) the block is split
// into row tiles of 16 channels, 5 x 2 ymm accumulators.
// CHECK-LABEL: func.func @blocked_conv
// AVX512: scf.forall (%[[OH:.*]], %[[FB:.*]]) in (14, 2)
// AVX512: scf.for %[[OW:.*]] = %c0 to %c10 step %c5
// AVX512: scf.for %[[KH:.*]] = %c0 to %c3 {{.*}} iter_args(%{{.*}} = %[[ZERO:.*]]) -> (vector<5x64xf32>)
// AVX512: scf.for %[[KW:.*]] = %c0 to %c3
// AVX512: scf.for %[[CI:.*]] = %c0 to %c64
// AVX512: vector.transfer_read %arg0[%c0, %c0, %{{.*}}, %{{.*}}, %[[CI]]]{{.*}} : tensor<1x1x16x16x64xf32>, vector<5x1xf32>
// AVX512: vector.transfer_read %arg1[%[[FB]], %c0, %[[KH]], %[[KW]], %[[CI]], %c0]{{.*}} : tensor<2x1x3x3x64x64xf32>, vector<1x64xf32>
// AVX512: vector.contract {{.*}} : vector<5x1xf32>, vector<1x64xf32> into vector<5x64xf32>
// AVX512: arith.maximumf %{{.*}} : vector<5x64xf32>
// AVX512: vector.transfer_write
// AVX512: vector.contract {{.*}} : vector<4x1xf32>, vector<1x64xf32> into vector<4x64xf32>
// AVX512: arith.maximumf %{{.*}} : vector<4x64xf32>
// AVX2: scf.forall ({{.*}}) = (0, 0, 0) to (14, 2, 64) step (1, 1, 16)
// AVX2: vector.contract {{.*}} : vector<5x1xf32>, vector<1x16xf32> into vector<5x16xf32>
#blocked_in = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8) -> (d0, d5, d2 + d6, d3 + d7, d8)>
#blocked_strided_in = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8) -> (d0, d5, d2 * 2 + d6, d3 * 2 + d7, d8)>
#blocked_filter = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8) -> (d1, d5, d6, d7, d8, d4)>
#blocked_out = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8) -> (d0, d1, d2, d3, d4)>
#id5 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>
func.func @blocked_conv(%x: tensor<1x1x16x16x64xf32>, %w: tensor<2x1x3x3x64x64xf32>) -> tensor<1x2x14x14x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2x14x14x64xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x14x14x64xf32>) -> tensor<1x2x14x14x64xf32>
  %c = linalg.generic {indexing_maps = [#blocked_in, #blocked_filter, #blocked_out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<1x1x16x16x64xf32>, tensor<2x1x3x3x64x64xf32>) outs(%fill : tensor<1x2x14x14x64xf32>) attrs = {nncc.blocked_conv} {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %m, %o : f32
    linalg.yield %s : f32
  } -> tensor<1x2x14x14x64xf32>
  %relu = linalg.generic {indexing_maps = [#id5, #id5], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%c : tensor<1x2x14x14x64xf32>) outs(%e : tensor<1x2x14x14x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x2x14x14x64xf32>
  return %relu : tensor<1x2x14x14x64xf32>
}

// A row of 7 pixels over blocks of 16 channels: with AVX-512 one block's
// tile would be 7 accumulators, short of the FMA latency, with a broadcast
// per FMA; the tile spans two output blocks (chooseBlockedConvTile,
// CpuMachine::blockSpanMaxPixels), the rows' parallel loop stepping over
// blocks by 2, each tap a [7, 1] x [2, 1, 16] contraction into 2 x 7 x 16
// accumulators (its loops (ow, fb, ci, fi): the filter is read in its own
// order, broadcast along the leading pixels, which the lowering folds into
// outer products), and the residual add runs on them. With AVX2 a block is
// two ymm already: tiles of 4 and 3 pixels in one block.
// CHECK-LABEL: func.func @blocked_conv_spans_blocks
// AVX512: scf.forall (%[[OH:.*]], %[[FB:.*]]) = (0, 0) to (7, 4) step (1, 2)
// AVX512: scf.for {{.*}} -> (vector<2x7x16xf32>)
// AVX512: vector.transfer_read %arg0[%c0, %{{.*}}, %[[OH]], %c0, %{{.*}}]{{.*}} : tensor<1x6x7x7x16xf32>, vector<7x1xf32>
// AVX512: vector.transfer_read %arg1[%[[FB]], {{.*}} : tensor<4x6x1x1x16x16xf32>, vector<7x2x1x16xf32>
// AVX512: vector.contract {{.*}} : vector<7x1xf32>, vector<7x2x1x16xf32> into vector<2x7x16xf32>
// AVX512: vector.transfer_read %arg2[%c0, %[[FB]], %[[OH]], %c0, %c0]{{.*}} : tensor<1x4x7x7x16xf32>, vector<2x7x16xf32>
// AVX512: arith.addf %{{.*}} : vector<2x7x16xf32>
// AVX2: scf.forall (%{{.*}}, %{{.*}}) in (7, 4)
// AVX2: vector.contract {{.*}} : vector<4x1xf32>, vector<1x16xf32> into vector<4x16xf32>
// AVX2: vector.contract {{.*}} : vector<3x1xf32>, vector<1x16xf32> into vector<3x16xf32>
func.func @blocked_conv_spans_blocks(%x: tensor<1x6x7x7x16xf32>, %w: tensor<4x6x1x1x16x16xf32>, %r: tensor<1x4x7x7x16xf32>) -> tensor<1x4x7x7x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x7x7x16xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x7x7x16xf32>) -> tensor<1x4x7x7x16xf32>
  %c = linalg.generic {indexing_maps = [#blocked_in, #blocked_filter, #blocked_out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<1x6x7x7x16xf32>, tensor<4x6x1x1x16x16xf32>) outs(%fill : tensor<1x4x7x7x16xf32>) attrs = {nncc.blocked_conv} {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %m, %o : f32
    linalg.yield %s : f32
  } -> tensor<1x4x7x7x16xf32>
  %add = linalg.generic {indexing_maps = [#id5, #id5, #id5], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%c, %r : tensor<1x4x7x7x16xf32>, tensor<1x4x7x7x16xf32>) outs(%e : tensor<1x4x7x7x16xf32>) {
  ^bb0(%in: f32, %in2: f32, %out: f32):
    %s = arith.addf %in, %in2 : f32
    linalg.yield %s : f32
  } -> tensor<1x4x7x7x16xf32>
  return %add : tensor<1x4x7x7x16xf32>
}

// The loop order moves the fewest bytes from beyond L2 (blockedConvOrder):
// a 1x1 filter of 8 blocks by 16 (2 MiB, more than 3/4 of the default 2
// MiB L2) with one image's 4 x 4 x 1024 input (64 KiB): output blocks
// outermost, each block's filter read once, the input again per block.
// With 40 images (2.6 MB of input, more than the filter, but read 8 times
// against the filter's 160): blocks first too. A filter of 8 blocks by 9
// (1.2 MB) stays in L2: images and rows outermost, blocks last, each
// image's rows read once.
// CHECK-LABEL: func.func @blocked_conv_blocks_first
// AVX512: scf.forall (%{{.*}}, %{{.*}}) in (8, 4)
// AVX2: scf.forall ({{.*}}) = (0, 0, 0) to (8, 4, 64) step (1, 1, 16)
// CHECK-LABEL: func.func @blocked_conv_images_blocks_first
// AVX512: scf.forall (%{{.*}}, %{{.*}}, %{{.*}}) in (8, 40, 4)
// AVX2: scf.forall ({{.*}}) = (0, 0, 0, 0) to (8, 40, 4, 64) step (1, 1, 1, 16)
// CHECK-LABEL: func.func @blocked_conv_rows_first
// AVX512: scf.forall (%{{.*}}, %{{.*}}, %{{.*}}) in (40, 4, 8)
// AVX2: scf.forall ({{.*}}) = (0, 0, 0, 0) to (40, 4, 8, 64) step (1, 1, 1, 16)
func.func @blocked_conv_blocks_first(%x: tensor<1x16x4x4x64xf32>, %w: tensor<8x16x1x1x64x64xf32>) -> tensor<1x8x4x4x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x8x4x4x64xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<1x8x4x4x64xf32>) -> tensor<1x8x4x4x64xf32>
  %c = linalg.generic {indexing_maps = [#blocked_in, #blocked_filter, #blocked_out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<1x16x4x4x64xf32>, tensor<8x16x1x1x64x64xf32>) outs(%fill : tensor<1x8x4x4x64xf32>) attrs = {nncc.blocked_conv} {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %m, %o : f32
    linalg.yield %s : f32
  } -> tensor<1x8x4x4x64xf32>
  return %c : tensor<1x8x4x4x64xf32>
}
func.func @blocked_conv_images_blocks_first(%x: tensor<40x16x4x4x64xf32>, %w: tensor<8x16x1x1x64x64xf32>) -> tensor<40x8x4x4x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<40x8x4x4x64xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<40x8x4x4x64xf32>) -> tensor<40x8x4x4x64xf32>
  %c = linalg.generic {indexing_maps = [#blocked_in, #blocked_filter, #blocked_out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<40x16x4x4x64xf32>, tensor<8x16x1x1x64x64xf32>) outs(%fill : tensor<40x8x4x4x64xf32>) attrs = {nncc.blocked_conv} {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %m, %o : f32
    linalg.yield %s : f32
  } -> tensor<40x8x4x4x64xf32>
  return %c : tensor<40x8x4x4x64xf32>
}
func.func @blocked_conv_rows_first(%x: tensor<40x9x4x4x64xf32>, %w: tensor<8x9x1x1x64x64xf32>) -> tensor<40x8x4x4x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<40x8x4x4x64xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<40x8x4x4x64xf32>) -> tensor<40x8x4x4x64xf32>
  %c = linalg.generic {indexing_maps = [#blocked_in, #blocked_filter, #blocked_out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<40x9x4x4x64xf32>, tensor<8x9x1x1x64x64xf32>) outs(%fill : tensor<40x8x4x4x64xf32>) attrs = {nncc.blocked_conv} {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %m, %o : f32
    linalg.yield %s : f32
  } -> tensor<40x8x4x4x64xf32>
  return %c : tensor<40x8x4x4x64xf32>
}

// A constant filter read by tiles narrower than its block (with AVX2, 16 of
// the block's 64 output channels; here a first layer's, one input channel,
// loops (n, fb, oh, ow, fi, kh, kw, c)) is regrouped at compile time so
// that each tile's filter is one contiguous run: Wp[fb, kh, kw, c, 64]
// becomes Wq[fb, 4, kh, kw, c, 16], read at the tile's group (its channel
// offset / 16) instead of at a 16-wide slice of every 64 (regroupFilter).
// With AVX-512 one tile takes the whole block.
// CHECK-LABEL: func.func @blocked_conv_regrouped
// AVX512: vector.transfer_read %{{.*}} : tensor<1x1x1x1x64xf32>, vector<1x64xf32>
// AVX2: %[[WQ:.*]] = arith.constant dense<{{\[\[\[\[\[\[}}0.000000e+00, 1.000000e+00, {{.*}}, 1.500000e+01]]]], {{\[\[\[\[}}1.600000e+01, {{.*}}> : tensor<1x4x1x1x1x16xf32>
// AVX2: scf.for %[[OH:.*]] = %c0 to %c4
// AVX2: scf.for %[[FI:.*]] = %c0 to %c64 step %c16
// AVX2: %[[GROUP:.*]] = affine.apply #{{.*}}(%[[FI]])
// AVX2: vector.transfer_read %[[WQ]][%c0, %[[GROUP]], %c0, %c0, %c0, %c0]{{.*}} : tensor<1x4x1x1x1x16xf32>, vector<1x16xf32>
// AVX2: vector.contract {{.*}} : vector<1x4xf32>, vector<1x16xf32> into vector<4x16xf32>
#first_in = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d7, d2 + d5, d3 + d6)>
#first_filter = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d5, d6, d7, d4)>
#first_out = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>
func.func @blocked_conv_regrouped(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x4x4x64xf32> {
  %w = arith.constant dense<[[[[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0, 32.0, 33.0, 34.0, 35.0, 36.0, 37.0, 38.0, 39.0, 40.0, 41.0, 42.0, 43.0, 44.0, 45.0, 46.0, 47.0, 48.0, 49.0, 50.0, 51.0, 52.0, 53.0, 54.0, 55.0, 56.0, 57.0, 58.0, 59.0, 60.0, 61.0, 62.0, 63.0]]]]]> : tensor<1x1x1x1x64xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x1x4x4x64xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<1x1x4x4x64xf32>) -> tensor<1x1x4x4x64xf32>
  %c = linalg.generic {indexing_maps = [#first_in, #first_filter, #first_out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<1x1x4x4xf32>, tensor<1x1x1x1x64xf32>) outs(%fill : tensor<1x1x4x4x64xf32>) attrs = {nncc.blocked_conv} {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %m, %o : f32
    linalg.yield %s : f32
  } -> tensor<1x1x4x4x64xf32>
  return %c : tensor<1x1x4x4x64xf32>
}

// A blocked convolution whose tiles would read 576 KiB of filter per output
// row (512 input channels x 3 x 3 taps x 32 channels: 7x7 x 512 layers,
// chooseBlockedConvKChunk) runs over chunks of 8 input channels (9 KiB of
// filter, which stays in L1 for all the rows): tasks over (block, image,
// the tile's 32 channels) are the parallel loop, each filling its
// accumulators once (the fill fused into the task, not into the chunks),
// then for each block of input channels and chunk of 8 of them, each row's
// 7 x 32 tile is read, takes the chunk's taps, and is written back. The
// relu, which needs the whole sum, runs afterwards.
// CHECK-LABEL: func.func @blocked_conv_k_chunks
// AVX512: scf.forall (%[[FI:.*]]) = (0) to (64) step (32)
// AVX512: %[[FILLED:.*]] = vector.transfer_write %{{.*}} : vector<7x7x32xf32>, tensor<1x1x7x7x32xf32>
// AVX512: scf.for %[[CB:.*]] = %c0 to %c8 step %c1 iter_args(%{{.*}} = %[[FILLED]])
// AVX512: scf.for %[[CHUNK:.*]] = %c0 to %c64 step %c8
// AVX512: scf.for %[[OH:.*]] = %c0 to %c7 step %c1
// AVX512: %[[ACC:.*]] = vector.transfer_read {{.*}} : tensor<7x32xf32>, vector<7x32xf32>
// AVX512: scf.for {{.*}} to %c3 {{.*}} iter_args(%{{.*}} = %[[ACC]])
// AVX512: scf.for {{.*}} to %c3
// AVX512: scf.for {{.*}} to %c8
// AVX512: vector.transfer_read %arg1[%c0, %[[CB]], {{.*}}, %[[FI]]]{{.*}} : tensor<1x8x3x3x64x64xf32>, vector<1x32xf32>
// AVX512: vector.contract {{.*}} : vector<7x1xf32>, vector<1x32xf32> into vector<7x32xf32>
// AVX512-NOT: arith.maximumf
// AVX512: scf.forall.in_parallel
// AVX512: arith.maximumf %{{.*}} : vector<64xf32>
func.func @blocked_conv_k_chunks(%x: tensor<1x8x9x9x64xf32>, %w: tensor<1x8x3x3x64x64xf32>) -> tensor<1x1x7x7x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x1x7x7x64xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<1x1x7x7x64xf32>) -> tensor<1x1x7x7x64xf32>
  %c = linalg.generic {indexing_maps = [#blocked_in, #blocked_filter, #blocked_out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<1x8x9x9x64xf32>, tensor<1x8x3x3x64x64xf32>) outs(%fill : tensor<1x1x7x7x64xf32>) attrs = {nncc.blocked_conv} {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %m, %o : f32
    linalg.yield %s : f32
  } -> tensor<1x1x7x7x64xf32>
  %relu = linalg.generic {indexing_maps = [#id5, #id5], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%c : tensor<1x1x7x7x64xf32>) outs(%e : tensor<1x1x7x7x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x1x7x7x64xf32>
  return %relu : tensor<1x1x7x7x64xf32>
}

// With stride 2 the pixels of a column are read through a slice with stride
// 2 (unstrideInputs): the vectorizer takes only projected permutations, and
// the map's 2 * ow left the taps as scalar loops. A row of 6 pixels is one
// tile.
// CHECK-LABEL: func.func @blocked_conv_strided
// AVX512: scf.forall (%{{.*}}) in (6)
// AVX512: tensor.extract_slice %{{.*}}[0, 0] [6, 1] [2, 1] : tensor<11x1xf32> to tensor<6x1xf32>
// AVX512: vector.contract {{.*}} : vector<6x1xf32>, vector<1x64xf32> into vector<6x64xf32>
func.func @blocked_conv_strided(%x: tensor<1x1x13x13x64xf32>, %w: tensor<1x1x3x3x64x64xf32>) -> tensor<1x1x6x6x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x1x6x6x64xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<1x1x6x6x64xf32>) -> tensor<1x1x6x6x64xf32>
  %c = linalg.generic {indexing_maps = [#blocked_strided_in, #blocked_filter, #blocked_out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<1x1x13x13x64xf32>, tensor<1x1x3x3x64x64xf32>) outs(%fill : tensor<1x1x6x6x64xf32>) attrs = {nncc.blocked_conv} {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %m, %o : f32
    linalg.yield %s : f32
  } -> tensor<1x1x6x6x64xf32>
  return %c : tensor<1x1x6x6x64xf32>
}

// A max pooling over blocks of channels (nncc-cpu-block-channels' generic)
// tiles the same way, each tap a max of [4, 64] channel vectors read
// through a slice with the pooling's stride.
// CHECK-LABEL: func.func @blocked_pool
// AVX512: scf.for %{{.*}} = %c0 to %c8 step %c4
// AVX512: tensor.extract_slice %{{.*}}[0, 0] [4, 64] [2, 1] : tensor<7x64xf32> to tensor<4x64xf32>
// AVX512: arith.maximumf %{{.*}}, %{{.*}} : vector<4x64xf32>
#pool_in = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2 * 2 + d5, d3 * 2 + d6, d4)>
#pool_window = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d5, d6)>
#pool_out = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3, d4)>
func.func @blocked_pool(%x: tensor<1x1x17x17x64xf32>) -> tensor<1x1x8x8x64xf32> {
  %lowest = arith.constant -3.40282347E+38 : f32
  %window = tensor.empty() : tensor<3x3xf32>
  %e = tensor.empty() : tensor<1x1x8x8x64xf32>
  %fill = linalg.fill ins(%lowest : f32) outs(%e : tensor<1x1x8x8x64xf32>) -> tensor<1x1x8x8x64xf32>
  %p = linalg.generic {indexing_maps = [#pool_in, #pool_window, #pool_out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%x, %window : tensor<1x1x17x17x64xf32>, tensor<3x3xf32>) outs(%fill : tensor<1x1x8x8x64xf32>) attrs = {nncc.blocked_conv} {
  ^bb0(%in: f32, %w: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<1x1x8x8x64xf32>
  return %p : tensor<1x1x8x8x64xf32>
}

// A filter gradient's per-image correlation (ConvGrad.cpp; LeNet-5's first
// layer at batch 2: 6 filters, one input channel, 5x5 taps, 28 output
// columns) runs along the output columns without patches
// (tileFilterCorrelation): the gradient's columns padded with zeros to 32
// and viewed as 2 vectors of 16 (with AVX2 4 of 8), the input's rows as far as
// the last tap reads (36), then rows over (image, 3 filters, c, kw) of
// [3, 5, 16] accumulators (with AVX2 [1, 5, 8]), one per (filter, kh) and lane,
// and taps over (oh, j): 3 gradient vectors and 5 input rows per step, 15
// FMAs. Each product is then the sum of its lanes.
// CHECK-LABEL: func.func @filter_correlation
// AVX512: tensor.pad %arg0 low[0, 0, 0, 0] high[0, 0, 0, 4]
// AVX512: tensor.pad %arg1 low[0, 0, 0, 0] high[0, 0, 0, 4]
// AVX512: tensor.expand_shape %{{.*}} {{\[}}[0], [1], [2], [3, 4]] output_shape [2, 6, 28, 2, 16]
// AVX512: scf.forall (%[[N:.*]], %[[F:.*]], %[[KW:.*]]) = (0, 0, 0) to (2, 6, 5) step (1, 3, 1)
// AVX512: scf.for %[[OH:.*]] = %c0 to %c28 step %c1 iter_args(%{{.*}}) -> (vector<3x5x16xf32>)
// AVX512: scf.for %[[J:.*]] = %c0 to %c2 step %c1 iter_args(%{{.*}}) -> (vector<3x5x16xf32>)
// AVX512: vector.transfer_read %{{.*}}[%[[N]], %[[F]], %[[OH]], %[[J]], %c0]{{.*}} : tensor<2x6x28x2x16xf32>, vector<3x5x16xf32>
// AVX512: vector.transfer_read %{{.*}}[%[[N]], %c0, %[[OH]], %{{.*}}]{{.*}} : tensor<2x1x32x36xf32>, vector<5x16xf32>
// AVX512: vector.fma {{.*}} : vector<3x5x16xf32>
// AVX512: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%{{.*}} : tensor<2x6x1x5x5x16xf32>) outs(%{{.*}} : tensor<2x6x1x5x5xf32>)
// AVX2: tensor.expand_shape %{{.*}} {{\[}}[0], [1], [2], [3, 4]] output_shape [2, 6, 28, 4, 8]
// AVX2: scf.forall (%{{.*}}, %{{.*}}, %{{.*}}) in (2, 6, 5)
// AVX2: vector.fma {{.*}} : vector<1x5x8xf32>
func.func @filter_correlation(%dy: tensor<2x6x28x28xf32>, %x: tensor<2x1x32x32xf32>) -> tensor<2x6x1x5x5xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x6x1x5x5xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<2x6x1x5x5xf32>) -> tensor<2x6x1x5x5xf32>
  %c = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d5, d6)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d2, d5 + d3, d6 + d4)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%dy, %x : tensor<2x6x28x28xf32>, tensor<2x1x32x32xf32>) outs(%fill : tensor<2x6x1x5x5xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %m, %o : f32
    linalg.yield %s : f32
  } -> tensor<2x6x1x5x5xf32>
  return %c : tensor<2x6x1x5x5xf32>
}

// A filter gradient's correlation with the filters innermost (ConvGrad.cpp;
// LeNet-5's second layer at batch 2: 16 filters, 6 input channels, 5x5
// taps, 10x10 outputs) runs as rows over (image, 3 channels, kernel row) of
// [3, 5, 16] accumulators (chooseCorrelationTile: 15 of them, the most that
// fit with the gradient's vector) and taps over (oh, ow): each tap one
// vector of the transposed gradient's filters and 15 broadcasts of the
// input, read in place (the 3 x 5 window read with the filters broadcast),
// 15 FMAs. With AVX2 the 16 filters are a loop over two columns of 8, each
// tap [2, 5, 8].
// CHECK-LABEL: func.func @filters_innermost_correlation
// AVX512: scf.forall (%[[N:.*]], %[[C:.*]], %[[KH:.*]]) = (0, 0, 0) to (2, 6, 5) step (1, 3, 1)
// AVX512: scf.for %[[OH:.*]] = %c0 to %c10 step %c1 iter_args(%{{.*}}) -> (vector<3x5x16xf32>)
// AVX512: scf.for %[[OW:.*]] = %c0 to %c10 step %c1 iter_args(%{{.*}}) -> (vector<3x5x16xf32>)
// AVX512: vector.transfer_read %arg0[%[[N]], %[[OH]], %[[OW]], %c0]{{.*}} : tensor<2x10x10x16xf32>, vector<16xf32>
// AVX512: vector.transfer_read %arg1[%[[N]], %[[C]], %{{.*}}, %[[OW]]]{{.*}} : tensor<2x6x14x14xf32>, vector<3x16x5xf32>
// AVX512: vector.fma {{.*}} : vector<3x5x16xf32>
// AVX2: scf.forall (%{{.*}}, %{{.*}}, %{{.*}}) = (0, 0, 0) to (2, 6, 5) step (1, 2, 1)
// AVX2: scf.for %{{.*}} = %c0 to %c16 step %c8
// AVX2: vector.fma {{.*}} : vector<2x5x8xf32>
func.func @filters_innermost_correlation(%dyt: tensor<2x10x10x16xf32>, %x: tensor<2x6x14x14xf32>) -> tensor<2x6x5x5x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x6x5x5x16xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<2x6x5x5x16xf32>) -> tensor<2x6x5x5x16xf32>
  %c = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d5, d6, d4)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d5 + d2, d6 + d3)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%dyt, %x : tensor<2x10x10x16xf32>, tensor<2x6x14x14xf32>) outs(%fill : tensor<2x6x5x5x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %m, %o : f32
    linalg.yield %s : f32
  } -> tensor<2x6x5x5x16xf32>
  return %c : tensor<2x6x5x5x16xf32>
}

// A gradient transposed from [N, F, OH, OW] to [N, OH, OW, F] (the filter
// gradient's filters-innermost form, ConvGrad.cpp) is a 2-D transpose of
// [F, OW] per image and output row (tileTranspose): each block one read of
// 16 rows of 10 and its transpose written as 10 rows of 16 (with AVX2,
// blocks of 8 by 5).
// CHECK-LABEL: func.func @gradient_transpose
// AVX512: scf.for %[[N:.*]] = %c0 to %c2 step %c1
// AVX512: scf.for %[[OH:.*]] = %c0 to %c10 step %c1
// AVX512: %[[R:.*]] = vector.transfer_read %arg0[%[[N]], %c0, %[[OH]], %c0]{{.*}} : tensor<2x16x10x10xf32>, vector<1x16x1x10xf32>
// AVX512: %[[T:.*]] = vector.transpose %[[R]], [0, 2, 3, 1] : vector<1x16x1x10xf32> to vector<1x1x10x16xf32>
// AVX512: vector.transfer_write %[[T]], %{{.*}}[%[[N]], %[[OH]], %c0, %c0]
// AVX2: vector.transpose %{{.*}}, [0, 2, 3, 1] : vector<1x8x1x5xf32> to vector<1x1x5x8xf32>
func.func @gradient_transpose(%dy: tensor<2x16x10x10xf32>) -> tensor<2x10x10x16xf32> {
  %e = tensor.empty() : tensor<2x10x10x16xf32>
  %t = linalg.transpose ins(%dy : tensor<2x16x10x10xf32>) outs(%e : tensor<2x10x10x16xf32>) permutation = [0, 2, 3, 1]
  return %t : tensor<2x10x10x16xf32>
}

