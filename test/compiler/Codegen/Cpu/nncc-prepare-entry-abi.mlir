// RUN: nncc-opt %s --nncc-prepare-entry-abi | FileCheck %s

// Inputs are read-only; a value returned twice is copied once.
// CHECK-LABEL: func.func @model
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32> {bufferization.writable = false}, %{{.*}}: tensor<2xi64> {bufferization.writable = false}, %{{.*}}: index)
// CHECK: %[[R:.*]] = call @helper(%[[X]])
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<4xf32>
// CHECK: %[[COPY:.*]] = linalg.copy ins(%[[R]] : tensor<4xf32>) outs(%[[EMPTY]] : tensor<4xf32>)
// CHECK: return %[[R]], %[[COPY]], %[[X]]
func.func @model(%x: tensor<4xf32>, %y: tensor<2xi64>, %n: index) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %r = call @helper(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %r, %r, %x : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// Private helpers are called by compiled code, not by the application.
// CHECK-LABEL: func.func private @helper
// CHECK-SAME: (%{{.*}}: tensor<4xf32>) -> tensor<4xf32>
// CHECK-NOT: linalg.copy
func.func private @helper(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
