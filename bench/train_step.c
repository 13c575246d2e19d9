//===- train_step.c - times model_train_step on a fixed batch -----*- C -*-===//
//
// Timing program of bench/train-step.sh, linked with a classifier compiled
// by `nncc --train --name model` (loss cross_entropy: float inputs, int64
// labels). Fills one fixed batch (inputs uniform in [0, 1) from a fixed
// LCG, label i % classes), runs model_train_step `warmup` times, then
// times `runs` further calls one by one with clock_gettime(CLOCK_MONOTONIC)
// and prints
//
//   median_ms M min_ms m runs R loss L
//   infer_median_ms F
//
// the second line timing model_infer (the forward pass alone) the same way.
// The thread count is the runtime's (NNRT_NUM_THREADS). Usage:
// train_step [warmup [runs]] (default 5 30). Exits 1 on any error.
//
//===----------------------------------------------------------------------===//

#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "model.h"

static float x[MODEL_TRAIN_STEP_INPUT_0_SIZE];
static int64_t labels[MODEL_TRAIN_STEP_INPUT_1_SIZE];

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec * 1e-6;
}

static int by_value(const void *a, const void *b) {
  double d = *(const double *)a - *(const double *)b;
  return (d > 0) - (d < 0);
}

static double median(double *ms, int runs) {
  qsort(ms, runs, sizeof(double), by_value);
  return runs % 2 ? ms[runs / 2] : (ms[runs / 2 - 1] + ms[runs / 2]) / 2;
}

int main(int argc, char **argv) {
  int warmup = argc > 1 ? atoi(argv[1]) : 5;
  int runs = argc > 2 ? atoi(argv[2]) : 30;
  if (warmup < 0 || runs < 1)
    return fprintf(stderr, "usage: train_step [warmup [runs]]\n"), 1;

  uint32_t state = 12345;
  for (size_t i = 0; i < MODEL_TRAIN_STEP_INPUT_0_SIZE; ++i) {
    state = state * 1664525u + 1013904223u;
    x[i] = (float)(state >> 8) / (float)(1u << 24);
  }
  int64_t classes = MODEL_OUTPUT_0_SIZE / MODEL_TRAIN_STEP_INPUT_1_SIZE;
  for (size_t i = 0; i < MODEL_TRAIN_STEP_INPUT_1_SIZE; ++i)
    labels[i] = (int64_t)i % classes;

  model_ctx *ctx = NULL;
  if (model_create(NULL, &ctx) != NNRT_OK)
    return fprintf(stderr, "model_create: %s\n", nnrt_last_create_error()), 1;
  double *ms = malloc(sizeof(double) * runs);
  float loss = 0;
  int ok = ms != NULL;
  for (int i = 0; ok && i < warmup + runs; ++i) {
    double start = now_ms();
    ok = model_train_step(ctx, x, labels, &loss) == NNRT_OK;
    if (i >= warmup)
      ms[i - warmup] = now_ms() - start;
  }
  if (!ok || !isfinite(loss)) {
    fprintf(stderr, "model_train_step failed: %s (loss %g)\n",
            nnrt_context_last_error(model_runtime_context(ctx)), loss);
    free(ms);
    model_destroy(ctx);
    return 1;
  }
  double train = median(ms, runs);
  printf("median_ms %.4f min_ms %.4f runs %d loss %.6g\n", train, ms[0], runs,
         loss);

  static float y[MODEL_OUTPUT_0_SIZE];
  for (int i = 0; ok && i < warmup + runs; ++i) {
    double start = now_ms();
    ok = model_infer(ctx, x, y) == NNRT_OK;
    if (i >= warmup)
      ms[i - warmup] = now_ms() - start;
  }
  if (!ok) {
    fprintf(stderr, "model_infer failed: %s\n",
            nnrt_context_last_error(model_runtime_context(ctx)));
    free(ms);
    model_destroy(ctx);
    return 1;
  }
  printf("infer_median_ms %.4f\n", median(ms, runs));
  free(ms);
  model_destroy(ctx);
  return 0;
}
