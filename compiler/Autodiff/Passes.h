//===- Passes.h - training passes -------------------------------*- C++ -*-===//

#ifndef NNCC_COMPILER_AUTODIFF_PASSES_H
#define NNCC_COMPILER_AUTODIFF_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include <string>

namespace nncc {

#define GEN_PASS_DECL
#include "compiler/Autodiff/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/Autodiff/Passes.h.inc"

/// Checks the options of nncc-build-train-step, which are the values of
/// nncc's training flags: returns an error message naming the flag, or ""
/// when they are valid. The driver calls it before any work.
std::string checkTrainOptions(const BuildTrainStepOptions &options);

} // namespace nncc

#endif // NNCC_COMPILER_AUTODIFF_PASSES_H
