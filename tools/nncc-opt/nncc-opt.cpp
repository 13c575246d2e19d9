//===- nncc-opt.cpp - nncc's mlir-opt ---------------------------*- C++ -*-===//
//
// mlir-opt with every nncc dialect, pass and pipeline registered, plus the
// upstream ones they build on: the tool for running one stage in lit tests.
//
//===----------------------------------------------------------------------===//

#include "compiler/Pipelines/Pipelines.h"
#include "compiler/Pipelines/Registration.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  nncc::registerNnccPipelines();

  mlir::DialectRegistry registry;
  nncc::registerNnccDialects(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "nncc optimizer driver\n", registry));
}
