//===- Pipelines.cpp - nncc's compilation phases and pipelines --*- C++ -*-===//

#include "compiler/Pipelines/Pipelines.h"
#include "compiler/Codegen/Cpu/Passes.h"
#include "compiler/Conversion/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringSwitch.h"

using namespace mlir;

namespace nncc {

std::optional<Phase> parsePhase(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<Phase>>(name)
      .Case("import", Phase::Import)
      .Case("nn", Phase::Nn)
      .Case("linalg", Phase::Linalg)
      .Case("codegen", Phase::Codegen)
      .Case("llvm", Phase::Llvm)
      .Case("asm", Phase::Asm)
      .Case("obj", Phase::Obj)
      .Default(std::nullopt);
}

llvm::StringRef phaseName(Phase phase) {
  switch (phase) {
  case Phase::Import:
    return "import";
  case Phase::Nn:
    return "nn";
  case Phase::Linalg:
    return "linalg";
  case Phase::Codegen:
    return "codegen";
  case Phase::Llvm:
    return "llvm";
  case Phase::Asm:
    return "asm";
  case Phase::Obj:
    return "obj";
  }
  llvm_unreachable("unknown phase");
}

llvm::StringRef phaseNames() {
  return "import, nn, linalg, codegen, llvm, asm, obj";
}

void buildNnPipeline(OpPassManager &pm) {
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void buildNnToLinalgPipeline(OpPassManager &pm) {
  pm.addNestedPass<func::FuncOp>(createConvertNnToLinalg());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void registerNnccPipelines() {
  registerConversionPasses();
  registerCpuCodegenPasses();
  PassPipelineRegistration<>("nncc-nn-pipeline",
                             "Canonicalize and fold the nn dialect",
                             buildNnPipeline);
  PassPipelineRegistration<>("nncc-linalg-pipeline",
                             "Lower nn to linalg on tensors",
                             buildNnToLinalgPipeline);
  PassPipelineRegistration<>(
      "nncc-cpu-pipeline",
      "Bufferize linalg on tensors and lower it to the LLVM dialect (CPU)",
      buildCpuCodegenPipeline);
}

} // namespace nncc
