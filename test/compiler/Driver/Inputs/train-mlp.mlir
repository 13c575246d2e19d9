// A one-layer model with two parameters, for the training flags' tests.
nn.parameter @w = dense<0.5> : tensor<4x3xf32>
nn.parameter @b = dense<0.1> : tensor<3xf32>
func.func @infer(%x: tensor<2x4xf32> {nn.input = "x"},
                 %w: tensor<4x3xf32> {nn.state = @w},
                 %b: tensor<3xf32> {nn.state = @b})
    -> (tensor<2x3xf32> {nn.output = "y"})
    attributes {nn.entry = #nn.entry<infer>} {
  %0 = nn.matmul %x, %w : tensor<2x4xf32>, tensor<4x3xf32> -> tensor<2x3xf32>
  %1 = nn.add %0, %b : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}
