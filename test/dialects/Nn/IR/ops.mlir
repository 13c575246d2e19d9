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

// CHECK-LABEL: func @sum
func.func @sum(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>, %i: tensor<4xi32>) -> (tensor<2x3xf32>, tensor<4xi32>) {
  // CHECK: nn.sum %[[A:.*]], %{{.*}}, %[[A]] : tensor<2x3xf32>
  %0 = nn.sum %a, %b, %a : tensor<2x3xf32>
  // A single operand and integers are fine.
  // CHECK: nn.sum %{{.*}} : tensor<4xi32>
  %1 = nn.sum %i : tensor<4xi32>
  return %0, %1 : tensor<2x3xf32>, tensor<4xi32>
}

// CHECK-LABEL: func @more_activations
func.func @more_activations(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // CHECK: nn.leaky_relu %{{.*}} {alpha = 0.00999999977 : f32} : tensor<2x3xf32>
  %0 = nn.leaky_relu %x {alpha = 0.01 : f32} : tensor<2x3xf32>
  // CHECK: nn.elu %{{.*}} {alpha = 1.000000e+00 : f32} : tensor<2x3xf32>
  %1 = nn.elu %0 {alpha = 1.0 : f32} : tensor<2x3xf32>
  // CHECK: nn.swish %{{.*}} : tensor<2x3xf32>
  %2 = nn.swish %1 : tensor<2x3xf32>
  // CHECK: nn.softplus %{{.*}} : tensor<2x3xf32>
  %3 = nn.softplus %2 : tensor<2x3xf32>
  // CHECK: nn.abs %{{.*}} : tensor<2x3xf32>
  %4 = nn.abs %3 : tensor<2x3xf32>
  // CHECK: nn.sign %{{.*}} : tensor<2x3xf32>
  %5 = nn.sign %4 : tensor<2x3xf32>
  // CHECK: nn.sqrt %{{.*}} : tensor<2x3xf32>
  %6 = nn.sqrt %5 : tensor<2x3xf32>
  // CHECK: nn.exp %{{.*}} : tensor<2x3xf32>
  %7 = nn.exp %6 : tensor<2x3xf32>
  // CHECK: nn.log %{{.*}} : tensor<2x3xf32>
  %8 = nn.log %7 : tensor<2x3xf32>
  // CHECK: nn.log_softmax %{{.*}} {axis = 1 : i64} : tensor<2x3xf32>
  %9 = nn.log_softmax %8 {axis = 1} : tensor<2x3xf32>
  return %9 : tensor<2x3xf32>
}

