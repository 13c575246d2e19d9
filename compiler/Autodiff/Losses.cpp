//===- Losses.cpp - the losses a train step can minimize --------*- C++ -*-===//
//
// Every loss is built from ordinary nn ops, so the differentiation pass
// gets its gradient from their rules: e.g. cross-entropy is
// -sum(one_hot(labels) * log_softmax(logits)) / N, whose backward pass
// simplifies to (softmax - one_hot) / N.
//
//===----------------------------------------------------------------------===//

#include "compiler/Autodiff/Losses.h"
#include "compiler/Autodiff/VJPOpInterface.h"
#include "dialects/Nn/IR/NnOps.h"

#include "llvm/ADT/StringSwitch.h"

using namespace mlir;

namespace nncc::autodiff {

std::optional<LossKind> parseLossKind(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<LossKind>>(name)
      .Case("cross_entropy", LossKind::CrossEntropy)
      .Case("bce", LossKind::Bce)
      .Case("mse", LossKind::Mse)
      .Case("sse", LossKind::Sse)
      .Case("l1", LossKind::L1)
      .Default(std::nullopt);
}

llvm::StringRef lossKindNames() { return "cross_entropy, bce, mse, sse, l1"; }

llvm::StringRef targetName(LossKind kind) {
  return kind == LossKind::CrossEntropy ? "labels" : "targets";
}

RankedTensorType targetType(LossKind kind, RankedTensorType prediction,
                            std::string &why) {
  if (!prediction.getElementType().isF32()) {
    why = "the prediction must be f32";
    return {};
  }
  if (kind != LossKind::CrossEntropy)
    return prediction;
  if (prediction.getRank() != 2) {
    why = "cross_entropy needs a [batch, classes] prediction";
    return {};
  }
  return RankedTensorType::get({prediction.getDimSize(0)},
                               IntegerType::get(prediction.getContext(), 64));
}

/// The dimensions of `value`'s type.
static SmallVector<int64_t> allAxes(Value value) {
  return llvm::to_vector(
      llvm::seq<int64_t>(0, cast<RankedTensorType>(value.getType()).getRank()));
}

/// Sum of every element, times what `scale` builds (a rank-0 tensor; no
/// factor without it): a rank-0 tensor.
static Value scaledTotal(OpBuilder &b, Location loc, Value value,
                         function_ref<Value()> scale) {
  Value total = nn::ReduceSumOp::create(b, loc, value, allAxes(value),
                                        /*keep_dims=*/false);
  if (!scale)
    return total;
  return nn::MulOp::create(b, loc, total, scale());
}

Value buildLoss(OpBuilder &b, Location loc, LossKind kind, Value prediction,
                Value target) {
  auto type = cast<RankedTensorType>(prediction.getType());
  // 1 / the number of elements (known at run time with the dynamic batch).
  auto mean = [&] {
    return VJPState::inverseCount(b, loc, prediction, allAxes(prediction), 1.0);
  };
  switch (kind) {
  case LossKind::CrossEntropy: {
    Value logits = prediction;
    if (auto softmax = prediction.getDefiningOp<nn::SoftmaxOp>())
      if (softmax.getAxis() == 1)
        logits = softmax.getInput();
    Value logProbabilities = nn::LogSoftmaxOp::create(b, loc, logits, 1);
    Value oneHot = nn::OneHotOp::create(b, loc, type, target);
    Value picked = nn::MulOp::create(b, loc, oneHot, logProbabilities);
    return scaledTotal(b, loc, picked, [&] {
      return VJPState::inverseCount(b, loc, prediction, {0}, -1.0);
    });
  }
  case LossKind::Bce: {
    // softplus(x) - x * t = -(t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))),
    // without the logs of a saturated sigmoid.
    Value softplus = nn::SoftplusOp::create(b, loc, prediction);
    Value product = nn::MulOp::create(b, loc, prediction, target);
    return scaledTotal(b, loc, nn::SubOp::create(b, loc, softplus, product),
                       mean);
  }
  case LossKind::Mse:
  case LossKind::Sse: {
    Value diff = nn::SubOp::create(b, loc, prediction, target);
    Value square = nn::MulOp::create(b, loc, diff, diff);
    if (kind == LossKind::Sse)
      return scaledTotal(b, loc, square, nullptr);
    return scaledTotal(b, loc, square, mean);
  }
  case LossKind::L1: {
    Value diff = nn::SubOp::create(b, loc, prediction, target);
    return scaledTotal(b, loc, nn::AbsOp::create(b, loc, diff), mean);
  }
  }
  llvm_unreachable("unknown loss");
}

} // namespace nncc::autodiff
