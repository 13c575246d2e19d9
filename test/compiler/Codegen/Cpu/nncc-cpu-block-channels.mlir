// RUN: nncc-opt %s --pass-pipeline="builtin.module(func.func(nncc-cpu-block-channels{vector-width=128}),cse,canonicalize)" | FileCheck %s
// RUN: nncc-opt %s --pass-pipeline="builtin.module(func.func(nncc-cpu-block-channels{vector-width=512}),cse,canonicalize)" | FileCheck %s --check-prefix=AVX512
// RUN: nncc-opt %s --pass-pipeline="builtin.module(func.func(nncc-cpu-block-channels{vector-width=256}),cse,canonicalize)" | FileCheck %s --check-prefix=AVX2

// The blocked convolutions' maps, over (n, fb, oh, ow, fi, cb, kh, kw, ci):
// y[n, fb, oh, ow, fi] += x[n, cb, oh * s + kh, ow * s + kw, ci] * w[fb, cb, kh, kw, ci, fi].
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8) -> (d0, d5, d2 + d6, d3 + d7, d8)>
// CHECK-DAG: #[[SIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8) -> (d0, d5, d2 * 2 + d6, d3 * 2 + d7, d8)>
// CHECK-DAG: #[[FILTER:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8) -> (d1, d5, d6, d7, d8, d4)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8) -> (d0, d1, d2, d3, d4)>
// A first layer's, over (n, fb, oh, ow, fi, kh, kw, c):
// CHECK-DAG: #[[FIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d7, d2 + d5, d3 + d6)>
// CHECK-DAG: #[[FFILTER:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d5, d6, d7, d4)>
// CHECK-DAG: #[[FOUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>
// Depthwise, over (n, cb, oh, ow, ci, kh, kw):
// CHECK-DAG: #[[DIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2 * 2 + d5, d3 * 2 + d6, d4)>
// CHECK-DAG: #[[DFILTER:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d5, d6, d4)>
// CHECK-DAG: #[[DOUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3, d4)>
// CHECK-DAG: #[[WINDOW:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d5, d6)>

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

// A first layer's three colours (fewer than a vector) stay as they are:
// the convolution reads them in place, over (n, fb, oh, ow, fi, kh, kw, c)
// with the colour last, its filter packed to [F / 16, KH, KW, C, 16], and
// only its result is blocked.
// CHECK-LABEL: func.func @first_layer
// CHECK-NOT: linalg.transpose
// CHECK: linalg.generic {indexing_maps = [#[[FIN]], #[[FFILTER]], #[[FOUT]]], {{.*}} ins(%arg0, %{{.*}} : tensor<1x3x10x10xf32>, tensor<1x3x3x3x16xf32>) outs(%{{.*}} : tensor<1x1x8x8x16xf32>) attrs = {nncc.blocked_conv}
// CHECK: linalg.transpose
func.func @first_layer(%x: tensor<1x3x10x10xf32>) -> tensor<1x16x8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %w3 = arith.constant dense<0.5> : tensor<16x3x3x3xf32>
  %e = tensor.empty() : tensor<1x16x8x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w3 : tensor<1x3x10x10xf32>, tensor<16x3x3x3xf32>) outs(%init : tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32>
  return %c : tensor<1x16x8x8xf32>
}

