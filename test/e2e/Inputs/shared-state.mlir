// Two entry functions sharing one parameter: `infer` reads @w, `update`
// (a train step) writes @w + delta. Written by hand, as training is not
// there yet; shared_state.c runs it.
nn.parameter @w = dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
// A parameter no entry writes: stays as initialized.
nn.parameter @"fc.bias" = dense<[0.5, -0.5, 0.25]> : tensor<3xf32>

func.func @infer(%x: tensor<1x2xf32> {nn.input = "x"},
                 %w: tensor<2x3xf32> {nn.state = @w},
                 %b: tensor<3xf32> {nn.state = @"fc.bias"})
    -> (tensor<1x3xf32> {nn.output = "y"})
    attributes {nn.entry = #nn.entry<infer>} {
  %0 = nn.matmul %x, %w : tensor<1x2xf32>, tensor<2x3xf32> -> tensor<1x3xf32>
  %1 = nn.add %0, %b : tensor<1x3xf32>, tensor<3xf32> -> tensor<1x3xf32>
  return %1 : tensor<1x3xf32>
}

// The new value reads the old one in a matmul (w' = w + delta^T delta w):
// reading and writing one buffer would give a wrong answer.
func.func @update(%delta: tensor<2x2xf32> {nn.input = "delta"},
                  %w: tensor<2x3xf32> {nn.state = @w})
    -> (tensor<2x3xf32> {nn.state = @w}, tensor<2x3xf32> {nn.output = "old_w"})
    attributes {nn.entry = #nn.entry<train_step>} {
  %0 = nn.matmul %delta, %w : tensor<2x2xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
  %1 = nn.add %w, %0 : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
  return %1, %w : tensor<2x3xf32>, tensor<2x3xf32>
}
