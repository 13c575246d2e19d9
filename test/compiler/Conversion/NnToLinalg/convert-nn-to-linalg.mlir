// RUN: nncc-opt %s --split-input-file --convert-nn-to-linalg | FileCheck %s --implicit-check-not=nn.

// === Math: elementwise binary ops, activations, softmax, matmul ===

// A broadcast dimension is collapsed away so the map stays a projection.
// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func @add_broadcast
// CHECK: %[[C:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0, 1]] : tensor<1x3xf32> into tensor<3xf32>
// CHECK: linalg.generic {indexing_maps = [#[[ID2]], #[[COL]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%{{.*}}, %[[C]] : tensor<2x3xf32>, tensor<3xf32>)
// CHECK: arith.addf
func.func @add_broadcast(%a: tensor<2x3xf32>, %b: tensor<1x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.add %a, %b : tensor<2x3xf32>, tensor<1x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @integer_ops
// CHECK: arith.divsi
// CHECK: arith.subi
func.func @integer_ops(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = nn.div %a, %b : tensor<4xi32>, tensor<4xi32> -> tensor<4xi32>
  %1 = nn.sub %0, %b : tensor<4xi32>, tensor<4xi32> -> tensor<4xi32>
  return %1 : tensor<4xi32>
}

// -----

// CHECK-LABEL: func @activations
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: arith.maximumf %{{.*}}, %[[ZERO]] : f32
// CHECK: arith.negf
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: arith.divf
// CHECK: math.tanh
func.func @activations(%a: tensor<8xf32>) -> tensor<8xf32> {
  %0 = nn.relu %a : tensor<8xf32>
  %1 = nn.sigmoid %0 : tensor<8xf32>
  %2 = nn.tanh %1 : tensor<8xf32>
  return %2 : tensor<8xf32>
}

// -----

// Softmax: max, exp(x - max), sum, divide.
// CHECK-LABEL: func @softmax
// CHECK: arith.constant 0xFF800000
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]
// CHECK: arith.maximumf
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]
// CHECK: arith.addf
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK: arith.divf
func.func @softmax(%x: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %0 = nn.softmax %x {axis = 0} : tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// CHECK-LABEL: func @matmul_2d
// CHECK: %[[FILL:.*]] = linalg.fill
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<3x4xf32>) outs(%[[FILL]] : tensor<2x4xf32>)
func.func @matmul_2d(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = nn.matmul %a, %b : tensor<2x3xf32>, tensor<3x4xf32> -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// CHECK-LABEL: func @matmul_batch
// CHECK: linalg.batch_matmul ins(%{{.*}}, %{{.*}} : tensor<5x2x3xf32>, tensor<5x3x4xf32>)
func.func @matmul_batch(%a: tensor<5x2x3xf32>, %b: tensor<5x3x4xf32>) -> tensor<5x2x4xf32> {
  %0 = nn.matmul %a, %b : tensor<5x2x3xf32>, tensor<5x3x4xf32> -> tensor<5x2x4xf32>
  return %0 : tensor<5x2x4xf32>
}

// -----

// Broadcast batch dimensions: loops (b0, b1, m, n, k).
// CHECK-DAG: #[[LHS:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d4)>
// CHECK-DAG: #[[RHS:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func @matmul_broadcast
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2], [3]] : tensor<2x1x4x3xf32> into tensor<2x4x3xf32>
// CHECK: linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @matmul_broadcast(%a: tensor<2x1x4x3xf32>, %b: tensor<5x3x6xf32>) -> tensor<2x5x4x6xf32> {
  %0 = nn.matmul %a, %b : tensor<2x1x4x3xf32>, tensor<5x3x6xf32> -> tensor<2x5x4x6xf32>
  return %0 : tensor<2x5x4x6xf32>
}

// -----

// nn.sum adds every operand in one loop.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func @sum
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ID]], #[[ID]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) outs(%{{.*}} : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %[[C:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[AB:.*]] = arith.addf %[[A]], %[[B]] : f32
// CHECK-NEXT: %[[ABC:.*]] = arith.addf %[[AB]], %[[C]] : f32
// CHECK-NEXT: linalg.yield %[[ABC]] : f32
func.func @sum(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>, %c: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.sum %a, %b, %c : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Integers add with addi; a sum of one operand folds away.
// CHECK-LABEL: func @sum_integers
// CHECK-SAME: (%[[A:.*]]: tensor<4xi32>, %{{.*}}: tensor<4xi32>)
// CHECK: linalg.generic
// CHECK: arith.addi
// CHECK: return %[[A]], %{{.*}} : tensor<4xi32>, tensor<4xi32>
func.func @sum_integers(%a: tensor<4xi32>, %b: tensor<4xi32>) -> (tensor<4xi32>, tensor<4xi32>) {
  %0 = nn.sum %a : tensor<4xi32>
  %1 = nn.sum %a, %b : tensor<4xi32>
  return %0, %1 : tensor<4xi32>, tensor<4xi32>
}

// -----

// x > 0 ? x : alpha * x, and alpha * expm1(x) for elu's negative side.
// CHECK-LABEL: func @leaky_relu_elu
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[ALPHA:.*]] = arith.constant 5.000000e-01 : f32
// CHECK-NEXT: %[[POS:.*]] = arith.cmpf ogt, %[[X]], %[[ZERO]] : f32
// CHECK-NEXT: %[[NEG:.*]] = arith.mulf %[[ALPHA]], %[[X]] : f32
// CHECK-NEXT: arith.select %[[POS]], %[[X]], %[[NEG]] : f32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[Y:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[ALPHA:.*]] = arith.constant 2.000000e+00 : f32
// CHECK-NEXT: %[[EXPM1:.*]] = math.expm1 %[[Y]] : f32
// CHECK-NEXT: %[[POS:.*]] = arith.cmpf ogt, %[[Y]], %[[ZERO]] : f32
// CHECK-NEXT: %[[NEG:.*]] = arith.mulf %[[ALPHA]], %[[EXPM1]] : f32
// CHECK-NEXT: arith.select %[[POS]], %[[Y]], %[[NEG]] : f32
func.func @leaky_relu_elu(%x: tensor<8xf32>) -> tensor<8xf32> {
  %0 = nn.leaky_relu %x {alpha = 0.5 : f32} : tensor<8xf32>
  %1 = nn.elu %0 {alpha = 2.0 : f32} : tensor<8xf32>
  return %1 : tensor<8xf32>
}

// -----

// One elementwise generic each: swish x / (1 + exp(-x)); softplus
// max(x, 0) + log1p(exp(-|x|)); sign (x > 0) ? 1 : (x < 0) ? -1 : 0.
// CHECK-LABEL: func @unary_math
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[NEG:.*]] = arith.negf %[[X]] : f32
// CHECK-NEXT: %[[EXP:.*]] = math.exp %[[NEG]] : f32
// CHECK-NEXT: %[[DEN:.*]] = arith.addf %[[ONE]], %[[EXP]] : f32
// CHECK-NEXT: arith.divf %[[X]], %[[DEN]] : f32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[POS:.*]] = arith.maximumf %[[X]], %[[ZERO]] : f32
// CHECK-NEXT: %[[ABS:.*]] = math.absf %[[X]] : f32
// CHECK-NEXT: %[[NABS:.*]] = arith.negf %[[ABS]] : f32
// CHECK-NEXT: %[[EXP:.*]] = math.exp %[[NABS]] : f32
// CHECK-NEXT: %[[LOG1P:.*]] = math.log1p %[[EXP]] : f32
// CHECK-NEXT: arith.addf %[[POS]], %[[LOG1P]] : f32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0
// CHECK-NEXT: math.absf
// CHECK-NEXT: linalg.yield
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[MINUS_ONE:.*]] = arith.constant -1.000000e+00 : f32
// CHECK-NEXT: %[[GT:.*]] = arith.cmpf ogt, %[[X]], %[[ZERO]] : f32
// CHECK-NEXT: %[[LT:.*]] = arith.cmpf olt, %[[X]], %[[ZERO]] : f32
// CHECK-NEXT: %[[NEG:.*]] = arith.select %[[LT]], %[[MINUS_ONE]], %[[ZERO]] : f32
// CHECK-NEXT: arith.select %[[GT]], %[[ONE]], %[[NEG]] : f32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0
// CHECK-NEXT: math.sqrt
// CHECK-NEXT: linalg.yield
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0
// CHECK-NEXT: math.exp
// CHECK-NEXT: linalg.yield
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0
// CHECK-NEXT: math.log
// CHECK-NEXT: linalg.yield
func.func @unary_math(%x: tensor<8xf32>) -> tensor<8xf32> {
  %0 = nn.swish %x : tensor<8xf32>
  %1 = nn.softplus %0 : tensor<8xf32>
  %2 = nn.abs %1 : tensor<8xf32>
  %3 = nn.sign %2 : tensor<8xf32>
  %4 = nn.sqrt %3 : tensor<8xf32>
  %5 = nn.exp %4 : tensor<8xf32>
  %6 = nn.log %5 : tensor<8xf32>
  return %6 : tensor<8xf32>
}

