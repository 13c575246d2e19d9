//===- train_harness.c - runs the training entries of a model ----*- C -*-===//
//
// Generic driver of a model compiled with `nncc --train --name model`,
// used by check_training.py. It discovers the signature of model_train_step
// and model_eval from their info tables.
//
//   train_harness <steps> <in_0.bin> ... <target.bin> -- <outdir>
//       Runs model_train_step `steps` times on the same batch, printing
//       "loss <step> <value>" per step. Before each step, model_gradients
//       (the model is compiled with --gradients-entry) writes the gradient
//       of trainable parameter k to <outdir>/grad_<step>_<k>.bin, listed as
//       "grad <step> <k> <name>". Then model_eval on the batch
//       ("eval_loss <value>", the prediction in <outdir>/prediction.bin);
//       then writes every state (parameters, optimizer state, step) to
//       <outdir>/state_<i>.bin and lists them as "state <i> <name>"; the
//       states after the first step are in <outdir>/first_<i>.bin.
//
// Built with -DHARNESS_BATCH for a model compiled with a dynamic batch, it
// takes `--batch N` first and calls the entries with batch size N.
//
// Exits 0 on success, 1 with a message on stderr on any error.
//
//===----------------------------------------------------------------------===//

#include <nnrt/nnrt.h>

#include "../lib/tensor_io.h"

typedef struct model_ctx model_ctx;
nnrt_status model_create(const nnrt_options *opts, model_ctx **out_ctx);
void model_destroy(model_ctx *ctx);
nnrt_status model_train_step_packed(model_ctx *ctx,
                                    BATCH_PARAM const void *const *inputs,
                                    void *const *outputs);
size_t model_train_step_num_inputs(void);
const nnrt_tensor_info *model_train_step_input_info(size_t i);
const nnrt_tensor_info *model_train_step_output_info(size_t i);
nnrt_status model_eval_packed(model_ctx *ctx,
                              BATCH_PARAM const void *const *inputs,
                              void *const *outputs);
const nnrt_tensor_info *model_eval_output_info(size_t i);
nnrt_status model_gradients_packed(model_ctx *ctx,
                                   BATCH_PARAM const void *const *inputs,
                                   void *const *outputs);
size_t model_gradients_num_outputs(void);
const nnrt_tensor_info *model_gradients_output_info(size_t i);

static nnrt_context *runtime(model_ctx *ctx) { return (nnrt_context *)ctx; }

/// Runs model_gradients on `inputs` and writes every gradient (outputs 1...)
/// to <outdir>/grad_<step>_<k>.bin.
static int write_gradients(model_ctx *ctx, long step, void **inputs,
                           const char *outdir) {
  size_t count = model_gradients_num_outputs();
  void **outputs = alloc_tensors(count, model_gradients_output_info, 0);
  int ok =
      outputs && model_gradients_packed(ctx, BATCH(const void *const *) inputs,
                                        outputs) == NNRT_OK;
  if (!ok)
    fprintf(stderr, "train_harness: gradients: %s\n",
            nnrt_context_last_error(runtime(ctx)));
  char path[4096];
  for (size_t k = 1; ok && k < count; ++k) {
    const nnrt_tensor_info *info = model_gradients_output_info(k);
    snprintf(path, sizeof path, "%s/grad_%ld_%zu.bin", outdir, step, k - 1);
    ok = write_file(path, outputs[k], tensor_bytes(info));
    printf("grad %ld %zu %s\n", step, k - 1, info->name);
  }
  free_tensors(outputs, count);
  return ok;
}

/// Writes every state of `ctx` to <outdir>/<prefix>_<i>.bin.
static int write_states(model_ctx *ctx, const char *outdir, const char *prefix,
                        int list) {
  char path[4096];
  for (size_t i = 0; i < nnrt_context_num_states(runtime(ctx)); ++i) {
    const nnrt_tensor_info *info = nnrt_context_state_info(runtime(ctx), i);
    snprintf(path, sizeof path, "%s/%s_%zu.bin", outdir, prefix, i);
    if (!write_file(path, nnrt_context_state_data(runtime(ctx), i),
                    tensor_bytes(info)))
      return 0;
    if (list)
      printf("state %zu %s\n", i, info->name);
  }
  return 1;
}

static int run(model_ctx *ctx, long steps, char **files, void **inputs,
               const char *outdir) {
  size_t num_inputs = model_train_step_num_inputs();
  for (size_t i = 0; i < num_inputs; ++i)
    if (!read_file(files[i], inputs[i],
                   tensor_bytes(model_train_step_input_info(i)), "input"))
      return 0;
  float loss = 0;
  void *step_outputs[] = {&loss};
  for (long step = 0; step < steps; ++step) {
    if (!write_gradients(ctx, step, inputs, outdir))
      return 0;
    nnrt_status status = model_train_step_packed(
        ctx, BATCH(const void *const *) inputs, step_outputs);
    if (status != NNRT_OK) {
      fprintf(stderr, "train_harness: train step %ld: %s\n", step,
              nnrt_context_last_error(runtime(ctx)));
      return 0;
    }
    printf("loss %ld %.9g\n", step, loss);
    if (step == 0 && !write_states(ctx, outdir, "first", 0))
      return 0;
  }

  const nnrt_tensor_info *prediction_info = model_eval_output_info(0);
  void *prediction =
      nnrt_aligned_alloc(NNRT_DEFAULT_ALIGNMENT, tensor_bytes(prediction_info));
  float eval_loss = 0;
  void *eval_outputs[] = {prediction, &eval_loss};
  char path[4096];
  int ok =
      prediction && model_eval_packed(ctx, BATCH(const void *const *) inputs,
                                      eval_outputs) == NNRT_OK;
  if (ok) {
    printf("eval_loss %.9g\n", eval_loss);
    snprintf(path, sizeof path, "%s/prediction.bin", outdir);
    ok = write_file(path, prediction, tensor_bytes(prediction_info));
  } else {
    fprintf(stderr, "train_harness: eval: %s\n",
            nnrt_context_last_error(runtime(ctx)));
  }
  nnrt_aligned_free(prediction);

  return ok && write_states(ctx, outdir, "state", 1);
}

int main(int argc, char **argv) {
#ifdef HARNESS_BATCH
  if (!take_batch_argument(&argc, &argv))
    return 1;
#endif
  size_t num_inputs = model_train_step_num_inputs();
  if ((size_t)argc != num_inputs + 4 || strcmp(argv[argc - 2], "--") != 0) {
    fprintf(stderr, "usage: %s <steps> <%zu input files> -- <outdir>\n",
            argv[0], num_inputs);
    return 1;
  }
  long steps = strtol(argv[1], NULL, 10);
  model_ctx *ctx = NULL;
  if (model_create(NULL, &ctx) != NNRT_OK) {
    fprintf(stderr, "train_harness: create: %s\n", nnrt_last_create_error());
    return 1;
  }
  void **inputs = alloc_tensors(num_inputs, model_train_step_input_info, 0);
  int ok = inputs && run(ctx, steps, argv + 2, inputs, argv[argc - 1]);
  free_tensors(inputs, num_inputs);
  model_destroy(ctx);
  return ok ? 0 : 1;
}
