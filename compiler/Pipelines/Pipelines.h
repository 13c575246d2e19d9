//===- Pipelines.h - nncc's compilation phases and pipelines ----*- C++ -*-===//
//
// The named phases of `nncc --emit=<phase>` and the pass pipelines between
// them. nncc and nncc-opt both use these functions, so a lit test of one
// stage exercises exactly the code the compiler runs.
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_COMPILER_PIPELINES_PIPELINES_H
#define NNCC_COMPILER_PIPELINES_PIPELINES_H

#include "compiler/Autodiff/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringRef.h"

#include <optional>

namespace nncc {

/// Compilation phases in pipeline order: the IR stages a compilation goes
/// through. Which file it writes is a separate choice (OutputKind).
enum class Phase {
  Import,  ///< the nn dialect exactly as imported
  Nn,      ///< nn after canonicalization and folding
  Train,   ///< nn with the training entries (--train only)
  Linalg,  ///< linalg, tensor, arith and math on tensors
  Codegen, ///< the LLVM dialect with the C entry points, for the target
};

/// What a compilation writes.
enum class OutputKind {
  Mlir,     ///< the IR after the requested phase, as text
  LlvmIr,   ///< LLVM IR, optimized
  Assembly, ///< target assembly
  Object,   ///< the object file, plus the C header
};

/// What --emit asks for: the phase to stop after and the output to write.
struct EmitRequest {
  Phase phase;
  OutputKind output;
};

/// Parses an --emit value (import, nn, train, linalg, codegen, llvm, asm,
/// obj);
/// std::nullopt if unknown. llvm, asm and obj run every phase.
std::optional<EmitRequest> parseEmit(llvm::StringRef name);
/// All --emit spellings, comma-separated, for help and error messages.
llvm::StringRef emitNames();

/// nn -> nn: canonicalization, folding, CSE.
void buildNnPipeline(mlir::OpPassManager &pm);
/// nn -> nn with train_step, eval and set_learning_rate entries
/// (nncc-build-train-step), canonicalized.
void buildTrainPipeline(mlir::OpPassManager &pm,
                        const BuildTrainStepOptions &options);
/// nn -> linalg on tensors.
void buildNnToLinalgPipeline(mlir::OpPassManager &pm);

/// Registers nncc's passes and the pipelines nncc-nn-pipeline,
/// nncc-linalg-pipeline, nncc-bufferize-pipeline and nncc-cpu-pipeline.
void registerNnccPipelines();

} // namespace nncc

#endif // NNCC_COMPILER_PIPELINES_PIPELINES_H
