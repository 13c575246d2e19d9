//===- CommonPipelines.cpp - target-independent pipelines -------*- C++ -*-===//

#include "compiler/Codegen/Common/Passes.h"

#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void nncc::buildBufferizePipeline(OpPassManager &pm, bool padsInPlace) {
  pm.addPass(createPrepareEntryAbi());
  pm.addPass(createUnshareDestinations());
  // After the unsharing: the padded buffer's fill must stay one value, the
  // slice the result is computed into and the buffer it is inserted into.
  if (padsInPlace)
    pm.addPass(createPadsInPlace());

  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));

  // Results become caller-provided output buffers; allocations of a result
  // are replaced by the output buffer itself instead of copied into it.
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  pm.addPass(createResultsInPlace());
  pm.addPass(createCSEPass());
  pm.addPass(createCanonicalizerPass());
  bufferization::BufferDeallocationPipelineOptions dealloc;
  bufferization::buildBufferDeallocationPipeline(pm, dealloc);
  pm.addPass(createPlanWorkspace());
  pm.addPass(createMeasureWorkspace());
  pm.addPass(createBindBatchSize());
  pm.addPass(createFlattenConstantGlobals());
}

void nncc::buildEntryPointsPipeline(OpPassManager &pm, StringRef modelName) {
  pm.addPass(createAllocateThroughContext());
  GenerateEntryPointsOptions options;
  options.modelName = modelName.str();
  pm.addPass(createGenerateEntryPoints(options));
}
