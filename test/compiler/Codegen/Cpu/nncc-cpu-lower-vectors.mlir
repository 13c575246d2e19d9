// RUN: nncc-opt %s --pass-pipeline="builtin.module(func.func(nncc-cpu-lower-vectors{vector-width=512}))" | FileCheck %s --check-prefixes=CHECK,AVX512
// RUN: nncc-opt %s --pass-pipeline="builtin.module(func.func(nncc-cpu-lower-vectors{vector-width=256}))" | FileCheck %s --check-prefixes=CHECK,AVX2

// A row of 14 floats (a 14x14 image's row) is one masked zmm load and one
// masked store with AVX-512 (the first 14 of 16 lanes), not the 8 + 4 + 2
// pieces LLVM would split it into; AVX2 has no cheap masked store, so it
// keeps the plain load and store.
// CHECK-LABEL: func.func @ragged_row
// AVX512: %[[MASK:.*]] = vector.constant_mask [14] : vector<16xi1>
// AVX512: %[[WIDE:.*]] = vector.maskedload %{{.*}}[%{{.*}}, %{{.*}}], %[[MASK]], %{{.*}} : memref<4x14xf32>, vector<16xi1>, vector<16xf32> into vector<16xf32>
// AVX512: %[[ROW:.*]] = vector.extract_strided_slice %[[WIDE]] {offsets = [0], sizes = [14], strides = [1]} : vector<16xf32> to vector<14xf32>
// AVX512: %[[SUM:.*]] = arith.addf %[[ROW]], %[[ROW]] : vector<14xf32>
// AVX512: %[[OUT:.*]] = vector.insert_strided_slice %[[SUM]], %{{.*}} {offsets = [0], strides = [1]} : vector<14xf32> into vector<16xf32>
// AVX512: vector.maskedstore %{{.*}}[%{{.*}}, %{{.*}}], %{{.*}}, %[[OUT]] : memref<4x14xf32>, vector<16xi1>, vector<16xf32>
// AVX2: %[[ROW:.*]] = vector.load %{{.*}} : memref<4x14xf32>, vector<14xf32>
// AVX2: vector.store %{{.*}} : memref<4x14xf32>, vector<14xf32>
// CHECK-NOT: vector.maskedstore
// CHECK: return
func.func @ragged_row(%m: memref<4x14xf32>, %i: index) {
  %c0 = arith.constant 0 : index
  %p = ub.poison : f32
  %v = vector.transfer_read %m[%i, %c0], %p {in_bounds = [true]} : memref<4x14xf32>, vector<14xf32>
  %s = arith.addf %v, %v : vector<14xf32>
  vector.transfer_write %s, %m[%i, %c0] {in_bounds = [true]} : vector<14xf32>, memref<4x14xf32>
  return
}

// Left alone: a power-of-two width (8: one ymm), a width over a register
// (28: LLVM scalarized the shuffle from 32 lanes to 28), and a row whose
// lanes are taken out one by one (LLVM loads each straight into a
// broadcast; out of a masked vector it would shuffle each).
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: vector.masked
// CHECK: vector.load %{{.*}} : memref<28xf32>, vector<8xf32>
// CHECK: vector.load %{{.*}} : memref<28xf32>, vector<28xf32>
// CHECK: vector.load %{{.*}} : memref<28xf32>, vector<10xf32>
// CHECK-NOT: vector.masked
// CHECK: return
func.func @left_alone(%m: memref<28xf32>) -> (vector<8xf32>, vector<28xf32>, f32) {
  %c0 = arith.constant 0 : index
  %a = vector.load %m[%c0] : memref<28xf32>, vector<8xf32>
  %b = vector.load %m[%c0] : memref<28xf32>, vector<28xf32>
  %c = vector.load %m[%c0] : memref<28xf32>, vector<10xf32>
  %e = vector.extract %c[3] : f32 from vector<10xf32>
  return %a, %b, %e : vector<8xf32>, vector<28xf32>, f32
}