// -----

// Log-softmax: max, x - max, exp, sum, then (x - max) - log(sum): no
// division, and the log reads the sum, not the softmax.
// CHECK-LABEL: func @log_softmax
// CHECK: %[[MAX:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%{{.*}} : tensor<4x3xf32>) outs(%{{.*}} : tensor<4xf32>)
// CHECK: arith.maximumf
// CHECK: %[[SHIFTED:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %[[MAX]] : tensor<4x3xf32>, tensor<4xf32>)
// CHECK: arith.subf
// CHECK: %[[EXP:.*]] = linalg.generic {{.*}} ins(%[[SHIFTED]] : tensor<4x3xf32>)
// CHECK: math.exp
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[EXP]] : tensor<4x3xf32>)
// CHECK: arith.addf
// CHECK: linalg.generic {{.*}} ins(%[[SHIFTED]], %[[SUM]] : tensor<4x3xf32>, tensor<4xf32>)
// CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %[[S:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[LOG:.*]] = math.log %[[S]] : f32
// CHECK-NEXT: arith.subf %[[X]], %[[LOG]] : f32
// CHECK-NOT: arith.divf
func.func @log_softmax(%x: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %0 = nn.log_softmax %x {axis = 1} : tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// A reduction over the middle axis: the reduced loop is a "reduction" the
// output map skips; keep_dims reshapes the 2x4 sum to 2x1x4.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func @reduce_sum_keep_dims
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f64
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f64) outs(%{{.*}} : tensor<2x4xf64>)
// CHECK: %[[ACC:.*]] = linalg.generic {indexing_maps = [#[[IN]], #[[OUT]]], iterator_types = ["parallel", "reduction", "parallel"]} ins(%{{.*}} : tensor<2x3x4xf32>) outs(%[[INIT]] : tensor<2x4xf64>)
// CHECK: arith.extf %{{.*}} : f32 to f64
// CHECK: arith.addf %{{.*}} : f64
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[ACC]] : tensor<2x4xf64>) outs(%{{.*}} : tensor<2x4xf32>)
// CHECK: arith.truncf %{{.*}} : f64 to f32
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[SUM]] {{\[}}[0, 1]] : tensor<2x4xf32> into tensor<8xf32>
// CHECK: %[[R:.*]] = tensor.expand_shape %[[FLAT]] {{\[}}[0, 1, 2]] output_shape [2, 1, 4] : tensor<8xf32> into tensor<2x1x4xf32>
// CHECK: return %[[R]]
func.func @reduce_sum_keep_dims(%x: tensor<2x3x4xf32>) -> tensor<2x1x4xf32> {
  %0 = nn.reduce_sum %x {axes = array<i64: 1>, keep_dims = true} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  return %0 : tensor<2x1x4xf32>
}

// -----

// A full integer reduction writes a rank-0 tensor directly.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func @reduce_sum_all
// CHECK: %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : i32) outs(%{{.*}} : tensor<i32>)
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[IN]], #[[OUT]]], iterator_types = ["reduction", "reduction"]} ins(%{{.*}} : tensor<2x3xi32>) outs(%[[INIT]] : tensor<i32>)
// CHECK: arith.addi
// CHECK: return %[[SUM]] : tensor<i32>
func.func @reduce_sum_all(%x: tensor<2x3xi32>) -> tensor<i32> {
  %0 = nn.reduce_sum %x {axes = array<i64: 0, 1>, keep_dims = false} : tensor<2x3xi32> -> tensor<i32>
  return %0 : tensor<i32>
}

// -----

