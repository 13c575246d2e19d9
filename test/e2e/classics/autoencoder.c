//===- autoencoder.c - the 8-3-8 encoder learns the identity ------*- C -*-===//
//
// Trains the `autoencoder` model of classics.py (x[8, 8] -> 8-3-8 with a
// sigmoid hidden layer -> Softmax, compiled with `nncc --train
// --loss=cross_entropy --name autoencoder`) to map each one-hot row i to
// class i, for `steps` (argv[1]) steps, then checks with autoencoder_infer
// that argmax(output row i) == i for all eight rows: the three hidden units
// learned a code for eight values. Prints the first and final losses (for
// classics.py's comparison with PyTorch), each row's winning class and its
// probability, and "autoencoder: learned K/8"; exits 1 unless K is 8.
//
//===----------------------------------------------------------------------===//

#include <stdio.h>
#include <stdlib.h>

#include "autoencoder.h"

static int fail(autoencoder_ctx *ctx, const char *what) {
  fprintf(stderr, "autoencoder: %s failed: %s\n", what,
          ctx ? nnrt_context_last_error(autoencoder_runtime_context(ctx))
              : nnrt_last_create_error());
  autoencoder_destroy(ctx);
  return 1;
}

int main(int argc, char **argv) {
  float x[8][8] = {{0}};
  int64_t labels[8];
  for (int i = 0; i < 8; ++i) {
    x[i][i] = 1;
    labels[i] = i;
  }
  int steps = argc > 1 ? atoi(argv[1]) : 1000;
  autoencoder_ctx *ctx = NULL;
  if (autoencoder_create(NULL, &ctx) != NNRT_OK)
    return fail(NULL, "autoencoder_create");

  float loss = 0;
  for (int step = 0; step < steps; ++step) {
    if (autoencoder_train_step(ctx, &x[0][0], labels, &loss) != NNRT_OK)
      return fail(ctx, "autoencoder_train_step");
    if (step == 0)
      printf("autoencoder: first loss %.9g\n", loss);
  }
  printf("autoencoder: final loss %.9g after %d steps\n", loss, steps);

  float y[8][8];
  if (autoencoder_infer(ctx, &x[0][0], &y[0][0]) != NNRT_OK)
    return fail(ctx, "autoencoder_infer");
  int learned = 0;
  for (int i = 0; i < 8; ++i) {
    int best = 0;
    for (int j = 1; j < 8; ++j)
      if (y[i][j] > y[i][best])
        best = j;
    learned += best == i;
    printf("autoencoder: row %d -> %d (p %.4f) %s\n", i, best, y[i][best],
           best == i ? "ok" : "WRONG");
  }
  printf("autoencoder: learned %d/8\n", learned);
  autoencoder_destroy(ctx);
  return learned == 8 ? 0 : 1;
}
