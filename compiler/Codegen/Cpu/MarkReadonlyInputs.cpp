//===- MarkReadonlyInputs.cpp - the nncc-mark-readonly-inputs pass -------===//

#include "compiler/Codegen/Cpu/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"

namespace nncc {
#define GEN_PASS_DEF_MARKREADONLYINPUTS
#include "compiler/Codegen/Cpu/Passes.h.inc"
} // namespace nncc

using namespace mlir;

namespace {

struct MarkReadonlyInputsPass
    : nncc::impl::MarkReadonlyInputsBase<MarkReadonlyInputsPass> {
  void runOnOperation() override {
    auto readonly = BoolAttr::get(&getContext(), false);
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (!func.isPublic() || func.isExternal())
        continue;
      for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
        if (isa<TensorType>(func.getArgument(i).getType()))
          func.setArgAttr(i, "bufferization.writable", readonly);
    }
  }
};

} // namespace
