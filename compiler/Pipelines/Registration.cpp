//===- Registration.cpp - dialects and interfaces nncc uses ---------------===//

#include "compiler/Pipelines/Registration.h"
#include "compiler/Autodiff/VJPOpInterface.h"
#include "dialects/Nn/IR/NnDialect.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

void nncc::registerNnccDialects(mlir::DialectRegistry &registry) {
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllToLLVMIRTranslations(registry);
  registry.insert<nn::NnDialect>();
  autodiff::registerGradientRules(registry);
}
