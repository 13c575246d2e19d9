//===- ApiBuilder.h - building blocks of the generated C API ----*- C++ -*-===//
//
// Private to nncc-generate-entry-points: the pieces its parts (the entry
// points, GenerateEntryPoints.cpp; the functions that save and load the
// state, StateFiles.cpp) build the C API from in the LLVM dialect: the
// reservation of its names, read-only globals, tensor-info tables, public
// functions and declarations of the runtime's hooks (nnrt_hooks.h).
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_COMPILER_CODEGEN_COMMON_APIBUILDER_H
#define NNCC_COMPILER_CODEGEN_COMMON_APIBUILDER_H

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringSet.h"

#include <string>

namespace nncc {

/// A tensor in an info table.
struct TensorDesc {
  std::string name;
  mlir::RankedTensorType type;
};

/// Builds parts of the C API of `module`, at its end.
class ApiBuilder {
public:
  explicit ApiBuilder(mlir::ModuleOp module);

  /// Claims `name` for the C API; fails, with an error at `where`, when the
  /// module already defines the symbol or another part of the API claimed
  /// it.
  mlir::LogicalResult reserve(const std::string &name, mlir::Location where);

  //===--- Globals --------------------------------------------------------===//

  /// A private constant global (read-only data of the object).
  mlir::LLVM::GlobalOp addConstant(llvm::StringRef name, mlir::Type type,
                                   mlir::Attribute value);
  /// A NUL-terminated string constant.
  mlir::LLVM::GlobalOp addString(llvm::StringRef name, llvm::StringRef value);
  /// A constant global whose value `fill` builds in its initializer region.
  mlir::LLVM::GlobalOp
  addInitialized(llvm::StringRef name, mlir::Type type,
                 llvm::function_ref<mlir::Value(mlir::OpBuilder &)> fill);
  /// nnrt_tensor_info[] for `tensors`; null when there are none.
  mlir::LLVM::GlobalOp addInfoTable(llvm::StringRef name,
                                    llvm::ArrayRef<TensorDesc> tensors);

  //===--- Functions and values -------------------------------------------===//

  /// A public function of the C API with an entry block, where `body` is
  /// set to build.
  mlir::LLVM::LLVMFuncOp addApiFunction(llvm::StringRef name, mlir::Type result,
                                        llvm::ArrayRef<mlir::Type> params,
                                        mlir::OpBuilder &body);
  /// An external function of libnnrt; null (with an error) when the module
  /// has another symbol of that name.
  mlir::LLVM::LLVMFuncOp hook(llvm::StringRef name, mlir::Type result,
                              llvm::ArrayRef<mlir::Type> params);
  /// The address of `global`, or a null pointer when there is none.
  mlir::Value addressOf(mlir::OpBuilder &b, mlir::LLVM::GlobalOp global);
  mlir::Value constant(mlir::OpBuilder &b, mlir::Type type, int64_t value) {
    return mlir::LLVM::ConstantOp::create(b, loc, type, value);
  }

  mlir::ModuleOp module;
  /// Builds the module's globals and functions.
  mlir::OpBuilder builder;
  mlir::Location loc;
  /// The LLVM types of the C API: pointers, int32_t (nnrt_status), int64_t
  /// and size_t (the only targets are 64-bit), nnrt_tensor_info.
  mlir::Type ptrType, i32, i64;
  mlir::LLVM::LLVMStructType infoType;

private:
  llvm::StringSet<> apiNames;
};

} // namespace nncc

#endif // NNCC_COMPILER_CODEGEN_COMMON_APIBUILDER_H
