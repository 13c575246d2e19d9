//===- onnx_model.h - the initializers of an ONNX model -----------*- C -*-===//
//
// Private to libnnrt: finding the initializers of a model's states in a
// serialized ONNX ModelProto and reading them into the states, for the ONNX
// hooks (onnx_io.c). Only the few messages and fields that lead to
// initializers are decoded (ModelProto.graph, GraphProto.initializer,
// TensorProto); everything else is skipped by wire type, without being
// interpreted.
//
//===----------------------------------------------------------------------===//

#ifndef NNRT_SRC_ONNX_MODEL_H
#define NNRT_SRC_ONNX_MODEL_H

#include "nnrt/nnrt.h"
#include "protobuf.h"

/// The model being read and where its problems are reported.
typedef struct nnrt_onnx_source {
  nnrt_context *ctx;
  const char *entry;
  /// The file, named in messages; NULL for the compiled model that
  /// <model>_save writes out.
  const char *path;
  /// Status of a model that is not as expected: INVALID_ARGUMENT for a
  /// file, INTERNAL for the compiled model (nncc produced it).
  nnrt_status status;
  /// The start of the model's bytes: offsets in messages count from there.
  const uint8_t *base;
  char pb_error[NNRT_PB_ERROR_SIZE];
} nnrt_onnx_source;

/// A state to find among the initializers of a model, and what was found.
/// Only the initializers of states are kept, so that the memory used does
/// not grow with the number of initializers a (hostile) file holds.
typedef struct nnrt_onnx_wanted {
  const char *name;
  size_t name_size;
  size_t state;
  size_t matches;       ///< initializers of that name
  nnrt_pb_field tensor; ///< the TensorProto of the last of them
} nnrt_onnx_wanted;

/// Records "<entry>: '<path>': <message>" (or "<entry>: the compiled model:
/// <message>") with `src->status`, and returns that status.
nnrt_status nnrt_onnx_fail(nnrt_onnx_source *src, const char *format, ...)
    NNRT_PRINTF_FORMAT(2, 3);

/// The states with patch_offsets[i] != UINT64_MAX, to look up; a new array
/// (free it), or NULL when out of memory. `*count` gets their number.
nnrt_onnx_wanted *nnrt_onnx_wanted_states(const nnrt_tensor_info *state_infos,
                                          size_t num_states,
                                          const uint64_t *patch_offsets,
                                          size_t *count);

/// Finds, in the ModelProto of `size` bytes at `data`, the initializer of
/// each of the `count` states in `list` (from nnrt_onnx_wanted_states):
/// reads the initializers of every ModelProto.graph field, as protobuf
/// merges repeated occurrences of a message field (writers emit one). Fails
/// on malformed input, and when a state has no initializer or several (which
/// one is meant is ambiguous). On success `list` is in state order, each
/// entry with its initializer.
nnrt_status nnrt_onnx_find_initializers(nnrt_onnx_source *src,
                                        const uint8_t *data, size_t size,
                                        nnrt_onnx_wanted *list, size_t count);

/// Checks that the TensorProto `init` (found by nnrt_onnx_find_initializers)
/// holds a tensor of the type and shape of `info`, with as many values, each
/// fitting the type, and copies them into `dst` when it is not NULL (so that
/// a first pass with NULL validates everything before a second one changes
/// anything). `*raw`, when `raw` is not NULL, is set to its raw_data, or NULL
/// when its values are in a typed field.
nnrt_status nnrt_onnx_read_tensor(nnrt_onnx_source *src,
                                  const nnrt_pb_field *init,
                                  const nnrt_tensor_info *info, void *dst,
                                  const uint8_t **raw);

#endif // NNRT_SRC_ONNX_MODEL_H
