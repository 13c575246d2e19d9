// RUN: nncc-opt %s --split-input-file --convert-nn-to-linalg | FileCheck %s --implicit-check-not=nn.

// The contraction forms of the convolution gradients (ConvGrad.cpp). The
// gather forms (groups, a strided input gradient over a dynamic batch) are
// in convert-nn-to-linalg.mlir.

// Stride 1: the input gradient is a convolution of the gradient padded by
// the kernel's extent less the forward padding (extent 5 along H with
// dilation 2: 3 above and 2 below, from padding 1 and 2; extent 2 along W:
// 1 left, 0 right) with the filter flipped in space, channels swapped (read
// with tensor.extract: a map with negative coefficients would not tile).
// CHECK-LABEL: func @input_grad
// CHECK-SAME: %[[GY:[^:]*]]: tensor<2x4x6x6xf32>, %[[FILTER:[^:]*]]: tensor<4x3x3x2xf32>
// CHECK: %[[PAD:.*]] = tensor.pad %[[GY]] low[0, 0, 3, 1] high[0, 0, 2, 0]
// CHECK: } : tensor<2x4x6x6xf32> to tensor<2x4x11x7xf32>
// CHECK: %[[W:.*]] = linalg.generic {indexing_maps = [#{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%{{.*}} : tensor<3x4x3x2xf32>)
// CHECK: %[[C:.*]] = linalg.index 1 : index
// CHECK: %[[F:.*]] = linalg.index 0 : index
// CHECK: %[[KH:.*]] = linalg.index 2 : index
// CHECK: %[[RH:.*]] = arith.subi %c2, %[[KH]] : index
// CHECK: %[[KW:.*]] = linalg.index 3 : index
// CHECK: %[[RW:.*]] = arith.subi %c1, %[[KW]] : index
// CHECK: tensor.extract %[[FILTER]][%[[C]], %[[F]], %[[RH]], %[[RW]]] : tensor<4x3x3x2xf32>
// CHECK: %[[ZERO:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<2x3x7x6xf32>)
// CHECK: %[[DX:.*]] = linalg.conv_2d_nchw_fchw {dilations = dense<[2, 1]> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%[[PAD]], %[[W]] : tensor<2x4x11x7xf32>, tensor<3x4x3x2xf32>) outs(%[[ZERO]] : tensor<2x3x7x6xf32>)
// CHECK: return %[[DX]]
func.func @input_grad(%gy: tensor<2x4x6x6xf32>, %w: tensor<4x3x3x2xf32>) -> tensor<2x3x7x6xf32> {
  %0 = nn.conv2d_backward_input %gy, %w {strides = array<i64: 1, 1>, padding = array<i64: 1, 0, 2, 1>, dilations = array<i64: 2, 1>, groups = 1} : tensor<2x4x6x6xf32>, tensor<4x3x3x2xf32> -> tensor<2x3x7x6xf32>
  return %0 : tensor<2x3x7x6xf32>
}

// -----

