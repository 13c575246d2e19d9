//===- onnx_io.c - Saving and loading a trained model as ONNX -----*- C -*-===//
//
// nnrt_hook_save_onnx and nnrt_hook_load_onnx, behind <model>_save and
// <model>_load. Saving copies the compiled model's ONNX file with the raw
// data of its trainable initializers replaced by the states' current values;
// loading finds the initializers of the states in an ONNX file
// (onnx_model.c), checks them and copies their data into the states.
//
//===----------------------------------------------------------------------===//

#include "context_impl.h"
#include "file_io.h"
#include "nnrt/nnrt_hooks.h"
#include "onnx_model.h"

#include <stdlib.h>
#include <string.h>

/// Where the value of a state goes in the saved file.
typedef struct patch {
  uint64_t offset;
  size_t state;
} patch;

static int compare_patches(const void *a, const void *b) {
  const patch *x = a, *y = b;
  return (x->offset > y->offset) - (x->offset < y->offset);
}

/// Checks where each state's value goes against the compiled model, so that
/// a wrong offset from the compiler is reported instead of silently
/// corrupting the file: every patch must be exactly the raw_data of the
/// state's initializer. Fills `patches` (one per entry of `list`) sorted by
/// offset.
static nnrt_status plan_patches(nnrt_onnx_source *src,
                                const nnrt_tensor_info *state_infos,
                                const uint8_t *model, uint64_t model_size,
                                const uint64_t *patch_offsets,
                                nnrt_onnx_wanted *list, size_t count,
                                patch *patches) {
  nnrt_status status =
      nnrt_onnx_find_initializers(src, model, (size_t)model_size, list, count);
  for (size_t i = 0; i < count && status == NNRT_OK; ++i) {
    const nnrt_tensor_info *info = &state_infos[list[i].state];
    uint64_t offset = patch_offsets[list[i].state];
    const uint8_t *raw = NULL;
    status = nnrt_onnx_read_tensor(src, &list[i].tensor, info, NULL, &raw);
    if (status != NNRT_OK)
      break;
    if (!raw)
      status = nnrt_onnx_fail(
          src, "initializer '%s' does not store its data in raw_data",
          info->name);
    else if ((uint64_t)(raw - model) != offset)
      status = nnrt_onnx_fail(
          src,
          "the raw_data of initializer '%s' is at byte %zu, its patch at "
          "byte %llu",
          info->name, (size_t)(raw - model), (unsigned long long)offset);
    patches[i] = (patch){offset, list[i].state};
  }
  if (status != NNRT_OK)
    return status;
  qsort(patches, count, sizeof(*patches), compare_patches);
  // Distinct initializers never overlap; two states of one name would.
  for (size_t p = 1; p < count; ++p)
    if (patches[p].offset <
        patches[p - 1].offset +
            nnrt_state_size(&state_infos[patches[p - 1].state]))
      return nnrt_onnx_fail(src,
                            "states '%s' and '%s' are saved to the same bytes",
                            state_infos[patches[p - 1].state].name,
                            state_infos[patches[p].state].name);
  return NNRT_OK;
}

/// Writes the compiled model to `path` with each patch replaced by its
/// state's current value.
static nnrt_status write_patched(nnrt_context *ctx, const char *entry,
                                 const char *path,
                                 const nnrt_tensor_info *state_infos,
                                 const uint8_t *model, uint64_t model_size,
                                 const patch *patches, size_t count) {
  nnrt_file_writer writer;
  nnrt_writer_open(&writer, ctx, entry, path);
  uint64_t done = 0;
  for (size_t p = 0; p < count; ++p) {
    const nnrt_tensor_info *info = &state_infos[patches[p].state];
    nnrt_writer_write(&writer, model + done,
                      (size_t)(patches[p].offset - done));
    nnrt_writer_write_le(&writer, ctx->states[patches[p].state].current,
                         (size_t)info->num_elements,
                         nnrt_dtype_size(info->dtype));
    done = patches[p].offset + nnrt_state_size(info);
  }
  nnrt_writer_write(&writer, model + done, (size_t)(model_size - done));
  return nnrt_writer_finish(&writer);
}