// A filter that is not a constant (a training step's parameter) with
// blocked input channels is left as it was for now (BlockChannels.cpp,
// readsUnblocked).
// CHECK-LABEL: func.func @runtime_filter
// CHECK-NOT: nncc.blocked_conv
// CHECK: linalg.conv_2d_nchw_fchw
// CHECK-NOT: linalg.transpose
// AVX2-LABEL: func.func @runtime_filter
// AVX2-NOT: nncc.blocked_conv
// AVX2: linalg.conv_2d_nchw_fchw
func.func @runtime_filter(%y: tensor<1x16x10x10xf32>, %w: tensor<16x16x3x3xf32>, %init: tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %d = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%y, %w : tensor<1x16x10x10xf32>, tensor<16x16x3x3xf32>) outs(%init : tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32>
  %e = tensor.empty() : tensor<1x16x8x8xf32>
  %r = linalg.generic {indexing_maps = [#map4, #map4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%d : tensor<1x16x8x8xf32>) outs(%e : tensor<1x16x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x16x8x8xf32>
  return %r : tensor<1x16x8x8xf32>
}

// A filter that is not a constant (a training step's parameter) is packed
// when the code runs, in the layout packFilter makes at compile time. Here
// LeNet-5's second layer in a training step: its 6 input channels, fewer
// than a vector of 8 or 16 lanes, stay unblocked and are read in place, and
// the filter is packed to [F / 16, KH, KW, C, 16] by a transpose of its
// [F / 16, 16, C, KH, KW] view. The result is unpacked in place: the relu
// after it reads the unpacked result, where a constant filter's unpack
// would have moved past it (@chain). With 4 lanes 6 channels split into no
// block: left as it was.
// CHECK-LABEL: func.func @runtime_filter_few_channels
// CHECK-NOT: nncc.blocked_conv
// CHECK: linalg.conv_2d_nchw_fchw
// AVX2-LABEL: func.func @runtime_filter_few_channels
// AVX2: %[[WV:.*]] = tensor.expand_shape %arg1 {{\[\[}}0, 1], [2], [3], [4]] output_shape [1, 16, 6, 5, 5]
// AVX2: %[[WP:.*]] = linalg.transpose ins(%[[WV]] : tensor<1x16x6x5x5xf32>) outs(%{{.*}} : tensor<1x5x5x6x16xf32>) permutation = [0, 3, 4, 2, 1]
// AVX2: %[[C:.*]] = linalg.generic {{.*}} ins(%arg0, %[[WP]] : tensor<2x6x14x14xf32>, tensor<1x5x5x6x16xf32>) outs(%{{.*}} : tensor<2x1x10x10x16xf32>) attrs = {nncc.blocked_conv}
// AVX2: %[[BACK:.*]] = linalg.transpose ins(%[[C]] : tensor<2x1x10x10x16xf32>) outs(%{{.*}} : tensor<2x1x16x10x10xf32>)
// AVX2: %[[NCHW:.*]] = tensor.collapse_shape %[[BACK]]
// AVX2: linalg.generic {{.*}} ins(%[[NCHW]] : tensor<2x16x10x10xf32>)
// AVX2: arith.maximumf
// AVX512-LABEL: func.func @runtime_filter_few_channels
// AVX512: nncc.blocked_conv
func.func @runtime_filter_few_channels(%x: tensor<2x6x14x14xf32>, %w: tensor<16x6x5x5xf32>) -> tensor<2x16x10x10xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x16x10x10xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x16x10x10xf32>) -> tensor<2x16x10x10xf32>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<2x6x14x14xf32>, tensor<16x6x5x5xf32>) outs(%init : tensor<2x16x10x10xf32>) -> tensor<2x16x10x10xf32>
  %r = linalg.generic {indexing_maps = [#map4, #map4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c : tensor<2x16x10x10xf32>) outs(%e : tensor<2x16x10x10xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<2x16x10x10xf32>
  return %r : tensor<2x16x10x10xf32>
}

// A depthwise convolution (4 groups of one channel, stride 2; its views
// [N, G, 1, H, W] of [N, G, H, W] are the lowering's) over blocks of 4
// channels: y[n, cb, oh, ow, ci] += x[n, cb, 2 oh + kh, 2 ow + kw, ci] *
// Wp[cb, kh, kw, ci], the filter packed to Wp[cb, kh, kw, ci] = W[cb * 4 +
// ci, 0, 0, kh, kw] (here W[g, 0, 0, kh, kw] = 10 g + 3 kh + kw). Its input
// is packed from the pad's source, not through the views.
// CHECK-LABEL: func.func @depthwise
// CHECK: arith.constant dense<{{\[\[\[\[}}0.000000e+00, 1.000000e+01, 2.000000e+01, 3.000000e+01], [1.000000e+00, 1.100000e+01, 2.100000e+01, 3.100000e+01]
// CHECK-SAME: tensor<1x3x3x4xf32>
// CHECK: linalg.transpose ins(%{{.*}} : tensor<1x1x4x8x8xf32>)
// CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1, 0] high[0, 0, 1, 1, 0]
// CHECK: linalg.generic {indexing_maps = [#[[DIN]], #[[DFILTER]], #[[DOUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} {{.*}} attrs = {nncc.blocked_conv}
// CHECK: linalg.transpose ins(%{{.*}} : tensor<1x1x4x4x4xf32>)
// AVX512-LABEL: func.func @depthwise
// AVX512-NOT: nncc.blocked_conv
func.func @depthwise(%x: tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<[[[[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]]]], [[[[10.0, 11.0, 12.0], [13.0, 14.0, 15.0], [16.0, 17.0, 18.0]]]], [[[[20.0, 21.0, 22.0], [23.0, 24.0, 25.0], [26.0, 27.0, 28.0]]]], [[[[30.0, 31.0, 32.0], [33.0, 34.0, 35.0], [36.0, 37.0, 38.0]]]]]> : tensor<4x1x1x3x3xf32>
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x4x8x8xf32> to tensor<1x4x10x10xf32>
  %xe = tensor.expand_shape %p [[0], [1, 2], [3], [4]] output_shape [1, 4, 1, 10, 10] : tensor<1x4x10x10xf32> into tensor<1x4x1x10x10xf32>
  %e = tensor.empty() : tensor<1x4x4x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %fe = tensor.expand_shape %f [[0], [1, 2], [3], [4]] output_shape [1, 4, 1, 4, 4] : tensor<1x4x4x4xf32> into tensor<1x4x1x4x4xf32>
  %d = linalg.conv_2d_ngchw_gfchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%xe, %w : tensor<1x4x1x10x10xf32>, tensor<4x1x1x3x3xf32>) outs(%fe : tensor<1x4x1x4x4xf32>) -> tensor<1x4x1x4x4xf32>
  %y = tensor.collapse_shape %d [[0], [1, 2], [3], [4]] : tensor<1x4x1x4x4xf32> into tensor<1x4x4x4xf32>
  return %y : tensor<1x4x4x4xf32>
}

