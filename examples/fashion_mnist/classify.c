//===- classify.c - Fashion-MNIST classifier on nncc's LeNet-5 ------------===//
//
// Classifies the 10,000 Fashion-MNIST test images with the LeNet-5 that nncc
// compiled from lenet.onnx (`nncc lenet.onnx -o lenet.o --name lenet`), one
// image per lenet_infer call, and prints the accuracy, the first ten
// predictions and the mean inference time.
//
//   classify t10k-images-idx3-ubyte t10k-labels-idx1-ubyte [lenet.expected]
//
// The idx files must already be decompressed (run.sh does `gzip -dc`). With
// lenet.expected (written by train_lenet.py) the results are compared with
// PyTorch's on the same model and the program exits 1 on a real mismatch.
//
// Input normalization must match training (train_lenet.py): each pixel
// becomes (float)pixel / 255.0f, nothing else.
//
//===----------------------------------------------------------------------===//

#define _POSIX_C_SOURCE 200809L // clock_gettime, in fashion_mnist.h

#include "fashion_mnist.h"
#include "lenet.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NUM_SHOWN = 10 };

_Static_assert(LENET_INPUT_0_SIZE == IMAGE_ROWS * IMAGE_COLS,
               "lenet.onnx must take one 1x1x28x28 image");
_Static_assert(LENET_OUTPUT_0_SIZE == NUM_CLASSES,
               "lenet.onnx must return 10 logits");

// Two predictions of 10,000 may legitimately differ from PyTorch's: nncc
// and PyTorch accumulate the convolutions and matrix products in different
// orders, so the logits differ in the last bits, and an image whose two
// best logits are (nearly) tied can then flip to the other class. Anything
// beyond this is treated as a miscompilation.
enum { MAX_DIFFERING_PREDICTIONS = 2 };

static const char *const class_names[NUM_CLASSES] = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

static const char *program = "classify";

/// PyTorch's results from lenet.expected.
typedef struct expected_results {
  long correct;
  long total;
  int first[NUM_SHOWN];
} expected_results;

/// Parses lenet.expected:
///   correct 8961 of 10000 (89.61%)
///   first10 9 2 1 1 6 1 4 6 5 7
/// Returns 0 on success; prints an error and returns -1 otherwise.
static int read_expected(const char *path, expected_results *out) {
  FILE *f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "%s: cannot open '%s': %s\n", program, path,
            strerror(errno));
    return -1;
  }
  char line[256];
  int ok =
      fgets(line, sizeof line, f) &&
      sscanf(line, "correct %ld of %ld", &out->correct, &out->total) == 2 &&
      out->correct >= 0 && out->total > 0 && out->correct <= out->total;
  if (ok) {
    int n = 0, pos = 0;
    ok = fgets(line, sizeof line, f) &&
         sscanf(line, "first%d%n", &n, &pos) == 1 && n == NUM_SHOWN;
    for (int i = 0; ok && i < NUM_SHOWN; ++i) {
      int used = 0;
      ok = sscanf(line + pos, "%d%n", &out->first[i], &used) == 1 &&
           out->first[i] >= 0 && out->first[i] < NUM_CLASSES;
      pos += used;
    }
  }
  fclose(f);
  if (!ok) {
    fprintf(stderr,
            "%s: '%s' is malformed: expected the lines\n"
            "  correct <count> of <total> ...\n"
            "  first10 <10 class numbers 0-9>\n",
            program, path);
    return -1;
  }
  return 0;
}

/// Prints a failed nnrt call with the context's last error.
static void report_failure(const char *call, nnrt_status status,
                           lenet_ctx *ctx) {
  report_nnrt_failure(program, call, status, lenet_runtime_context(ctx));
}

