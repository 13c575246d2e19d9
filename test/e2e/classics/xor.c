//===- xor.c - a 2-4-1 tanh MLP learns XOR ------------------------*- C -*-===//
//
// Trains the `xor` model of classics.py (x[4, 2] -> 2-4-1 MLP with a tanh
// hidden layer -> logit[4, 1], compiled with `nncc --train --loss=bce
// --name xor`) on the truth table, full batch, for `steps` (argv[1])
// steps, then checks with xor_infer that sigmoid(logit) is on the right
// side of 0.5 (the logit on the right side of 0) for all four rows. Prints
// the first and final losses (for classics.py's comparison with PyTorch)
// and "xor: learned K/4"; exits 1 unless K is 4.
//
//===----------------------------------------------------------------------===//

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "xor.h"

static int fail(xor_ctx *ctx, const char *what) {
  fprintf(stderr, "xor: %s failed: %s\n", what,
          ctx ? nnrt_context_last_error(xor_runtime_context(ctx))
              : nnrt_last_create_error());
  xor_destroy(ctx);
  return 1;
}

int main(int argc, char **argv) {
  static const float x[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
  static const float targets[4] = {0, 1, 1, 0};
  int steps = argc > 1 ? atoi(argv[1]) : 1000;
  xor_ctx *ctx = NULL;
  if (xor_create(NULL, &ctx) != NNRT_OK)
    return fail(NULL, "xor_create");

  float loss = 0;
  for (int step = 0; step < steps; ++step) {
    if (xor_train_step(ctx, &x[0][0], targets, &loss) != NNRT_OK)
      return fail(ctx, "xor_train_step");
    if (step == 0)
      printf("xor: first loss %.9g\n", loss);
  }
  printf("xor: final loss %.9g after %d steps\n", loss, steps);

  float logit[4];
  if (xor_infer(ctx, &x[0][0], logit) != NNRT_OK)
    return fail(ctx, "xor_infer");
  int learned = 0;
  for (int i = 0; i < 4; ++i) {
    float p = 1.0f / (1.0f + expf(-logit[i]));
    int right = (p > 0.5f) == (targets[i] > 0.5f);
    learned += right;
    printf("xor: %g XOR %g = %g, predicted %.4f %s\n", x[i][0], x[i][1],
           targets[i], p, right ? "ok" : "WRONG");
  }
  printf("xor: learned %d/4\n", learned);
  xor_destroy(ctx);
  return learned == 4 ? 0 : 1;
}