// A bias gradient's reduction, [N, C, H, W] -> [C]: the last axis is
// reduced with others before it, so it runs in two passes. The first sums N
// and H into rows along W, [C, W] in f64 (its innermost loop parallel, so it
// vectorizes), the second sums each row; the f64 sum is rounded once.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[ROWS:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[SUM:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func @reduce_sum_two_passes
// CHECK: %[[ROWSUMS:.*]] = linalg.generic {indexing_maps = [#[[IN]], #[[ROWS]]], iterator_types = ["reduction", "parallel", "reduction", "parallel"]} ins(%{{.*}} : tensor<4x3x5x6xf32>) outs(%{{.*}} : tensor<3x6xf64>)
// CHECK: arith.extf
// CHECK: %[[SUMS:.*]] = linalg.generic {indexing_maps = [#[[ROW]], #[[SUM]]], iterator_types = ["parallel", "reduction"]} ins(%[[ROWSUMS]] : tensor<3x6xf64>) outs(%{{.*}} : tensor<3xf64>)
// CHECK-NOT: arith.extf
// CHECK: arith.addf %{{.*}} : f64
// CHECK: arith.truncf %{{.*}} : f64 to f32
func.func @reduce_sum_two_passes(%x: tensor<4x3x5x6xf32>) -> tensor<3xf32> {
  %0 = nn.reduce_sum %x {axes = array<i64: 0, 2, 3>, keep_dims = false} : tensor<4x3x5x6xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// A product's rounding depends on its order: one pass, as written.
// CHECK-LABEL: func @reduce_prod_one_pass
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel", "reduction", "reduction"]} ins(%{{.*}} : tensor<4x3x5x6xf32>) outs(%{{.*}} : tensor<3xf32>)
// CHECK-NOT: linalg.generic
func.func @reduce_prod_one_pass(%x: tensor<4x3x5x6xf32>) -> tensor<3xf32> {
  %0 = nn.reduce_prod %x {axes = array<i64: 0, 2, 3>, keep_dims = false} : tensor<4x3x5x6xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// === NN: conv2d, max/avg pooling, global average pooling ===

// The bias is broadcast into the accumulator; padding is a tensor.pad.
// CHECK-LABEL: func @conv_bias_pad
// CHECK: %[[PAD:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 2] high[0, 0, 3, 4]
// CHECK: %[[INIT:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<4xf32>)
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<[1, 2]> : tensor<2xi64>, strides = dense<[2, 1]> : tensor<2xi64>} ins(%[[PAD]], %{{.*}} : tensor<1x3x12x14xf32>, tensor<4x3x3x3xf32>) outs(%[[INIT]] : tensor<1x4x5x10xf32>)
func.func @conv_bias_pad(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x5x10xf32> {
  %0 = nn.conv2d %x, %w, %b {strides = array<i64: 2, 1>, padding = array<i64: 1, 2, 3, 4>, dilations = array<i64: 1, 2>, groups = 1} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32> -> tensor<1x4x5x10xf32>
  return %0 : tensor<1x4x5x10xf32>
}

// -----

// CHECK-LABEL: func @conv_grouped
// CHECK: tensor.expand_shape %{{.*}} {{\[}}[0], [1, 2], [3], [4]] {{.*}} : tensor<1x4x8x8xf32> into tensor<1x2x2x8x8xf32>
// CHECK: tensor.expand_shape %{{.*}} {{\[}}[0, 1], [2], [3], [4]] {{.*}} : tensor<6x2x3x3xf32> into tensor<2x3x2x3x3xf32>
// CHECK: %[[CONV:.*]] = linalg.conv_2d_ngchw_gfchw
// CHECK: tensor.collapse_shape %[[CONV]] {{\[}}[0], [1, 2], [3], [4]] : tensor<1x2x3x6x6xf32> into tensor<1x6x6x6xf32>
func.func @conv_grouped(%x: tensor<1x4x8x8xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32> {
  %0 = nn.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 2} : tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32> -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

// Windows that neither overlap nor pad (2x2, stride 2, floor mode): the
// whole windows' 6x6 of the 7x7 input, viewed as [N, C, OH, KH, OW, KW],
// give one [N, C, OH, OW] view per kernel offset, in row-major order, and
// the pooling is their elementwise maximum: no reduction, no padding.
// CHECK-LABEL: func @max_pool_views
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x7x7xf32>)
// CHECK: %[[WHOLE:.*]] = tensor.extract_slice %[[X]][0, 0, 0, 0] [1, 2, 6, 6] [1, 1, 1, 1]
// CHECK: %[[W:.*]] = tensor.expand_shape %[[WHOLE]] {{\[\[}}0], [1], [2, 3], [4, 5]] output_shape [1, 2, 3, 2, 3, 2]
// CHECK: %[[V0:.*]] = tensor.extract_slice %[[W]][0, 0, 0, 0, 0, 0] [1, 2, 3, 1, 3, 1]
// CHECK: %[[V1:.*]] = tensor.extract_slice %[[W]][0, 0, 0, 0, 0, 1] [1, 2, 3, 1, 3, 1]
// CHECK: %[[V2:.*]] = tensor.extract_slice %[[W]][0, 0, 0, 1, 0, 0] [1, 2, 3, 1, 3, 1]
// CHECK: %[[V3:.*]] = tensor.extract_slice %[[W]][0, 0, 0, 1, 0, 1] [1, 2, 3, 1, 3, 1]
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[V0]], %[[V1]], %[[V2]], %[[V3]] :
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %[[C:.*]]: f32, %[[D:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[AB:.*]] = arith.maximumf %[[A]], %[[B]] : f32
// CHECK-NEXT: %[[ABC:.*]] = arith.maximumf %[[AB]], %[[C]] : f32
// CHECK-NEXT: %[[ABCD:.*]] = arith.maximumf %[[ABC]], %[[D]] : f32
// CHECK-NEXT: linalg.yield %[[ABCD]] : f32
// CHECK-NOT: linalg.pooling_nchw_max
func.func @max_pool_views(%x: tensor<1x2x7x7xf32>) -> tensor<1x2x3x3xf32> {
  %0 = nn.max_pool2d %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false} : tensor<1x2x7x7xf32> -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// Ceil mode extends the bottom/right padding; padding never wins a max.
// CHECK-LABEL: func @max_pool_ceil
// CHECK: %[[NEG_INF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[NEG_INF]]
// CHECK: linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%{{.*}}, %{{.*}} : tensor<1x2x6x6xf32>, tensor<2x2xf32>)
func.func @max_pool_ceil(%x: tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32> {
  %0 = nn.max_pool2d %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true} : tensor<1x2x5x5xf32> -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// Divisors count only real input elements (count_include_pad = false):
// windows start at -1 and 1 along each axis of a 4-wide input.
// CHECK-LABEL: func @avg_pool
// CHECK: linalg.pooling_nchw_sum
// CHECK: arith.constant dense<{{\[}}[4.000000e+00, 6.000000e+00], [6.000000e+00, 9.000000e+00]]> : tensor<2x2xf32>
// CHECK: arith.divf
func.func @avg_pool(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32> {
  %0 = nn.avg_pool2d %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 0, 0>, ceil_mode = false, count_include_pad = false} : tensor<1x1x4x4xf32> -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}

// -----

// With count_include_pad the explicit padding counts, the overhang does not.
// CHECK-LABEL: func @avg_pool_count_pad
// CHECK: arith.constant dense<9.000000e+00> : tensor<2x2xf32>
func.func @avg_pool_count_pad(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32> {
  %0 = nn.avg_pool2d %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 0, 0>, ceil_mode = false, count_include_pad = true} : tensor<1x1x4x4xf32> -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}

// -----

// CHECK-LABEL: func @global_avg_pool
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "reduction"]
// CHECK: %[[COUNT:.*]] = arith.constant 6.400000e+01 : f32
// CHECK: arith.divf %{{.*}}, %[[COUNT]]
// CHECK: tensor.expand_shape %{{.*}} {{\[}}[0], [1, 2, 3]] {{.*}} : tensor<1x3xf32> into tensor<1x3x1x1xf32>
func.func @global_avg_pool(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x1x1xf32> {
  %0 = nn.global_avg_pool %x : tensor<1x3x8x8xf32> -> tensor<1x3x1x1xf32>
  return %0 : tensor<1x3x1x1xf32>
}

// -----

// === NN: normalization and dropout ===

// Inference batch norm is one loop; the per-channel operands follow d1.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[CH:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func @batch_norm
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[CH]], #[[CH]], #[[CH]], #[[CH]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
// CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %[[SCALE:.*]]: f32, %[[BIAS:.*]]: f32, %[[MEAN:.*]]: f32, %[[VAR:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[EPS:.*]] = arith.constant 9.99999974E-6 : f32
// CHECK-NEXT: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[VE:.*]] = arith.addf %[[VAR]], %[[EPS]] : f32
// CHECK-NEXT: %[[STD:.*]] = math.sqrt %[[VE]] : f32
// CHECK-NEXT: %[[INV:.*]] = arith.divf %[[ONE]], %[[STD]] : f32
// CHECK-NEXT: %[[CENTERED:.*]] = arith.subf %[[X]], %[[MEAN]] : f32
// CHECK-NEXT: %[[FACTOR:.*]] = arith.mulf %[[INV]], %[[SCALE]] : f32
// CHECK-NEXT: %[[SCALED:.*]] = arith.mulf %[[CENTERED]], %[[FACTOR]] : f32
// CHECK-NEXT: arith.addf %[[SCALED]], %[[BIAS]] : f32
func.func @batch_norm(%x: tensor<2x3x4x4xf32>, %scale: tensor<3xf32>, %bias: tensor<3xf32>, %mean: tensor<3xf32>, %var: tensor<3xf32>) -> tensor<2x3x4x4xf32> {
  %0 = nn.batch_norm %x, %scale, %bias, %mean, %var {epsilon = 1.0e-05 : f32, momentum = 0.9 : f32} : tensor<2x3x4x4xf32>, tensor<3xf32>
  return %0 : tensor<2x3x4x4xf32>
}

// -----

// The batch's statistics: per-channel sums over N and the spatial
// dimension (8 elements a channel), the biased variance, then the same
// normalization with them; mean and variance are results too.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[CH:.*]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-LABEL: func @batch_norm_train
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>, %[[SCALE:.*]]: tensor<3xf32>, %[[BIAS:.*]]: tensor<3xf32>)
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[CH]]], iterator_types = ["reduction", "parallel", "reduction"]} ins(%[[X]] : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<3xf64>)
// CHECK: arith.extf
// CHECK: arith.addf %{{.*}} : f64
// CHECK: %[[MEAN:.*]] = linalg.generic {{.*}} ins(%[[SUM]] : tensor<3xf64>) outs(%{{.*}} : tensor<3xf32>)
// CHECK: arith.constant 8.000000e+00 : f64
// CHECK: arith.divf
// CHECK: arith.truncf
// CHECK: %[[SQ:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[CH]], #[[CH]]], iterator_types = ["reduction", "parallel", "reduction"]} ins(%[[X]], %[[MEAN]] : tensor<2x3x4xf32>, tensor<3xf32>) outs(%{{.*}} : tensor<3xf64>)
// CHECK: arith.extf
// CHECK: arith.extf
// CHECK: arith.subf %{{.*}} : f64
// CHECK: arith.mulf %{{.*}} : f64
// CHECK: arith.addf %{{.*}} : f64
// CHECK: %[[VAR:.*]] = linalg.generic {{.*}} ins(%[[SQ]] : tensor<3xf64>) outs(%{{.*}} : tensor<3xf32>)
// CHECK: arith.constant 8.000000e+00 : f64
// CHECK: arith.divf
// CHECK: arith.truncf
// CHECK: %[[Y:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[CH]], #[[CH]], #[[CH]], #[[CH]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[X]], %[[SCALE]], %[[BIAS]], %[[MEAN]], %[[VAR]] :
// CHECK: math.sqrt
// CHECK: return %[[Y]], %[[MEAN]], %[[VAR]]
func.func @batch_norm_train(%x: tensor<2x3x4xf32>, %scale: tensor<3xf32>, %bias: tensor<3xf32>) -> (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>) {
  %0:3 = nn.batch_norm_train %x, %scale, %bias {epsilon = 1.0e-05 : f32} : tensor<2x3x4xf32>, tensor<3xf32>
  return %0#0, %0#1, %0#2 : tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>
}

// -----

