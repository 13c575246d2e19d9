//===- checkpoint.c - Saving and restoring every state of a model -*- C -*-===//
//
// nnrt_hook_save_checkpoint and nnrt_hook_load_checkpoint, behind
// <model>_save_checkpoint and <model>_load_checkpoint: all the states of a
// context (parameters, optimizer moments, step counter) in a small file of
// libnnrt's own format, stored bit for bit, so that training resumed from a
// checkpoint computes exactly what training straight through would have.
//
// The format, version 1 (docs/runtime.md). Integers are little-endian and
// written byte by byte, so files do not depend on the host:
//
//   size      field
//   8         magic "NNRTCKPT"
//   4         format version, uint32: 1
//   8         number of states, uint64
//   then for each state, in the order of the model's state table:
//   4         length of the name in bytes, uint32
//   length    the name (no terminator)
//   4         dtype, uint32: its nnrt_dtype value
//   4         rank, uint32
//   8 * rank  dims, int64 each
//   8         size of the data in bytes, uint64: the product of the dims
//             times the dtype's size
//   size      the data: the elements in row-major order, each little-endian
//   and nothing after the last state.
//
// Loading checks that the file holds exactly the context's states (count,
// names, dtypes, shapes) and reads up to its end before changing any state.
//
//===----------------------------------------------------------------------===//

#include "byte_order.h"
#include "context_impl.h"
#include "file_io.h"
#include "nnrt/nnrt_hooks.h"
#include "shape_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC "NNRTCKPT"
#define MAGIC_SIZE 8
#define FORMAT_VERSION 1

nnrt_status nnrt_hook_save_checkpoint(nnrt_context *ctx, const char *entry,
                                      const nnrt_tensor_info *state_infos,
                                      size_t num_states, const char *path) {
  nnrt_status status =
      nnrt_check_file_hook(ctx, &entry, state_infos, num_states, path);
  if (status != NNRT_OK)
    return status;
  // The format stores name lengths in 32 bits; check before writing
  // anything rather than leave a file that cannot be read back.
  for (size_t i = 0; i < num_states; ++i)
    if (strlen(state_infos[i].name) > UINT32_MAX)
      return nnrt_context_set_error(ctx, NNRT_ERROR_INVALID_ARGUMENT,
                                    "%s: the name of state %zu is too long",
                                    entry, i);

  nnrt_file_writer writer;
  nnrt_writer_open(&writer, ctx, entry, path);
  nnrt_writer_write(&writer, MAGIC, MAGIC_SIZE);
  nnrt_writer_write_uint(&writer, FORMAT_VERSION, 4);
  nnrt_writer_write_uint(&writer, num_states, 8);
  for (size_t i = 0; i < num_states; ++i) {
    const nnrt_tensor_info *info = &state_infos[i];
    size_t name_size = strlen(info->name);
    nnrt_writer_write_uint(&writer, name_size, 4);
    nnrt_writer_write(&writer, info->name, name_size);
    nnrt_writer_write_uint(&writer, (uint32_t)info->dtype, 4);
    nnrt_writer_write_uint(&writer, (uint32_t)info->rank, 4);
    for (int32_t d = 0; d < info->rank; ++d)
      nnrt_writer_write_uint(&writer, (uint64_t)info->shape[d], 8);
    nnrt_writer_write_uint(&writer, nnrt_state_size(info), 8);
    nnrt_writer_write_le(&writer, ctx->states[i].current,
                         (size_t)info->num_elements,
                         nnrt_dtype_size(info->dtype));
  }
  status = nnrt_writer_finish(&writer);
  if (status == NNRT_OK)
    nnrt_context_clear_error(ctx);
  return status;
}

/// A checkpoint being read, and where its problems are reported.
typedef struct reader {
  nnrt_context *ctx;
  const char *entry;
  const char *path;
  const uint8_t *data;
  size_t size;
  size_t pos;
  /// What is being read, for the message of a truncated file.
  const char *field;
  size_t state; ///< SIZE_MAX in the header
  const char *state_name;
} reader;

