//===- save_load.c - saving and loading a trained model -----------*- C -*-===//
//
// Runs the model of save-load.test (an MLP trained with Adam, compiled as
// `m`): m_save and m_load round trips through ONNX, m_save_checkpoint and
// m_load_checkpoint resuming training bit for bit, and the failures that
// must change nothing. Usage: save_load MODELS WORK, MODELS holding
// other.onnx (save_load_models.py), WORK an empty directory for the files
// written; WORK/states gets the trained states for check_saved_model.py.
//
//===----------------------------------------------------------------------===//

#define _POSIX_C_SOURCE 200809L

#include "../lib/check.h"
#include "../lib/work_dir.h"
#include "m.h"

#include <stdlib.h>
#include <sys/stat.h>

enum { STEPS = 6, RESUME_AT = 2, MAX_STATES = M_NUM_STATES };

/// The batch of step `step`: inputs and labels that differ every step.
static void batch(int step, float x[M_TRAIN_STEP_INPUT_0_SIZE],
                  int64_t labels[M_TRAIN_STEP_INPUT_1_SIZE]) {
  for (int i = 0; i < M_TRAIN_STEP_INPUT_0_SIZE; ++i)
    x[i] = (float)((i * 7 + step * 3) % 11) / 11.0f - 0.5f;
  for (int i = 0; i < M_TRAIN_STEP_INPUT_1_SIZE; ++i)
    labels[i] = (i + step) % 3;
}

/// Runs train steps [first, last) on `ctx`, recording the losses.
static int train(m_ctx *ctx, int first, int last, float losses[STEPS]) {
  for (int step = first; step < last; ++step) {
    float x[M_TRAIN_STEP_INPUT_0_SIZE];
    int64_t labels[M_TRAIN_STEP_INPUT_1_SIZE];
    batch(step, x, labels);
    if (m_train_step(ctx, x, labels, &losses[step]) != NNRT_OK)
      return 0;
  }
  return 1;
}

static size_t state_size(const nnrt_context *rt, size_t i) {
  const nnrt_tensor_info *info = nnrt_context_state_info(rt, i);
  return (size_t)info->num_elements * nnrt_dtype_size(info->dtype);
}

/// Whether state i is a parameter of the ONNX model: the states nncc adds
/// for training are named "nncc:...".
static int is_parameter(const nnrt_context *rt, size_t i) {
  return strncmp(nnrt_context_state_info(rt, i)->name, "nncc:", 5) != 0;
}

/// A copy of every state of a context.
typedef struct snapshot {
  unsigned char *data[MAX_STATES];
} snapshot;

static snapshot take(m_ctx *ctx) {
  const nnrt_context *rt = m_runtime_context(ctx);
  snapshot s;
  for (size_t i = 0; i < M_NUM_STATES; ++i) {
    s.data[i] = malloc(state_size(rt, i));
    memcpy(s.data[i], nnrt_context_state_data(rt, i), state_size(rt, i));
  }
  return s;
}

static void release(snapshot *s) {
  for (size_t i = 0; i < M_NUM_STATES; ++i)
    free(s->data[i]);
}

/// The name of the first state of `ctx` that `which` selects (all when
/// NULL) and that differs from `s`, or "" when they are equal bit for bit.
static const char *differing(m_ctx *ctx, const snapshot *s,
                             int (*which)(const nnrt_context *, size_t)) {
  const nnrt_context *rt = m_runtime_context(ctx);
  for (size_t i = 0; i < M_NUM_STATES; ++i)
    if ((!which || which(rt, i)) && memcmp(nnrt_context_state_data(rt, i),
                                           s->data[i], state_size(rt, i)) != 0)
      return nnrt_context_state_info(rt, i)->name;
  return "";
}

static int is_optimizer_state(const nnrt_context *rt, size_t i) {
  return !is_parameter(rt, i);
}

/// Writes every parameter of `ctx` to WORK/states/<name>.bin.
static int dump_parameters(m_ctx *ctx) {
  const nnrt_context *rt = m_runtime_context(ctx);
  mkdir(in_dir("states"), 0777);
  for (size_t i = 0; i < M_NUM_STATES; ++i) {
    if (!is_parameter(rt, i))
      continue;
    char name[256];
    snprintf(name, sizeof(name), "states/%s.bin",
             nnrt_context_state_info(rt, i)->name);
    FILE *file = fopen(in_dir(name), "wb");
    if (!file)
      return 0;
    size_t written =
        fwrite(nnrt_context_state_data(rt, i), 1, state_size(rt, i), file);
    if (fclose(file) != 0 || written != state_size(rt, i))
      return 0;
  }
  return 1;
}

static int exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

