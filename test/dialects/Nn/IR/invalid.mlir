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

func.func @relu_on_integers(%a: tensor<3xi32>) {
  // expected-error @+1 {{must be ranked tensor of floating-point values}}
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

// nn.sum's "needs at least one operand" cannot fire: SameOperandsAndResultType
// rejects an empty operand list first.
func.func @sum_no_operands() {
  // expected-error @+1 {{'nn.sum' op expected 1 or more operands, but found 0}}
  %0 = nn.sum : tensor<3xf32>
  return
}

// -----

func.func @sum_types_differ(%a: tensor<3xf32>, %b: tensor<2xf32>) {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %0 = "nn.sum"(%a, %b) : (tensor<3xf32>, tensor<2xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @leaky_relu_missing_alpha(%a: tensor<3xf32>) {
  // expected-error @+1 {{requires attribute 'alpha'}}
  %0 = nn.leaky_relu %a : tensor<3xf32>
  return
}

// -----

func.func @log_softmax_axis(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'nn.log_softmax' op axis 2 is out of range for rank 2}}
  %0 = nn.log_softmax %a {axis = 2} : tensor<2x3xf32>
  return
}

// -----

func.func @log_softmax_negative_axis(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'nn.log_softmax' op axis -1 is out of range for rank 2}}
  %0 = nn.log_softmax %a {axis = -1} : tensor<2x3xf32>
  return
}

// -----

func.func @reduce_sum_unsorted(%a: tensor<2x3x4xf32>) {
  // expected-error @+2 {{axes must be sorted, distinct dimensions of the rank-3 input}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.reduce_sum %a {axes = array<i64: 2, 0>, keep_dims = false} : tensor<2x3x4xf32> -> tensor<3xf32>
  return
}

// -----

func.func @reduce_sum_repeated(%a: tensor<2x3x4xf32>) {
  // expected-error @+2 {{axes must be sorted, distinct dimensions of the rank-3 input}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.reduce_sum %a {axes = array<i64: 1, 1>, keep_dims = false} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  return
}

// -----

func.func @reduce_sum_out_of_range(%a: tensor<2x3x4xf32>) {
  // expected-error @+2 {{axes must be sorted, distinct dimensions of the rank-3 input}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.reduce_sum %a {axes = array<i64: 3>, keep_dims = false} : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  return
}

// -----

func.func @reduce_sum_negative(%a: tensor<2x3x4xf32>) {
  // expected-error @+2 {{axes must be sorted, distinct dimensions of the rank-3 input}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.reduce_sum %a {axes = array<i64: -1>, keep_dims = false} : tensor<2x3x4xf32> -> tensor<2x3xf32>
  return
}

// -----

// keep_dims keeps the reduced dimension as 1.
func.func @reduce_sum_result(%a: tensor<2x3x4xf32>) {
  // expected-error @+2 {{inferred type(s) 'tensor<2x1x4xf32>' are incompatible with return type(s) of operation 'tensor<2x4xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.reduce_sum %a {axes = array<i64: 1>, keep_dims = true} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  return
}

// -----

func.func @reduce_sum_missing_keep_dims(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{requires attribute 'keep_dims'}}
  %0 = nn.reduce_sum %a {axes = array<i64: 1>} : tensor<2x3xf32> -> tensor<2xf32>
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

// === NN: normalization and dropout ===

func.func @batch_norm_rank(%x: tensor<6xf32>, %c: tensor<6xf32>) {
  // expected-error @+1 {{'nn.batch_norm' op input must be [N, C, ...], got 'tensor<6xf32>'}}
  %0 = nn.batch_norm %x, %c, %c, %c, %c {epsilon = 1.0e-05 : f32, momentum = 0.9 : f32} : tensor<6xf32>, tensor<6xf32>
  return
}

// -----

func.func @batch_norm_channels(%x: tensor<2x3x4x4xf32>, %c: tensor<4xf32>) {
  // expected-error @+1 {{'nn.batch_norm' op per-channel operands must be 'tensor<3xf32>', got 'tensor<4xf32>'}}
  %0 = nn.batch_norm %x, %c, %c, %c, %c {epsilon = 1.0e-05 : f32, momentum = 0.9 : f32} : tensor<2x3x4x4xf32>, tensor<4xf32>
  return
}

// -----

