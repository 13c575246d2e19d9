//===- Passes.h - training passes -------------------------------*- C++ -*-===//

#ifndef NNCC_COMPILER_AUTODIFF_PASSES_H
#define NNCC_COMPILER_AUTODIFF_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace nncc {

#define GEN_PASS_DECL
#include "compiler/Autodiff/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/Autodiff/Passes.h.inc"

} // namespace nncc

#endif // NNCC_COMPILER_AUTODIFF_PASSES_H
