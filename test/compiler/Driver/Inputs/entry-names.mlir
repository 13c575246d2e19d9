// An entry whose C names collide with other parts of the API, depending on
// the model name (errors.mlir runs it with --name=M and --name=m).
func.func @NUM_STATES(%x: tensor<2xf32> {nn.input = "x"}) -> (tensor<2xf32> {nn.output = "y"}) attributes {nn.entry = #nn.entry<infer>} {
  return %x : tensor<2xf32>
}
func.func @ctx(%x: tensor<2xf32> {nn.input = "x"}) -> (tensor<2xf32> {nn.output = "y"}) attributes {nn.entry = #nn.entry<infer>} {
  return %x : tensor<2xf32>
}
