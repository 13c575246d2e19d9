// RUN: nncc-opt %s --nncc-pads-in-place | FileCheck %s
// RUN: nncc-opt %s --nncc-pads-in-place --one-shot-bufferize="bufferize-function-boundaries" --cse --canonicalize | FileCheck %s --check-prefix=BUF

#map = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// A relu computed into an empty tensor, then padded by one pixel: the
// padded tensor's border is filled (a top and a bottom row, a left and a
// right column between them), the relu computes into its interior slice, and
// the result is inserted back where it was taken from.
// CHECK-LABEL: func.func @generic
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x2x6x6xf32>
// CHECK: %[[TOP:.*]] = tensor.extract_slice %[[E]][0, 0, 0, 0] [1, 2, 1, 6] [1, 1, 1, 1]
// CHECK: %[[TOPF:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[TOP]] : tensor<1x2x1x6xf32>)
// CHECK: %[[P1:.*]] = tensor.insert_slice %[[TOPF]] into %[[E]][0, 0, 0, 0] [1, 2, 1, 6] [1, 1, 1, 1]
// CHECK: %[[BOTTOM:.*]] = tensor.extract_slice %[[P1]][0, 0, 5, 0] [1, 2, 1, 6] [1, 1, 1, 1]
// CHECK: linalg.fill
// CHECK: %[[P2:.*]] = tensor.insert_slice %{{.*}} into %[[P1]][0, 0, 5, 0] [1, 2, 1, 6] [1, 1, 1, 1]
// CHECK: tensor.extract_slice %[[P2]][0, 0, 1, 0] [1, 2, 4, 1] [1, 1, 1, 1]
// CHECK: linalg.fill
// CHECK: %[[P3:.*]] = tensor.insert_slice %{{.*}} into %[[P2]][0, 0, 1, 0] [1, 2, 4, 1] [1, 1, 1, 1]
// CHECK: tensor.extract_slice %[[P3]][0, 0, 1, 5] [1, 2, 4, 1] [1, 1, 1, 1]
// CHECK: linalg.fill
// CHECK: %[[P4:.*]] = tensor.insert_slice %{{.*}} into %[[P3]][0, 0, 1, 5] [1, 2, 4, 1] [1, 1, 1, 1]
// CHECK: %[[INTERIOR:.*]] = tensor.extract_slice %[[P4]][0, 0, 1, 1] [1, 2, 4, 4] [1, 1, 1, 1]
// CHECK: %[[RELU:.*]] = linalg.generic {{.*}} outs(%[[INTERIOR]] : tensor<1x2x4x4xf32>)
// CHECK-NOT: tensor.pad
// CHECK: %[[Y:.*]] = tensor.insert_slice %[[RELU]] into %[[P4]][0, 0, 1, 1] [1, 2, 4, 4] [1, 1, 1, 1]
// CHECK: return %[[Y]]
// Bufferized (the copies of a slice into itself folded, as the pipeline's
// canonicalization after bufferization does): one buffer, its border
// filled, the relu written into its interior, no copy.
// BUF-LABEL: func.func @generic
// BUF: %[[BUF:.*]] = memref.alloc() {{.*}} : memref<1x2x6x6xf32>
// BUF-NOT: memref.alloc
// BUF-NOT: memref.copy
// BUF: %[[IN:.*]] = memref.subview %[[BUF]][0, 0, 1, 1] [1, 2, 4, 4] [1, 1, 1, 1]
// BUF: linalg.generic {{.*}} outs(%[[IN]] :
// BUF-NOT: memref.copy
// BUF: return %[[BUF]]
func.func @generic(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x6x6xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2x4x4xf32>
  %relu = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x2x4x4xf32>) outs(%e : tensor<1x2x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x2x4x4xf32>
  %p = tensor.pad %relu low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x2x4x4xf32> to tensor<1x2x6x6xf32>
  return %p : tensor<1x2x6x6xf32>
}

