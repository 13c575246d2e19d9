//===- parallel.h - parallel loops on a context's thread pool -----*- C -*-===//
//
// The parallel-for that nncc-generated code calls to run the iterations of an
// outer loop on several threads. Each nnrt_context owns a pool of
// nnrt_context_num_threads(ctx) - 1 worker threads; the thread that calls
// nnrt_parallel_for is the remaining one and runs a share of the work itself.
// Kept out of nnrt.h because applications do not need it to run a model; it
// is an ordinary public function all the same (a hand-written kernel that
// shares a model's context may call it).
//
// Threading rules: a context is used by one thread at a time, as everywhere
// in libnnrt, so two threads must not call nnrt_parallel_for (or any other
// function) on one context at once; separate contexts, each with its own
// pool, may be used from separate threads concurrently. Inside a loop body the
// context may be passed on to nested nnrt_parallel_for calls (which run
// inline), but nothing else may be done with it. A context whose workers have
// started must not be used in a child process after fork(): the child has no
// workers.
//
//===----------------------------------------------------------------------===//

#ifndef NNRT_PARALLEL_H
#define NNRT_PARALLEL_H

#include "nnrt/nnrt.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Body of a parallel loop: runs iterations [begin, end) of the loop;
/// `closure` is the caller's data, passed through unchanged. Chunks of one
/// loop run concurrently on different threads, so a body must only write
/// what its own iterations own.
typedef void (*nnrt_parallel_body)(void *closure, int64_t begin, int64_t end);

/// Runs `body` over the iterations [0, n), split into at most
/// nnrt_context_num_threads(ctx) contiguous chunks of about equal size, each
/// of at least `grain` iterations: with T threads (the context's count, or
/// fewer if the system refused some workers) there are c = min(T, n / grain)
/// chunks, and chunk i is [i * q + min(i, r), (i + 1) * q + min(i + 1, r))
/// with q = n / c and r = n % c, so sizes differ by at most one. The calling
/// thread runs chunk 0 and worker i chunk i, each a single call of `body`;
/// the call returns when every chunk is done, and everything the bodies
/// wrote is then visible to the caller.
///
/// The loop runs inline, as one call body(closure, 0, n) on the calling
/// thread, when `ctx` is NULL, when it has one thread, when n < 2 * grain
/// (too little work to share), and when it is called from inside a body of a
/// parallel loop running on the same context (nested loops run on the thread
/// that reached them instead of waiting for workers that are busy with the
/// outer loop). Nothing is called when n <= 0 or `body` is NULL; a `grain`
/// below 1 counts as 1.
///
/// The context's workers are started by the first call that splits a loop;
/// should the system refuse to create some of them, loops are split among
/// the threads that exist (down to running inline), so results are the
/// same, only slower. Later calls allocate nothing; they make system calls
/// only to wake workers that fell asleep (after about 0.2 ms without work)
/// and to yield the CPU while waiting for chunks that take long.
/// Workers block all signals, so signals sent to the process reach the
/// application's own threads.
void nnrt_parallel_for(nnrt_context *ctx, int64_t n, int64_t grain,
                       void *closure, nnrt_parallel_body body);

/// Body of a parallel loop that is also told which chunk it runs: `chunk`
/// is 0 for the calling thread's chunk (and for a loop run inline) and i for
/// worker i's, so it is below nnrt_context_num_threads(ctx), and no two
/// chunks of one loop share it. Scratch memory indexed by `chunk` (the
/// caller allocates num_threads slices before the loop) is thus private to
/// the chunk running it: nncc gives each thread its own panel buffers so.
typedef void (*nnrt_parallel_chunk_body)(void *closure, int64_t begin,
                                         int64_t end, int64_t chunk);

/// nnrt_parallel_for with a body that is passed its chunk index; the loop is
/// split, or run inline, exactly as there.
void nnrt_parallel_for_chunks(nnrt_context *ctx, int64_t n, int64_t grain,
                              void *closure, nnrt_parallel_chunk_body body);

#ifdef __cplusplus
} // extern "C"
#endif

#endif // NNRT_PARALLEL_H