int main(int argc, char **argv) {
  if (argc > 0 && argv[0] && *argv[0])
    program = argv[0];
  if (argc < 3 || argc > 4) {
    fprintf(stderr,
            "usage: %s <t10k-images-idx3-ubyte> <t10k-labels-idx1-ubyte> "
            "[lenet.expected]\n"
            "Classifies Fashion-MNIST test images with nncc's LeNet-5; the "
            "idx files must be\ndecompressed. With lenet.expected, checks "
            "the results against PyTorch's.\n",
            program);
    return 1;
  }

  int exit_code = 1;
  dataset test = {0};
  int *predictions = NULL;
  lenet_ctx *ctx = NULL;
  expected_results expected;

  if (argc == 4 && read_expected(argv[3], &expected) != 0)
    goto done;
  if (read_dataset(program, argv[1], argv[2], &test) != 0)
    goto done;
  const unsigned char *pixels = test.pixels, *labels = test.labels;
  size_t num_images = test.count;
  predictions = malloc(num_images * sizeof *predictions);
  if (!predictions) {
    fprintf(stderr, "%s: out of memory\n", program);
    goto done;
  }

  nnrt_status status = lenet_create(NULL, &ctx);
  if (status != NNRT_OK) {
    report_failure("lenet_create", status, ctx);
    goto done;
  }

  static float image[LENET_INPUT_0_SIZE];
  static float logits[LENET_OUTPUT_0_SIZE];
  size_t correct = 0;
  double infer_seconds = 0.0;
  for (size_t i = 0; i < num_images; ++i) {
    const unsigned char *src = pixels + i * LENET_INPUT_0_SIZE;
    for (size_t j = 0; j < LENET_INPUT_0_SIZE; ++j)
      image[j] = (float)src[j] / 255.0f; // as in train_lenet.py
    double start = now_seconds();
    status = lenet_infer(ctx, image, logits);
    infer_seconds += now_seconds() - start;
    if (status != NNRT_OK) {
      char call[64];
      snprintf(call, sizeof call, "lenet_infer (image %zu)", i);
      report_failure(call, status, ctx);
      goto done;
    }
    int best = 0;
    for (int c = 0; c < NUM_CLASSES; ++c) {
      if (!isfinite(logits[c])) {
        fprintf(stderr, "%s: image %zu: logit %d is %g, not a finite number\n",
                program, i, c, (double)logits[c]);
        goto done;
      }
      if (logits[c] > logits[best]) // first maximum, like torch.argmax
        best = c;
    }
    predictions[i] = best;
    correct += best == labels[i];
  }

  printf("nncc accuracy: %zu / %zu = %.2f%%\n", correct, num_images,
         100.0 * (double)correct / (double)num_images);
  size_t shown = num_images < NUM_SHOWN ? num_images : NUM_SHOWN;
  printf("first %zu test images:\n", shown);
  for (size_t i = 0; i < shown; ++i)
    printf("  %zu: predicted %-11s (%d), true %-11s (%u)%s\n", i,
           class_names[predictions[i]], predictions[i], class_names[labels[i]],
           (unsigned)labels[i], predictions[i] == labels[i] ? "" : "  wrong");
  // Generated code runs on the calling thread for now; the context's thread
  // count matters once loops are parallelized.
  printf("mean inference time: %.1f us per image (%zu images, batch 1, one "
         "thread)\n",
         1e6 * infer_seconds / (double)num_images, num_images);

  if (argc == 4) {
    if ((size_t)expected.total != num_images) {
      fprintf(stderr,
              "%s: '%s' describes %ld test images, but %zu were classified\n",
              program, argv[3], expected.total, num_images);
      goto done;
    }
    // Lower bounds on the number of images whose predictions differ from
    // PyTorch's: the change in the correct count, and the differences among
    // the first ten (only these predictions are known individually).
    long count_diff = labs((long)correct - expected.correct);
    long first_diff = 0;
    for (size_t i = 0; i < shown; ++i)
      first_diff += predictions[i] != expected.first[i];
    long differing = count_diff > first_diff ? count_diff : first_diff;
    printf("PyTorch accuracy: %ld / %ld = %.2f%%\n", expected.correct,
           expected.total,
           100.0 * (double)expected.correct / (double)expected.total);
    if (first_diff) {
      printf("PyTorch first %zu:", shown);
      for (size_t i = 0; i < shown; ++i)
        printf(" %d", expected.first[i]);
      printf("\nnncc    first %zu:", shown);
      for (size_t i = 0; i < shown; ++i)
        printf(" %d", predictions[i]);
      printf("\n");
    }
    if (differing == 0) {
      printf("matches PyTorch: yes\n");
    } else if (differing <= MAX_DIFFERING_PREDICTIONS) {
      printf("matches PyTorch: yes, within tolerance (correct count differs "
             "by %ld, %ld of the first %zu predictions differ; up to %d "
             "near-tie flips are allowed)\n",
             count_diff, first_diff, shown, MAX_DIFFERING_PREDICTIONS);
    } else {
      printf("matches PyTorch: NO: correct count %zu vs PyTorch's %ld "
             "(differs by %ld), %ld of the first %zu predictions differ; at "
             "most %d differing predictions are allowed\n",
             correct, expected.correct, count_diff, first_diff, shown,
             MAX_DIFFERING_PREDICTIONS);
      goto done;
    }
  }
  exit_code = 0;

done:
  lenet_destroy(ctx);
  free(predictions);
  free(test.labels);
  free(test.pixels);
  return exit_code;
}
