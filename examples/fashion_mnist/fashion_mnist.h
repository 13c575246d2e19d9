//===- fashion_mnist.h - what classify.c and train.c share --------*- C -*-===//
//
// The code both C programs of the example need: reading the images and
// labels of a Fashion-MNIST split from the decompressed idx files, with every
// check and message, a monotonic clock and the report of a failed nnrt call.
// The functions are static, so that each program stays one source file to
// compile next to its generated model header; messages start with the
// `program` the caller passes (its argv[0]). The includer defines
// _POSIX_C_SOURCE (200809L) before any #include, for clock_gettime.
//
// The idx format: a big-endian 32-bit magic number, 2049 for labels (idx1:
// one dimension) and 2051 for images (idx3: count, rows, columns), then one
// big-endian 32-bit size per dimension, then the bytes, row-major.
//
//===----------------------------------------------------------------------===//

#ifndef FASHION_MNIST_FASHION_MNIST_H
#define FASHION_MNIST_FASHION_MNIST_H

#if !defined(_POSIX_C_SOURCE) || _POSIX_C_SOURCE < 200809L
#error "define _POSIX_C_SOURCE as 200809L before any #include"
#endif

#include <nnrt/nnrt.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
  IMAGE_ROWS = 28,
  IMAGE_COLS = 28,
  IMAGE_SIZE = IMAGE_ROWS * IMAGE_COLS,
  NUM_CLASSES = 10,
};

//===----------------------------------------------------------------------===//
// idx files
//===----------------------------------------------------------------------===//

/// Reads an unsigned 32-bit big-endian integer (the idx header format).
static uint32_t read_be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         (uint32_t)p[3];
}

/// Reads a whole idx file: checks the magic number (`expected_magic`, which
/// also fixes the number of dimensions, `ndims`), stores the dimensions in
/// `dims` and returns the data bytes (malloc'ed, exactly the product of the
/// dimensions), or prints an error and returns NULL.
static unsigned char *read_idx(const char *program, const char *path,
                               uint32_t expected_magic, int ndims,
                               uint32_t *dims) {
  unsigned char *data = NULL;
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "%s: cannot open '%s': %s\n", program, path,
            strerror(errno));
    return NULL;
  }

  unsigned char header[16];
  size_t header_size = 4 + 4 * (size_t)ndims;
  size_t got = fread(header, 1, header_size, f);
  if (got < 4) {
    fprintf(stderr,
            "%s: '%s' is too short to be an idx file (%zu bytes; is it "
            "still gzip-compressed?)\n",
            program, path, got);
    goto fail;
  }
  uint32_t magic = read_be32(header);
  if (magic != expected_magic) {
    fprintf(stderr,
            "%s: '%s' has magic number %u (0x%08x), expected %u (an idx%d "
            "%s file)%s\n",
            program, path, (unsigned)magic, (unsigned)magic,
            (unsigned)expected_magic, ndims, ndims == 3 ? "image" : "label",
            header[0] == 0x1f && header[1] == 0x8b
                ? "; it looks gzip-compressed, decompress it with gzip -dc"
                : "");
    goto fail;
  }
  if (got < header_size) {
    fprintf(stderr, "%s: '%s': truncated idx header (%zu of %zu bytes)\n",
            program, path, got, header_size);
    goto fail;
  }

  // The largest Fashion-MNIST file, the training images, needs 47 MB;
  // refuse absurd headers before allocating.
  const size_t max_count = (size_t)1 << 30;
  size_t count = 1;
  for (int i = 0; i < ndims; ++i) {
    dims[i] = read_be32(header + 4 + 4 * i);
    if (dims[i] == 0 || dims[i] > max_count / count) {
      fprintf(stderr, "%s: '%s': implausible idx dimension %d: %u\n", program,
              path, i, (unsigned)dims[i]);
      goto fail;
    }
    count *= dims[i];
  }
  data = malloc(count);
  if (!data) {
    fprintf(stderr, "%s: out of memory reading '%s' (%zu bytes)\n", program,
            path, count);
    goto fail;
  }
  got = fread(data, 1, count, f);
  if (got != count) {
    if (ferror(f))
      fprintf(stderr, "%s: error reading '%s': %s\n", program, path,
              strerror(errno));
    else
      fprintf(stderr,
              "%s: '%s' is truncated: the header announces %zu bytes of "
              "data, the file holds %zu\n",
              program, path, count, got);
    goto fail;
  }
  if (fgetc(f) != EOF) {
    fprintf(stderr,
            "%s: '%s' has data after the %zu bytes its header announces\n",
            program, path, count);
    goto fail;
  }
  fclose(f);
  return data;

fail:
  free(data);
  fclose(f);
  return NULL;
}

/// Images (IMAGE_SIZE bytes each) and their labels (0-9).
typedef struct dataset {
  unsigned char *pixels;
  unsigned char *labels;
  size_t count;
} dataset;

/// Reads the images of the idx3 file `images_path` and their labels, the
/// idx1 file `labels_path`, into `out` (both malloc'ed), and checks that the
/// images are 28x28, that there are as many labels as images and that every
/// label is a class (0-9). Returns 0 on success; prints an error, leaves
/// nothing allocated and returns -1 otherwise.
static int read_dataset(const char *program, const char *images_path,
                        const char *labels_path, dataset *out) {
  uint32_t image_dims[3], label_dims[1];
  out->pixels = read_idx(program, images_path, 2051, 3, image_dims);
  out->labels = NULL;
  if (!out->pixels)
    goto fail;
  out->labels = read_idx(program, labels_path, 2049, 1, label_dims);
  if (!out->labels)
    goto fail;
  if (image_dims[1] != IMAGE_ROWS || image_dims[2] != IMAGE_COLS) {
    fprintf(stderr, "%s: '%s' holds %ux%u images, expected %dx%d\n", program,
            images_path, (unsigned)image_dims[1], (unsigned)image_dims[2],
            IMAGE_ROWS, IMAGE_COLS);
    goto fail;
  }
  if (image_dims[0] != label_dims[0]) {
    fprintf(stderr, "%s: '%s' holds %u images but '%s' holds %u labels\n",
            program, images_path, (unsigned)image_dims[0], labels_path,
            (unsigned)label_dims[0]);
    goto fail;
  }
  out->count = image_dims[0];
  for (size_t i = 0; i < out->count; ++i) {
    if (out->labels[i] >= NUM_CLASSES) {
      fprintf(stderr, "%s: '%s': label %zu is %u, expected 0-9\n", program,
              labels_path, i, (unsigned)out->labels[i]);
      goto fail;
    }
  }
  return 0;

fail:
  free(out->labels);
  free(out->pixels);
  out->pixels = out->labels = NULL;
  out->count = 0;
  return -1;
}

//===----------------------------------------------------------------------===//
// Timing and errors
//===----------------------------------------------------------------------===//

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/// Prints a failed nnrt call with the runtime's message and the context's
/// last error. `rt` is <name>_runtime_context(ctx), the generated accessor of
/// the runtime context (NULL when ctx is, and nnrt_context_last_error(NULL)
/// returns "").
static void report_nnrt_failure(const char *program, const char *call,
                                nnrt_status status, const nnrt_context *rt) {
  const char *detail = nnrt_context_last_error(rt);
  fprintf(stderr, "%s: %s failed: %s%s%s\n", program, call,
          nnrt_status_message(status), *detail ? ": " : "", detail);
}

#endif // FASHION_MNIST_FASHION_MNIST_H
