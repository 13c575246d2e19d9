//===- dtype.c - Element type sizes and names ---------------------*- C -*-===//
//
// Size and name of each nnrt_dtype, used by harnesses and language bindings
// that handle tensors generically through nnrt_tensor_info.
//
//===----------------------------------------------------------------------===//

#include "nnrt/nnrt.h"

// Both switches omit a default label so that -Wswitch reports a dtype added
// to the enum but not here; out-of-range values fall through to the end.

size_t nnrt_dtype_size(nnrt_dtype dtype) {
  switch (dtype) {
  case NNRT_DTYPE_I8:
  case NNRT_DTYPE_U8:
  case NNRT_DTYPE_BOOL:
    return 1;
  case NNRT_DTYPE_I16:
  case NNRT_DTYPE_U16:
  case NNRT_DTYPE_F16:
    return 2;
  case NNRT_DTYPE_F32:
  case NNRT_DTYPE_I32:
  case NNRT_DTYPE_U32:
    return 4;
  case NNRT_DTYPE_F64:
  case NNRT_DTYPE_I64:
  case NNRT_DTYPE_U64:
    return 8;
  }
  return 0;
}

const char *nnrt_dtype_name(nnrt_dtype dtype) {
  // The names match MLIR's spelling of the element types (i8, f16, ...) so
  // messages and docs read the same as the IR.
  switch (dtype) {
  case NNRT_DTYPE_F32:
    return "f32";
  case NNRT_DTYPE_F64:
    return "f64";
  case NNRT_DTYPE_I8:
    return "i8";
  case NNRT_DTYPE_I16:
    return "i16";
  case NNRT_DTYPE_I32:
    return "i32";
  case NNRT_DTYPE_I64:
    return "i64";
  case NNRT_DTYPE_U8:
    return "u8";
  case NNRT_DTYPE_U16:
    return "u16";
  case NNRT_DTYPE_U32:
    return "u32";
  case NNRT_DTYPE_U64:
    return "u64";
  case NNRT_DTYPE_BOOL:
    return "bool";
  case NNRT_DTYPE_F16:
    return "f16";
  }
  return "unknown";
}
