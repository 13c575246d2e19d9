//===- workspace.c - Temporary memory of generated code -----------*- C -*-===//
//
// Generated code allocates its temporaries through nnrt_hook_alloc with the
// context of the call. They come from one block owned by the context, used
// as a stack: a block's header records where the stack stood before it, and
// freeing the topmost live block pops it together with every freed block
// below it. What does not fit comes from the heap, and the peak of the call
// is remembered: when the call ends (nnrt_hook_leave) the block is regrown
// to that peak, so from the second call of a model on, entry points allocate
// nothing from the heap. The CPU performance work replaces the stack with a
// static memory plan computed by the compiler; the hooks stay.
//
//===----------------------------------------------------------------------===//

#include "context_impl.h"
#include "nnrt/nnrt_hooks.h"

#include <stdint.h>

/// Precedes every block, directly before the pointer handed out.
typedef struct block_header {
  size_t prev_top;  ///< workspace top before this block (arena blocks)
  size_t prev_last; ///< header offset of the block below (arena blocks)
  size_t size;      ///< bytes requested
  size_t freed;     ///< 1 once nnrt_hook_free released it (arena blocks)
  void *heap_start; ///< start of the heap allocation, NULL in the arena
} block_header;

#define NO_BLOCK SIZE_MAX

void nnrt_workspace_init(nnrt_workspace *ws) {
  ws->base = NULL;
  ws->capacity = 0;
  ws->top = 0;
  ws->last = NO_BLOCK;
  ws->heap_live = 0;
  ws->peak = 0;
  ws->status = NNRT_OK;
}

void nnrt_workspace_destroy(nnrt_workspace *ws) { nnrt_aligned_free(ws->base); }

static size_t align_up(size_t value, size_t alignment) {
  return (value + alignment - 1) & ~(alignment - 1);
}

static void note_peak(nnrt_workspace *ws, size_t extra) {
  size_t in_use = ws->top + ws->heap_live + extra;
  if (in_use > ws->peak)
    ws->peak = in_use;
}

void *nnrt_hook_alloc(nnrt_context *ctx, size_t alignment, size_t size) {
  nnrt_workspace *ws = &ctx->workspace;
  if (alignment < NNRT_DEFAULT_ALIGNMENT)
    alignment = NNRT_DEFAULT_ALIGNMENT;
  // Requests come from the compiler (powers of two); anything else, or a
  // size near SIZE_MAX (an overflowed size computation), fails cleanly.
  if ((alignment & (alignment - 1)) != 0 ||
      size > SIZE_MAX / 2 - 2 * alignment - sizeof(block_header)) {
    ws->status = NNRT_ERROR_OUT_OF_MEMORY;
    return NULL;
  }
  // Aligned as an address: the block itself is only NNRT_DEFAULT_ALIGNMENT
  // aligned.
  uintptr_t base = (uintptr_t)ws->base;
  size_t header_at =
      (size_t)(align_up(base + ws->top + sizeof(block_header), alignment) -
               base) -
      sizeof(block_header);
  size_t end = header_at + sizeof(block_header) + size;
  if (ws->base && end <= ws->capacity) {
    block_header *header = (block_header *)(ws->base + header_at);
    header->prev_top = ws->top;
    header->prev_last = ws->last;
    header->size = size;
    header->freed = 0;
    header->heap_start = NULL;
    ws->top = end;
    ws->last = header_at;
    note_peak(ws, 0);
    return header + 1;
  }
  // Too big for the block this call: the heap, with the header in front.
  size_t padded = align_up(sizeof(block_header), alignment);
  unsigned char *start = nnrt_aligned_alloc(alignment, padded + size);
  if (!start) {
    ws->status = NNRT_ERROR_OUT_OF_MEMORY;
    return NULL;
  }
  block_header *header = (block_header *)(start + padded) - 1;
  header->size = size;
  header->heap_start = start;
  // The arena would have needed this much more, alignment included.
  note_peak(ws, size + padded);
  ws->heap_live += size + padded;
  return start + padded;
}

void nnrt_hook_free(nnrt_context *ctx, void *ptr) {
  if (!ptr)
    return;
  nnrt_workspace *ws = &ctx->workspace;
  block_header *header = (block_header *)ptr - 1;
  if (header->heap_start) {
    ws->heap_live -=
        (size_t)((unsigned char *)ptr - (unsigned char *)header->heap_start) +
        header->size;
    nnrt_aligned_free(header->heap_start);
    return;
  }
  header->freed = 1;
  while (ws->last != NO_BLOCK) {
    block_header *top = (block_header *)(ws->base + ws->last);
    if (!top->freed)
      break;
    ws->top = top->prev_top;
    ws->last = top->prev_last;
  }
}

nnrt_status nnrt_hook_leave(nnrt_context *ctx) {
  nnrt_workspace *ws = &ctx->workspace;
  nnrt_status status = ws->status;
  // Generated code frees every temporary; a leftover (a compiler bug) must
  // not shrink later calls' room, so the stack is reset regardless.
  ws->top = 0;
  ws->last = NO_BLOCK;
  ws->status = NNRT_OK;
  if (ws->peak > ws->capacity) {
    size_t capacity = align_up(ws->peak, NNRT_DEFAULT_ALIGNMENT);
    unsigned char *base = nnrt_aligned_alloc(NNRT_DEFAULT_ALIGNMENT, capacity);
    // Without a bigger block the next call uses the heap again: slower,
    // still correct.
    if (base) {
      nnrt_aligned_free(ws->base);
      ws->base = base;
      ws->capacity = capacity;
    }
  }
  ws->peak = 0;
  if (status != NNRT_OK)
    return nnrt_context_set_error(ctx, status,
                                  "out of memory for temporary buffers");
  return NNRT_OK;
}