/// Takes the next `size` bytes, or returns NULL after reporting that the
/// file ends before them.
static const uint8_t *take(reader *r, uint64_t size) {
  if (size <= r->size - r->pos) {
    const uint8_t *bytes = r->data + r->pos;
    r->pos += (size_t)size;
    return bytes;
  }
  if (r->state == SIZE_MAX)
    nnrt_context_set_error(r->ctx, NNRT_ERROR_INVALID_ARGUMENT,
                           "%s: '%s': truncated: the file ends at byte %zu, "
                           "in the %s",
                           r->entry, r->path, r->size, r->field);
  else
    nnrt_context_set_error(r->ctx, NNRT_ERROR_INVALID_ARGUMENT,
                           "%s: '%s': truncated: the file ends at byte %zu, "
                           "in the %s of state %zu ('%s')",
                           r->entry, r->path, r->size, r->field, r->state,
                           r->state_name);
  return NULL;
}

/// Reads a little-endian unsigned integer of `size` bytes named `field`;
/// returns 0 when the file ends first.
static int take_uint(reader *r, size_t size, const char *field,
                     uint64_t *value) {
  r->field = field;
  const uint8_t *bytes = take(r, size);
  if (!bytes)
    return 0;
  *value = nnrt_load_le(bytes, size);
  return 1;
}

static nnrt_status mismatch(reader *r, const char *format, ...)
    NNRT_PRINTF_FORMAT(2, 3);

/// Reports a file that does not hold the model's states.
static nnrt_status mismatch(reader *r, const char *format, ...) {
  char text[NNRT_ERROR_BUFFER_SIZE];
  va_list args;
  va_start(args, format);
  if (vsnprintf(text, sizeof(text), format, args) < 0)
    text[0] = '\0';
  va_end(args);
  return nnrt_context_set_error(r->ctx, NNRT_ERROR_INVALID_ARGUMENT,
                                "%s: '%s': %s", r->entry, r->path, text);
}

/// Copies up to 63 bytes of a name from the file into `out` for a message,
/// with '?' for anything but printable ASCII.
static const char *printable(const uint8_t *name, size_t size, char *out) {
  size_t n = size < 63 ? size : 63;
  for (size_t i = 0; i < n; ++i)
    out[i] = name[i] >= 0x20 && name[i] < 0x7f ? (char)name[i] : '?';
  out[n] = '\0';
  return out;
}

/// Checks state `i` of the file against `info` and, when `dst` is not NULL,
/// copies its data there.
static nnrt_status read_state(reader *r, size_t i, const nnrt_tensor_info *info,
                              void *dst) {
  r->state = i;
  r->state_name = info->name;
  uint64_t name_size, dtype, rank, size;
  if (!take_uint(r, 4, "name length", &name_size))
    return NNRT_ERROR_INVALID_ARGUMENT;
  r->field = "name";
  const uint8_t *name = take(r, name_size);
  if (!name)
    return NNRT_ERROR_INVALID_ARGUMENT;
  if (name_size != strlen(info->name) || memcmp(name, info->name, name_size)) {
    char text[64];
    return mismatch(r, "state %zu is '%s', the model's is '%s'", i,
                    printable(name, (size_t)name_size, text), info->name);
  }
  if (!take_uint(r, 4, "dtype", &dtype))
    return NNRT_ERROR_INVALID_ARGUMENT;
  if (dtype != (uint64_t)info->dtype)
    return mismatch(r, "state '%s' has type %s, the model's is %s", info->name,
                    dtype <= INT32_MAX ? nnrt_dtype_name((nnrt_dtype)dtype)
                                       : "unknown",
                    nnrt_dtype_name(info->dtype));
  if (!take_uint(r, 4, "rank", &rank))
    return NNRT_ERROR_INVALID_ARGUMENT;
  r->field = "dims";
  const uint8_t *dims = take(r, 8 * rank);
  if (!dims)
    return NNRT_ERROR_INVALID_ARGUMENT;
  int same = rank == (uint64_t)info->rank;
  for (size_t d = 0; same && d < rank; ++d)
    same = (int64_t)nnrt_load_le(dims + 8 * d, 8) == info->shape[d];
  if (!same) {
    nnrt_shape_text have, want;
    nnrt_shape_text_init(&have);
    for (size_t d = 0; d < rank; ++d)
      nnrt_shape_text_add(&have, (int64_t)nnrt_load_le(dims + 8 * d, 8));
    return mismatch(r, "state '%s' has shape %s, the model's is %s", info->name,
                    have.text,
                    nnrt_shape_text_of(&want, info->shape, (size_t)info->rank));
  }
  if (!take_uint(r, 8, "data size", &size))
    return NNRT_ERROR_INVALID_ARGUMENT;
  if (size != nnrt_state_size(info))
    return mismatch(r, "state '%s' has %llu bytes of data, its shape needs %zu",
                    info->name, (unsigned long long)size,
                    nnrt_state_size(info));
  r->field = "data";
  const uint8_t *data = take(r, size);
  if (!data)
    return NNRT_ERROR_INVALID_ARGUMENT;
  if (dst)
    nnrt_copy_le(dst, data, (size_t)info->num_elements,
                 nnrt_dtype_size(info->dtype));
  return NNRT_OK;
}

