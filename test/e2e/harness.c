//===- harness.c - Generic driver for a model compiled by nncc ----*- C -*-===//
//
// Runs any model compiled with `nncc ... --name model` through the generated
// C API, without knowing its signature at compile time (it is discovered with
// model_num_inputs/model_input_info). Used by the end-to-end tests
// (test/e2e/run_model.py) and the ONNX node tests (test/onnx-node/).
//
//   harness <in_0.bin> ... -- <out_0.bin> ...
//       Reads every input as raw little-endian data in the model's element
//       type (the file size must be num_elements * element size), runs
//       model_infer_packed once and writes every output the same way.
//
//   harness --batch N ...
//       Built with -DHARNESS_BATCH, for a model compiled with a dynamic
//       batch: the same at batch size N (the -1 of the shapes), which
//       model_infer_packed takes; --check-bad-args also checks bad batch
//       sizes.
//
//   harness --describe
//       Prints one line per input and output: name, element type, shape.
//
//   harness --check-bad-args
//       Checks the generated entry points' handling of wrong arguments (NULL
//       context, NULL tensors, out-of-range queries) and prints one line per
//       failed check, then "N passed, M failed".
//
// Exits 0 on success and 1 on any error, always with a message on stderr
// saying which step failed.
//
// Build: cc -std=c11 -I<dir of model.h> -I<repo>/runtime/include harness.c
//        model.o -L<build>/runtime -lnnrt -lm -lpthread
// or, to build it once for many models, with -DHARNESS_GENERIC (no model.h
// needed: the signature-independent declarations below are used and the
// checks of the header's macros and of the typed model_infer are left out).
//
//===----------------------------------------------------------------------===//

#include "../lib/tensor_io.h"

#if defined(HARNESS_BATCH) && !defined(HARNESS_GENERIC)
#error                                                                         \
    "HARNESS_BATCH needs HARNESS_GENERIC (the header's sizes are macros of the batch)"
#endif

#ifdef HARNESS_GENERIC
#include <nnrt/nnrt.h>

// The part of every generated header that does not depend on the model's
// signature (docs/generated-api.md).
typedef struct model_ctx model_ctx;
nnrt_status model_create(const nnrt_options *opts, model_ctx **out_ctx);
nnrt_status model_infer_packed(model_ctx *ctx,
                               BATCH_PARAM const void *const *inputs,
                               void *const *outputs);
void model_destroy(model_ctx *ctx);
size_t model_num_inputs(void);
size_t model_num_outputs(void);
const nnrt_tensor_info *model_input_info(size_t i);
const nnrt_tensor_info *model_output_info(size_t i);
#else
#include "model.h"
#endif

#include "../lib/check.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/// The generated contexts are runtime contexts under an opaque name; the
/// runtime's error string is reached through this cast.
static const char *last_error(model_ctx *ctx) {
  return nnrt_context_last_error((const nnrt_context *)ctx);
}

static void print_tensor(FILE *out, const char *kind, size_t index,
                         const nnrt_tensor_info *info) {
  fprintf(out, "%s %zu '%s': %s[", kind, index, info->name,
          nnrt_dtype_name(info->dtype));
  for (int32_t d = 0; d < info->rank; ++d)
    fprintf(out, "%s%lld", d ? ", " : "", (long long)info->shape[d]);
  fprintf(out, "] (%lld elements)\n", (long long)info->num_elements);
}

/// Checks that the object's descriptors are usable before anything relies
/// on them: non-NULL in range, a known element type, consistent sizes.
static int check_descriptors(void) {
  int ok = 1;
  for (int out = 0; out < 2; ++out) {
    size_t count = out ? model_num_outputs() : model_num_inputs();
    for (size_t i = 0; i < count; ++i) {
      const nnrt_tensor_info *info =
          out ? model_output_info(i) : model_input_info(i);
      const char *kind = out ? "output" : "input";
      if (!info) {
        fprintf(stderr, "harness: model_%s_info(%zu) is NULL\n", kind, i);
        ok = 0;
        continue;
      }
      // The dynamic batch is a -1 in the shape and makes num_elements -1.
      int64_t product = 1;
      int batch_dims = 0;
      for (int32_t d = 0; d < info->rank; ++d) {
        batch_dims += info->shape[d] == -1;
        product *= info->shape[d];
      }
      int sizes_agree = batch_dims == 0
                            ? product == info->num_elements
                            : batch_dims == 1 && info->num_elements == -1;
      if (!info->name || nnrt_dtype_size(info->dtype) == 0 || info->rank < 0 ||
          !sizes_agree) {
        fprintf(stderr, "harness: invalid descriptor for %s %zu\n", kind, i);
        ok = 0;
      }
    }
  }
  return ok;
}

