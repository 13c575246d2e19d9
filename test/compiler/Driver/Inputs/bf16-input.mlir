// The C API has no bf16 tensors (runtime/include/nnrt/dtypes.def).
func.func @infer(%x: tensor<4xbf16> {nn.input = "x"}) -> (tensor<4xbf16> {nn.output = "y"}) attributes {nn.entry = #nn.entry<infer>} {
  return %x : tensor<4xbf16>
}
