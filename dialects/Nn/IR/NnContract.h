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

/// The model file a module keeps for <model>_save and <model>_load
/// (docs/contract.md): on the module, the serialized ONNX model, a rank-1
/// tensor of i8 (the importer writes a dense_resource blob); on each
/// nn.parameter stored in it, the byte offset of its raw data in those bytes
/// (an i64). Neither is an nn attribute: the dialect does not verify them,
/// the entry-point pass checks them and removes them.
constexpr llvm::StringLiteral kModelFileAttr = "nncc.model_file";
constexpr llvm::StringLiteral kFileOffsetAttr = "nncc.file_offset";

/// The functions of the C API that save and load the state, besides the
/// entry points (docs/generated-api.md).
struct StateFileFunctions {
  /// <model>_save_checkpoint and <model>_load_checkpoint: the module has
  /// state and a train_step entry.
  bool checkpoint = false;
  /// <model>_save and <model>_load: checkpoints, and the module keeps its
  /// model file (kModelFileAttr).
  bool modelFile = false;
};

/// Which of those functions `module` gets; the same answer before lowering
/// (for the header) and after (for the entry-point pass), as long as the
/// nn.parameter ops and the nn.entry attributes are there.
StateFileFunctions getStateFileFunctions(mlir::ModuleOp module);

/// Reads the contract of a verified module at the tensor level (before
/// nncc-prepare-entry-abi; the verifier has checked every type). Emits an
/// error and fails when the module has no entry function or was prepared.
mlir::FailureOr<ModelContract> getModelContract(mlir::ModuleOp module);

/// The name of entry function `func` in the C API: its symbol, without the
/// prefix nncc-prepare-entry-abi adds.
llvm::StringRef getEntryName(mlir::FunctionOpInterface func);

/// Whether `name` can follow "<model>_" in a C symbol: a C identifier.
bool isValidEntryName(llvm::StringRef name);

/// The largest batch size an entry whose inputs and outputs are `types`
/// takes: every tensor with the dynamic batch stays within 2^31 - 1
/// elements (the importer's limit), so no byte count overflows.
/// std::nullopt when none has a dynamic batch (the entry has no batch_size
/// argument). The header and the entry points both use it.
std::optional<int64_t> getMaxBatchSize(llvm::ArrayRef<mlir::Type> types);

} // namespace nncc::nn

#endif // NNCC_DIALECT_NN_IR_NNCONTRACT_H
