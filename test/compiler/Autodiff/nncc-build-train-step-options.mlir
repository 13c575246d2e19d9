// RUN: nncc-opt %s --split-input-file --nncc-build-train-step="optimizer=adam trainable=fc2.*" --canonicalize --cse | FileCheck %s --check-prefix=FREEZE
// RUN: nncc-opt %s --split-input-file --nncc-build-train-step="optimizer=adamw lr-schedule=cosine lr-period=100 warmup-steps=10 clip-grad-norm=1.5" --canonicalize --cse | FileCheck %s --check-prefix=OPT

// Two layers; only the second trains (--trainable=fc2.*): the backward pass
// stops at fc2's input, so nothing of fc1's gradient is built (one layer of
// backward), and fc1 gets no optimizer state and no update.
nn.parameter @fc1.w = dense<0.5> : tensor<3x4xf32>
nn.parameter @fc2.w = dense<0.25> : tensor<4x2xf32>
func.func @infer(%x: tensor<5x3xf32> {nn.input = "x"},
                 %w1: tensor<3x4xf32> {nn.state = @fc1.w},
                 %w2: tensor<4x2xf32> {nn.state = @fc2.w})
    -> (tensor<5x2xf32> {nn.output = "y"})
    attributes {nn.entry = #nn.entry<infer>} {
  %0 = nn.matmul %x, %w1 : tensor<5x3xf32>, tensor<3x4xf32> -> tensor<5x4xf32>
  %1 = nn.tanh %0 : tensor<5x4xf32>
  %2 = nn.matmul %1, %w2 : tensor<5x4xf32>, tensor<4x2xf32> -> tensor<5x2xf32>
  return %2 : tensor<5x2xf32>
}

// FREEZE-NOT: nn.parameter @"nncc:adam_m:fc1.w"
// FREEZE: nn.parameter @"nncc:adam_m:fc2.w"
// FREEZE-LABEL: func.func @train_step(
// FREEZE-SAME: -> (tensor<f32> {nn.output = "loss"}, tensor<4x2xf32> {nn.state = @fc2.w}, tensor<4x2xf32> {nn.state = @"nncc:adam_m:fc2.w"}, tensor<4x2xf32> {nn.state = @"nncc:adam_v:fc2.w"}, tensor<i64> {nn.state = @"nncc:step"})
// FREEZE: nn.tanh
// FREEZE: nn.log_softmax
// The only matmul of the backward pass is fc2's weight gradient, and no
// gradient flows into the tanh (its derivative would need a mul by 1 - y^2).
// FREEZE: nn.transpose
// FREEZE-NEXT: nn.matmul
// FREEZE-NOT: nn.matmul
// FREEZE-NOT: nn.tanh
// FREEZE: nn.adam_update {{.*}} {beta1 = 9.000000e-01 : f64, beta2 = 0.99899999999999999 : f64, decoupled = false, eps = 1.000000e-08 : f64, weight_decay = 0.000000e+00 : f64}
// FREEZE-NOT: nn.adam_update
// FREEZE-LABEL: func.func @eval(

// AdamW's default decoupled decay 0.01, the cosine schedule with warm-up
// from the step counter, clipping by the global norm of both gradients.
// OPT-LABEL: func.func @train_step(
// OPT-SAME: %[[LR:[^:]*]]: tensor<f32> {nn.state = @"nncc:learning_rate"}, %[[STEP:[^:]*]]: tensor<i64> {nn.state = @"nncc:step"})
// OPT: %[[SQ1:.*]] = nn.reduce_sum {{.*}} : tensor<3x4xf32> -> tensor<f32>
// OPT: %[[SQ2:.*]] = nn.reduce_sum {{.*}} : tensor<4x2xf32> -> tensor<f32>
// OPT: %[[TOTAL:.*]] = nn.sum %[[SQ1]], %[[SQ2]] : tensor<f32>
// OPT: %[[COEF:.*]] = nn.clip_coefficient %[[TOTAL]] {max_norm = 1.500000e+00 : f64}
// OPT: %[[RATE:.*]] = nn.lr_schedule %[[LR]], %[[STEP]] {gamma = 1.000000e-01 : f64, min_lr = 0.000000e+00 : f64, period = 100 : i64, schedule = #nn.lr_schedule<cosine>, warmup = 10 : i64}
// OPT: nn.adam_update {{.*}}, %[[RATE]] {beta1 = 9.000000e-01 : f64, beta2 = 0.99899999999999999 : f64, decoupled = true, eps = 1.000000e-08 : f64, weight_decay = 1.000000e-02 : f64}