// One block for the function: with AVX-512 the 16 -> 32 convolution can
// take blocks of 16 channels only, so the 32 -> 32 one takes 16 too, and
// the tensor between them stays blocked (no transpose between them).
// AVX512-LABEL: func.func @one_block
// AVX512: attrs = {nncc.blocked_conv}
// AVX512-NOT: linalg.transpose
// AVX512: ins(%{{.*}}, %{{.*}} : tensor<1x2x8x8x16xf32>, tensor<2x2x1x1x16x16xf32>) {{.*}} attrs = {nncc.blocked_conv}
func.func @one_block(%x: tensor<1x16x8x8xf32>, %init: tensor<1x32x8x8xf32>) -> tensor<1x32x8x8xf32> {
  %w1 = arith.constant dense<0.5> : tensor<32x16x1x1xf32>
  %w2 = arith.constant dense<0.25> : tensor<32x32x1x1xf32>
  %c1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w1 : tensor<1x16x8x8xf32>, tensor<32x16x1x1xf32>) outs(%init : tensor<1x32x8x8xf32>) -> tensor<1x32x8x8xf32>
  %c2 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%c1, %w2 : tensor<1x32x8x8xf32>, tensor<32x32x1x1xf32>) outs(%init : tensor<1x32x8x8xf32>) -> tensor<1x32x8x8xf32>
  return %c2 : tensor<1x32x8x8xf32>
}

