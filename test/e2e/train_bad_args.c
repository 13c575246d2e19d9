//===- train_bad_args.c - wrong arguments to the training entries -*- C -*-===//
//
// Calls m_train_step, m_eval and m_set_learning_rate (a one-layer model
// compiled with --train --loss=mse) with every kind of wrong argument and
// checks each returns NNRT_ERROR_INVALID_ARGUMENT with a message naming the
// argument, and that the state is unchanged afterwards.
//
//===----------------------------------------------------------------------===//

#include "m.h"
#include "shared.h"

#include "../lib/check.h"

#include <string.h>

static const char *last_error(m_ctx *ctx) {
  return nnrt_context_last_error(m_runtime_context(ctx));
}

/// The state of `ctx` as one byte string, to compare before and after.
static size_t snapshot(m_ctx *ctx, unsigned char *out, size_t capacity) {
  nnrt_context *rt = m_runtime_context(ctx);
  size_t used = 0;
  for (size_t i = 0; i < nnrt_context_num_states(rt); ++i) {
    const nnrt_tensor_info *info = nnrt_context_state_info(rt, i);
    size_t bytes = (size_t)info->num_elements * nnrt_dtype_size(info->dtype);
    if (used + bytes > capacity)
      return 0;
    memcpy(out + used, nnrt_context_state_data(rt, i), bytes);
    used += bytes;
  }
  return used;
}

int main(void) {
  m_ctx *ctx = NULL;
  CHECK(m_create(NULL, &ctx) == NNRT_OK);
  float x[2 * 4] = {1, 2, 3, 4, 5, 6, 7, 8}, targets[2 * 3] = {0};
  float loss = 0, y[2 * 3], rate = 0.5f;
  unsigned char before[4096], after[4096];
  size_t size = snapshot(ctx, before, sizeof before);
  CHECK(size > 0);

  CHECK(m_train_step(NULL, x, targets, &loss) == NNRT_ERROR_INVALID_ARGUMENT);
  CHECK(m_train_step(ctx, NULL, targets, &loss) == NNRT_ERROR_INVALID_ARGUMENT);
  CHECK_CONTAINS(last_error(ctx), "input 0 ('x') is NULL");
  CHECK(m_train_step(ctx, x, NULL, &loss) == NNRT_ERROR_INVALID_ARGUMENT);
  CHECK_CONTAINS(last_error(ctx), "input 1 ('targets') is NULL");
  CHECK(m_train_step(ctx, x, targets, NULL) == NNRT_ERROR_INVALID_ARGUMENT);
  CHECK_CONTAINS(last_error(ctx), "output 0 ('loss') is NULL");
  CHECK(m_eval(ctx, x, targets, y, NULL) == NNRT_ERROR_INVALID_ARGUMENT);
  CHECK_CONTAINS(last_error(ctx), "output 1 ('loss') is NULL");
  CHECK(m_set_learning_rate(ctx, NULL) == NNRT_ERROR_INVALID_ARGUMENT);
  CHECK_CONTAINS(last_error(ctx), "input 0 ('learning_rate') is NULL");
  CHECK(snapshot(ctx, after, sizeof after) == size &&
        memcmp(before, after, size) == 0);

  // A context of another model.
  shared_ctx *other = NULL;
  CHECK(shared_create(NULL, &other) == NNRT_OK);
  CHECK(m_train_step((m_ctx *)other, x, targets, &loss) ==
        NNRT_ERROR_INVALID_ARGUMENT);
  shared_destroy(other);

  // The good calls still work and do change the state.
  CHECK(m_set_learning_rate(ctx, &rate) == NNRT_OK);
  CHECK(m_train_step(ctx, x, targets, &loss) == NNRT_OK);
  CHECK(loss > 0);
  CHECK(snapshot(ctx, after, sizeof after) == size &&
        memcmp(before, after, size) != 0);
  m_destroy(ctx);
  return check_report();
}
