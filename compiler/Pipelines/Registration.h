//===- Registration.h - dialects and interfaces nncc uses -------*- C++ -*-===//

#ifndef NNCC_COMPILER_PIPELINES_REGISTRATION_H
#define NNCC_COMPILER_PIPELINES_REGISTRATION_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace nncc {

/// Registers the nn dialect plus every upstream dialect, interface model
/// (bufferization, convert-to-LLVM) and LLVM IR translation the pipelines
/// rely on. Kept in one file because the upstream umbrella headers are slow
/// to compile.
void registerNnccDialects(mlir::DialectRegistry &registry);

} // namespace nncc

#endif // NNCC_COMPILER_PIPELINES_REGISTRATION_H
