// The C API has no unsigned 8-bit tensors yet.
func.func @f(%x: tensor<4xui8>) -> tensor<4xui8> {
  return %x : tensor<4xui8>
}