// Strided: the gradient's elements 2 and 3 apart (the strides) in a zero
// tensor of the stride-1 form's padded extent (9 + 3 - 1 = 11), at its
// padding's offset (extent 3, padding 1: 1 above and left), then the same
// convolution. Along H the gradient spreads over (5 - 1) * 2 + 1 = 9 rows,
// 1 below; along W over (3 - 1) * 3 + 1 = 7 columns, 3 to the right (the
// input's last column, which no window reads, gets zeros).
// CHECK-LABEL: func @input_grad_strided
// CHECK-SAME: %[[GY:[^:]*]]: tensor<2x4x5x3xf32>
// CHECK: %[[ZEROS:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<2x4x11x11xf32>)
// CHECK: %[[SPREAD:.*]] = tensor.insert_slice %[[GY]] into %[[ZEROS]][0, 0, 1, 1] [2, 4, 5, 3] [1, 1, 2, 3] : tensor<2x4x5x3xf32> into tensor<2x4x11x11xf32>
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%[[SPREAD]], %{{.*}} : tensor<2x4x11x11xf32>, tensor<3x4x3x3xf32>) outs(%{{.*}} : tensor<2x3x9x9xf32>)
func.func @input_grad_strided(%gy: tensor<2x4x5x3xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<2x3x9x9xf32> {
  %0 = nn.conv2d_backward_input %gy, %w {strides = array<i64: 2, 3>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : tensor<2x4x5x3xf32>, tensor<4x3x3x3xf32> -> tensor<2x3x9x9xf32>
  return %0 : tensor<2x3x9x9xf32>
}

// -----

// A dynamic batch: the strided gradient's zero tensor would need its size
// at run time; the gather form.
// CHECK-LABEL: func @input_grad_strided_dynamic
// CHECK-NOT: linalg.conv_2d_nchw_fchw
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]
func.func @input_grad_strided_dynamic(%gy: tensor<?x4x4x4xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<?x3x8x8xf32> {
  %0 = nn.conv2d_backward_input %gy, %w {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : tensor<?x4x4x4xf32>, tensor<4x3x3x3xf32> -> tensor<?x3x8x8xf32>
  return %0 : tensor<?x3x8x8xf32>
}

// -----

// Padding beyond the kernel's extent would need a negative padding of the
// gradient: the gather form.
// CHECK-LABEL: func @input_grad_wide_padding
// CHECK-NOT: linalg.conv_2d_nchw_fchw
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]
// CHECK: tensor.extract
func.func @input_grad_wide_padding(%gy: tensor<1x2x7x7xf32>, %w: tensor<2x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %0 = nn.conv2d_backward_input %gy, %w {strides = array<i64: 1, 1>, padding = array<i64: 3, 3, 3, 3>, dilations = array<i64: 1, 1>, groups = 1} : tensor<1x2x7x7xf32>, tensor<2x2x3x3xf32> -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// The filter gradient: the padded input's patches [N, OH, OW, C, KH, KW]
// (strided windows), a batch matmul of [N, F, OH*OW] by [N, OH*OW, C*KH*KW],
// then the sum over the (dynamic) batch in f64, the batch its outer loop,
// rounded once.
// CHECK-DAG: #[[PATCH:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d3, d1 * 2 + d4, d2 * 2 + d5)>
// CHECK-DAG: #[[ID3:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[ROWS:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-LABEL: func @filter_grad
// CHECK: %[[PAD:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: %[[PATCHES:.*]] = linalg.generic {indexing_maps = [#[[PATCH]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%[[PAD]] : tensor<?x4x11x11xf32>) outs(%{{.*}} : tensor<?x5x5x4x3x3xf32>)
// CHECK: %[[A:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0], [1], [2, 3]] : tensor<?x8x5x5xf32> into tensor<?x8x25xf32>
// CHECK: %[[B:.*]] = tensor.collapse_shape %[[PATCHES]] {{\[}}[0], [1, 2], [3, 4, 5]] : tensor<?x5x5x4x3x3xf32> into tensor<?x25x36xf32>
// CHECK: %[[ZERO:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<?x8x36xf32>)
// CHECK: %[[PRODUCTS:.*]] = linalg.batch_matmul ins(%[[A]], %[[B]] : tensor<?x8x25xf32>, tensor<?x25x36xf32>) outs(%[[ZERO]] : tensor<?x8x36xf32>)
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[ROWS]]], iterator_types = ["reduction", "parallel", "parallel"]} ins(%[[PRODUCTS]] : tensor<?x8x36xf32>) outs(%{{.*}} : tensor<8x36xf64>)
// CHECK: arith.extf
// CHECK: arith.addf %{{.*}}, %{{.*}} : f64
// CHECK: %[[ROUNDED:.*]] = linalg.generic {{.*}} ins(%[[SUM]] : tensor<8x36xf64>) outs(%{{.*}} : tensor<8x36xf32>)
// CHECK: arith.truncf
// CHECK: %[[DW:.*]] = tensor.expand_shape %[[ROUNDED]] {{\[}}[0], [1, 2, 3]] output_shape [8, 4, 3, 3] : tensor<8x36xf32> into tensor<8x4x3x3xf32>
// CHECK: return %[[DW]]
func.func @filter_grad(%gy: tensor<?x8x5x5xf32>, %x: tensor<?x4x9x9xf32>) -> tensor<8x4x3x3xf32> {
  %0 = nn.conv2d_backward_filter %gy, %x {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : tensor<?x8x5x5xf32>, tensor<?x4x9x9xf32> -> tensor<8x4x3x3xf32>
  return %0 : tensor<8x4x3x3xf32>
}

// -----

// Patches over 64 MiB (1024 * 64 * 64 * 64 * 9 floats): the gather form.
// CHECK-LABEL: func @filter_grad_large
// CHECK-NOT: linalg.batch_matmul
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]
func.func @filter_grad_large(%gy: tensor<1024x8x64x64xf32>, %x: tensor<1024x64x64x64xf32>) -> tensor<8x64x3x3xf32> {
  %0 = nn.conv2d_backward_filter %gy, %x {strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : tensor<1024x8x64x64xf32>, tensor<1024x64x64x64xf32> -> tensor<8x64x3x3xf32>
  return %0 : tensor<8x64x3x3xf32>
}

// -----

// Few filters (at most 8) at unit strides and dilations: the filter gradient
// is a correlation of each image's padded input with its gradient, one
// generic over (n, f, c, kh, kw, oh, ow) without patches (the CPU code
// generator vectorizes it along ow: tileFilterCorrelation), then the same
// sum over the batch in f64, rounded once.
// CHECK-DAG: #[[GRAD:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d5, d6)>
// CHECK-DAG: #[[INPUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d2, d3 + d5, d4 + d6)>
// CHECK-DAG: #[[PRODUCT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3, d4)>
// CHECK-LABEL: func @filter_grad_correlation
// CHECK-SAME: %[[GY:[^:]*]]: tensor<2x6x5x5xf32>
// CHECK: %[[PAD:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: %[[PRODUCTS:.*]] = linalg.generic {indexing_maps = [#[[GRAD]], #[[INPUT]], #[[PRODUCT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%[[GY]], %[[PAD]] : tensor<2x6x5x5xf32>, tensor<2x3x7x7xf32>) outs(%{{.*}} : tensor<2x6x3x3x3xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel", "parallel", "parallel", "parallel"]} ins(%[[PRODUCTS]] : tensor<2x6x3x3x3xf32>) outs(%{{.*}} : tensor<6x3x3x3xf64>)
// CHECK: arith.truncf
// CHECK-NOT: linalg.batch_matmul
func.func @filter_grad_correlation(%gy: tensor<2x6x5x5xf32>, %x: tensor<2x3x5x5xf32>) -> tensor<6x3x3x3xf32> {
  %0 = nn.conv2d_backward_filter %gy, %x {strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : tensor<2x6x5x5xf32>, tensor<2x3x5x5xf32> -> tensor<6x3x3x3xf32>
  return %0 : tensor<6x3x3x3xf32>
}

// -----

// 16 or 32 filters at unit strides and dilations: a correlation with the
// filters innermost. The gradient transposed per image to [N, OH, OW, F],
// the per-image products over (n, c, kh, kw, f, oh, ow) into [N, C, KH, KW,
// F] without patches (the CPU code generator tiles them as broadcasts of the
// input by vectors of filters: tileFiltersInnermostCorrelation), summed
// over the batch in f64 and rounded once, then transposed to [F, C*KH*KW].
// CHECK-DAG: #[[GRADT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d5, d6, d4)>
// CHECK-DAG: #[[XIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2 + d5, d3 + d6)>
// CHECK-DAG: #[[PRODUCTS5:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3, d4)>
// CHECK-LABEL: func @filter_grad_filters_innermost
// CHECK-SAME: %[[GY:[^:]*]]: tensor<2x16x4x4xf32>, %[[X:[^:]*]]: tensor<2x3x6x6xf32>
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[GY]] : tensor<2x16x4x4xf32>) outs(%{{.*}} : tensor<2x4x4x16xf32>) permutation = [0, 2, 3, 1]
// CHECK: %[[P:.*]] = linalg.generic {indexing_maps = [#[[GRADT]], #[[XIN]], #[[PRODUCTS5]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%[[T]], %[[X]] : tensor<2x4x4x16xf32>, tensor<2x3x6x6xf32>) outs(%{{.*}} : tensor<2x3x3x3x16xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[P]] : tensor<2x3x3x3x16xf32>) outs(%{{.*}} : tensor<3x3x3x16xf64>)
// CHECK: %[[ROWS:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0, 1, 2], [3]] : tensor<3x3x3x16xf32> into tensor<27x16xf32>
// CHECK: %[[W:.*]] = linalg.transpose ins(%[[ROWS]] : tensor<27x16xf32>) outs(%{{.*}} : tensor<16x27xf32>) permutation = [1, 0]
// CHECK: tensor.expand_shape %[[W]] {{\[}}[0], [1, 2, 3]] output_shape [16, 3, 3, 3]
// CHECK-NOT: linalg.batch_matmul
func.func @filter_grad_filters_innermost(%gy: tensor<2x16x4x4xf32>, %x: tensor<2x3x6x6xf32>) -> tensor<16x3x3x3xf32> {
  %0 = nn.conv2d_backward_filter %gy, %x {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : tensor<2x16x4x4xf32>, tensor<2x3x6x6xf32> -> tensor<16x3x3x3xf32>
  return %0 : tensor<16x3x3x3xf32>
}

// -----

// 24 filters (not a multiple of 16) and 48 (beyond 32): the batch matmul.
// CHECK-LABEL: func @filter_grad_other_widths
// CHECK-COUNT-2: linalg.batch_matmul
func.func @filter_grad_other_widths(%gy: tensor<2x24x4x4xf32>, %gz: tensor<2x48x4x4xf32>, %x: tensor<2x3x6x6xf32>) -> (tensor<24x3x3x3xf32>, tensor<48x3x3x3xf32>) {
  %0 = nn.conv2d_backward_filter %gy, %x {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : tensor<2x24x4x4xf32>, tensor<2x3x6x6xf32> -> tensor<24x3x3x3xf32>
  %1 = nn.conv2d_backward_filter %gz, %x {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : tensor<2x48x4x4xf32>, tensor<2x3x6x6xf32> -> tensor<48x3x3x3xf32>
  return %0, %1 : tensor<24x3x3x3xf32>, tensor<48x3x3x3xf32>
}
