//===- Passes.h - nncc conversion passes ------------------------*- C++ -*-===//

#ifndef NNCC_COMPILER_CONVERSION_PASSES_H
#define NNCC_COMPILER_CONVERSION_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace nncc {

#define GEN_PASS_DECL
#include "compiler/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/Conversion/Passes.h.inc"

} // namespace nncc

#endif // NNCC_COMPILER_CONVERSION_PASSES_H