static int run_model(int argc, char **argv) {
  size_t num_inputs = model_num_inputs(), num_outputs = model_num_outputs();
  int separator = -1;
  for (int i = 1; i < argc; ++i)
    if (strcmp(argv[i], "--") == 0) {
      separator = i;
      break;
    }
  if (separator < 0 || (size_t)(separator - 1) != num_inputs ||
      (size_t)(argc - separator - 1) != num_outputs) {
    fprintf(stderr,
            "harness: expected %zu input file(s), '--', then %zu output "
            "file(s)\nusage: %s <in_0.bin> ... -- <out_0.bin> ...\n",
            num_inputs, num_outputs, argv[0]);
    for (size_t i = 0; i < num_inputs; ++i)
      print_tensor(stderr, "input", i, model_input_info(i));
    for (size_t i = 0; i < num_outputs; ++i)
      print_tensor(stderr, "output", i, model_output_info(i));
    return 1;
  }

  int ok = 0;
  model_ctx *ctx = NULL;
  void **inputs = alloc_tensors(num_inputs, model_input_info, 0);
  // Outputs start as all-ones bytes (NaN for floats, -1 for integers), so an
  // element the model fails to write shows up in the comparison.
  void **outputs = alloc_tensors(num_outputs, model_output_info, 0xFF);
  if (!inputs || !outputs)
    goto done;
  for (size_t i = 0; i < num_inputs; ++i)
    if (!read_file(argv[1 + i], inputs[i], tensor_bytes(model_input_info(i)),
                   "input file"))
      goto done;

  nnrt_status status = model_create(NULL, &ctx);
  if (status != NNRT_OK) {
    fprintf(stderr, "harness: model_create failed: %s\n",
            nnrt_status_message(status));
    goto done;
  }
  status = model_infer_packed(ctx, BATCH(const void *const *) inputs, outputs);
  if (status != NNRT_OK) {
    fprintf(stderr, "harness: model_infer_packed failed: %s: %s\n",
            nnrt_status_message(status), last_error(ctx));
    goto done;
  }
  for (size_t i = 0; i < num_outputs; ++i)
    if (!write_file(argv[separator + 1 + i], outputs[i],
                    tensor_bytes(model_output_info(i))))
      goto done;
  ok = 1;

done:
  model_destroy(ctx);
  free_tensors(inputs, num_inputs);
  free_tensors(outputs, num_outputs);
  return ok ? 0 : 1;
}

//===----------------------------------------------------------------------===//
// --check-bad-args
//===----------------------------------------------------------------------===//

/// The message recorded for a NULL tensor must say which entry point and
/// which tensor, so a user can find the mistake. The name is looked for in
/// quotes, as nnrt_context_check_call writes it ("model_infer: input 0
/// ('input') is NULL"), so that a name like "input" is not found in the
/// message's own words.
static void check_error_names(model_ctx *ctx, const char *entry,
                              const char *tensor, int line) {
  const char *message = last_error(ctx);
  char quoted[256];
  snprintf(quoted, sizeof quoted, "'%s'", tensor);
  int ok = strstr(message, entry) != NULL && strstr(message, quoted) != NULL;
  if (!ok)
    printf("last error \"%s\" does not mention %s and %s\n", message, entry,
           quoted);
  check(ok, "last error names the entry point and the tensor", line);
}

