//===- Differentiate.cpp - reverse-mode differentiation of nn ---*- C++ -*-===//
//
// Graph-level reverse mode over one block of nn ops (in SSA order, so the
// reverse of the block order is a reverse topological order): the gradient
// of the loss seeds the walk with 1; each active op's rule turns the
// gradients of its results into contributions to its operands' gradients,
// which are summed once, with one n-ary nn.sum, when the walk reaches the
// op that defines the value.
//
//===----------------------------------------------------------------------===//

#include "compiler/Autodiff/Differentiate.h"
#include "dialects/Nn/IR/NnOps.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

using namespace mlir;

namespace nncc::autodiff {

namespace {

bool isFloatTensor(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && isa<FloatType>(type.getElementType());
}

/// The values that lie on a path from `wrt` to `loss`.
DenseSet<Value> activeValues(Block &block, Value loss, ValueRange wrt) {
  DenseSet<Value> varied;
  for (Value v : wrt)
    varied.insert(v);
  for (Operation &op : block.without_terminator())
    if (llvm::any_of(op.getOperands(),
                     [&](Value v) { return varied.contains(v); }))
      for (Value result : op.getResults())
        if (isFloatTensor(result))
          varied.insert(result);

  DenseSet<Value> useful = {loss};
  for (Operation &op : llvm::reverse(block.without_terminator()))
    if (llvm::any_of(op.getResults(),
                     [&](Value v) { return useful.contains(v); }))
      for (Value operand : op.getOperands())
        useful.insert(operand);

  DenseSet<Value> active;
  for (Value v : varied)
    if (useful.contains(v))
      active.insert(v);
  return active;
}

} // namespace

FailureOr<SmallVector<Value>> differentiate(OpBuilder &b, Block &block,
                                            Value loss, ValueRange wrt,
                                            VJPState &state) {
  Location loc = loss.getLoc();
  auto lossType = cast<RankedTensorType>(loss.getType());
  DenseSet<Value> active = activeValues(block, loss, wrt);
  DenseMap<Value, SmallVector<Value, 2>> contributions;
  auto gradientOf = [&](Value value) -> Value {
    auto it = contributions.find(value);
    if (it == contributions.end())
      return {};
    if (it->second.size() > 1)
      it->second = {nn::SumOp::create(b, loc, it->second)};
    return it->second.front();
  };

  auto one = DenseElementsAttr::get(
      lossType, b.getFloatAttr(lossType.getElementType(), 1.0));
  contributions[loss].push_back(nn::ConstantOp::create(b, loc, one));

  SmallVector<Operation *> forward;
  for (Operation &op : block.without_terminator())
    forward.push_back(&op);
  for (Operation *op : llvm::reverse(forward)) {
    SmallVector<Value> resultGrads;
    bool any = false;
    for (Value result : op->getResults()) {
      resultGrads.push_back(active.contains(result) ? gradientOf(result)
                                                    : Value());
      any |= static_cast<bool>(resultGrads.back());
    }
    if (!any)
      continue;
    auto rule = dyn_cast<VJPOpInterface>(op);
    if (!rule)
      return op->emitError("cannot differentiate '")
             << op->getName() << "': it has no gradient rule (VJPOpInterface)";
    SmallVector<bool> needed;
    for (auto [index, operand] : llvm::enumerate(op->getOperands()))
      needed.push_back(active.contains(operand) &&
                       rule.isDifferentiableOperand(index));
    if (llvm::none_of(needed, [](bool n) { return n; }))
      continue;
    SmallVector<Value> operandGrads;
    if (failed(rule.buildVJP(b, state, resultGrads, needed, operandGrads)))
      return failure();
    for (auto [index, operand] : llvm::enumerate(op->getOperands())) {
      Value grad = operandGrads[index];
      if (!needed[index] || !grad)
        continue;
      if (grad.getType() != operand.getType())
        return op->emitError("internal error: the gradient rule of '")
               << op->getName() << "' gave operand " << index << " a "
               << grad.getType() << " gradient for a " << operand.getType()
               << " value";
      contributions[operand].push_back(grad);
    }
  }

  SmallVector<Value> grads;
  for (Value v : wrt) {
    Value grad = gradientOf(v);
    if (!grad) {
      auto type = cast<RankedTensorType>(v.getType());
      grad = nn::ConstantOp::create(
          b, loc,
          DenseElementsAttr::get(type,
                                 b.getFloatAttr(type.getElementType(), 0.0)));
    }
    grads.push_back(grad);
  }
  return grads;
}

} // namespace nncc::autodiff
