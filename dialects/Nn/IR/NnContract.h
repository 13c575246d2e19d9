//===- NnContract.h - the module contract -----------------------*- C++ -*-===//
//
// The contract between a model module and the generated C API
// (docs/contract.md): which functions are entry points and of what kind, the
// names of their inputs and outputs, and the model state (nn.parameter) they
// read and write. The dialect verifies it; the header writer reads it with
// getModelContract, and the entry-point pass from the lowered functions.
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_DIALECT_NN_IR_NNCONTRACT_H
#define NNCC_DIALECT_NN_IR_NNCONTRACT_H

#include "dialects/Nn/IR/NnOps.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

#include <string>
#include <vector>

namespace nncc::nn {

/// One input or output of an entry function.
struct ContractTensor {
  std::string name;
  mlir::RankedTensorType type;
};

/// One entry function.
struct ContractEntry {
  mlir::FunctionOpInterface func;
  std::string name; ///< the function's symbol, the C suffix <model>_<name>
  EntryKind kind;
  llvm::SmallVector<ContractTensor> inputs, outputs;
  /// The states it writes: indices into ModelContract::states, in result
  /// order.
  llvm::SmallVector<unsigned> writes;
};

struct ModelContract {
  /// The module's nn.parameter ops, in order: state i of the runtime context.
  llvm::SmallVector<ParameterOp> states;
  std::vector<ContractEntry> entries;
};

/// Reads the contract of a verified module at the tensor level (before
/// nncc-prepare-entry-abi; the verifier has checked every type). Emits an
/// error and fails when the module has no entry function or was prepared.
mlir::FailureOr<ModelContract> getModelContract(mlir::ModuleOp module);

/// The name of entry function `func` in the C API: its symbol, without the
/// prefix nncc-prepare-entry-abi adds.
llvm::StringRef getEntryName(mlir::FunctionOpInterface func);

/// Whether `name` can follow "<model>_" in a C symbol: a C identifier.
bool isValidEntryName(llvm::StringRef name);

} // namespace nncc::nn

#endif // NNCC_DIALECT_NN_IR_NNCONTRACT_H
