// RUN: nncc-opt %s --split-input-file --canonicalize | FileCheck %s

// Ops on constants fold (NnConstantFolds.cpp): the importer relies on it to
// turn exporters' shape subgraphs into constant shapes.

// Shape -> Gather -> Unsqueeze -> Concat, as torch.onnx.export writes for
// x.view(x.size(0), -1): the batch size is gathered from the shape and
// concatenated with -1.
// CHECK-LABEL: func @shape_subgraph
// CHECK-NEXT: %[[C:.*]] = nn.constant dense<[4, -1]> : tensor<2xi64>
// CHECK-NEXT: return %[[C]]
func.func @shape_subgraph() -> tensor<2xi64> {
  %shape = nn.constant dense<[4, 3, 8, 8]> : tensor<4xi64>
  %zero = nn.constant dense<0> : tensor<i64>
  %batch = nn.gather %shape, %zero {axis = 0 : i64} : tensor<4xi64>, tensor<i64> -> tensor<i64>
  %b1 = nn.reshape %batch : tensor<i64> -> tensor<1xi64>
  %minus = nn.constant dense<-1> : tensor<1xi64>
  %cat = nn.concat %b1, %minus {axis = 0 : i64} : tensor<1xi64>, tensor<1xi64> -> tensor<2xi64>
  return %cat : tensor<2xi64>
}

// -----

// Broadcast arithmetic, comparisons, select and casts.
// CHECK-LABEL: func @arithmetic
// CHECK-DAG: nn.constant dense<[11, 22, 33]> : tensor<3xi64>
// CHECK-DAG: nn.constant dense<[2, 3, 4]> : tensor<3xi64>
// CHECK-DAG: nn.constant dense<[false, true, true]> : tensor<3xi1>
// CHECK-DAG: nn.constant dense<[1.000000e+00, 2.500000e+00, 3.000000e+00]> : tensor<3xf32>
// CHECK-DAG: nn.constant dense<[1, 2, -3]> : tensor<3xi32>
// CHECK-NOT: nn.add
// CHECK-NOT: nn.div
func.func @arithmetic() -> (tensor<3xi64>, tensor<3xi64>, tensor<3xi1>, tensor<3xf32>, tensor<3xi32>) {
  %a = nn.constant dense<[1, 2, 3]> : tensor<3xi64>
  %ten = nn.constant dense<10> : tensor<i64>
  %m = nn.mul %a, %ten : tensor<3xi64>, tensor<i64> -> tensor<3xi64>
  %s = nn.add %m, %a : tensor<3xi64>, tensor<3xi64> -> tensor<3xi64>
  %d = nn.div %s, %ten : tensor<3xi64>, tensor<i64> -> tensor<3xi64>
  %one = nn.constant dense<1> : tensor<i64>
  %e = nn.add %d, %one : tensor<3xi64>, tensor<i64> -> tensor<3xi64>
  %two = nn.constant dense<2> : tensor<i64>
  %g = nn.greater_equal %a, %two : tensor<3xi64>, tensor<i64> -> tensor<3xi1>
  %f = nn.constant dense<[1.0, 2.5, 3.5]> : tensor<3xf32>
  %three = nn.constant dense<3.0> : tensor<f32>
  %clipped = nn.minimum %f, %three : tensor<3xf32>, tensor<f32> -> tensor<3xf32>
  %n = nn.constant dense<[1.9, 2.5, -3.7]> : tensor<3xf32>
  %i = nn.cast %n : tensor<3xf32> -> tensor<3xi32>
  return %s, %e, %g, %clipped, %i : tensor<3xi64>, tensor<3xi64>, tensor<3xi1>, tensor<3xf32>, tensor<3xi32>
}

// -----

// Integer division by zero is undefined: it stays for run time.
// CHECK-LABEL: func @no_fold_division_by_zero
// CHECK: nn.div
func.func @no_fold_division_by_zero() -> tensor<2xi64> {
  %a = nn.constant dense<[1, 2]> : tensor<2xi64>
  %z = nn.constant dense<[1, 0]> : tensor<2xi64>
  %d = nn.div %a, %z : tensor<2xi64>, tensor<2xi64> -> tensor<2xi64>
  return %d : tensor<2xi64>
}

// -----