// The per-channel operands have the input's element type.
func.func @batch_norm_element_type(%x: tensor<2x3xf32>, %c: tensor<3xf64>) {
  // expected-error @+1 {{'nn.batch_norm' op per-channel operands must be 'tensor<3xf32>', got 'tensor<3xf64>'}}
  %0 = nn.batch_norm %x, %c, %c, %c, %c {epsilon = 1.0e-05 : f32, momentum = 0.9 : f32} : tensor<2x3xf32>, tensor<3xf64>
  return
}

// -----

func.func @batch_norm_operands_differ(%x: tensor<2x3xf32>, %c: tensor<3xf32>, %d: tensor<1x3xf32>) {
  // expected-error @+1 {{all of {scale, bias, mean, var} have same type}}
  %0 = "nn.batch_norm"(%x, %c, %c, %c, %d) {epsilon = 1.0e-05 : f32, momentum = 0.9 : f32} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @layer_norm_axis(%x: tensor<2x3x4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{'nn.layer_norm' op axis 3 is out of range for 'tensor<2x3x4xf32>'}}
  %0 = nn.layer_norm %x, %s, %s {axis = 3, epsilon = 1.0e-05 : f32} : tensor<2x3x4xf32>, tensor<4xf32>
  return
}

// -----

func.func @layer_norm_negative_axis(%x: tensor<2x3x4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{'nn.layer_norm' op axis -1 is out of range for 'tensor<2x3x4xf32>'}}
  %0 = nn.layer_norm %x, %s, %s {axis = -1, epsilon = 1.0e-05 : f32} : tensor<2x3x4xf32>, tensor<4xf32>
  return
}

// -----

// scale and bias cover every dimension from the axis on.
func.func @layer_norm_scale(%x: tensor<2x3x4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{'nn.layer_norm' op scale and bias must be 'tensor<3x4xf32>', got 'tensor<4xf32>'}}
  %0 = nn.layer_norm %x, %s, %s {axis = 1, epsilon = 1.0e-05 : f32} : tensor<2x3x4xf32>, tensor<4xf32>
  return
}

// -----

func.func @dropout_ratio_one(%x: tensor<4xf32>) {
  // expected-error @+1 {{'nn.dropout' op ratio must be in [0, 1), got 1.000000e+00}}
  %0 = nn.dropout %x {ratio = 1.0 : f32} : tensor<4xf32>
  return
}

// -----

func.func @dropout_negative_ratio(%x: tensor<4xf32>) {
  // expected-error @+1 {{'nn.dropout' op ratio must be in [0, 1), got -5.000000e-01}}
  %0 = nn.dropout %x {ratio = -0.5 : f32} : tensor<4xf32>
  return
}

// -----

