// RUN: nncc-opt %s --pass-pipeline="builtin.module(func.func(nncc-cpu-tile-and-vectorize{vector-width=256}),cse,canonicalize)" --mlir-print-elementsattrs-with-hex-if-larger=-1 | FileCheck %s

// A matmul with a constant B [K, N] (a layer's weights) reads it in packed
// panels: B becomes the constant Bp[N / w, K, w] with w the register tile's
// width (16 here: 4x16 tiles with AVX2), Bp[nb, k, nt] = B[k, nb * w + nt],
// and the product a contraction C[m, nb, nt] += A[m, k] * Bp[nb, k, nt],
// viewed back as [M, N]. Here B[k, n] = 100 k + n: panel 0 holds B[0, 0..15]
// then B[1, 0..15], panel 1 starts at B[0, 16]. The relu consuming the
// product is expanded to [4, 4, 16] and stays its epilogue; the zero fill
// becomes the K loop's initial vector. The product is small (512
// multiply-adds), so its rows of tiles stay on the calling thread.
// CHECK-LABEL: func.func @dense_constant
// CHECK-DAG: %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : vector<4x16xf32>
// CHECK-DAG: %[[PANELS:.*]] = arith.constant dense<{{\[\[\[}}0.000000e+00, 1.000000e+00, {{.*}}, 1.500000e+01], [1.000000e+02, {{.*}}, 1.150000e+02]], {{\[\[}}1.600000e+01, {{.*}}]]]> : tensor<4x2x16xf32>
// CHECK-NOT: scf.forall
// CHECK: scf.for %{{.*}} iter_args(%{{.*}} = %[[ZERO]])
// CHECK: vector.transfer_read %[[PANELS]]
// CHECK: vector.contract {{.*}} into vector<4x16xf32>
// CHECK: arith.maximumf %{{.*}} : vector<4x16xf32>
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2]] : tensor<4x4x16xf32> into tensor<4x64xf32>
func.func @dense_constant(%x: tensor<4x2xf32>) -> tensor<4x64xf32> {
  %w = arith.constant dense<[
    [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0, 32.0, 33.0, 34.0, 35.0, 36.0, 37.0, 38.0, 39.0, 40.0, 41.0, 42.0, 43.0, 44.0, 45.0, 46.0, 47.0, 48.0, 49.0, 50.0, 51.0, 52.0, 53.0, 54.0, 55.0, 56.0, 57.0, 58.0, 59.0, 60.0, 61.0, 62.0, 63.0],
    [100.0, 101.0, 102.0, 103.0, 104.0, 105.0, 106.0, 107.0, 108.0, 109.0, 110.0, 111.0, 112.0, 113.0, 114.0, 115.0, 116.0, 117.0, 118.0, 119.0, 120.0, 121.0, 122.0, 123.0, 124.0, 125.0, 126.0, 127.0, 128.0, 129.0, 130.0, 131.0, 132.0, 133.0, 134.0, 135.0, 136.0, 137.0, 138.0, 139.0, 140.0, 141.0, 142.0, 143.0, 144.0, 145.0, 146.0, 147.0, 148.0, 149.0, 150.0, 151.0, 152.0, 153.0, 154.0, 155.0, 156.0, 157.0, 158.0, 159.0, 160.0, 161.0, 162.0, 163.0]]> : tensor<2x64xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x64xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<4x64xf32>) -> tensor<4x64xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<4x2xf32>, tensor<2x64xf32>) outs(%fill : tensor<4x64xf32>) -> tensor<4x64xf32>
  %relu = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%mm : tensor<4x64xf32>) outs(%e : tensor<4x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<4x64xf32>
  return %relu : tensor<4x64xf32>
}

// A B that is not a constant is read where it is.
// CHECK-LABEL: func.func @dense_argument
// CHECK-NOT: tensor<4x2x16xf32>
// CHECK: vector.contract
func.func @dense_argument(%x: tensor<4x2xf32>, %w: tensor<2x64xf32>, %c: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %mm = linalg.matmul ins(%x, %w : tensor<4x2xf32>, tensor<2x64xf32>) outs(%c : tensor<4x64xf32>) -> tensor<4x64xf32>
  return %mm : tensor<4x64xf32>
}

// An N the panels do not divide (a classifier's 1000) is padded with zero
// columns: N = 40 becomes three panels of 16, the last holding B[k, 32..39]
// and eight zeros, and the product's [4, 48] is sliced back to [4, 40]. The
// accumulator starts from the bias broadcast padded to [4, 48] (a broadcast
// of a [40] bias cannot be split into panels of 16).
// CHECK-LABEL: func.func @dense_padded
// CHECK-DAG: %[[PANELS:.*]] = arith.constant dense<{{.*}}{{\[\[}}3.200000e+01, {{.*}}, 3.900000e+01, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00], [1.320000e+02, {{.*}}, 1.390000e+02, 0.000000e+00, {{.*}}]]]> : tensor<3x2x16xf32>
// CHECK: tensor.pad %{{.*}} low[0, 0] high[0, 8]
// CHECK: vector.transfer_read %[[PANELS]]
// CHECK: vector.contract {{.*}} into vector<4x16xf32>
// CHECK: %[[WIDE:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2]] : tensor<4x3x16xf32> into tensor<4x48xf32>
// CHECK: tensor.extract_slice %[[WIDE]][0, 0] [4, 40] [1, 1] : tensor<4x48xf32> to tensor<4x40xf32>
func.func @dense_padded(%x: tensor<4x2xf32>, %b: tensor<40xf32>) -> tensor<4x40xf32> {
  %w = arith.constant dense<[
    [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0, 32.0, 33.0, 34.0, 35.0, 36.0, 37.0, 38.0, 39.0],
    [100.0, 101.0, 102.0, 103.0, 104.0, 105.0, 106.0, 107.0, 108.0, 109.0, 110.0, 111.0, 112.0, 113.0, 114.0, 115.0, 116.0, 117.0, 118.0, 119.0, 120.0, 121.0, 122.0, 123.0, 124.0, 125.0, 126.0, 127.0, 128.0, 129.0, 130.0, 131.0, 132.0, 133.0, 134.0, 135.0, 136.0, 137.0, 138.0, 139.0]]> : tensor<2x40xf32>
  %e = tensor.empty() : tensor<4x40xf32>
  %init = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%b : tensor<40xf32>) outs(%e : tensor<4x40xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<4x40xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<4x2xf32>, tensor<2x40xf32>) outs(%init : tensor<4x40xf32>) -> tensor<4x40xf32>
  return %mm : tensor<4x40xf32>
}
