//===- context.c - Runtime contexts and errors --------------------*- C -*-===//
//
// nnrt_context: the per-user state of the runtime (resolved thread count and
// thread pool, last error message, the model's state buffers), options
// defaults, and the hooks generated entry points call around the model code.
//
//===----------------------------------------------------------------------===//

// sysconf is POSIX, not C11; request it explicitly because the runtime is
// compiled with -std=c11, which hides POSIX declarations.
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "context_impl.h"
#include "nnrt/nnrt_hooks.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/// Why the last nnrt_context_create on this thread failed. Thread-local (like
/// errno) because there is no context to hold it; it is the runtime's only
/// static state and never affects a computation.
static _Thread_local char create_error[NNRT_ERROR_BUFFER_SIZE];

static nnrt_status fail_create(nnrt_status status, const char *format, ...)
    NNRT_PRINTF_FORMAT(2, 3);

static nnrt_status fail_create(nnrt_status status, const char *format, ...) {
  va_list args;
  va_start(args, format);
  if (vsnprintf(create_error, sizeof(create_error), format, args) < 0)
    snprintf(create_error, sizeof(create_error), "%s",
             nnrt_status_message(status));
  va_end(args);
  return status;
}

const char *nnrt_last_create_error(void) { return create_error; }

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
  if (env && env[0] != '\0') {
    if (parse_thread_count(env, out) != NNRT_OK)
      return fail_create(NNRT_ERROR_INVALID_ARGUMENT,
                         "NNRT_NUM_THREADS='%.64s' is not a positive decimal "
                         "integer of at most %d",
                         env, (int)INT32_MAX);
    return NNRT_OK;
  }
  *out = online_cores();
  return NNRT_OK;
}

/// Reads NNRT_PIN_THREADS: "1" or unset/empty pins the pool's workers
/// (parallel.c says why), "0" leaves their placement to the scheduler.
static nnrt_status resolve_pinning(int *out) {
  const char *env = getenv("NNRT_PIN_THREADS");
  if (!env || env[0] == '\0' || strcmp(env, "1") == 0) {
    *out = 1;
    return NNRT_OK;
  }
  if (strcmp(env, "0") == 0) {
    *out = 0;
    return NNRT_OK;
  }
  return fail_create(NNRT_ERROR_INVALID_ARGUMENT,
                     "NNRT_PIN_THREADS='%.64s' is not 0 or 1", env);
}

const uint32_t nnrt_hooks_abi_1 = NNRT_HOOKS_ABI;

nnrt_status nnrt_context_create(const nnrt_options *opts,
                                nnrt_context **out_ctx) {
  return nnrt_hook_context_create(&nnrt_hooks_abi_1, opts, out_ctx, NULL, NULL,
                                  0);
}

/// Allocates and fills the two buffers of every state.
static nnrt_status create_states(nnrt_context *ctx,
                                 const nnrt_tensor_info *infos,
                                 const void *const *initial, size_t count) {
  if (count == 0)
    return NNRT_OK;
  ctx->states = calloc(count, sizeof(nnrt_state));
  if (!ctx->states)
    return fail_create(NNRT_ERROR_OUT_OF_MEMORY, "out of memory for %zu states",
                       count);
  ctx->num_states = count;
  for (size_t i = 0; i < count; ++i) {
    nnrt_state *state = &ctx->states[i];
    size_t bytes = nnrt_state_size(&infos[i]);
    state->info = &infos[i];
    state->current = nnrt_aligned_alloc(NNRT_DEFAULT_ALIGNMENT, bytes);
    state->next = nnrt_aligned_alloc(NNRT_DEFAULT_ALIGNMENT, bytes);
    if (!state->current || !state->next)
      return fail_create(NNRT_ERROR_OUT_OF_MEMORY,
                         "out of memory for state '%.64s' (%zu bytes)",
                         infos[i].name, bytes);
    memcpy(state->current, initial[i], bytes);
  }
  return NNRT_OK;
}

nnrt_status nnrt_hook_context_create(const uint32_t *abi,
                                     const nnrt_options *opts,
                                     nnrt_context **out_ctx,
                                     const nnrt_tensor_info *state_infos,
                                     const void *const *state_initial,
                                     size_t num_states) {
  create_error[0] = '\0';
  if (!abi || *abi != NNRT_HOOKS_ABI)
    return fail_create(NNRT_ERROR_UNSUPPORTED,
                       "the model was compiled for another version of libnnrt");
  if (!out_ctx)
    return fail_create(NNRT_ERROR_INVALID_ARGUMENT, "out_ctx is NULL");
  *out_ctx = NULL;

  int32_t num_threads = 0;
  nnrt_status status = resolve_thread_count(opts, &num_threads);
  if (status != NNRT_OK)
    return status;
  int pin_workers = 1;
  status = resolve_pinning(&pin_workers);
  if (status != NNRT_OK)
    return status;

  // Cache-line aligned so that contexts driven by different threads never
  // share a line when one of them writes its error buffer.
  nnrt_context *ctx =
      nnrt_aligned_alloc(NNRT_DEFAULT_ALIGNMENT, sizeof(nnrt_context));
  if (!ctx)
    return fail_create(NNRT_ERROR_OUT_OF_MEMORY, "out of memory for a context");
  ctx->num_threads = num_threads;
  ctx->pin_workers = pin_workers;
  ctx->pool_started = 0;
  ctx->in_parallel_loop = 0;
  ctx->pool = NULL;
  ctx->last_error[0] = '\0';
  ctx->num_states = 0;
  ctx->states = NULL;
  nnrt_workspace_init(&ctx->workspace);
  status = create_states(ctx, state_infos, state_initial, num_states);
  if (status != NNRT_OK) {
    nnrt_context_destroy(ctx);
    return status;
  }
  *out_ctx = ctx;
  return NNRT_OK;
}

