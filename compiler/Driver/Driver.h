//===- Driver.h - the nncc compiler driver ----------------------*- C++ -*-===//

#ifndef NNCC_COMPILER_DRIVER_DRIVER_H
#define NNCC_COMPILER_DRIVER_DRIVER_H

#include "compiler/Autodiff/Passes.h"

#include "llvm/Support/raw_ostream.h"

#include <string>

namespace nncc {

/// Everything `nncc` takes on its command line (see docs/cli.md).
struct DriverOptions {
  std::string inputPath;
  std::string outputPath; ///< empty: derived from the input (see docs)
  std::string headerPath; ///< empty: the object path with extension .h
  std::string emit = "obj";
  std::string target = "cpu";
  std::string name; ///< empty: derived from the output file's stem
  std::string cpu = "native";
  unsigned optLevel = 2;
  /// --train: add the training entries (docs/training.md), configured by
  /// `training` (the training flags).
  bool train = false;
  /// --report-memory: print the memory contract (MemoryReport.h).
  bool reportMemory = false;
  BuildTrainStepOptions training;
};

/// Compiles `options.inputPath` as the options say. Diagnostics go to
/// `diagOS`. Returns the process exit code: 0 on success, 1 on any error.
int runDriver(const DriverOptions &options, llvm::raw_ostream &diagOS);

} // namespace nncc

#endif // NNCC_COMPILER_DRIVER_DRIVER_H
