//===- ParallelAbi.h - how generated code calls the thread pool -*- C++ -*-===//
//
// The libnnrt call that runs a parallel loop (nnrt/parallel.h). The CPU
// parallelization pass emits it; the object emitter finds the loop bodies
// by it (they are kept whole, see ObjectEmitter.cpp). Free of MLIR and LLVM
// headers so that both sides can include it.
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_COMPILER_CODEGEN_CPU_PARALLELABI_H
#define NNCC_COMPILER_CODEGEN_CPU_PARALLELABI_H

namespace nncc {

/// nnrt_parallel_for_chunks(ctx, n, grain, closure, body): the body is told
/// its chunk, which indexes the per-thread scratch buffers.
inline constexpr char kParallelForFunction[] = "nnrt_parallel_for_chunks";
/// The position of the body among its arguments.
inline constexpr unsigned kParallelForBodyArgument = 4;

} // namespace nncc

#endif // NNCC_COMPILER_CODEGEN_CPU_PARALLELABI_H
