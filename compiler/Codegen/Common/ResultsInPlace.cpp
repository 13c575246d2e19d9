//===- ResultsInPlace.cpp - the nncc-results-in-place pass ----------------===//
//
// A result computed in another shape and returned as a reshape of it (a
// convolution weight updated in its gradient's [F, C * KH * KW] shape) is
// copied into its output buffer by buffer-results-to-out-params, which
// forwards only allocations returned as they are. Here the output buffer
// replaces such an allocation of as many elements, reshaped when the
// allocation's shape differs, and the copy goes.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Common/Passes.h"
#include "dialects/Nn/IR/NnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace nncc {
#define GEN_PASS_DEF_RESULTSINPLACE
#include "compiler/Codegen/Common/Passes.h.inc"
} // namespace nncc

using namespace mlir;

namespace {

/// Whether one of `values` or a view of one is used by an op other than
/// `copy` that is not before it in its block (ops nested in a later op count
/// as that op).
bool usedAfter(ArrayRef<Value> values, memref::CopyOp copy) {
  SmallVector<Value> worklist(values);
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (Operation *user : value.getUsers()) {
      if (user == copy.getOperation())
        continue;
      if (auto view = dyn_cast<ViewLikeOpInterface>(user))
        if (view.getViewSource() == value)
          llvm::append_range(worklist, user->getResults());
      Operation *inBlock = copy->getBlock()->findAncestorOpInBlock(*user);
      if (!inBlock || copy->isBeforeInBlock(inBlock))
        return true;
    }
  }
  return false;
}

/// The output buffer `copy` writes, if it is an argument marked nn.result
/// with no other use.
BlockArgument outputBuffer(func::FuncOp func, memref::CopyOp copy) {
  auto arg = dyn_cast<BlockArgument>(copy.getTarget());
  if (!arg || arg.getOwner() != &func.getBody().front() ||
      !func.getArgAttr(arg.getArgNumber(), "nn.result") || !arg.hasOneUse())
    return nullptr;
  return arg;
}

/// The allocation whose elements `value` holds in the same order: `value`
/// itself, a reshape of it, or the result of an scf.for that yields its
/// iteration argument unchanged (the loop wrote into it), recursively; null
/// otherwise.
memref::AllocOp sameElements(Value value, SmallVectorImpl<Value> &chain) {
  while (true) {
    chain.push_back(value);
    if (auto alloc = value.getDefiningOp<memref::AllocOp>())
      return alloc;
    Operation *op = value.getDefiningOp();
    if (isa_and_nonnull<memref::ExpandShapeOp, memref::CollapseShapeOp>(op)) {
      value = op->getOperand(0);
      continue;
    }
    auto loop = dyn_cast_or_null<scf::ForOp>(op);
    if (!loop)
      return nullptr;
    unsigned i = cast<OpResult>(value).getResultNumber();
    if (loop.getYieldedValues()[i] != loop.getRegionIterArgs()[i])
      return nullptr;
    value = loop.getInits()[i];
  }
}

/// Whether a buffer of `type` can be `output` reshaped: the same element
/// type and count, static, neither of rank 0 (a product packed in blocks,
/// [M / r, r, N / w, w], returned as [M, N]).
bool sameElementsInOrder(MemRefType type, MemRefType output) {
  return type == output || (type.getElementType() == output.getElementType() &&
                            type.hasStaticShape() && output.hasStaticShape() &&
                            type.getRank() > 0 && output.getRank() > 0 &&
                            type.getNumElements() == output.getNumElements());
}

/// `output` (identity layout) viewed in the shape of `type`: collapsed to
/// one dimension, then expanded.
Value reshaped(OpBuilder &b, Location loc, Value output, MemRefType type) {
  auto outputType = cast<MemRefType>(output.getType());
  if (outputType == type)
    return output;
  auto all = [](int64_t rank) {
    return SmallVector<ReassociationIndices>{
        llvm::to_vector(llvm::seq<int64_t>(0, rank))};
  };
  Value flat = output;
  if (outputType.getRank() != 1)
    flat = memref::CollapseShapeOp::create(b, loc, output,
                                           all(outputType.getRank()));
  if (type.getRank() == 1)
    return flat;
  return memref::ExpandShapeOp::create(b, loc, type.getShape(), flat,
                                       all(type.getRank()));
}

/// Replaces the allocation `copy` reads (sameElements) by the output buffer
/// it writes, which makes the copy one of the buffer onto itself, and drops
/// it; false when `copy` is not of that form.
bool forward(func::FuncOp func, memref::CopyOp copy) {
  BlockArgument output = outputBuffer(func, copy);
  if (!output)
    return false;
  SmallVector<Value> chain;
  memref::AllocOp alloc = sameElements(copy.getSource(), chain);
  // Reshapes keep the elements' order only in identity layouts.
  auto outputType = dyn_cast<MemRefType>(output.getType());
  if (!alloc || !outputType || !alloc.getType().getLayout().isIdentity() ||
      !outputType.getLayout().isIdentity() ||
      !sameElementsInOrder(alloc.getType(), outputType) ||
      alloc->getBlock() != copy->getBlock() || usedAfter(chain, copy))
    return false;
  OpBuilder b(alloc);
  alloc.getResult().replaceAllUsesWith(
      reshaped(b, alloc.getLoc(), output, alloc.getType()));
  copy->erase();
  alloc->erase();
  return true;
}

struct ResultsInPlacePass : nncc::impl::ResultsInPlaceBase<ResultsInPlacePass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (!func->hasAttr(nncc::nn::NnDialect::kEntryAttr) || func.isExternal())
        continue;
      SmallVector<memref::CopyOp> copies;
      for (auto copy : func.getBody().front().getOps<memref::CopyOp>())
        copies.push_back(copy);
      for (memref::CopyOp copy : copies)
        (void)forward(func, copy);
    }
  }
};

} // namespace
