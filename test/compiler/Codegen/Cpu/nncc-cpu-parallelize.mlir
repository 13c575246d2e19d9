// RUN: nncc-opt %s --nncc-cpu-parallelize | FileCheck %s

// The outer forall becomes a call to the pool. The closure has one slot per
// buffer pointer (a, b), one per dynamic size (b's first dimension) and one
// per scalar (s, as its bits); constants are cloned into the body. The
// body runs iterations [begin, end) of the linearized 4 x 2 loop, inner
// dimension fastest, rebuilding the buffers from their pointers.
// CHECK-LABEL: func.func @tiles(
// CHECK-SAME: %[[CTX:[^:]*]]: !llvm.ptr {nn.context}, %[[A:[^:]*]]: memref<8x16xf32>, %[[B:[^:]*]]: memref<?x16xf32>, %[[S:[^:]*]]: f32)
// CHECK: %[[CLOSURE:.*]] = llvm.alloca %{{.*}} x i64
// CHECK-DAG: memref.extract_strided_metadata %[[A]]
// CHECK-DAG: %[[BBASE:.*]], %{{.*}}, %[[BSIZES:.*]]:2, %{{.*}}:2 = memref.extract_strided_metadata %[[B]]
// CHECK-DAG: memref.extract_aligned_pointer_as_index %[[BBASE]]
// CHECK-DAG: arith.index_castui %[[BSIZES]]#0
// CHECK-DAG: arith.bitcast %[[S]] : f32 to i32
// CHECK-DAG: llvm.getelementptr %[[CLOSURE]][3]
// CHECK: %[[BODY:.*]] = constant @tiles.parallel0
// CHECK: call @nnrt_parallel_for_chunks(%[[CTX]], %{{.*}}, %{{.*}}, %[[CLOSURE]], %[[BODY]])
// CHECK-NOT: scf.forall
// CHECK: return
// CHECK-LABEL: func.func private @tiles.parallel0(
// CHECK-SAME: %{{.*}}: !llvm.ptr, %[[BEGIN:.*]]: index, %[[END:.*]]: index, %{{.*}}: index)
// CHECK-DAG: builtin.unrealized_conversion_cast %{{.*}} : !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)> to memref<8x16xf32>
// CHECK-DAG: builtin.unrealized_conversion_cast %{{.*}} : !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)> to memref<?x16xf32>
// CHECK: scf.for %[[K:.*]] = %[[BEGIN]] to %[[END]]
// CHECK: arith.remui %[[K]]
// CHECK: arith.divui %[[K]]
// CHECK: memref.load
// CHECK: memref.store
func.func @tiles(%ctx: !llvm.ptr {nn.context}, %a: memref<8x16xf32>,
                 %b: memref<?x16xf32>, %s: f32) {
  %c0 = arith.constant 0 : index
  scf.forall (%i, %j) = (0, 0) to (8, 16) step (2, 8) {
    %n = memref.dim %b, %c0 : memref<?x16xf32>
    %v = memref.load %a[%i, %j] : memref<8x16xf32>
    %w = arith.addf %v, %s : f32
    %r = arith.remui %i, %n : index
    memref.store %w, %b[%r, %j] : memref<?x16xf32>
  }
  return
}

// A strided buffer (a subview, e.g. the column of tiles a loop writes)
// also passes its dynamic offset; the body rebuilds its descriptor with the
// offset and its static strides.
// CHECK-LABEL: func.func @strided(
// CHECK: %[[CLOSURE:.*]] = llvm.alloca %[[TWO:.*]] x i64
// CHECK: %[[BASE:.*]], %[[OFFSET:.*]], %{{.*}}:2, %{{.*}}:2 = memref.extract_strided_metadata %{{.*}} : memref<4x16xf32, strided<[16, 1], offset: ?>>
// CHECK: memref.extract_aligned_pointer_as_index %[[BASE]]
// CHECK: arith.index_castui %[[OFFSET]]
// CHECK: call @nnrt_parallel_for_chunks
// CHECK-LABEL: func.func private @strided.parallel0(
// CHECK: %[[PTR:.*]] = llvm.inttoptr
// CHECK: %[[OFF:.*]] = llvm.load
// CHECK: llvm.insertvalue %[[OFF]], %{{.*}}[2]
// CHECK: builtin.unrealized_conversion_cast %{{.*}} to memref<4x16xf32, strided<[16, 1], offset: ?>>
func.func @strided(%ctx: !llvm.ptr {nn.context}, %a: memref<8x16xf32>,
                   %i: index) {
  %one = arith.constant 1.0 : f32
  %c0 = arith.constant 0 : index
  %v = memref.subview %a[%i, 0] [4, 16] [1, 1]
      : memref<8x16xf32> to memref<4x16xf32, strided<[16, 1], offset: ?>>
  scf.forall (%j) in (4) {
    memref.store %one, %v[%j, %c0]
        : memref<4x16xf32, strided<[16, 1], offset: ?>>
  }
  return
}

