// RUN: nncc-opt %s --pass-pipeline="builtin.module(func.func(nncc-cpu-tile-and-vectorize{vector-width=256}),cse,canonicalize)" | FileCheck %s --check-prefix=XEON
// RUN: nncc-opt %s --pass-pipeline="builtin.module(func.func(nncc-cpu-tile-and-vectorize{vector-width=256 l2-bytes=524288}),cse,canonicalize)" | FileCheck %s --check-prefix=ZEN3
// RUN: nncc-opt %s --pass-pipeline="builtin.module(func.func(nncc-cpu-tile-and-vectorize{vector-width=512 l2-bytes=1048576}),cse,canonicalize)" | FileCheck %s --check-prefix=ZEN5

// The order of a contraction's tiles follows the target's L2 (l2-bytes,
// from --mcpu: the host's for native, 2 MiB otherwise). The MLP's first
// layer: B (784 x 256, packed in 16 panels of 16 columns) is 800 KB, A 200
// KB. Within half of a 2 MiB L2 every row of tiles reads all of B from
// cache, so the rows are the outer loop of the scf.forall. With 512 KiB
// (the Zen 3) B does not fit half of it but A does: the panels go
// outermost, each read by every row while A stays in L2.
// XEON-LABEL: func.func @mlp_layer
// XEON: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (64, 16) step (4, 1)
// XEON: vector.contract {{.*}} into vector<4x16xf32>
// ZEN3-LABEL: func.func @mlp_layer
// ZEN3: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (16, 64) step (1, 4)
// ZEN3: vector.contract {{.*}} into vector<4x16xf32>
func.func @mlp_layer(%a: tensor<64x784xf32>) -> tensor<64x256xf32> {
  %zero = arith.constant 0.0 : f32
  %b = arith.constant dense<0.5> : tensor<784x256xf32>
  %e = tensor.empty() : tensor<64x256xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<64x256xf32>) -> tensor<64x256xf32>
  %c = linalg.matmul ins(%a, %b : tensor<64x784xf32>, tensor<784x256xf32>) outs(%fill : tensor<64x256xf32>) -> tensor<64x256xf32>
  return %c : tensor<64x256xf32>
}

// 512^3: B is 1 MiB, but so is A, which would be read again for every
// column from beyond L2: rows first with a 2 MiB or a 512 KiB L2 (columns
// first took 1.27x the time on the Zen 3). With a 1 MiB L2 (the Zen 4 and
// 5) B fills all of it: columns first, 8 panels of 64 (0.85x the time on
// the Zen 5).
// XEON-LABEL: func.func @square
// XEON: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (512, 32) step (4, 1)
// ZEN3-LABEL: func.func @square
// ZEN3: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (512, 32) step (4, 1)
// ZEN5-LABEL: func.func @square
// ZEN5: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (8, 512) step (1, 4)
// ZEN5: vector.contract {{.*}} into vector<4x64xf32>
func.func @square(%a: tensor<512x512xf32>) -> tensor<512x512xf32> {
  %zero = arith.constant 0.0 : f32
  %b = arith.constant dense<0.5> : tensor<512x512xf32>
  %e = tensor.empty() : tensor<512x512xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<512x512xf32>) -> tensor<512x512xf32>
  %c = linalg.matmul ins(%a, %b : tensor<512x512xf32>, tensor<512x512xf32>) outs(%fill : tensor<512x512xf32>) -> tensor<512x512xf32>
  return %c : tensor<512x512xf32>
}
