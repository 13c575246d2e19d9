// RUN: nncc-opt %s --split-input-file --nncc-build-train-step="loss=mse optimizer=sgd lr=0.5" | FileCheck %s --check-prefix=RAW
// RUN: nncc-opt %s --split-input-file --nncc-build-train-step="loss=mse optimizer=sgd lr=0.5" --canonicalize --cse | FileCheck %s

// The backward pass of y = relu(x @ w + b) under mean squared error, built
// by the pass in nn ops, before and after canonicalization and CSE.

nn.parameter @w = dense<0.5> : tensor<3x2xf32>
nn.parameter @b = dense<0.1> : tensor<2xf32>
func.func @infer(%x: tensor<4x3xf32> {nn.input = "x"},
                 %w: tensor<3x2xf32> {nn.state = @w},
                 %b: tensor<2xf32> {nn.state = @b})
    -> (tensor<4x2xf32> {nn.output = "y"})
    attributes {nn.entry = #nn.entry<infer>} {
  %0 = nn.matmul %x, %w : tensor<4x3xf32>, tensor<3x2xf32> -> tensor<4x2xf32>
  %1 = nn.add %0, %b : tensor<4x2xf32>, tensor<2xf32> -> tensor<4x2xf32>
  %2 = nn.relu %1 : tensor<4x2xf32>
  return %2 : tensor<4x2xf32>
}

// The new state follows the model's: learning rate and step counter.
// CHECK: nn.parameter @w
// CHECK-NEXT: nn.parameter @b
// CHECK-NEXT: nn.parameter @"nncc:learning_rate" = dense<5.000000e-01> : tensor<f32>
// CHECK-NEXT: nn.parameter @"nncc:step" = dense<0> : tensor<i64>

// CHECK-LABEL: func.func @train_step(
// CHECK-SAME: %[[X:.*]]: tensor<4x3xf32> {nn.input = "x"}, %[[W:.*]]: tensor<3x2xf32> {nn.state = @w}, %[[B:.*]]: tensor<2xf32> {nn.state = @b}, %[[T:.*]]: tensor<4x2xf32> {nn.input = "targets"}, %[[LR:.*]]: tensor<f32> {nn.state = @"nncc:learning_rate"}, %[[STEP:.*]]: tensor<i64> {nn.state = @"nncc:step"})
// CHECK-SAME: -> (tensor<f32> {nn.output = "loss"}, tensor<3x2xf32> {nn.state = @w}, tensor<2xf32> {nn.state = @b}, tensor<i64> {nn.state = @"nncc:step"})
// CHECK-SAME: attributes {nn.entry = #nn.entry<train_step>}
// Forward pass and loss: mean((y - t)^2).
// CHECK: %[[MM:.*]] = nn.matmul %[[X]], %[[W]]
// CHECK: %[[PRE:.*]] = nn.add %[[MM]], %[[B]]
// CHECK: %[[Y:.*]] = nn.relu %[[PRE]]
// CHECK: %[[D:.*]] = nn.sub %[[Y]], %[[T]]
// CHECK: %[[SQ:.*]] = nn.mul %[[D]], %[[D]]
// CHECK: %[[SUM:.*]] = nn.reduce_sum %[[SQ]] {axes = array<i64: 0, 1>, keep_dims = false}
// CHECK: %[[LOSS:.*]] = nn.mul %[[SUM]], %{{.*}} : tensor<f32>, tensor<f32>
// Backward: the square's two uses of d are summed once (x*x has two
// contributions), relu routes by its input, the bias sums over the batch,
// the weight gets x^T @ g.
// CHECK: %[[GD:.*]] = nn.sum %{{.*}}, %{{.*}} : tensor<4x2xf32>
// CHECK: %[[GPRE:.*]] = nn.relu_grad %[[GD]], %[[PRE]]
// CHECK: %[[GB1:.*]] = nn.reduce_sum %[[GPRE]] {axes = array<i64: 0>, keep_dims = true}
// CHECK: %[[GB:.*]] = nn.reshape %[[GB1]] : tensor<1x2xf32> -> tensor<2xf32>
// CHECK: %[[XT:.*]] = nn.transpose %[[X]] {perm = array<i64: 1, 0>}
// CHECK: %[[GW:.*]] = nn.matmul %[[XT]], %[[GPRE]]
// The update and the step counter.
// CHECK: %[[NEXT:.*]] = nn.add %[[STEP]], %{{.*}} : tensor<i64>, tensor<i64>
// CHECK: %[[NW:.*]] = nn.sgd_update %[[W]], %[[GW]], %[[LR]] {weight_decay = 0.000000e+00 : f64}
// CHECK: %[[NB:.*]] = nn.sgd_update %[[B]], %[[GB]], %[[LR]]
// CHECK: return %[[LOSS]], %[[NW]], %[[NB]], %[[NEXT]]

// eval: the forward pass and the loss; set_learning_rate writes the state.
// CHECK-LABEL: func.func @eval(
// CHECK-SAME: -> (tensor<4x2xf32> {nn.output = "y"}, tensor<f32> {nn.output = "loss"})
// CHECK-LABEL: func.func @set_learning_rate(
// CHECK-SAME: %[[NEW:.*]]: tensor<f32> {nn.input = "learning_rate"}) -> (tensor<f32> {nn.state = @"nncc:learning_rate"})
// CHECK-NEXT: return %[[NEW]]

// Before canonicalization the seed of the backward pass is the constant 1.
// RAW-LABEL: func.func @train_step(
// RAW: nn.constant dense<1.000000e+00> : tensor<f32>
