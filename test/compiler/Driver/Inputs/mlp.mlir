// A two-layer perceptron in the nn dialect, used by the driver tests.
func.func @infer(%x: tensor<2x4xf32> {nn.input = "input"}) -> (tensor<2x3xf32> {nn.output = "scores"}) attributes {nn.entry = #nn.entry<infer>} {
  %w1 = nn.constant dense<0.5> : tensor<4x8xf32>
  %b1 = nn.constant dense<0.25> : tensor<8xf32>
  %w2 = nn.constant dense<[[1.0, 2.0, 3.0], [1.0, 2.0, 3.0], [1.0, 2.0, 3.0], [1.0, 2.0, 3.0], [1.0, 2.0, 3.0], [1.0, 2.0, 3.0], [1.0, 2.0, 3.0], [-1.0, -2.0, -3.0]]> : tensor<8x3xf32>
  %0 = nn.matmul %x, %w1 : tensor<2x4xf32>, tensor<4x8xf32> -> tensor<2x8xf32>
  %1 = nn.add %0, %b1 : tensor<2x8xf32>, tensor<8xf32> -> tensor<2x8xf32>
  %2 = nn.relu %1 : tensor<2x8xf32>
  %3 = nn.matmul %2, %w2 : tensor<2x8xf32>, tensor<8x3xf32> -> tensor<2x3xf32>
  return %3 : tensor<2x3xf32>
}
