//===- context_impl.h - the layout of nnrt_context ----------------*- C -*-===//
//
// Private to libnnrt: the context's fields, shared by context.c (creation,
// errors, argument checks, model state), workspace.c (temporary memory of
// generated code), onnx_io.c and checkpoint.c (saving and loading the state),
// parallel.c (the thread pool).
//
//===----------------------------------------------------------------------===//

#ifndef NNRT_SRC_CONTEXT_IMPL_H
#define NNRT_SRC_CONTEXT_IMPL_H

#include "nnrt/nnrt.h"

/// Size of the last-error buffer, terminator included. Fixed so that
/// recording an error never allocates: it is often reported precisely when
/// memory has run out.
#define NNRT_ERROR_BUFFER_SIZE 256

/// One piece of model state (a parameter): two buffers, so that an entry
/// point writing a new value reads the old one undisturbed.
typedef struct nnrt_state {
  const nnrt_tensor_info *info;
  void *current;
  void *next;
} nnrt_state;

/// A stack of temporary buffers in one block (see workspace.c). `offset` of
/// the last live block is kept so that frees in any order pop what they can.
typedef struct nnrt_workspace {
  unsigned char *base;
  size_t capacity;
  size_t top;         ///< bytes in use, from base
  size_t last;        ///< offset of the last block's header, or SIZE_MAX
  size_t heap_live;   ///< bytes of live blocks that did not fit
  size_t peak;        ///< most bytes in use at once in this call
  nnrt_status status; ///< NNRT_ERROR_OUT_OF_MEMORY after a failed alloc
  struct block_header *heap_blocks; ///< live blocks that did not fit
} nnrt_workspace;

/// A context's worker threads (see parallel.c).
typedef struct nnrt_pool nnrt_pool;

struct nnrt_context {
  int32_t num_threads;
  /// 1 when the pool's workers are pinned to cores (NNRT_PIN_THREADS).
  int pin_workers;
  /// 1 once the first split loop tried to start the workers; `pool` is then
  /// the result, NULL if even its memory could not be had.
  int pool_started;
  /// 1 while a split loop runs, so that loops nested in its bodies run inline.
  int in_parallel_loop;
  nnrt_pool *pool;
  char last_error[NNRT_ERROR_BUFFER_SIZE];
  size_t num_states;
  nnrt_state *states;
  nnrt_workspace workspace;
};

/// The size in bytes of a state's buffers: `num_elements` elements of its
/// dtype. Creation allocated exactly this much, so it cannot overflow here.
static inline size_t nnrt_state_size(const nnrt_tensor_info *info) {
  return (size_t)info->num_elements * nnrt_dtype_size(info->dtype);
}

/// Checks that `ctx` holds the `num_states` states of the model whose state
/// table is `state_infos`, as every hook called with a model's table must:
/// the typed API cannot mix models up, but the packed entries and casts can,
/// and the state index of another model would read past this context's.
/// Records "<entry>: the context was created by another model's create
/// function" and returns NNRT_ERROR_INVALID_ARGUMENT when it does not.
nnrt_status nnrt_check_model(nnrt_context *ctx, const char *entry,
                             const nnrt_tensor_info *state_infos,
                             size_t num_states);

/// Asks the workers of `pool` to exit, joins them and frees the pool. NULL is
/// a no-op.
void nnrt_pool_destroy(nnrt_pool *pool);

/// Initializes an empty workspace.
/// A context-owned block of `size` bytes (the workspace), from
/// nnrt_aligned_alloc, NNRT_DEFAULT_ALIGNMENT-aligned at least; large ones
/// are backed by huge pages where the system allows. Freed with
/// nnrt_aligned_free.
void *nnrt_alloc_block(size_t size);

void nnrt_workspace_init(nnrt_workspace *ws);
/// Releases the workspace's block.
void nnrt_workspace_destroy(nnrt_workspace *ws);
/// The most nnrt_hook_alloc adds to a buffer of NNRT_DEFAULT_ALIGNMENT in the
/// workspace: its header and the padding before it.
size_t nnrt_workspace_overhead(void);
/// Makes the workspace an arena of at least `bytes` bytes, unless it is
/// already, and touches its pages; 0 when the block cannot be had.
int nnrt_workspace_reserve(nnrt_workspace *ws, size_t bytes);

#endif // NNRT_SRC_CONTEXT_IMPL_H
