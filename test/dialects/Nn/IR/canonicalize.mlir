// RUN: nncc-opt %s --split-input-file --canonicalize | FileCheck %s

// Transposing a constant folds into a constant in the new layout (Gemm's
// transB weights).
// CHECK-LABEL: func @transpose_constant
// CHECK-NEXT: %[[C:.*]] = nn.constant dense<{{\[}}[1, 4], [2, 5], [3, 6]]> : tensor<3x2xi32>
// CHECK-NEXT: return %[[C]]
func.func @transpose_constant() -> tensor<3x2xi32> {
  %c = nn.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi32>
  %t = nn.transpose %c {perm = array<i64: 1, 0>} : tensor<2x3xi32> -> tensor<3x2xi32>
  return %t : tensor<3x2xi32>
}

// -----

// CHECK-LABEL: func @transpose_constant_3d
// CHECK-NEXT: nn.constant dense<{{\[}}{{\[}}[0.000000e+00, 2.000000e+00], [4.000000e+00, 6.000000e+00]], {{\[}}[1.000000e+00, 3.000000e+00], [5.000000e+00, 7.000000e+00]]]> : tensor<2x2x2xf32>
func.func @transpose_constant_3d() -> tensor<2x2x2xf32> {
  %c = nn.constant dense<[[[0.0, 1.0], [2.0, 3.0]], [[4.0, 5.0], [6.0, 7.0]]]> : tensor<2x2x2xf32>
  %t = nn.transpose %c {perm = array<i64: 2, 0, 1>} : tensor<2x2x2xf32> -> tensor<2x2x2xf32>
  return %t : tensor<2x2x2xf32>
}

// -----

// CHECK-LABEL: func @identity_transpose
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]]
func.func @identity_transpose(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %t = nn.transpose %x {perm = array<i64: 0, 1>} : tensor<2x3xf32> -> tensor<2x3xf32>
  return %t : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @reshape_chain
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[R:.*]] = nn.reshape %[[X]] : tensor<2x3x4xf32> -> tensor<4x6xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_chain(%x: tensor<2x3x4xf32>) -> tensor<4x6xf32> {
  %0 = nn.reshape %x : tensor<2x3x4xf32> -> tensor<24xf32>
  %1 = nn.reshape %0 : tensor<24xf32> -> tensor<4x6xf32>
  return %1 : tensor<4x6xf32>
}

// -----

// CHECK-LABEL: func @reshape_noop_and_constant
// CHECK-SAME: (%[[X:.*]]: tensor<6xf32>)
// CHECK-NEXT: %[[C:.*]] = nn.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK-NEXT: return %[[X]], %[[C]]
func.func @reshape_noop_and_constant(%x: tensor<6xf32>) -> (tensor<6xf32>, tensor<2x2xf32>) {
  %0 = nn.reshape %x : tensor<6xf32> -> tensor<6xf32>
  %c = nn.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %1 = nn.reshape %c : tensor<4xf32> -> tensor<2x2xf32>
  return %0, %1 : tensor<6xf32>, tensor<2x2xf32>
}

// -----

// Unused pure ops disappear.
// CHECK-LABEL: func @dead_code
// CHECK-NEXT: return %arg0
func.func @dead_code(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nn.relu %x : tensor<4xf32>
  return %x : tensor<4xf32>
}

// -----

// x * sigmoid(x), either way round, is swish (SiLU); sigmoid of another
// value, or a broadcasting product, is left alone.
// CHECK-LABEL: func @swish
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<4xf32>, %[[S:.*]]: tensor<1xf32>)
// CHECK-NEXT: %[[A:.*]] = nn.swish %[[X]] : tensor<4xf32>
// CHECK-NEXT: %[[B:.*]] = nn.swish %[[X]] : tensor<4xf32>
// CHECK-NEXT: %[[SY:.*]] = nn.sigmoid %[[Y]]
// CHECK-NEXT: %[[C:.*]] = nn.mul %[[X]], %[[SY]]
// CHECK-NEXT: %[[SS:.*]] = nn.sigmoid %[[S]]
// CHECK-NEXT: %[[D:.*]] = nn.mul %[[X]], %[[SS]]
// CHECK-NEXT: return %[[A]], %[[B]], %[[C]], %[[D]]
func.func @swish(%x: tensor<4xf32>, %y: tensor<4xf32>, %s: tensor<1xf32>)
    -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0 = nn.sigmoid %x : tensor<4xf32>
  %1 = nn.mul %x, %0 : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  %2 = nn.mul %0, %x : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  %3 = nn.sigmoid %y : tensor<4xf32>
  %4 = nn.mul %x, %3 : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  %5 = nn.sigmoid %s : tensor<1xf32>
  %6 = nn.mul %x, %5 : tensor<4xf32>, tensor<1xf32> -> tensor<4xf32>
  return %1, %2, %4, %6 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// Transposes compose; two that undo each other vanish. A 3-D pair composes
