// Tensor names that are fine C identifiers but mean something else in the
// header or in what it includes: types, macros, keywords of C and C++,
// reserved spellings, the runtime's and the model's prefixes.
func.func @infer(%a: tensor<2xf32> {nn.input = "int64_t"},
                 %b: tensor<2xi64> {nn.input = "labels"},
                 %c: tensor<2xf32> {nn.input = "NULL"},
                 %d: tensor<2xf32> {nn.input = "_Generic"},
                 %e: tensor<2xf32> {nn.input = "private"},
                 %f: tensor<2xf32> {nn.input = "PN_NUM_INPUTS"},
                 %g: tensor<2xf32> {nn.input = "nnrt_status"},
                 %h: tensor<2xf32> {nn.input = "pn_ctx"},
                 %i: tensor<2xf32> {nn.input = "linux"},
                 %j: tensor<2xf32> {nn.input = "typeof"},
                 %k: tensor<2xf32> {nn.input = "complex"})
    -> (tensor<2xf32> {nn.output = "INT64_MAX"}, tensor<2xi64> {nn.output = "size_t"})
    attributes {nn.entry = #nn.entry<infer>} {
  %0 = nn.add %a, %c : tensor<2xf32>, tensor<2xf32> -> tensor<2xf32>
  return %0, %b : tensor<2xf32>, tensor<2xi64>
}
