//===- CpuPipeline.cpp - linalg on tensors to the LLVM dialect --*- C++ -*-===//
//
// The CPU pipeline: register tiling, fusion and vectorization on tensors
// (from -O1, driven by the target in CpuPipelineOptions), the shared
// bufferization, the vector lowering, the remaining linalg to loops and
// everything to the LLVM dialect, then the shared entry points.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Common/Passes.h"
#include "compiler/Codegen/Cpu/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVMPass.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void nncc::buildCpuLoweringPipeline(OpPassManager &pm,
                                    const CpuPipelineOptions &options) {
  SetTargetOptions target;
  target.triple = options.triple;
  pm.addPass(createSetTarget(target));
  pm.addNestedPass<func::FuncOp>(createStridedCopyToLinalg());
  if (options.optLevel > 0)
    pm.addPass(createCpuParallelize());
  pm.addNestedPass<func::FuncOp>(createForallToForLoopPass());
  if (options.optLevel > 0) {
    CpuLowerVectorsOptions lowering;
    lowering.vectorWidth = options.vectorWidth;
    pm.addNestedPass<func::FuncOp>(createCpuLowerVectors(lowering));
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
  }
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addNestedPass<func::FuncOp>(createConvertVectorToSCFPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // Without rollback the conversion rewrites in place; with it, every block
  // split logs the move of all the ops after the loop: quadratic time and
  // memory in the number of loops in a function (0.66 s, 370 MB for 1600).
  SCFToControlFlowPassOptions scfToCf;
  scfToCf.allowPatternRollback = false;
  pm.addPass(createSCFToControlFlowPass(scfToCf));
  // No LLVM intrinsic exists for tanh and friends: call libm (apps link -lm).
  pm.addPass(createConvertMathToLibmPass());

  // Before memrefs are converted: vector loads and stores take their
  // operands as memrefs.
  pm.addPass(createConvertVectorToLLVMPass());
  // Allocations call the generic _mlir_memref_to_llvm_* functions, which
  // nncc-allocate-through-context then routes to the context's workspace.
  FinalizeMemRefToLLVMConversionPassOptions memrefOptions;
  memrefOptions.useGenericFunctions = true;
  memrefOptions.useAlignedAlloc = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefOptions));
  ConvertFuncToLLVMPassOptions funcOptions;
  funcOptions.useBarePtrCallConv = true;
  pm.addPass(createConvertFuncToLLVMPass(funcOptions));
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void nncc::buildCpuCodegenPipeline(OpPassManager &pm,
                                   const CpuPipelineOptions &options) {
  if (options.optLevel > 0) {
    CpuBlockChannelsOptions blocking;
    blocking.vectorWidth = options.vectorWidth;
    pm.addNestedPass<func::FuncOp>(createCpuBlockChannels(blocking));
    CpuTileAndVectorizeOptions tiling;
    tiling.vectorWidth = options.vectorWidth;
    tiling.l2Bytes = options.l2Bytes;
    pm.addNestedPass<func::FuncOp>(createCpuTileAndVectorize(tiling));
    pm.addPass(createCSEPass());
    pm.addPass(createCanonicalizerPass());
  }
  buildBufferizePipeline(pm, /*padsInPlace=*/options.optLevel > 0);
  buildCpuLoweringPipeline(pm, options);
  buildEntryPointsPipeline(pm, options.modelName);
}
