//===- ModelSignature.h - the C API of a compiled model ---------*- C++ -*-===//
//
// The entry points, tensors and state of a model as its C header describes
// them, read off the module contract (dialects/Nn/IR/NnContract.h) before
// lowering. The entry-point pass reads the same contract from the lowered
// functions, so the header always matches the object.
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_COMPILER_DRIVER_MODELSIGNATURE_H
#define NNCC_COMPILER_DRIVER_MODELSIGNATURE_H

#include "dialects/Nn/IR/NnContract.h"
#include "dialects/Nn/IR/NnDTypes.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/SmallVector.h"

#include <string>
#include <vector>

namespace nncc {

struct TensorSignature {
  std::string name;  ///< name in the model (untrusted: escape it in text)
  std::string cName; ///< the header's parameter name (see getParameterName)
  const nn::DTypeInfo *dtype;
  llvm::SmallVector<int64_t> shape; ///< -1 for the dynamic batch
  int64_t numElements;              ///< -1 with the dynamic batch
  /// With the dynamic batch: the product of the other dimensions.
  int64_t elementsPerBatch;
};

struct EntrySignature {
  std::string name; ///< the C suffix: <model>_<name>
  nn::EntryKind kind;
  std::vector<TensorSignature> inputs, outputs;
  std::vector<std::string> writes; ///< names of the states it writes
  /// For an entry with a dynamic batch (its shapes hold -1, and its C
  /// functions take `int64_t batch_size`), the largest batch it takes.
  std::optional<int64_t> maxBatchSize;
};

struct ModelSignature {
  std::vector<EntrySignature> entries;
  std::vector<TensorSignature> states;
  /// Which of <model>_save, _load, _save_checkpoint, _load_checkpoint the
  /// API has.
  nn::StateFileFunctions stateFiles;
};

/// Describes the C API of model `modelName` from the contract of `module`.
/// Emits an error and fails when the module has no entry function.
mlir::FailureOr<ModelSignature> getModelSignature(mlir::ModuleOp module,
                                                  llvm::StringRef modelName);

/// Checks a model name given with --name: a C identifier that is not a
/// keyword and does not take the runtime's prefix "nnrt". On failure returns
/// false and sets `why` to a clause completing "--name 'x' ...".
bool checkModelName(llvm::StringRef name, std::string &why);

/// Whether `name` already means something in a C or C++ file including a
/// generated header: a keyword of C or C++, a name of <stddef.h> or
/// <stdint.h> (types and macros), a macro compilers predefine, or a common
/// name of the C library.
bool isLanguageOrLibraryName(llvm::StringRef name);

/// Turns `name` into a valid C identifier (invalid characters become '_')
/// that checkModelName accepts.
std::string sanitizeCIdentifier(llvm::StringRef name);

} // namespace nncc

#endif // NNCC_COMPILER_DRIVER_MODELSIGNATURE_H
