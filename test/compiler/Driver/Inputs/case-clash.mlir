// Two entries whose names differ only in case: their header macros clash.
func.func @infer(%x: tensor<2xf32> {nn.input = "x"}) -> (tensor<2xf32> {nn.output = "y"}) attributes {nn.entry = #nn.entry<infer>} {
  return %x : tensor<2xf32>
}
func.func @INFER(%x: tensor<2xf32> {nn.input = "x"}) -> (tensor<2xf32> {nn.output = "y"}) attributes {nn.entry = #nn.entry<infer>} {
  return %x : tensor<2xf32>
}