// A max pooling between blocked convolutions runs blocked too: a generic
// over (n, cb, oh, ow, ci, kh, kw) taking the max of channel vectors, its
// window operand kept for the extent of (kh, kw); nothing is unpacked
// between the convolutions.
// CHECK-LABEL: func.func @pool
// CHECK: attrs = {nncc.blocked_conv}
// CHECK-NOT: linalg.transpose
// CHECK: %[[POOL:.*]] = linalg.generic {indexing_maps = [#[[DIN]], #[[WINDOW]], #[[DOUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%{{.*}}, %{{.*}} : tensor<1x1x10x10x16xf32>, tensor<3x3xf32>) outs(%{{.*}} : tensor<1x1x4x4x16xf32>) attrs = {nncc.blocked_conv}
// CHECK: arith.maximumf
// CHECK-NOT: linalg.transpose
// CHECK: ins(%[[POOL]], %{{.*}} : tensor<1x1x4x4x16xf32>, tensor<1x1x1x1x16x16xf32>) {{.*}} attrs = {nncc.blocked_conv}
func.func @pool(%x: tensor<1x16x10x10xf32>) -> tensor<1x16x4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %lowest = arith.constant -3.40282347E+38 : f32
  %e10 = tensor.empty() : tensor<1x16x10x10xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e10 : tensor<1x16x10x10xf32>) -> tensor<1x16x10x10xf32>
  %e4 = tensor.empty() : tensor<1x16x4x4xf32>
  %pinit = linalg.fill ins(%lowest : f32) outs(%e4 : tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32>
  %cinit = linalg.fill ins(%zero : f32) outs(%e4 : tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32>
  %w1 = arith.constant dense<0.5> : tensor<16x16x1x1xf32>
  %w2 = arith.constant dense<0.25> : tensor<16x16x1x1xf32>
  %window = tensor.empty() : tensor<3x3xf32>
  %c1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w1 : tensor<1x16x10x10xf32>, tensor<16x16x1x1xf32>) outs(%init : tensor<1x16x10x10xf32>) -> tensor<1x16x10x10xf32>
  %p = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%c1, %window : tensor<1x16x10x10xf32>, tensor<3x3xf32>) outs(%pinit : tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32>
  %c2 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%p, %w2 : tensor<1x16x4x4xf32>, tensor<16x16x1x1xf32>) outs(%cinit : tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32>
  return %c2 : tensor<1x16x4x4xf32>
}

