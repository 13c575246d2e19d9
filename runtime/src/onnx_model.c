//===- onnx_model.c - the initializers of an ONNX model -----------*- C -*-===//
//
// Finds the initializers of a model's states in an ONNX file and decodes
// them: raw_data, or the typed repeated fields ONNX keeps each element type
// in, packed or not. See onnx_model.h.
//
//===----------------------------------------------------------------------===//

#include "onnx_model.h"
#include "byte_order.h"
#include "context_impl.h"
#include "shape_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/// Field numbers of onnx.proto.
enum {
  MODEL_GRAPH = 7,
  GRAPH_INITIALIZER = 5,
  TENSOR_DIMS = 1,
  TENSOR_DATA_TYPE = 2,
  TENSOR_NAME = 8,
  TENSOR_RAW_DATA = 9,
  TENSOR_EXTERNAL_DATA = 13,
  TENSOR_DATA_LOCATION = 14
};

/// TensorProto.DataLocation.EXTERNAL: the data is in another file.
#define DATA_LOCATION_EXTERNAL 1

/// The repeated fields that hold a tensor's values when raw_data does not.
enum {
  FLOAT_DATA,
  INT32_DATA,
  INT64_DATA,
  DOUBLE_DATA,
  UINT64_DATA,
  NUM_TYPED
};

static const struct {
  uint32_t number;
  uint32_t wire_type; ///< of one value
  const char *name;
} typed_fields[NUM_TYPED] = {
    [FLOAT_DATA] = {4, NNRT_PB_FIXED32, "float_data"},
    [INT32_DATA] = {5, NNRT_PB_VARINT, "int32_data"},
    [INT64_DATA] = {7, NNRT_PB_VARINT, "int64_data"},
    [DOUBLE_DATA] = {10, NNRT_PB_FIXED64, "double_data"},
    [UINT64_DATA] = {11, NNRT_PB_VARINT, "uint64_data"},
};

//===----------------------------------------------------------------------===//
// Element types
//===----------------------------------------------------------------------===//

enum { KIND_FLOAT, KIND_SIGNED, KIND_UNSIGNED, KIND_BOOL };

/// What this file needs to know of an nnrt_dtype, from nnrt/dtypes.def.
typedef struct dtype_traits {
  const char *name;
  int64_t onnx;
  int kind;
  size_t size;
} dtype_traits;

