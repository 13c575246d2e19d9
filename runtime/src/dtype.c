//===- dtype.c - Element type sizes and names ---------------------*- C -*-===//
//
// Size and name of each nnrt_dtype, used by harnesses and language bindings
// that handle tensors generically through nnrt_tensor_info. Both come from
// nnrt/dtypes.def, the table the compiler uses too.
//
//===----------------------------------------------------------------------===//

#include "nnrt/nnrt.h"

size_t nnrt_dtype_size(nnrt_dtype dtype) {
  switch (dtype) {
#define NNRT_DTYPE(ID, VALUE, CTYPE, NAME, SIZE, KIND, BITS, ONNX)             \
  case NNRT_DTYPE_##ID:                                                        \
    return SIZE;
#include "nnrt/dtypes.def"
#undef NNRT_DTYPE
  }
  return 0;
}

const char *nnrt_dtype_name(nnrt_dtype dtype) {
  switch (dtype) {
#define NNRT_DTYPE(ID, VALUE, CTYPE, NAME, SIZE, KIND, BITS, ONNX)             \
  case NNRT_DTYPE_##ID:                                                        \
    return NAME;
#include "nnrt/dtypes.def"
#undef NNRT_DTYPE
  }
  return "unknown";
}
