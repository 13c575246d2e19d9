//===- infer_nncc.c - times the model_infer of an nncc model ------*- C -*-===//
//
// Used by bench/infer.sh, built against the header of a model compiled with
// `nncc model.onnx -o model.o --name model` (one f32 input, one f32 output):
//
//   infer_nncc INPUT OUTPUT WARMUP RUNS BUDGET
//       reads the input tensor from INPUT (raw f32, the size of the model's
//       input), creates a context (threads: NNRT_NUM_THREADS), calls
//       model_infer WARMUP times untimed, then RUNS times timed one by one,
//       writes the last call's output to OUTPUT (raw f32) and prints
//       "ms <median> runs <timed> warmup <untimed>".
//
// A time budget keeps naive code from taking the whole suite's time: the
// warm-up stops once it took BUDGET / 4 seconds (after one call), the timed
// calls once they took BUDGET seconds (after one call). A first call that
// alone took BUDGET seconds is the measurement ("runs 1 warmup 0"): at tens
// of seconds a call, the one-time costs a warm-up would hide are noise.
//
//===----------------------------------------------------------------------===//

#define _POSIX_C_SOURCE 199309L
#include "model.h"

#include "timing.h"

#include <stdio.h>
#include <stdlib.h>

#if MODEL_NUM_INPUTS != 1 || MODEL_NUM_OUTPUTS != 1 ||                         \
    MODEL_INPUT_0_DTYPE != NNRT_DTYPE_F32 ||                                   \
    MODEL_OUTPUT_0_DTYPE != NNRT_DTYPE_F32
#error "infer_nncc times models with one f32 input and one f32 output"
#endif

/// Reads or writes `count` floats from or to `path`; 0 on success.
static int file_io(const char *path, float *data, size_t count, int write) {
  FILE *file = fopen(path, write ? "wb" : "rb");
  if (!file) {
    perror(path);
    return 1;
  }
  size_t done = write ? fwrite(data, sizeof(float), count, file)
                      : fread(data, sizeof(float), count, file);
  int extra = !write && fgetc(file) != EOF;
  if (fclose(file) != 0 || done != count || extra) {
    fprintf(stderr, "infer_nncc: %s: expected %zu floats\n", path, count);
    return 1;
  }
  return 0;
}

/// One timed call of model_infer; 0 on success.
static int infer(model_ctx *ctx, const float *input, float *output,
                 double *elapsed_ms) {
  double start = now_ms();
  if (model_infer(ctx, input, output) != NNRT_OK) {
    fprintf(stderr, "infer_nncc: %s\n",
            nnrt_context_last_error(model_runtime_context(ctx)));
    return 1;
  }
  *elapsed_ms = now_ms() - start;
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: %s INPUT OUTPUT WARMUP RUNS BUDGET\n", argv[0]);
    return 1;
  }
  int warmup = atoi(argv[3]), runs = atoi(argv[4]);
  double budget_ms = atof(argv[5]) * 1e3;
  float *input = nnrt_aligned_alloc(64, sizeof(float) * MODEL_INPUT_0_SIZE);
  float *output = nnrt_aligned_alloc(64, sizeof(float) * MODEL_OUTPUT_0_SIZE);
  double *times = malloc(sizeof(double) * (runs > 0 ? runs : 1));
  if (!input || !output || !times || runs < 1 ||
      file_io(argv[1], input, MODEL_INPUT_0_SIZE, 0))
    return 1;
  model_ctx *ctx = NULL;
  if (model_create(NULL, &ctx) != NNRT_OK) {
    fprintf(stderr, "infer_nncc: %s\n", nnrt_last_create_error());
    return 1;
  }

  int warmed = 0, timed = 0;
  double warmup_ms = 0, spent_ms = 0, elapsed;
  for (; warmed < warmup && warmup_ms < budget_ms / 4; ++warmed) {
    if (infer(ctx, input, output, &elapsed))
      return 1;
    warmup_ms += elapsed;
  }
  if (warmed == 1 && warmup_ms >= budget_ms) {
    times[timed++] = spent_ms = warmup_ms;
    warmed = 0;
  }
  for (; timed < runs && (timed == 0 || spent_ms < budget_ms); ++timed) {
    if (infer(ctx, input, output, &elapsed))
      return 1;
    times[timed] = elapsed;
    spent_ms += elapsed;
  }
  if (file_io(argv[2], output, MODEL_OUTPUT_0_SIZE, 1))
    return 1;
  printf("ms %.4f runs %d warmup %d\n", median_ms(times, timed), timed, warmed);
  model_destroy(ctx);
  return 0;
}