// Statistics over the dimensions from axis 1 on (12 elements a row); scale
// and bias follow those dimensions.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1, d2) -> (d0)>
// CHECK-DAG: #[[TRAIL:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-LABEL: func @layer_norm
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>, %[[SCALE:.*]]: tensor<3x4xf32>, %[[BIAS:.*]]: tensor<3x4xf32>)
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]]], iterator_types = ["parallel", "reduction", "reduction"]} ins(%[[X]] : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<2xf64>)
// CHECK: %[[MEAN:.*]] = linalg.generic {{.*}} ins(%[[SUM]] : tensor<2xf64>) outs(%{{.*}} : tensor<2xf32>)
// CHECK: arith.constant 1.200000e+01 : f64
// CHECK: %[[SQ:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ROW]]], iterator_types = ["parallel", "reduction", "reduction"]} ins(%[[X]], %[[MEAN]] :
// CHECK: %[[VAR:.*]] = linalg.generic {{.*}} ins(%[[SQ]] : tensor<2xf64>) outs(%{{.*}} : tensor<2xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ROW]], #[[TRAIL]], #[[TRAIL]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[X]], %[[MEAN]], %[[VAR]], %[[SCALE]], %[[BIAS]] : tensor<2x3x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<3x4xf32>, tensor<3x4xf32>)
// CHECK: math.sqrt
func.func @layer_norm(%x: tensor<2x3x4xf32>, %scale: tensor<3x4xf32>, %bias: tensor<3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = nn.layer_norm %x, %scale, %bias {axis = 1, epsilon = 1.0e-05 : f32} : tensor<2x3x4xf32>, tensor<3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// Inference dropout lowers to nothing.
// CHECK-LABEL: func @dropout
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: return %[[X]] : tensor<4xf32>
func.func @dropout(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nn.dropout %x {ratio = 0.5 : f32} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Training dropout: one generic writes the result and the mask; the step
// enters through a rank-0 map. Each element hashes (splitmix64's finalizer)
// the seeded step and its row-major index, keeps its top 24 bits and
// compares them with ratio * 2^24 (0.25 -> 4194304); kept elements scale by
// 1 / (1 - 0.25).
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func @dropout_train
// CHECK: %[[R:.*]]:2 = linalg.generic {indexing_maps = [#[[ID]], #[[SCALAR]], #[[ID]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<i64>) outs(%{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %[[STEP:.*]]: i64, %{{.*}}: f32, %{{.*}}: f32):
// CHECK: linalg.index 0 : index
// CHECK: linalg.index 1 : index
// CHECK: %[[INDEX:.*]] = arith.index_cast %{{.*}} : index to i64
// CHECK: %[[KEY:.*]] = arith.addi %[[STEP]], %{{.*}} : i64
// CHECK: %[[SPREAD:.*]] = arith.muli %[[INDEX]], %{{.*}} : i64
// CHECK: %[[Z0:.*]] = arith.addi %[[KEY]], %[[SPREAD]] : i64
// CHECK: %[[C30:.*]] = arith.constant 30 : i64
// CHECK: %[[S30:.*]] = arith.shrui %[[Z0]], %[[C30]] : i64
// CHECK: %[[X30:.*]] = arith.xori %[[Z0]], %[[S30]] : i64
// CHECK: %[[Z1:.*]] = arith.muli %[[X30]], %{{.*}} : i64
// CHECK: %[[C27:.*]] = arith.constant 27 : i64
// CHECK: %[[S27:.*]] = arith.shrui %[[Z1]], %[[C27]] : i64
// CHECK: %[[X27:.*]] = arith.xori %[[Z1]], %[[S27]] : i64
// CHECK: %[[Z2:.*]] = arith.muli %[[X27]], %{{.*}} : i64
// CHECK: %[[C31:.*]] = arith.constant 31 : i64
// CHECK: %[[S31:.*]] = arith.shrui %[[Z2]], %[[C31]] : i64
// CHECK: %[[HASH:.*]] = arith.xori %[[Z2]], %[[S31]] : i64
// CHECK: %[[C40:.*]] = arith.constant 40 : i64
// CHECK: %[[BITS:.*]] = arith.shrui %[[HASH]], %[[C40]] : i64
// CHECK: %[[THRESHOLD:.*]] = arith.constant 4194304 : i64
// CHECK: %[[KEEP:.*]] = arith.cmpi uge, %[[BITS]], %[[THRESHOLD]] : i64
// CHECK: %[[SCALE:.*]] = arith.constant 1.33333337 : f32
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[MASK:.*]] = arith.select %[[KEEP]], %[[SCALE]], %[[ZERO]] : f32
// CHECK: %[[Y:.*]] = arith.mulf %[[X]], %[[MASK]] : f32
// CHECK: linalg.yield %[[Y]], %[[MASK]] : f32, f32
// CHECK: return %[[R]]#0, %[[R]]#1
func.func @dropout_train(%x: tensor<2x3xf32>, %step: tensor<i64>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %0:2 = nn.dropout_train %x, %step {ratio = 0.25 : f32, seed = 1} : tensor<2x3xf32>, tensor<i64>
  return %0#0, %0#1 : tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// === Tensor: constant, reshape, transpose ===

// CHECK-LABEL: func @shapes
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0, 1, 2]] : tensor<2x3x4xf32> into tensor<24xf32>
// CHECK: tensor.expand_shape %[[FLAT]] {{\[}}[0, 1]] output_shape [6, 4] : tensor<24xf32> into tensor<6x4xf32>
// CHECK: linalg.transpose ins(%{{.*}} : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<4x2x3xf32>) permutation = [2, 0, 1]
// CHECK: arith.constant dense<[1, 2]> : tensor<2xi64>
func.func @shapes(%x: tensor<2x3x4xf32>) -> (tensor<6x4xf32>, tensor<4x2x3xf32>, tensor<2xi64>) {
  %0 = nn.reshape %x : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %1 = nn.transpose %x {perm = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  %2 = nn.constant dense<[1, 2]> : tensor<2xi64>
  return %0, %1, %2 : tensor<6x4xf32>, tensor<4x2x3xf32>, tensor<2xi64>
}

// -----

// === Tensor: concat, slice, broadcast, one_hot ===

// Each operand is inserted at its offset along the axis.
// CHECK-LABEL: func @concat
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<2x5xf32>)
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<2x11xf32>
// CHECK: %[[R0:.*]] = tensor.insert_slice %[[A]] into %[[EMPTY]][0, 0] [2, 3] [1, 1] : tensor<2x3xf32> into tensor<2x11xf32>
// CHECK: %[[R1:.*]] = tensor.insert_slice %[[B]] into %[[R0]][0, 3] [2, 5] [1, 1] : tensor<2x5xf32> into tensor<2x11xf32>
// CHECK: %[[R2:.*]] = tensor.insert_slice %[[A]] into %[[R1]][0, 8] [2, 3] [1, 1] : tensor<2x3xf32> into tensor<2x11xf32>
// CHECK: return %[[R2]]
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>) -> tensor<2x11xf32> {
  %0 = nn.concat %a, %b, %a {axis = 1} : tensor<2x3xf32>, tensor<2x5xf32>, tensor<2x3xf32> -> tensor<2x11xf32>
  return %0 : tensor<2x11xf32>
}

// -----

// starts and steps become the offsets and strides of one extract_slice.
// CHECK-LABEL: func @slice
// CHECK: %[[S:.*]] = tensor.extract_slice %{{.*}}[1, 1] [2, 3] [2, 2] : tensor<4x6xf32> to tensor<2x3xf32>
// CHECK-NEXT: return %[[S]]
func.func @slice(%x: tensor<4x6xf32>) -> tensor<2x3xf32> {
  %0 = nn.slice %x {starts = array<i64: 1, 1>, steps = array<i64: 2, 2>} : tensor<4x6xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// The size-1 dimension is collapsed away and the map skips the new leading
// and stretched dimensions.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func @broadcast
// CHECK: %[[C:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0, 1]] : tensor<3x1xf32> into tensor<3xf32>
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[C]] : tensor<3xf32>) outs(%{{.*}} : tensor<4x3x5xf32>)
// CHECK-NEXT: ^bb0(%[[V:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: linalg.yield %[[V]] : f32
func.func @broadcast(%x: tensor<3x1xf32>) -> tensor<4x3x5xf32> {
  %0 = nn.broadcast %x : tensor<3x1xf32> -> tensor<4x3x5xf32>
  return %0 : tensor<4x3x5xf32>
}

// -----

// Each element compares its class index with the label (so an out-of-range
// label gives a row of zeros).
// CHECK-DAG: #[[LABELS:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func @one_hot
// CHECK: linalg.generic {indexing_maps = [#[[LABELS]], #[[OUT]]], iterator_types = ["parallel", "parallel"]} ins(%{{.*}} : tensor<4xi32>) outs(%{{.*}} : tensor<4x10xf32>)
// CHECK-NEXT: ^bb0(%[[LABEL:.*]]: i32, %{{.*}}: f32):
// CHECK-NEXT: %[[CLASS:.*]] = linalg.index 1 : index
// CHECK-NEXT: %[[L:.*]] = arith.index_cast %[[LABEL]] : i32 to index
// CHECK-NEXT: %[[HIT:.*]] = arith.cmpi eq, %[[CLASS]], %[[L]] : index
// CHECK-NEXT: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: arith.select %[[HIT]], %[[ONE]], %[[ZERO]] : f32
func.func @one_hot(%labels: tensor<4xi32>) -> tensor<4x10xf32> {
  %0 = nn.one_hot %labels : tensor<4xi32> -> tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}

// -----

// === Training: backward helpers ===

