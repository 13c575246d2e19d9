// RUN: nncc-opt %s --nncc-linalg-pipeline | FileCheck %s --implicit-check-not=nn.

// After the pipeline only linalg/tensor/arith/math on tensors remain, and
// the fills of identical shapes are shared (CSE).
// CHECK-LABEL: func.func @model
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[FILL:.*]] = linalg.fill ins(%[[ZERO]] : f32)
// CHECK: linalg.matmul {{.*}} outs(%[[FILL]] : tensor<2x4xf32>)
// CHECK: linalg.matmul {{.*}} outs(%[[FILL]] : tensor<2x4xf32>)
// CHECK: linalg.generic
// CHECK: arith.addf
func.func @model(%x: tensor<2x3xf32>, %w: tensor<3x4xf32>, %v: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = nn.matmul %x, %w : tensor<2x3xf32>, tensor<3x4xf32> -> tensor<2x4xf32>
  %1 = nn.matmul %x, %v : tensor<2x3xf32>, tensor<3x4xf32> -> tensor<2x4xf32>
  %2 = nn.add %0, %1 : tensor<2x4xf32>, tensor<2x4xf32> -> tensor<2x4xf32>
  return %2 : tensor<2x4xf32>
}
