//===- status.c - Status codes and messages -----------------------*- C -*-===//
//
// Maps nnrt_status values to the short messages applications print.
//
//===----------------------------------------------------------------------===//

#include "nnrt/nnrt.h"

const char *nnrt_status_message(nnrt_status status) {
  // No default label: -Wswitch then flags any status added to the enum but not
  // here, and out-of-range values (possible from C callers) fall through.
  switch (status) {
  case NNRT_OK:
    return "ok";
  case NNRT_ERROR_INVALID_ARGUMENT:
    return "invalid argument";
  case NNRT_ERROR_OUT_OF_MEMORY:
    return "out of memory";
  case NNRT_ERROR_UNSUPPORTED:
    return "unsupported";
  case NNRT_ERROR_IO:
    return "I/O error";
  case NNRT_ERROR_INTERNAL:
    return "internal error";
  }
  return "unknown status";
}
