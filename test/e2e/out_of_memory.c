//===- out_of_memory.c - allocation failures in generated code ----*- C -*-===//
//
// Links Inputs/shared-state.mlir with -Wl,--wrap=nnrt_hook_alloc: the
// wrapper makes chosen allocations of the generated code fail (through the
// real hook, with an impossible size, so the runtime records the failure as
// it would for a real one). The entry point must return
// NNRT_ERROR_OUT_OF_MEMORY with a message instead of crashing, leave the
// state it was updating unchanged, and the next call must work.
//
//===----------------------------------------------------------------------===//

#include "../lib/check.h"
#include "nnrt/nnrt_hooks.h"
#include "shared.h"

#include <stdint.h>

void *__real_nnrt_hook_alloc(nnrt_context *ctx, size_t alignment, size_t size);

/// Allocations to let through before failing one; negative: never fail.
static int allocations_before_failure = -1;
static int allocations = 0;

void *__wrap_nnrt_hook_alloc(nnrt_context *ctx, size_t alignment, size_t size) {
  ++allocations;
  if (allocations_before_failure == 0) {
    allocations_before_failure = -1;
    return __real_nnrt_hook_alloc(ctx, alignment, SIZE_MAX);
  }
  if (allocations_before_failure > 0)
    --allocations_before_failure;
  return __real_nnrt_hook_alloc(ctx, alignment, size);
}

int main(void) {
  shared_ctx *ctx = NULL;
  CHECK(shared_create(NULL, &ctx) == NNRT_OK);
  if (!ctx)
    return check_report();
  nnrt_context *rt = shared_runtime_context(ctx);
  const float delta[4] = {1, 0, 0, 1};
  float old[6], y[3];
  const float x[2] = {1, 1};

  // How many allocations one update makes.
  allocations = 0;
  CHECK(shared_update(ctx, delta, old) == NNRT_OK);
  int per_call = allocations;
  CHECK(per_call > 0);
  float w[6];
  for (int i = 0; i < 6; ++i)
    w[i] = ((const float *)nnrt_context_state_data(rt, 0))[i];

  // Fail each of them in turn.
  for (int failing = 0; failing < per_call; ++failing) {
    allocations_before_failure = failing;
    CHECK(shared_update(ctx, delta, old) == NNRT_ERROR_OUT_OF_MEMORY);
    CHECK_STR(nnrt_context_last_error(rt),
              "out of memory for temporary buffers");
    const float *now = nnrt_context_state_data(rt, 0);
    for (int i = 0; i < 6; ++i)
      CHECK(now[i] == w[i]);
  }

  // The context still works: infer reads the unchanged state, and an update
  // goes through.
  CHECK(shared_infer(ctx, x, y) == NNRT_OK);
  CHECK(y[0] == w[0] + w[3] + 0.5f);
  CHECK(shared_update(ctx, delta, old) == NNRT_OK);
  CHECK(old[0] == w[0]);
  CHECK(((const float *)nnrt_context_state_data(rt, 0))[0] == 2 * w[0]);
  shared_destroy(ctx);
  return check_report();
}
