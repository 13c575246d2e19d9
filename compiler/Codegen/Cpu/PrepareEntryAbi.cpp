//===- PrepareEntryAbi.cpp - the nncc-prepare-entry-abi pass --------------===//

#include "compiler/Codegen/Cpu/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/DenseSet.h"

namespace nncc {
#define GEN_PASS_DEF_PREPAREENTRYABI
#include "compiler/Codegen/Cpu/Passes.h.inc"
} // namespace nncc

using namespace mlir;

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
          builder, ret.getLoc(), type.getShape(), type.getElementType());
      operand.set(linalg::CopyOp::create(builder, ret.getLoc(),
                                         ValueRange{value}, ValueRange{empty})
                      .getResult(0));
    }
  });
}

struct PrepareEntryAbiPass
    : nncc::impl::PrepareEntryAbiBase<PrepareEntryAbiPass> {
  void runOnOperation() override {
    auto readonly = BoolAttr::get(&getContext(), false);
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (!func.isPublic() || func.isExternal())
        continue;
      for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
        if (isa<TensorType>(func.getArgument(i).getType()))
          func.setArgAttr(i, "bufferization.writable", readonly);
      makeResultsDistinct(func);
    }
  }
};

} // namespace
