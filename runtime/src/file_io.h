//===- file_io.h - whole-file reads and all-or-nothing writes -----*- C -*-===//
//
// Private to libnnrt: the file handling shared by the ONNX and checkpoint
// hooks (onnx_io.c, checkpoint.c). Every failure is recorded in the context
// with the entry point's name and the file's, as "<entry>: '<path>': ...".
//
//===----------------------------------------------------------------------===//

#ifndef NNRT_SRC_FILE_IO_H
#define NNRT_SRC_FILE_IO_H

#include "nnrt/nnrt.h"

#include <stdio.h>

/// The checks every file hook starts with: a NULL `ctx` fails without a
/// message, a NULL `*entry` becomes "<unknown entry>", then `ctx` must hold
/// the states of the model (nnrt_check_model) and `path` must not be NULL.
nnrt_status nnrt_check_file_hook(nnrt_context *ctx, const char **entry,
                                 const nnrt_tensor_info *state_infos,
                                 size_t num_states, const char *path);

/// Reads the whole file at `path` into a new buffer, which the caller
/// releases with free(). Returns NNRT_ERROR_IO (message with strerror) when
/// the file cannot be opened or read, NNRT_ERROR_OUT_OF_MEMORY when it does
/// not fit in memory. `*out_data` is NULL unless NNRT_OK is returned.
nnrt_status nnrt_read_file(nnrt_context *ctx, const char *entry,
                           const char *path, uint8_t **out_data,
                           size_t *out_size);

/// Writes a file so that `path` either keeps its old contents or gets the
/// complete new ones: the data goes to a new temporary file next to `path`,
/// which replaces `path` (rename) only once everything was written and
/// flushed to the disk. Use: nnrt_writer_open, any number of
/// nnrt_writer_write*, then always nnrt_writer_finish.
typedef struct nnrt_file_writer {
  nnrt_context *ctx;
  const char *entry;
  const char *path;
  char *temp_path; ///< the temporary file, NULL once it is gone
  FILE *file;
  /// The first failure; later writes do nothing once it is set, so callers
  /// check only the result of nnrt_writer_finish.
  nnrt_status status;
} nnrt_file_writer;

/// Creates the temporary file for `path` (`path`.tmp.<pid>.<n>). On failure
/// records why and returns the status, after which nnrt_writer_finish is a
/// harmless no-op returning the same status.
nnrt_status nnrt_writer_open(nnrt_file_writer *writer, nnrt_context *ctx,
                             const char *entry, const char *path);

/// Appends `size` bytes.
void nnrt_writer_write(nnrt_file_writer *writer, const void *data, size_t size);

/// Appends `count` elements of `elem_size` bytes, each in little-endian byte
/// order whatever the host's.
void nnrt_writer_write_le(nnrt_file_writer *writer, const void *data,
                          size_t count, size_t elem_size);

/// Appends the low `size` bytes of `value`, little-endian.
void nnrt_writer_write_uint(nnrt_file_writer *writer, uint64_t value,
                            size_t size);

/// If every write succeeded, flushes the file to the disk and renames it to
/// `path`; otherwise, or if that fails, removes it and leaves `path` as it
/// was. Returns NNRT_OK or the first failure (recorded in the context).
nnrt_status nnrt_writer_finish(nnrt_file_writer *writer);

#endif // NNRT_SRC_FILE_IO_H
