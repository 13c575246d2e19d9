//===- ImporterState.h - shared state of the ONNX importer ------*- C++ -*-===//
//
// Internal to the ONNX importer: the graph-wide value map, the per-node view
// that op handlers work with (inputs, attribute readers with defaults and
// type checks, result binding, error helpers) and the conversions of ONNX
// types and tensors. It includes ONNX headers, so only the importer's own
// sources, which build with -fexceptions, may include it.
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_COMPILER_IMPORT_ONNX_IMPORTERSTATE_H
#define NNCC_COMPILER_IMPORT_ONNX_IMPORTERSTATE_H

#include "compiler/Import/Onnx/OpRegistry.h"
#include "dialects/Nn/IR/NnDTypes.h"
#include "dialects/Nn/IR/NnOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OperationSupport.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"

#include <onnx/onnx_pb.h>

#include <climits>
#include <functional>
#include <optional>
#include <string>

namespace nncc::onnx_import {

//===----------------------------------------------------------------------===//
// ONNX types and tensors (TensorProto.cpp)
//===----------------------------------------------------------------------===//

/// The element type nncc uses for an ONNX `TensorProto::DataType`, or a null
/// type when nncc does not support it.
mlir::Type convertElementType(mlir::MLIRContext *ctx, int32_t dataType);

/// ONNX's spelling of a data type ("FLOAT", "UINT8", ...), for messages.
std::string getDataTypeName(int32_t dataType);

/// The element types convertElementType accepts, by their ONNX names
/// ("FLOAT, DOUBLE, ..."), for messages.
std::string getSupportedElementTypes();

/// The most elements a tensor may have. Beyond sanity, the bound keeps
/// libonnx 1.12's shape inference fast: for auto_pad SAME it counts down an
/// input size by the stride, one step at a time.
constexpr int64_t kMaxTensorElements = INT32_MAX;

/// The number of elements of a shape; std::nullopt when a size is negative
/// or the product overflows.
std::optional<int64_t> getNumElements(llvm::ArrayRef<int64_t> shape);

/// Converts an ONNX value type to a tensor type, static but for the dynamic
/// batch: a dimension named `batchParam` (the symbol of the inputs' first
/// dimension, empty when there is none) becomes `?`. On failure returns
/// null and sets `whyNot` to a clause that completes "input 'x' ..." (e.g.
/// "has dynamic dimension 'N'; nncc needs static shapes").
mlir::RankedTensorType convertValueType(mlir::MLIRContext *ctx,
                                        const onnx::TypeProto &type,
                                        std::string &whyNot,
                                        llvm::StringRef batchParam = {});

/// Fails, with a message naming the tensor as `what`, when a tensor keeps
/// its data outside the model file (nncc reads single-file models only).
mlir::LogicalResult checkDataIsEmbedded(const onnx::TensorProto &tensor,
                                        mlir::Location loc,
                                        llvm::StringRef what);

/// Converts a tensor stored in the model (an initializer or a Constant
/// attribute) from raw_data or the typed repeated fields. `what` names the
/// tensor in messages (e.g. "initializer 'w'"); errors go to `loc`.
mlir::FailureOr<mlir::DenseElementsAttr>
convertTensorProto(const onnx::TensorProto &tensor, mlir::Location loc,
                   llvm::StringRef what);

//===----------------------------------------------------------------------===//
// Graph-wide state
//===----------------------------------------------------------------------===//

/// Maps ONNX value names to what the importer made of them. Initializers and
/// Constant outputs stay attributes until an op uses them as an operand, so
/// constant-only inputs (a Reshape's shape) leave no dead nn.constant behind.
class ImporterState {
public:
  ImporterState(mlir::OpBuilder &builder, mlir::Location fileLoc, int64_t opset)
      : builder(builder), fileLoc(fileLoc), opset(opset) {}

  mlir::OpBuilder &getBuilder() { return builder; }
  mlir::MLIRContext *getContext() { return builder.getContext(); }
  /// The opset version of the default ONNX domain.
  int64_t getOpset() const { return opset; }

  /// Makes the value of an initializer that is model state (training):
  /// given its name, contents and location, returns the value the graph
  /// reads it through. Unset: initializers are constants.
  using ParameterFactory = std::function<mlir::Value(
      llvm::StringRef, mlir::DenseElementsAttr, mlir::Location)>;
  void setParameterFactory(ParameterFactory factory) {
    makeParameter = std::move(factory);
  }

  /// Registers an initializer; it is converted on first use.
  void addInitializer(const onnx::TensorProto &tensor);
  bool isInitializer(llvm::StringRef name) const;

