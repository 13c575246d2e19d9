// RUN: nncc-opt %s -split-input-file -verify-diagnostics

// === Math: elementwise binary ops, activations, softmax, matmul ===

func.func @broadcast_mismatch(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{operand shapes 'tensor<2x3xf32>' and 'tensor<4xf32>' are not broadcast-compatible}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.add %a, %b : tensor<2x3xf32>, tensor<4xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @wrong_result_type(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{inferred type(s) 'tensor<2x3xf32>' are incompatible with return type(s) of operation 'tensor<3x3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.mul %a, %b : tensor<2x3xf32>, tensor<3xf32> -> tensor<3x3xf32>
  return
}

// -----

func.func @element_types_differ(%a: tensor<3xf32>, %b: tensor<3xf64>) {
  // expected-error @+1 {{all of {lhs, rhs, result} have same element type}}
  %0 = nn.sub %a, %b : tensor<3xf32>, tensor<3xf64> -> tensor<3xf32>
  return
}

// -----

func.func @dynamic_shape(%a: tensor<?x3xf32>) {
  // expected-error @+1 {{must be statically shaped tensor}}
  %0 = nn.relu %a : tensor<?x3xf32>
  return
}

// -----

func.func @relu_on_integers(%a: tensor<3xi32>) {
  // expected-error @+1 {{must be statically shaped tensor of floating-point values}}
  %0 = nn.relu %a : tensor<3xi32>
  return
}

// -----

func.func @softmax_axis(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = nn.softmax %a {axis = 2} : tensor<2x3xf32>
  return
}

// -----

func.func @softmax_negative_axis(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{axis -1 is out of range for rank 2}}
  %0 = nn.softmax %a {axis = -1} : tensor<2x3xf32>
  return
}

// -----

func.func @matmul_rank(%a: tensor<3xf32>, %b: tensor<3x4xf32>) {
  // expected-error @+2 {{operands must have rank >= 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.matmul %a, %b : tensor<3xf32>, tensor<3x4xf32> -> tensor<4xf32>
  return
}

// -----

func.func @matmul_contraction(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+2 {{contraction sizes differ}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.matmul %a, %b : tensor<2x3xf32>, tensor<4x5xf32> -> tensor<2x5xf32>
  return
}

// -----

func.func @matmul_batch(%a: tensor<2x2x3xf32>, %b: tensor<3x3x4xf32>) {
  // expected-error @+2 {{batch dimensions of 'tensor<2x2x3xf32>' and 'tensor<3x3x4xf32>' are not broadcast-compatible}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.matmul %a, %b : tensor<2x2x3xf32>, tensor<3x3x4xf32> -> tensor<2x2x4xf32>
  return
}

// -----

// === NN: conv2d, max/avg pooling, global average pooling ===

func.func @conv_rank(%x: tensor<1x8x8xf32>, %w: tensor<4x1x3x3xf32>) {
  // expected-error @+2 {{input and filter must be 4-D}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : tensor<1x8x8xf32>, tensor<4x1x3x3xf32> -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+2 {{filter 'tensor<4x2x3x3xf32>' expects 2 input channels, input 'tensor<1x3x8x8xf32>' has 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : tensor<1x3x8x8xf32>, tensor<4x2x3x3xf32> -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_groups(%x: tensor<1x4x8x8xf32>, %w: tensor<6x2x3x3xf32>) {
  // expected-error @+2 {{groups (4) must divide the input channels (4) and the filters (6)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 4} : tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32> -> tensor<1x6x6x6xf32>
  return
}

// -----

func.func @conv_bias(%x: tensor<1x1x8x8xf32>, %w: tensor<4x1x3x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{bias must be a 4-element vector, got 'tensor<3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv2d %x, %w, %b {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : tensor<1x1x8x8xf32>, tensor<4x1x3x3xf32>, tensor<3xf32> -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_element_types(%x: tensor<1x1x8x8xf32>, %w: tensor<4x1x3x3xf64>) {
  // expected-error @+2 {{element types differ}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : tensor<1x1x8x8xf32>, tensor<4x1x3x3xf64> -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_strides(%x: tensor<1x1x8x8xf32>, %w: tensor<4x1x3x3xf32>) {
  // expected-error @+2 {{'strides' must have 2 entries, got 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv2d %x, %w {strides = array<i64: 1, 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : tensor<1x1x8x8xf32>, tensor<4x1x3x3xf32> -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_negative_padding(%x: tensor<1x1x8x8xf32>, %w: tensor<4x1x3x3xf32>) {
  // expected-error @+2 {{'padding' entries must be >= 0, got -1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, -1, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : tensor<1x1x8x8xf32>, tensor<4x1x3x3xf32> -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_filter_too_big(%x: tensor<1x1x2x2xf32>, %w: tensor<4x1x3x3xf32>) {
  // expected-error @+2 {{does not fit in the padded input}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : tensor<1x1x2x2xf32>, tensor<4x1x3x3xf32> -> tensor<1x4x1x1xf32>
  return
}

// -----

func.func @conv_missing_attribute(%x: tensor<1x1x8x8xf32>, %w: tensor<4x1x3x3xf32>) {
  // expected-error @+1 {{requires attribute 'strides'}}
  %0 = "nn.conv2d"(%x, %w) {padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x1x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @pool_rank(%x: tensor<4x8x8xf32>) {
  // expected-error @+2 {{input must be 4-D (NCHW)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.max_pool2d %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false} : tensor<4x8x8xf32> -> tensor<4x4x4xf32>
  return
}

// -----

func.func @pool_kernel(%x: tensor<1x1x8x8xf32>) {
  // expected-error @+2 {{'kernel_shape' entries must be >= 1, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.max_pool2d %x {kernel_shape = array<i64: 0, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false} : tensor<1x1x8x8xf32> -> tensor<1x1x4x4xf32>
  return
}

// -----

func.func @pool_padding(%x: tensor<1x1x8x8xf32>) {
  // expected-error @+2 {{padding must be smaller than the window}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.avg_pool2d %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 2, 0, 0, 0>, ceil_mode = false, count_include_pad = false} : tensor<1x1x8x8xf32> -> tensor<1x1x5x4xf32>
  return
}

// -----

func.func @pool_window(%x: tensor<1x1x2x2xf32>) {
  // expected-error @+2 {{window does not fit in input}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.max_pool2d %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false} : tensor<1x1x2x2xf32> -> tensor<1x1x1x1xf32>
  return
}

// -----

func.func @global_pool_rank(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{input must have rank >= 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.global_avg_pool %x : tensor<4x8xf32> -> tensor<4x8xf32>
  return
}

// -----

// === Tensor: constant, reshape, transpose ===

func.func @reshape_count(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{cannot reshape 'tensor<2x3xf32>' (6 elements) to 'tensor<7xf32>' (7 elements)}}
  %0 = nn.reshape %x : tensor<2x3xf32> -> tensor<7xf32>
  return
}

// -----

func.func @transpose_size(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{perm has 3 entries for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.transpose %x {perm = array<i64: 0, 1, 2>} : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @transpose_not_permutation(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{perm is not a permutation of 0..1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.transpose %x {perm = array<i64: 1, 1>} : tensor<2x3xf32> -> tensor<3x3xf32>
  return
}

// -----

func.func @constant_type() {
  // expected-error @+1 {{all of {value, result} have same type}}
  %0 = "nn.constant"() {value = dense<1.0> : tensor<2xf32>} : () -> tensor<3xf32>
  return
}