// Reduced dimensions are dropped, or kept as 1; no axes is the identity and
// all of them give a rank-0 result.
// CHECK-LABEL: func @reduce_sum
func.func @reduce_sum(%x: tensor<2x3x4xf32>, %i: tensor<5xi64>) -> (tensor<3xf32>, tensor<2x1x4xf32>, tensor<f32>, tensor<2x3x4xf32>, tensor<i64>) {
  // CHECK: nn.reduce_sum %{{.*}} {axes = array<i64: 0, 2>, keep_dims = false} : tensor<2x3x4xf32> -> tensor<3xf32>
  %0 = nn.reduce_sum %x {axes = array<i64: 0, 2>, keep_dims = false} : tensor<2x3x4xf32> -> tensor<3xf32>
  // CHECK: nn.reduce_sum %{{.*}} {axes = array<i64: 1>, keep_dims = true} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  %1 = nn.reduce_sum %x {axes = array<i64: 1>, keep_dims = true} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  // CHECK: nn.reduce_sum %{{.*}} {axes = array<i64: 0, 1, 2>, keep_dims = false} : tensor<2x3x4xf32> -> tensor<f32>
  %2 = nn.reduce_sum %x {axes = array<i64: 0, 1, 2>, keep_dims = false} : tensor<2x3x4xf32> -> tensor<f32>
  // CHECK: nn.reduce_sum %{{.*}} {axes = array<i64>, keep_dims = false} : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  %3 = nn.reduce_sum %x {axes = array<i64>, keep_dims = false} : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  // CHECK: nn.reduce_sum %{{.*}} {axes = array<i64: 0>, keep_dims = false} : tensor<5xi64> -> tensor<i64>
  %4 = nn.reduce_sum %i {axes = array<i64: 0>, keep_dims = false} : tensor<5xi64> -> tensor<i64>
  return %0, %1, %2, %3, %4 : tensor<3xf32>, tensor<2x1x4xf32>, tensor<f32>, tensor<2x3x4xf32>, tensor<i64>
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

// === NN: normalization and dropout ===

// CHECK-LABEL: func @norm_dropout
func.func @norm_dropout(%x: tensor<2x3x4x4xf32>, %c: tensor<3xf32>, %s: tensor<4x4xf32>) -> (tensor<2x3x4x4xf32>, tensor<2x3x4x4xf32>, tensor<2x3x4x4xf32>) {
  // CHECK: nn.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 9.99999974E-6 : f32, momentum = 0.899999976 : f32} : tensor<2x3x4x4xf32>, tensor<3xf32>
  %0 = nn.batch_norm %x, %c, %c, %c, %c {epsilon = 1.0e-05 : f32, momentum = 0.9 : f32} : tensor<2x3x4x4xf32>, tensor<3xf32>
  // CHECK: nn.layer_norm %{{.*}}, %{{.*}}, %{{.*}} {axis = 2 : i64, epsilon = 9.99999974E-6 : f32} : tensor<2x3x4x4xf32>, tensor<4x4xf32>
  %1 = nn.layer_norm %0, %s, %s {axis = 2, epsilon = 1.0e-05 : f32} : tensor<2x3x4x4xf32>, tensor<4x4xf32>
  // CHECK: nn.dropout %{{.*}} {ratio = 5.000000e-01 : f32} : tensor<2x3x4x4xf32>
  %2 = nn.dropout %1 {ratio = 0.5 : f32} : tensor<2x3x4x4xf32>
  return %0, %1, %2 : tensor<2x3x4x4xf32>, tensor<2x3x4x4xf32>, tensor<2x3x4x4xf32>
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

// === Tensor: concat, slice, broadcast, one_hot ===

// CHECK-LABEL: func @data_movement
func.func @data_movement(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>, %v: tensor<3x1xi32>, %l: tensor<2x4xi64>) -> (tensor<2x11xf32>, tensor<1x2xf32>, tensor<4x3x6xi32>, tensor<2x4x10xf32>) {
  // CHECK: nn.concat %{{.*}}, %{{.*}}, %{{.*}} {axis = 1 : i64} : tensor<2x3xf32>, tensor<2x5xf32>, tensor<2x3xf32> -> tensor<2x11xf32>
  %0 = nn.concat %a, %b, %a {axis = 1} : tensor<2x3xf32>, tensor<2x5xf32>, tensor<2x3xf32> -> tensor<2x11xf32>
  // CHECK: nn.slice %{{.*}} {starts = array<i64: 1, 0>, steps = array<i64: 1, 3>} : tensor<2x5xf32> -> tensor<1x2xf32>
  %1 = nn.slice %b {starts = array<i64: 1, 0>, steps = array<i64: 1, 3>} : tensor<2x5xf32> -> tensor<1x2xf32>
  // A leading dimension is added and the size-1 one stretches.
  // CHECK: nn.broadcast %{{.*}} : tensor<3x1xi32> -> tensor<4x3x6xi32>
  %2 = nn.broadcast %v : tensor<3x1xi32> -> tensor<4x3x6xi32>
  // CHECK: nn.one_hot %{{.*}} : tensor<2x4xi64> -> tensor<2x4x10xf32>
  %3 = nn.one_hot %l : tensor<2x4xi64> -> tensor<2x4x10xf32>
  return %0, %1, %2, %3 : tensor<2x11xf32>, tensor<1x2xf32>, tensor<4x3x6xi32>, tensor<2x4x10xf32>
}

// === Training: backward helpers, optimizer updates, schedule and clipping ===

// CHECK-LABEL: func @backward_helpers
func.func @backward_helpers(%g: tensor<2x3xf32>, %x: tensor<2x3xf32>, %sg: tensor<1x2xf32>, %step: tensor<i64>, %c: tensor<3xf32>, %n: tensor<2x3x4x4xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  // The default negative slope (0, plain relu) is not printed.
  // CHECK: nn.relu_grad %{{.*}}, %{{.*}} : tensor<2x3xf32>
  %0 = nn.relu_grad %g, %x : tensor<2x3xf32>
  // CHECK: nn.relu_grad %{{.*}}, %{{.*}} {negative_slope = 0.00999999977 : f32} : tensor<2x3xf32>
  %1 = nn.relu_grad %g, %x {negative_slope = 0.01 : f32} : tensor<2x3xf32>
  // CHECK: nn.elu_grad %{{.*}}, %{{.*}} {alpha = 1.000000e+00 : f32} : tensor<2x3xf32>
  %2 = nn.elu_grad %g, %x {alpha = 1.0 : f32} : tensor<2x3xf32>
  // CHECK: nn.slice_backward %{{.*}} {starts = array<i64: 1, 0>, steps = array<i64: 1, 2>} : tensor<1x2xf32> -> tensor<2x3xf32>
  %3 = nn.slice_backward %sg {starts = array<i64: 1, 0>, steps = array<i64: 1, 2>} : tensor<1x2xf32> -> tensor<2x3xf32>
  // CHECK: %{{.*}}, %{{.*}}, %{{.*}} = nn.batch_norm_train %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 9.99999974E-6 : f32} : tensor<2x3x4x4xf32>, tensor<3xf32>
  %4:3 = nn.batch_norm_train %n, %c, %c {epsilon = 1.0e-05 : f32} : tensor<2x3x4x4xf32>, tensor<3xf32>
  // CHECK: %{{.*}}, %{{.*}} = nn.dropout_train %{{.*}}, %{{.*}} {ratio = 2.500000e-01 : f32, seed = 7 : i64} : tensor<2x3xf32>, tensor<i64>
  %5:2 = nn.dropout_train %x, %step {ratio = 0.25 : f32, seed = 7} : tensor<2x3xf32>, tensor<i64>
  return %0, %1, %2, %3, %4#0, %4#1, %4#2, %5#0, %5#1 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// The gradients of the grouped, strided, padded conv2d of @conv_pool.
// CHECK-LABEL: func @conv_backward
func.func @conv_backward(%gy: tensor<1x8x5x5xf32>, %w: tensor<8x2x3x3xf32>, %x: tensor<1x4x9x9xf32>) -> (tensor<1x4x9x9xf32>, tensor<8x2x3x3xf32>) {
  // CHECK: nn.conv2d_backward_input %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, groups = 2 : i64, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x8x5x5xf32>, tensor<8x2x3x3xf32> -> tensor<1x4x9x9xf32>
  %0 = nn.conv2d_backward_input %gy, %w {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 2} : tensor<1x8x5x5xf32>, tensor<8x2x3x3xf32> -> tensor<1x4x9x9xf32>
  // CHECK: nn.conv2d_backward_filter %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, groups = 2 : i64, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x8x5x5xf32>, tensor<1x4x9x9xf32> -> tensor<8x2x3x3xf32>
  %1 = nn.conv2d_backward_filter %gy, %x {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 2} : tensor<1x8x5x5xf32>, tensor<1x4x9x9xf32> -> tensor<8x2x3x3xf32>
  return %0, %1 : tensor<1x4x9x9xf32>, tensor<8x2x3x3xf32>
}

// The gradients of the poolings of @conv_pool.
// CHECK-LABEL: func @pool_backward
func.func @pool_backward(%x: tensor<1x4x9x9xf32>, %g: tensor<1x4x5x5xf32>) -> (tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>) {
  // CHECK: %[[IDX:.*]] = nn.max_pool2d_indices %{{.*}} {ceil_mode = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x4x9x9xf32> -> tensor<1x4x5x5xi64>
  %0 = nn.max_pool2d_indices %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true} : tensor<1x4x9x9xf32> -> tensor<1x4x5x5xi64>
  // CHECK: nn.max_pool2d_backward %{{.*}}, %[[IDX]] {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x4x5x5xf32>, tensor<1x4x5x5xi64> -> tensor<1x4x9x9xf32>
  %1 = nn.max_pool2d_backward %g, %0 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x4x5x5xf32>, tensor<1x4x5x5xi64> -> tensor<1x4x9x9xf32>
  // CHECK: nn.avg_pool2d_backward %{{.*}} {ceil_mode = false, count_include_pad = true, kernel_shape = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x4x5x5xf32> -> tensor<1x4x9x9xf32>
  %2 = nn.avg_pool2d_backward %g {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, ceil_mode = false, count_include_pad = true} : tensor<1x4x5x5xf32> -> tensor<1x4x9x9xf32>
  return %1, %2 : tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>
}

// Updates print their operands and results as a function type.
// CHECK-LABEL: func @updates
func.func @updates(%p: tensor<4x3xf32>, %g: tensor<4x3xf32>, %s1: tensor<4x3xf32>, %s2: tensor<4x3xf32>, %lr: tensor<f32>, %step: tensor<i64>) -> (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>) {
  // CHECK: nn.sgd_update %{{.*}}, %{{.*}}, %{{.*}} {weight_decay = 0.000000e+00 : f64} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32>) -> tensor<4x3xf32>
  %0 = nn.sgd_update %p, %g, %lr {weight_decay = 0.0 : f64} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32>) -> tensor<4x3xf32>
  // CHECK: nn.momentum_update %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {momentum = 9.000000e-01 : f64, nesterov = true, weight_decay = 1.000000e-04 : f64} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32>) -> (tensor<4x3xf32>, tensor<4x3xf32>)
  %1:2 = nn.momentum_update %p, %g, %s1, %lr {momentum = 0.9 : f64, weight_decay = 0.0001 : f64, nesterov = true} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32>) -> (tensor<4x3xf32>, tensor<4x3xf32>)
  // CHECK: nn.adam_update %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {beta1 = 9.000000e-01 : f64, beta2 = 0.99899999999999999 : f64, decoupled = true, eps = 1.000000e-08 : f64, weight_decay = 1.000000e-02 : f64} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<i64>, tensor<f32>) -> (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>)
  %2:3 = nn.adam_update %p, %g, %s1, %s2, %step, %lr {beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-08 : f64, weight_decay = 0.01 : f64, decoupled = true} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<i64>, tensor<f32>) -> (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>)
  // CHECK: nn.rmsprop_update %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {alpha = 0.98999999999999999 : f64, eps = 1.000000e-08 : f64, weight_decay = 0.000000e+00 : f64} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32>) -> (tensor<4x3xf32>, tensor<4x3xf32>)
  %3:2 = nn.rmsprop_update %p, %g, %s1, %lr {alpha = 0.99 : f64, eps = 1.0e-08 : f64, weight_decay = 0.0 : f64} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32>) -> (tensor<4x3xf32>, tensor<4x3xf32>)
  // CHECK: nn.adagrad_update %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {eps = 1.000000e-10 : f64, weight_decay = 0.000000e+00 : f64} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32>) -> (tensor<4x3xf32>, tensor<4x3xf32>)
  %4:2 = nn.adagrad_update %p, %g, %s1, %lr {eps = 1.0e-10 : f64, weight_decay = 0.0 : f64} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32>) -> (tensor<4x3xf32>, tensor<4x3xf32>)
  return %0, %1#1, %2#1, %3#1, %4#1 : tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>
}

