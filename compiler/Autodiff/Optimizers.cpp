//===- Optimizers.cpp - the optimizers a train step can use -----*- C++ -*-===//
//
// Each optimizer is one nn update op per parameter (NnTrainOps.td), lowered
// to one loop; this file picks the op and its hyper-parameters.
//
//===----------------------------------------------------------------------===//

#include "compiler/Autodiff/Optimizers.h"
#include "dialects/Nn/IR/NnOps.h"

#include "llvm/ADT/StringSwitch.h"

using namespace mlir;

namespace nncc::autodiff {

std::optional<OptimizerKind> parseOptimizerKind(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<OptimizerKind>>(name)
      .Case("sgd", OptimizerKind::Sgd)
      .Case("momentum", OptimizerKind::Momentum)
      .Case("nesterov", OptimizerKind::Nesterov)
      .Case("adam", OptimizerKind::Adam)
      .Case("adamw", OptimizerKind::AdamW)
      .Case("rmsprop", OptimizerKind::Rmsprop)
      .Case("adagrad", OptimizerKind::Adagrad)
      .Default(std::nullopt);
}

llvm::StringRef optimizerKindNames() {
  return "sgd, momentum, nesterov, adam, adamw, rmsprop, adagrad";
}

double defaultEps(OptimizerKind kind) {
  return kind == OptimizerKind::Adagrad ? 1e-10 : 1e-8;
}

double defaultWeightDecay(OptimizerKind kind) {
  return kind == OptimizerKind::AdamW ? 1e-2 : 0.0;
}

SmallVector<StringRef> stateSlots(OptimizerKind kind) {
  switch (kind) {
  case OptimizerKind::Sgd:
    return {};
  case OptimizerKind::Momentum:
  case OptimizerKind::Nesterov:
    return {"momentum"};
  case OptimizerKind::Adam:
  case OptimizerKind::AdamW:
    return {"adam_m", "adam_v"};
  case OptimizerKind::Rmsprop:
    return {"square_avg"};
  case OptimizerKind::Adagrad:
    return {"sum"};
  }
  llvm_unreachable("unknown optimizer");
}

SmallVector<Value> buildUpdate(OpBuilder &b, Location loc,
                               const OptimizerConfig &config, Value param,
                               Value grad, ValueRange states, Value lr,
                               Value step) {
  FloatAttr wd = b.getF64FloatAttr(config.weightDecay);
  FloatAttr eps = b.getF64FloatAttr(config.eps);
  auto results = [](Operation *op) {
    return SmallVector<Value>(op->getResults());
  };
  switch (config.kind) {
  case OptimizerKind::Sgd:
    return results(
        nn::SgdUpdateOp::create(b, loc, param.getType(), param, grad, lr, wd));
  case OptimizerKind::Momentum:
  case OptimizerKind::Nesterov:
    return results(nn::MomentumUpdateOp::create(
        b, loc, param.getType(), param.getType(), param, grad, states[0], lr,
        b.getF64FloatAttr(config.momentum), wd,
        b.getBoolAttr(config.kind == OptimizerKind::Nesterov)));
  case OptimizerKind::Adam:
  case OptimizerKind::AdamW:
    return results(nn::AdamUpdateOp::create(
        b, loc, param.getType(), param.getType(), param.getType(), param, grad,
        states[0], states[1], step, lr, b.getF64FloatAttr(config.beta1),
        b.getF64FloatAttr(config.beta2), eps, wd,
        b.getBoolAttr(config.kind == OptimizerKind::AdamW)));
  case OptimizerKind::Rmsprop:
    return results(nn::RmspropUpdateOp::create(
        b, loc, param.getType(), param.getType(), param, grad, states[0], lr,
        b.getF64FloatAttr(config.alpha), eps, wd));
  case OptimizerKind::Adagrad:
    return results(nn::AdagradUpdateOp::create(b, loc, param.getType(),
                                               param.getType(), param, grad,
                                               states[0], lr, eps, wd));
  }
  llvm_unreachable("unknown optimizer");
}

} // namespace nncc::autodiff
