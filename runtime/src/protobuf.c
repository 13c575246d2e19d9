//===- protobuf.c - a minimal protobuf wire-format reader ---------*- C -*-===//
//
// Varints, tags and length-delimited fields, each checked against the end of
// its message before it is read. See protobuf.h.
//
//===----------------------------------------------------------------------===//

#include "protobuf.h"
#include "byte_order.h"

#include <stdio.h>

/// Protobuf field numbers are 29 bits wide.
#define MAX_FIELD_NUMBER ((1u << 29) - 1)

static size_t offset_of(const nnrt_pb_reader *reader, const uint8_t *p) {
  return (size_t)(p - reader->base);
}

void nnrt_pb_init(nnrt_pb_reader *reader, const uint8_t *data, size_t size,
                  char *error) {
  reader->base = data;
  reader->pos = data;
  reader->end = data + size;
  reader->error = error;
}

nnrt_pb_reader nnrt_pb_nested(const nnrt_pb_reader *parent,
                              const nnrt_pb_field *field) {
  nnrt_pb_reader nested = *parent;
  nested.pos = field->data;
  nested.end = field->data + field->size;
  return nested;
}

/// Reads a varint of at most 10 bytes (64 bits); returns 1, or -1 after
/// describing a varint cut off by the end of the message or one whose value
/// does not fit 64 bits.
static int read_varint(nnrt_pb_reader *reader, uint64_t *out) {
  const uint8_t *start = reader->pos;
  uint64_t value = 0;
  for (unsigned i = 0; i < 10; ++i) {
    if (reader->pos == reader->end) {
      snprintf(reader->error, NNRT_PB_ERROR_SIZE,
               "truncated varint at byte %zu", offset_of(reader, start));
      return -1;
    }
    uint8_t byte = *reader->pos++;
    // The tenth byte holds bit 63 only.
    if (i == 9 && byte > 1)
      break;
    value |= (uint64_t)(byte & 0x7f) << (7 * i);
    if (!(byte & 0x80)) {
      *out = value;
      return 1;
    }
  }
  snprintf(reader->error, NNRT_PB_ERROR_SIZE,
           "varint at byte %zu does not fit 64 bits", offset_of(reader, start));
  return -1;
}

/// Takes `size` bytes from the message, or describes why they are not there.
static const uint8_t *take(nnrt_pb_reader *reader, uint64_t size,
                           uint32_t number, size_t field_offset) {
  if (size > (uint64_t)(reader->end - reader->pos)) {
    snprintf(reader->error, NNRT_PB_ERROR_SIZE,
             "field %u at byte %zu (%llu bytes) runs past the end of its "
             "message at byte %zu",
             (unsigned)number, field_offset, (unsigned long long)size,
             offset_of(reader, reader->end));
    return NULL;
  }
  const uint8_t *data = reader->pos;
  reader->pos += size;
  return data;
}

int nnrt_pb_next(nnrt_pb_reader *reader, nnrt_pb_field *field) {
  if (reader->pos == reader->end)
    return 0;
  field->offset = offset_of(reader, reader->pos);
  uint64_t tag;
  if (read_varint(reader, &tag) < 0)
    return -1;
  if (tag >> 3 == 0 || tag >> 3 > MAX_FIELD_NUMBER) {
    snprintf(reader->error, NNRT_PB_ERROR_SIZE,
             "invalid field number %llu at byte %zu",
             (unsigned long long)(tag >> 3), field->offset);
    return -1;
  }
  field->number = (uint32_t)(tag >> 3);
  field->wire_type = (uint32_t)(tag & 7);
  field->value = 0;
  field->data = NULL;
  field->size = 0;
  const uint8_t *bytes;
  switch (field->wire_type) {
  case NNRT_PB_VARINT:
    return read_varint(reader, &field->value);
  case NNRT_PB_FIXED64:
  case NNRT_PB_FIXED32: {
    size_t size = field->wire_type == NNRT_PB_FIXED64 ? 8 : 4;
    if (!(bytes = take(reader, size, field->number, field->offset)))
      return -1;
    field->value = nnrt_load_le(bytes, size);
    return 1;
  }
  case NNRT_PB_LEN: {
    uint64_t size;
    if (read_varint(reader, &size) < 0)
      return -1;
    if (!(bytes = take(reader, size, field->number, field->offset)))
      return -1;
    field->data = bytes;
    field->size = (size_t)size;
    return 1;
  }
  default:
    snprintf(reader->error, NNRT_PB_ERROR_SIZE,
             "field %u at byte %zu has wire type %u, %s",
             (unsigned)field->number, field->offset, (unsigned)field->wire_type,
             field->wire_type == 3 || field->wire_type == 4
                 ? "a group, which ONNX does not use"
                 : "which does not exist");
    return -1;
  }
}

static size_t fixed_size(uint32_t wire_type) {
  return wire_type == NNRT_PB_FIXED64   ? 8
         : wire_type == NNRT_PB_FIXED32 ? 4
                                        : 0;
}

int nnrt_pb_values_init(nnrt_pb_values *values, const nnrt_pb_reader *parent,
                        const nnrt_pb_field *field, uint32_t wire_type) {
  values->wire_type = wire_type;
  values->single = 0;
  values->value = 0;
  values->packed = *parent;
  values->packed.pos = values->packed.end;
  if (field->wire_type == wire_type) {
    values->single = 1;
    values->value = field->value;
    return 1;
  }
  size_t size = fixed_size(wire_type);
  if (field->wire_type != NNRT_PB_LEN) {
    snprintf(parent->error, NNRT_PB_ERROR_SIZE,
             "field %u at byte %zu has wire type %u, expected %u or 2 (packed)",
             (unsigned)field->number, field->offset, (unsigned)field->wire_type,
             (unsigned)wire_type);
    return 0;
  }
  if (size != 0 && field->size % size != 0) {
    snprintf(parent->error, NNRT_PB_ERROR_SIZE,
             "packed field %u at byte %zu has %zu bytes, not a multiple of %zu",
             (unsigned)field->number, field->offset, field->size, size);
    return 0;
  }
  values->packed = nnrt_pb_nested(parent, field);
  return 1;
}

int nnrt_pb_values_next(nnrt_pb_values *values, uint64_t *value) {
  if (values->single) {
    values->single = 0;
    *value = values->value;
    return 1;
  }
  nnrt_pb_reader *reader = &values->packed;
  if (reader->pos == reader->end)
    return 0;
  size_t size = fixed_size(values->wire_type);
  if (size == 0)
    return read_varint(reader, value);
  // init checked that the payload is a whole number of values.
  *value = nnrt_load_le(reader->pos, size);
  reader->pos += size;
  return 1;
}
