// RUN: nncc-opt %s --pass-pipeline="builtin.module(func.func(nncc-cpu-tile-and-vectorize{vector-width=512}),cse,canonicalize)" | FileCheck %s --check-prefixes=CHECK,AVX512
// RUN: nncc-opt %s --pass-pipeline="builtin.module(func.func(nncc-cpu-tile-and-vectorize{vector-width=256}),cse,canonicalize)" | FileCheck %s --check-prefixes=CHECK,AVX2

// Blocked 3x3 stride-1 convolutions with constant filters as Winograd's
// F(m x m, 3 x 3) (compiler/Codegen/Cpu/Winograd.cpp): an input transform
// into V[a^2, tiles, C], a batch product by the filter's transform U[a^2, C,
// F] (a constant), and an output transform that adds the convolution's
// initial value. chooseWinogradTile's costs pick m per shape.

#in = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8) -> (d0, d5, d2 + d6, d3 + d7, d8)>
#filter = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8) -> (d1, d5, d6, d7, d8, d4)>
#out = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8) -> (d0, d1, d2, d3, d4)>

// 32x32 outputs: F(4x4, 3x3) (64 tiles of 4x4, a = 6), whole tiles. A task
// per tile row: its 8 tiles' 6x6 inputs read in place and transformed; with
// AVX2 in two vectors of 8 of the block's 16 channels.
// CHECK-LABEL: func.func @whole_tiles(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<1x1x34x34x16xf32>, %[[INIT:[a-z0-9]+]]: tensor<1x1x32x32x16xf32>
// CHECK: %[[V:.*]] = scf.forall (%{{.*}}) in (8) shared_outs(%{{.*}}) -> (tensor<36x64x16xf32>)
// CHECK: scf.for
// AVX2: scf.for %{{.*}} = %c0 to %c2
// AVX512: vector.transfer_read %[[X]]{{.*}} : tensor<1x1x34x34x16xf32>, vector<6x6x16xf32>
// AVX2: vector.transfer_read %[[X]]{{.*}} : tensor<1x1x34x34x16xf32>, vector<6x6x8xf32>
// CHECK: vector.fma
// AVX512: vector.transfer_write {{.*}} : vector<36x1x16xf32>, tensor<36x8x16xf32>
// AVX2: vector.transfer_write {{.*}} : vector<36x1x8xf32>, tensor<36x8x16xf32>
// The batch product over the 36 planes, register tiles of 16 channels.
// CHECK: %[[M:.*]] = scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (36, 64) {{.*}} -> (tensor<36x64x16xf32>)
// CHECK: vector.contract
// CHECK-SAME: into vector<{{[0-9]+}}x16xf32>
// The output transform: a task per tile row of the output, adding its
// initial value.
// CHECK: scf.forall (%{{.*}}) in (8) shared_outs(%{{.*}} = %[[INIT]]) -> (tensor<1x1x32x32x16xf32>)
// AVX512: vector.transfer_read %[[M]]{{.*}} : tensor<36x64x16xf32>, vector<36x16xf32>
// AVX512: %[[OLD:.*]] = vector.transfer_read {{.*}} : tensor<1x1x4x32x16xf32>, vector<4x4x16xf32>
// AVX512: arith.addf %[[OLD]], {{.*}} : vector<4x4x16xf32>
// AVX512: vector.transfer_write {{.*}} : vector<4x4x16xf32>, tensor<1x1x4x32x16xf32>
// AVX2: vector.transfer_read %[[M]]{{.*}} : tensor<36x64x16xf32>, vector<36x8xf32>
// AVX2: vector.transfer_write {{.*}} : vector<4x4x8xf32>, tensor<1x1x4x32x16xf32>
// CHECK-NOT: nncc.blocked_conv
func.func @whole_tiles(%x: tensor<1x1x34x34x16xf32>, %init: tensor<1x1x32x32x16xf32>) -> tensor<1x1x32x32x16xf32> {
  %w = arith.constant dense<1.0> : tensor<1x1x3x3x16x16xf32>
  %y = linalg.generic {indexing_maps = [#in, #filter, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<1x1x34x34x16xf32>, tensor<1x1x3x3x16x16xf32>) outs(%init : tensor<1x1x32x32x16xf32>) attrs = {nncc.blocked_conv} {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x1x32x32x16xf32>
  return %y : tensor<1x1x32x32x16xf32>
}

// 7x7 outputs of 4 images: F(2x2, 3x3) over 4x4 tiles of 2x2 (a = 4). The
// input's zero padding grows to whole tiles (7 + 1 + 2 = 10 rows), the
// initial value is padded with zeros and the result sliced back to 7x7.
// CHECK-LABEL: func.func @ragged(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<4x1x7x7x16xf32>, %[[INIT:[a-z0-9]+]]: tensor<4x1x7x7x16xf32>
// CHECK: %[[P:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1, 0] high[0, 0, 2, 2, 0]
// CHECK: tensor<4x1x7x7x16xf32> to tensor<4x1x10x10x16xf32>
// CHECK: %[[PINIT:.*]] = tensor.pad %[[INIT]] low[0, 0, 0, 0, 0] high[0, 0, 1, 1, 0]
// CHECK: scf.forall (%{{.*}}, %{{.*}}) in (4, 4) {{.*}} -> (tensor<16x64x16xf32>)
// AVX512: vector.transfer_read %[[P]]{{.*}} : tensor<4x1x10x10x16xf32>, vector<4x4x16xf32>
// CHECK: vector.contract
// CHECK: %[[Y:.*]] = scf.forall (%{{.*}}, %{{.*}}) in (4, 4) shared_outs(%{{.*}} = %[[PINIT]]) -> (tensor<4x1x8x8x16xf32>)
// AVX512: vector.transfer_write {{.*}} : vector<2x2x16xf32>, tensor<1x1x2x8x16xf32>
// CHECK: %[[R:.*]] = tensor.extract_slice %[[Y]][0, 0, 0, 0, 0] [4, 1, 7, 7, 16] [1, 1, 1, 1, 1] : tensor<4x1x8x8x16xf32> to tensor<4x1x7x7x16xf32>
// CHECK: return %[[R]]
func.func @ragged(%x: tensor<4x1x7x7x16xf32>, %init: tensor<4x1x7x7x16xf32>) -> tensor<4x1x7x7x16xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<1.0> : tensor<1x1x3x3x16x16xf32>
  %p = tensor.pad %x low[0, 0, 1, 1, 0] high[0, 0, 1, 1, 0] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index, %i4: index):
    tensor.yield %zero : f32
  } : tensor<4x1x7x7x16xf32> to tensor<4x1x9x9x16xf32>
  %y = linalg.generic {indexing_maps = [#in, #filter, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins(%p, %w : tensor<4x1x9x9x16xf32>, tensor<1x1x3x3x16x16xf32>) outs(%init : tensor<4x1x7x7x16xf32>) attrs = {nncc.blocked_conv} {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<4x1x7x7x16xf32>
  return %y : tensor<4x1x7x7x16xf32>
}

// One 7x7 image: too few tiles to pay for the transforms and the larger
// filter, so the direct blocked convolution (register tiles of pixels by
// output channels, one tap per step) stays.
// CHECK-LABEL: func.func @direct(
// CHECK-NOT: tensor.pad
// CHECK-NOT: tensor<16x
// CHECK: vector.contract
// CHECK-NOT: tensor<16x
// CHECK: return
func.func @direct(%x: tensor<1x1x9x9x16xf32>, %init: tensor<1x1x7x7x16xf32>) -> tensor<1x1x7x7x16xf32> {
  %w = arith.constant dense<1.0> : tensor<1x1x3x3x16x16xf32>
  %y = linalg.generic {indexing_maps = [#in, #filter, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<1x1x9x9x16xf32>, tensor<1x1x3x3x16x16xf32>) outs(%init : tensor<1x1x7x7x16xf32>) attrs = {nncc.blocked_conv} {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x1x7x7x16xf32>
  return %y : tensor<1x1x7x7x16xf32>
}