static int check_bad_args(void) {
  size_t num_inputs = model_num_inputs(), num_outputs = model_num_outputs();

#ifndef HARNESS_GENERIC
  // The header's constants and the object's queries describe the same model.
  CHECK(num_inputs == MODEL_NUM_INPUTS);
  CHECK(num_outputs == MODEL_NUM_OUTPUTS);
#if MODEL_NUM_INPUTS > 0
  CHECK(model_input_info(0)->num_elements == MODEL_INPUT_0_SIZE);
  CHECK(model_input_info(0)->rank == MODEL_INPUT_0_RANK);
  CHECK(model_input_info(0)->dtype == MODEL_INPUT_0_DTYPE);
#endif
#if MODEL_NUM_OUTPUTS > 0
  CHECK(model_output_info(0)->num_elements == MODEL_OUTPUT_0_SIZE);
  CHECK(model_output_info(0)->rank == MODEL_OUTPUT_0_RANK);
  CHECK(model_output_info(0)->dtype == MODEL_OUTPUT_0_DTYPE);
#endif
#endif
  CHECK(model_input_info(num_inputs) == NULL);
  CHECK(model_output_info(num_outputs) == NULL);
  CHECK(model_input_info(SIZE_MAX) == NULL);
  CHECK(model_output_info(SIZE_MAX) == NULL);

  CHECK(model_create(NULL, NULL) == NNRT_ERROR_INVALID_ARGUMENT);
  model_destroy(NULL); // a no-op

  model_ctx *ctx = NULL;
  nnrt_status status = model_create(NULL, &ctx);
  CHECK(status == NNRT_OK);
  CHECK(ctx != NULL);
  void **inputs = alloc_tensors(num_inputs, model_input_info, 0);
  void **outputs = alloc_tensors(num_outputs, model_output_info, 0);
  if (status != NNRT_OK || !ctx || !inputs || !outputs) {
    printf("FAILED: cannot set up a context and buffers\n");
    ++check_num_failed;
    goto done;
  }
  const void *const *in = (const void *const *)inputs;

  CHECK(model_infer_packed(NULL, BATCH in, outputs) ==
        NNRT_ERROR_INVALID_ARGUMENT);
  if (num_inputs > 0) {
    CHECK(model_infer_packed(ctx, BATCH NULL, outputs) ==
          NNRT_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(last_error(ctx), "model_infer") != NULL);
  }
  if (num_outputs > 0) {
    CHECK(model_infer_packed(ctx, BATCH in, NULL) ==
          NNRT_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(last_error(ctx), "model_infer") != NULL);
  }
  for (size_t i = 0; i < num_inputs; ++i) {
    void *saved = inputs[i];
    inputs[i] = NULL;
    CHECK(model_infer_packed(ctx, BATCH in, outputs) ==
          NNRT_ERROR_INVALID_ARGUMENT);
    check_error_names(ctx, "model_infer", model_input_info(i)->name, __LINE__);
    inputs[i] = saved;
  }
  for (size_t i = 0; i < num_outputs; ++i) {
    void *saved = outputs[i];
    outputs[i] = NULL;
    CHECK(model_infer_packed(ctx, BATCH in, outputs) ==
          NNRT_ERROR_INVALID_ARGUMENT);
    check_error_names(ctx, "model_infer", model_output_info(i)->name, __LINE__);
    outputs[i] = saved;
  }
  // A good call after the failures succeeds and clears the recorded error.
  CHECK(model_infer_packed(ctx, BATCH in, outputs) == NNRT_OK);
  CHECK(strcmp(last_error(ctx), "") == 0);

#ifdef HARNESS_BATCH
  // Batch sizes out of [1, max]: an error naming the entry and batch_size,
  // and nothing else happens; the largest one the tensors allow is fine to
  // ask for (its buffers would not fit, so it is not run).
  {
    int64_t bad[] = {0, -1, INT64_MIN, INT64_MAX};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
      CHECK(model_infer_packed(ctx, bad[i], in, outputs) ==
            NNRT_ERROR_INVALID_ARGUMENT);
      CHECK(strstr(last_error(ctx), "model_infer_packed") != NULL);
      CHECK(strstr(last_error(ctx), "batch_size") != NULL);
    }
    CHECK(model_infer_packed(ctx, BATCH in, outputs) == NNRT_OK);
    CHECK(strcmp(last_error(ctx), "") == 0);
  }
#endif

#if !defined(HARNESS_GENERIC) && MODEL_NUM_INPUTS == 1 && MODEL_NUM_OUTPUTS == 1
  // The typed entry point, for single-input single-output models: `void *`
  // converts to whatever element pointer types the header declares.
  {
    void *x = inputs[0], *y = outputs[0];
    CHECK(model_infer(NULL, x, y) == NNRT_ERROR_INVALID_ARGUMENT);
    CHECK(model_infer(ctx, NULL, y) == NNRT_ERROR_INVALID_ARGUMENT);
    check_error_names(ctx, "model_infer", model_input_info(0)->name, __LINE__);
    CHECK(model_infer(ctx, x, NULL) == NNRT_ERROR_INVALID_ARGUMENT);
    check_error_names(ctx, "model_infer", model_output_info(0)->name, __LINE__);
    CHECK(model_infer(ctx, x, y) == NNRT_OK);
    CHECK(strcmp(last_error(ctx), "") == 0);
  }
#endif

done:
  model_destroy(ctx);
  free_tensors(inputs, num_inputs);
  free_tensors(outputs, num_outputs);
  return check_report();
}

int main(int argc, char **argv) {
#ifdef HARNESS_BATCH
  if (!take_batch_argument(&argc, &argv))
    return 1;
#endif
  if (!check_descriptors())
    return 1;
  if (argc == 2 && strcmp(argv[1], "--check-bad-args") == 0)
    return check_bad_args();
  if (argc == 2 && strcmp(argv[1], "--describe") == 0) {
    for (size_t i = 0; i < model_num_inputs(); ++i)
      print_tensor(stdout, "input", i, model_input_info(i));
    for (size_t i = 0; i < model_num_outputs(); ++i)
      print_tensor(stdout, "output", i, model_output_info(i));
    return 0;
  }
  return run_model(argc, argv);
}
