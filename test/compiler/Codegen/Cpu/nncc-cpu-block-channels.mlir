// RUN: nncc-opt %s --pass-pipeline="builtin.module(func.func(nncc-cpu-block-channels{vector-width=128}),cse,canonicalize)" | FileCheck %s
// RUN: nncc-opt %s --pass-pipeline="builtin.module(func.func(nncc-cpu-block-channels{vector-width=512}),cse,canonicalize)" | FileCheck %s --check-prefix=AVX512

// The blocked convolutions' maps, over (n, fb, oh, ow, fi, cb, kh, kw, ci):
// y[n, fb, oh, ow, fi] += x[n, cb, oh * s + kh, ow * s + kw, ci] * w[fb, cb, kh, kw, ci, fi].
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8) -> (d0, d5, d2 + d6, d3 + d7, d8)>
// CHECK-DAG: #[[SIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8) -> (d0, d5, d2 * 2 + d6, d3 * 2 + d7, d8)>
// CHECK-DAG: #[[FILTER:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8) -> (d1, d5, d6, d7, d8, d4)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8) -> (d0, d1, d2, d3, d4)>

#map4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#bias = affine_map<(d0, d1, d2, d3) -> (d1)>

// Two convolutions with a relu between them and a residual add after: with
// 4 lanes the 16 channels are one block of 4 vectors, [1, 1, H, W, 16]. The
// input is packed once (a transpose of its [1, 1, 16, 8, 8] view), used by
// the first convolution (through its pad, now over the blocked layout) and
// by the residual add; the relu, the second pad and the add run blocked, and
// only the result is unpacked. The filters are packed at compile time to
// [F / 16, C / 16, 3, 3, 16 (c), 16 (f)], the bias broadcast is made in the
// blocked shape.
// CHECK-LABEL: func.func @chain
// CHECK-DAG: %[[W2:.*]] = arith.constant dense<2.500000e-01> : tensor<1x1x3x3x16x16xf32>
// CHECK-DAG: %[[W1:.*]] = arith.constant dense<5.000000e-01> : tensor<1x1x3x3x16x16xf32>
// CHECK: %[[VIEW:.*]] = tensor.expand_shape %arg0 {{\[\[}}0], [1, 2], [3], [4]] output_shape [1, 1, 16, 8, 8]
// CHECK: %[[X:.*]] = linalg.transpose ins(%[[VIEW]] : tensor<1x1x16x8x8xf32>) outs(%{{.*}} : tensor<1x1x8x8x16xf32>) permutation = [0, 1, 3, 4, 2]
// CHECK: %[[P1:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1, 0] high[0, 0, 1, 1, 0]
// CHECK: %[[BIAS:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<1x16xf32>) outs(%{{.*}} : tensor<1x1x8x8x16xf32>)
// CHECK: %[[C1:.*]] = linalg.generic {indexing_maps = [#[[IN]], #[[FILTER]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins(%[[P1]], %[[W1]] : tensor<1x1x10x10x16xf32>, tensor<1x1x3x3x16x16xf32>) outs(%[[BIAS]] : tensor<1x1x8x8x16xf32>) attrs = {nncc.blocked_conv}
// CHECK-NOT: linalg.transpose
// CHECK: %[[R1:.*]] = linalg.generic {{.*}} ins(%[[C1]] : tensor<1x1x8x8x16xf32>)
// CHECK: arith.maximumf
// CHECK: %[[P2:.*]] = tensor.pad %[[R1]] low[0, 0, 1, 1, 0] high[0, 0, 1, 1, 0]
// CHECK: %[[C2:.*]] = linalg.generic {{.*}} ins(%[[P2]], %[[W2]] : {{.*}}) outs(%[[BIAS]] : {{.*}}) attrs = {nncc.blocked_conv}
// CHECK-NOT: linalg.transpose
// CHECK: %[[ADD:.*]] = linalg.generic {{.*}} ins(%[[C2]], %[[X]] : tensor<1x1x8x8x16xf32>, tensor<1x1x8x8x16xf32>)
// CHECK: arith.addf
// CHECK: %[[BACK:.*]] = linalg.transpose ins(%[[ADD]] : tensor<1x1x8x8x16xf32>) outs(%{{.*}} : tensor<1x1x16x8x8xf32>) permutation = [0, 1, 4, 2, 3]
// CHECK: %[[Y:.*]] = tensor.collapse_shape %[[BACK]] {{\[\[}}0], [1, 2], [3], [4]] : tensor<1x1x16x8x8xf32> into tensor<1x16x8x8xf32>
// CHECK: return %[[Y]]
// With 16 lanes the block is one vector: the same layout.
// AVX512-LABEL: func.func @chain
// AVX512-COUNT-2: attrs = {nncc.blocked_conv}
func.func @chain(%x: tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %w1 = arith.constant dense<0.5> : tensor<16x16x3x3xf32>
  %w2 = arith.constant dense<0.25> : tensor<16x16x3x3xf32>
  %b = arith.constant dense<1.0> : tensor<16xf32>
  %e = tensor.empty() : tensor<1x16x8x8xf32>
  %init = linalg.generic {indexing_maps = [#bias, #map4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%b : tensor<16xf32>) outs(%e : tensor<1x16x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x16x8x8xf32>
  %p1 = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x16x8x8xf32> to tensor<1x16x10x10xf32>
  %c1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%p1, %w1 : tensor<1x16x10x10xf32>, tensor<16x16x3x3xf32>) outs(%init : tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32>
  %r1 = linalg.generic {indexing_maps = [#map4, #map4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c1 : tensor<1x16x8x8xf32>) outs(%e : tensor<1x16x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x16x8x8xf32>
  %p2 = tensor.pad %r1 low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x16x8x8xf32> to tensor<1x16x10x10xf32>
  %c2 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%p2, %w2 : tensor<1x16x10x10xf32>, tensor<16x16x3x3xf32>) outs(%init : tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32>
  %add = linalg.generic {indexing_maps = [#map4, #map4, #map4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c2, %x : tensor<1x16x8x8xf32>, tensor<1x16x8x8xf32>) outs(%e : tensor<1x16x8x8xf32>) {
  ^bb0(%in: f32, %in2: f32, %out: f32):
    %s = arith.addf %in, %in2 : f32
    linalg.yield %s : f32
  } -> tensor<1x16x8x8xf32>
  return %add : tensor<1x16x8x8xf32>
}

// The filter is packed element by element: Wp[fb, cb, kh, kw, ci, fi] =
// W[fb * 4 + fi, cb * 4 + ci, kh, kw], here with 4 channels (one vector of
// 4 lanes) and W[f, c, 0, 0] = 10 f + c; strides carry into the map.
// CHECK-LABEL: func.func @strided_pack
// CHECK: arith.constant dense<{{\[\[\[\[\[\[}}0.000000e+00, 1.000000e+01, 2.000000e+01, 3.000000e+01], [1.000000e+00, 1.100000e+01, 2.100000e+01, 3.100000e+01], [2.000000e+00, 1.200000e+01, 2.200000e+01, 3.200000e+01], [3.000000e+00, 1.300000e+01, 2.300000e+01, 3.300000e+01]]]]]]> : tensor<1x1x1x1x4x4xf32>
// CHECK: linalg.generic {indexing_maps = [#[[SIN]], #[[FILTER]], #[[OUT]]], {{.*}} attrs = {nncc.blocked_conv}
// With 16 lanes, 4 channels do not make a vector: left as it was.
// AVX512-LABEL: func.func @strided_pack
// AVX512-NOT: nncc.blocked_conv
// AVX512: linalg.conv_2d_nchw_fchw
func.func @strided_pack(%x: tensor<1x4x8x8xf32>, %init: tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> {
  %w = arith.constant dense<[[[[0.0]], [[1.0]], [[2.0]], [[3.0]]], [[[10.0]], [[11.0]], [[12.0]], [[13.0]]], [[[20.0]], [[21.0]], [[22.0]], [[23.0]]], [[[30.0]], [[31.0]], [[32.0]], [[33.0]]]]> : tensor<4x4x1x1xf32>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %w : tensor<1x4x8x8xf32>, tensor<4x4x1x1xf32>) outs(%init : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  return %c : tensor<1x4x4x4xf32>
}

// Left as they are: three input channels (a first layer's colours) do not
// split into vectors, and a filter that is not a constant (a training
// step's parameter) cannot be packed at compile time.
// CHECK-LABEL: func.func @not_blocked
// CHECK-NOT: nncc.blocked_conv
// CHECK-COUNT-2: linalg.conv_2d_nchw_fchw
// CHECK-NOT: linalg.transpose
func.func @not_blocked(%x: tensor<1x3x10x10xf32>, %y: tensor<1x16x10x10xf32>, %w: tensor<16x16x3x3xf32>, %init: tensor<1x16x8x8xf32>) -> (tensor<1x16x8x8xf32>, tensor<1x16x8x8xf32>) {
  %w3 = arith.constant dense<0.5> : tensor<16x3x3x3xf32>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w3 : tensor<1x3x10x10xf32>, tensor<16x3x3x3xf32>) outs(%init : tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32>
  %d = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%y, %w : tensor<1x16x10x10xf32>, tensor<16x16x3x3xf32>) outs(%init : tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32>
  return %c, %d : tensor<1x16x8x8xf32>, tensor<1x16x8x8xf32>
}
