// RUN: nncc-opt %s --nncc-mark-readonly-inputs | FileCheck %s

// CHECK-LABEL: func.func @model
// CHECK-SAME: (%{{.*}}: tensor<4xf32> {bufferization.writable = false}, %{{.*}}: tensor<2xi64> {bufferization.writable = false}, %{{.*}}: index)
func.func @model(%x: tensor<4xf32>, %y: tensor<2xi64>, %n: index) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// Private helpers are called by compiled code, not by the application.
// CHECK-LABEL: func.func private @helper
// CHECK-SAME: (%{{.*}}: tensor<4xf32>) -> tensor<4xf32>
func.func private @helper(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
