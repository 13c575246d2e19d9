//===- ElementwiseInPlace.cpp - elementwise ops into a dead operand ------===//
//
// An elementwise op writes a new tensor: after bufferization a new buffer,
// whose every cache line the core first reads from memory (a store to a
// line not in cache fetches it) and then writes back, on top of reading the
// operands. When one operand is read for the last time by the op (a
// residual add's shortcut: ResNet's block input, read before by the block's
// first convolution), the op can compute into that operand's buffer: one
// stream of memory fewer. See docs/design-notes.md "CPU tiling".
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Cpu/Tiling.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace {

/// Whether `value` is a whole tensor that a computation made (through
/// reshapes of it), neither a function argument (the caller's input) nor a
/// constant. Not a slice: the result would be a strided view of the larger
/// buffer (LeNet-5's 2x2 max pool, the maximum of four strided slices of
/// its input, ran 1.13x slower written into one of them).
bool isComputed(Value value) {
  while (Operation *op = value.getDefiningOp()) {
    if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp, tensor::CastOp>(
            op)) {
      value = op->getOperand(0);
      continue;
    }
    auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
    // A product's result is its epilogue's input (findEpilogue), which must
    // stay one.
    return (linalgOp && linalgOp.getNumReductionLoops() == 0) ||
           isa<linalg::PackOp, linalg::UnPackOp>(op);
  }
  return false;
}

/// Whether `op` is the last reader of `value`: every other user comes
/// before it in its block.
bool isLastUse(Value value, Operation *op) {
  return llvm::all_of(value.getUsers(), [&](Operation *user) {
    return user == op ||
           (user->getBlock() == op->getBlock() && user->isBeforeInBlock(op));
  });
}

/// The input of `op` it can compute into, or null.
OpOperand *deadInput(linalg::GenericOp op) {
  if (!linalg::isElementwise(op) || op.getNumDpsInits() != 1 ||
      !op.hasPureTensorSemantics())
    return nullptr;
  OpOperand *init = op.getDpsInitOperand(0);
  if (!init->get().getDefiningOp<tensor::EmptyOp>() ||
      op.payloadUsesValueFromOperand(init))
    return nullptr;
  AffineMap initMap = op.getMatchingIndexingMap(init);
  for (OpOperand *input : op.getDpsInputOperands()) {
    Value value = input->get();
    if (value.getType() == init->get().getType() &&
        op.getMatchingIndexingMap(input) == initMap && isComputed(value) &&
        isLastUse(value, op) && llvm::count(op->getOperands(), value) == 1)
      return input;
  }
  return nullptr;
}

} // namespace

void nncc::cpu::computeIntoDeadInputs(Operation *scope) {
  SmallVector<std::pair<linalg::GenericOp, OpOperand *>> rewrites;
  scope->walk([&](linalg::GenericOp op) {
    if (OpOperand *input = deadInput(op))
      rewrites.push_back({op, input});
  });
  IRRewriter rewriter(scope->getContext());
  for (auto [op, input] : rewrites) {
    unsigned index = input->getOperandNumber();
    SmallVector<Value> inputs;
    SmallVector<AffineMap> maps;
    for (OpOperand *other : op.getDpsInputOperands())
      if (other != input) {
        inputs.push_back(other->get());
        maps.push_back(op.getMatchingIndexingMap(other));
      }
    maps.push_back(op.getMatchingIndexingMap(op.getDpsInitOperand(0)));
    rewriter.setInsertionPoint(op);
    auto computed = linalg::GenericOp::create(
        rewriter, op.getLoc(), op.getResultTypes(), inputs,
        ValueRange{input->get()}, maps, op.getIteratorTypesArray());
    computed->setDiscardableAttrs(op->getDiscardableAttrDictionary());
    rewriter.inlineRegionBefore(op.getRegion(), computed.getRegion(),
                                computed.getRegion().end());
    Block &body = computed.getRegion().front();
    rewriter.replaceAllUsesWith(body.getArgument(index),
                                body.getArguments().back());
    body.eraseArgument(index);
    rewriter.replaceOp(op, computed->getResults());
  }
}
