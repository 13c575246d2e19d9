// RUN: nncc-opt %s --nncc-prepare-entry-abi | FileCheck %s

// Every function moves into the nncc. namespace and takes the context
// first. An entry's tensor arguments (inputs and state) are read-only and
// record their types; results record theirs and are marked nn.result; a
// value returned twice is copied once.
// CHECK-LABEL: func.func @nncc.model
// CHECK-SAME: (%[[CTX:.*]]: !llvm.ptr {nn.context},
// CHECK-SAME: %[[X:.*]]: tensor<4xf32> {bufferization.writable = false, nn.abi_type = tensor<4xf32>, nn.input = "x"},
// CHECK-SAME: %{{.*}}: tensor<2xi64> {bufferization.writable = false, nn.abi_type = tensor<2xi64>, nn.input = "y"},
// CHECK-SAME: %{{.*}}: tensor<4xf32> {bufferization.writable = false, nn.abi_type = tensor<4xf32>, nn.state = @w})
// CHECK-SAME: -> (tensor<4xf32> {nn.abi_type = tensor<4xf32>, nn.output = "a", nn.result},
// CHECK: %[[R:.*]] = call @nncc.helper(%[[CTX]], %[[X]])
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<4xf32>
// CHECK: %[[COPY:.*]] = linalg.copy ins(%[[R]] : tensor<4xf32>) outs(%[[EMPTY]] : tensor<4xf32>)
// CHECK: return %[[R]], %[[COPY]], %[[X]]
nn.parameter @w = dense<1.0> : tensor<4xf32>
func.func @model(%x: tensor<4xf32> {nn.input = "x"}, %y: tensor<2xi64> {nn.input = "y"}, %w: tensor<4xf32> {nn.state = @w})
    -> (tensor<4xf32> {nn.output = "a"}, tensor<4xf32> {nn.output = "b"}, tensor<4xf32> {nn.output = "c"})
    attributes {nn.entry = #nn.entry<infer>} {
  %r = call @helper(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %r, %r, %x : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// Private helpers get the context too, and nothing else changes.
// CHECK-LABEL: func.func private @nncc.helper
// CHECK-SAME: (%{{.*}}: !llvm.ptr {nn.context}, %{{.*}}: tensor<4xf32>) -> tensor<4xf32>
// CHECK-NOT: linalg.copy
func.func private @helper(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