// grad where the input is positive, else 0 (relu) or slope * grad.
// CHECK-LABEL: func @relu_grad
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<4xf32>, tensor<4xf32>)
// CHECK-NEXT: ^bb0(%[[G:.*]]: f32, %[[X:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[POS:.*]] = arith.cmpf ogt, %[[X]], %[[ZERO]] : f32
// CHECK-NEXT: %[[NONE:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: arith.select %[[POS]], %[[G]], %[[NONE]] : f32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[G:.*]]: f32, %[[X:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[POS:.*]] = arith.cmpf ogt, %[[X]], %[[ZERO]] : f32
// CHECK-NEXT: %[[SLOPE:.*]] = arith.constant 2.500000e-01 : f32
// CHECK-NEXT: %[[NEG:.*]] = arith.mulf %[[G]], %[[SLOPE]] : f32
// CHECK-NEXT: arith.select %[[POS]], %[[G]], %[[NEG]] : f32
func.func @relu_grad(%g: tensor<4xf32>, %x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = nn.relu_grad %g, %x : tensor<4xf32>
  %1 = nn.relu_grad %g, %x {negative_slope = 0.25 : f32} : tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// From elu's result y: grad where y > 0, else grad * (y + alpha).
// CHECK-LABEL: func @elu_grad
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[G:.*]]: f32, %[[Y:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[POS:.*]] = arith.cmpf ogt, %[[Y]], %[[ZERO]] : f32
// CHECK-NEXT: %[[ALPHA:.*]] = arith.constant 2.000000e+00 : f32
// CHECK-NEXT: %[[YA:.*]] = arith.addf %[[Y]], %[[ALPHA]] : f32
// CHECK-NEXT: %[[NEG:.*]] = arith.mulf %[[G]], %[[YA]] : f32
// CHECK-NEXT: arith.select %[[POS]], %[[G]], %[[NEG]] : f32
func.func @elu_grad(%g: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nn.elu_grad %g, %y {alpha = 2.0 : f32} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// The slice's gradient goes into zeros where the slice read, with its
// strides.
// CHECK-LABEL: func @slice_backward
// CHECK-SAME: (%[[G:.*]]: tensor<2x3xf32>)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[ZEROS:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<4x6xf32>)
// CHECK: %[[R:.*]] = tensor.insert_slice %[[G]] into %[[ZEROS]][1, 1] [2, 3] [2, 2] : tensor<2x3xf32> into tensor<4x6xf32>
// CHECK-NEXT: return %[[R]]
func.func @slice_backward(%g: tensor<2x3xf32>) -> tensor<4x6xf32> {
  %0 = nn.slice_backward %g {starts = array<i64: 1, 1>, steps = array<i64: 2, 2>} : tensor<2x3xf32> -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}

// -----

// The input gradient of a grouped (2), strided (2), padded (1) conv2d, in
// gather form over loops (n, g, c, h, w, f, kh, kw): the filter is an
// affine operand, the gradient is read with tensor.extract at the covering
// window (h + 1 - kh) / 2, taken only when exact and in range.
// CHECK-DAG: #[[FILTER:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d5, d2, d6, d7)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>
// CHECK-LABEL: func @conv_backward_input
// CHECK: %[[GRAD:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0], [1, 2], [3], [4]] output_shape [1, 2, 4, 5, 5] : tensor<1x8x5x5xf32> into tensor<1x2x4x5x5xf32>
// CHECK: %[[W:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0, 1], [2], [3], [4]] output_shape [2, 4, 2, 3, 3] : tensor<8x2x3x3xf32> into tensor<2x4x2x3x3xf32>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x2x2x9x9xf32>)
// CHECK: %[[DX:.*]] = linalg.generic {indexing_maps = [#[[FILTER]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[W]] : tensor<2x4x2x3x3xf32>) outs(%[[INIT]] : tensor<1x2x2x9x9xf32>)
// CHECK-NEXT: ^bb0(%[[WV:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK: %[[H:.*]] = linalg.index 3 : index
// CHECK: %[[KH:.*]] = linalg.index 6 : index
// CHECK: arith.addi %[[H]], %{{.*}} : index
// CHECK: arith.divui
// CHECK: arith.remui
// CHECK: %[[OH:.*]] = arith.select %{{.*}}, %{{.*}}, %{{.*}} : index
// CHECK: %[[W_:.*]] = linalg.index 4 : index
// CHECK: %[[KW:.*]] = linalg.index 7 : index
// CHECK: arith.remui
// CHECK: %[[OW:.*]] = arith.select %{{.*}}, %{{.*}}, %{{.*}} : index
// CHECK: %[[N:.*]] = linalg.index 0 : index
// CHECK: %[[G:.*]] = linalg.index 1 : index
// CHECK: %[[F:.*]] = linalg.index 5 : index
// CHECK: %[[GV:.*]] = tensor.extract %[[GRAD]][%[[N]], %[[G]], %[[F]], %[[OH]], %[[OW]]] : tensor<1x2x4x5x5xf32>
// CHECK: %[[P:.*]] = arith.mulf %[[GV]], %[[WV]] : f32
// CHECK: %[[SUM:.*]] = arith.addf %[[ACC]], %[[P]] : f32
// CHECK: %[[VALID:.*]] = arith.andi %{{.*}}, %{{.*}} : i1
// CHECK: %[[NEXT:.*]] = arith.select %[[VALID]], %[[SUM]], %[[ACC]] : f32
// CHECK: linalg.yield %[[NEXT]] : f32
// CHECK: tensor.collapse_shape %[[DX]] {{\[}}[0], [1, 2], [3], [4]] : tensor<1x2x2x9x9xf32> into tensor<1x4x9x9xf32>
func.func @conv_backward_input(%gy: tensor<1x8x5x5xf32>, %w: tensor<8x2x3x3xf32>) -> tensor<1x4x9x9xf32> {
  %0 = nn.conv2d_backward_input %gy, %w {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 2} : tensor<1x8x5x5xf32>, tensor<8x2x3x3xf32> -> tensor<1x4x9x9xf32>
  return %0 : tensor<1x4x9x9xf32>
}

// -----

// The filter gradient is an affine correlation over loops
// (g, f, c, kh, kw, n, oh, ow) of the gradient and the zero-padded input.
// CHECK-DAG: #[[GMAP:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d5, d0, d1, d6, d7)>
// CHECK-DAG: #[[INPUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d5, d0, d2, d6 * 2 + d3, d7 * 2 + d4)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>
// CHECK-LABEL: func @conv_backward_filter
// CHECK: %[[PAD:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: } : tensor<1x4x9x9xf32> to tensor<1x4x11x11xf32>
// CHECK: %[[X:.*]] = tensor.expand_shape %[[PAD]] {{\[}}[0], [1, 2], [3], [4]] {{.*}} : tensor<1x4x11x11xf32> into tensor<1x2x2x11x11xf32>
// CHECK: %[[G:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0], [1, 2], [3], [4]] {{.*}} : tensor<1x8x5x5xf32> into tensor<1x2x4x5x5xf32>
// CHECK: %[[DW:.*]] = linalg.generic {indexing_maps = [#[[GMAP]], #[[INPUT]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[G]], %[[X]] : tensor<1x2x4x5x5xf32>, tensor<1x2x2x11x11xf32>) outs(%{{.*}} : tensor<2x4x2x3x3xf64>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %[[ACC:.*]]: f64):
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[A]], %[[B]] : f32
// CHECK-NEXT: %[[PW:.*]] = arith.extf %[[P]] : f32 to f64
// CHECK-NEXT: arith.addf %[[ACC]], %[[PW]] : f64
// CHECK: %[[DW32:.*]] = linalg.generic {{.*}} ins(%[[DW]] : tensor<2x4x2x3x3xf64>) outs(%{{.*}} : tensor<2x4x2x3x3xf32>)
// CHECK: arith.truncf
// CHECK: tensor.collapse_shape %[[DW32]] {{\[}}[0, 1], [2], [3], [4]] : tensor<2x4x2x3x3xf32> into tensor<8x2x3x3xf32>
func.func @conv_backward_filter(%gy: tensor<1x8x5x5xf32>, %x: tensor<1x4x9x9xf32>) -> tensor<8x2x3x3xf32> {
  %0 = nn.conv2d_backward_filter %gy, %x {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 2} : tensor<1x8x5x5xf32>, tensor<1x4x9x9xf32> -> tensor<8x2x3x3xf32>
  return %0 : tensor<8x2x3x3xf32>
}

// -----

// One generic with two outputs, the running maximum and its flat index
// h * 5 + w: strict ogt keeps the first maximum, the -inf ceil-mode padding
// never wins. Only the indices are returned.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 2 + d4, d3 * 2 + d5)>
// CHECK-DAG: #[[WIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func @max_pool_indices
// CHECK: %[[NEG_INF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[PAD:.*]] = tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[NEG_INF]]
// CHECK: %[[BEST:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x2x3x3xf32>)
// CHECK: %[[WHERE:.*]] = linalg.fill ins(%{{.*}} : i64) outs(%{{.*}} : tensor<1x2x3x3xi64>)
// CHECK: %[[R:.*]]:2 = linalg.generic {indexing_maps = [#[[IN]], #[[WIN]], #[[OUT]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%[[PAD]], %{{.*}} : tensor<1x2x6x6xf32>, tensor<2x2xf32>) outs(%[[BEST]], %[[WHERE]] : tensor<1x2x3x3xf32>, tensor<1x2x3x3xi64>)
// CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32, %[[MAX:.*]]: f32, %[[IDX:.*]]: i64):
// CHECK: %[[FIVE:.*]] = arith.constant 5 : index
// CHECK: %[[ROW:.*]] = arith.muli %{{.*}}, %[[FIVE]] : index
// CHECK: %[[FLAT:.*]] = arith.addi %[[ROW]], %{{.*}} : index
// CHECK: %[[FLAT64:.*]] = arith.index_cast %[[FLAT]] : index to i64
// CHECK: %[[BETTER:.*]] = arith.cmpf ogt, %[[X]], %[[MAX]] : f32
// CHECK: %[[NEW_MAX:.*]] = arith.select %[[BETTER]], %[[X]], %[[MAX]] : f32
// CHECK: %[[NEW_IDX:.*]] = arith.select %[[BETTER]], %[[FLAT64]], %[[IDX]] : i64
// CHECK: linalg.yield %[[NEW_MAX]], %[[NEW_IDX]] : f32, i64
// CHECK: return %[[R]]#1 : tensor<1x2x3x3xi64>
func.func @max_pool_indices(%x: tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xi64> {
  %0 = nn.max_pool2d_indices %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true} : tensor<1x2x5x5xf32> -> tensor<1x2x3x3xi64>
  return %0 : tensor<1x2x3x3xi64>
}

// -----

// Windows that neither overlap nor pad: one pass over the kernel offsets'
// views (@max_pool_views), keeping the first maximum (strict >) and its
// flat index in the 6-wide input, (oh * 2 + kh) * 6 + ow * 2 + kw.
// CHECK-LABEL: func @max_pool_indices_views
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) outs(%{{.*}} : tensor<1x2x3x3xi64>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %[[C:.*]]: f32, %[[D:.*]]: f32, %{{.*}}: i64):
// CHECK: %[[BETTER:.*]] = arith.cmpf ogt, %[[B]], %[[A]] : f32
// CHECK: %[[BEST:.*]] = arith.select %[[BETTER]], %[[B]], %[[A]] : f32
// CHECK: arith.cmpf ogt, %[[C]], %[[BEST]] : f32
// CHECK: arith.cmpf ogt, %[[D]], %{{.*}} : f32
// CHECK: %[[WHERE:.*]] = arith.select %{{.*}}, %{{.*}}, %{{.*}} : i64
// CHECK-NEXT: linalg.yield %[[WHERE]] : i64
func.func @max_pool_indices_views(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xi64> {
  %0 = nn.max_pool2d_indices %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false} : tensor<1x2x6x6xf32> -> tensor<1x2x3x3xi64>
  return %0 : tensor<1x2x3x3xi64>
}