func.func @dropout_nan_ratio(%x: tensor<4xf32>) {
  // expected-error @+1 {{'nn.dropout' op ratio must be in [0, 1), got nan}}
  %0 = nn.dropout %x {ratio = 0x7FC00000 : f32} : tensor<4xf32>
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

// -----

// === Tensor: concat, slice, broadcast, one_hot ===

func.func @concat_dims(%a: tensor<2x3xf32>, %b: tensor<3x3xf32>) {
  // expected-error @+2 {{nn.concat: 'tensor<3x3xf32>' and 'tensor<2x3xf32>' differ outside axis 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.concat %a, %b {axis = 1} : tensor<2x3xf32>, tensor<3x3xf32> -> tensor<2x6xf32>
  return
}

// -----

func.func @concat_rank(%a: tensor<2x3xf32>, %b: tensor<2x3x1xf32>) {
  // expected-error @+2 {{nn.concat: 'tensor<2x3x1xf32>' and 'tensor<2x3xf32>' differ outside axis 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.concat %a, %b {axis = 0} : tensor<2x3xf32>, tensor<2x3x1xf32> -> tensor<4x3xf32>
  return
}

// -----

// The element types must agree too (reported as the same "differ" error).
func.func @concat_element_types(%a: tensor<2x3xf32>, %b: tensor<2x3xi32>) {
  // expected-error @+2 {{nn.concat: 'tensor<2x3xi32>' and 'tensor<2x3xf32>' differ outside axis 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.concat %a, %b {axis = 0} : tensor<2x3xf32>, tensor<2x3xi32> -> tensor<4x3xf32>
  return
}

// -----

func.func @concat_axis(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{nn.concat: axis 2 is out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.concat %a, %a {axis = 2} : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x6xf32>
  return
}

// -----

func.func @concat_negative_axis(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{nn.concat: axis -1 is out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.concat %a, %a {axis = -1} : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x6xf32>
  return
}

// -----

func.func @concat_no_operands() {
  // expected-error @+2 {{nn.concat: needs at least one operand}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "nn.concat"() {axis = 0 : i64} : () -> tensor<3xf32>
  return
}

// -----

func.func @concat_missing_axis(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'nn.concat' op requires attribute 'axis'}}
  %0 = "nn.concat"(%a, %a) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @concat_result(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>) {
  // expected-error @+2 {{inferred type(s) 'tensor<2x8xf32>' are incompatible with return type(s) of operation 'tensor<2x9xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.concat %a, %b {axis = 1} : tensor<2x3xf32>, tensor<2x5xf32> -> tensor<2x9xf32>
  return
}

// -----

func.func @slice_starts(%x: tensor<4x6xf32>) {
  // expected-error @+1 {{'nn.slice' op needs one start and one step per dimension of 'tensor<4x6xf32>'}}
  %0 = nn.slice %x {starts = array<i64: 0>, steps = array<i64: 1, 1>} : tensor<4x6xf32> -> tensor<2x2xf32>
  return
}

// -----

func.func @slice_steps(%x: tensor<4x6xf32>) {
  // expected-error @+1 {{'nn.slice' op needs one start and one step per dimension of 'tensor<4x6xf32>'}}
  %0 = nn.slice %x {starts = array<i64: 0, 0>, steps = array<i64: 1, 1, 1>} : tensor<4x6xf32> -> tensor<2x2xf32>
  return
}

// -----

// A result of another rank reports the same error.
func.func @slice_result_rank(%x: tensor<4x6xf32>) {
  // expected-error @+1 {{'nn.slice' op needs one start and one step per dimension of 'tensor<4x6xf32>'}}
  %0 = nn.slice %x {starts = array<i64: 0, 0>, steps = array<i64: 1, 1>} : tensor<4x6xf32> -> tensor<24xf32>
  return
}

// -----

// Elements 1, 3, 5, 7 of a 6-wide dimension: the last is out of bounds.
func.func @slice_window(%x: tensor<4x6xf32>) {
  // expected-error @+1 {{'nn.slice' op dimension 1: 4 elements from 1 every 2 do not fit in 'tensor<4x6xf32>'}}
  %0 = nn.slice %x {starts = array<i64: 0, 1>, steps = array<i64: 1, 2>} : tensor<4x6xf32> -> tensor<4x4xf32>
  return
}

// -----

func.func @slice_negative_start(%x: tensor<4x6xf32>) {
  // expected-error @+1 {{'nn.slice' op dimension 0: 2 elements from -1 every 1 do not fit in 'tensor<4x6xf32>'}}
  %0 = nn.slice %x {starts = array<i64: -1, 0>, steps = array<i64: 1, 1>} : tensor<4x6xf32> -> tensor<2x6xf32>
  return
}

// -----

func.func @slice_zero_step(%x: tensor<4x6xf32>) {
  // expected-error @+1 {{'nn.slice' op dimension 0: 2 elements from 0 every 0 do not fit in 'tensor<4x6xf32>'}}
  %0 = nn.slice %x {starts = array<i64: 0, 0>, steps = array<i64: 0, 1>} : tensor<4x6xf32> -> tensor<2x6xf32>
  return
}

// -----

func.func @slice_element_type(%x: tensor<4x6xf32>) {
  // expected-error @+1 {{all of {input, result} have same element type}}
  %0 = nn.slice %x {starts = array<i64: 0, 0>, steps = array<i64: 1, 1>} : tensor<4x6xf32> -> tensor<2x6xf64>
  return
}

// -----

func.func @broadcast_incompatible(%x: tensor<3xf32>) {
  // expected-error @+1 {{'nn.broadcast' op cannot broadcast 'tensor<3xf32>' to 'tensor<2x4xf32>'}}
  %0 = nn.broadcast %x : tensor<3xf32> -> tensor<2x4xf32>
  return
}

// -----

// Broadcasting never removes dimensions.
func.func @broadcast_rank(%x: tensor<1x3xf32>) {
  // expected-error @+1 {{'nn.broadcast' op cannot broadcast 'tensor<1x3xf32>' to 'tensor<3xf32>'}}
  %0 = nn.broadcast %x : tensor<1x3xf32> -> tensor<3xf32>
  return
}

// -----

// A size-1 result dimension does not shrink a larger input one.
func.func @broadcast_shrink(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'nn.broadcast' op cannot broadcast 'tensor<2x3xf32>' to 'tensor<1x3xf32>'}}
  %0 = nn.broadcast %x : tensor<2x3xf32> -> tensor<1x3xf32>
  return
}