// The buffers a body allocates (a column's packed panel) become views of a
// scratch buffer with one slice per thread: 64 + 128 bytes (each buffer on a
// cache line) times nnrt_context_num_threads, allocated before the call and
// freed after; the body's slice starts at its chunk times 192.
// CHECK-LABEL: func.func @scratch(
// CHECK-SAME: %[[CTX:[^:]*]]: !llvm.ptr {nn.context}
// CHECK: %[[THREADS:.*]] = call @nnrt_context_num_threads(%[[CTX]]) : (!llvm.ptr) -> i32
// CHECK: %[[T:.*]] = arith.index_castui %[[THREADS]] : i32 to index
// CHECK: %[[BYTES:.*]] = arith.muli %[[T]], %{{.*}}
// CHECK: %[[SCRATCH:.*]] = memref.alloc(%[[BYTES]]) {alignment = 64 : i64} : memref<?xi8>
// CHECK: call @nnrt_parallel_for_chunks
// CHECK-NEXT: memref.dealloc %[[SCRATCH]] : memref<?xi8>
// CHECK-LABEL: func.func private @scratch.parallel0(
// CHECK-SAME: %[[CHUNK:[^:]*]]: index)
// CHECK-NOT: memref.alloc
// CHECK: %[[C192:.*]] = arith.constant 192 : index
// CHECK: %[[SLICE:.*]] = arith.muli %[[CHUNK]], %[[C192]]
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[AT:.*]] = arith.addi %[[SLICE]], %[[C0]]
// CHECK: memref.view %{{.*}}[%[[AT]]][] : memref<?xi8> to memref<4xf32>
// CHECK: %[[C192B:.*]] = arith.constant 192 : index
// CHECK: %[[SLICE2:.*]] = arith.muli %[[CHUNK]], %[[C192B]]
// CHECK: %[[C64:.*]] = arith.constant 64 : index
// CHECK: %[[AT2:.*]] = arith.addi %[[SLICE2]], %[[C64]]
// CHECK: memref.view %{{.*}}[%[[AT2]]][] : memref<?xi8> to memref<8x4xf32>
// CHECK-NOT: memref.dealloc
// CHECK: return
func.func @scratch(%ctx: !llvm.ptr {nn.context}, %a: memref<4xf32>) {
  scf.forall (%i) in (4) {
    %t = memref.alloc() : memref<4xf32>
    memref.copy %a, %t : memref<4xf32> to memref<4xf32>
    memref.dealloc %t : memref<4xf32>
    %c0 = arith.constant 0 : index
    %c8 = arith.constant 8 : index
    %c1 = arith.constant 1 : index
    scf.for %j = %c0 to %c8 step %c1 {
      %u = memref.alloc() : memref<8x4xf32>
      memref.dealloc %u : memref<8x4xf32>
    }
  }
  return
}

// A body whose buffer has a dynamic size, or is not freed in the block that
// allocates it (its life is not one pass of that block), stays serial; so
// does every loop of a function without the context (no pool to call).
// CHECK-LABEL: func.func @allocates(
// CHECK: scf.forall
// CHECK: scf.forall
// CHECK-NOT: nnrt_parallel_for
// CHECK: return
func.func @allocates(%ctx: !llvm.ptr {nn.context}, %a: memref<4xf32>,
                     %n: index) {
  scf.forall (%i) in (4) {
    %t = memref.alloc(%n) : memref<?xf32>
    memref.dealloc %t : memref<?xf32>
  }
  scf.forall (%i) in (4) {
    %t = memref.alloc() : memref<4xf32>
    memref.copy %a, %t : memref<4xf32> to memref<4xf32>
  }
  return
}
// CHECK-LABEL: func.func @no_context(
// CHECK: scf.forall
// CHECK-NOT: nnrt_parallel_for
// CHECK: return
func.func @no_context(%a: memref<4xf32>) {
  %one = arith.constant 1.0 : f32
  scf.forall (%i) in (4) {
    memref.store %one, %a[%i] : memref<4xf32>
  }
  return
}

// One declaration of the pool's entry, with the body's type.
// CHECK: func.func private @nnrt_parallel_for_chunks(!llvm.ptr, i64, i64, !llvm.ptr, (!llvm.ptr, index, index, index) -> ())
