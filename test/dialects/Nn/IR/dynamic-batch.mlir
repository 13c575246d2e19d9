// RUN: nncc-opt %s -split-input-file -verify-diagnostics | FileCheck %s
// RUN: nncc-opt %s -split-input-file -verify-diagnostics --canonicalize | FileCheck %s --check-prefix=FOLD

// The dynamic batch (`?`) passes through the ops; a reshape keeps it a
// dimension of its own, with as many elements before and after it.
// CHECK-LABEL: func @layers
func.func @layers(%x: tensor<?x1x8x8xf32>, %w: tensor<4x1x3x3xf32>, %fc: tensor<144x10xf32>) -> tensor<?x10xf32> {
  // CHECK: nn.conv2d {{.*}} -> tensor<?x4x6x6xf32>
  %c = nn.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : tensor<?x1x8x8xf32>, tensor<4x1x3x3xf32> -> tensor<?x4x6x6xf32>
  %r = nn.relu %c : tensor<?x4x6x6xf32>
  // CHECK: nn.reshape {{.*}} : tensor<?x4x6x6xf32> -> tensor<?x144xf32>
  %f = nn.reshape %r : tensor<?x4x6x6xf32> -> tensor<?x144xf32>
  // CHECK: nn.matmul {{.*}} -> tensor<?x10xf32>
  %y = nn.matmul %f, %fc : tensor<?x144xf32>, tensor<144x10xf32> -> tensor<?x10xf32>
  return %y : tensor<?x10xf32>
}

// -----

// nn.dim_size is the batch size at run time; a static size folds.
// FOLD-LABEL: func @sizes
func.func @sizes(%x: tensor<?x4xf32>) -> (tensor<f32>, tensor<f32>) {
  // FOLD-DAG: %[[FOUR:.*]] = nn.constant dense<4.000000e+00> : tensor<f32>
  // FOLD-DAG: %[[N:.*]] = nn.dim_size %{{.*}} {axis = 0 : i64} : tensor<?x4xf32> -> tensor<f32>
  // FOLD: return %[[N]], %[[FOUR]]
  %n = nn.dim_size %x {axis = 0 : i64} : tensor<?x4xf32> -> tensor<f32>
  %k = nn.dim_size %x {axis = 1 : i64} : tensor<?x4xf32> -> tensor<f32>
  return %n, %k : tensor<f32>, tensor<f32>
}

// -----

func.func @reshape_merges_batch(%x: tensor<?x4xf32>) {
  // expected-error @+1 {{'nn.reshape' op cannot reshape 'tensor<?x4xf32>' to 'tensor<?xf32>': a reshape keeps the batch (`?`) apart, with as many elements before and after it}}
  %0 = nn.reshape %x : tensor<?x4xf32> -> tensor<?xf32>
  return
}

// -----

func.func @reshape_to_static(%x: tensor<?x4xf32>) {
  // expected-error @+1 {{'nn.reshape' op cannot reshape 'tensor<?x4xf32>' to 'tensor<2x4xf32>'}}
  %0 = nn.reshape %x : tensor<?x4xf32> -> tensor<2x4xf32>
  return
}

// -----

func.func @pad_batch(%x: tensor<?x4xf32>) {
  // expected-error @+2 {{cannot pad dimension 0 of 'tensor<?x4xf32>', the batch}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.pad %x {high = array<i64: 1, 0>, low = array<i64: 0, 0>, mode = "constant", value = 0.0 : f64} : tensor<?x4xf32> -> tensor<?x4xf32>
  return
}

// -----

func.func @concat_batch(%x: tensor<?x4xf32>) {
  // expected-error @+2 {{cannot concatenate along axis 0 of 'tensor<?x4xf32>', the batch}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.concat %x, %x {axis = 0 : i64} : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<?x4xf32>
  return
}

// -----

func.func @slice_batch(%x: tensor<?x4xf32>) {
  // expected-error @+1 {{'nn.slice' op dimension 0 (the batch) of 'tensor<?x4xf32>' can only be taken whole}}
  %0 = nn.slice %x {starts = array<i64: 1, 0>, steps = array<i64: 1, 1>} : tensor<?x4xf32> -> tensor<?x4xf32>
  return
}

// -----

func.func @gather_batch(%x: tensor<?x4xf32>, %i: tensor<2xi64>) {
  // expected-error @+2 {{cannot gather along axis 0 of 'tensor<?x4xf32>', the batch}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.gather %x, %i {axis = 0 : i64} : tensor<?x4xf32>, tensor<2xi64> -> tensor<2x4xf32>
  return
}

// -----

func.func @dim_size_axis(%x: tensor<?x4xf32>) {
  // expected-error @+1 {{'nn.dim_size' op axis 2 is out of range for rank 2}}
  %0 = nn.dim_size %x {axis = 2 : i64} : tensor<?x4xf32> -> tensor<f32>
  return
}