nnrt_status nnrt_hook_reserve_workspace(nnrt_status status,
                                        nnrt_context **out_ctx, size_t bytes,
                                        size_t buffers, size_t thread_scratch) {
  if (status != NNRT_OK || !out_ctx || !*out_ctx)
    return status;
  nnrt_context *ctx = *out_ctx;
  // What nnrt_hook_alloc needs at most per buffer besides its bytes: a
  // header and the padding to NNRT_DEFAULT_ALIGNMENT (a buffer aligned more
  // may not fit; the call then takes it from the heap and the workspace
  // grows after it, as without a reservation). The thread scratch is one
  // buffer of a slice per thread (nncc-cpu-parallelize). Sizes beyond half
  // the address space cannot be had.
  const size_t limit = SIZE_MAX / 4, per_buffer = nnrt_workspace_overhead();
  size_t threads = (size_t)ctx->num_threads;
  int overflow = bytes > limit || buffers > limit / per_buffer ||
                 (thread_scratch > 0 && thread_scratch > limit / threads);
  size_t need = 0;
  if (!overflow) {
    need = bytes + buffers * per_buffer;
    if (thread_scratch > 0)
      need += thread_scratch * threads + per_buffer;
  }
  if (overflow || !nnrt_workspace_reserve(&ctx->workspace, need)) {
    nnrt_context_destroy(ctx);
    *out_ctx = NULL;
    return fail_create(NNRT_ERROR_OUT_OF_MEMORY,
                       "out of memory for the workspace of temporary buffers "
                       "(%zu bytes, %zu buffers, %zu bytes per thread)",
                       bytes, buffers, thread_scratch);
  }
  return NNRT_OK;
}

void nnrt_context_destroy(nnrt_context *ctx) {
  if (!ctx)
    return;
  // Joins the workers, so that no thread of the runtime outlives its context
  // (an application may unload or exit cleanly after destroying it).
  nnrt_pool_destroy(ctx->pool);
  for (size_t i = 0; i < ctx->num_states; ++i) {
    nnrt_aligned_free(ctx->states[i].current);
    nnrt_aligned_free(ctx->states[i].next);
  }
  free(ctx->states);
  nnrt_workspace_destroy(&ctx->workspace);
  nnrt_aligned_free(ctx);
}

size_t nnrt_context_num_states(const nnrt_context *ctx) {
  return ctx ? ctx->num_states : 0;
}

const nnrt_tensor_info *nnrt_context_state_info(const nnrt_context *ctx,
                                                size_t index) {
  return ctx && index < ctx->num_states ? ctx->states[index].info : NULL;
}

const void *nnrt_context_state_data(const nnrt_context *ctx, size_t index) {
  return ctx && index < ctx->num_states ? ctx->states[index].current : NULL;
}

void *nnrt_hook_state(nnrt_context *ctx, size_t index) {
  return ctx->states[index].current;
}

void *nnrt_hook_state_next(nnrt_context *ctx, size_t index) {
  return ctx->states[index].next;
}

void nnrt_hook_state_commit(nnrt_context *ctx, size_t index) {
  if (ctx->workspace.status != NNRT_OK)
    return;
  nnrt_state *state = &ctx->states[index];
  void *old = state->current;
  state->current = state->next;
  state->next = old;
}

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

nnrt_status nnrt_check_model(nnrt_context *ctx, const char *entry,
                             const nnrt_tensor_info *state_infos,
                             size_t num_states) {
  // Comparing the table's address, not its contents, also tells apart two
  // models whose states happen to look alike.
  if (ctx->num_states != num_states ||
      (num_states != 0 && ctx->states[0].info != state_infos))
    return nnrt_context_set_error(
        ctx, NNRT_ERROR_INVALID_ARGUMENT,
        "%s: the context was created by another model's create function",
        entry);
  return NNRT_OK;
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

nnrt_status nnrt_hook_check_batch(nnrt_context *ctx, const char *entry,
                                  int64_t batch_size, int64_t max_batch_size) {
  if (!ctx)
    return NNRT_ERROR_INVALID_ARGUMENT;
  if (batch_size >= 1 && batch_size <= max_batch_size)
    return NNRT_OK;
  return nnrt_context_set_error(ctx, NNRT_ERROR_INVALID_ARGUMENT,
                                "%s: batch_size %lld is not in [1, %lld]",
                                entry ? entry : "<unknown entry>",
                                (long long)batch_size,
                                (long long)max_batch_size);
}

nnrt_status
nnrt_hook_enter(nnrt_context *ctx, const char *entry, const void *const *inputs,
                const nnrt_tensor_info *input_infos, size_t num_inputs,
                void *const *outputs, const nnrt_tensor_info *output_infos,
                size_t num_outputs, const nnrt_tensor_info *state_infos,
                size_t num_states) {
  if (!ctx)
    return NNRT_ERROR_INVALID_ARGUMENT;
  if (!entry)
    entry = "<unknown entry>";
  nnrt_status status = nnrt_check_model(ctx, entry, state_infos, num_states);
  if (status != NNRT_OK)
    return status;
  status =
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