// -----

// A train step's forward pooling and its backward pass's argmax of the same
// windows: one pass over the views yields both, the maximum (maximumf, as
// @max_pool_views) and the first maximum's index (as
// @max_pool_indices_views).
// CHECK-LABEL: func @max_pool_with_indices
// CHECK: %[[BOTH:.*]]:2 = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) outs(%{{.*}}, %{{.*}} : tensor<1x2x3x3xf32>, tensor<1x2x3x3xi64>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %[[C:.*]]: f32, %[[D:.*]]: f32, %{{.*}}: f32, %{{.*}}: i64):
// CHECK: %[[M1:.*]] = arith.maximumf %[[A]], %[[B]] : f32
// CHECK: %[[M2:.*]] = arith.maximumf %[[M1]], %[[C]] : f32
// CHECK: %[[M3:.*]] = arith.maximumf %[[M2]], %[[D]] : f32
// CHECK: arith.cmpf ogt, %[[B]], %[[A]] : f32
// CHECK: arith.cmpf ogt, %[[D]], %{{.*}} : f32
// CHECK-NEXT: arith.select %{{.*}}, %[[D]], %{{.*}} : f32
// CHECK-NEXT: %[[WHERE:.*]] = arith.select %{{.*}}, %{{.*}}, %{{.*}} : i64
// CHECK-NEXT: linalg.yield %[[M3]], %[[WHERE]] : f32, i64
// CHECK-NOT: linalg.generic
// CHECK: return %[[BOTH]]#0, %[[BOTH]]#1
func.func @max_pool_with_indices(%x: tensor<1x2x6x6xf32>) -> (tensor<1x2x3x3xf32>, tensor<1x2x3x3xi64>) {
  %0 = nn.max_pool2d %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false} : tensor<1x2x6x6xf32> -> tensor<1x2x3x3xf32>
  %1 = nn.max_pool2d_indices %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false} : tensor<1x2x6x6xf32> -> tensor<1x2x3x3xi64>
  return %0, %1 : tensor<1x2x3x3xf32>, tensor<1x2x3x3xi64>
}

// -----

