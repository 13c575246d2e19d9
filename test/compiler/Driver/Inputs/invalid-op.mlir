// Parses, but the softmax axis is out of range.
func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.softmax %x {axis = 5} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
