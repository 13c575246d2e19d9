//===- UnshareDestinations.cpp - the nncc-unshare-destinations pass -------===//

#include "compiler/Codegen/Common/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/STLExtras.h"

namespace nncc {
#define GEN_PASS_DEF_UNSHAREDESTINATIONS
#include "compiler/Codegen/Common/Passes.h.inc"
} // namespace nncc

using namespace mlir;

namespace {

struct UnshareDestinationsPass
    : nncc::impl::UnshareDestinationsBase<UnshareDestinationsPass> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation()->walk([&](Operation *op) {
      if (isa<tensor::EmptyOp>(op))
        ops.push_back(op);
      else if (auto fill = dyn_cast<linalg::FillOp>(op))
        if (fill.hasPureTensorSemantics() &&
            fill.getOutputs()[0].getDefiningOp<tensor::EmptyOp>())
          ops.push_back(op);
    });
    // Fills first, so that their copies then get their own tensor.empty.
    for (Operation *op : llvm::reverse(ops)) {
      SmallVector<OpOperand *> uses;
      for (OpOperand &use : op->getResult(0).getUses())
        uses.push_back(&use);
      if (uses.size() < 2)
        continue;
      OpBuilder builder(op->getContext());
      builder.setInsertionPointAfter(op);
      for (OpOperand *use : llvm::drop_begin(uses))
        use->set(builder.clone(*op)->getResult(0));
    }
  }
};

} // namespace
