//===- gemm_peers.c - the machine's peak and OpenBLAS sgemm -------*- C -*-===//
//
// Used by bench/gemm.sh.
//
//   gemm_peers peak
//       The single-core peak in GFLOP/s: an inline-asm loop of independent
//       FMAs (vfmadd231ps on zmm registers with AVX-512, ymm with AVX2), as
//       issue 8 asks: a C intrinsics loop reaches about 60% of it.
//   gemm_peers sgemm M N K WARMUP RUNS THREADS
//       C[M,N] = A[M,K] * B[K,N] with OpenBLAS's cblas_sgemm (row major)
//       on THREADS threads: the median of RUNS timed calls after WARMUP,
//       printed as "ms <median>".
//
//===----------------------------------------------------------------------===//

#define _POSIX_C_SOURCE 199309L
#include <cblas.h>

#include "timing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void openblas_set_num_threads(int num_threads);

// The widest vector registers the compiler targets (-march=native).
#if defined(__AVX512F__)
#define VREG(n) "%%zmm" #n
#define LANES 16
#else
#define VREG(n) "%%ymm" #n
#define LANES 8
#endif
#define FMA(n) "vfmadd231ps " VREG(1) ", " VREG(1) ", " VREG(n) "\n\t"

/// FLOPs of one trip through the loop, run `iterations` times: 12
/// independent FMA chains (enough to cover the FMA latency on two ports),
/// LANES floats each.
static double fma_loop(long iterations) {
  __asm__ volatile(
      "vxorps " VREG(0) ", " VREG(0) ", " VREG(
          0) "\n\t"
             "vmovaps " VREG(0) ", " VREG(
                 1) "\n\t"
                    "1:\n\t" FMA(2) FMA(3) FMA(4) FMA(5) FMA(6) FMA(7) FMA(8)
                        FMA(9) FMA(10) FMA(11) FMA(12) FMA(13) "dec %0\n\t"
                                                               "jnz 1b\n\t"
      : "+r"(iterations)
      :
      : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
        "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "cc");
  return 12.0 * LANES * 2;
}

static int peak(void) {
  const long iterations = 100000000;
  double best = 0;
  for (int trial = 0; trial < 5; ++trial) {
    double start = now_ms();
    double flops_per_trip = fma_loop(iterations);
    double seconds = (now_ms() - start) * 1e-3;
    double gflops = flops_per_trip * iterations / seconds * 1e-9;
    if (gflops > best)
      best = gflops;
  }
  printf("peak %.2f\n", best);
  return 0;
}

static int sgemm(int m, int n, int k, int warmup, int runs, int threads) {
  openblas_set_num_threads(threads);
  float *a = malloc(sizeof(float) * m * k), *b = malloc(sizeof(float) * k * n),
        *c = malloc(sizeof(float) * m * n);
  double *times = malloc(sizeof(double) * runs);
  if (!a || !b || !c || !times)
    return 1;
  for (long i = 0; i < (long)m * k; ++i)
    a[i] = (float)(i % 7) * 0.25f - 0.75f;
  for (long i = 0; i < (long)k * n; ++i)
    b[i] = (float)(i % 5) * 0.5f - 1.0f;
  for (int i = 0; i < warmup + runs; ++i) {
    double start = now_ms();
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, k,
                b, n, 0.0f, c, n);
    if (i >= warmup)
      times[i - warmup] = now_ms() - start;
  }
  printf("ms %.4f\n", median_ms(times, runs));
  free(a);
  free(b);
  free(c);
  free(times);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "peak") == 0)
    return peak();
  if (argc == 8 && strcmp(argv[1], "sgemm") == 0)
    return sgemm(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]), atoi(argv[5]),
                 atoi(argv[6]), atoi(argv[7]));
  fprintf(stderr, "usage: %s peak | sgemm M N K WARMUP RUNS THREADS\n",
          argv[0]);
  return 1;
}