// Every schedule kind prints as #nn.lr_schedule<kind>.
// CHECK-LABEL: func @scalars
func.func @scalars(%base: tensor<f32>, %step: tensor<i64>, %sq: tensor<f32>) -> (tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>) {
  // CHECK: nn.lr_schedule %{{.*}}, %{{.*}} {gamma = 1.000000e+00 : f64, min_lr = 0.000000e+00 : f64, period = 1 : i64, schedule = #nn.lr_schedule<constant>, warmup = 0 : i64} : tensor<f32>, tensor<i64> -> tensor<f32>
  %0 = nn.lr_schedule %base, %step {schedule = #nn.lr_schedule<constant>, period = 1, gamma = 1.0 : f64, min_lr = 0.0 : f64, warmup = 0} : tensor<f32>, tensor<i64> -> tensor<f32>
  // CHECK: nn.lr_schedule %{{.*}}, %{{.*}} {gamma = 5.000000e-01 : f64, min_lr = 0.000000e+00 : f64, period = 10 : i64, schedule = #nn.lr_schedule<step>, warmup = 0 : i64}
  %1 = nn.lr_schedule %base, %step {schedule = #nn.lr_schedule<step>, period = 10, gamma = 0.5 : f64, min_lr = 0.0 : f64, warmup = 0} : tensor<f32>, tensor<i64> -> tensor<f32>
  // CHECK: nn.lr_schedule %{{.*}}, %{{.*}} {gamma = 7.500000e-01 : f64, min_lr = 0.000000e+00 : f64, period = 1 : i64, schedule = #nn.lr_schedule<exponential>, warmup = 5 : i64}
  %2 = nn.lr_schedule %base, %step {schedule = #nn.lr_schedule<exponential>, period = 1, gamma = 0.75 : f64, min_lr = 0.0 : f64, warmup = 5} : tensor<f32>, tensor<i64> -> tensor<f32>
  // CHECK: nn.lr_schedule %{{.*}}, %{{.*}} {gamma = 1.000000e+00 : f64, min_lr = 1.000000e-03 : f64, period = 100 : i64, schedule = #nn.lr_schedule<cosine>, warmup = 10 : i64}
  %3 = nn.lr_schedule %base, %step {schedule = #nn.lr_schedule<cosine>, period = 100, gamma = 1.0 : f64, min_lr = 0.001 : f64, warmup = 10} : tensor<f32>, tensor<i64> -> tensor<f32>
  // CHECK: nn.clip_coefficient %{{.*}} {max_norm = 1.000000e+00 : f64} : tensor<f32> -> tensor<f32>
  %4 = nn.clip_coefficient %sq {max_norm = 1.0 : f64} : tensor<f32> -> tensor<f32>
  return %0, %1, %2, %3, %4 : tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>
}