// -----

func.func @one_hot_shape(%l: tensor<4xi64>) {
  // expected-error @+1 {{'nn.one_hot' op result must have the indices' shape plus one non-empty class dimension, got 'tensor<5x10xf32>' for 'tensor<4xi64>'}}
  %0 = nn.one_hot %l : tensor<4xi64> -> tensor<5x10xf32>
  return
}

// -----

func.func @one_hot_rank(%l: tensor<4xi64>) {
  // expected-error @+1 {{'nn.one_hot' op result must have the indices' shape plus one non-empty class dimension, got 'tensor<4xf32>' for 'tensor<4xi64>'}}
  %0 = nn.one_hot %l : tensor<4xi64> -> tensor<4xf32>
  return
}

// -----

func.func @one_hot_empty(%l: tensor<4xi32>) {
  // expected-error @+1 {{'nn.one_hot' op result must have the indices' shape plus one non-empty class dimension, got 'tensor<4x0xf32>' for 'tensor<4xi32>'}}
  %0 = nn.one_hot %l : tensor<4xi32> -> tensor<4x0xf32>
  return
}

// -----

func.func @one_hot_float_indices(%l: tensor<4xf32>) {
  // expected-error @+1 {{must be ranked tensor of 32-bit signless integer or 64-bit signless integer values}}
  %0 = nn.one_hot %l : tensor<4xf32> -> tensor<4x10xf32>
  return
}

// -----

// === Training: backward helpers, optimizer updates, schedule and clipping ===

