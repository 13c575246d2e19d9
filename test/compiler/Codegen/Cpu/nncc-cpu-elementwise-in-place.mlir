// RUN: nncc-opt %s --pass-pipeline="builtin.module(func.func(nncc-cpu-tile-and-vectorize{vector-width=512}),cse,canonicalize)" | FileCheck %s

// An elementwise op that reads a tensor for the last time computes into it
// (computeIntoDeadInputs): the residual add after the second product writes
// the first one's relu output, its shortcut, which no later op reads. The
// tiles of the second product (its epilogue the root) then run over that
// tensor instead of a new one: after bufferization one buffer and one
// stream of memory fewer.
// CHECK-LABEL: func.func @shortcut
// CHECK: %[[R:.*]] = scf.forall {{.*}} shared_outs(%{{.*}} = %expanded
// CHECK: scf.forall {{.*}} shared_outs(%{{.*}} = %[[R]])
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @shortcut(%x: tensor<64x128xf32>) -> tensor<64x128xf32> {
  %zero = arith.constant 0.0 : f32
  %w1 = arith.constant dense<0.5> : tensor<128x128xf32>
  %w2 = arith.constant dense<0.25> : tensor<128x128xf32>
  %e = tensor.empty() : tensor<64x128xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<64x128xf32>) -> tensor<64x128xf32>
  %m1 = linalg.matmul ins(%x, %w1 : tensor<64x128xf32>, tensor<128x128xf32>) outs(%f : tensor<64x128xf32>) -> tensor<64x128xf32>
  %e1 = tensor.empty() : tensor<64x128xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%m1 : tensor<64x128xf32>) outs(%e1 : tensor<64x128xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<64x128xf32>
  %e2 = tensor.empty() : tensor<64x128xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<64x128xf32>) -> tensor<64x128xf32>
  %m2 = linalg.matmul ins(%r, %w2 : tensor<64x128xf32>, tensor<128x128xf32>) outs(%f2 : tensor<64x128xf32>) -> tensor<64x128xf32>
  %e3 = tensor.empty() : tensor<64x128xf32>
  %c = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%m2, %r : tensor<64x128xf32>, tensor<64x128xf32>) outs(%e3 : tensor<64x128xf32>) {
  ^bb0(%in: f32, %in2: f32, %out: f32):
    %s = arith.addf %in, %in2 : f32
    linalg.yield %s : f32
  } -> tensor<64x128xf32>
  return %c : tensor<64x128xf32>
}

// Never into the caller's input (a function argument), nor into a tensor
// that is read again after the op (here returned too).
// CHECK-LABEL: func.func @argument
// CHECK: scf.forall {{.*}} shared_outs(%{{.*}} = %expanded
// CHECK: scf.forall {{.*}} shared_outs(%{{.*}} = %expanded
// CHECK-LABEL: func.func @read_later
// CHECK: scf.forall {{.*}} shared_outs(%{{.*}} = %expanded
// CHECK: scf.forall {{.*}} shared_outs(%{{.*}} = %expanded
func.func @argument(%x: tensor<64x128xf32>, %x2: tensor<64x128xf32>) -> tensor<64x128xf32> {
  %zero = arith.constant 0.0 : f32
  %w1 = arith.constant dense<0.5> : tensor<128x128xf32>
  %w2 = arith.constant dense<0.25> : tensor<128x128xf32>
  %e = tensor.empty() : tensor<64x128xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<64x128xf32>) -> tensor<64x128xf32>
  %m1 = linalg.matmul ins(%x, %w1 : tensor<64x128xf32>, tensor<128x128xf32>) outs(%f : tensor<64x128xf32>) -> tensor<64x128xf32>
  %e1 = tensor.empty() : tensor<64x128xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%m1 : tensor<64x128xf32>) outs(%e1 : tensor<64x128xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<64x128xf32>
  %e2 = tensor.empty() : tensor<64x128xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<64x128xf32>) -> tensor<64x128xf32>
  %m2 = linalg.matmul ins(%r, %w2 : tensor<64x128xf32>, tensor<128x128xf32>) outs(%f2 : tensor<64x128xf32>) -> tensor<64x128xf32>
  %e3 = tensor.empty() : tensor<64x128xf32>
  %c = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%m2, %x2 : tensor<64x128xf32>, tensor<64x128xf32>) outs(%e3 : tensor<64x128xf32>) {
  ^bb0(%in: f32, %in2: f32, %out: f32):
    %s = arith.addf %in, %in2 : f32
    linalg.yield %s : f32
  } -> tensor<64x128xf32>
  return %c : tensor<64x128xf32>
}
func.func @read_later(%x: tensor<64x128xf32>) -> (tensor<64x128xf32>, tensor<64x128xf32>) {
  %zero = arith.constant 0.0 : f32
  %w1 = arith.constant dense<0.5> : tensor<128x128xf32>
  %w2 = arith.constant dense<0.25> : tensor<128x128xf32>
  %e = tensor.empty() : tensor<64x128xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<64x128xf32>) -> tensor<64x128xf32>
  %m1 = linalg.matmul ins(%x, %w1 : tensor<64x128xf32>, tensor<128x128xf32>) outs(%f : tensor<64x128xf32>) -> tensor<64x128xf32>
  %e1 = tensor.empty() : tensor<64x128xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%m1 : tensor<64x128xf32>) outs(%e1 : tensor<64x128xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<64x128xf32>
  %e2 = tensor.empty() : tensor<64x128xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<64x128xf32>) -> tensor<64x128xf32>
  %m2 = linalg.matmul ins(%r, %w2 : tensor<64x128xf32>, tensor<128x128xf32>) outs(%f2 : tensor<64x128xf32>) -> tensor<64x128xf32>
  %e3 = tensor.empty() : tensor<64x128xf32>
  %c = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%m2, %r : tensor<64x128xf32>, tensor<64x128xf32>) outs(%e3 : tensor<64x128xf32>) {
  ^bb0(%in: f32, %in2: f32, %out: f32):
    %s = arith.addf %in, %in2 : f32
    linalg.yield %s : f32
  } -> tensor<64x128xf32>
  return %c, %r : tensor<64x128xf32>, tensor<64x128xf32>
}
