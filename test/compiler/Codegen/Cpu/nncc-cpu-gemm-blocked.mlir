// RUN: nncc-opt %s --pass-pipeline="builtin.module(func.func(nncc-cpu-tile-and-vectorize{vector-width=256}),cse,canonicalize)" --mlir-elide-elementsattrs-if-larger=16 | FileCheck %s

// A product whose constant B (1024 x 320: 1.3 MB) exceeds
// CpuMachine::cacheBytes and whose A (2048 x 1024: 8 MiB) reaches
// CpuMachine::packedAMinBytes is blocked for the caches after GotoBLAS
// (ContractionTiling.cpp, tilePackedBlocked). B is packed into panels of 16
// columns. The product runs over [512, 4, 20, 16] (micro-panel of A, its
// row, panel, its column): tasks of 64 micro-panels by all 20 panels (the
// threads' loop, 8 tasks); in each task K in blocks of 512 (a 32 KiB piece
// of a panel, CpuMachine::gemmKBlockBytes), and in each block first the
// task's rows of A copied into micro-panels of the register tile's 4 rows,
// [64, 512, 4] (8 K steps by 4 rows at a time, a vector transpose), then
// the panels, then the micro-panels. The 4x16 register tile starts as zeros
// in the first block (no fill of C) and is loaded in the others, and stored
// after each block's 512 K steps.
// CHECK-LABEL: func.func @gemm_blocked
// CHECK-DAG: %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : vector<4x16xf32>
// CHECK-DAG: %[[C512:.*]] = arith.constant 512 : index
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK-DAG: %[[C20:.*]] = arith.constant 20 : index
// CHECK-DAG: %[[C1024:.*]] = arith.constant 1024 : index
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-NOT: linalg.fill
// CHECK: %[[ROWS:.*]] = tensor.expand_shape %arg0 {{\[\[}}0, 1], [2]] output_shape [512, 4, 1024]
// CHECK: %[[C:.*]] = scf.forall (%[[MO:.*]]) = (0) to (512) step (64) {{.*}} -> (tensor<512x4x20x16xf32>)
// CHECK: scf.for %[[KB:.*]] = %{{.*}} to %[[C1024]] step %[[C512]]
// CHECK: tensor.empty() : tensor<64x512x4xf32>
// CHECK: %[[AP:.*]] = scf.for {{.*}} -> (tensor<64x512x4xf32>)
// CHECK: vector.transfer_read %[[ROWS]]{{.*}} : tensor<512x4x1024xf32>, vector<1x4x8xf32>
// CHECK: vector.transpose {{.*}} : vector<1x4x8xf32> to vector<1x8x4xf32>
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[C20]] step
// CHECK: scf.for %[[MP:.*]] = %{{.*}} to %[[C64]] step
// CHECK: %[[FIRST:.*]] = arith.cmpi eq, %[[KB]], %[[C0]]
// CHECK: scf.if %[[FIRST]] -> (vector<4x16xf32>)
// CHECK-NEXT: scf.yield %[[ZERO]]
// CHECK-NEXT: } else {
// CHECK-NEXT: vector.transfer_read {{.*}} : tensor<4x16xf32>, vector<4x16xf32>
// CHECK: scf.for %[[K:.*]] = %{{.*}} to %[[C512]] step {{.*}} -> (vector<4x16xf32>)
// CHECK: vector.transfer_read %[[AP]][%[[MP]], %[[K]], %{{.*}}], %{{.*}} : tensor<64x512x4xf32>, vector<1x4xf32>
// CHECK: vector.contract {{.*}} : vector<1x4xf32>, vector<1x16xf32> into vector<4x16xf32>
// CHECK: vector.transfer_write {{.*}} : vector<4x16xf32>, tensor<4x16xf32>
// CHECK: tensor.collapse_shape %[[C]] {{\[\[}}0, 1], [2, 3]] : tensor<512x4x20x16xf32> into tensor<2048x320xf32>
func.func @gemm_blocked(%x: tensor<2048x1024xf32>) -> tensor<2048x320xf32> {
  %w = arith.constant dense<1.0> : tensor<1024x320xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2048x320xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<2048x320xf32>) -> tensor<2048x320xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<2048x1024xf32>, tensor<1024x320xf32>) outs(%fill : tensor<2048x320xf32>) -> tensor<2048x320xf32>
  return %mm : tensor<2048x320xf32>
}

// One row of micro-panels less (A 2044 x 1024, just under 8 MiB): A stays
// in place and B's panels are the parallel loop, each streaming all of A.
// CHECK-LABEL: func.func @gemm_a_in_cache
// CHECK-NOT: tensor<511x1024x4xf32>
// CHECK-NOT: linalg.fill
// CHECK: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (20, 2044) step (1, 4)
// CHECK: vector.contract {{.*}} into vector<4x16xf32>
func.func @gemm_a_in_cache(%x: tensor<2044x1024xf32>) -> tensor<2044x320xf32> {
  %w = arith.constant dense<1.0> : tensor<1024x320xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2044x320xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<2044x320xf32>) -> tensor<2044x320xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<2044x1024xf32>, tensor<1024x320xf32>) outs(%fill : tensor<2044x320xf32>) -> tensor<2044x320xf32>
  return %mm : tensor<2044x320xf32>
}
