//===- Pipelines.cpp - nncc's compilation phases and pipelines --*- C++ -*-===//

#include "compiler/Pipelines/Pipelines.h"
#include "compiler/Codegen/Common/Passes.h"
#include "compiler/Codegen/Cpu/Passes.h"
#include "compiler/Conversion/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringSwitch.h"

using namespace mlir;

namespace nncc {

std::optional<EmitRequest> parseEmit(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<EmitRequest>>(name)
      .Case("import", EmitRequest{Phase::Import, OutputKind::Mlir})
      .Case("nn", EmitRequest{Phase::Nn, OutputKind::Mlir})
      .Case("train", EmitRequest{Phase::Train, OutputKind::Mlir})
      .Case("linalg", EmitRequest{Phase::Linalg, OutputKind::Mlir})
      .Case("codegen", EmitRequest{Phase::Codegen, OutputKind::Mlir})
      .Case("llvm", EmitRequest{Phase::Codegen, OutputKind::LlvmIr})
      .Case("asm", EmitRequest{Phase::Codegen, OutputKind::Assembly})
      .Case("obj", EmitRequest{Phase::Codegen, OutputKind::Object})
      .Default(std::nullopt);
}

llvm::StringRef emitNames() {
  return "import, nn, train, linalg, codegen, llvm, asm, obj";
}

void buildNnPipeline(OpPassManager &pm) {
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void buildTrainPipeline(OpPassManager &pm,
                        const BuildTrainStepOptions &options) {
  pm.addPass(createBuildTrainStep(options));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void buildNnToLinalgPipeline(OpPassManager &pm) {
  pm.addNestedPass<func::FuncOp>(createConvertNnToLinalg());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void registerNnccPipelines() {
  registerAutodiffPasses();
  registerConversionPasses();
  registerCommonCodegenPasses();
  registerCpuCodegenPasses();
  PassPipelineRegistration<>("nncc-nn-pipeline",
                             "Canonicalize and fold the nn dialect",
                             buildNnPipeline);
  PassPipelineRegistration<>("nncc-linalg-pipeline",
                             "Lower nn to linalg on tensors",
                             buildNnToLinalgPipeline);
  PassPipelineRegistration<>(
      "nncc-bufferize-pipeline",
      "Prepare the entry ABI and bufferize linalg on tensors (all targets)",
      [](OpPassManager &pm) { buildBufferizePipeline(pm); });
  PassPipelineRegistration<CpuPipelineOptions>(
      "nncc-cpu-pipeline",
      "Bufferize linalg on tensors, lower it to the LLVM dialect for a CPU "
      "and build the C entry points",
      buildCpuCodegenPipeline);
}

} // namespace nncc
