//===- PrepareEntryAbi.cpp - the nncc-prepare-entry-abi pass --------------===//

#include "compiler/Codegen/Common/Passes.h"
#include "dialects/Nn/IR/NnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/DenseSet.h"

namespace nncc {
#define GEN_PASS_DEF_PREPAREENTRYABI
#include "compiler/Codegen/Common/Passes.h.inc"
} // namespace nncc

using namespace mlir;
using nncc::nn::NnDialect;

namespace {

/// Copies every repeated return operand, so that each output buffer is
/// written by exactly one tensor.
void makeResultsDistinct(func::FuncOp func) {
  func.walk([](func::ReturnOp ret) {
    llvm::DenseSet<Value> seen;
    OpBuilder builder(ret);
    for (OpOperand &operand : ret->getOpOperands()) {
      Value value = operand.get();
      auto type = dyn_cast<RankedTensorType>(value.getType());
      if (!type || seen.insert(value).second)
        continue;
      Value empty = tensor::EmptyOp::create(
          builder, ret.getLoc(),
          tensor::getMixedSizes(builder, ret.getLoc(), value),
          type.getElementType());
      operand.set(linalg::CopyOp::create(builder, ret.getLoc(),
                                         ValueRange{value}, ValueRange{empty})
                      .getResult(0));
    }
  });
}

/// Marks an entry function's tensor arguments read-only and records the
/// tensor types of its arguments and results, unless the lowering recorded
/// them already (unsigned integers, which it made signless).
void prepareEntry(func::FuncOp func) {
  MLIRContext *ctx = func.getContext();
  auto readonly = BoolAttr::get(ctx, false);
  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
    if (isa<TensorType>(func.getArgument(i).getType())) {
      func.setArgAttr(i, "bufferization.writable", readonly);
      if (!func.getArgAttr(i, NnDialect::kAbiTypeAttr))
        func.setArgAttr(i, NnDialect::kAbiTypeAttr,
                        TypeAttr::get(func.getArgument(i).getType()));
    }
  for (unsigned i = 0, e = func.getNumResults(); i < e; ++i) {
    if (!func.getResultAttr(i, NnDialect::kAbiTypeAttr))
      func.setResultAttr(i, NnDialect::kAbiTypeAttr,
                         TypeAttr::get(func.getResultTypes()[i]));
    // Results become out-parameters; this keeps them apart from arguments.
    func.setResultAttr(i, NnDialect::kResultAttr, UnitAttr::get(ctx));
  }
  makeResultsDistinct(func);
}

struct PrepareEntryAbiPass
    : nncc::impl::PrepareEntryAbiBase<PrepareEntryAbiPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    auto ptrType = LLVM::LLVMPointerType::get(ctx);
    auto contextAttrs = DictionaryAttr::get(
        ctx, {NamedAttribute(NnDialect::kContextAttr, UnitAttr::get(ctx))});

    for (auto func :
         llvm::make_early_inc_range(module.getOps<func::FuncOp>())) {
      if (func.isExternal())
        continue;
      std::string internal =
          (NnDialect::kInternalPrefix + func.getName()).str();
      if (module.lookupSymbol(internal)) {
        func.emitError() << "cannot move '" << func.getName() << "' to '"
                         << internal << "': the module already has that "
                         << "symbol (names starting with '"
                         << NnDialect::kInternalPrefix << "' are nncc's)";
        return signalPassFailure();
      }
      if (failed(SymbolTable::replaceAllSymbolUses(
              func, StringAttr::get(ctx, internal), module)))
        return signalPassFailure();
      func.setName(internal);
      if (func->hasAttr(NnDialect::kEntryAttr))
        prepareEntry(func);
      if (failed(func.insertArgument(0, ptrType, contextAttrs, func.getLoc())))
        return signalPassFailure();
    }
    // Every call passes its caller's context along.
    module.walk([&](func::CallOp call) {
      auto callee = module.lookupSymbol<func::FuncOp>(call.getCallee());
      if (!callee || callee.isExternal())
        return;
      auto caller = call->getParentOfType<func::FuncOp>();
      call->insertOperands(0, caller.getArgument(0));
    });
  }
};

} // namespace
