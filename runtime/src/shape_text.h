//===- shape_text.h - shapes in error messages --------------------*- C -*-===//
//
// Private to libnnrt: formats a shape as "[10, 784]" for the messages of the
// file hooks, one dimension at a time (the dims of a file come from an
// iterator or from raw bytes), cut short with "...]" when a hostile file
// has more dims than a message can hold.
//
//===----------------------------------------------------------------------===//

#ifndef NNRT_SRC_SHAPE_TEXT_H
#define NNRT_SRC_SHAPE_TEXT_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct nnrt_shape_text {
  char text[96];
  size_t used; ///< characters before the closing bracket
  int full;    ///< "...]" was written, later dims are dropped
} nnrt_shape_text;

static inline void nnrt_shape_text_init(nnrt_shape_text *shape) {
  strcpy(shape->text, "[]");
  shape->used = 1;
  shape->full = 0;
}

/// Appends a dimension; the text stays a complete, closed shape.
static inline void nnrt_shape_text_add(nnrt_shape_text *shape, int64_t dim) {
  if (shape->full)
    return;
  char item[32];
  int n = snprintf(item, sizeof(item), "%s%lld", shape->used > 1 ? ", " : "",
                   (long long)dim);
  // Keep room for "...]" and the terminator.
  if (shape->used + (size_t)n + sizeof("...]") > sizeof(shape->text)) {
    strcpy(shape->text + shape->used, "...]");
    shape->full = 1;
    return;
  }
  memcpy(shape->text + shape->used, item, (size_t)n);
  shape->used += (size_t)n;
  strcpy(shape->text + shape->used, "]");
}

/// The shape `dims[0..rank)` as text in `shape`; returns its text.
static inline const char *nnrt_shape_text_of(nnrt_shape_text *shape,
                                             const int64_t *dims, size_t rank) {
  nnrt_shape_text_init(shape);
  for (size_t i = 0; i < rank; ++i)
    nnrt_shape_text_add(shape, dims[i]);
  return shape->text;
}

#endif // NNRT_SRC_SHAPE_TEXT_H