func.func @relu_grad_types(%g: tensor<2x3xf32>, %x: tensor<3x2xf32>) {
  // expected-error @+1 {{all of {grad, input, result} have same type}}
  %0 = "nn.relu_grad"(%g, %x) : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @elu_grad_types(%g: tensor<2x3xf32>, %y: tensor<2x3xf64>) {
  // expected-error @+1 {{all of {grad, result_value, result} have same type}}
  %0 = "nn.elu_grad"(%g, %y) {alpha = 1.0 : f32} : (tensor<2x3xf32>, tensor<2x3xf64>) -> tensor<2x3xf32>
  return
}

// -----

// Elements 1, 3 of a 3-wide dimension: the last is out of bounds.
func.func @slice_backward_window(%g: tensor<2x2xf32>) {
  // expected-error @+1 {{'nn.slice_backward' op dimension 1: 2 elements from 1 every 2 do not fit in 'tensor<4x3xf32>'}}
  %0 = nn.slice_backward %g {starts = array<i64: 0, 1>, steps = array<i64: 1, 2>} : tensor<2x2xf32> -> tensor<4x3xf32>
  return
}

// -----

func.func @slice_backward_starts(%g: tensor<2x2xf32>) {
  // expected-error @+1 {{'nn.slice_backward' op needs one start and one step per dimension of 'tensor<4x3xf32>'}}
  %0 = nn.slice_backward %g {starts = array<i64: 0>, steps = array<i64: 1, 1>} : tensor<2x2xf32> -> tensor<4x3xf32>
  return
}

// -----

func.func @slice_backward_rank(%g: tensor<2xf32>) {
  // expected-error @+1 {{'nn.slice_backward' op needs one start and one step per dimension of 'tensor<4x3xf32>'}}
  %0 = nn.slice_backward %g {starts = array<i64: 0, 0>, steps = array<i64: 1, 1>} : tensor<2xf32> -> tensor<4x3xf32>
  return
}

// -----

func.func @slice_backward_element_type(%g: tensor<2x2xf32>) {
  // expected-error @+1 {{all of {grad, result} have same element type}}
  %0 = nn.slice_backward %g {starts = array<i64: 0, 0>, steps = array<i64: 1, 1>} : tensor<2x2xf32> -> tensor<4x3xf64>
  return
}

// -----

// The conv2d of input 1x4x9x9 and filter 8x2x3x3 (2 groups, stride 2,
// padding 1) gives 1x8x5x5.
func.func @conv_backward_input_grad(%g: tensor<1x8x4x4xf32>, %w: tensor<8x2x3x3xf32>) {
  // expected-error @+1 {{'nn.conv2d_backward_input' op grad must be 'tensor<1x8x5x5xf32>', got 'tensor<1x8x4x4xf32>'}}
  %0 = nn.conv2d_backward_input %g, %w {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 2} : tensor<1x8x4x4xf32>, tensor<8x2x3x3xf32> -> tensor<1x4x9x9xf32>
  return
}

// -----

// The forward convolution's own checks apply to the result (its input).
func.func @conv_backward_input_groups(%g: tensor<1x8x5x5xf32>, %w: tensor<8x2x3x3xf32>) {
  // expected-error @+1 {{nn.conv2d_backward_input: groups (3) must divide the input channels (4) and the filters (8)}}
  %0 = nn.conv2d_backward_input %g, %w {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 3} : tensor<1x8x5x5xf32>, tensor<8x2x3x3xf32> -> tensor<1x4x9x9xf32>
  return
}

// -----

func.func @conv_backward_input_element_types(%g: tensor<1x8x5x5xf32>, %w: tensor<8x2x3x3xf64>) {
  // expected-error @+1 {{nn.conv2d_backward_input: element types differ}}
  %0 = nn.conv2d_backward_input %g, %w {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 2} : tensor<1x8x5x5xf32>, tensor<8x2x3x3xf64> -> tensor<1x4x9x9xf32>
  return
}

// -----

func.func @conv_backward_filter_grad(%g: tensor<1x8x5x5xf64>, %x: tensor<1x4x9x9xf32>) {
  // expected-error @+1 {{'nn.conv2d_backward_filter' op grad must be 'tensor<1x8x5x5xf32>', got 'tensor<1x8x5x5xf64>'}}
  %0 = nn.conv2d_backward_filter %g, %x {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 2} : tensor<1x8x5x5xf64>, tensor<1x4x9x9xf32> -> tensor<8x2x3x3xf32>
  return
}

// -----

func.func @conv_backward_filter_channels(%g: tensor<1x8x5x5xf32>, %x: tensor<1x4x9x9xf32>) {
  // expected-error @+1 {{nn.conv2d_backward_filter: filter 'tensor<8x3x3x3xf32>' expects 6 input channels, input 'tensor<1x4x9x9xf32>' has 4}}
  %0 = nn.conv2d_backward_filter %g, %x {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 2} : tensor<1x8x5x5xf32>, tensor<1x4x9x9xf32> -> tensor<8x3x3x3xf32>
  return
}

// -----

func.func @conv_backward_filter_strides(%g: tensor<1x8x5x5xf32>, %x: tensor<1x4x9x9xf32>) {
  // expected-error @+1 {{nn.conv2d_backward_filter: 'strides' must have 2 entries, got 1}}
  %0 = nn.conv2d_backward_filter %g, %x {strides = array<i64: 2>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 2} : tensor<1x8x5x5xf32>, tensor<1x4x9x9xf32> -> tensor<8x2x3x3xf32>
  return
}

// -----

// Ceil mode pools the 9-wide input into 5 windows.
func.func @max_pool_indices_shape(%x: tensor<1x4x9x9xf32>) {
  // expected-error @+1 {{'nn.max_pool2d_indices' op result must be 'tensor<1x4x5x5xi64>', got 'tensor<1x4x4x4xi64>'}}
  %0 = nn.max_pool2d_indices %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true} : tensor<1x4x9x9xf32> -> tensor<1x4x4x4xi64>
  return
}

// -----

func.func @max_pool_indices_element_type(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{must be ranked tensor of 64-bit signless integer values}}
  %0 = nn.max_pool2d_indices %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false} : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xi32>
  return
}

// -----

func.func @max_pool_indices_rank(%x: tensor<4x8x8xf32>) {
  // expected-error @+1 {{nn.max_pool2d_indices: input must be 4-D (NCHW), got 'tensor<4x8x8xf32>'}}
  %0 = nn.max_pool2d_indices %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false} : tensor<4x8x8xf32> -> tensor<4x4x4xi64>
  return
}

// -----

func.func @max_pool_indices_padding(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{nn.max_pool2d_indices: padding must be smaller than the window}}
  %0 = nn.max_pool2d_indices %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 2>, dilations = array<i64: 1, 1>, ceil_mode = false} : tensor<1x4x8x8xf32> -> tensor<1x4x4x5xi64>
  return
}