// Each input element (loops n, c, h, w, kh, kw) sums the gradients of the
// covering windows whose index names it (h * 5 + w): the general form, here
// for ceil-mode windows that overhang the input.
// CHECK-DAG: #[[WIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func @max_pool_backward
// CHECK-SAME: (%[[G:.*]]: tensor<1x2x3x3xf32>, %[[I:.*]]: tensor<1x2x3x3xi64>)
// CHECK: %[[INIT:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x2x5x5xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[WIN]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%{{.*}} : tensor<2x2xf32>) outs(%[[INIT]] : tensor<1x2x5x5xf32>)
// CHECK-NEXT: ^bb0(%{{.*}}: f32, %[[ACC:.*]]: f32):
// CHECK: arith.remui
// CHECK: %[[OH:.*]] = arith.select %{{.*}}, %{{.*}}, %{{.*}} : index
// CHECK: arith.remui
// CHECK: %[[OW:.*]] = arith.select %{{.*}}, %{{.*}}, %{{.*}} : index
// CHECK: %[[WINNER:.*]] = tensor.extract %[[I]][%{{.*}}, %{{.*}}, %[[OH]], %[[OW]]] : tensor<1x2x3x3xi64>
// CHECK: %[[HERE:.*]] = arith.index_cast %{{.*}} : index to i64
// CHECK: %[[HIT:.*]] = arith.cmpi eq, %[[WINNER]], %[[HERE]] : i64
// CHECK: %[[GV:.*]] = tensor.extract %[[G]][%{{.*}}, %{{.*}}, %[[OH]], %[[OW]]] : tensor<1x2x3x3xf32>
// CHECK: %[[SUM:.*]] = arith.addf %[[ACC]], %[[GV]] : f32
// CHECK: %[[TAKE:.*]] = arith.andi %{{.*}}, %[[HIT]] : i1
// CHECK: arith.select %[[TAKE]], %[[SUM]], %[[ACC]] : f32
func.func @max_pool_backward(%g: tensor<1x2x3x3xf32>, %i: tensor<1x2x3x3xi64>) -> tensor<1x2x5x5xf32> {
  %0 = nn.max_pool2d_backward %g, %i {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x2x3x3xf32>, tensor<1x2x3x3xi64> -> tensor<1x2x5x5xf32>
  return %0 : tensor<1x2x5x5xf32>
}

// -----

// Windows that tile the input exactly (2x2, stride 2, 6x6 from 3x3): each
// input element is in one window, so one all-parallel pass over
// (n, c, oh, kh, kw, ow) compares the element's flat index
// ((oh * 2 + kh) * 6 + ow * 2 + kw) with its window's argmax, viewed back as
// the input's shape: no reduction over kernel offsets, no division, no gather.
// The innermost loop runs along a row of windows (ow), writing
// [n, c, oh, kh, ow, kw].
// CHECK-DAG: #[[WINDOW:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d5)>
// CHECK-DAG: #[[ALL:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d5, d4)>
// CHECK-LABEL: func @max_pool_backward_tiled
// CHECK-SAME: (%[[G:.*]]: tensor<1x2x3x3xf32>, %[[I:.*]]: tensor<1x2x3x3xi64>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x2x3x2x3x2xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[WINDOW]], #[[WINDOW]], #[[ALL]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%[[I]], %[[G]] : tensor<1x2x3x3xi64>, tensor<1x2x3x3xf32>) outs(%[[E]] : tensor<1x2x3x2x3x2xf32>)
// CHECK-NEXT: ^bb0(%[[WINNER:.*]]: i64, %[[GV:.*]]: f32, %{{.*}}: f32):
// CHECK-NOT: tensor.extract
// CHECK-NOT: arith.remui
// CHECK: %[[HERE:.*]] = arith.index_cast %{{.*}} : index to i64
// CHECK: %[[HIT:.*]] = arith.cmpi eq, %[[WINNER]], %[[HERE]] : i64
// CHECK: arith.select %[[HIT]], %[[GV]], %{{.*}} : f32
// CHECK: tensor.collapse_shape %[[R]] {{\[\[}}0], [1], [2, 3], [4, 5]] : tensor<1x2x3x2x3x2xf32> into tensor<1x2x6x6xf32>
func.func @max_pool_backward_tiled(%g: tensor<1x2x3x3xf32>, %i: tensor<1x2x3x3xi64>) -> tensor<1x2x6x6xf32> {
  %0 = nn.max_pool2d_backward %g, %i {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x2x3x3xf32>, tensor<1x2x3x3xi64> -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}

// -----

// The gradient is divided by each window's divisor (the forward pass's
// divisors of @avg_pool) once, then gathered by the covering windows.
// CHECK-LABEL: func @avg_pool_backward
// CHECK: %[[DIV:.*]] = arith.constant dense<{{\[}}[4.000000e+00, 6.000000e+00], [6.000000e+00, 9.000000e+00]]> : tensor<2x2xf32>
// CHECK: %[[SCALED:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %[[DIV]] : tensor<1x1x2x2xf32>, tensor<2x2xf32>)
// CHECK: arith.divf
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%{{.*}} : tensor<3x3xf32>) outs(%{{.*}} : tensor<1x1x4x4xf32>)
// CHECK: arith.remui
// CHECK: tensor.extract %[[SCALED]][%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : tensor<1x1x2x2xf32>
// CHECK: arith.addf
// CHECK: arith.select
func.func @avg_pool_backward(%g: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  %0 = nn.avg_pool2d_backward %g {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 0, 0>, ceil_mode = false, count_include_pad = false} : tensor<1x1x2x2xf32> -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

// === Training: optimizer updates, schedule and clipping ===

// Each update is one generic over the parameter; the learning rate (and
// Adam's step) enter through rank-0 maps, every state is an output.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func @sgd
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ID]], #[[SCALAR]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32>) outs(%{{.*}} : tensor<4x3xf32>)
// CHECK-NEXT: ^bb0(%[[P:.*]]: f32, %[[G:.*]]: f32, %[[LR:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[STEP:.*]] = arith.mulf %[[LR]], %[[G]] : f32
// CHECK-NEXT: %[[NEW:.*]] = arith.subf %[[P]], %[[STEP]] : f32
// CHECK-NEXT: linalg.yield %[[NEW]] : f32
// CHECK-NOT: linalg.generic
func.func @sgd(%p: tensor<4x3xf32>, %g: tensor<4x3xf32>, %lr: tensor<f32>) -> tensor<4x3xf32> {
  %0 = nn.sgd_update %p, %g, %lr {weight_decay = 0.0 : f64} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// Nesterov momentum with weight decay: g = grad + 0.25 * param,
// buf' = 0.5 * buf + g, param' = param - lr * (g + 0.5 * buf').
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func @momentum
// CHECK: %[[R:.*]]:2 = linalg.generic {indexing_maps = [#[[ID]], #[[ID]], #[[ID]], #[[SCALAR]], #[[ID]], #[[ID]]], iterator_types = ["parallel"]} ins(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<f32>) outs(%{{.*}}, %{{.*}} : tensor<4xf32>, tensor<4xf32>)
// CHECK-NEXT: ^bb0(%[[P:.*]]: f32, %[[G:.*]]: f32, %[[BUF:.*]]: f32, %[[LR:.*]]: f32, %{{.*}}: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[WD:.*]] = arith.constant 2.500000e-01 : f32
// CHECK-NEXT: %[[DECAY:.*]] = arith.mulf %[[P]], %[[WD]] : f32
// CHECK-NEXT: %[[GD:.*]] = arith.addf %[[G]], %[[DECAY]] : f32
// CHECK-NEXT: %[[MU:.*]] = arith.constant 5.000000e-01 : f32
// CHECK-NEXT: %[[OLD:.*]] = arith.mulf %[[BUF]], %[[MU]] : f32
// CHECK-NEXT: %[[NEW_BUF:.*]] = arith.addf %[[OLD]], %[[GD]] : f32
// CHECK-NEXT: %[[MU2:.*]] = arith.constant 5.000000e-01 : f32
// CHECK-NEXT: %[[LOOK:.*]] = arith.mulf %[[NEW_BUF]], %[[MU2]] : f32
// CHECK-NEXT: %[[DIR:.*]] = arith.addf %[[GD]], %[[LOOK]] : f32
// CHECK-NEXT: %[[STEP:.*]] = arith.mulf %[[LR]], %[[DIR]] : f32
// CHECK-NEXT: %[[NEW_P:.*]] = arith.subf %[[P]], %[[STEP]] : f32
// CHECK-NEXT: linalg.yield %[[NEW_P]], %[[NEW_BUF]] : f32, f32
// CHECK: return %[[R]]#0, %[[R]]#1
func.func @momentum(%p: tensor<4xf32>, %g: tensor<4xf32>, %buf: tensor<4xf32>, %lr: tensor<f32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0:2 = nn.momentum_update %p, %g, %buf, %lr {momentum = 0.5 : f64, weight_decay = 0.25 : f64, nesterov = true} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<f32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// AdamW: the parameter shrinks by lr * weight_decay first; the bias
// corrections 1 - beta^t are computed in f64 from the i64 step, once, in two
// rank-0 generics (lr / (1 - beta1^t) and sqrt(1 - beta2^t)) that the
// elementwise update reads as scalars: no pow per element.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<(d0) -> ()>
// CHECK-DAG: #[[RANK0:.*]] = affine_map<() -> ()>
// CHECK-LABEL: func @adam
// CHECK: %[[STEP_SIZE:.*]] = linalg.generic {indexing_maps = [#[[RANK0]], #[[RANK0]], #[[RANK0]]], iterator_types = []} ins(%{{.*}}, %{{.*}} : tensor<i64>, tensor<f32>) outs(%{{.*}} : tensor<f32>)
// CHECK-NEXT: ^bb0(%[[T1:.*]]: i64, %[[LR1:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[B1T:.*]] = math.powf %{{.*}}, %{{.*}} : f64
// CHECK: %[[C1:.*]] = arith.subf %{{.*}}, %[[B1T]] : f64
// CHECK: %[[Q:.*]] = arith.divf %{{.*}}, %[[C1]] : f64
// CHECK: %[[Q32:.*]] = arith.truncf %[[Q]] : f64 to f32
// CHECK: linalg.yield %[[Q32]] : f32
// CHECK: %[[SQRT_C2:.*]] = linalg.generic {indexing_maps = [#[[RANK0]], #[[RANK0]], #[[RANK0]]], iterator_types = []}
// CHECK: %[[B2T:.*]] = math.powf %{{.*}}, %{{.*}} : f64
// CHECK: math.sqrt %{{.*}} : f64
// CHECK: %[[R:.*]]:3 = linalg.generic {indexing_maps = [#[[ID]], #[[ID]], #[[ID]], #[[ID]], #[[SCALAR]], #[[SCALAR]], #[[SCALAR]], #[[ID]], #[[ID]], #[[ID]]], iterator_types = ["parallel"]} ins(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[STEP_SIZE]], %[[SQRT_C2]], %{{.*}} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<f32>, tensor<f32>, tensor<f32>) outs(%{{.*}}, %{{.*}}, %{{.*}} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK-NEXT: ^bb0(%[[P:.*]]: f32, %[[G:.*]]: f32, %[[M:.*]]: f32, %[[V:.*]]: f32, %[[SS:.*]]: f32, %[[SC2:.*]]: f32, %[[LR:.*]]: f32, %{{.*}}: f32, %{{.*}}: f32, %{{.*}}: f32):
// CHECK-NOT: math.powf
// CHECK: %[[LRWD:.*]] = arith.mulf %[[LR]], %{{.*}} : f32
// CHECK: %[[SHRINK:.*]] = arith.subf %{{.*}}, %[[LRWD]] : f32
// CHECK: %[[PD:.*]] = arith.mulf %[[P]], %[[SHRINK]] : f32
// CHECK: %[[NEW_M:.*]] = arith.addf
// CHECK: %[[NEW_V:.*]] = arith.addf
// CHECK: %[[RMS:.*]] = math.sqrt %[[NEW_V]] : f32
// CHECK: %[[RMS_HAT:.*]] = arith.divf %[[RMS]], %[[SC2]] : f32
// CHECK: %[[DEN:.*]] = arith.addf %[[RMS_HAT]], %{{.*}} : f32
// CHECK: %[[NUM:.*]] = arith.mulf %[[SS]], %[[NEW_M]] : f32
// CHECK: %[[STEP:.*]] = arith.divf %[[NUM]], %[[DEN]] : f32
// CHECK: %[[NEW_P:.*]] = arith.subf %[[PD]], %[[STEP]] : f32
// CHECK: linalg.yield %[[NEW_P]], %[[NEW_M]], %[[NEW_V]] : f32, f32, f32
func.func @adam(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %step: tensor<i64>, %lr: tensor<f32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0:3 = nn.adam_update %p, %g, %m, %v, %step, %lr {beta1 = 0.5 : f64, beta2 = 0.75 : f64, eps = 1.0e-08 : f64, weight_decay = 0.25 : f64, decoupled = true} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<i64>, tensor<f32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1, %0#2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// sq' = 0.75 sq + 0.25 g^2, param' = param - lr g / (sqrt(sq') + eps).
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func @rmsprop
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ID]], #[[ID]], #[[SCALAR]], #[[ID]], #[[ID]]], iterator_types = ["parallel"]}
// CHECK-NEXT: ^bb0(%[[P:.*]]: f32, %[[G:.*]]: f32, %[[SQ:.*]]: f32, %[[LR:.*]]: f32, %{{.*}}: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[ALPHA:.*]] = arith.constant 7.500000e-01 : f32
// CHECK-NEXT: %[[OLD:.*]] = arith.mulf %[[SQ]], %[[ALPHA]] : f32
// CHECK-NEXT: %[[G2:.*]] = arith.mulf %[[G]], %[[G]] : f32
// CHECK-NEXT: %[[ONE_MINUS:.*]] = arith.constant 2.500000e-01 : f32
// CHECK-NEXT: %[[NEW:.*]] = arith.mulf %[[G2]], %[[ONE_MINUS]] : f32
// CHECK-NEXT: %[[NEW_SQ:.*]] = arith.addf %[[OLD]], %[[NEW]] : f32
// CHECK-NEXT: %[[RMS:.*]] = math.sqrt %[[NEW_SQ]] : f32
// CHECK-NEXT: %[[EPS:.*]] = arith.constant 9.99999993E-9 : f32
// CHECK-NEXT: %[[DEN:.*]] = arith.addf %[[RMS]], %[[EPS]] : f32
// CHECK-NEXT: %[[NUM:.*]] = arith.mulf %[[LR]], %[[G]] : f32
// CHECK-NEXT: %[[STEP:.*]] = arith.divf %[[NUM]], %[[DEN]] : f32
// CHECK-NEXT: %[[NEW_P:.*]] = arith.subf %[[P]], %[[STEP]] : f32
// CHECK-NEXT: linalg.yield %[[NEW_P]], %[[NEW_SQ]] : f32, f32
func.func @rmsprop(%p: tensor<4xf32>, %g: tensor<4xf32>, %sq: tensor<4xf32>, %lr: tensor<f32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0:2 = nn.rmsprop_update %p, %g, %sq, %lr {alpha = 0.75 : f64, eps = 1.0e-08 : f64, weight_decay = 0.0 : f64} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<f32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// sum' = sum + g^2, param' = param - lr g / (sqrt(sum') + eps).
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func @adagrad
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ID]], #[[ID]], #[[SCALAR]], #[[ID]], #[[ID]]], iterator_types = ["parallel"]}
// CHECK-NEXT: ^bb0(%[[P:.*]]: f32, %[[G:.*]]: f32, %[[SUM:.*]]: f32, %[[LR:.*]]: f32, %{{.*}}: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[G2:.*]] = arith.mulf %[[G]], %[[G]] : f32
// CHECK-NEXT: %[[NEW_SUM:.*]] = arith.addf %[[SUM]], %[[G2]] : f32
// CHECK-NEXT: %[[STD:.*]] = math.sqrt %[[NEW_SUM]] : f32
// CHECK-NEXT: %[[EPS:.*]] = arith.constant 1.000000e-10 : f32
// CHECK-NEXT: %[[DEN:.*]] = arith.addf %[[STD]], %[[EPS]] : f32
// CHECK-NEXT: %[[NUM:.*]] = arith.mulf %[[LR]], %[[G]] : f32
// CHECK-NEXT: %[[STEP:.*]] = arith.divf %[[NUM]], %[[DEN]] : f32
// CHECK-NEXT: %[[NEW_P:.*]] = arith.subf %[[P]], %[[STEP]] : f32
// CHECK-NEXT: linalg.yield %[[NEW_P]], %[[NEW_SUM]] : f32, f32
func.func @adagrad(%p: tensor<4xf32>, %g: tensor<4xf32>, %sum: tensor<4xf32>, %lr: tensor<f32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0:2 = nn.adagrad_update %p, %g, %sum, %lr {eps = 1.0e-10 : f64, weight_decay = 0.0 : f64} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<f32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// A rank-0 generic in f64: cosine annealing from the base rate to min_lr
// over 100 steps, then linear warm-up over 10, truncated back to f32.
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<() -> ()>
// CHECK-LABEL: func @lr_cosine
// CHECK: linalg.generic {indexing_maps = [#[[SCALAR]], #[[SCALAR]], #[[SCALAR]]], iterator_types = []} ins(%{{.*}}, %{{.*}} : tensor<f32>, tensor<i64>) outs(%{{.*}} : tensor<f32>)
// CHECK-NEXT: ^bb0(%[[BASE:.*]]: f32, %[[STEP:.*]]: i64, %{{.*}}: f32):
// CHECK-NEXT: %[[BASE64:.*]] = arith.extf %[[BASE]] : f32 to f64
// CHECK-NEXT: %[[T:.*]] = arith.sitofp %[[STEP]] : i64 to f64
// CHECK-NEXT: %[[PERIOD:.*]] = arith.constant 1.000000e+02 : f64
// CHECK-NEXT: %[[CAPPED:.*]] = arith.minimumf %[[T]], %[[PERIOD]] : f64
// CHECK: %[[PI:.*]] = arith.constant 3.1415926535897931 : f64
// CHECK: %[[ANGLE:.*]] = arith.mulf %[[PI]], %{{.*}} : f64
// CHECK-NEXT: %[[COS:.*]] = math.cos %[[ANGLE]] : f64
// CHECK: arith.subf %[[BASE64]], %{{.*}} : f64
// CHECK: %[[T1:.*]] = arith.addf %[[T]], %{{.*}} : f64
// CHECK-NEXT: %[[WARMUP:.*]] = arith.constant 1.000000e+01 : f64
// CHECK-NEXT: %[[RAMP:.*]] = arith.divf %[[T1]], %[[WARMUP]] : f64
// CHECK-NEXT: %[[FACTOR:.*]] = arith.minimumf %{{.*}}, %[[RAMP]] : f64
// CHECK-NEXT: %[[LR:.*]] = arith.mulf %{{.*}}, %[[FACTOR]] : f64
// CHECK-NEXT: %[[LR32:.*]] = arith.truncf %[[LR]] : f64 to f32
// CHECK-NEXT: linalg.yield %[[LR32]] : f32
func.func @lr_cosine(%base: tensor<f32>, %step: tensor<i64>) -> tensor<f32> {
  %0 = nn.lr_schedule %base, %step {schedule = #nn.lr_schedule<cosine>, period = 100, gamma = 1.0 : f64, min_lr = 0.5 : f64, warmup = 10} : tensor<f32>, tensor<i64> -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Step decay: base * gamma^(step / period), the division in integers;
// exponential: base * gamma^step; constant: the base rate. No warm-up.
// CHECK-LABEL: func @lr_step_exponential_constant
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%{{.*}}: f32, %[[STEP:.*]]: i64, %{{.*}}: f32):
// CHECK: %[[PERIOD:.*]] = arith.constant 10 : i64
// CHECK-NEXT: %[[PERIODS:.*]] = arith.divsi %[[STEP]], %[[PERIOD]] : i64
// CHECK-NEXT: %[[GAMMA:.*]] = arith.constant 5.000000e-01 : f64
// CHECK-NEXT: %[[N:.*]] = arith.sitofp %[[PERIODS]] : i64 to f64
// CHECK-NEXT: math.powf %[[GAMMA]], %[[N]] : f64
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.extf
// CHECK-NEXT: %[[T:.*]] = arith.sitofp %{{.*}} : i64 to f64
// CHECK-NEXT: %[[GAMMA:.*]] = arith.constant 2.500000e-01 : f64
// CHECK-NEXT: math.powf %[[GAMMA]], %[[T]] : f64
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0
// CHECK-NEXT: %[[BASE64:.*]] = arith.extf %{{.*}} : f32 to f64
// CHECK-NEXT: arith.sitofp
// CHECK-NEXT: %[[BASE32:.*]] = arith.truncf %[[BASE64]] : f64 to f32
// CHECK-NEXT: linalg.yield %[[BASE32]] : f32
func.func @lr_step_exponential_constant(%base: tensor<f32>, %step: tensor<i64>) -> (tensor<f32>, tensor<f32>, tensor<f32>) {
  %0 = nn.lr_schedule %base, %step {schedule = #nn.lr_schedule<step>, period = 10, gamma = 0.5 : f64, min_lr = 0.0 : f64, warmup = 0} : tensor<f32>, tensor<i64> -> tensor<f32>
  %1 = nn.lr_schedule %base, %step {schedule = #nn.lr_schedule<exponential>, period = 1, gamma = 0.25 : f64, min_lr = 0.0 : f64, warmup = 0} : tensor<f32>, tensor<i64> -> tensor<f32>
  %2 = nn.lr_schedule %base, %step {schedule = #nn.lr_schedule<constant>, period = 1, gamma = 1.0 : f64, min_lr = 0.0 : f64, warmup = 0} : tensor<f32>, tensor<i64> -> tensor<f32>
  return %0, %1, %2 : tensor<f32>, tensor<f32>, tensor<f32>
}

// -----

// min(1, max_norm / (sqrt(sum of squares) + 1e-6)) in a rank-0 generic.
// CHECK-LABEL: func @clip_coefficient
// CHECK: linalg.generic {{.*}} iterator_types = []} ins(%{{.*}} : tensor<f32>) outs(%{{.*}} : tensor<f32>)
// CHECK-NEXT: ^bb0(%[[SQ:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[NORM:.*]] = math.sqrt %[[SQ]] : f32
// CHECK-NEXT: %[[MAX_NORM:.*]] = arith.constant 2.000000e+00 : f32
// CHECK-NEXT: %[[TINY:.*]] = arith.constant 9.99999997E-7 : f32
// CHECK-NEXT: %[[DEN:.*]] = arith.addf %[[NORM]], %[[TINY]] : f32
// CHECK-NEXT: %[[COEF:.*]] = arith.divf %[[MAX_NORM]], %[[DEN]] : f32
// CHECK-NEXT: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[CLIPPED:.*]] = arith.minimumf %[[COEF]], %[[ONE]] : f32
// CHECK-NEXT: linalg.yield %[[CLIPPED]] : f32
func.func @clip_coefficient(%sq: tensor<f32>) -> tensor<f32> {
  %0 = nn.clip_coefficient %sq {max_norm = 2.0 : f64} : tensor<f32> -> tensor<f32>
  return %0 : tensor<f32>
}
