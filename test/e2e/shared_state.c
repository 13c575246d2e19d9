//===- shared_state.c - two entry points sharing model state ------*- C -*-===//
//
// Runs Inputs/shared-state.mlir: `infer` reads the parameter w, `update`
// writes w + delta * w. The expected values are computed here with plain
// loops from the same initial weights; every comparison is exact because
// the inputs are small integers and halves (exactly representable sums).
//
//===----------------------------------------------------------------------===//

#include "../lib/check.h"
#include "shared.h"

#include <string.h>

static const float W0[2][3] = {{1, 2, 3}, {4, 5, 6}};
static const float B[3] = {0.5f, -0.5f, 0.25f};

/// y = x w + b
static void expected_infer(const float x[2], const float w[2][3], float y[3]) {
  for (int j = 0; j < 3; ++j)
    y[j] = x[0] * w[0][j] + x[1] * w[1][j] + B[j];
}

/// w' = w + delta w
static void expected_update(const float delta[2][2], float w[2][3]) {
  float next[2][3];
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      next[i][j] = w[i][j] + delta[i][0] * w[0][j] + delta[i][1] * w[1][j];
  memcpy(w, next, sizeof(next));
}

static int same(const float *a, const float *b, int n) {
  for (int i = 0; i < n; ++i)
    if (a[i] != b[i]) {
      printf("element %d: got %g, expected %g\n", i, a[i], b[i]);
      return 0;
    }
  return 1;
}

int main(void) {
  shared_ctx *a = NULL, *b = NULL;
  CHECK(shared_create(NULL, &a) == NNRT_OK);
  CHECK(shared_create(NULL, &b) == NNRT_OK);
  if (!a || !b)
    return check_report();

  // The header and the runtime describe the states.
  CHECK(SHARED_NUM_STATES == 2);
  nnrt_context *rt = shared_runtime_context(a);
  CHECK(nnrt_context_num_states(rt) == 2);
  CHECK_STR(nnrt_context_state_info(rt, 0)->name, "w");
  CHECK_STR(nnrt_context_state_info(rt, 1)->name, "fc.bias");
  CHECK(nnrt_context_state_info(rt, 0)->num_elements == SHARED_STATE_0_SIZE);
  CHECK(same(nnrt_context_state_data(rt, 0), &W0[0][0], 6));
  CHECK(shared_update_num_inputs() == 1 && shared_update_num_outputs() == 1);
  CHECK_STR(shared_update_output_info(0)->name, "old_w");

  float w[2][3];
  memcpy(w, W0, sizeof(w));
  const float x[2] = {1, 10};
  float y[3], want[3];
  CHECK(shared_infer(a, x, y) == NNRT_OK);
  expected_infer(x, w, want);
  CHECK(same(y, want, 3));

  // Two updates, each seen by the next call; the output is the old value.
  const float delta[2][2] = {{0.5f, 0}, {1, -0.5f}};
  for (int step = 0; step < 2; ++step) {
    float old[2][3];
    CHECK(shared_update(a, &delta[0][0], &old[0][0]) == NNRT_OK);
    CHECK(same(&old[0][0], &w[0][0], 6));
    expected_update(delta, w);
    CHECK(same(nnrt_context_state_data(rt, 0), &w[0][0], 6));
    CHECK(shared_infer(a, x, y) == NNRT_OK);
    expected_infer(x, w, want);
    CHECK(same(y, want, 3));
  }

  // The packed form updates too.
  float old[2][3];
  const void *inputs[] = {delta};
  void *outputs[] = {old};
  CHECK(shared_update_packed(a, inputs, outputs) == NNRT_OK);
  expected_update(delta, w);
  CHECK(same(nnrt_context_state_data(rt, 0), &w[0][0], 6));

  // Contexts are independent: b still has the initial weights.
  CHECK(shared_infer(b, x, y) == NNRT_OK);
  expected_infer(x, W0, want);
  CHECK(same(y, want, 3));

  // A rejected call changes nothing.
  CHECK(shared_update(a, NULL, &old[0][0]) == NNRT_ERROR_INVALID_ARGUMENT);
  CHECK_STR(nnrt_context_last_error(rt),
            "shared_update: input 0 ('delta') is NULL");
  CHECK(same(nnrt_context_state_data(rt, 0), &w[0][0], 6));

  shared_destroy(a);
  shared_destroy(b);
  return check_report();
}