// -----

func.func @max_pool_backward_indices(%g: tensor<1x4x5x5xf32>, %i: tensor<1x4x4x4xi64>) {
  // expected-error @+1 {{'nn.max_pool2d_backward' op indices and grad shapes differ}}
  %0 = nn.max_pool2d_backward %g, %i {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x4x5x5xf32>, tensor<1x4x4x4xi64> -> tensor<1x4x9x9xf32>
  return
}

// -----

// Either rounding of the pooled size is accepted (4 or 5 here), not 3; the
// message names the ceil-mode shape.
func.func @max_pool_backward_grad(%g: tensor<1x4x3x3xf32>, %i: tensor<1x4x3x3xi64>) {
  // expected-error @+1 {{'nn.max_pool2d_backward' op grad must be 'tensor<1x4x5x5xf32>', got 'tensor<1x4x3x3xf32>'}}
  %0 = nn.max_pool2d_backward %g, %i {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x4x3x3xf32>, tensor<1x4x3x3xi64> -> tensor<1x4x9x9xf32>
  return
}

// -----

func.func @max_pool_backward_dilations(%g: tensor<1x4x4x4xf32>, %i: tensor<1x4x4x4xi64>) {
  // expected-error @+1 {{nn.max_pool2d_backward: 'dilations' entries must be >= 1, got 0}}
  %0 = nn.max_pool2d_backward %g, %i {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 0>} : tensor<1x4x4x4xf32>, tensor<1x4x4x4xi64> -> tensor<1x4x9x9xf32>
  return
}

// -----

func.func @avg_pool_backward_grad(%g: tensor<1x4x4x4xf32>) {
  // expected-error @+1 {{'nn.avg_pool2d_backward' op grad must be 'tensor<1x4x5x5xf32>', got 'tensor<1x4x4x4xf32>'}}
  %0 = nn.avg_pool2d_backward %g {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, ceil_mode = false, count_include_pad = true} : tensor<1x4x4x4xf32> -> tensor<1x4x9x9xf32>
  return
}

// -----

// Unlike max_pool2d_backward, ceil_mode is an attribute and must match.
func.func @avg_pool_backward_ceil_mode(%g: tensor<1x4x4x4xf32>) {
  // expected-error @+1 {{'nn.avg_pool2d_backward' op grad must be 'tensor<1x4x5x5xf32>', got 'tensor<1x4x4x4xf32>'}}
  %0 = nn.avg_pool2d_backward %g {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, ceil_mode = true, count_include_pad = false} : tensor<1x4x4x4xf32> -> tensor<1x4x9x9xf32>
  return
}

// -----

func.func @avg_pool_backward_window(%g: tensor<1x1x1x1xf32>) {
  // expected-error @+1 {{nn.avg_pool2d_backward: window does not fit in input 'tensor<1x1x2x2xf32>'}}
  %0 = nn.avg_pool2d_backward %g {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, ceil_mode = false, count_include_pad = false} : tensor<1x1x1x1xf32> -> tensor<1x1x2x2xf32>
  return
}

// -----

func.func @batch_norm_train_rank(%x: tensor<6xf32>, %c: tensor<6xf32>) {
  // expected-error @+1 {{'nn.batch_norm_train' op input must be [N, C, ...], got 'tensor<6xf32>'}}
  %0:3 = nn.batch_norm_train %x, %c, %c {epsilon = 1.0e-05 : f32} : tensor<6xf32>, tensor<6xf32>
  return
}

// -----

func.func @batch_norm_train_channels(%x: tensor<2x3x4x4xf32>, %c: tensor<4xf32>) {
  // expected-error @+1 {{'nn.batch_norm_train' op per-channel operands must be 'tensor<3xf32>', got 'tensor<4xf32>'}}
  %0:3 = nn.batch_norm_train %x, %c, %c {epsilon = 1.0e-05 : f32} : tensor<2x3x4x4xf32>, tensor<4xf32>
  return
}

// -----

func.func @dropout_train_step(%x: tensor<4xf32>, %s: tensor<i32>) {
  // expected-error @+1 {{must be 0D tensor of 64-bit signless integer values}}
  %0:2 = nn.dropout_train %x, %s {ratio = 0.5 : f32, seed = 1} : tensor<4xf32>, tensor<i32>
  return
}

// -----

func.func @dropout_train_mask(%x: tensor<4xf32>, %s: tensor<i64>) {
  // expected-error @+1 {{all of {input, result, mask} have same type}}
  %0:2 = "nn.dropout_train"(%x, %s) {ratio = 0.5 : f32, seed = 1 : i64} : (tensor<4xf32>, tensor<i64>) -> (tensor<4xf32>, tensor<4xf64>)
  return
}

// -----

func.func @sgd_grad(%p: tensor<4x3xf32>, %g: tensor<3x4xf32>, %lr: tensor<f32>) {
  // expected-error @+1 {{'nn.sgd_update' op operands must have the parameter's type 'tensor<4x3xf32>', got 'tensor<3x4xf32>'}}
  %0 = nn.sgd_update %p, %g, %lr {weight_decay = 0.0 : f64} : (tensor<4x3xf32>, tensor<3x4xf32>, tensor<f32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @sgd_result(%p: tensor<4x3xf32>, %lr: tensor<f32>) {
  // expected-error @+1 {{'nn.sgd_update' op results must have the parameter's type 'tensor<4x3xf32>', got 'tensor<12xf32>'}}
  %0 = nn.sgd_update %p, %p, %lr {weight_decay = 0.0 : f64} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32>) -> tensor<12xf32>
  return
}

// -----

func.func @sgd_lr(%p: tensor<4x3xf32>, %lr: tensor<1xf32>) {
  // expected-error @+1 {{must be 0D tensor of 32-bit float values}}
  %0 = nn.sgd_update %p, %p, %lr {weight_decay = 0.0 : f64} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<1xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @momentum_buf(%p: tensor<4x3xf32>, %buf: tensor<4x3xf64>, %lr: tensor<f32>) {
  // expected-error @+1 {{'nn.momentum_update' op operands must have the parameter's type 'tensor<4x3xf32>', got 'tensor<4x3xf64>'}}
  %0:2 = nn.momentum_update %p, %p, %buf, %lr {momentum = 0.9 : f64, weight_decay = 0.0 : f64, nesterov = false} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf64>, tensor<f32>) -> (tensor<4x3xf32>, tensor<4x3xf32>)
  return
}

// -----

func.func @momentum_new_buf(%p: tensor<4x3xf32>, %lr: tensor<f32>) {
  // expected-error @+1 {{'nn.momentum_update' op results must have the parameter's type 'tensor<4x3xf32>', got 'tensor<4x3xf64>'}}
  %0:2 = nn.momentum_update %p, %p, %p, %lr {momentum = 0.9 : f64, weight_decay = 0.0 : f64, nesterov = false} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32>) -> (tensor<4x3xf32>, tensor<4x3xf64>)
  return
}

// -----

func.func @adam_v(%p: tensor<4x3xf32>, %v: tensor<3xf32>, %step: tensor<i64>, %lr: tensor<f32>) {
  // expected-error @+1 {{'nn.adam_update' op operands must have the parameter's type 'tensor<4x3xf32>', got 'tensor<3xf32>'}}
  %0:3 = nn.adam_update %p, %p, %p, %v, %step, %lr {beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-08 : f64, weight_decay = 0.0 : f64, decoupled = false} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<3xf32>, tensor<i64>, tensor<f32>) -> (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>)
  return
}

// -----

func.func @adam_new_m(%p: tensor<4x3xf32>, %step: tensor<i64>, %lr: tensor<f32>) {
  // expected-error @+1 {{'nn.adam_update' op results must have the parameter's type 'tensor<4x3xf32>', got 'tensor<3x4xf32>'}}
  %0:3 = nn.adam_update %p, %p, %p, %p, %step, %lr {beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-08 : f64, weight_decay = 0.0 : f64, decoupled = false} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<i64>, tensor<f32>) -> (tensor<4x3xf32>, tensor<3x4xf32>, tensor<4x3xf32>)
  return
}

