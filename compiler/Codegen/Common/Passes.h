//===- Passes.h - target-independent code generation ------------*- C++ -*-===//

#ifndef NNCC_COMPILER_CODEGEN_COMMON_PASSES_H
#define NNCC_COMPILER_CODEGEN_COMMON_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace nncc {

#define GEN_PASS_DECL
#include "compiler/Codegen/Common/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/Codegen/Common/Passes.h.inc"

/// Prepares the entry ABI and bufferizes linalg on tensors: entry functions
/// end up taking (context, inputs and state, outputs and new state) as
/// memrefs, results written into caller-provided buffers. With
/// `padsInPlace` (an optimizing target pipeline), pads' sources are computed
/// in the padded buffers (nncc-pads-in-place).
void buildBufferizePipeline(mlir::OpPassManager &pm, bool padsInPlace = false);

/// After the target's lowering to the LLVM dialect: allocation through the
/// context and the C entry points of model `modelName`.
void buildEntryPointsPipeline(mlir::OpPassManager &pm,
                              llvm::StringRef modelName);

} // namespace nncc

#endif // NNCC_COMPILER_CODEGEN_COMMON_PASSES_H