// Two K loops over the same steps, a 6 x 16 tile and its peeled 6 x 9
// remainder (LeNet-5's filter gradient of 25 taps), become one loop when
// their accumulators fit the registers together: with AVX-512 12 zmm
// accumulators, 2 row loads and a broadcast, sharing the broadcasts of A;
// with AVX2 the same tiles are 24 ymm accumulators, more than its 16
// registers, so the loops stay apart.
// CHECK-LABEL: func.func @sibling_k_loops
// AVX512: scf.for {{.*}} -> (vector<6x16xf32>, vector<6x9xf32>)
// AVX512-NOT: scf.for
// AVX2: scf.for {{.*}} -> (vector<6x16xf32>)
// AVX2: scf.for {{.*}} -> (vector<6x9xf32>)
// CHECK: return
func.func @sibling_k_loops(%a: memref<6x64xf32>, %b: memref<64x25xf32>, %c0v: vector<6x16xf32>, %c1v: vector<6x9xf32>) -> (vector<6x16xf32>, vector<6x9xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %p = ub.poison : f32
  %r0 = scf.for %k = %c0 to %c64 step %c1 iter_args(%acc = %c0v) -> (vector<6x16xf32>) {
    %s = memref.load %a[%c0, %k] : memref<6x64xf32>
    %x = vector.broadcast %s : f32 to vector<6x16xf32>
    %y = vector.transfer_read %b[%k, %c0], %p {in_bounds = [true]} : memref<64x25xf32>, vector<16xf32>
    %yb = vector.broadcast %y : vector<16xf32> to vector<6x16xf32>
    %r = vector.fma %x, %yb, %acc : vector<6x16xf32>
    scf.yield %r : vector<6x16xf32>
  }
  %r1 = scf.for %k = %c0 to %c64 step %c1 iter_args(%acc = %c1v) -> (vector<6x9xf32>) {
    %s = memref.load %a[%c0, %k] : memref<6x64xf32>
    %x = vector.broadcast %s : f32 to vector<6x9xf32>
    %y = vector.transfer_read %b[%k, %c16], %p {in_bounds = [true]} : memref<64x25xf32>, vector<9xf32>
    %yb = vector.broadcast %y : vector<9xf32> to vector<6x9xf32>
    %r = vector.fma %x, %yb, %acc : vector<6x9xf32>
    scf.yield %r : vector<6x9xf32>
  }
  return %r0, %r1 : vector<6x16xf32>, vector<6x9xf32>
}

// A loop that writes memory is not an accumulation: left apart.
// CHECK-LABEL: func.func @sibling_writes
// CHECK: scf.for {{.*}} -> (vector<16xf32>)
// CHECK: scf.for {{.*}} -> (vector<16xf32>)
// CHECK: return
func.func @sibling_writes(%b: memref<64x16xf32>, %v: vector<16xf32>) -> (vector<16xf32>, vector<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %p = ub.poison : f32
  %r0 = scf.for %k = %c0 to %c64 step %c1 iter_args(%acc = %v) -> (vector<16xf32>) {
    %y = vector.transfer_read %b[%k, %c0], %p {in_bounds = [true]} : memref<64x16xf32>, vector<16xf32>
    %r = arith.addf %y, %acc : vector<16xf32>
    vector.transfer_write %r, %b[%k, %c0] {in_bounds = [true]} : vector<16xf32>, memref<64x16xf32>
    scf.yield %r : vector<16xf32>
  }
  %r1 = scf.for %k = %c0 to %c64 step %c1 iter_args(%acc = %v) -> (vector<16xf32>) {
    %y = vector.transfer_read %b[%k, %c0], %p {in_bounds = [true]} : memref<64x16xf32>, vector<16xf32>
    %r = arith.addf %y, %acc : vector<16xf32>
    scf.yield %r : vector<16xf32>
  }
  return %r0, %r1 : vector<16xf32>, vector<16xf32>
}

// A register tile's epilogue that reads a memref larger than the cache (a
// residual add's 56 x 56 x 256 operand at batch 4, 12.8 MB) after its K
// loop gets a prefetch of each line it reads before the loop: 2 rows of 32
// floats, 2 lines each (prefetchEpilogueReads). The read of a small memref
// (the bias, in cache) gets none.
// CHECK-LABEL: func.func @epilogue_prefetch
// CHECK-COUNT-4: memref.prefetch %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}], read, locality<3>, data : memref<4x4x56x56x64xf32>
// CHECK-NOT: memref.prefetch
// CHECK: scf.for
// CHECK-NOT: memref.prefetch
// CHECK: return
func.func @epilogue_prefetch(%x: memref<64x2xf32>, %w: memref<64x32xf32>, %res: memref<4x4x56x56x64xf32>, %bias: memref<2x32xf32>, %n: index, %p: index) -> vector<2x32xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %pad = ub.poison : f32
  %zero = arith.constant dense<0.0> : vector<2x32xf32>
  %acc = scf.for %k = %c0 to %c64 step %c1 iter_args(%a = %zero) -> (vector<2x32xf32>) {
    %xv = vector.transfer_read %x[%k, %c0], %pad {in_bounds = [true]} : memref<64x2xf32>, vector<2xf32>
    %wv = vector.transfer_read %w[%k, %c0], %pad {in_bounds = [true]} : memref<64x32xf32>, vector<32xf32>
    %o = vector.outerproduct %xv, %wv, %a : vector<2xf32>, vector<32xf32>
    scf.yield %o : vector<2x32xf32>
  }
  %r = vector.transfer_read %res[%n, %c0, %p, %c0, %c0], %pad {in_bounds = [true, true]} : memref<4x4x56x56x64xf32>, vector<2x32xf32>
  %b = vector.transfer_read %bias[%c0, %c0], %pad {in_bounds = [true, true]} : memref<2x32xf32>, vector<2x32xf32>
  %s = arith.addf %acc, %r : vector<2x32xf32>
  %t = arith.addf %s, %b : vector<2x32xf32>
  return %t : vector<2x32xf32>
}

