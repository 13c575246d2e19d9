//===- runtime_test.c - Tests for libnnrt -------------------------*- C -*-===//
//
// Exercises the public runtime API and the hooks generated code calls
// (nnrt_hooks.h): argument checks, model state, the workspace, and (in
// file_io_test.c) saving and loading models and checkpoints. Prints one line
// per failed check and a final "N passed, M failed" line (matched by
// runtime.test), and exits non-zero if any check failed.
//
// Usage: nnrt-runtime-test [DIR]. The file tests write in DIR, an existing
// empty directory, and leave saved.onnx there for check_saved_onnx.py;
// without DIR they use a new temporary directory and remove it.
//
//===----------------------------------------------------------------------===//

// setenv/unsetenv/sysconf/mkdtemp are POSIX; the test is built as strict C11
// like the runtime itself.
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "../lib/check.h"
#include "file_io_test.h"
#include "nnrt/nnrt.h"
#include "nnrt/nnrt_hooks.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int is_aligned(const void *ptr, size_t alignment) {
  return ((uintptr_t)ptr % alignment) == 0;
}

static void test_status(void) {
  CHECK_STR(nnrt_status_message(NNRT_OK), "ok");
  CHECK_STR(nnrt_status_message(NNRT_ERROR_INVALID_ARGUMENT),
            "invalid argument");
  CHECK_STR(nnrt_status_message(NNRT_ERROR_OUT_OF_MEMORY), "out of memory");
  CHECK_STR(nnrt_status_message(NNRT_ERROR_UNSUPPORTED), "unsupported");
  CHECK_STR(nnrt_status_message(NNRT_ERROR_IO), "I/O error");
  CHECK_STR(nnrt_status_message(NNRT_ERROR_INTERNAL), "internal error");
  CHECK_STR(nnrt_status_message((nnrt_status)6), "unknown status");
  CHECK_STR(nnrt_status_message((nnrt_status)-1), "unknown status");
  CHECK(NNRT_OK == 0);
}

