//===- OpRegistry.h - the ONNX operators nncc imports -----------*- C++ -*-===//
//
// The one list of supported ONNX operators: op type, the opsets of the
// default domain its handler covers, its category, what it becomes in the nn
// dialect and its limits. The importer dispatches through it, `nncc
// --supported-ops` prints it (docs/supported-ops.md is that output, checked
// by a test), and the ONNX node-test runner selects tests with it. No ONNX
// header here: the driver includes it without exceptions.
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_COMPILER_IMPORT_ONNX_OPREGISTRY_H
#define NNCC_COMPILER_IMPORT_ONNX_OPREGISTRY_H

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

namespace nncc::onnx_import {

class NodeImporter;

/// Imports one node: reads its inputs and attributes, builds nn ops and binds
/// every output, or reports an error and fails.
using NodeHandler = mlir::LogicalResult (*)(NodeImporter &);

/// The split the importer's sources, the nn dialect's ops, the lowering and
/// the tests follow (onnx-mlir's): arithmetic and activations, neural-network
/// layers, data movement.
enum class OpCategory { Math, NN, Tensor };

/// One supported ONNX operator of the default domain.
struct OpInfo {
  llvm::StringLiteral opType;
  OpCategory category;
  /// The opsets of the default domain whose versions of the operator the
  /// handler implements (inclusive).
  int64_t minOpset, maxOpset;
  NodeHandler handler;
  /// The nn ops it becomes, for the docs.
  llvm::StringLiteral nnOps;
  /// Supported attributes and limits, for the docs.
  llvm::StringLiteral notes;
};

/// The oldest and newest opset of the default domain nncc imports; the
/// newest is the newest that Debian's libonnx (1.12) knows.
constexpr int64_t kMinOpset = 1;
constexpr int64_t kMaxOpset = 17;

/// Every supported operator, sorted by category, then by op type.
llvm::ArrayRef<OpInfo> getOpRegistry();

/// The entry for `opType`, or null when nncc does not support it.
const OpInfo *lookupOp(llvm::StringRef opType);

/// Whether the importer of `opType` takes inputs with the dynamic batch.
bool supportsDynamicBatch(llvm::StringRef opType);

/// The name of a category ("Math", "NN", "Tensor").
llvm::StringRef getCategoryName(OpCategory category);

/// The lists of the importer's sources, defined next to their handlers.
llvm::ArrayRef<OpInfo> getMathOps();      // ImportMath.cpp
llvm::ArrayRef<OpInfo> getReduceOps();    // ImportReduce.cpp (Math category)
llvm::ArrayRef<OpInfo> getNNOps();        // ImportNN.cpp
llvm::ArrayRef<OpInfo> getRecurrentOps(); // ImportRNN.cpp (NN category)
llvm::ArrayRef<OpInfo> getNormalizationOps(); // ImportNormalization.cpp (NN)
llvm::ArrayRef<OpInfo> getTensorOps();        // ImportTensor.cpp
llvm::ArrayRef<OpInfo> getShapeOps();  // ImportShape.cpp (Tensor category)
llvm::ArrayRef<OpInfo> getResizeOps(); // ImportResize.cpp (Tensor category)

/// Writes docs/supported-ops.md.
void printSupportedOpsMarkdown(llvm::raw_ostream &os);
/// Writes one op type per line.
void printSupportedOpTypes(llvm::raw_ostream &os);

} // namespace nncc::onnx_import

#endif // NNCC_COMPILER_IMPORT_ONNX_OPREGISTRY_H