// Channels that do not split into the block are rounded up to it (AVX-512:
// 24 -> 32, MobileNet-V2's): the filters padded with zeros, the bias
// broadcast made again with zeros in the added channels, and a select by a
// mask of the 24 channels after each convolution producing 24 (0 x inf
// would be NaN there). The added channels are then zeros, so the residual
// add (0 + 0) and the convolutions reading 24 channels run on the 32 whole,
// blocked, with no pad, slice or transpose between them.
// AVX512-LABEL: func.func @widen
// AVX512-DAG: %[[MASK:.*]] = arith.constant dense<{{\[\[}}1.000000e+00, {{.*}}, 1.000000e+00, 0.000000e+00, {{.*}}, 0.000000e+00]]> : tensor<1x32xf32>
// AVX512-DAG: %[[BIAS:.*]] = arith.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00, 3.000000e+00, {{.*}}, 2.400000e+01, 0.000000e+00, {{.*}}, 0.000000e+00]]> : tensor<1x32xf32>
// AVX512: %[[INIT:.*]] = linalg.generic {{.*}} ins(%[[BIAS]] : tensor<1x32xf32>)
// AVX512: %[[C1:.*]] = linalg.generic {{.*}} outs(%[[INIT]] : tensor<1x1x8x8x32xf32>) attrs = {nncc.blocked_conv}
// AVX512: %[[M1:.*]] = linalg.generic {{.*}} ins(%[[C1]], %[[MASK]] : tensor<1x1x8x8x32xf32>, tensor<1x32xf32>)
// AVX512: arith.cmpf one
// AVX512: arith.select
// AVX512-NOT: tensor.pad
// AVX512-NOT: linalg.transpose
// AVX512: %[[C2:.*]] = linalg.generic {{.*}} ins(%[[M1]], %{{.*}} : tensor<1x1x8x8x32xf32>, tensor<1x1x1x1x32x32xf32>) {{.*}} attrs = {nncc.blocked_conv}
// AVX512: %[[C3:.*]] = linalg.generic {{.*}} ins(%[[C2]], %{{.*}} : tensor<1x1x8x8x32xf32>, tensor<1x1x1x1x32x32xf32>) outs(%[[INIT]] : {{.*}}) attrs = {nncc.blocked_conv}
// AVX512: %[[M3:.*]] = linalg.generic {{.*}} ins(%[[C3]], %[[MASK]] : tensor<1x1x8x8x32xf32>, tensor<1x32xf32>)
// AVX512: %[[ADD:.*]] = linalg.generic {{.*}} ins(%[[M1]], %[[M3]] : tensor<1x1x8x8x32xf32>, tensor<1x1x8x8x32xf32>)
// AVX512: ins(%[[ADD]], %{{.*}} : tensor<1x1x8x8x32xf32>, tensor<1x1x1x1x32x32xf32>) {{.*}} attrs = {nncc.blocked_conv}
// AVX512-NOT: tensor.pad
// AVX512-NOT: tensor.extract_slice
// AVX512: return
func.func @widen(%x: tensor<1x32x8x8xf32>) -> tensor<1x32x8x8xf32> {
  %w1 = arith.constant dense<0.5> : tensor<24x32x1x1xf32>
  %w2 = arith.constant dense<0.25> : tensor<32x24x1x1xf32>
  %w3 = arith.constant dense<0.125> : tensor<24x32x1x1xf32>
  %w4 = arith.constant dense<2.0> : tensor<32x24x1x1xf32>
  %b = arith.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0]> : tensor<24xf32>
  %zero = arith.constant 0.0 : f32
  %e24 = tensor.empty() : tensor<1x24x8x8xf32>
  %e32 = tensor.empty() : tensor<1x32x8x8xf32>
  %bias = linalg.generic {indexing_maps = [#bias, #map4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%b : tensor<24xf32>) outs(%e24 : tensor<1x24x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x24x8x8xf32>
  %z32 = linalg.fill ins(%zero : f32) outs(%e32 : tensor<1x32x8x8xf32>) -> tensor<1x32x8x8xf32>
  %c1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w1 : tensor<1x32x8x8xf32>, tensor<24x32x1x1xf32>) outs(%bias : tensor<1x24x8x8xf32>) -> tensor<1x24x8x8xf32>
  %c2 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%c1, %w2 : tensor<1x24x8x8xf32>, tensor<32x24x1x1xf32>) outs(%z32 : tensor<1x32x8x8xf32>) -> tensor<1x32x8x8xf32>
  %c3 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%c2, %w3 : tensor<1x32x8x8xf32>, tensor<24x32x1x1xf32>) outs(%bias : tensor<1x24x8x8xf32>) -> tensor<1x24x8x8xf32>
  %add = linalg.generic {indexing_maps = [#map4, #map4, #map4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c1, %c3 : tensor<1x24x8x8xf32>, tensor<1x24x8x8xf32>) outs(%e24 : tensor<1x24x8x8xf32>) {
  ^bb0(%in: f32, %in2: f32, %out: f32):
    %s = arith.addf %in, %in2 : f32
    linalg.yield %s : f32
  } -> tensor<1x24x8x8xf32>
  %c4 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%add, %w4 : tensor<1x24x8x8xf32>, tensor<32x24x1x1xf32>) outs(%z32 : tensor<1x32x8x8xf32>) -> tensor<1x32x8x8xf32>
  return %c4 : tensor<1x32x8x8xf32>
}

