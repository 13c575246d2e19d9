// Classifies one all-zero image with the installed nncc's LeNet-5 and
// prints the logits, which install.test compares with the build tree's.
#include "lenet.h"

#include <stdio.h>

int main(void) {
  lenet_ctx *ctx;
  if (lenet_create(NULL, &ctx) != NNRT_OK) {
    fprintf(stderr, "create: %s\n", nnrt_last_create_error());
    return 1;
  }
  static float image[LENET_INPUT_0_SIZE], logits[LENET_OUTPUT_0_SIZE];
  for (int i = 0; i < LENET_INPUT_0_SIZE; ++i)
    image[i] = (float)(i % 28) / 28.0f;
  nnrt_status status = lenet_infer(ctx, image, logits);
  if (status != NNRT_OK) {
    fprintf(stderr, "%s\n",
            nnrt_context_last_error(lenet_runtime_context(ctx)));
    return 1;
  }
  for (int i = 0; i < LENET_OUTPUT_0_SIZE; ++i)
    printf("%.6g\n", logits[i]);
  lenet_destroy(ctx);
  return 0;
}