/// The checks both ONNX hooks start with: the file hooks' and a patch
/// table.
static nnrt_status check_onnx_hook(nnrt_context *ctx, const char **entry,
                                   const nnrt_tensor_info *state_infos,
                                   size_t num_states, const char *path,
                                   const uint64_t *patch_offsets) {
  nnrt_status status =
      nnrt_check_file_hook(ctx, entry, state_infos, num_states, path);
  if (status == NNRT_OK && !patch_offsets && num_states != 0)
    return nnrt_context_set_error(ctx, NNRT_ERROR_INVALID_ARGUMENT,
                                  "%s: patch_offsets is NULL", *entry);
  return status;
}

nnrt_status nnrt_hook_save_onnx(nnrt_context *ctx, const char *entry,
                                const nnrt_tensor_info *state_infos,
                                size_t num_states, const char *path,
                                const uint8_t *model, uint64_t model_size,
                                const uint64_t *patch_offsets) {
  nnrt_status status = check_onnx_hook(ctx, &entry, state_infos, num_states,
                                       path, patch_offsets);
  if (status != NNRT_OK)
    return status;
  if (!model && model_size != 0)
    return nnrt_context_set_error(ctx, NNRT_ERROR_INVALID_ARGUMENT,
                                  "%s: the model's ONNX data is NULL", entry);
  if (model_size > SIZE_MAX)
    return nnrt_context_set_error(ctx, NNRT_ERROR_INVALID_ARGUMENT,
                                  "%s: the model's ONNX data is too large",
                                  entry);

  size_t count;
  nnrt_onnx_wanted *list =
      nnrt_onnx_wanted_states(state_infos, num_states, patch_offsets, &count);
  patch *patches = list ? malloc((count + 1) * sizeof(*patches)) : NULL;
  if (!patches) {
    free(list);
    return nnrt_context_set_error(ctx, NNRT_ERROR_OUT_OF_MEMORY,
                                  "%s: out of memory saving '%s'", entry, path);
  }
  nnrt_onnx_source src = {ctx, entry, NULL, NNRT_ERROR_INTERNAL, NULL, {0}};
  status = plan_patches(&src, state_infos, model, model_size, patch_offsets,
                        list, count, patches);
  if (status == NNRT_OK)
    status = write_patched(ctx, entry, path, state_infos, model, model_size,
                           patches, count);
  free(patches);
  free(list);
  if (status == NNRT_OK)
    nnrt_context_clear_error(ctx);
  return status;
}

nnrt_status nnrt_hook_load_onnx(nnrt_context *ctx, const char *entry,
                                const nnrt_tensor_info *state_infos,
                                size_t num_states, const char *path,
                                const uint64_t *patch_offsets) {
  nnrt_status status = check_onnx_hook(ctx, &entry, state_infos, num_states,
                                       path, patch_offsets);
  if (status != NNRT_OK)
    return status;

  size_t count;
  nnrt_onnx_wanted *list =
      nnrt_onnx_wanted_states(state_infos, num_states, patch_offsets, &count);
  if (!list)
    return nnrt_context_set_error(ctx, NNRT_ERROR_OUT_OF_MEMORY,
                                  "%s: out of memory loading '%s'", entry,
                                  path);
  uint8_t *data;
  size_t size;
  status = nnrt_read_file(ctx, entry, path, &data, &size);
  nnrt_onnx_source src = {ctx,  entry, path, NNRT_ERROR_INVALID_ARGUMENT,
                          NULL, {0}};
  if (status == NNRT_OK)
    status = nnrt_onnx_find_initializers(&src, data, size, list, count);
  // All or nothing: the first pass checks the initializer of every state,
  // the second (which finds them valid again) copies their values.
  for (int pass = 0; pass < 2 && status == NNRT_OK; ++pass) {
    for (size_t i = 0; i < count && status == NNRT_OK; ++i) {
      size_t state = list[i].state;
      status =
          nnrt_onnx_read_tensor(&src, &list[i].tensor, &state_infos[state],
                                pass ? ctx->states[state].current : NULL, NULL);
    }
  }
  free(data);
  free(list);
  if (status == NNRT_OK)
    nnrt_context_clear_error(ctx);
  return status;
}
