// A train_step entry named save: its C function would be m_save, which the
// model file (a stand-in here) gives the API as well.
module attributes {nncc.model_file = dense<[1, 2, 3, 4, 5, 6, 7, 8]> : tensor<8xi8>} {
  nn.parameter @w = dense<[1.0, 2.0]> : tensor<2xf32> {nncc.file_offset = 0 : i64}
  func.func @save(%x: tensor<2xf32> {nn.input = "x"}, %w: tensor<2xf32> {nn.state = @w})
      -> (tensor<2xf32> {nn.state = @w}) attributes {nn.entry = #nn.entry<train_step>} {
    %0 = nn.add %x, %w : tensor<2xf32>, tensor<2xf32> -> tensor<2xf32>
    return %0 : tensor<2xf32>
  }
}
