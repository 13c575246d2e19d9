//===- context.c - Runtime contexts and errors --------------------*- C -*-===//
//
// nnrt_context: the per-user state of the runtime (resolved thread count and
// last error message), options defaults, and the argument checks generated
// entry points run before touching any tensor.
//
//===----------------------------------------------------------------------===//

// sysconf is POSIX, not C11; request it explicitly because the runtime is
// compiled with -std=c11, which hides POSIX declarations.
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "nnrt/nnrt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/// Size of the last-error buffer, terminator included. Fixed so that
/// recording an error never allocates: it is often reported precisely when
/// memory has run out.
#define NNRT_ERROR_BUFFER_SIZE 256

struct nnrt_context {
  int32_t num_threads;
  char last_error[NNRT_ERROR_BUFFER_SIZE];
};

void nnrt_options_init(nnrt_options *opts) {
  if (!opts)
    return;
  opts->num_threads = 0;
}

/// Parses a NNRT_NUM_THREADS value. Only decimal digits are accepted: strtol
/// would also take leading blanks, a sign and trailing junk, silently turning
/// typos such as "4x" or "-4" into a thread count.
static nnrt_status parse_thread_count(const char *text, int32_t *out) {
  int64_t value = 0;
  for (const char *p = text; *p != '\0'; ++p) {
    if (*p < '0' || *p > '9')
      return NNRT_ERROR_INVALID_ARGUMENT;
    value = value * 10 + (*p - '0');
    if (value > INT32_MAX)
      return NNRT_ERROR_INVALID_ARGUMENT;
  }
  if (value <= 0)
    return NNRT_ERROR_INVALID_ARGUMENT;
  *out = (int32_t)value;
  return NNRT_OK;
}

static int32_t online_cores(void) {
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  // sysconf returns -1 when the count is unknown; one thread is always
  // correct, merely slower.
  if (cores < 1)
    return 1;
  if (cores > INT32_MAX)
    return INT32_MAX;
  return (int32_t)cores;
}

/// Applies the documented precedence: explicit option, then environment, then
/// hardware.
static nnrt_status resolve_thread_count(const nnrt_options *opts,
                                        int32_t *out) {
  if (opts && opts->num_threads > 0) {
    *out = opts->num_threads;
    return NNRT_OK;
  }
  // An empty value counts as unset, so `NNRT_NUM_THREADS= app` can override an
  // exported setting without unsetting it.
  const char *env = getenv("NNRT_NUM_THREADS");
  if (env && env[0] != '\0')
    return parse_thread_count(env, out);
  *out = online_cores();
  return NNRT_OK;
}

nnrt_status nnrt_context_create(const nnrt_options *opts,
                                nnrt_context **out_ctx) {
  if (!out_ctx)
    return NNRT_ERROR_INVALID_ARGUMENT;
  *out_ctx = NULL;

  int32_t num_threads = 0;
  nnrt_status status = resolve_thread_count(opts, &num_threads);
  if (status != NNRT_OK)
    return status;

  // Cache-line aligned so that contexts driven by different threads never
  // share a line when one of them writes its error buffer.
  nnrt_context *ctx =
      nnrt_aligned_alloc(NNRT_DEFAULT_ALIGNMENT, sizeof(nnrt_context));
  if (!ctx)
    return NNRT_ERROR_OUT_OF_MEMORY;
  ctx->num_threads = num_threads;
  ctx->last_error[0] = '\0';
  *out_ctx = ctx;
  return NNRT_OK;
}

void nnrt_context_destroy(nnrt_context *ctx) { nnrt_aligned_free(ctx); }

int32_t nnrt_context_num_threads(const nnrt_context *ctx) {
  return ctx ? ctx->num_threads : 0;
}

const char *nnrt_context_last_error(const nnrt_context *ctx) {
  return ctx ? ctx->last_error : "";
}

nnrt_status nnrt_context_set_error(nnrt_context *ctx, nnrt_status status,
                                   const char *format, ...) {
  if (!ctx)
    return status;
  if (!format) {
    snprintf(ctx->last_error, sizeof(ctx->last_error), "%s",
             nnrt_status_message(status));
    return status;
  }
  va_list args;
  va_start(args, format);
  // vsnprintf truncates and always terminates; an encoding error (negative
  // result) may leave the buffer unspecified, so reset it to be safe.
  if (vsnprintf(ctx->last_error, sizeof(ctx->last_error), format, args) < 0)
    snprintf(ctx->last_error, sizeof(ctx->last_error), "%s",
             nnrt_status_message(status));
  va_end(args);
  return status;
}

void nnrt_context_clear_error(nnrt_context *ctx) {
  if (ctx)
    ctx->last_error[0] = '\0';
}

/// Checks one pointer array of an entry point. `kind` is "input" or "output".
static nnrt_status check_tensor_array(nnrt_context *ctx, const char *entry,
                                      const char *kind,
                                      const void *const *pointers,
                                      const nnrt_tensor_info *infos,
                                      size_t count) {
  if (count == 0)
    return NNRT_OK;
  if (!pointers)
    return nnrt_context_set_error(ctx, NNRT_ERROR_INVALID_ARGUMENT,
                                  "%s: %ss array is NULL", entry, kind);
  for (size_t i = 0; i < count; ++i) {
    if (pointers[i])
      continue;
    const char *name = infos ? infos[i].name : NULL;
    if (name)
      return nnrt_context_set_error(ctx, NNRT_ERROR_INVALID_ARGUMENT,
                                    "%s: %s %zu ('%s') is NULL", entry, kind, i,
                                    name);
    return nnrt_context_set_error(ctx, NNRT_ERROR_INVALID_ARGUMENT,
                                  "%s: %s %zu is NULL", entry, kind, i);
  }
  return NNRT_OK;
}

nnrt_status nnrt_context_check_call(nnrt_context *ctx, const char *entry,
                                    const void *const *inputs,
                                    const nnrt_tensor_info *input_infos,
                                    size_t num_inputs, void *const *outputs,
                                    const nnrt_tensor_info *output_infos,
                                    size_t num_outputs) {
  if (!ctx)
    return NNRT_ERROR_INVALID_ARGUMENT;
  if (!entry)
    entry = "<unknown entry>";
  nnrt_status status =
      check_tensor_array(ctx, entry, "input", inputs, input_infos, num_inputs);
  if (status != NNRT_OK)
    return status;
  // `void *const *` converts to `const void *const *` implicitly in C++ but
  // not in C, hence the cast; the array is only read.
  status =
      check_tensor_array(ctx, entry, "output", (const void *const *)outputs,
                         output_infos, num_outputs);
  if (status != NNRT_OK)
    return status;
  nnrt_context_clear_error(ctx);
  return NNRT_OK;
}