// -----

func.func @adam_step(%p: tensor<4x3xf32>, %step: tensor<f32>, %lr: tensor<f32>) {
  // expected-error @+1 {{must be 0D tensor of 64-bit signless integer values}}
  %0:3 = nn.adam_update %p, %p, %p, %p, %step, %lr {beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-08 : f64, weight_decay = 0.0 : f64, decoupled = false} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32>, tensor<f32>) -> (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>)
  return
}

// -----

func.func @rmsprop_square_avg(%p: tensor<4x3xf32>, %sq: tensor<4x3xf16>, %lr: tensor<f32>) {
  // expected-error @+1 {{'nn.rmsprop_update' op operands must have the parameter's type 'tensor<4x3xf32>', got 'tensor<4x3xf16>'}}
  %0:2 = nn.rmsprop_update %p, %p, %sq, %lr {alpha = 0.99 : f64, eps = 1.0e-08 : f64, weight_decay = 0.0 : f64} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf16>, tensor<f32>) -> (tensor<4x3xf32>, tensor<4x3xf32>)
  return
}

// -----

func.func @adagrad_new_sum(%p: tensor<4x3xf32>, %lr: tensor<f32>) {
  // expected-error @+1 {{'nn.adagrad_update' op results must have the parameter's type 'tensor<4x3xf32>', got 'tensor<4x4xf32>'}}
  %0:2 = nn.adagrad_update %p, %p, %p, %lr {eps = 1.0e-10 : f64, weight_decay = 0.0 : f64} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32>) -> (tensor<4x3xf32>, tensor<4x4xf32>)
  return
}

