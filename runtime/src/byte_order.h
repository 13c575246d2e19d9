//===- byte_order.h - little-endian numbers in files --------------*- C -*-===//
//
// Private to libnnrt. The files libnnrt reads and writes (ONNX raw_data,
// checkpoints) store every number little-endian, whatever the host. These
// helpers assemble and split integers byte by byte, so they need no
// knowledge of the host's order, and convert whole tensors between the
// host's order and the file's.
//
//===----------------------------------------------------------------------===//

#ifndef NNRT_SRC_BYTE_ORDER_H
#define NNRT_SRC_BYTE_ORDER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/// Stores the low `size` bytes of `value` at `out`, least significant first.
static inline void nnrt_store_le(uint8_t *out, uint64_t value, size_t size) {
  for (size_t i = 0; i < size; ++i)
    out[i] = (uint8_t)(value >> (8 * i));
}

/// Reads a `size`-byte little-endian unsigned integer (size <= 8).
static inline uint64_t nnrt_load_le(const uint8_t *in, size_t size) {
  uint64_t value = 0;
  for (size_t i = 0; i < size; ++i)
    value |= (uint64_t)in[i] << (8 * i);
  return value;
}

/// Whether the host stores numbers least significant byte first (every
/// target nncc supports today); a constant the compiler folds.
static inline int nnrt_host_is_little_endian(void) {
  const uint16_t one = 1;
  uint8_t first;
  memcpy(&first, &one, 1);
  return first == 1;
}

/// Copies `count` elements of `elem_size` bytes from `src` to `dst`,
/// converting between the host's byte order and little-endian (the same
/// operation both ways). A plain copy on little-endian hosts.
static inline void nnrt_copy_le(void *dst, const void *src, size_t count,
                                size_t elem_size) {
  if (nnrt_host_is_little_endian() || elem_size == 1) {
    memcpy(dst, src, count * elem_size);
    return;
  }
  uint8_t *out = dst;
  const uint8_t *in = src;
  for (size_t i = 0; i < count; ++i, out += elem_size, in += elem_size)
    for (size_t b = 0; b < elem_size; ++b)
      out[b] = in[elem_size - 1 - b];
}

#endif // NNRT_SRC_BYTE_ORDER_H