static void test_dtype(void) {
  static const struct {
    nnrt_dtype dtype;
    size_t size;
    const char *name;
  } cases[] = {
      {NNRT_DTYPE_F32, 4, "f32"},   {NNRT_DTYPE_F64, 8, "f64"},
      {NNRT_DTYPE_I8, 1, "i8"},     {NNRT_DTYPE_I16, 2, "i16"},
      {NNRT_DTYPE_I32, 4, "i32"},   {NNRT_DTYPE_I64, 8, "i64"},
      {NNRT_DTYPE_U8, 1, "u8"},     {NNRT_DTYPE_U16, 2, "u16"},
      {NNRT_DTYPE_U32, 4, "u32"},   {NNRT_DTYPE_U64, 8, "u64"},
      {NNRT_DTYPE_BOOL, 1, "bool"}, {NNRT_DTYPE_F16, 2, "f16"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
    CHECK(nnrt_dtype_size(cases[i].dtype) == cases[i].size);
    CHECK_STR(nnrt_dtype_name(cases[i].dtype), cases[i].name);
  }
  CHECK(nnrt_dtype_size((nnrt_dtype)0) == 0);
  CHECK(nnrt_dtype_size((nnrt_dtype)13) == 0);
  CHECK_STR(nnrt_dtype_name((nnrt_dtype)0), "unknown");
  CHECK_STR(nnrt_dtype_name((nnrt_dtype)13), "unknown");
}

static int32_t expected_online_cores(void) {
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  return cores < 1 ? 1 : (int32_t)cores;
}

/// Creates a context with `opts` and returns its thread count, or -1 if
/// creation failed (with `*status` set either way).
static int32_t threads_for(const nnrt_options *opts, nnrt_status *status) {
  // A non-NULL sentinel, so the test sees whether failure resets *out_ctx.
  static char sentinel;
  nnrt_context *ctx = (nnrt_context *)(void *)&sentinel;
  *status = nnrt_context_create(opts, &ctx);
  if (*status != NNRT_OK) {
    CHECK(ctx == NULL);
    return -1;
  }
  CHECK(ctx != NULL);
  CHECK_STR(nnrt_context_last_error(ctx), "");
  int32_t n = nnrt_context_num_threads(ctx);
  nnrt_context_destroy(ctx);
  return n;
}

static void test_options_and_context(void) {
  nnrt_options opts;
  memset(&opts, 0x5a, sizeof(opts));
  nnrt_options_init(&opts);
  CHECK(opts.num_threads == 0);
  nnrt_options_init(NULL); // Must not crash.

  nnrt_status status;
  CHECK(unsetenv("NNRT_NUM_THREADS") == 0);

  // Defaults: online cores.
  CHECK(threads_for(NULL, &status) == expected_online_cores());
  CHECK(status == NNRT_OK);
  CHECK(threads_for(&opts, &status) == expected_online_cores());

  // Explicit count.
  opts.num_threads = 3;
  CHECK(threads_for(&opts, &status) == 3);

  CHECK(nnrt_context_create(NULL, NULL) == NNRT_ERROR_INVALID_ARGUMENT);

  // Environment, used when the option is not positive.
  CHECK(setenv("NNRT_NUM_THREADS", "5", 1) == 0);
  CHECK(threads_for(NULL, &status) == 5);
  opts.num_threads = 0;
  CHECK(threads_for(&opts, &status) == 5);
  opts.num_threads = -7;
  CHECK(threads_for(&opts, &status) == 5);
  // A positive option wins over the environment.
  opts.num_threads = 3;
  CHECK(threads_for(&opts, &status) == 3);
  CHECK(setenv("NNRT_NUM_THREADS", "007", 1) == 0);
  CHECK(threads_for(NULL, &status) == 7);

  // Malformed environment values are errors, not silently ignored.
  static const char *const bad[] = {
      "abc", "0",  "-1",  "+4",         " 4",
      "4x",  "4 ", "1.5", "2147483648", "99999999999999999999"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i) {
    CHECK(setenv("NNRT_NUM_THREADS", bad[i], 1) == 0);
    CHECK(threads_for(NULL, &status) == -1);
    if (status != NNRT_ERROR_INVALID_ARGUMENT)
      printf("FAILED: NNRT_NUM_THREADS='%s' gave status %d\n", bad[i],
             (int)status);
    CHECK(status == NNRT_ERROR_INVALID_ARGUMENT);
  }
  // The reason is reachable without a context.
  CHECK(setenv("NNRT_NUM_THREADS", "4x", 1) == 0);
  nnrt_context *none = (nnrt_context *)&opts;
  CHECK(nnrt_context_create(NULL, &none) == NNRT_ERROR_INVALID_ARGUMENT);
  CHECK(none == NULL);
  CHECK_STR(nnrt_last_create_error(),
            "NNRT_NUM_THREADS='4x' is not a positive decimal integer of at "
            "most 2147483647");
  CHECK(nnrt_context_create(NULL, NULL) == NNRT_ERROR_INVALID_ARGUMENT);
  CHECK_STR(nnrt_last_create_error(), "out_ctx is NULL");
  // ... unless the option makes the environment irrelevant.
  CHECK(setenv("NNRT_NUM_THREADS", "abc", 1) == 0);
  opts.num_threads = 3;
  CHECK(threads_for(&opts, &status) == 3);

  CHECK(setenv("NNRT_NUM_THREADS", "2147483647", 1) == 0);
  CHECK(threads_for(NULL, &status) == INT32_MAX);

  // Empty counts as unset.
  CHECK(setenv("NNRT_NUM_THREADS", "", 1) == 0);
  CHECK(threads_for(NULL, &status) == expected_online_cores());

  CHECK(unsetenv("NNRT_NUM_THREADS") == 0);
  // A success clears the reason.
  CHECK(nnrt_context_create(NULL, &none) == NNRT_OK);
  CHECK_STR(nnrt_last_create_error(), "");
  nnrt_context_destroy(none);

  // NULL contexts.
  CHECK(nnrt_context_num_threads(NULL) == 0);
  CHECK(nnrt_context_last_error(NULL) != NULL);
  CHECK_STR(nnrt_context_last_error(NULL), "");
  nnrt_context_destroy(NULL); // Must not crash.
  CHECK(nnrt_context_set_error(NULL, NNRT_ERROR_IO, "x") == NNRT_ERROR_IO);
  nnrt_context_clear_error(NULL); // Must not crash.
}

static void test_errors(void) {
  nnrt_context *ctx = NULL;
  CHECK(nnrt_context_create(NULL, &ctx) == NNRT_OK);
  if (!ctx)
    return;

  CHECK(nnrt_context_set_error(ctx, NNRT_ERROR_IO, "cannot open '%s': %d",
                               "w.bin", 2) == NNRT_ERROR_IO);
  CHECK_STR(nnrt_context_last_error(ctx), "cannot open 'w.bin': 2");
  nnrt_context_clear_error(ctx);
  CHECK_STR(nnrt_context_last_error(ctx), "");
  CHECK(nnrt_context_set_error(ctx, NNRT_ERROR_UNSUPPORTED, NULL) ==
        NNRT_ERROR_UNSUPPORTED);
  CHECK_STR(nnrt_context_last_error(ctx), "unsupported");

  // Long messages are truncated to the fixed buffer, still terminated.
  char long_name[1000];
  memset(long_name, 'a', sizeof(long_name) - 1);
  long_name[sizeof(long_name) - 1] = '\0';
  nnrt_context_set_error(ctx, NNRT_ERROR_INTERNAL, "%s", long_name);
  CHECK(strlen(nnrt_context_last_error(ctx)) == 255);

  nnrt_context_destroy(ctx);
}

static void test_check_call(void) {
  static const int64_t shape_x[] = {1, 4};
  static const int64_t shape_y[] = {2};
  const nnrt_tensor_info in_infos[] = {
      {"x", NNRT_DTYPE_F32, 2, shape_x, 4},
      {"labels", NNRT_DTYPE_I64, 1, shape_y, 2},
  };
  const nnrt_tensor_info out_infos[] = {
      {"loss", NNRT_DTYPE_F32, 0, NULL, 1},
  };
  float x[4] = {0};
  int64_t labels[2] = {0};
  float loss = 0;
  const void *inputs[] = {x, labels};
  void *outputs[] = {&loss};

  nnrt_context *ctx = NULL;
  CHECK(nnrt_context_create(NULL, &ctx) == NNRT_OK);
  if (!ctx)
    return;

  // NULL context: error, nothing to record into.
  CHECK(nnrt_hook_enter(NULL, "m_train", inputs, in_infos, 2, outputs,
                        out_infos, 1, NULL, 0) == NNRT_ERROR_INVALID_ARGUMENT);

  // All good.
  CHECK(nnrt_hook_enter(ctx, "m_train", inputs, in_infos, 2, outputs, out_infos,
                        1, NULL, 0) == NNRT_OK);
  CHECK_STR(nnrt_context_last_error(ctx), "");

  // NULL input pointer: the message names entry, index and name.
  inputs[1] = NULL;
  CHECK(nnrt_hook_enter(ctx, "m_train", inputs, in_infos, 2, outputs, out_infos,
                        1, NULL, 0) == NNRT_ERROR_INVALID_ARGUMENT);
  CHECK_STR(nnrt_context_last_error(ctx),
            "m_train: input 1 ('labels') is NULL");
  // Without descriptors the name is left out.
  CHECK(nnrt_hook_enter(ctx, "m_train", inputs, NULL, 2, outputs, NULL, 1, NULL,
                        0) == NNRT_ERROR_INVALID_ARGUMENT);
  CHECK_STR(nnrt_context_last_error(ctx), "m_train: input 1 is NULL");
  inputs[1] = labels;

  // A later good call clears the stale message.
  CHECK(nnrt_hook_enter(ctx, "m_train", inputs, in_infos, 2, outputs, out_infos,
                        1, NULL, 0) == NNRT_OK);
  CHECK_STR(nnrt_context_last_error(ctx), "");

  // NULL output pointer.
  outputs[0] = NULL;
  CHECK(nnrt_hook_enter(ctx, "m_train", inputs, in_infos, 2, outputs, out_infos,
                        1, NULL, 0) == NNRT_ERROR_INVALID_ARGUMENT);
  CHECK_STR(nnrt_context_last_error(ctx), "m_train: output 0 ('loss') is NULL");
  outputs[0] = &loss;

  // NULL arrays.
  CHECK(nnrt_hook_enter(ctx, "m_infer", NULL, in_infos, 2, outputs, out_infos,
                        1, NULL, 0) == NNRT_ERROR_INVALID_ARGUMENT);
  CHECK_STR(nnrt_context_last_error(ctx), "m_infer: inputs array is NULL");
  CHECK(nnrt_hook_enter(ctx, "m_infer", inputs, in_infos, 2, NULL, out_infos, 1,
                        NULL, 0) == NNRT_ERROR_INVALID_ARGUMENT);
  CHECK_STR(nnrt_context_last_error(ctx), "m_infer: outputs array is NULL");
  // ... which are fine when there is nothing in them.
  CHECK(nnrt_hook_enter(ctx, "m_noargs", NULL, NULL, 0, NULL, NULL, 0, NULL,
                        0) == NNRT_OK);

  // NULL entry name still gives a readable message.
  inputs[0] = NULL;
  CHECK(nnrt_hook_enter(ctx, NULL, inputs, in_infos, 2, outputs, out_infos, 1,
                        NULL, 0) == NNRT_ERROR_INVALID_ARGUMENT);
  CHECK_STR(nnrt_context_last_error(ctx),
            "<unknown entry>: input 0 ('x') is NULL");

  nnrt_context_destroy(ctx);
}

/// Writes every byte so that valgrind would catch a short allocation.
static void fill(void *ptr, size_t size) { memset(ptr, 0xab, size); }

static void test_aligned_alloc(void) {
  static const size_t alignments[] = {64, 4096};
  for (size_t i = 0; i < 2; ++i) {
    void *p = nnrt_aligned_alloc(alignments[i], 1000);
    CHECK(p != NULL);
    CHECK(is_aligned(p, alignments[i]));
    if (p)
      fill(p, 1000);
    nnrt_aligned_free(p);
  }

  // Small powers of two are raised to sizeof(void *).
  void *small = nnrt_aligned_alloc(1, 10);
  CHECK(small != NULL);
  CHECK(is_aligned(small, sizeof(void *)));
  nnrt_aligned_free(small);

  // Bad alignments.
  CHECK(nnrt_aligned_alloc(3, 16) == NULL);
  CHECK(nnrt_aligned_alloc(0, 16) == NULL);
  CHECK(nnrt_aligned_alloc(96, 16) == NULL);

  // Size 0: valid, unique pointers.
  void *z1 = nnrt_aligned_alloc(64, 0);
  void *z2 = nnrt_aligned_alloc(64, 0);
  CHECK(z1 != NULL);
  CHECK(z2 != NULL);
  CHECK(z1 != z2);
  CHECK(is_aligned(z1, 64));
  nnrt_aligned_free(z1);
  nnrt_aligned_free(z2);

  // Impossible sizes fail cleanly.
  CHECK(nnrt_aligned_alloc(64, SIZE_MAX) == NULL);
  CHECK(nnrt_aligned_alloc(64, SIZE_MAX - 63) == NULL);
  CHECK(nnrt_aligned_alloc(64, (size_t)PTRDIFF_MAX) == NULL);
  CHECK(nnrt_aligned_alloc((size_t)1 << (sizeof(size_t) * 8 - 1), 16) == NULL);

  nnrt_aligned_free(NULL); // Must not crash.
}

static void test_states(void) {
  static const int64_t shape[] = {2, 2};
  const nnrt_tensor_info infos[] = {
      {"w", NNRT_DTYPE_F32, 2, shape, 4},
      {"step", NNRT_DTYPE_I64, 0, NULL, 1},
  };
  static const float w0[] = {1, 2, 3, 4};
  static const int64_t step0 = 7;
  const void *const initial[] = {w0, &step0};
  nnrt_context *ctx = NULL;
  CHECK(nnrt_hook_context_create(&nnrt_hooks_abi_1, NULL, &ctx, infos, initial,
                                 2) == NNRT_OK);
  if (!ctx)
    return;
  CHECK(nnrt_context_num_states(ctx) == 2);
  CHECK(nnrt_context_state_info(ctx, 0) == &infos[0]);
  CHECK(nnrt_context_state_info(ctx, 2) == NULL);
  CHECK(nnrt_context_state_data(ctx, 2) == NULL);
  CHECK(nnrt_context_num_states(NULL) == 0);
  const float *w = nnrt_context_state_data(ctx, 0);
  CHECK(w != NULL && w != w0 && memcmp(w, w0, sizeof(w0)) == 0);
  CHECK(is_aligned(w, NNRT_DEFAULT_ALIGNMENT));
  CHECK(*(const int64_t *)nnrt_context_state_data(ctx, 1) == 7);
  CHECK(nnrt_hook_state(ctx, 0) == w);

  // An update goes to the other buffer and becomes current on commit.
  float *next = nnrt_hook_state_next(ctx, 0);
  CHECK(next != w);
  for (int i = 0; i < 4; ++i)
    next[i] = w[i] * 10;
  CHECK(nnrt_context_state_data(ctx, 0) == w);
  nnrt_hook_state_commit(ctx, 0);
  const float *updated = nnrt_context_state_data(ctx, 0);
  CHECK(updated == next && updated[3] == 40);

  // A context of another model (other states) is refused, whether the
  // number of states differs or only the table.
  CHECK(nnrt_hook_enter(ctx, "other_infer", NULL, NULL, 0, NULL, NULL, 0, infos,
                        1) == NNRT_ERROR_INVALID_ARGUMENT);
  CHECK_STR(nnrt_context_last_error(ctx), "other_infer: the context was "
                                          "created by another model's create "
                                          "function");
  const nnrt_tensor_info other_infos[2] = {infos[0], infos[1]};
  CHECK(nnrt_hook_enter(ctx, "other_infer", NULL, NULL, 0, NULL, NULL, 0,
                        other_infos, 2) == NNRT_ERROR_INVALID_ARGUMENT);

  // A model compiled for other hooks cannot create a context.
  const uint32_t other_abi = NNRT_HOOKS_ABI + 1;
  nnrt_context *none = NULL;
  CHECK(nnrt_hook_context_create(&other_abi, NULL, &none, infos, initial, 2) ==
        NNRT_ERROR_UNSUPPORTED);
  CHECK(none == NULL);
  CHECK_STR(nnrt_last_create_error(),
            "the model was compiled for another version of libnnrt");

  // After a failed allocation the call's writes are not committed.
  CHECK(nnrt_hook_enter(ctx, "m_train", NULL, NULL, 0, NULL, NULL, 0, infos,
                        2) == NNRT_OK);
  CHECK(nnrt_hook_alloc(ctx, 64, SIZE_MAX) == NULL);
  nnrt_hook_state_commit(ctx, 0);
  CHECK(nnrt_context_state_data(ctx, 0) == updated);
  CHECK(nnrt_hook_leave(ctx) == NNRT_ERROR_OUT_OF_MEMORY);
  nnrt_context_destroy(ctx);
}

static void test_workspace(void) {
  nnrt_context *ctx = NULL;
  CHECK(nnrt_context_create(NULL, &ctx) == NNRT_OK);
  if (!ctx)
    return;
  // The first call spills to the heap and sizes the workspace; later calls
  // are served from it, at stable addresses.
  void *first = NULL;
  for (int round = 0; round < 3; ++round) {
    CHECK(nnrt_hook_enter(ctx, "m", NULL, NULL, 0, NULL, NULL, 0, NULL, 0) ==
          NNRT_OK);
    void *a = nnrt_hook_alloc(ctx, 16, 1000);
    void *b = nnrt_hook_alloc(ctx, 4096, 5000);
    void *c = nnrt_hook_alloc(ctx, 64, 0);
    CHECK(a && b && c && a != b && b != c && a != c);
    CHECK(is_aligned(a, NNRT_DEFAULT_ALIGNMENT));
    CHECK(is_aligned(b, 4096));
    if (a && b) {
      fill(a, 1000);
      fill(b, 5000);
    }
    // Frees out of order: a first, then c and b.
    nnrt_hook_free(ctx, a);
    nnrt_hook_free(ctx, c);
    nnrt_hook_free(ctx, b);
    nnrt_hook_free(ctx, NULL); // Must not crash.
    CHECK(nnrt_hook_leave(ctx) == NNRT_OK);
    if (round == 1)
      first = a;
    else if (round == 2)
      CHECK(a == first);
  }

  // Sizes that leave the stack unaligned still converge: from the second
  // call on the same pattern is served from the workspace.
  void *seen[2] = {0};
  for (int round = 0; round < 3; ++round) {
    CHECK(nnrt_hook_enter(ctx, "m", NULL, NULL, 0, NULL, NULL, 0, NULL, 0) ==
          NNRT_OK);
    void *a = nnrt_hook_alloc(ctx, 64, 25);
    void *b = nnrt_hook_alloc(ctx, 256, 777);
    CHECK(a && b && is_aligned(b, 256));
    if (round == 2)
      CHECK(a == seen[0] && b == seen[1]);
    seen[0] = a;
    seen[1] = b;
    nnrt_hook_free(ctx, b);
    nnrt_hook_free(ctx, a);
    CHECK(nnrt_hook_leave(ctx) == NNRT_OK);
  }

  // A workspace of megabytes starts on a 2 MiB boundary (huge pages where
  // Linux allows: nnrt_alloc_block). The first block sits right after its
  // 64-byte header.
  for (int round = 0; round < 2; ++round) {
    CHECK(nnrt_hook_enter(ctx, "m", NULL, NULL, 0, NULL, NULL, 0, NULL, 0) ==
          NNRT_OK);
    unsigned char *big = nnrt_hook_alloc(ctx, 64, (size_t)5 << 20);
    CHECK(big != NULL);
    if (round == 1 && big)
      CHECK(is_aligned(big - 64, (size_t)2 << 20));
    if (big)
      fill(big, (size_t)5 << 20);
    nnrt_hook_free(ctx, big);
    CHECK(nnrt_hook_leave(ctx) == NNRT_OK);
  }

  // A call that returns early leaves blocks behind: leave releases them
  // (valgrind checks no heap block leaks), and the next call starts empty.
  CHECK(nnrt_hook_enter(ctx, "m", NULL, NULL, 0, NULL, NULL, 0, NULL, 0) ==
        NNRT_OK);
  CHECK(nnrt_hook_alloc(ctx, 64, 100) != NULL);
  CHECK(nnrt_hook_alloc(ctx, 64, 1 << 20) != NULL); // beyond the workspace
  CHECK(nnrt_hook_leave(ctx) == NNRT_OK);

  // Impossible requests fail and make the call report it.
  CHECK(nnrt_hook_enter(ctx, "m", NULL, NULL, 0, NULL, NULL, 0, NULL, 0) ==
        NNRT_OK);
  CHECK(nnrt_hook_alloc(ctx, 64, SIZE_MAX) == NULL);
  CHECK(nnrt_hook_alloc(ctx, 96, 16) == NULL);
  CHECK(nnrt_hook_leave(ctx) == NNRT_ERROR_OUT_OF_MEMORY);
  CHECK_STR(nnrt_context_last_error(ctx),
            "out of memory for temporary buffers");
  // ... and only that call.
  CHECK(nnrt_hook_enter(ctx, "m", NULL, NULL, 0, NULL, NULL, 0, NULL, 0) ==
        NNRT_OK);
  CHECK(nnrt_hook_leave(ctx) == NNRT_OK);
  nnrt_context_destroy(ctx);
}

/// nnrt_hook_reserve_workspace, as <model>_create calls it.
static void test_reserve_workspace(void) {
  // A failed creation's status passes through, *out_ctx untouched.
  nnrt_context *ctx = NULL;
  CHECK(nnrt_hook_reserve_workspace(NNRT_ERROR_INVALID_ARGUMENT, &ctx, 100, 1,
                                    0) == NNRT_ERROR_INVALID_ARGUMENT);
  CHECK(ctx == NULL);
  CHECK(nnrt_hook_reserve_workspace(NNRT_ERROR_INVALID_ARGUMENT, NULL, 100, 1,
                                    0) == NNRT_ERROR_INVALID_ARGUMENT);

  // Reserved for 5 MiB in two buffers plus 4 KiB per thread: the first call
  // is served from the workspace (a block of megabytes starts on a 2 MiB
  // boundary, the first buffer right after its 64-byte header; a heap block
  // would not be so aligned), and so is the scratch of every thread.
  nnrt_options opts;
  nnrt_options_init(&opts);
  opts.num_threads = 3;
  CHECK(nnrt_context_create(&opts, &ctx) == NNRT_OK);
  const size_t big = (size_t)5 << 20;
  CHECK(nnrt_hook_reserve_workspace(NNRT_OK, &ctx, big + 1000, 2, 4096) ==
        NNRT_OK);
  CHECK(ctx != NULL);
  if (!ctx)
    return;
  CHECK(nnrt_hook_enter(ctx, "m", NULL, NULL, 0, NULL, NULL, 0, NULL, 0) ==
        NNRT_OK);
  unsigned char *a = nnrt_hook_alloc(ctx, 64, big);
  unsigned char *b = nnrt_hook_alloc(ctx, 64, 1000);
  unsigned char *scratch = nnrt_hook_alloc(ctx, 64, 3 * 4096);
  CHECK(a && b && scratch);
  CHECK(a && is_aligned(a - 64, (size_t)2 << 20));
  // One arena: the buffers follow each other.
  CHECK(a && b && scratch && b > a && b < a + big + 256 && scratch > b &&
        scratch < b + 1000 + 256);
  if (a && b && scratch) {
    fill(a, big);
    fill(b, 1000);
    fill(scratch, 3 * 4096);
  }
  nnrt_hook_free(ctx, scratch);
  nnrt_hook_free(ctx, b);
  nnrt_hook_free(ctx, a);
  CHECK(nnrt_hook_leave(ctx) == NNRT_OK);
  // A smaller reservation keeps the block.
  CHECK(nnrt_hook_reserve_workspace(NNRT_OK, &ctx, 100, 1, 0) == NNRT_OK);
  CHECK(nnrt_hook_enter(ctx, "m", NULL, NULL, 0, NULL, NULL, 0, NULL, 0) ==
        NNRT_OK);
  CHECK(nnrt_hook_alloc(ctx, 64, big) == a);
  CHECK(nnrt_hook_leave(ctx) == NNRT_OK);
  nnrt_context_destroy(ctx);

  // What cannot be had fails the creation: the context is destroyed
  // (valgrind sees no leak) and the reason recorded.
  static const size_t impossible[][3] = {{SIZE_MAX, 1, 0},
                                         {1, SIZE_MAX / 2, 0},
                                         {1, 1, SIZE_MAX / 2},
                                         {SIZE_MAX / 4, 1, SIZE_MAX / 8}};
  for (size_t i = 0; i < sizeof(impossible) / sizeof(impossible[0]); ++i) {
    CHECK(nnrt_context_create(&opts, &ctx) == NNRT_OK);
    CHECK(nnrt_hook_reserve_workspace(NNRT_OK, &ctx, impossible[i][0],
                                      impossible[i][1], impossible[i][2]) ==
          NNRT_ERROR_OUT_OF_MEMORY);
    CHECK(ctx == NULL);
  }
  CHECK_STR(nnrt_last_create_error(),
            "out of memory for the workspace of temporary buffers "
            "(4611686018427387903 bytes, 1 buffers, 2305843009213693951 "
            "bytes per thread)");
}

/// Runs the file tests in `dir`, or in a temporary directory of their own
/// when `dir` is NULL, and adds their counts to this file's.
static void test_files(const char *dir) {
  char temp_dir[] = "/tmp/nnrt-runtime-test.XXXXXX";
  if (!dir) {
    dir = mkdtemp(temp_dir);
    CHECK(dir != NULL);
    if (!dir)
      return;
  }
  int passed = 0, failed = 0;
  run_file_io_tests(dir, &passed, &failed);
  check_num_passed += passed;
  check_num_failed += failed;
  if (dir == temp_dir) {
    char saved[sizeof(temp_dir) + 16];
    snprintf(saved, sizeof(saved), "%s/saved.onnx", dir);
    remove(saved);
    CHECK(rmdir(dir) == 0);
  }
}

int main(int argc, char **argv) {
  test_status();
  test_dtype();
  test_options_and_context();
  test_errors();
  test_check_call();
  test_aligned_alloc();
  test_states();
  test_workspace();
  test_reserve_workspace();
  test_files(argc > 1 ? argv[1] : NULL);
  return check_report();
}
