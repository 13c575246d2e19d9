//===- tensor_io.h - tensor buffers and files for test programs ---*- C -*-===//
//
// Shared by the C programs that run generated models from files
// (test/e2e/harness.c, test/train/train_harness.c): buffers sized by the
// models' tensor descriptors and raw little-endian tensor files.
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_TEST_LIB_TENSOR_IO_H
#define NNCC_TEST_LIB_TENSOR_IO_H

#include <nnrt/nnrt.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/// The batch size the program calls a model with a dynamic batch with
/// (0: none); a -1 in a described shape stands for it.
static int64_t tensor_io_batch_size = 0;

#ifdef HARNESS_BATCH
// Built for a model with a dynamic batch: its packed entries take the batch
// size after the context (`f(ctx, BATCH inputs, outputs)`).
#define BATCH_PARAM int64_t batch_size,
#define BATCH tensor_io_batch_size,

/// Takes the leading `--batch N` (N >= 1) off the command line into
/// tensor_io_batch_size; 0, with a message, when it is not there.
static int take_batch_argument(int *argc, char ***argv) {
  char **args = *argv;
  if (*argc < 3 || strcmp(args[1], "--batch") != 0 ||
      (tensor_io_batch_size = strtoll(args[2], NULL, 10)) < 1) {
    fprintf(stderr, "%s: built for a dynamic batch: --batch N first\n",
            args[0]);
    return 0;
  }
  args[2] = args[0];
  *argc -= 2;
  *argv += 2;
  return 1;
}
#else
#define BATCH_PARAM
#define BATCH
#endif

/// Byte size of a described tensor, or SIZE_MAX for an invalid descriptor.
static size_t tensor_bytes(const nnrt_tensor_info *info) {
  size_t elem = nnrt_dtype_size(info->dtype);
  if (elem == 0)
    return SIZE_MAX;
  if (info->num_elements >= 0)
    return (size_t)info->num_elements * elem;
  // The dynamic batch: the shape's -1 is tensor_io_batch_size.
  if (info->num_elements != -1 || tensor_io_batch_size < 1)
    return SIZE_MAX;
  size_t count = 1;
  for (int32_t d = 0; d < info->rank; ++d)
    count *=
        (size_t)(info->shape[d] == -1 ? tensor_io_batch_size : info->shape[d]);
  return count * elem;
}

/// Allocates one buffer per tensor (aligned like the runtime's own buffers),
/// filled with `fill` bytes. Returns NULL on allocation failure.
static void **alloc_tensors(size_t count,
                            const nnrt_tensor_info *(*info)(size_t), int fill) {
  // One extra slot so a model without inputs still gets a non-NULL array.
  void **buffers = calloc(count + 1, sizeof(void *));
  if (!buffers)
    return NULL;
  for (size_t i = 0; i < count; ++i) {
    size_t bytes = tensor_bytes(info(i));
    buffers[i] = nnrt_aligned_alloc(NNRT_DEFAULT_ALIGNMENT, bytes);
    if (!buffers[i]) {
      fprintf(stderr, "harness: cannot allocate %zu bytes\n", bytes);
      return NULL;
    }
    memset(buffers[i], fill, bytes);
  }
  return buffers;
}

static void free_tensors(void **buffers, size_t count) {
  if (!buffers)
    return;
  for (size_t i = 0; i < count; ++i)
    nnrt_aligned_free(buffers[i]);
  free(buffers);
}

/// Reads `path` into `buffer`, which must be exactly `bytes` long.
static int read_file(const char *path, void *buffer, size_t bytes,
                     const char *what) {
  FILE *file = fopen(path, "rb");
  if (!file) {
    fprintf(stderr, "harness: cannot open %s '%s'\n", what, path);
    return 0;
  }
  int ok = fseek(file, 0, SEEK_END) == 0;
  long size = ok ? ftell(file) : -1;
  if (size < 0 || fseek(file, 0, SEEK_SET) != 0) {
    fprintf(stderr, "harness: cannot determine the size of '%s'\n", path);
    fclose(file);
    return 0;
  }
  if ((size_t)size != bytes) {
    fprintf(stderr, "harness: %s '%s' has %ld bytes, the model expects %zu\n",
            what, path, size, bytes);
    fclose(file);
    return 0;
  }
  ok = bytes == 0 || fread(buffer, 1, bytes, file) == bytes;
  fclose(file);
  if (!ok)
    fprintf(stderr, "harness: cannot read '%s'\n", path);
  return ok;
}

static int write_file(const char *path, const void *buffer, size_t bytes) {
  FILE *file = fopen(path, "wb");
  if (!file) {
    fprintf(stderr, "harness: cannot create output file '%s'\n", path);
    return 0;
  }
  int ok = bytes == 0 || fwrite(buffer, 1, bytes, file) == bytes;
  ok = (fclose(file) == 0) && ok;
  if (!ok)
    fprintf(stderr, "harness: cannot write '%s'\n", path);
  return ok;
}

#endif // NNCC_TEST_LIB_TENSOR_IO_H
