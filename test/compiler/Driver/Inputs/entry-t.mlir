// An entry named t: with --name=size its C function would be size_t.
func.func @t(%x: tensor<2xf32> {nn.input = "x"}) -> (tensor<2xf32> {nn.output = "y"}) attributes {nn.entry = #nn.entry<infer>} {
  return %x : tensor<2xf32>
}
