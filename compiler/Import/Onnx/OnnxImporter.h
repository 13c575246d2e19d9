//===- OnnxImporter.h - ONNX to the nn dialect ------------------*- C++ -*-===//
//
// The importer's only public interface. It includes no ONNX or protobuf
// header: libonnx needs exceptions, which stay behind this boundary.
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_COMPILER_IMPORT_ONNX_ONNXIMPORTER_H
#define NNCC_COMPILER_IMPORT_ONNX_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace nncc {

struct OnnxImportOptions {
  /// Name of the entry function to create: the C API calls it
  /// <model>_<functionName>.
  std::string functionName = "infer";
  /// Training: float initializers become model state (nn.parameter, read
  /// through arguments marked nn.state) instead of foldable nn.constant, and
  /// the module keeps the model file for <model>_save (docs/training.md).
  bool initializersAsParameters = false;
};

/// Reads an ONNX model - binary protobuf, or protobuf text format when the
/// path ends in ".onnxtxt", ".textproto" or ".pbtxt" - runs the ONNX checker
/// and shape inference, and builds a module holding one entry function
/// (`nn.entry = #nn.entry<infer>`, docs/contract.md) in the nn dialect. The
/// function's arguments are the graph inputs that are not initializers, its
/// results the graph outputs, both in order and named by `nn.input` /
/// `nn.output`; the module records `nncc.source` and `nncc.opset`, and with
/// initializersAsParameters the model file (`nncc.model_file`, with
/// `nncc.file_offset` on each nn.parameter; docs/contract.md).
/// Problems are reported through `ctx`'s diagnostic engine, at the node they
/// concern when there is one; nothing aborts or throws, whatever the input.
/// Returns a null OwningOpRef on failure.
mlir::OwningOpRef<mlir::ModuleOp>
importOnnxFile(mlir::MLIRContext &ctx, llvm::StringRef path,
               const OnnxImportOptions &options);

/// `nncc --op-stats`: writes to `os` a table of the model's op types with
/// their counts, the opset each resolves at and whether nncc imports it
/// (with the reason when not), then tries the whole import, whose
/// diagnostics go to the context's handler, and says whether it succeeded.
/// Fails only when the file cannot be read as an ONNX model.
mlir::LogicalResult printOnnxOpStats(mlir::MLIRContext &ctx,
                                     llvm::StringRef path,
                                     llvm::raw_ostream &os);

} // namespace nncc

#endif // NNCC_COMPILER_IMPORT_ONNX_ONNXIMPORTER_H
