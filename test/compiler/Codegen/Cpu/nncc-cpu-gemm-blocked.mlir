// RUN: nncc-opt %s --pass-pipeline="builtin.module(func.func(nncc-cpu-tile-and-vectorize{vector-width=256}),cse,canonicalize)" --mlir-elide-elementsattrs-if-larger=16 | FileCheck %s

// A product whose constant B (1024 x 320: 1.3 MB) exceeds
// CpuMachine::cacheBytes and whose A (2048 x 1024: 8 MiB) reaches
// CpuMachine::packedAMinBytes is blocked for the caches after GotoBLAS
// (ContractionTiling.cpp, tilePackedBlocked). A is copied into micro-panels
// of the register tile's 4 rows, Ap[512, 1024, 4]; B into panels of 16
// columns. The product runs over [512, 4, 20, 16] (micro-panel, its row,
// panel, its column): tasks of 128 micro-panels by 10 panels (the threads'
// loop, 8 tasks), the accumulators' fill fused into each; in each task K
// in blocks of 256 (a 16 KiB piece of a panel, CpuMachine::kBlockBytes),
// then the panels, then the micro-panels, and the 4x16 register tile
// loaded and stored around each block's 256 K steps.
// CHECK-LABEL: func.func @gemm_blocked
// CHECK-DAG: %[[C256:.*]] = arith.constant 256 : index
// CHECK-DAG: %[[C128:.*]] = arith.constant 128 : index
// CHECK-DAG: %[[C10:.*]] = arith.constant 10 : index
// CHECK-DAG: %[[C1024:.*]] = arith.constant 1024 : index
// CHECK: %[[ROWS:.*]] = tensor.expand_shape %arg0 {{\[\[}}0, 1], [2]] output_shape [512, 4, 1024]
// CHECK: %[[AP:.*]] = scf.forall {{.*}} -> (tensor<512x1024x4xf32>)
// CHECK: vector.transfer_read %[[ROWS]]
// CHECK: %[[C:.*]] = scf.forall (%[[MO:.*]], %{{.*}}) = (0, 0) to (512, 20) step (128, 10) {{.*}} -> (tensor<512x4x20x16xf32>)
// CHECK: linalg.fill {{.*}} -> tensor<128x4x10x16xf32>
// CHECK: scf.for %[[KB:.*]] = %{{.*}} to %[[C1024]] step %[[C256]]
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[C10]] step
// CHECK: scf.for %[[MP:.*]] = %{{.*}} to %[[C128]] step
// CHECK: vector.transfer_read {{.*}} : tensor<4x16xf32>, vector<4x16xf32>
// CHECK: scf.for %[[K:.*]] = %{{.*}} to %[[C256]] step {{.*}} -> (vector<4x16xf32>)
// CHECK: %[[ROW:.*]] = affine.apply #{{.*}}()[%[[MO]], %[[MP]]]
// CHECK: %[[KK:.*]] = affine.apply #{{.*}}()[%[[KB]], %[[K]]]
// CHECK: vector.transfer_read %[[AP]][%[[ROW]], %[[KK]], %{{.*}}], %{{.*}} : tensor<512x1024x4xf32>, vector<1x4xf32>
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
