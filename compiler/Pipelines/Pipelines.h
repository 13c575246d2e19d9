//===- Pipelines.h - nncc's compilation phases and pipelines ----*- C++ -*-===//
//
// The named phases of `nncc --emit=<phase>` and the pass pipelines between
// them. nncc and nncc-opt both use these functions, so a lit test of one
// stage exercises exactly the code the compiler runs.
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_COMPILER_PIPELINES_PIPELINES_H
#define NNCC_COMPILER_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringRef.h"

#include <optional>

namespace nncc {

/// Compilation phases in pipeline order.
enum class Phase {
  Import,  ///< the nn dialect exactly as imported
  Nn,      ///< nn after canonicalization and folding
  Linalg,  ///< linalg, tensor, arith and math on tensors
  Codegen, ///< the LLVM dialect after target code generation
  Llvm,    ///< LLVM IR with the C entry points, optimized
  Asm,     ///< target assembly
  Obj,     ///< the object file (plus the C header)
};

/// Parses a phase name as accepted by --emit; std::nullopt if unknown.
std::optional<Phase> parsePhase(llvm::StringRef name);
/// The --emit spelling of `phase`.
llvm::StringRef phaseName(Phase phase);
/// All --emit spellings, comma-separated, for help and error messages.
llvm::StringRef phaseNames();

/// nn -> nn: canonicalization, folding, CSE.
void buildNnPipeline(mlir::OpPassManager &pm);
/// nn -> linalg on tensors.
void buildNnToLinalgPipeline(mlir::OpPassManager &pm);

/// Registers nncc-nn-pipeline, nncc-linalg-pipeline and nncc-cpu-pipeline.
void registerNnccPipelines();

} // namespace nncc

#endif // NNCC_COMPILER_PIPELINES_PIPELINES_H
