//===- NnDTypes.h - element types of the C API ------------------*- C++ -*-===//
//
// The compiler's view of runtime/include/nnrt/dtypes.def, the one table of
// element types: which MLIR and ONNX types a C API tensor may have, and how
// the generated header spells them. The importer, the contract verifier, the
// entry-point pass and the header writer all look types up here.
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_DIALECT_NN_IR_NNDTYPES_H
#define NNCC_DIALECT_NN_IR_NNDTYPES_H

#include "mlir/IR/Types.h"
#include "llvm/ADT/ArrayRef.h"

namespace nncc::nn {

struct DTypeInfo {
  enum class Kind { Float, Signed, Unsigned, Bool };
  const char *id;    ///< "F32": the enum is NNRT_DTYPE_<id>
  int value;         ///< nnrt_dtype value
  const char *cType; ///< element type in C ("float")
  const char *name;  ///< short name ("f32")
  unsigned size;     ///< bytes per element
  Kind kind;
  unsigned bits; ///< width of the MLIR type
  int onnx;      ///< onnx.TensorProto.DataType

  /// The MLIR element type: f16/f32/f64, signless iN for signed integers,
  /// unsigned uiN, i1 for bool.
  mlir::Type getMlirType(mlir::MLIRContext *ctx) const;
  /// "NNRT_DTYPE_F32".
  std::string getEnumName() const;
};

/// Every row of dtypes.def, in order.
llvm::ArrayRef<DTypeInfo> getDTypes();

/// The row for an MLIR element type; null when the C API has no such type.
const DTypeInfo *lookupDType(mlir::Type elementType);

/// The row for an onnx.TensorProto.DataType; null when there is none.
const DTypeInfo *lookupOnnxDType(int onnxDataType);

} // namespace nncc::nn

#endif // NNCC_DIALECT_NN_IR_NNDTYPES_H
