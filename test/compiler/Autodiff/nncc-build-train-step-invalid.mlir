// RUN: nncc-opt %s --split-input-file --nncc-build-train-step --verify-diagnostics

// expected-error @+1 {{--train needs an infer entry (nn.entry = #nn.entry<infer>)}}
module {
  func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
    return %x : tensor<2xf32>
  }
}

// -----

nn.parameter @w = dense<0.5> : tensor<2x2xf32>
// expected-error @+1 {{--train needs a model with one output (the prediction the loss compares with the labels); this one has 2}}
func.func @infer(%x: tensor<3x2xf32> {nn.input = "x"},
                 %w: tensor<2x2xf32> {nn.state = @w})
    -> (tensor<3x2xf32> {nn.output = "a"}, tensor<3x2xf32> {nn.output = "b"})
    attributes {nn.entry = #nn.entry<infer>} {
  %0 = nn.matmul %x, %w : tensor<3x2xf32>, tensor<2x2xf32> -> tensor<3x2xf32>
  return %0, %x : tensor<3x2xf32>, tensor<3x2xf32>
}

// -----

nn.parameter @w = dense<0.5> : tensor<2xf32>
// expected-error @+1 {{--loss=cross_entropy: cross_entropy needs a [batch, classes] prediction, got 'tensor<3x2x2xf32>'}}
func.func @infer(%x: tensor<3x2x2xf32> {nn.input = "x"},
                 %w: tensor<2xf32> {nn.state = @w})
    -> (tensor<3x2x2xf32> {nn.output = "y"})
    attributes {nn.entry = #nn.entry<infer>} {
  %0 = nn.mul %x, %w : tensor<3x2x2xf32>, tensor<2xf32> -> tensor<3x2x2xf32>
  return %0 : tensor<3x2x2xf32>
}

// -----

// expected-error @+1 {{nothing to train: the model has no trainable float parameter (are its weights initializers?)}}
func.func @infer(%x: tensor<3x2xf32> {nn.input = "x"})
    -> (tensor<3x2xf32> {nn.output = "y"})
    attributes {nn.entry = #nn.entry<infer>} {
  %0 = nn.relu %x : tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// A symbol of the training step's own state already exists.
// expected-error @+1 {{the model already has a symbol named 'nncc:step', which the training step needs}}
module {
  nn.parameter @w = dense<0.5> : tensor<2x2xf32>
  nn.parameter @"nncc:step" = dense<0.5> : tensor<2xf32>
  func.func @infer(%x: tensor<3x2xf32> {nn.input = "x"},
                   %w: tensor<2x2xf32> {nn.state = @w})
      -> (tensor<3x2xf32> {nn.output = "y"})
      attributes {nn.entry = #nn.entry<infer>} {
    %0 = nn.matmul %x, %w : tensor<3x2xf32>, tensor<2x2xf32> -> tensor<3x2xf32>
    return %0 : tensor<3x2xf32>
  }
}

// -----

nn.parameter @w = dense<0.5> : tensor<2x2xf32>
func.func @infer(%x: tensor<3x2xf32> {nn.input = "x"},
                 %w: tensor<2x2xf32> {nn.state = @w})
    -> (tensor<3x2xf32> {nn.output = "y"})
    attributes {nn.entry = #nn.entry<infer>} {
  // expected-error @+1 {{cannot differentiate 'nn.relu_grad': it has no gradient rule (VJPOpInterface)}}
  %0 = nn.relu_grad %w, %w : tensor<2x2xf32>
  %1 = nn.matmul %x, %0 : tensor<3x2xf32>, tensor<2x2xf32> -> tensor<3x2xf32>
  return %1 : tensor<3x2xf32>
}

// -----

nn.parameter @s = dense<1.0> : tensor<2xf32>
nn.parameter @b = dense<0.0> : tensor<2xf32>
nn.parameter @m = dense<0.0> : tensor<2xf32>
nn.parameter @v = dense<1.0> : tensor<2xf32>
func.func @infer(%x: tensor<3x2xf32> {nn.input = "x"},
                 %s: tensor<2xf32> {nn.state = @s},
                 %b: tensor<2xf32> {nn.state = @b},
                 %m: tensor<2xf32> {nn.state = @m},
                 %v: tensor<2xf32> {nn.state = @v})
    -> (tensor<3x2xf32> {nn.output = "y"})
    attributes {nn.entry = #nn.entry<infer>} {
  %0 = nn.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-5 : f32, momentum = 0.9 : f32} : tensor<3x2xf32>, tensor<2xf32>
  // expected-error @+1 {{parameter 'm' is the running statistic of two batch normalizations; a train step would update it twice}}
  %1 = nn.batch_norm %0, %s, %b, %m, %v {epsilon = 1.0e-5 : f32, momentum = 0.9 : f32} : tensor<3x2xf32>, tensor<2xf32>
  return %1 : tensor<3x2xf32>
}
