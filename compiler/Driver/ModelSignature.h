//===- ModelSignature.h - inputs and outputs of a compiled model *- C++ -*-===//
//
// The tensors a model takes and returns, read off its entry function before
// lowering. The header writer and the entry-point generator both work from
// this one description, so the header always matches the object.
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_COMPILER_DRIVER_MODELSIGNATURE_H
#define NNCC_COMPILER_DRIVER_MODELSIGNATURE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/SmallVector.h"

#include <string>
#include <vector>

namespace nncc {

struct TensorSignature {
  std::string name;      ///< name in the model (ONNX value name)
  std::string cName;     ///< C identifier used for the header's parameter
  int dtype;             ///< nnrt_dtype value
  std::string dtypeEnum; ///< e.g. "NNRT_DTYPE_F32"
  std::string cType;     ///< element type in C, e.g. "float"
  std::string dtypeName; ///< short name, e.g. "f32"
  llvm::SmallVector<int64_t> shape;
  int64_t numElements;
};

struct ModelSignature {
  std::vector<TensorSignature> inputs;
  std::vector<TensorSignature> outputs;
};

/// Describes `func`'s arguments and results. Names come from the `nncc.name`
/// argument/result attributes (else "input<i>"/"output<i>"). Emits an error
/// and fails for a type the C API cannot express.
mlir::FailureOr<ModelSignature> getModelSignature(mlir::func::FuncOp func);

/// True when `name` is a valid C identifier and not a reserved name (a C
/// keyword, or ctx/inputs/outputs, which the generated API uses).
bool isValidCIdentifier(llvm::StringRef name);

/// Turns `name` into a valid C identifier (invalid characters become '_').
std::string sanitizeCIdentifier(llvm::StringRef name);

} // namespace nncc

#endif // NNCC_COMPILER_DRIVER_MODELSIGNATURE_H