  /// Binds `name` to an SSA value (a function argument or an op result).
  void bindValue(llvm::StringRef name, mlir::Value value);
  /// Binds `name` to a constant; `loc` is given to its nn.constant.
  void bindConstant(llvm::StringRef name, mlir::DenseElementsAttr value,
                    mlir::Location loc);
  bool isBound(llvm::StringRef name) const;
  /// The type of what `name` is bound to, or null when it is unbound.
  mlir::Type getBoundType(llvm::StringRef name) const;

  /// The value of `name`, materializing a constant at the builder's
  /// insertion point on first use. Reports problems at `useLoc`.
  mlir::FailureOr<mlir::Value> lookupValue(llvm::StringRef name,
                                           mlir::Location useLoc);
  /// The contents of `name` when it is a constant, a null attribute when it
  /// is computed, failure when the constant cannot be converted.
  mlir::FailureOr<mlir::DenseElementsAttr> lookupConstant(llvm::StringRef name);

private:
  struct Constant {
    /// The initializer's tensor, converted into `value` on first use; null
    /// for Constant outputs, which come converted.
    const onnx::TensorProto *proto = nullptr;
    mlir::DenseElementsAttr value;
    mlir::Location loc;
    /// The nn.constant, once an op used the constant as an operand.
    mlir::Value materialized;
  };

  mlir::OpBuilder &builder;
  mlir::Location fileLoc;
  int64_t opset;
  llvm::StringMap<mlir::Value> values;
  llvm::StringMap<Constant> constants;
  ParameterFactory makeParameter;
};

//===----------------------------------------------------------------------===//
// The view of one node that op handlers work with
//===----------------------------------------------------------------------===//

/// One ONNX node being imported. Every helper reports its own errors at the
/// node, so handlers only propagate failure.
class NodeImporter {
public:
  NodeImporter(ImporterState &state, const onnx::NodeProto &node,
               mlir::Location loc)
      : state(state), node(node), loc(loc) {}

  const onnx::NodeProto &getNode() const { return node; }
  llvm::StringRef getOpType() const { return node.op_type(); }
  mlir::Location getLoc() const { return loc; }
  int64_t getOpset() const { return state.getOpset(); }
  mlir::OpBuilder &getBuilder() { return state.getBuilder(); }
  mlir::MLIRContext *getContext() { return state.getContext(); }

  /// Starts an error at the node.
  mlir::InFlightDiagnostic emitError();
  /// Starts an error at the node, prefixed with the op type ("Reshape: ").
  mlir::InFlightDiagnostic emitOpError();
  /// Reports "attribute 'name' value 'value' is not supported".
  mlir::LogicalResult emitUnsupportedAttr(llvm::StringRef name,
                                          const llvm::Twine &value);

  //===--- Inputs ---------------------------------------------------------===//

  /// Whether input `index` is given (ONNX omits optional inputs by leaving
  /// them out at the end or by naming them "").
  bool hasInput(unsigned index) const;
  /// How many inputs the node lists (given or not).
  unsigned getNumInputs() const;
  /// A required input.
  mlir::FailureOr<mlir::Value> getInput(unsigned index);
  /// Every input of a variadic operator (Concat, Sum, ...), at least one.
  mlir::FailureOr<llvm::SmallVector<mlir::Value>> getVariadicInputs();
  /// An optional input; a null value when it is not given.
  mlir::FailureOr<mlir::Value> getOptionalInput(unsigned index);
  /// The contents of input `index` when it is a constant (an initializer or
  /// a Constant's output), a null attribute when it is computed.
  mlir::FailureOr<mlir::DenseElementsAttr> lookupConstantInput(unsigned index);
  /// The contents of an input that must be a constant; `role` names it in
  /// the message ("the shape input must be a constant").
  mlir::FailureOr<mlir::DenseElementsAttr>
  getConstantInput(unsigned index, llvm::StringRef role);
  /// Fails with a message naming `role` unless `value` holds floats: most nn
  /// ops take floating-point tensors only.
  mlir::LogicalResult requireFloat(mlir::Value value, llvm::StringRef role);

  //===--- Attributes -----------------------------------------------------===//
  // Each reader checks the attribute's type; a missing attribute takes the
  // default, or is an error when there is none.

