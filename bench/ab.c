//===- ab.c - times two compiles of one model in one process -----*- C -*-===//
//
// Used by bench/ab.sh: `ab ROUNDS` links two compiles of the same model,
// named `ma` and `mb`, runs model_infer_packed of each on the same inputs
// (small values, any signature, found through the info queries), and in
// each round calls A then B, or B then A in odd rounds, each call timed
// alone. It prints the median time of each, the median of the rounds'
// B / A ratios and max |A - B| over the f32 outputs (0 when both compute
// the same way). Alternating calls in one process gives both compiles the
// same phases of a noisy machine, which separate runs of each do not: on
// the bench's virtual machines a run-to-run spread of 5-10% hides changes
// of a few percent that this ratio shows.
//
//===----------------------------------------------------------------------===//

#define _POSIX_C_SOURCE 199309L
#include <nnrt/nnrt.h>

#include "timing.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DECLARE_MODEL(name)                                                    \
  typedef struct name##_ctx name##_ctx;                                        \
  nnrt_status name##_create(const nnrt_options *opts, name##_ctx **out_ctx);   \
  void name##_destroy(name##_ctx *ctx);                                        \
  nnrt_status name##_infer_packed(name##_ctx *ctx, const void *const *inputs,  \
                                  void *const *outputs);                       \
  size_t name##_num_inputs(void);                                              \
  size_t name##_num_outputs(void);                                             \
  const nnrt_tensor_info *name##_input_info(size_t i);                         \
  const nnrt_tensor_info *name##_output_info(size_t i);

DECLARE_MODEL(ma)
DECLARE_MODEL(mb)

static size_t bytes_of(const nnrt_tensor_info *info) {
  return (size_t)info->num_elements * nnrt_dtype_size(info->dtype);
}

/// A buffer for `info`, f32 inputs filled with small values.
static void *buffer(const nnrt_tensor_info *info) {
  void *data = nnrt_aligned_alloc(64, bytes_of(info) ? bytes_of(info) : 1);
  if (data)
    memset(data, 0, bytes_of(info));
  if (data && info->dtype == NNRT_DTYPE_F32)
    for (int64_t i = 0; i < info->num_elements; ++i)
      ((float *)data)[i] = (float)(i % 7) * 0.25f - 0.75f;
  return data;
}

/// Whether the two compiles have the same signature.
static int same_signature(void) {
  if (ma_num_inputs() != mb_num_inputs() ||
      ma_num_outputs() != mb_num_outputs())
    return 0;
  for (size_t i = 0; i < ma_num_inputs(); ++i)
    if (ma_input_info(i)->dtype != mb_input_info(i)->dtype ||
        ma_input_info(i)->num_elements != mb_input_info(i)->num_elements)
      return 0;
  for (size_t i = 0; i < ma_num_outputs(); ++i)
    if (ma_output_info(i)->dtype != mb_output_info(i)->dtype ||
        ma_output_info(i)->num_elements != mb_output_info(i)->num_elements)
      return 0;
  return 1;
}

/// One call of A (`which` 0) or B, its time in ms, or -1 when it fails.
static double call(int which, ma_ctx *a, mb_ctx *b, void **in, void **out_a,
                   void **out_b) {
  double start = now_ms();
  nnrt_status status = which
                           ? mb_infer_packed(b, (const void *const *)in, out_b)
                           : ma_infer_packed(a, (const void *const *)in, out_a);
  if (status != NNRT_OK) {
    fprintf(stderr, "ab: %s's call failed: %s\n", which ? "B" : "A",
            nnrt_status_message(status));
    return -1;
  }
  return now_ms() - start;
}

int main(int argc, char **argv) {
  int rounds = argc == 2 ? atoi(argv[1]) : 0;
  if (rounds < 1) {
    fprintf(stderr, "usage: %s ROUNDS (at least 1)\n", argv[0]);
    return 1;
  }
  if (!same_signature()) {
    fprintf(stderr, "ab: the two compiles' inputs or outputs differ\n");
    return 1;
  }
  size_t inputs = ma_num_inputs(), outputs = ma_num_outputs();
  void **in = calloc(inputs + 1, sizeof(void *));
  void **out_a = calloc(outputs + 1, sizeof(void *));
  void **out_b = calloc(outputs + 1, sizeof(void *));
  double *times_a = malloc(sizeof(double) * rounds);
  double *times_b = malloc(sizeof(double) * rounds);
  double *ratios = malloc(sizeof(double) * rounds);
  if (!in || !out_a || !out_b || !times_a || !times_b || !ratios)
    return 1;
  for (size_t i = 0; i < inputs; ++i)
    if (!(in[i] = buffer(ma_input_info(i))))
      return 1;
  for (size_t i = 0; i < outputs; ++i)
    if (!(out_a[i] = buffer(ma_output_info(i))) ||
        !(out_b[i] = buffer(mb_output_info(i))))
      return 1;
  ma_ctx *a = NULL;
  mb_ctx *b = NULL;
  if (ma_create(NULL, &a) != NNRT_OK || mb_create(NULL, &b) != NNRT_OK) {
    fprintf(stderr, "ab: %s\n", nnrt_last_create_error());
    return 1;
  }

  // Warm-up: one call each.
  if (call(0, a, b, in, out_a, out_b) < 0 ||
      call(1, a, b, in, out_a, out_b) < 0)
    return 1;
  for (int r = 0; r < rounds; ++r) {
    int first = r % 2;
    double t0 = call(first, a, b, in, out_a, out_b);
    double t1 = call(!first, a, b, in, out_a, out_b);
    if (t0 < 0 || t1 < 0)
      return 1;
    times_a[r] = first ? t1 : t0;
    times_b[r] = first ? t0 : t1;
    ratios[r] = times_b[r] / times_a[r];
  }

  double diff = 0;
  for (size_t i = 0; i < outputs; ++i) {
    const nnrt_tensor_info *info = ma_output_info(i);
    if (info->dtype != NNRT_DTYPE_F32) {
      if (memcmp(out_a[i], out_b[i], bytes_of(info)) != 0)
        diff = INFINITY;
      continue;
    }
    for (int64_t e = 0; e < info->num_elements; ++e) {
      double d = fabs((double)((float *)out_a[i])[e] - ((float *)out_b[i])[e]);
      if (!(d <= diff)) // NaN counts as a difference
        diff = isnan(d) ? INFINITY : d;
    }
  }
  printf("A ms %.4f B ms %.4f B/A %.3f rounds %d max_diff %g\n",
         median_ms(times_a, rounds), median_ms(times_b, rounds),
         median_ms(ratios, rounds), rounds, diff);
  ma_destroy(a);
  mb_destroy(b);
  return 0;
}