// -----

func.func @lr_schedule_kind(%base: tensor<f32>, %step: tensor<i64>) {
  // expected-error @+2 {{expected ::nncc::nn::LrScheduleKind to be one of: constant, step, exponential, cosine}}
  // expected-error @+1 {{failed to parse Nn_LrScheduleKindAttr parameter 'value'}}
  %0 = nn.lr_schedule %base, %step {schedule = #nn.lr_schedule<linear>, period = 1, gamma = 1.0 : f64, min_lr = 0.0 : f64, warmup = 0} : tensor<f32>, tensor<i64> -> tensor<f32>
  return
}

// -----

func.func @clip_coefficient_scalar(%s: tensor<1xf32>) {
  // expected-error @+1 {{must be 0D tensor of 32-bit float values}}
  %0 = nn.clip_coefficient %s {max_norm = 1.0 : f64} : tensor<1xf32> -> tensor<f32>
  return
}

// -----

// Only the learning rate and Adam's step are scalars: a scalar momentum
// buffer for a matrix parameter is refused.
func.func @update_scalar_state(%p: tensor<4x3xf32>, %g: tensor<4x3xf32>, %b: tensor<f32>, %lr: tensor<f32>) {
  // expected-error @+1 {{'nn.momentum_update' op operands must have the parameter's type 'tensor<4x3xf32>', got 'tensor<f32>'}}
  %0:2 = nn.momentum_update %p, %g, %b, %lr {momentum = 0.9 : f64, nesterov = false, weight_decay = 0.0 : f64} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32>, tensor<f32>) -> (tensor<4x3xf32>, tensor<4x3xf32>)
  return
}

// -----

// A slice starting past the end of a dimension.
func.func @slice_past_end(%x: tensor<4xf32>) {
  // expected-error @+1 {{'nn.slice' op dimension 0: 1 elements from 4 every 1 do not fit in 'tensor<4xf32>'}}
  %0 = nn.slice %x {starts = array<i64: 4>, steps = array<i64: 1>} : tensor<4xf32> -> tensor<1xf32>
  return
}

// -----

func.func @dropout_train_ratio(%x: tensor<4xf32>, %step: tensor<i64>) {
  // expected-error @+1 {{'nn.dropout_train' op ratio must be in [0, 1), got 1.5}}
  %0:2 = nn.dropout_train %x, %step {ratio = 1.5 : f32, seed = 0 : i64} : tensor<4xf32>, tensor<i64>
  return
}

// -----

func.func @lr_schedule_period(%lr: tensor<f32>, %step: tensor<i64>) {
  // expected-error @+1 {{'nn.lr_schedule' op period must be at least 1, got 0}}
  %0 = nn.lr_schedule %lr, %step {gamma = 0.1 : f64, min_lr = 0.0 : f64, period = 0 : i64, schedule = #nn.lr_schedule<step>, warmup = 0 : i64} : tensor<f32>, tensor<i64> -> tensor<f32>
  return
}

// -----

func.func @clip_negative(%s: tensor<f32>) {
  // expected-error @+1 {{'nn.clip_coefficient' op max_norm must be positive, got -1}}
  %0 = nn.clip_coefficient %s {max_norm = -1.0 : f64} : tensor<f32> -> tensor<f32>
  return
}