// Added channels that an elementwise op makes non-finite (1 / 0) would make
// the next convolution's outputs NaN (inf x 0): it reads its input sliced to
// the 24 channels and padded with zeros. The 24-channel result is a slice of
// the wide one.
// AVX512-LABEL: func.func @widen_not_finite
// AVX512: %[[C1:.*]] = linalg.generic {{.*}} attrs = {nncc.blocked_conv}
// AVX512: %[[M1:.*]] = linalg.generic {{.*}} ins(%[[C1]], %{{.*}} : tensor<1x1x8x8x32xf32>, tensor<1x32xf32>)
// AVX512: %[[NARROW:.*]] = linalg.copy ins(%{{.*}} : tensor<1x24x8x8xf32>)
// AVX512: %[[INV:.*]] = linalg.generic {{.*}} ins(%[[M1]] : tensor<1x1x8x8x32xf32>)
// AVX512: arith.divf
// AVX512: tensor.extract_slice %{{.*}}[0, 0, 0, 0] [1, 24, 8, 8] [1, 1, 1, 1] : tensor<1x32x8x8xf32> to tensor<1x24x8x8xf32>
// AVX512: tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 8, 0, 0]
// AVX512: attrs = {nncc.blocked_conv}
// AVX512: return %{{.*}}, %[[NARROW]] : tensor<1x32x8x8xf32>, tensor<1x24x8x8xf32>
func.func @widen_not_finite(%x: tensor<1x32x8x8xf32>) -> (tensor<1x32x8x8xf32>, tensor<1x24x8x8xf32>) {
  %w1 = arith.constant dense<0.5> : tensor<24x32x1x1xf32>
  %w2 = arith.constant dense<0.25> : tensor<32x24x1x1xf32>
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %e24 = tensor.empty() : tensor<1x24x8x8xf32>
  %e32 = tensor.empty() : tensor<1x32x8x8xf32>
  %z24 = linalg.fill ins(%zero : f32) outs(%e24 : tensor<1x24x8x8xf32>) -> tensor<1x24x8x8xf32>
  %z32 = linalg.fill ins(%zero : f32) outs(%e32 : tensor<1x32x8x8xf32>) -> tensor<1x32x8x8xf32>
  %c1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w1 : tensor<1x32x8x8xf32>, tensor<24x32x1x1xf32>) outs(%z24 : tensor<1x24x8x8xf32>) -> tensor<1x24x8x8xf32>
  %inv = linalg.generic {indexing_maps = [#map4, #map4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c1 : tensor<1x24x8x8xf32>) outs(%e24 : tensor<1x24x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %d = arith.divf %one, %in : f32
    linalg.yield %d : f32
  } -> tensor<1x24x8x8xf32>
  %c2 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%inv, %w2 : tensor<1x24x8x8xf32>, tensor<32x24x1x1xf32>) outs(%z32 : tensor<1x32x8x8xf32>) -> tensor<1x32x8x8xf32>
  return %c2, %c1 : tensor<1x32x8x8xf32>, tensor<1x24x8x8xf32>
}

// An operand of another element type (a mask of the 24 channels) is padded
// with its zero (false); the select's added channels are then select(false,
// 0, 0) = 0, finite, so the next convolution reads the 32 whole.
// AVX512-LABEL: func.func @widen_int_operand
// AVX512: %[[MASK:.*]] = tensor.pad %{{.*}} low[0] high[8]
// AVX512: tensor.yield %false : i1
// AVX512: %[[VIEW:.*]] = tensor.expand_shape %[[MASK]] {{\[\[}}0, 1]] output_shape [1, 32] : tensor<32xi1> into tensor<1x32xi1>
// AVX512: %[[SEL:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %[[VIEW]] : tensor<1x1x8x8x32xf32>, tensor<1x32xi1>)
// AVX512: arith.select
// AVX512-NOT: tensor.pad
// AVX512: ins(%[[SEL]], %{{.*}} : tensor<1x1x8x8x32xf32>, tensor<1x1x1x1x32x32xf32>) {{.*}} attrs = {nncc.blocked_conv}
func.func @widen_int_operand(%x: tensor<1x32x8x8xf32>) -> tensor<1x32x8x8xf32> {
  %w1 = arith.constant dense<0.5> : tensor<24x32x1x1xf32>
  %w2 = arith.constant dense<0.25> : tensor<32x24x1x1xf32>
  %mask = arith.constant dense<[true, false, true, false, true, false, true, false, true, false, true, false, true, false, true, false, true, false, true, false, true, false, true, false]> : tensor<24xi1>
  %zero = arith.constant 0.0 : f32
  %e24 = tensor.empty() : tensor<1x24x8x8xf32>
  %e32 = tensor.empty() : tensor<1x32x8x8xf32>
  %z24 = linalg.fill ins(%zero : f32) outs(%e24 : tensor<1x24x8x8xf32>) -> tensor<1x24x8x8xf32>
  %z32 = linalg.fill ins(%zero : f32) outs(%e32 : tensor<1x32x8x8xf32>) -> tensor<1x32x8x8xf32>
  %c1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w1 : tensor<1x32x8x8xf32>, tensor<24x32x1x1xf32>) outs(%z24 : tensor<1x24x8x8xf32>) -> tensor<1x24x8x8xf32>
  %sel = linalg.generic {indexing_maps = [#map4, #bias, #map4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c1, %mask : tensor<1x24x8x8xf32>, tensor<24xi1>) outs(%e24 : tensor<1x24x8x8xf32>) {
  ^bb0(%in: f32, %m: i1, %out: f32):
    %s = arith.select %m, %in, %zero : f32
    linalg.yield %s : f32
  } -> tensor<1x24x8x8xf32>
  %c2 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%sel, %w2 : tensor<1x24x8x8xf32>, tensor<32x24x1x1xf32>) outs(%z32 : tensor<1x32x8x8xf32>) -> tensor<1x32x8x8xf32>
  return %c2 : tensor<1x32x8x8xf32>
}