// The tiled form: an scf.forall whose shared output was the empty tensor
// computes into the interior slice; a pad only at the high end fills that
// slab alone.
// CHECK-LABEL: func.func @forall
// CHECK: %[[E:.*]] = tensor.empty() : tensor<4x10xf32>
// CHECK: tensor.extract_slice %[[E]][0, 8] [4, 2] [1, 1]
// CHECK: %[[F:.*]] = linalg.fill
// CHECK: %[[P:.*]] = tensor.insert_slice %[[F]] into %[[E]][0, 8] [4, 2] [1, 1]
// CHECK: %[[INTERIOR:.*]] = tensor.extract_slice %[[P]][0, 0] [4, 8] [1, 1]
// CHECK: %[[R:.*]] = scf.forall (%{{.*}}) in (4) shared_outs(%{{.*}} = %[[INTERIOR]])
// CHECK: tensor.insert_slice %[[R]] into %[[P]][0, 0] [4, 8] [1, 1]
// BUF-LABEL: func.func @forall
// BUF: %[[BUF:.*]] = memref.alloc() {{.*}} : memref<4x10xf32>
// BUF-NOT: memref.alloc
// BUF: scf.forall
// BUF: return %[[BUF]]
func.func @forall(%x: tensor<4x8xf32>) -> tensor<4x10xf32> {
  %one = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<4x8xf32>
  %r = scf.forall (%i) in (4) shared_outs(%out = %e) -> (tensor<4x8xf32>) {
    %row = tensor.extract_slice %x[%i, 0] [1, 8] [1, 1] : tensor<4x8xf32> to tensor<1x8xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %row into %out[%i, 0] [1, 8] [1, 1] : tensor<1x8xf32> into tensor<4x8xf32>
    }
  }
  %p = tensor.pad %r low[0, 0] high[0, 2] {
  ^bb0(%i: index, %j: index):
    tensor.yield %one : f32
  } : tensor<4x8xf32> to tensor<4x10xf32>
  return %p : tensor<4x10xf32>
}

// Left as they are: a pad of an argument (nothing computes it), and a pad
// of a value computed into a filled tensor (its init is read).
// CHECK-LABEL: func.func @kept
// CHECK: tensor.pad %arg0
// CHECK: tensor.pad %{{.*}} low[1]
func.func @kept(%x: tensor<4xf32>) -> (tensor<6xf32>, tensor<6xf32>) {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[1] high[1] {
  ^bb0(%i: index):
    tensor.yield %zero : f32
  } : tensor<4xf32> to tensor<6xf32>
  %e = tensor.empty() : tensor<4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<4xf32>) outs(%f : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %a = arith.addf %in, %out : f32
    linalg.yield %a : f32
  } -> tensor<4xf32>
  %q = tensor.pad %s low[1] high[1] {
  ^bb0(%i: index):
    tensor.yield %zero : f32
  } : tensor<4xf32> to tensor<6xf32>
  return %p, %q : tensor<6xf32>, tensor<6xf32>
}

// A max pooling's gradient, computed as [N, C, OH, KH, OW, KW] and padded
// as the [N, C, H, W] it collapses to: the computation's init is the
// padded tensor's interior expanded back to six dimensions. A reader of the
// collapsed value after the pad (here the second result) reads the padded
// tensor's interior: read from its own buffer, bufferization had computed
// the gradient there and copied it into the padded one.
// CHECK-LABEL: func.func @collapsed
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x1x6x6xf32>
// CHECK: %[[P:.*]] = tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 1, 5] [1, 1, 4, 1] [1, 1, 1, 1]
// CHECK: %[[S:.*]] = tensor.extract_slice %[[P]][0, 0, 1, 1] [1, 1, 4, 4] [1, 1, 1, 1]
// CHECK: %[[X:.*]] = tensor.expand_shape %[[S]] {{\[\[}}0], [1], [2, 3], [4, 5]] output_shape [1, 1, 2, 2, 2, 2]
// CHECK: %[[G:.*]] = linalg.generic {{.*}} outs(%[[X]] : tensor<1x1x2x2x2x2xf32>)
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[G]]
// CHECK: %[[Y:.*]] = tensor.insert_slice %[[C]] into %[[P]][0, 0, 1, 1] [1, 1, 4, 4] [1, 1, 1, 1]
// CHECK: %[[R:.*]] = tensor.extract_slice %[[Y]][0, 0, 1, 1] [1, 1, 4, 4] [1, 1, 1, 1]
// CHECK: return %[[Y]], %[[R]]
// BUF-LABEL: func.func @collapsed
// BUF: %[[BUF:.*]] = memref.alloc() {{.*}} : memref<1x1x6x6xf32>
// BUF-NOT: memref.alloc
// BUF-NOT: memref.copy
// BUF: return %[[BUF]]
func.func @collapsed(%x: tensor<1x1x2x2x2x2xf32>) -> (tensor<1x1x6x6xf32>, tensor<1x1x4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x1x2x2x2x2xf32>
  %g = linalg.generic {indexing_maps = [affine_map<(a, b, c, d, e, f) -> (a, b, c, d, e, f)>, affine_map<(a, b, c, d, e, f) -> (a, b, c, d, e, f)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x1x2x2x2x2xf32>) outs(%e : tensor<1x1x2x2x2x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x1x2x2x2x2xf32>
  %c = tensor.collapse_shape %g [[0], [1], [2, 3], [4, 5]] : tensor<1x1x2x2x2x2xf32> into tensor<1x1x4x4xf32>
  %p = tensor.pad %c low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x1x4x4xf32> to tensor<1x1x6x6xf32>
  return %p, %c : tensor<1x1x6x6xf32>, tensor<1x1x4x4xf32>
}
