// A dynamic size in the C API is the batch, which an input's size gives:
// an output cannot have one of its own.
func.func @infer(%x: tensor<4xf32> {nn.input = "x"}) -> (tensor<?xf32> {nn.output = "y"}) attributes {nn.entry = #nn.entry<infer>} {
  %y = tensor.cast %x : tensor<4xf32> to tensor<?xf32>
  return %y : tensor<?xf32>
}
