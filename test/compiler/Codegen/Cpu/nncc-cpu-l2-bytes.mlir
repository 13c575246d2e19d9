// RUN: nncc-opt %s --pass-pipeline="builtin.module(func.func(nncc-cpu-tile-and-vectorize{vector-width=256}),cse,canonicalize)" | FileCheck %s --check-prefix=XEON
// RUN: nncc-opt %s --pass-pipeline="builtin.module(func.func(nncc-cpu-tile-and-vectorize{vector-width=256 l2-bytes=524288}),cse,canonicalize)" | FileCheck %s --check-prefix=ZEN3
// RUN: nncc-opt %s --pass-pipeline="builtin.module(func.func(nncc-cpu-tile-and-vectorize{vector-width=512 l2-bytes=1048576}),cse,canonicalize)" | FileCheck %s --check-prefix=ZEN5

// The order of a contraction's tiles follows the target's L2 (l2-bytes,
// from --mcpu: the host's for native, 2 MiB otherwise). The MLP's first
// layer: B (784 x 256, packed in panels of the tile's width) is 800 KB, A
// 200 KB. A fits half of any of these L2s, so the panels go outermost (the
// scf.forall), each read by every row of tiles; a panel (784 x 16 or 32
// floats) is larger than the 32 KiB kept in L1, so each runs its rows of
// tiles over blocks of K (392 or 196 steps), the accumulators carried in
// the output from block to block after a loop that fills them.
// XEON-LABEL: func.func @mlp_layer
// XEON: scf.forall (%{{.*}}) in (16)
// XEON: scf.for %{{.*}} = %c0 to %c784 step %c392
// XEON-NEXT: scf.for %{{.*}} = %c0 to %c64 step %c4
// XEON: vector.contract {{.*}} into vector<4x16xf32>
// ZEN3-LABEL: func.func @mlp_layer
// ZEN3: scf.forall (%{{.*}}) in (16)
// ZEN3: scf.for %{{.*}} = %c0 to %c784 step %c392
// ZEN5-LABEL: func.func @mlp_layer
// ZEN5: scf.forall (%{{.*}}) in (8)
// ZEN5: scf.for %{{.*}} = %c0 to %c784 step %c196
// ZEN5-NEXT: scf.for %{{.*}} = %c0 to %c64 step %c8
// ZEN5: vector.contract {{.*}} into vector<8x32xf32>
func.func @mlp_layer(%a: tensor<64x784xf32>) -> tensor<64x256xf32> {
  %zero = arith.constant 0.0 : f32
  %b = arith.constant dense<0.5> : tensor<784x256xf32>
  %e = tensor.empty() : tensor<64x256xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<64x256xf32>) -> tensor<64x256xf32>
  %c = linalg.matmul ins(%a, %b : tensor<64x784xf32>, tensor<784x256xf32>) outs(%fill : tensor<64x256xf32>) -> tensor<64x256xf32>
  return %c : tensor<64x256xf32>
}

// 512^3: B is 1 MiB, and so is A, which every panel would read again.
// With a 2 MiB L2 A fits half of it: panels first (a panel of 512 x 16
// floats, 32 KiB, fits L1 whole: no K blocks). With a 512 KiB L2 (the Zen
// 3) rows first (columns first took 1.27x the time there). With a 1 MiB L2
// (the Zen 4 and 5) B fills all of it: columns first, 16 panels of 32
// (0.85x the time on the Zen 5, in panels of 64).
// XEON-LABEL: func.func @square
// XEON: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (32, 512) step (1, 4)
// ZEN3-LABEL: func.func @square
// ZEN3: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (512, 32) step (4, 1)
// ZEN5-LABEL: func.func @square
// ZEN5: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (16, 512) step (1, 8)
// ZEN5: vector.contract {{.*}} into vector<8x32xf32>
func.func @square(%a: tensor<512x512xf32>) -> tensor<512x512xf32> {
  %zero = arith.constant 0.0 : f32
  %b = arith.constant dense<0.5> : tensor<512x512xf32>
  %e = tensor.empty() : tensor<512x512xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<512x512xf32>) -> tensor<512x512xf32>
  %c = linalg.matmul ins(%a, %b : tensor<512x512xf32>, tensor<512x512xf32>) outs(%fill : tensor<512x512xf32>) -> tensor<512x512xf32>
  return %c : tensor<512x512xf32>
}