/// Checks the whole file against the context's states and, when `copy` is
/// set, copies every state's data into its current buffer.
static nnrt_status read_checkpoint(reader *r, const nnrt_tensor_info *infos,
                                   size_t num_states, nnrt_context *ctx,
                                   int copy) {
  r->pos = 0;
  r->state = SIZE_MAX;
  if (r->size < MAGIC_SIZE || memcmp(r->data, MAGIC, MAGIC_SIZE) != 0)
    return mismatch(r, "not a libnnrt checkpoint (no " MAGIC " magic)");
  r->pos = MAGIC_SIZE;
  uint64_t version, count;
  if (!take_uint(r, 4, "header", &version))
    return NNRT_ERROR_INVALID_ARGUMENT;
  if (version != FORMAT_VERSION)
    return mismatch(r,
                    "checkpoint format version %llu, this libnnrt reads "
                    "version %d",
                    (unsigned long long)version, FORMAT_VERSION);
  if (!take_uint(r, 8, "header", &count))
    return NNRT_ERROR_INVALID_ARGUMENT;
  if (count != num_states)
    return mismatch(r, "holds %llu states, the model has %zu",
                    (unsigned long long)count, num_states);
  for (size_t i = 0; i < num_states; ++i) {
    nnrt_status status =
        read_state(r, i, &infos[i], copy ? ctx->states[i].current : NULL);
    if (status != NNRT_OK)
      return status;
  }
  if (r->pos != r->size)
    return mismatch(r,
                    "the file goes on after the last state, which ends at byte "
                    "%zu of %zu",
                    r->pos, r->size);
  return NNRT_OK;
}

nnrt_status nnrt_hook_load_checkpoint(nnrt_context *ctx, const char *entry,
                                      const nnrt_tensor_info *state_infos,
                                      size_t num_states, const char *path) {
  nnrt_status status =
      nnrt_check_file_hook(ctx, &entry, state_infos, num_states, path);
  if (status != NNRT_OK)
    return status;
  reader r = {ctx, entry, path, NULL, 0, 0, "", SIZE_MAX, ""};
  uint8_t *data;
  status = nnrt_read_file(ctx, entry, path, &data, &r.size);
  if (status != NNRT_OK)
    return status;
  r.data = data;
  // All or nothing: check the whole file, then copy.
  status = read_checkpoint(&r, state_infos, num_states, ctx, 0);
  if (status == NNRT_OK)
    status = read_checkpoint(&r, state_infos, num_states, ctx, 1);
  free(data);
  if (status == NNRT_OK)
    nnrt_context_clear_error(ctx);
  return status;
}