// into one transpose.
// CHECK-LABEL: func @compose_transposes
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>, %[[Y:.*]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[Z:.*]] = nn.transpose %[[Y]] {perm = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
// CHECK-NEXT: return %[[X]], %[[Z]]
func.func @compose_transposes(%x: tensor<2x3xf32>, %y: tensor<2x3x4xf32>) -> (tensor<2x3xf32>, tensor<4x2x3xf32>) {
  %0 = nn.transpose %x {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  %1 = nn.transpose %0 {perm = array<i64: 1, 0>} : tensor<3x2xf32> -> tensor<2x3xf32>
  %2 = nn.transpose %y {perm = array<i64: 1, 2, 0>} : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
  %3 = nn.transpose %2 {perm = array<i64: 2, 1, 0>} : tensor<3x4x2xf32> -> tensor<2x4x3xf32>
  %4 = nn.transpose %3 {perm = array<i64: 1, 0, 2>} : tensor<2x4x3xf32> -> tensor<4x2x3xf32>
  return %1, %4 : tensor<2x3xf32>, tensor<4x2x3xf32>
}

// -----

// The weight gradient of x @ w^T, (x^T @ dy)^T, becomes dy^T @ x: the
// transpose of the [784, 256] product becomes one of the [64, 256] dy, and
// x's transposes cancel. Without a transposed operand the transpose stays.
// CHECK-LABEL: func @transpose_of_matmul
// CHECK-SAME: (%[[X:.*]]: tensor<64x784xf32>, %[[DY:.*]]: tensor<64x256xf32>, %[[A:.*]]: tensor<4x8xf32>, %[[B:.*]]: tensor<8x4xf32>)
// CHECK-NEXT: %[[DYT:.*]] = nn.transpose %[[DY]] {perm = array<i64: 1, 0>} : tensor<64x256xf32> -> tensor<256x64xf32>
// CHECK-NEXT: %[[DW:.*]] = nn.matmul %[[DYT]], %[[X]] : tensor<256x64xf32>, tensor<64x784xf32> -> tensor<256x784xf32>
// CHECK-NEXT: %[[P:.*]] = nn.matmul %[[A]], %[[B]]
// CHECK-NEXT: %[[PT:.*]] = nn.transpose %[[P]]
// CHECK-NEXT: return %[[DW]], %[[PT]]
func.func @transpose_of_matmul(%x: tensor<64x784xf32>, %dy: tensor<64x256xf32>, %a: tensor<4x8xf32>, %b: tensor<8x4xf32>) -> (tensor<256x784xf32>, tensor<4x4xf32>) {
  %xt = nn.transpose %x {perm = array<i64: 1, 0>} : tensor<64x784xf32> -> tensor<784x64xf32>
  %g = nn.matmul %xt, %dy : tensor<784x64xf32>, tensor<64x256xf32> -> tensor<784x256xf32>
  %dw = nn.transpose %g {perm = array<i64: 1, 0>} : tensor<784x256xf32> -> tensor<256x784xf32>
  %p = nn.matmul %a, %b : tensor<4x8xf32>, tensor<8x4xf32> -> tensor<4x4xf32>
  %pt = nn.transpose %p {perm = array<i64: 1, 0>} : tensor<4x4xf32> -> tensor<4x4xf32>
  return %dw, %pt : tensor<256x784xf32>, tensor<4x4xf32>
}
