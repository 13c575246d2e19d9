//===- Passes.h - CPU code generation passes and pipeline -------*- C++ -*-===//

#ifndef NNCC_COMPILER_CODEGEN_CPU_PASSES_H
#define NNCC_COMPILER_CODEGEN_CPU_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace nncc {

#define GEN_PASS_DECL
#include "compiler/Codegen/Cpu/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/Codegen/Cpu/Passes.h.inc"

/// Bufferizes linalg-on-tensors IR and lowers it to the LLVM dialect for the
/// host CPU. Public functions end up as `void f(inputs..., outputs...)` with
/// bare pointers (destination-passing style), which the generated C entry
/// points call.
void buildCpuCodegenPipeline(mlir::OpPassManager &pm);

} // namespace nncc

#endif // NNCC_COMPILER_CODEGEN_CPU_PASSES_H
