//===- nand.c - one sigmoid unit learns NAND ----------------------*- C -*-===//
//
// Trains the `nand` model of classics.py (x[4, 2] -> MatMul+Add -> Sigmoid,
// compiled with `nncc --train --loss=mse --name nand`) on the truth table
// for `steps` (argv[1]) steps, then checks with nand_infer that the output
// is > 0.5 exactly on the rows where NAND is true. Prints the first and
// final losses (for classics.py's comparison with PyTorch) and
// "nand: learned K/4"; exits 1 unless K is 4.
//
//===----------------------------------------------------------------------===//

#include <stdio.h>
#include <stdlib.h>

#include "nand.h"

static int fail(nand_ctx *ctx, const char *what) {
  fprintf(stderr, "nand: %s failed: %s\n", what,
          ctx ? nnrt_context_last_error(nand_runtime_context(ctx))
              : nnrt_last_create_error());
  nand_destroy(ctx);
  return 1;
}

int main(int argc, char **argv) {
  static const float x[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
  static const float targets[4] = {1, 1, 1, 0};
  int steps = argc > 1 ? atoi(argv[1]) : 1000;
  nand_ctx *ctx = NULL;
  if (nand_create(NULL, &ctx) != NNRT_OK)
    return fail(NULL, "nand_create");

  float loss = 0;
  for (int step = 0; step < steps; ++step) {
    if (nand_train_step(ctx, &x[0][0], targets, &loss) != NNRT_OK)
      return fail(ctx, "nand_train_step");
    if (step == 0)
      printf("nand: first loss %.9g\n", loss);
  }
  printf("nand: final loss %.9g after %d steps\n", loss, steps);

  float y[4];
  if (nand_infer(ctx, &x[0][0], y) != NNRT_OK)
    return fail(ctx, "nand_infer");
  int learned = 0;
  for (int i = 0; i < 4; ++i) {
    int right = (y[i] > 0.5f) == (targets[i] > 0.5f);
    learned += right;
    printf("nand: %g NAND %g = %g, predicted %.4f %s\n", x[i][0], x[i][1],
           targets[i], y[i], right ? "ok" : "WRONG");
  }
  printf("nand: learned %d/4\n", learned);
  nand_destroy(ctx);
  return learned == 4 ? 0 : 1;
}