/// Trains, saves as ONNX, loads into a fresh context: same parameters, same
/// outputs, optimizer state untouched.
static void test_onnx_round_trip(void) {
  m_ctx *trained, *fresh;
  float losses[STEPS];
  CHECK(m_create(NULL, &trained) == NNRT_OK);
  CHECK(m_create(NULL, &fresh) == NNRT_OK);
  CHECK(train(trained, 0, 3, losses));
  CHECK(m_save(trained, in_dir("trained.onnx")) == NNRT_OK);
  CHECK_STR(nnrt_context_last_error(m_runtime_context(trained)), "");
  CHECK(dump_parameters(trained));

  snapshot before = take(fresh), after = take(trained);
  CHECK(strcmp(differing(fresh, &after, is_parameter), "") != 0);
  CHECK(m_load(fresh, in_dir("trained.onnx")) == NNRT_OK);
  CHECK_STR(differing(fresh, &after, is_parameter), "");
  // The optimizer's states are not in the file: they keep their values.
  CHECK_STR(differing(fresh, &before, is_optimizer_state), "");

  float x[M_INPUT_0_SIZE], y_trained[M_OUTPUT_0_SIZE], y_fresh[M_OUTPUT_0_SIZE];
  int64_t labels[M_TRAIN_STEP_INPUT_1_SIZE];
  batch(STEPS, x, labels);
  CHECK(m_infer(trained, x, y_trained) == NNRT_OK);
  CHECK(m_infer(fresh, x, y_fresh) == NNRT_OK);
  CHECK(memcmp(y_trained, y_fresh, sizeof(y_fresh)) == 0);
  release(&before);
  release(&after);
  m_destroy(fresh);
  m_destroy(trained);
}

/// Training resumed from a checkpoint computes bit for bit what training
/// straight through does: the same losses and the same states, the
/// learning rate set before the checkpoint included.
static void test_checkpoint_resume(void) {
  m_ctx *straight, *first, *resumed;
  float straight_losses[STEPS], losses[STEPS];
  const float rate = 0.05f;
  CHECK(m_create(NULL, &straight) == NNRT_OK);
  CHECK(m_create(NULL, &first) == NNRT_OK);
  CHECK(m_create(NULL, &resumed) == NNRT_OK);
  CHECK(m_set_learning_rate(straight, &rate) == NNRT_OK);
  CHECK(m_set_learning_rate(first, &rate) == NNRT_OK);
  CHECK(train(straight, 0, STEPS, straight_losses));

  CHECK(train(first, 0, RESUME_AT, losses));
  CHECK(m_save_checkpoint(first, in_dir("run.ckpt")) == NNRT_OK);
  CHECK(m_load_checkpoint(resumed, in_dir("run.ckpt")) == NNRT_OK);
  snapshot saved = take(first);
  CHECK_STR(differing(resumed, &saved, NULL), "");
  CHECK(train(resumed, RESUME_AT, STEPS, losses));
  CHECK(memcmp(losses, straight_losses, sizeof(losses)) == 0);
  snapshot end = take(straight);
  CHECK_STR(differing(resumed, &end, NULL), "");
  release(&saved);
  release(&end);
  m_destroy(resumed);
  m_destroy(first);
  m_destroy(straight);
}

/// Failed loads change no state and say why; failed saves leave no file.
static void test_failures(const char *models) {
  m_ctx *ctx;
  float losses[STEPS];
  CHECK(m_create(NULL, &ctx) == NNRT_OK);
  CHECK(train(ctx, 0, 1, losses));
  nnrt_context *rt = m_runtime_context(ctx);
  snapshot before = take(ctx);

  CHECK(m_load(ctx, in_dir("missing.onnx")) == NNRT_ERROR_IO);
  CHECK_CONTAINS(nnrt_context_last_error(rt), "m_load: ");
  CHECK_CONTAINS(nnrt_context_last_error(rt), "missing.onnx");
  CHECK_STR(differing(ctx, &before, NULL), "");

  char other[1024];
  snprintf(other, sizeof(other), "%s/other.onnx", models);
  CHECK(m_load(ctx, other) == NNRT_ERROR_INVALID_ARGUMENT);
  CHECK_CONTAINS(nnrt_context_last_error(rt),
                 "initializer '0.weight' has shape [6, 4], the model's is "
                 "[5, 4]");
  CHECK_STR(differing(ctx, &before, NULL), "");

  // A model file is not a checkpoint, nor the other way round.
  CHECK(m_load_checkpoint(ctx, in_dir("trained.onnx")) ==
        NNRT_ERROR_INVALID_ARGUMENT);
  CHECK_CONTAINS(nnrt_context_last_error(rt), "m_load_checkpoint: ");
  CHECK_STR(differing(ctx, &before, NULL), "");
  CHECK(m_load(ctx, in_dir("run.ckpt")) == NNRT_ERROR_INVALID_ARGUMENT);
  CHECK_STR(differing(ctx, &before, NULL), "");

  CHECK(m_save(ctx, in_dir("no-such-dir/w.onnx")) == NNRT_ERROR_IO);
  CHECK_CONTAINS(nnrt_context_last_error(rt), "no-such-dir/w.onnx");
  CHECK(!exists(in_dir("no-such-dir")));
  CHECK(m_save_checkpoint(ctx, in_dir("no-such-dir/run.ckpt")) ==
        NNRT_ERROR_IO);
  // A path that is a directory: the temporary file is written, the rename
  // fails, and the temporary file is gone.
  CHECK(m_save(ctx, in_dir("states")) == NNRT_ERROR_IO);
  CHECK(temp_files_in(work_dir) == 0);

  CHECK(m_save(ctx, NULL) == NNRT_ERROR_INVALID_ARGUMENT);
  CHECK(m_load(NULL, in_dir("trained.onnx")) == NNRT_ERROR_INVALID_ARGUMENT);
  CHECK(m_load_checkpoint(ctx, NULL) == NNRT_ERROR_INVALID_ARGUMENT);
  CHECK_STR(differing(ctx, &before, NULL), "");
  release(&before);
  m_destroy(ctx);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: save_load MODELS WORK\n");
    return 2;
  }
  work_dir = argv[2];
  test_onnx_round_trip();
  test_checkpoint_resume();
  test_failures(argv[1]);
  return check_report();
}
