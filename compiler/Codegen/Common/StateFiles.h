//===- StateFiles.h - the C API that saves and loads the state --*- C++ -*-===//
//
// Private to nncc-generate-entry-points: builds <model>_save_checkpoint and
// <model>_load_checkpoint for a model that trains, and <model>_save and
// <model>_load when its module also keeps the ONNX model file
// (nn::kModelFileAttr). Each is one call of a hook of nnrt_hooks.h, which
// does the work; docs/generated-api.md describes them.
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_COMPILER_CODEGEN_COMMON_STATEFILES_H
#define NNCC_COMPILER_CODEGEN_COMMON_STATEFILES_H

#include "compiler/Codegen/Common/ApiBuilder.h"
#include "dialects/Nn/IR/NnContract.h"

namespace nncc {

class StateFileBuilder {
public:
  StateFileBuilder(ApiBuilder &api, llvm::StringRef model)
      : api(api), model(model.str()) {}

  /// Decides which functions the module gets, claims their names and reads
  /// where the value of each nn.parameter lies in the model file, checking
  /// it against the file's size. Must run while the module still has its
  /// nn.parameter ops and nn.entry attributes.
  mlir::LogicalResult prepare();

  /// Builds the functions around `stateInfos`, the model's state table (one
  /// row per nn.parameter, in module order), and removes the model file
  /// from the module.
  mlir::LogicalResult build(mlir::LLVM::GlobalOp stateInfos);

private:
  /// The model file attribute, when it is a rank-1 i8 tensor whose data is
  /// there; null, with an error, otherwise.
  mlir::ElementsAttr getModelFile();
  /// `<model>_<suffix>(ctx, path)`: returns `hook(ctx, "<model>_<suffix>",
  /// stateInfos, num_states, path, ...)`, the hook's further arguments
  /// appended by `addArgs`.
  void
  buildFunction(llvm::StringRef suffix, mlir::LLVM::LLVMFuncOp hook,
                mlir::LLVM::GlobalOp stateInfos,
                llvm::function_ref<void(mlir::OpBuilder &,
                                        llvm::SmallVectorImpl<mlir::Value> &)>
                    addArgs = nullptr);

  ApiBuilder &api;
  std::string model;
  nn::StateFileFunctions functions;
  mlir::ElementsAttr modelFile;
  /// Per state, the offset of its raw data in the model file, or UINT64_MAX
  /// (-1) for a state the file does not hold.
  llvm::SmallVector<int64_t> patchOffsets;
};

} // namespace nncc

#endif // NNCC_COMPILER_CODEGEN_COMMON_STATEFILES_H
