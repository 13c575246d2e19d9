//===- workspace.c - Temporary memory of generated code -----------*- C -*-===//
//
// Generated code allocates its temporaries through nnrt_hook_alloc with the
// context of the call. They come from one block owned by the context, used
// as a stack: a block's header records where the stack stood before it, and
// freeing the topmost live block pops it together with every freed block
// below it. What does not fit comes from the heap, and the peak of the call
// is remembered: when the call ends (nnrt_hook_leave) the block is regrown
// to that peak, so after a first call or a few (frees out of stack order
// leave holes the stack does not reuse), repeated calls allocate nothing
// from the heap. The compiler's static memory plan (nncc-plan-workspace)
// makes most calls one allocation: a block holding every statically shaped
// temporary at a fixed offset.
//
//===----------------------------------------------------------------------===//

#include "context_impl.h"
#include "nnrt/nnrt_hooks.h"

#include <stdint.h>
#include <string.h>

/// Precedes every block, directly before the pointer handed out.
typedef struct block_header {
  size_t prev_top;  ///< workspace top before this block (arena blocks)
  size_t prev_last; ///< header offset of the block below (arena blocks)
  size_t size;      ///< bytes requested
  size_t freed;     ///< 1 once nnrt_hook_free released it (arena blocks)
  void *heap_start; ///< start of the heap allocation, NULL in the arena
  size_t heap_need; ///< what the block counts against the peak (heap blocks)
  /// Live heap blocks form a list, so that nnrt_hook_leave can release those
  /// a call left behind (it returns early after a failed allocation).
  struct block_header *prev_heap, *next_heap;
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
  ws->heap_blocks = NULL;
}

/// Releases every heap block still live.
static void free_heap_blocks(nnrt_workspace *ws) {
  while (ws->heap_blocks) {
    block_header *header = ws->heap_blocks;
    ws->heap_blocks = header->next_heap;
    nnrt_aligned_free(header->heap_start);
  }
  ws->heap_live = 0;
}

void nnrt_workspace_destroy(nnrt_workspace *ws) {
  free_heap_blocks(ws);
  nnrt_aligned_free(ws->base);
}

static size_t align_up(size_t value, size_t alignment) {
  return (value + alignment - 1) & ~(alignment - 1);
}

size_t nnrt_workspace_overhead(void) {
  return sizeof(block_header) + NNRT_DEFAULT_ALIGNMENT - 1;
}

/// Replaces the workspace's block with one of at least `bytes` bytes,
/// written through when `touch` is set; 0 (the old block kept) when it
/// cannot be had.
static int grow_block(nnrt_workspace *ws, size_t bytes, int touch) {
  size_t capacity = align_up(bytes, NNRT_DEFAULT_ALIGNMENT);
  unsigned char *base = nnrt_alloc_block(capacity);
  if (!base)
    return 0;
  if (touch)
    memset(base, 0, capacity);
  nnrt_aligned_free(ws->base);
  ws->base = base;
  ws->capacity = capacity;
  return 1;
}

int nnrt_workspace_reserve(nnrt_workspace *ws, size_t bytes) {
  // Every page written now, so that the first call does not fault them in
  // (on a virtual machine each fault costs microseconds: MobileNet-V2 at
  // batch 16 touched 99 MB of temporaries for ~0.2 s in its first calls).
  return bytes <= ws->capacity || grow_block(ws, bytes, 1);
}

static void note_peak(nnrt_workspace *ws, size_t extra) {
  size_t in_use = ws->top + ws->heap_live + extra;
  if (in_use > ws->peak)
    ws->peak = in_use;
}

/// A block from the heap, with its header in front, for a request the
/// arena cannot hold this call.
static void *alloc_from_heap(nnrt_workspace *ws, size_t alignment,
                             size_t size) {
  size_t padded = align_up(sizeof(block_header), alignment);
  unsigned char *start = nnrt_aligned_alloc(alignment, padded + size);
  if (!start) {
    ws->status = NNRT_ERROR_OUT_OF_MEMORY;
    return NULL;
  }
  block_header *header = (block_header *)(start + padded) - 1;
  header->size = size;
  header->heap_start = start;
  // The most the arena needs for this block wherever it lands: a header,
  // padding to the alignment, the data.
  header->heap_need = sizeof(block_header) + alignment - 1 + size;
  header->prev_heap = NULL;
  header->next_heap = ws->heap_blocks;
  if (ws->heap_blocks)
    ws->heap_blocks->prev_heap = header;
  ws->heap_blocks = header;
  note_peak(ws, header->heap_need);
  ws->heap_live += header->heap_need;
  return start + padded;
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
  if (!ws->base)
    return alloc_from_heap(ws, alignment, size);
  // Aligned as an address: the block itself is only NNRT_DEFAULT_ALIGNMENT
  // aligned.
  uintptr_t base = (uintptr_t)ws->base;
  size_t header_at =
      (size_t)(align_up(base + ws->top + sizeof(block_header), alignment) -
               base) -
      sizeof(block_header);
  size_t end = header_at + sizeof(block_header) + size;
  if (end > ws->capacity)
    return alloc_from_heap(ws, alignment, size);
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

void nnrt_hook_free(nnrt_context *ctx, void *ptr) {
  if (!ptr)
    return;
  nnrt_workspace *ws = &ctx->workspace;
  block_header *header = (block_header *)ptr - 1;
  if (header->heap_start) {
    ws->heap_live -= header->heap_need;
    if (header->prev_heap)
      header->prev_heap->next_heap = header->next_heap;
    else
      ws->heap_blocks = header->next_heap;
    if (header->next_heap)
      header->next_heap->prev_heap = header->prev_heap;
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
  // Generated code frees every temporary, but returns early after a failed
  // allocation: what it left is released here and the stack reset.
  free_heap_blocks(ws);
  ws->top = 0;
  ws->last = NO_BLOCK;
  ws->status = NNRT_OK;
  // Without a bigger block the next call uses the heap again: slower,
  // still correct.
  if (ws->peak > ws->capacity)
    (void)grow_block(ws, ws->peak, 0);
  ws->peak = 0;
  if (status != NNRT_OK)
    return nnrt_context_set_error(ctx, status,
                                  "out of memory for temporary buffers");
  return NNRT_OK;
}
