// A 3x3 convolution whose im2col product (180 x 3136 for B) has 49 columns
// of 64-wide tiles with AVX-512: the columns are the parallel loop, each
// thread packing its column's 180 x 64 panel into its own scratch (20
// channels do not split into blocks of whole vectors, and rounded up to 32
// would cost too much: no blocked layout).
func.func @infer(%x: tensor<1x20x58x58xf32> {nn.input = "input"}) -> (tensor<1x64x56x56xf32> {nn.output = "output"}) attributes {nn.entry = #nn.entry<infer>} {
  %w = nn.constant dense<0.01> : tensor<64x20x3x3xf32>
  %b = nn.constant dense<0.5> : tensor<64xf32>
  %0 = nn.conv2d %x, %w, %b {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : tensor<1x20x58x58xf32>, tensor<64x20x3x3xf32>, tensor<64xf32> -> tensor<1x64x56x56xf32>
  return %0 : tensor<1x64x56x56xf32>
}
