//===- gemm_nncc.c - times a model compiled by nncc ---------------*- C -*-===//
//
// Used by bench/gemm.sh: `gemm_nncc WARMUP RUNS BUDGET` runs
// model_infer_packed of the linked model (any signature, found through its
// info queries) on inputs of small values, WARMUP times untimed and RUNS
// times timed one by one, and prints "ms <median> runs <count>". It stops
// early once the timed runs took BUDGET seconds and at least 3 ran: the
// naive loops take up to a minute a call at 2048.
//
//===----------------------------------------------------------------------===//

#define _POSIX_C_SOURCE 199309L
#include <nnrt/nnrt.h>

#include "timing.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct model_ctx model_ctx;
nnrt_status model_create(const nnrt_options *opts, model_ctx **out_ctx);
void model_destroy(model_ctx *ctx);
nnrt_status model_infer_packed(model_ctx *ctx, const void *const *inputs,
                               void *const *outputs);
size_t model_num_inputs(void);
size_t model_num_outputs(void);
const nnrt_tensor_info *model_input_info(size_t i);
const nnrt_tensor_info *model_output_info(size_t i);

static void *buffer(const nnrt_tensor_info *info) {
  size_t bytes = (size_t)info->num_elements * nnrt_dtype_size(info->dtype);
  float *data = nnrt_aligned_alloc(64, bytes);
  if (data && info->dtype == NNRT_DTYPE_F32)
    for (int64_t i = 0; i < info->num_elements; ++i)
      data[i] = (float)(i % 7) * 0.25f - 0.75f;
  return data;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s WARMUP RUNS BUDGET\n", argv[0]);
    return 1;
  }
  int warmup = atoi(argv[1]), runs = atoi(argv[2]);
  double budget_ms = atof(argv[3]) * 1e3, spent_ms = 0;
  void *inputs[16] = {0}, *outputs[16] = {0};
  size_t num_inputs = model_num_inputs(), num_outputs = model_num_outputs();
  if (num_inputs > 16 || num_outputs > 16 || runs < 1)
    return 1;
  for (size_t i = 0; i < num_inputs; ++i)
    if (!(inputs[i] = buffer(model_input_info(i))))
      return 1;
  for (size_t i = 0; i < num_outputs; ++i)
    if (!(outputs[i] = buffer(model_output_info(i))))
      return 1;
  model_ctx *ctx = NULL;
  if (model_create(NULL, &ctx) != NNRT_OK)
    return 1;
  double *times = malloc(sizeof(double) * runs);
  int timed = 0;
  for (int i = 0; i < warmup + runs; ++i) {
    double start = now_ms();
    if (model_infer_packed(ctx, (const void *const *)inputs, outputs) !=
        NNRT_OK) {
      fprintf(stderr, "gemm_nncc: %s\n",
              nnrt_context_last_error((nnrt_context *)ctx));
      return 1;
    }
    if (i >= warmup) {
      times[timed++] = now_ms() - start;
      spent_ms += times[timed - 1];
      if (timed >= 3 && spent_ms >= budget_ms)
        break;
    }
  }
  printf("ms %.4f runs %d\n", median_ms(times, timed), timed);
  model_destroy(ctx);
  return 0;
}