// A zero nn.pad of H and W folds into a convolution's padding, and into an
// average pooling, which then counts the padded zeros; -inf padding folds
// into max pooling.
// CHECK-LABEL: func @pad_into_windows
// CHECK-NOT: nn.pad
// CHECK: nn.conv2d %arg0, %arg1 {dilations = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 1, 2, 1, 2>, strides = array<i64: 1, 1>}
// CHECK: nn.avg_pool2d %arg0 {ceil_mode = false, count_include_pad = true, kernel_shape = array<i64: 2, 2>, padding = array<i64: 0, 1, 0, 1>, strides = array<i64: 2, 2>}
// CHECK: nn.max_pool2d %arg0 {ceil_mode = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, padding = array<i64: 2, 2, 2, 2>, strides = array<i64: 1, 1>}
func.func @pad_into_windows(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x3x3xf32>) -> (tensor<1x3x4x6xf32>, tensor<1x2x2x3xf32>, tensor<1x2x6x6xf32>) {
  %p = nn.pad %x {high = array<i64: 0, 0, 0, 1>, low = array<i64: 0, 0, 0, 1>, mode = "constant", value = 0.0 : f64} : tensor<1x2x4x4xf32> -> tensor<1x2x4x6xf32>
  %c = nn.conv2d %p, %w {dilations = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : tensor<1x2x4x6xf32>, tensor<3x2x3x3xf32> -> tensor<1x3x4x6xf32>
  %a = nn.avg_pool2d %p {ceil_mode = false, count_include_pad = false, kernel_shape = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x2x4x6xf32> -> tensor<1x2x2x3xf32>
  %q = nn.pad %x {high = array<i64: 0, 0, 1, 1>, low = array<i64: 0, 0, 1, 1>, mode = "constant", value = 0xFFF0000000000000 : f64} : tensor<1x2x4x4xf32> -> tensor<1x2x6x6xf32>
  %m = nn.max_pool2d %q {ceil_mode = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : tensor<1x2x6x6xf32> -> tensor<1x2x6x6xf32>
  return %c, %a, %m : tensor<1x3x4x6xf32>, tensor<1x2x2x3xf32>, tensor<1x2x6x6xf32>
}

// -----

// Zero padding must not fold into max pooling (a zero could win), nor into
// an average pooling that does not count its own padding.
// CHECK-LABEL: func @pad_not_folded
// CHECK-COUNT-2: nn.pad
func.func @pad_not_folded(%x: tensor<1x1x4x4xf32>) -> (tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>) {
  %p = nn.pad %x {high = array<i64: 0, 0, 1, 1>, low = array<i64: 0, 0, 1, 1>, mode = "constant", value = 0.0 : f64} : tensor<1x1x4x4xf32> -> tensor<1x1x6x6xf32>
  %m = nn.max_pool2d %p {ceil_mode = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : tensor<1x1x6x6xf32> -> tensor<1x1x4x4xf32>
  %r = nn.pad %x {high = array<i64: 0, 0, 1, 1>, low = array<i64: 0, 0, 1, 1>, mode = "constant", value = 0.0 : f64} : tensor<1x1x4x4xf32> -> tensor<1x1x6x6xf32>
  %a = nn.avg_pool2d %r {ceil_mode = false, count_include_pad = false, kernel_shape = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x1x6x6xf32> -> tensor<1x1x4x4xf32>
  return %m, %a : tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>
}

// -----

// PyTorch's padded 1-D average pooling: Pad on [N, C, L], then the pooling
// lifted to [N, C, 1, L]. The reshape moves in front of the pad, and the pad
// folds into the window.
// CHECK-LABEL: func @pad_1d_pool
// CHECK-NOT: nn.pad
// CHECK: %[[R:.*]] = nn.reshape %arg0 : tensor<1x2x5xf32> -> tensor<1x2x1x5xf32>
// CHECK: nn.avg_pool2d %[[R]] {ceil_mode = false, count_include_pad = true, kernel_shape = array<i64: 1, 3>, padding = array<i64: 0, 1, 0, 1>, strides = array<i64: 1, 2>}
func.func @pad_1d_pool(%x: tensor<1x2x5xf32>) -> tensor<1x2x1x3xf32> {
  %p = nn.pad %x {high = array<i64: 0, 0, 1>, low = array<i64: 0, 0, 1>, mode = "constant", value = 0.0 : f64} : tensor<1x2x5xf32> -> tensor<1x2x7xf32>
  %r = nn.reshape %p : tensor<1x2x7xf32> -> tensor<1x2x1x7xf32>
  %a = nn.avg_pool2d %r {ceil_mode = false, count_include_pad = false, kernel_shape = array<i64: 1, 3>, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 2>} : tensor<1x2x1x7xf32> -> tensor<1x2x1x3xf32>
  return %a : tensor<1x2x1x3xf32>
}

// -----

// Max pooling of a relu pools first (PoolBeforeRelu): the relu runs on the
// pooled tensor. Not with padding (a window of padding alone would change
// from -inf to 0), nor when something else reads the relu.
// CHECK-LABEL: func @pool_before_relu
// CHECK: %[[POOL:.*]] = nn.max_pool2d %arg0 {{.*}} : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
// CHECK: %[[RELU:.*]] = nn.relu %[[POOL]] : tensor<1x2x2x2xf32>
// CHECK: return %[[RELU]]
func.func @pool_before_relu(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> {
  %r = nn.relu %x : tensor<1x2x4x4xf32>
  %m = nn.max_pool2d %r {ceil_mode = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  return %m : tensor<1x2x2x2xf32>
}

// CHECK-LABEL: func @relu_before_padded_or_shared_pool
// CHECK: %[[R1:.*]] = nn.relu %arg0
// CHECK: nn.max_pool2d %[[R1]]
// CHECK: %[[R2:.*]] = nn.relu %arg0
// CHECK: nn.max_pool2d %[[R2]]
func.func @relu_before_padded_or_shared_pool(%x: tensor<1x2x4x4xf32>) -> (tensor<1x2x3x3xf32>, tensor<1x2x2x2xf32>, tensor<1x2x4x4xf32>) {
  %r = nn.relu %x : tensor<1x2x4x4xf32>
  %m = nn.max_pool2d %r {ceil_mode = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x2x4x4xf32> -> tensor<1x2x3x3xf32>
  %s = nn.relu %x {shared} : tensor<1x2x4x4xf32>
  %n = nn.max_pool2d %s {ceil_mode = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  return %m, %n, %s : tensor<1x2x3x3xf32>, tensor<1x2x2x2xf32>, tensor<1x2x4x4xf32>
}
