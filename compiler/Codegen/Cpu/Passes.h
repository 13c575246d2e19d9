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

/// The CPU target: what tiling and vectorization need to know, and what
/// object emission uses. `triple` reaches the IR (nncc-set-target);
/// `vectorWidth` and `l2Bytes` set the tiles (nncc-cpu-block-channels,
/// nncc-cpu-tile-and-vectorize); `cpu` and `features` are carried along
/// (object emission reads them from CpuTarget). The driver resolves --mcpu
/// into it before any work (resolveCpuTarget in
/// compiler/Driver/ObjectEmitter.h); nncc-opt takes it as options of
/// nncc-cpu-pipeline (empty triple: the host's).
struct CpuPipelineOptions : mlir::PassPipelineOptions<CpuPipelineOptions> {
  Option<std::string> triple{*this, "triple",
                             llvm::cl::desc("Target triple (empty: host)"),
                             llvm::cl::init("")};
  Option<std::string> cpu{*this, "cpu",
                          llvm::cl::desc("Target CPU, e.g. znver5"),
                          llvm::cl::init("")};
  Option<std::string> features{
      *this, "features", llvm::cl::desc("Target features, e.g. +avx2,+fma"),
      llvm::cl::init("")};
  Option<unsigned> vectorWidth{
      *this, "vector-width",
      llvm::cl::desc("Widest vector register in bits (128, 256, 512)"),
      llvm::cl::init(128)};
  Option<unsigned> l2Bytes{
      *this, "l2-bytes",
      llvm::cl::desc("One core's L2 cache in bytes (default 2 MiB)"),
      llvm::cl::init(2u << 20)};
  Option<unsigned> optLevel{
      *this, "opt-level",
      llvm::cl::desc("0: no tiling or vectorization (fastest compile)"),
      llvm::cl::init(2)};
  Option<std::string> modelName{
      *this, "model-name", llvm::cl::desc("Prefix of the generated C symbols"),
      llvm::cl::init("model")};
};

/// Lowers bufferized IR (memrefs, linalg, scf) to the LLVM dialect for a CPU
/// and records the target triple on the module.
void buildCpuLoweringPipeline(mlir::OpPassManager &pm,
                              const CpuPipelineOptions &options);

/// The whole CPU code generation: the shared bufferization
/// (buildBufferizePipeline), the CPU lowering and the shared entry points
/// (buildEntryPointsPipeline), from linalg on tensors to an LLVM-dialect
/// module with the model's C API.
void buildCpuCodegenPipeline(mlir::OpPassManager &pm,
                             const CpuPipelineOptions &options);

} // namespace nncc

#endif // NNCC_COMPILER_CODEGEN_CPU_PASSES_H