/// Fills `*out` for `dtype`; returns 0 for a value outside the enum.
static int get_traits(nnrt_dtype dtype, dtype_traits *out) {
  switch (dtype) {
#define NNRT_DTYPE(ID, VALUE, CTYPE, NAME, SIZE, KIND, BITS, ONNX)             \
  case NNRT_DTYPE_##ID:                                                        \
    *out = (dtype_traits){NAME, ONNX, KIND_##KIND, SIZE};                      \
    return 1;
#include "nnrt/dtypes.def"
#undef NNRT_DTYPE
  }
  return 0;
}

/// The name of the nnrt_dtype whose ONNX data type is `onnx`, or NULL.
static const char *onnx_type_name(int64_t onnx) {
#define NNRT_DTYPE(ID, VALUE, CTYPE, NAME, SIZE, KIND, BITS, ONNX)             \
  if (onnx == ONNX)                                                            \
    return NAME;
#include "nnrt/dtypes.def"
#undef NNRT_DTYPE
  return NULL;
}

/// The repeated field that holds values of this type when raw_data does not,
/// as onnx.proto prescribes: narrow integers, bool and float16 (its bits) in
/// int32_data, uint32 with uint64.
static int typed_field_of(const dtype_traits *type) {
  if (type->kind == KIND_FLOAT && type->size == 4)
    return FLOAT_DATA;
  if (type->kind == KIND_FLOAT && type->size == 8)
    return DOUBLE_DATA;
  if (type->kind == KIND_SIGNED && type->size == 8)
    return INT64_DATA;
  if (type->kind == KIND_UNSIGNED && type->size >= 4)
    return UINT64_DATA;
  return INT32_DATA;
}

/// Whether `value`, read from int32_data, fits the type (at most 4 bytes):
/// a value that does not is an error rather than silently truncated.
static int fits_int32_data(const dtype_traits *type, int64_t value) {
  if (type->kind == KIND_BOOL)
    return value == 0 || value == 1;
  if (type->kind == KIND_SIGNED) {
    int64_t max = ((int64_t)1 << (8 * type->size - 1)) - 1;
    return value >= -max - 1 && value <= max;
  }
  // Unsigned integers and the bits of float16.
  return value >= 0 && value < ((int64_t)1 << (8 * type->size));
}

/// Stores the low `size` bytes of `bits` as element `index` of `dst`, in the
/// host's byte order.
static void store_element(void *dst, size_t index, size_t size, uint64_t bits) {
  uint8_t *out = (uint8_t *)dst + index * size;
  switch (size) {
  case 1: {
    uint8_t v = (uint8_t)bits;
    memcpy(out, &v, 1);
    break;
  }
  case 2: {
    uint16_t v = (uint16_t)bits;
    memcpy(out, &v, 2);
    break;
  }
  case 4: {
    uint32_t v = (uint32_t)bits;
    memcpy(out, &v, 4);
    break;
  }
  default:
    memcpy(out, &bits, 8);
    break;
  }
}

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

nnrt_status nnrt_onnx_fail(nnrt_onnx_source *src, const char *format, ...) {
  char text[NNRT_ERROR_BUFFER_SIZE];
  va_list args;
  va_start(args, format);
  if (vsnprintf(text, sizeof(text), format, args) < 0)
    text[0] = '\0';
  va_end(args);
  if (src->path)
    return nnrt_context_set_error(src->ctx, src->status, "%s: '%s': %s",
                                  src->entry, src->path, text);
  return nnrt_context_set_error(src->ctx, src->status,
                                "%s: the compiled model: %s", src->entry, text);
}

/// Reports the failure the protobuf reader described.
static nnrt_status fail_wire(nnrt_onnx_source *src) {
  return nnrt_onnx_fail(src, "%s", src->pb_error);
}

static nnrt_status fail_wire_type(nnrt_onnx_source *src,
                                  const nnrt_pb_field *field, const char *what,
                                  uint32_t expected) {
  return nnrt_onnx_fail(
      src, "%s (field %u at byte %zu) has wire type %u, expected %u", what,
      (unsigned)field->number, field->offset, (unsigned)field->wire_type,
      (unsigned)expected);
}

//===----------------------------------------------------------------------===//
// Finding initializers
//===----------------------------------------------------------------------===//

static int compare_names(const uint8_t *a, size_t a_size, const uint8_t *b,
                         size_t b_size) {
  int order = memcmp(a, b, a_size < b_size ? a_size : b_size);
  if (order != 0)
    return order;
  return a_size < b_size ? -1 : a_size > b_size;
}

static int compare_wanted_names(const void *a, const void *b) {
  const nnrt_onnx_wanted *x = a, *y = b;
  return compare_names((const uint8_t *)x->name, x->name_size,
                       (const uint8_t *)y->name, y->name_size);
}

static int compare_wanted_states(const void *a, const void *b) {
  const nnrt_onnx_wanted *x = a, *y = b;
  return (x->state > y->state) - (x->state < y->state);
}

/// Records the initializer in `field` (read by `graph`) for the states of
/// its name in `list` (`count` entries sorted by name). Its name is the last
/// name field, as protobuf keeps the last of a repeated scalar.
static nnrt_status match_initializer(nnrt_onnx_source *src,
                                     nnrt_onnx_wanted *list, size_t count,
                                     const nnrt_pb_reader *graph,
                                     const nnrt_pb_field *field) {
  nnrt_onnx_wanted key = {"", 0, 0, 0, {0, 0, 0, NULL, 0, 0}};
  nnrt_pb_reader tensor = nnrt_pb_nested(graph, field);
  nnrt_pb_field member;
  int more;
  while ((more = nnrt_pb_next(&tensor, &member)) > 0) {
    if (member.number != TENSOR_NAME)
      continue;
    if (member.wire_type != NNRT_PB_LEN)
      return fail_wire_type(src, &member, "TensorProto.name", NNRT_PB_LEN);
    key.name = (const char *)member.data;
    key.name_size = member.size;
  }
  if (more < 0)
    return fail_wire(src);
  nnrt_onnx_wanted *found =
      count ? bsearch(&key, list, count, sizeof(*list), compare_wanted_names)
            : NULL;
  if (!found)
    return NNRT_OK;
  // Two states of one name (which nncc never emits) both get it.
  nnrt_onnx_wanted *first = found, *end = list + count;
  while (first > list && compare_wanted_names(first - 1, &key) == 0)
    --first;
  for (nnrt_onnx_wanted *w = first;
       w < end && compare_wanted_names(w, &key) == 0; ++w) {
    ++w->matches;
    w->tensor = *field;
  }
  return NNRT_OK;
}

nnrt_status nnrt_onnx_find_initializers(nnrt_onnx_source *src,
                                        const uint8_t *data, size_t size,
                                        nnrt_onnx_wanted *list, size_t count) {
  qsort(list, count, sizeof(*list), compare_wanted_names);
  src->base = data;
  nnrt_pb_reader model;
  nnrt_pb_init(&model, data, size, src->pb_error);
  nnrt_pb_field field;
  int more = 0;
  nnrt_status status = NNRT_OK;
  while (status == NNRT_OK && (more = nnrt_pb_next(&model, &field)) > 0) {
    if (field.number != MODEL_GRAPH)
      continue;
    if (field.wire_type != NNRT_PB_LEN)
      return fail_wire_type(src, &field, "ModelProto.graph", NNRT_PB_LEN);
    nnrt_pb_reader graph = nnrt_pb_nested(&model, &field);
    nnrt_pb_field item;
    while (status == NNRT_OK && (more = nnrt_pb_next(&graph, &item)) > 0) {
      if (item.number != GRAPH_INITIALIZER)
        continue;
      if (item.wire_type != NNRT_PB_LEN)
        return fail_wire_type(src, &item, "GraphProto.initializer",
                              NNRT_PB_LEN);
      status = match_initializer(src, list, count, &graph, &item);
    }
    if (status == NNRT_OK && more < 0)
      return fail_wire(src);
  }
  if (status != NNRT_OK)
    return status;
  if (more < 0)
    return fail_wire(src);
  // Report the first state in the model's order, whatever the names.
  qsort(list, count, sizeof(*list), compare_wanted_states);
  for (size_t i = 0; i < count; ++i) {
    if (list[i].matches == 0)
      return nnrt_onnx_fail(src, "initializer '%s' not found", list[i].name);
    if (list[i].matches > 1)
      return nnrt_onnx_fail(src, "%zu initializers are named '%s'",
                            list[i].matches, list[i].name);
  }
  return NNRT_OK;
}

nnrt_onnx_wanted *nnrt_onnx_wanted_states(const nnrt_tensor_info *state_infos,
                                          size_t num_states,
                                          const uint64_t *patch_offsets,
                                          size_t *count) {
  // One more than needed, so that a model without patches still allocates.
  nnrt_onnx_wanted *list = malloc((num_states + 1) * sizeof(*list));
  *count = 0;
  if (!list)
    return NULL;
  for (size_t i = 0; i < num_states; ++i)
    if (patch_offsets[i] != UINT64_MAX)
      list[(*count)++] =
          (nnrt_onnx_wanted){state_infos[i].name, strlen(state_infos[i].name),
                             i, 0, (nnrt_pb_field){0, 0, 0, NULL, 0, 0}};
  return list;
}

//===----------------------------------------------------------------------===//
// Reading a tensor
//===----------------------------------------------------------------------===//

/// What a TensorProto holds, from one pass over its fields.
typedef struct tensor_summary {
  int64_t data_type;
  size_t rank;
  int has_raw;
  const uint8_t *raw;
  size_t raw_size;
  int external;
  size_t counts[NUM_TYPED]; ///< values in each typed field
} tensor_summary;

/// Counts the values of one occurrence of a repeated scalar field, checking
/// that each is well-formed.
static nnrt_status count_values(nnrt_onnx_source *src,
                                const nnrt_pb_reader *tensor,
                                const nnrt_pb_field *field, uint32_t wire_type,
                                size_t *count) {
  nnrt_pb_values values;
  if (!nnrt_pb_values_init(&values, tensor, field, wire_type))
    return fail_wire(src);
  uint64_t value;
  int more;
  while ((more = nnrt_pb_values_next(&values, &value)) > 0)
    ++*count;
  return more < 0 ? fail_wire(src) : NNRT_OK;
}

static nnrt_status summarize(nnrt_onnx_source *src,
                             const nnrt_pb_reader *tensor,
                             tensor_summary *out) {
  memset(out, 0, sizeof(*out));
  nnrt_pb_reader reader = *tensor;
  nnrt_pb_field field;
  int more = 0;
  uint64_t location = 0;
  nnrt_status status = NNRT_OK;
  while (status == NNRT_OK && (more = nnrt_pb_next(&reader, &field)) > 0) {
    switch (field.number) {
    case TENSOR_DIMS:
      status = count_values(src, &reader, &field, NNRT_PB_VARINT, &out->rank);
      continue;
    case TENSOR_DATA_TYPE:
      if (field.wire_type != NNRT_PB_VARINT)
        return fail_wire_type(src, &field, "TensorProto.data_type",
                              NNRT_PB_VARINT);
      // An int32 enum: truncated to 32 bits, as protobuf does.
      out->data_type = (int32_t)(uint32_t)field.value;
      continue;
    case TENSOR_RAW_DATA:
      if (field.wire_type != NNRT_PB_LEN)
        return fail_wire_type(src, &field, "TensorProto.raw_data", NNRT_PB_LEN);
      out->has_raw = 1;
      out->raw = field.data;
      out->raw_size = field.size;
      continue;
    case TENSOR_EXTERNAL_DATA:
      out->external = 1;
      continue;
    case TENSOR_DATA_LOCATION:
      if (field.wire_type != NNRT_PB_VARINT)
        return fail_wire_type(src, &field, "TensorProto.data_location",
                              NNRT_PB_VARINT);
      location = field.value;
      continue;
    default:
      break;
    }
    for (int k = 0; k < NUM_TYPED; ++k)
      if (field.number == typed_fields[k].number)
        status = count_values(src, &reader, &field, typed_fields[k].wire_type,
                              &out->counts[k]);
  }
  if (status != NNRT_OK)
    return status;
  if (more < 0)
    return fail_wire(src);
  if (location == DATA_LOCATION_EXTERNAL)
    out->external = 1;
  return NNRT_OK;
}

/// Iterates the dims of a TensorProto, whose wire format summarize checked.
typedef struct dims_iterator {
  nnrt_pb_reader tensor;
  nnrt_pb_values values;
  int in_field;
} dims_iterator;

static void dims_begin(dims_iterator *it, const nnrt_pb_reader *tensor) {
  it->tensor = *tensor;
  it->in_field = 0;
}

/// Returns 1 and the next dimension, or 0 after the last.
static int dims_next(dims_iterator *it, int64_t *dim) {
  for (;;) {
    uint64_t value;
    if (it->in_field && nnrt_pb_values_next(&it->values, &value) > 0) {
      *dim = (int64_t)value;
      return 1;
    }
    nnrt_pb_field field;
    do {
      if (nnrt_pb_next(&it->tensor, &field) <= 0)
        return 0;
    } while (field.number != TENSOR_DIMS);
    nnrt_pb_values_init(&it->values, &it->tensor, &field, NNRT_PB_VARINT);
    it->in_field = 1;
  }
}

/// Whether the dims of `tensor` (summarized as `summary`) equal the shape of
/// `info`.
static int same_shape(const nnrt_pb_reader *tensor,
                      const tensor_summary *summary,
                      const nnrt_tensor_info *info) {
  if (summary->rank != (size_t)info->rank)
    return 0;
  dims_iterator it;
  dims_begin(&it, tensor);
  int64_t dim;
  for (size_t i = 0; dims_next(&it, &dim); ++i)
    if (dim != info->shape[i])
      return 0;
  return 1;
}

/// Checks every value of typed field `k` of `tensor` against the type and,
/// when `dst` is not NULL, stores it there. summarize checked the wire
/// format and the number of values.
static nnrt_status decode_typed(nnrt_onnx_source *src,
                                const nnrt_pb_reader *tensor, int k,
                                const dtype_traits *type, const char *name,
                                void *dst) {
  nnrt_pb_reader reader = *tensor;
  nnrt_pb_field field;
  size_t index = 0;
  while (nnrt_pb_next(&reader, &field) > 0) {
    if (field.number != typed_fields[k].number)
      continue;
    nnrt_pb_values values;
    nnrt_pb_values_init(&values, &reader, &field, typed_fields[k].wire_type);
    uint64_t value;
    while (nnrt_pb_values_next(&values, &value) > 0) {
      // int32_data holds int32s, which protobuf truncates to 32 bits; only
      // u32 and u64 use uint64_data.
      int64_t number = (int32_t)(uint32_t)value;
      if (k == INT32_DATA && !fits_int32_data(type, number))
        return nnrt_onnx_fail(
            src,
            "initializer '%s': int32_data value %lld at index %zu does "
            "not fit %s",
            name, (long long)number, index, type->name);
      if (k == UINT64_DATA && type->size == 4 && value > UINT32_MAX)
        return nnrt_onnx_fail(
            src,
            "initializer '%s': uint64_data value %llu at index %zu "
            "does not fit %s",
            name, (unsigned long long)value, index, type->name);
      if (dst)
        store_element(dst, index, type->size, value);
      ++index;
    }
  }
  return NNRT_OK;
}

nnrt_status nnrt_onnx_read_tensor(nnrt_onnx_source *src,
                                  const nnrt_pb_field *init,
                                  const nnrt_tensor_info *info, void *dst,
                                  const uint8_t **raw) {
  const char *name = info->name;
  dtype_traits type;
  if (!get_traits(info->dtype, &type))
    return nnrt_context_set_error(src->ctx, NNRT_ERROR_INTERNAL,
                                  "%s: state '%s' has invalid dtype %d",
                                  src->entry, name, (int)info->dtype);
  nnrt_pb_reader tensor = {src->base, init->data, init->data + init->size,
                           src->pb_error};
  tensor_summary summary;
  nnrt_status status = summarize(src, &tensor, &summary);
  if (status != NNRT_OK)
    return status;

  if (summary.external)
    return nnrt_onnx_fail(
        src,
        "initializer '%s' uses external data, which libnnrt does not "
        "read",
        name);
  if (summary.data_type != type.onnx) {
    const char *have = onnx_type_name(summary.data_type);
    if (have)
      return nnrt_onnx_fail(src,
                            "initializer '%s' has type %s, the model's is %s",
                            name, have, type.name);
    return nnrt_onnx_fail(
        src,
        "initializer '%s' has ONNX data type %lld, the model's "
        "is %s",
        name, (long long)summary.data_type, type.name);
  }
  if (!same_shape(&tensor, &summary, info)) {
    nnrt_shape_text have, want;
    nnrt_shape_text_init(&have);
    dims_iterator it;
    dims_begin(&it, &tensor);
    int64_t dim;
    while (dims_next(&it, &dim))
      nnrt_shape_text_add(&have, dim);
    return nnrt_onnx_fail(
        src, "initializer '%s' has shape %s, the model's is %s", name,
        have.text, nnrt_shape_text_of(&want, info->shape, (size_t)info->rank));
  }

  size_t count = (size_t)info->num_elements;
  int k = typed_field_of(&type);
  for (int other = 0; other < NUM_TYPED; ++other)
    if (other != k && summary.counts[other] != 0)
      return nnrt_onnx_fail(
          src, "initializer '%s' has %s, which %s tensors do not use", name,
          typed_fields[other].name, type.name);
  if (raw)
    *raw = summary.has_raw ? summary.raw : NULL;
  if (summary.has_raw) {
    if (summary.counts[k] != 0)
      return nnrt_onnx_fail(src, "initializer '%s' has both raw_data and %s",
                            name, typed_fields[k].name);
    if (summary.raw_size != nnrt_state_size(info))
      return nnrt_onnx_fail(
          src,
          "initializer '%s' has %zu bytes of raw_data, the model's "
          "shape needs %zu",
          name, summary.raw_size, nnrt_state_size(info));
    if (dst)
      nnrt_copy_le(dst, summary.raw, count, type.size);
    return NNRT_OK;
  }
  if (summary.counts[k] != count)
    return nnrt_onnx_fail(
        src,
        "initializer '%s' has %zu values in %s, the model's shape "
        "needs %zu",
        name, summary.counts[k], typed_fields[k].name, count);
  return decode_typed(src, &tensor, k, &type, name, dst);
}
