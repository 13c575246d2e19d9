//===- file_io.c - whole-file reads and all-or-nothing writes -----*- C -*-===//
//
// Reading a model or checkpoint file into memory, and writing one through a
// temporary file renamed over the target, so that a failed or interrupted
// save never leaves a truncated file where a good one was.
//
//===----------------------------------------------------------------------===//

// open, fdopen, fileno, fstat, fsync, getpid and strerror_r are POSIX; the
// runtime is compiled as strict C11, which hides them.
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "file_io.h"
#include "byte_order.h"
#include "context_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/// Room for any strerror text.
#define ERRNO_TEXT_SIZE 128

/// The text of `err`, as strerror gives it. strerror_r (the POSIX variant,
/// which this file gets by not defining _GNU_SOURCE) because contexts may be
/// used from several threads at once and strerror need not be thread-safe.
static const char *errno_text(int err, char *buffer) {
  if (strerror_r(err, buffer, ERRNO_TEXT_SIZE) != 0)
    snprintf(buffer, ERRNO_TEXT_SIZE, "error %d", err);
  return buffer;
}

static nnrt_status read_error(nnrt_context *ctx, const char *entry,
                              const char *path, const char *what, int err) {
  char text[ERRNO_TEXT_SIZE];
  return nnrt_context_set_error(ctx, NNRT_ERROR_IO, "%s: cannot %s '%s': %s",
                                entry, what, path, errno_text(err, text));
}

nnrt_status nnrt_check_file_hook(nnrt_context *ctx, const char **entry,
                                 const nnrt_tensor_info *state_infos,
                                 size_t num_states, const char *path) {
  if (!ctx)
    return NNRT_ERROR_INVALID_ARGUMENT;
  if (!*entry)
    *entry = "<unknown entry>";
  nnrt_status status = nnrt_check_model(ctx, *entry, state_infos, num_states);
  if (status != NNRT_OK)
    return status;
  if (!path)
    return nnrt_context_set_error(ctx, NNRT_ERROR_INVALID_ARGUMENT,
                                  "%s: path is NULL", *entry);
  return NNRT_OK;
}

nnrt_status nnrt_read_file(nnrt_context *ctx, const char *entry,
                           const char *path, uint8_t **out_data,
                           size_t *out_size) {
  *out_data = NULL;
  *out_size = 0;
  FILE *file = fopen(path, "rb");
  if (!file)
    return read_error(ctx, entry, path, "open", errno);

  // The size of a regular file sizes the buffer (one byte more, so reaching
  // the end needs no second allocation); anything else, such as a pipe, is
  // read in growing chunks.
  size_t capacity = 1 << 16;
  struct stat info;
  if (fstat(fileno(file), &info) == 0 && S_ISREG(info.st_mode) &&
      info.st_size >= 0) {
    if ((uintmax_t)info.st_size >= (uintmax_t)SIZE_MAX) {
      fclose(file);
      return nnrt_context_set_error(
          ctx, NNRT_ERROR_OUT_OF_MEMORY,
          "%s: '%s' (%jd bytes) is too large to read into memory", entry, path,
          (intmax_t)info.st_size);
    }
    capacity = (size_t)info.st_size + 1;
  }

  uint8_t *data = malloc(capacity);
  size_t size = 0;
  for (;;) {
    if (!data) {
      fclose(file);
      return nnrt_context_set_error(ctx, NNRT_ERROR_OUT_OF_MEMORY,
                                    "%s: out of memory reading '%s'", entry,
                                    path);
    }
    size += fread(data + size, 1, capacity - size, file);
    // fread stops short only at the end of the file or on an error.
    if (size < capacity) {
      if (!ferror(file))
        break;
      int err = errno;
      free(data);
      fclose(file);
      return read_error(ctx, entry, path, "read", err);
    }
    // Longer than fstat said, or not a regular file: grow and read on.
    uint8_t *grown =
        capacity <= SIZE_MAX / 2 ? realloc(data, capacity * 2) : NULL;
    if (!grown)
      free(data);
    data = grown;
    capacity *= 2;
  }
  // Nothing was written, so closing cannot lose data: its result is moot.
  fclose(file);
  *out_data = data;
  *out_size = size;
  return NNRT_OK;
}