  const onnx::AttributeProto *findAttribute(llvm::StringRef name) const;
  mlir::FailureOr<int64_t> getIntAttr(llvm::StringRef name,
                                      std::optional<int64_t> defaultValue);
  mlir::FailureOr<float> getFloatAttr(llvm::StringRef name,
                                      std::optional<float> defaultValue);
  mlir::FailureOr<std::string>
  getStringAttr(llvm::StringRef name,
                std::optional<llvm::StringRef> defaultValue);
  mlir::FailureOr<llvm::SmallVector<int64_t>>
  getIntsAttr(llvm::StringRef name,
              std::optional<llvm::ArrayRef<int64_t>> defaultValue);
  mlir::FailureOr<llvm::SmallVector<float>>
  getFloatsAttr(llvm::StringRef name,
                std::optional<llvm::ArrayRef<float>> defaultValue);
  /// A boolean stored as an int attribute; only 0 and 1 are accepted.
  mlir::FailureOr<bool> getBoolAttr(llvm::StringRef name, bool defaultValue);
  /// An axis attribute in [-rank, rank + extra), returned normalized to
  /// [0, rank + extra).
  mlir::FailureOr<int64_t> getAxisAttr(llvm::StringRef name,
                                       int64_t defaultValue, int64_t rank,
                                       int64_t extra = 0);

  //===--- Results --------------------------------------------------------===//

  /// Whether output `index` is requested (optional outputs may be left out
  /// or named "").
  bool hasOutput(unsigned index) const;

  /// Binds output `index` to `value` after checking that nncc supports its
  /// type. Takes a FailureOr so that handlers can pass what they built
  /// directly.
  mlir::LogicalResult setResult(unsigned index,
                                mlir::FailureOr<mlir::Value> value);
  /// Binds output `index` to a constant (materialized on first use).
  mlir::LogicalResult setConstantResult(unsigned index,
                                        mlir::DenseElementsAttr value);

  //===--- Building -------------------------------------------------------===//

  /// Creates an nn op that infers its result type. The generated builders
  /// abort when inference fails; this runs inference first, so a model the
  /// op rejects becomes a diagnostic at the node.
  template <typename OpTy, typename... Args>
  mlir::FailureOr<mlir::Value> create(Args &&...args) {
    mlir::OperationState opState(loc, OpTy::getOperationName());
    OpTy::build(getBuilder(), opState, /*result=*/mlir::Type(),
                std::forward<Args>(args)...);
    opState.types.clear();
    if (mlir::failed(OpTy::inferReturnTypes(
            getContext(), loc, opState.operands,
            opState.attributes.getDictionary(getContext()),
            opState.getRawProperties(), opState.regions, opState.types)))
      return mlir::failure();
    return foldIfConstant(getBuilder().create(opState));
  }
  /// The result of `op`, or, when all its operands are constants and it
  /// folds (NnConstantFolds.cpp), the folded value in its place: shape
  /// subgraphs become constants that later nodes read as shapes.
  mlir::Value foldIfConstant(mlir::Operation *op);
  /// An nn.reshape of `input` to `shape`, which must hold as many elements.
  mlir::FailureOr<mlir::Value> createReshape(mlir::Value input,
                                             llvm::ArrayRef<int64_t> shape);
  /// An nn.cast of `input` to `elementType` (folded when constant).
  mlir::Value createCast(mlir::Value input, mlir::Type elementType);
  /// A rank-0 nn.constant of a floating-point `elementType`.
  mlir::Value createFloatScalar(mlir::Type elementType, double value);
  /// A rank-0 nn.constant of any numeric `elementType` (integers take the
  /// value truncated).
  mlir::Value createScalar(mlir::Type elementType, double value);

private:
  /// Checks the type of an attribute that is present.
  mlir::LogicalResult checkAttrType(const onnx::AttributeProto &attr,
                                    int expectedType, llvm::StringRef what);
  /// Checks that a result type is within nncc's limits.
  mlir::LogicalResult checkResultType(unsigned index, mlir::Type type);

  ImporterState &state;
  const onnx::NodeProto &node;
  mlir::Location loc;
};

//===----------------------------------------------------------------------===//
// Compositions shared by handlers
//===----------------------------------------------------------------------===//

/// The statistics of a normalization over `axes` (kept as size 1): the
/// mean, x - mean, and sqrt(biased variance + epsilon), built from nn ops
/// (ImportNormalization.cpp). InstanceNormalization and LayerNormalization's
/// Mean/InvStdDev outputs use them.
struct Normalization {
  mlir::Value mean, centered, deviation;
};
mlir::FailureOr<Normalization> createNormalization(NodeImporter &node,
                                                   mlir::Value x,
                                                   llvm::ArrayRef<int64_t> axes,
                                                   float epsilon);

//===----------------------------------------------------------------------===//
// Op handlers
//===----------------------------------------------------------------------===//

// The handlers are reached through OpRegistry.h.

/// Whether any of the handler's intermediate results failed (the failure is
/// already reported).
template <typename... Ts> bool anyFailed(const mlir::FailureOr<Ts> &...values) {
  return (mlir::failed(values) || ...);
}

} // namespace nncc::onnx_import

#endif // NNCC_COMPILER_IMPORT_ONNX_IMPORTERSTATE_H