// A 1x1 convolution's tile (13 pixels x 32 channels) runs a K loop over the
// 64 input channels of a block inside a loop over the blocks: before each
// K loop come prefetches of the 13 pixels' 4 lines in the next block
// (prefetchNextBlockReads), the block index clamped to the last block. The
// filter's rows (2 lines a step, 128 in all) are over prefetchMaxLines and
// get none, and so does a K loop of fewer than prefetchMinSteps steps.
// CHECK-LABEL: func.func @next_block_prefetch
// CHECK: scf.for %[[CB:.*]] = %c0 to %c4 step %c1
// CHECK: %[[NEXT:.*]] = arith.addi %[[CB]], %c1
// CHECK: %[[BLOCK:.*]] = arith.minsi %[[NEXT]], %c3
// CHECK: memref.prefetch %{{.*}}[%c0, %[[BLOCK]], %{{.*}}, %{{.*}}, %c0], read, locality<3>, data : memref<1x4x56x56x64xf32>
// CHECK-COUNT-51: memref.prefetch %{{.*}} : memref<1x4x56x56x64xf32>
// CHECK-NOT: memref.prefetch
// CHECK: scf.for
// CHECK-NOT: memref.prefetch
// CHECK: return
func.func @next_block_prefetch(%x: memref<1x4x56x56x64xf32>, %w: memref<4x64x32xf32>, %oh: index, %ow: index, %x16: memref<1x4x56x56x16xf32>) -> (vector<13x32xf32>, vector<13x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %pad = ub.poison : f32
  %zero = arith.constant dense<0.0> : vector<13x32xf32>
  %acc = scf.for %cb = %c0 to %c4 step %c1 iter_args(%a = %zero) -> (vector<13x32xf32>) {
    %inner = scf.for %ci = %c0 to %c64 step %c1 iter_args(%b = %a) -> (vector<13x32xf32>) {
      %xv = vector.transfer_read %x[%c0, %cb, %oh, %ow, %ci], %pad {in_bounds = [true, true]} : memref<1x4x56x56x64xf32>, vector<13x1xf32>
      %wv = vector.transfer_read %w[%cb, %ci, %c0], %pad {in_bounds = [true, true]} : memref<4x64x32xf32>, vector<1x32xf32>
      %o = vector.contract {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %xv, %wv, %b : vector<13x1xf32>, vector<1x32xf32> into vector<13x32xf32>
      scf.yield %o : vector<13x32xf32>
    }
    scf.yield %inner : vector<13x32xf32>
  }
  %acc16 = scf.for %cb = %c0 to %c4 step %c1 iter_args(%a = %zero) -> (vector<13x32xf32>) {
    %inner = scf.for %ci = %c0 to %c16 step %c1 iter_args(%b = %a) -> (vector<13x32xf32>) {
      %xv = vector.transfer_read %x16[%c0, %cb, %oh, %ow, %ci], %pad {in_bounds = [true, true]} : memref<1x4x56x56x16xf32>, vector<13x1xf32>
      %wv = vector.transfer_read %w[%cb, %ci, %c0], %pad {in_bounds = [true, true]} : memref<4x64x32xf32>, vector<1x32xf32>
      %o = vector.contract {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %xv, %wv, %b : vector<13x1xf32>, vector<1x32xf32> into vector<13x32xf32>
      scf.yield %o : vector<13x32xf32>
    }
    scf.yield %inner : vector<13x32xf32>
  }
  return %acc, %acc16 : vector<13x32xf32>, vector<13x32xf32>
}

// Weights of rows of filters broadcast along a tile of images (the
// images-innermost convolution: (d0, 0) reads [3, 64] of w[f, c, kh, kw])
// are three scalar loads, each broadcast to a row, not one vector of three
// broadcast to [64, 3] and transposed (LLVM went through the stack).
// CHECK-LABEL: func.func @broadcast_rows
// CHECK: %[[W0:.*]] = memref.load %arg0[%arg3, %arg4, %c0, %c0] : memref<6x16x5x5xf32>
// CHECK: vector.broadcast %[[W0]] : f32 to vector<64xf32>
// CHECK: %[[F1:.*]] = arith.addi %arg3, %c1 : index
// CHECK: %[[W1:.*]] = memref.load %arg0[%[[F1]], %arg4, %c0, %c0]
// CHECK: vector.broadcast %[[W1]] : f32 to vector<64xf32>
// CHECK: %[[F2:.*]] = arith.addi %arg3, %c2 : index
// CHECK: memref.load %arg0[%[[F2]], %arg4, %c0, %c0]
// CHECK-NOT: vector.transpose
// CHECK-NOT: vector.shuffle
// CHECK: return
#rows = affine_map<(d0, d1, d2, d3) -> (d0, 0)>
func.func @broadcast_rows(%w: memref<6x16x5x5xf32>, %x: memref<64xf32>, %out: memref<3x64xf32>, %f: index, %c: index) {
  %c0 = arith.constant 0 : index
  %p = ub.poison : f32
  %wv = vector.transfer_read %w[%f, %c, %c0, %c0], %p {in_bounds = [true, true], permutation_map = #rows} : memref<6x16x5x5xf32>, vector<3x64xf32>
  %xv = vector.transfer_read %x[%c0], %p {in_bounds = [true]} : memref<64xf32>, vector<64xf32>
  %xb = vector.broadcast %xv : vector<64xf32> to vector<3x64xf32>
  %prod = arith.mulf %wv, %xb : vector<3x64xf32>
  vector.transfer_write %prod, %out[%c0, %c0] {in_bounds = [true, true]} : vector<3x64xf32>, memref<3x64xf32>
  return
}

// A K block of a blocked product (tilePackedBlocked) reads its register
// tile of C back before the K loop, from a C larger than the caches: before
// the K loop come prefetches of the tile that the next micro-panel reads
// back (prefetchNextTileAccumulators), 8 rows of 2 lines, the micro-panel
// index kept at the last one after it. A tile that starts from registers,
// and a C that stays in cache, get none.
// CHECK-LABEL: func.func @next_tile_accumulators
// CHECK: scf.for %[[MP:.*]] = %c0 to %c256 step %c1
// CHECK: scf.if
// CHECK: %[[NEXT:.*]] = arith.addi %[[MP]], %c1
// CHECK: %[[IN:.*]] = arith.cmpi slt, %[[NEXT]], %c256
// CHECK: %[[TILE:.*]] = arith.select %[[IN]], %[[NEXT]], %[[MP]]
// CHECK: %[[VIEW:.*]] = memref.subview %arg0[%[[TILE]], 0, %arg3, 0] [1, 8, 1, 32]
// CHECK: %[[ROWS:.*]] = memref.subview %[[VIEW]]
// CHECK: memref.prefetch %[[ROWS]][%c0, %c0], read, locality<3>, data
// CHECK-COUNT-15: memref.prefetch %[[ROWS]]
// CHECK-NOT: memref.prefetch
// CHECK: scf.for
// CHECK-NOT: memref.prefetch
// CHECK: return
func.func @next_tile_accumulators(%c: memref<256x8x8x32xf32>, %a: memref<256x128x8xf32>, %b: memref<8x128x32xf32>, %p: index, %first: i1, %small: memref<8x8x8x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c128 = arith.constant 128 : index
  %c256 = arith.constant 256 : index
  %pad = ub.poison : f32
  %zero = arith.constant dense<0.0> : vector<8x32xf32>
  scf.for %mp = %c0 to %c256 step %c1 {
    %view = memref.subview %c[%mp, 0, %p, 0] [1, 8, 1, 32] [1, 1, 1, 1] : memref<256x8x8x32xf32> to memref<1x8x1x32xf32, strided<[2048, 256, 32, 1], offset: ?>>
    %rows = memref.subview %view[0, 0, 0, 0] [1, 8, 1, 32] [1, 1, 1, 1] : memref<1x8x1x32xf32, strided<[2048, 256, 32, 1], offset: ?>> to memref<8x32xf32, strided<[256, 1], offset: ?>>
    %init = scf.if %first -> (vector<8x32xf32>) {
      scf.yield %zero : vector<8x32xf32>
    } else {
      %old = vector.transfer_read %rows[%c0, %c0], %pad {in_bounds = [true, true]} : memref<8x32xf32, strided<[256, 1], offset: ?>>, vector<8x32xf32>
      scf.yield %old : vector<8x32xf32>
    }
    %acc = scf.for %k = %c0 to %c128 step %c1 iter_args(%s = %init) -> (vector<8x32xf32>) {
      %av = vector.transfer_read %a[%mp, %k, %c0], %pad {in_bounds = [true, true]} : memref<256x128x8xf32>, vector<1x8xf32>
      %bv = vector.transfer_read %b[%p, %k, %c0], %pad {in_bounds = [true, true]} : memref<8x128x32xf32>, vector<1x32xf32>
      %o = vector.contract {indexing_maps = [affine_map<(m, n, k) -> (k, m)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %av, %bv, %s : vector<1x8xf32>, vector<1x32xf32> into vector<8x32xf32>
      scf.yield %o : vector<8x32xf32>
    }
    vector.transfer_write %acc, %rows[%c0, %c0] {in_bounds = [true, true]} : vector<8x32xf32>, memref<8x32xf32, strided<[256, 1], offset: ?>>
    %fresh = scf.for %k = %c0 to %c128 step %c1 iter_args(%s = %zero) -> (vector<8x32xf32>) {
      %av = vector.transfer_read %a[%mp, %k, %c0], %pad {in_bounds = [true, true]} : memref<256x128x8xf32>, vector<1x8xf32>
      %bv = vector.transfer_read %b[%p, %k, %c0], %pad {in_bounds = [true, true]} : memref<8x128x32xf32>, vector<1x32xf32>
      %o = vector.contract {indexing_maps = [affine_map<(m, n, k) -> (k, m)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %av, %bv, %s : vector<1x8xf32>, vector<1x32xf32> into vector<8x32xf32>
      scf.yield %o : vector<8x32xf32>
    }
    vector.transfer_write %fresh, %rows[%c0, %c0] {in_bounds = [true, true]} : vector<8x32xf32>, memref<8x32xf32, strided<[256, 1], offset: ?>>
  }
  scf.for %mp = %c0 to %c8 step %c1 {
    %rows = memref.subview %small[%mp, 0, %p, 0] [1, 8, 1, 32] [1, 1, 1, 1] : memref<8x8x8x32xf32> to memref<8x32xf32, strided<[256, 1], offset: ?>>
    %old = vector.transfer_read %rows[%c0, %c0], %pad {in_bounds = [true, true]} : memref<8x32xf32, strided<[256, 1], offset: ?>>, vector<8x32xf32>
    %acc = scf.for %k = %c0 to %c128 step %c1 iter_args(%s = %old) -> (vector<8x32xf32>) {
      %av = vector.transfer_read %a[%mp, %k, %c0], %pad {in_bounds = [true, true]} : memref<256x128x8xf32>, vector<1x8xf32>
      %bv = vector.transfer_read %b[%p, %k, %c0], %pad {in_bounds = [true, true]} : memref<8x128x32xf32>, vector<1x32xf32>
      %o = vector.contract {indexing_maps = [affine_map<(m, n, k) -> (k, m)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %av, %bv, %s : vector<1x8xf32>, vector<1x32xf32> into vector<8x32xf32>
      scf.yield %o : vector<8x32xf32>
    }
    vector.transfer_write %acc, %rows[%c0, %c0] {in_bounds = [true, true]} : vector<8x32xf32>, memref<8x32xf32, strided<[256, 1], offset: ?>>
  }
  return
}

// A 2x2 max pool's view [KH, OW, KW] read along OW at kw = 0 and at kw = 1
// (stride 2) is one contiguous read of the row's 28 floats, shuffled to the
// even and the odd lanes (CSE later shares the two identical loads), not
// 14 scalar loads and inserts each.
// CHECK-LABEL: func.func @strided_pool_reads
// CHECK: %[[FLAT:.*]] = memref.collapse_shape %arg0 {{\[}}[0], [1, 2]] : memref<2x14x2xf32> into memref<2x28xf32>
// CHECK: %[[ROW:.*]] = vector.load %[[FLAT]][%c1, %c0] : memref<2x28xf32>, vector<28xf32>
// CHECK: vector.shuffle %[[ROW]], %[[ROW]] [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26] : vector<28xf32>, vector<28xf32>
// CHECK: %[[ROW1:.*]] = vector.load %{{.*}}[%c1, %c0] : memref<2x28xf32>, vector<28xf32>
// CHECK: vector.shuffle %[[ROW1]], %[[ROW1]] [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27] : vector<28xf32>, vector<28xf32>
// CHECK-NOT: memref.load
// CHECK: return
#ow = affine_map<(d0, d1, d2) -> (d1)>
func.func @strided_pool_reads(%x: memref<2x14x2xf32>, %out: memref<14xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %p = ub.poison : f32
  %a = vector.transfer_read %x[%c1, %c0, %c0], %p {in_bounds = [true], permutation_map = #ow} : memref<2x14x2xf32>, vector<14xf32>
  %b = vector.transfer_read %x[%c1, %c0, %c1], %p {in_bounds = [true], permutation_map = #ow} : memref<2x14x2xf32>, vector<14xf32>
  %m = arith.maximumf %a, %b : vector<14xf32>
  vector.transfer_write %m, %out[%c0] {in_bounds = [true]} : vector<14xf32>, memref<14xf32>
  return
}

// Strides past 4 elements (a column of a matrix, rows of 8) and inner
// indices that are not constants stay element by element: a contiguous read
// would load 8 times the lanes it keeps, or could not tell which to keep.
// CHECK-LABEL: func.func @strided_reads_left_alone
// CHECK-NOT: vector.shuffle
// CHECK-COUNT-2: memref.load
// CHECK-NOT: vector.shuffle
// CHECK: return
#column = affine_map<(d0, d1) -> (d0)>
func.func @strided_reads_left_alone(%x: memref<4x8xf32>, %y: memref<4x2xf32>, %j: index) -> (vector<4xf32>, vector<4xf32>) {
  %c0 = arith.constant 0 : index
  %p = ub.poison : f32
  %a = vector.transfer_read %x[%c0, %c0], %p {in_bounds = [true], permutation_map = #column} : memref<4x8xf32>, vector<4xf32>
  %b = vector.transfer_read %y[%c0, %j], %p {in_bounds = [true], permutation_map = #column} : memref<4x2xf32>, vector<4xf32>
  return %a, %b : vector<4xf32>, vector<4xf32>
}

// A batch-1 layer's K loop streams its filters (4 MiB, a row of 32 floats a
// step), over 2000 times larger than its pixels: each step prefetches the two
// lines 8 KiB further on in the filters' memory (through the next blocks of
// K: the flat position, clamped to the last element). The same loop over
// pixels more than a quarter of the filters' size (a batch of 16, whose
// filters later tiles find in L2) gets no prefetch.
// CHECK-LABEL: func.func @streamed_filters
// CHECK: scf.for %[[K:.*]] = %c0 to %c64
// CHECK: %[[FLAT:.*]] = memref.collapse_shape %arg0 {{\[}}[0, 1, 2]] : memref<512x64x32xf32> into memref<1048576xf32>
// CHECK: %[[AT0:.*]] = arith.minsi %{{.*}}, %c1048575 : index
// CHECK: memref.prefetch %[[FLAT]][%[[AT0]]], read, locality<3>, data
// CHECK: %[[AT1:.*]] = arith.minsi %{{.*}}, %c1048575 : index
// CHECK: memref.prefetch %[[FLAT]][%[[AT1]]], read, locality<3>, data
// CHECK-NOT: memref.prefetch
// CHECK-LABEL: func.func @filters_in_cache
// CHECK-NOT: memref.prefetch
// CHECK: return
func.func @streamed_filters(%w: memref<512x64x32xf32>, %x: memref<7x64xf32>, %out: memref<7x32xf32>, %b: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %p = ub.poison : f32
  %init = arith.constant dense<0.0> : vector<7x32xf32>
  %acc = scf.for %k = %c0 to %c64 step %c1 iter_args(%a = %init) -> (vector<7x32xf32>) {
    %xv = vector.transfer_read %x[%c0, %k], %p {in_bounds = [true, true]} : memref<7x64xf32>, vector<7x1xf32>
    %wv = vector.transfer_read %w[%b, %k, %c0], %p {in_bounds = [true, true]} : memref<512x64x32xf32>, vector<1x32xf32>
    %r = vector.contract {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %xv, %wv, %a : vector<7x1xf32>, vector<1x32xf32> into vector<7x32xf32>
    scf.yield %r : vector<7x32xf32>
  }
  vector.transfer_write %acc, %out[%c0, %c0] {in_bounds = [true, true]} : vector<7x32xf32>, memref<7x32xf32>
  return
}
func.func @filters_in_cache(%w: memref<512x64x32xf32>, %x: memref<4096x128xf32>, %out: memref<7x32xf32>, %b: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %p = ub.poison : f32
  %init = arith.constant dense<0.0> : vector<7x32xf32>
  %acc = scf.for %k = %c0 to %c64 step %c1 iter_args(%a = %init) -> (vector<7x32xf32>) {
    %xv = vector.transfer_read %x[%b, %k], %p {in_bounds = [true, true]} : memref<4096x128xf32>, vector<7x1xf32>
    %wv = vector.transfer_read %w[%b, %k, %c0], %p {in_bounds = [true, true]} : memref<512x64x32xf32>, vector<1x32xf32>
    %r = vector.contract {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %xv, %wv, %a : vector<7x1xf32>, vector<1x32xf32> into vector<7x32xf32>
    scf.yield %r : vector<7x32xf32>
  }
  vector.transfer_write %acc, %out[%c0, %c0] {in_bounds = [true, true]} : vector<7x32xf32>, memref<7x32xf32>
  return
}

// The rows of a K-chunked convolution read each chunk of 8 input channels
// of a filter too large for the caches (4.7 MB) again, the first row from
// memory: every filter read also prefetches its lines in the next chunk,
// or in the first chunk of the next block after the block's last (the
// last block's first again at the very end). Without the rows (each chunk
// read once) nothing is prefetched.
// CHECK-LABEL: func.func @next_chunk_filters
// CHECK: scf.for %[[CB:.*]] = %c0 to %c64 step %c1
// CHECK: scf.for %[[C:.*]] = %c0 to %c64 step %c8
// CHECK: %[[NEXT:.*]] = arith.addi %[[C]], %c8 : index
// CHECK: %[[WRAPS:.*]] = arith.cmpi sge, %[[NEXT]], %c64 : index
// CHECK: %[[C2:.*]] = arith.select %[[WRAPS]], %c0, %[[NEXT]] : index
// CHECK: %[[NB:.*]] = arith.addi %[[CB]], %c1 : index
// CHECK: %[[LB:.*]] = arith.minsi %[[NB]], %c63 : index
// CHECK: %[[CB2:.*]] = arith.select %[[WRAPS]], %[[LB]], %[[CB]] : index
// CHECK: scf.for %{{.*}} = %c0 to %c7 step %c1
// CHECK: scf.for %[[KH:.*]] = %c0 to %c3 step %c1 iter_args
// CHECK: scf.for %[[CI:.*]] = %c0 to %c8 step %c1 iter_args
// CHECK: %[[I2:.*]] = affine.apply #{{.*}}()[%[[C2]], %[[CI]]]
// CHECK: memref.prefetch %arg0[%[[CB2]], %[[KH]], %[[I2]], %c0], read, locality<3>, data
// CHECK: memref.prefetch %arg0[%[[CB2]], %[[KH]], %[[I2]], %c16], read, locality<3>, data
// CHECK-NOT: memref.prefetch
// CHECK-LABEL: func.func @chunks_read_once
// CHECK-NOT: memref.prefetch
// CHECK: return
func.func @next_chunk_filters(%w: memref<64x9x64x32xf32>, %x: memref<16x64xf32>, %out: memref<7x7x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c7 = arith.constant 7 : index
  %c8 = arith.constant 8 : index
  %c64 = arith.constant 64 : index
  %p = ub.poison : f32
  %init = arith.constant dense<0.0> : vector<7x32xf32>
  scf.for %cb = %c0 to %c64 step %c1 {
    scf.for %c = %c0 to %c64 step %c8 {
      scf.for %row = %c0 to %c7 step %c1 {
        %acc = scf.for %kh = %c0 to %c3 step %c1 iter_args(%a0 = %init) -> (vector<7x32xf32>) {
          %r0 = scf.for %ci = %c0 to %c8 step %c1 iter_args(%a = %a0) -> (vector<7x32xf32>) {
            %i = affine.apply affine_map<()[s0, s1] -> (s0 + s1)>()[%c, %ci]
            %xv = vector.transfer_read %x[%row, %i], %p {in_bounds = [true, true]} : memref<16x64xf32>, vector<7x1xf32>
            %wv = vector.transfer_read %w[%cb, %kh, %i, %c0], %p {in_bounds = [true, true]} : memref<64x9x64x32xf32>, vector<1x32xf32>
            %r = vector.contract {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %xv, %wv, %a : vector<7x1xf32>, vector<1x32xf32> into vector<7x32xf32>
            scf.yield %r : vector<7x32xf32>
          }
          scf.yield %r0 : vector<7x32xf32>
        }
        vector.transfer_write %acc, %out[%row, %c0, %c0] {in_bounds = [true, true]} : vector<7x32xf32>, memref<7x7x32xf32>
      }
    }
  }
  return
}
func.func @chunks_read_once(%w: memref<64x9x64x32xf32>, %x: memref<16x64xf32>, %out: memref<64x7x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c8 = arith.constant 8 : index
  %c64 = arith.constant 64 : index
  %p = ub.poison : f32
  %init = arith.constant dense<0.0> : vector<7x32xf32>
  scf.for %cb = %c0 to %c64 step %c1 {
    scf.for %c = %c0 to %c64 step %c8 {
      %acc = scf.for %kh = %c0 to %c3 step %c1 iter_args(%a0 = %init) -> (vector<7x32xf32>) {
        %r0 = scf.for %ci = %c0 to %c8 step %c1 iter_args(%a = %a0) -> (vector<7x32xf32>) {
          %i = affine.apply affine_map<()[s0, s1] -> (s0 + s1)>()[%c, %ci]
          %xv = vector.transfer_read %x[%c0, %i], %p {in_bounds = [true, true]} : memref<16x64xf32>, vector<7x1xf32>
          %wv = vector.transfer_read %w[%cb, %kh, %i, %c0], %p {in_bounds = [true, true]} : memref<64x9x64x32xf32>, vector<1x32xf32>
          %r = vector.contract {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %xv, %wv, %a : vector<7x1xf32>, vector<1x32xf32> into vector<7x32xf32>
          scf.yield %r : vector<7x32xf32>
        }
        scf.yield %r0 : vector<7x32xf32>
      }
      vector.transfer_write %acc, %out[%cb, %c0, %c0] {in_bounds = [true, true]} : vector<7x32xf32>, memref<64x7x32xf32>
    }
  }
  return
}

// A Winograd product at batch 1 reads the transformed filter U[a, k, n]
// (4 MiB, from memory) 32 columns of a row a step: every such read also
// prefetches the same columns 64 rows (8 KiB of this stream) further on,
// past the K loop's end the next columns' first rows (the last columns'
// again after the last). With V as large as U (batch 16, where U stays
// in L2 for most tiles) nothing is prefetched.
// CHECK-LABEL: func.func @streamed_columns
// CHECK: scf.for %[[N:.*]] = %c0 to %c256 step %c32
// CHECK: scf.for %[[K:.*]] = %c0 to %c256 step %c1
// CHECK: %[[LATER:.*]] = arith.addi %[[K]], %c64 : index
// CHECK: %[[WRAPS:.*]] = arith.cmpi sge, %[[LATER]], %c256 : index
// CHECK: %[[NEXT:.*]] = arith.addi %[[N]], %c32 : index
// CHECK: %[[LAST:.*]] = arith.minsi %[[NEXT]], %c224 : index
// CHECK: %[[FIRST:.*]] = arith.subi %[[LATER]], %c256 : index
// CHECK: %[[ROW:.*]] = arith.select %[[WRAPS]], %[[FIRST]], %[[LATER]] : index
// CHECK: %[[COL:.*]] = arith.select %[[WRAPS]], %[[LAST]], %[[N]] : index
// CHECK: memref.prefetch %arg0[%arg3, %[[ROW]], %[[COL]]], read, locality<3>, data
// CHECK: %[[COL16:.*]] = arith.addi %[[COL]], %c16 : index
// CHECK: memref.prefetch %arg0[%arg3, %[[ROW]], %[[COL16]]], read, locality<3>, data
// CHECK-NOT: memref.prefetch
// CHECK-LABEL: func.func @columns_in_cache
// CHECK-NOT: memref.prefetch
// CHECK: return
func.func @streamed_columns(%u: memref<16x256x256xf32>, %v: memref<16x49x256xf32>, %out: memref<7x256xf32>, %a: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %c256 = arith.constant 256 : index
  %p = ub.poison : f32
  %init = arith.constant dense<0.0> : vector<7x32xf32>
  scf.for %n = %c0 to %c256 step %c32 {
    %acc = scf.for %k = %c0 to %c256 step %c1 iter_args(%x = %init) -> (vector<7x32xf32>) {
      %vv = vector.transfer_read %v[%a, %c0, %k], %p {in_bounds = [true, true]} : memref<16x49x256xf32>, vector<7x1xf32>
      %uu = vector.transfer_read %u[%a, %k, %n], %p {in_bounds = [true, true]} : memref<16x256x256xf32>, vector<1x32xf32>
      %r = vector.contract {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %vv, %uu, %x : vector<7x1xf32>, vector<1x32xf32> into vector<7x32xf32>
      scf.yield %r : vector<7x32xf32>
    }
    vector.transfer_write %acc, %out[%c0, %n] {in_bounds = [true, true]} : vector<7x32xf32>, memref<7x256xf32>
  }
  return
}
func.func @columns_in_cache(%u: memref<16x256x256xf32>, %v: memref<16x784x256xf32>, %out: memref<7x256xf32>, %a: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %c256 = arith.constant 256 : index
  %p = ub.poison : f32
  %init = arith.constant dense<0.0> : vector<7x32xf32>
  scf.for %n = %c0 to %c256 step %c32 {
    %acc = scf.for %k = %c0 to %c256 step %c1 iter_args(%x = %init) -> (vector<7x32xf32>) {
      %vv = vector.transfer_read %v[%a, %c0, %k], %p {in_bounds = [true, true]} : memref<16x784x256xf32>, vector<7x1xf32>
      %uu = vector.transfer_read %u[%a, %k, %n], %p {in_bounds = [true, true]} : memref<16x256x256xf32>, vector<1x32xf32>
      %r = vector.contract {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %vv, %uu, %x : vector<7x1xf32>, vector<1x32xf32> into vector<7x32xf32>
      scf.yield %r : vector<7x32xf32>
    }
    vector.transfer_write %acc, %out[%c0, %n] {in_bounds = [true, true]} : vector<7x32xf32>, memref<7x256xf32>
  }
  return
}
