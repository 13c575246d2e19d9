// RUN: nncc-opt %s --split-input-file --convert-nn-to-linalg | FileCheck %s --implicit-check-not=nn.

// Every `?` is the batch: the size of the function's first dynamic
// argument, which sizes each new tensor.
// CHECK-LABEL: func @elementwise
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %c0
// CHECK: tensor.empty(%[[N]]) : tensor<?x4xf32>
// CHECK: linalg.generic
func.func @elementwise(%x: tensor<?x4xf32>, %b: tensor<4xf32>) -> tensor<?x4xf32> {
  %0 = nn.add %x, %b : tensor<?x4xf32>, tensor<4xf32> -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// A reshape through the flat tensor, expanded with the batch size.
// CHECK-LABEL: func @flatten
// CHECK: tensor.collapse_shape {{.*}} tensor<?x4x3xf32> into tensor<?xf32>
// CHECK: %[[N:.*]] = tensor.dim
// CHECK: tensor.expand_shape {{.*}} output_shape [%[[N]], 12] : tensor<?xf32> into tensor<?x12xf32>
func.func @flatten(%x: tensor<?x4x3xf32>) -> tensor<?x12xf32> {
  %0 = nn.reshape %x : tensor<?x4x3xf32> -> tensor<?x12xf32>
  return %0 : tensor<?x12xf32>
}

// -----

// nn.dim_size: the size as a float scalar.
// CHECK-LABEL: func @dim_size
// CHECK: %[[D:.*]] = tensor.dim %{{.*}}, %c0
// CHECK: %[[I:.*]] = arith.index_cast %[[D]] : index to i64
// CHECK: %[[F:.*]] = arith.sitofp %[[I]] : i64 to f32
// CHECK: tensor.from_elements %[[F]] : tensor<f32>
func.func @dim_size(%x: tensor<?x4xf32>) -> tensor<f32> {
  %0 = nn.dim_size %x {axis = 0 : i64} : tensor<?x4xf32> -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Train-mode batch norm's statistics divide by N * H * W, N at run time.
// CHECK-LABEL: func @batch_stats
// CHECK: %[[HW:.*]] = arith.constant 4.000000e+00 : f64
// CHECK: %[[N:.*]] = tensor.dim
// CHECK: %[[NI:.*]] = arith.index_cast %[[N]] : index to i64
// CHECK: %[[NF:.*]] = arith.sitofp %[[NI]] : i64 to f64
// CHECK: %[[COUNT:.*]] = arith.mulf %[[HW]], %[[NF]] : f64
// CHECK: arith.divf %{{.*}}, %[[COUNT]] : f64
func.func @batch_stats(%x: tensor<?x3x2x2xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<?x3x2x2xf32> {
  %0:3 = nn.batch_norm_train %x, %s, %b {epsilon = 1.0e-05 : f32} : tensor<?x3x2x2xf32>, tensor<3xf32>
  return %0#0 : tensor<?x3x2x2xf32>
}
