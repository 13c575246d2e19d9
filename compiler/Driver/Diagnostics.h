//===- Diagnostics.h - compiler-style diagnostic printing -------*- C++ -*-===//
//
// Prints MLIR diagnostics the way compilers do:
//   model.onnx: node 'conv1' (Conv): error: <message>
//   model.mlir:3:8: error: <message>
// ONNX node locations follow the importer's convention:
//   NameLoc(node name, NameLoc(op type, FileLineColLoc(file, 0, 0))).
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_COMPILER_DRIVER_DIAGNOSTICS_H
#define NNCC_COMPILER_DRIVER_DIAGNOSTICS_H

#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace nncc {

/// Formats the location prefix of a diagnostic ("file: node 'x' (Op)" or
/// "file:line:col"); empty for unknown locations.
std::string formatLocation(mlir::Location loc);

/// Installs itself on `ctx` for its lifetime; prints every diagnostic (with
/// its notes) to `os` and counts errors.
class CompilerDiagnosticHandler : public mlir::ScopedDiagnosticHandler {
public:
  CompilerDiagnosticHandler(mlir::MLIRContext *ctx, llvm::raw_ostream &os);
  unsigned getNumErrors() const { return numErrors; }

private:
  void print(mlir::Diagnostic &diag, llvm::StringRef severity);

  llvm::raw_ostream &os;
  unsigned numErrors = 0;
};

} // namespace nncc

#endif // NNCC_COMPILER_DRIVER_DIAGNOSTICS_H