/// Records the first failure of a writer; `what` says which step failed, as
/// a verb phrase that takes the path as its object.
static void writer_fail(nnrt_file_writer *writer, const char *what, int err) {
  if (writer->status != NNRT_OK)
    return;
  char text[ERRNO_TEXT_SIZE];
  writer->status = nnrt_context_set_error(
      writer->ctx, NNRT_ERROR_IO, "%s: cannot %s '%s': %s", writer->entry, what,
      writer->path, errno_text(err, text));
}

nnrt_status nnrt_writer_open(nnrt_file_writer *writer, nnrt_context *ctx,
                             const char *entry, const char *path) {
  writer->ctx = ctx;
  writer->entry = entry;
  writer->path = path;
  writer->temp_path = NULL;
  writer->file = NULL;
  writer->status = NNRT_OK;

  // Room for ".tmp.<pid>.<n>" with 64-bit numbers.
  size_t room = strlen(path) + 48;
  char *temp_path = malloc(room);
  if (!temp_path) {
    writer->status =
        nnrt_context_set_error(ctx, NNRT_ERROR_OUT_OF_MEMORY,
                               "%s: out of memory writing '%s'", entry, path);
    return writer->status;
  }
  // Not mkstemp: its files are private (mode 0600), and the renamed file
  // should get the usual permissions of a new file (0666 less the umask).
  // O_EXCL makes the name ours alone; the pid and the counter keep other
  // processes and threads saving next to us from colliding.
  int fd = -1;
  int err = EEXIST;
  for (unsigned attempt = 0; attempt < 100 && fd < 0 && err == EEXIST;
       ++attempt) {
    snprintf(temp_path, room, "%s.tmp.%ld.%u", path, (long)getpid(), attempt);
    fd = open(temp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0)
      err = errno;
  }
  if (fd < 0) {
    free(temp_path);
    writer_fail(writer, "create a temporary file next to", err);
    return writer->status;
  }
  writer->temp_path = temp_path;
  writer->file = fdopen(fd, "wb");
  if (!writer->file) {
    writer_fail(writer, "write", errno);
    close(fd);
    return nnrt_writer_finish(writer);
  }
  return NNRT_OK;
}

void nnrt_writer_write(nnrt_file_writer *writer, const void *data,
                       size_t size) {
  if (writer->status != NNRT_OK || size == 0)
    return;
  if (fwrite(data, 1, size, writer->file) != size)
    writer_fail(writer, "write", errno);
}

void nnrt_writer_write_le(nnrt_file_writer *writer, const void *data,
                          size_t count, size_t elem_size) {
  if (nnrt_host_is_little_endian() || elem_size == 1) {
    nnrt_writer_write(writer, data, count * elem_size);
    return;
  }
  // Big-endian hosts: swap through a small buffer rather than a copy of the
  // whole tensor. elem_size (1, 2, 4 or 8) divides its size.
  uint8_t chunk[4096];
  size_t per_chunk = sizeof(chunk) / elem_size;
  const uint8_t *in = data;
  while (count > 0) {
    size_t n = count < per_chunk ? count : per_chunk;
    nnrt_copy_le(chunk, in, n, elem_size);
    nnrt_writer_write(writer, chunk, n * elem_size);
    in += n * elem_size;
    count -= n;
  }
}

void nnrt_writer_write_uint(nnrt_file_writer *writer, uint64_t value,
                            size_t size) {
  uint8_t bytes[8];
  nnrt_store_le(bytes, value, size);
  nnrt_writer_write(writer, bytes, size);
}

nnrt_status nnrt_writer_finish(nnrt_file_writer *writer) {
  if (writer->file) {
    // fwrite may only have buffered the data: a full disk shows at the
    // flush, and fsync makes sure the rename below never exposes a file
    // whose contents are not on the disk yet.
    if (fflush(writer->file) != 0)
      writer_fail(writer, "write", errno);
    else if (writer->status == NNRT_OK && fsync(fileno(writer->file)) != 0)
      writer_fail(writer, "sync", errno);
    if (fclose(writer->file) != 0)
      writer_fail(writer, "close", errno);
    writer->file = NULL;
  }
  if (writer->temp_path) {
    if (writer->status == NNRT_OK && rename(writer->temp_path, writer->path))
      writer_fail(writer, "rename the temporary file to", errno);
    if (writer->status != NNRT_OK)
      remove(writer->temp_path);
    free(writer->temp_path);
    writer->temp_path = NULL;
  }
  return writer->status;
}
