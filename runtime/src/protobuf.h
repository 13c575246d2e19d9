//===- protobuf.h - a minimal protobuf wire-format reader ---------*- C -*-===//
//
// Private to libnnrt: just enough of the protobuf wire format to find
// tensors in an ONNX file (onnx_io.c), written for hostile input. Every
// length is checked against the bytes that remain, varints are at most 10
// bytes, and readers never recurse: a caller descends into a nested message
// explicitly, one reader per level. Failures are described in a text buffer
// shared by a reader and the readers of its nested messages, naming the byte
// offset in the whole file ("truncated varint at byte 17").
//
//===----------------------------------------------------------------------===//

#ifndef NNRT_SRC_PROTOBUF_H
#define NNRT_SRC_PROTOBUF_H

#include <stddef.h>
#include <stdint.h>

/// Size of the buffer a reader describes its failures in.
#define NNRT_PB_ERROR_SIZE 128

/// Protobuf wire types. Groups (3 and 4) are deprecated and never used by
/// ONNX; they are rejected rather than skipped.
enum {
  NNRT_PB_VARINT = 0,
  NNRT_PB_FIXED64 = 1,
  NNRT_PB_LEN = 2,
  NNRT_PB_FIXED32 = 5
};

/// A cursor over the fields of one message.
typedef struct nnrt_pb_reader {
  const uint8_t *base; ///< start of the whole file, for offsets in messages
  const uint8_t *pos;
  const uint8_t *end;
  char *error; ///< NNRT_PB_ERROR_SIZE bytes, shared with nested readers
} nnrt_pb_reader;

/// One field as read from the wire.
typedef struct nnrt_pb_field {
  uint32_t number;
  uint32_t wire_type;
  /// The value of a VARINT, FIXED64 or FIXED32 field (fixed ones decoded
  /// from little-endian).
  uint64_t value;
  /// The payload of a LEN field (a string, bytes, a nested message or a
  /// packed repeated field).
  const uint8_t *data;
  size_t size;
  /// Offset of the field's tag in the file, for messages.
  size_t offset;
} nnrt_pb_field;

/// Starts reading the message of `size` bytes at `data`, a whole file.
void nnrt_pb_init(nnrt_pb_reader *reader, const uint8_t *data, size_t size,
                  char *error);

/// A reader of the message held by the LEN field `field` read by `parent`.
nnrt_pb_reader nnrt_pb_nested(const nnrt_pb_reader *parent,
                              const nnrt_pb_field *field);

/// Reads the next field into `*field`: returns 1, or 0 at the end of the
/// message, or -1 after describing malformed input (a truncated field, a
/// field number of 0, a group or an undefined wire type).
int nnrt_pb_next(nnrt_pb_reader *reader, nnrt_pb_field *field);

/// Iterates the values of one occurrence of a repeated scalar field, which
/// writers may store packed (one LEN field holding the values) or unpacked
/// (one field per value).
typedef struct nnrt_pb_values {
  nnrt_pb_reader packed; ///< the payload of a packed field
  uint32_t wire_type;    ///< of each value: VARINT, FIXED64 or FIXED32
  int single;            ///< 1 while the one value of an unpacked field is due
  uint64_t value;        ///< that value
} nnrt_pb_values;

/// Starts iterating `field` (read by `parent`), whose values have wire type
/// `wire_type`. Returns 0 after describing a field of another wire type or a
/// packed payload of fixed-size values whose length is not a multiple of
/// their size; 1 otherwise.
int nnrt_pb_values_init(nnrt_pb_values *values, const nnrt_pb_reader *parent,
                        const nnrt_pb_field *field, uint32_t wire_type);

/// Reads the next value: returns 1, 0 after the last, or -1 after describing
/// a malformed varint.
int nnrt_pb_values_next(nnrt_pb_values *values, uint64_t *value);

#endif // NNRT_SRC_PROTOBUF_H
