// RUN: nncc-opt %s --nncc-nn-pipeline | FileCheck %s

// Gemm-style weights: the transpose of a constant folds away, duplicate
// subexpressions merge, dead ops disappear.
// CHECK-LABEL: func.func @dense
// CHECK-SAME: (%[[X:.*]]: tensor<1x2xf32>)
// CHECK-NEXT: %[[W:.*]] = nn.constant dense<{{\[}}[1.000000e+00, 3.000000e+00], [2.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK-NEXT: %[[M:.*]] = nn.matmul %[[X]], %[[W]]
// CHECK-NEXT: %[[R:.*]] = nn.relu %[[M]]
// CHECK-NEXT: %[[S:.*]] = nn.add %[[R]], %[[R]]
// CHECK-NEXT: return %[[S]]
func.func @dense(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = nn.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %wt = nn.transpose %w {perm = array<i64: 1, 0>} : tensor<2x2xf32> -> tensor<2x2xf32>
  %m = nn.matmul %x, %wt : tensor<1x2xf32>, tensor<2x2xf32> -> tensor<1x2xf32>
  %r1 = nn.relu %m : tensor<1x2xf32>
  %r2 = nn.relu %m : tensor<1x2xf32>
  %dead = nn.sigmoid %m : tensor<1x2xf32>
  %s = nn.add %r1, %r2 : tensor<1x2xf32>, tensor<1x2xf32> -> tensor<1x2xf32>
  return %s : tensor<1x2xf32>
}