// With AVX2 a block of one vector (8 channels) would make every register
// tile one vector wide, one broadcast per multiply-add: when every
// convolution can take two vectors, channels widened where they do not
// split (24 -> 32: a third more multiply-adds), the block is at least two
// (allBlockAt; MobileNet-V2). Here the 24 become 32 and both convolutions
// run over one block of 32.
// AVX2-LABEL: func.func @two_vectors
// AVX2: ins(%{{.*}}, %{{.*}} : tensor<1x1x8x8x32xf32>, tensor<1x1x1x1x32x32xf32>) outs(%{{.*}} : tensor<1x1x8x8x32xf32>) attrs = {nncc.blocked_conv}
// AVX2: ins(%{{.*}}, %{{.*}} : tensor<1x1x8x8x32xf32>, tensor<1x1x1x1x32x32xf32>) outs(%{{.*}} : tensor<1x1x8x8x32xf32>) attrs = {nncc.blocked_conv}
func.func @two_vectors(%x: tensor<1x32x8x8xf32>, %i24: tensor<1x24x8x8xf32>, %i32: tensor<1x32x8x8xf32>) -> tensor<1x32x8x8xf32> {
  %w1 = arith.constant dense<0.5> : tensor<24x32x1x1xf32>
  %w2 = arith.constant dense<0.25> : tensor<32x24x1x1xf32>
  %c1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w1 : tensor<1x32x8x8xf32>, tensor<24x32x1x1xf32>) outs(%i24 : tensor<1x24x8x8xf32>) -> tensor<1x24x8x8xf32>
  %c2 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%c1, %w2 : tensor<1x24x8x8xf32>, tensor<32x24x1x1xf32>) outs(%i32 : tensor<1x32x8x8xf32>) -> tensor<1x32x8x8xf32>
  return %c2 : tensor<1x32x8x8xf32>
}

// Not when a convolution cannot: 8 input channels widened to 16 would be
// twice the multiply-adds, so the block stays one vector.
// AVX2-LABEL: func.func @one_vector
// AVX2: ins(%{{.*}}, %{{.*}} : tensor<1x1x8x8x8xf32>, tensor<4x1x1x1x8x8xf32>) outs(%{{.*}} : tensor<1x4x8x8x8xf32>) attrs = {nncc.blocked_conv}
func.func @one_vector(%x: tensor<1x8x8x8xf32>, %i32: tensor<1x32x8x8xf32>) -> tensor<1x32x8x8xf32> {
  %w1 = arith.constant dense<0.5> : tensor<32x8x1x1xf32>
  %c1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w1 : tensor<1x8x8x8xf32>, tensor<32x8x1x1xf32>) outs(%i32 : tensor<1x32x8x8xf32>) -> tensor<1x32x8x8xf32>
  return %c1 : tensor<1x32x8x8xf32>
}
