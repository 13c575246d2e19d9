// Dynamic shapes cannot be expressed in the generated C API.
func.func @f(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  return %x : tensor<?x4xf32>
}
