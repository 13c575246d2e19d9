// Dynamic shapes cannot be expressed in the generated C API.
func.func @infer(%x: tensor<?x4xf32> {nn.input = "x"}) -> (tensor<?x4xf32> {nn.output = "y"}) attributes {nn.entry = #nn.entry<infer>} {
  return %x : tensor<?x4xf32>
}
