//===- timing.h - timing helpers of the bench programs ------------*- C -*-===//
//
// Shared by bench/gemm_peers.c and bench/gemm_nncc.c: a monotonic clock in
// milliseconds and the median of timed runs.
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_BENCH_TIMING_H
#define NNCC_BENCH_TIMING_H

#include <stdlib.h>
#include <time.h>

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec * 1e-6;
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/// The median of `count` times (sorts them).
static double median_ms(double *times, int count) {
  qsort(times, count, sizeof(double), compare_doubles);
  return times[count / 2];
}

#endif // NNCC_BENCH_TIMING_H
