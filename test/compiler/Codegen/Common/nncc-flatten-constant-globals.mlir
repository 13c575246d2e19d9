// RUN: nncc-opt %s --nncc-flatten-constant-globals | FileCheck %s

// A constant global of rank 3 becomes one-dimensional with the same data in
// the same order, and its read is viewed back in its shape. One-dimensional
// globals, mutable globals and globals without data stay as they are.
// CHECK: memref.global "private" constant @packed : memref<8xf32> = dense<[0.000000e+00, 1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00, 7.000000e+00]>
// CHECK: memref.global "private" constant @flat : memref<2xf32> = dense<[1.000000e+00, 2.000000e+00]>
// CHECK: memref.global "private" @state : memref<2x2xf32> = dense<0.000000e+00>
// CHECK: memref.global "private" @external : memref<2x2xf32>
memref.global "private" constant @packed : memref<2x2x2xf32> = dense<[[[0.0, 1.0], [2.0, 3.0]], [[4.0, 5.0], [6.0, 7.0]]]>
memref.global "private" constant @flat : memref<2xf32> = dense<[1.0, 2.0]>
memref.global "private" @state : memref<2x2xf32> = dense<0.0>
memref.global "private" @external : memref<2x2xf32>

// CHECK-LABEL: func.func @read
// CHECK: %[[FLAT:.*]] = memref.get_global @packed : memref<8xf32>
// CHECK: %[[VIEW:.*]] = memref.expand_shape %[[FLAT]] {{\[\[}}0, 1, 2]] output_shape [2, 2, 2] : memref<8xf32> into memref<2x2x2xf32>
// CHECK: memref.load %[[VIEW]]
// CHECK: memref.get_global @flat : memref<2xf32>
// CHECK: memref.get_global @state : memref<2x2xf32>
func.func @read(%i: index) -> (f32, f32, f32) {
  %p = memref.get_global @packed : memref<2x2x2xf32>
  %a = memref.load %p[%i, %i, %i] : memref<2x2x2xf32>
  %f = memref.get_global @flat : memref<2xf32>
  %b = memref.load %f[%i] : memref<2xf32>
  %s = memref.get_global @state : memref<2x2xf32>
  %c = memref.load %s[%i, %i] : memref<2x2xf32>
  return %a, %b, %c : f32, f32, f32
}
