// RUN: nncc-opt %s | nncc-opt | FileCheck %s
// RUN: nncc-opt %s --mlir-print-op-generic | nncc-opt | FileCheck %s

// === Math: elementwise binary ops, activations, softmax, matmul ===

// CHECK-LABEL: func @elementwise
func.func @elementwise(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %i: tensor<4xi64>) -> tensor<2x3xf32> {
  // CHECK: nn.add %{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xf32>
  %0 = nn.add %a, %b : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xf32>
  // CHECK: nn.sub %{{.*}} : tensor<3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
  %1 = nn.sub %b, %0 : tensor<3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: nn.mul {{.*}} : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
  %2 = nn.mul %1, %0 : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: nn.div {{.*}} : tensor<4xi64>, tensor<4xi64> -> tensor<4xi64>
  %3 = nn.div %i, %i : tensor<4xi64>, tensor<4xi64> -> tensor<4xi64>
  // CHECK: nn.relu %{{.*}} : tensor<2x3xf32>
  %4 = nn.relu %2 : tensor<2x3xf32>
  // CHECK: nn.sigmoid %{{.*}} : tensor<2x3xf32>
  %5 = nn.sigmoid %4 : tensor<2x3xf32>
  // CHECK: nn.tanh %{{.*}} : tensor<2x3xf32>
  %6 = nn.tanh %5 : tensor<2x3xf32>
  // CHECK: nn.softmax %{{.*}} {axis = 0 : i64} : tensor<2x3xf32>
  %7 = nn.softmax %6 {axis = 0} : tensor<2x3xf32>
  return %7 : tensor<2x3xf32>
}

// CHECK-LABEL: func @matmul
func.func @matmul(%a: tensor<5x2x3xf32>, %b: tensor<3x4xf32>) -> tensor<5x2x4xf32> {
  // CHECK: nn.matmul %{{.*}}, %{{.*}} : tensor<5x2x3xf32>, tensor<3x4xf32> -> tensor<5x2x4xf32>
  %0 = nn.matmul %a, %b : tensor<5x2x3xf32>, tensor<3x4xf32> -> tensor<5x2x4xf32>
  return %0 : tensor<5x2x4xf32>
}

// === NN: conv2d, max/avg pooling, global average pooling ===

// CHECK-LABEL: func @conv_pool
func.func @conv_pool(%x: tensor<1x4x9x9xf32>, %w: tensor<8x2x3x3xf32>, %b: tensor<8xf32>) -> (tensor<1x8x5x5xf32>, tensor<1x4x5x5xf32>, tensor<1x4x5x5xf32>, tensor<1x4x1x1xf32>) {
  // CHECK: nn.conv2d %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, groups = 2 : i64, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x4x9x9xf32>, tensor<8x2x3x3xf32>, tensor<8xf32> -> tensor<1x8x5x5xf32>
  %0 = nn.conv2d %x, %w, %b {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 2} : tensor<1x4x9x9xf32>, tensor<8x2x3x3xf32>, tensor<8xf32> -> tensor<1x8x5x5xf32>
  // CHECK: nn.max_pool2d %{{.*}} {ceil_mode = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x4x9x9xf32> -> tensor<1x4x5x5xf32>
  %1 = nn.max_pool2d %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true} : tensor<1x4x9x9xf32> -> tensor<1x4x5x5xf32>
  // CHECK: nn.avg_pool2d %{{.*}} {ceil_mode = false, count_include_pad = true, kernel_shape = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x4x9x9xf32> -> tensor<1x4x5x5xf32>
  %2 = nn.avg_pool2d %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, ceil_mode = false, count_include_pad = true} : tensor<1x4x9x9xf32> -> tensor<1x4x5x5xf32>
  // CHECK: nn.global_avg_pool %{{.*}} : tensor<1x4x9x9xf32> -> tensor<1x4x1x1xf32>
  %3 = nn.global_avg_pool %x : tensor<1x4x9x9xf32> -> tensor<1x4x1x1xf32>
  return %0, %1, %2, %3 : tensor<1x8x5x5xf32>, tensor<1x4x5x5xf32>, tensor<1x4x5x5xf32>, tensor<1x4x1x1xf32>
}

// === Tensor: constant, reshape, transpose ===

// CHECK-LABEL: func @shapes
func.func @shapes(%x: tensor<2x3x4xf32>) -> (tensor<6x4xf32>, tensor<4x2x3xf32>, tensor<2xi64>) {
  // CHECK: nn.reshape %{{.*}} : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %0 = nn.reshape %x : tensor<2x3x4xf32> -> tensor<6x4xf32>
  // CHECK: nn.transpose %{{.*}} {perm = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  %1 = nn.transpose %x {perm = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  // CHECK: nn.constant dense<[1, 2]> : tensor<2xi64>
  %2 = nn.constant dense<[1, 2]> : tensor<2xi64>
  return %0, %1, %2 : tensor<6x4xf32>, tensor<4x2x3xf32>, tensor<2xi64>
}
