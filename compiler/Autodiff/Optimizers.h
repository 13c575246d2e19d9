//===- Optimizers.h - the optimizers a train step can use -------*- C++ -*-===//

#ifndef NNCC_COMPILER_AUTODIFF_OPTIMIZERS_H
#define NNCC_COMPILER_AUTODIFF_OPTIMIZERS_H

#include "mlir/IR/Builders.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <optional>

namespace nncc::autodiff {

enum class OptimizerKind {
  Sgd,
  Momentum,
  Nesterov,
  Adam,
  AdamW,
  Rmsprop,
  Adagrad
};

std::optional<OptimizerKind> parseOptimizerKind(llvm::StringRef name);
/// The names parseOptimizerKind accepts, for messages and --help.
llvm::StringRef optimizerKindNames();

/// Hyper-parameters, already resolved to their defaults.
struct OptimizerConfig {
  OptimizerKind kind = OptimizerKind::Sgd;
  double momentum = 0.9, beta1 = 0.9, beta2 = 0.999, alpha = 0.99;
  double eps = 1e-8, weightDecay = 0.0;
};

/// PyTorch's eps and weight decay for `kind`, used when the user gives none
/// (a negative value in the options).
double defaultEps(OptimizerKind kind);
double defaultWeightDecay(OptimizerKind kind);

/// The per-parameter state slots of `kind` ("momentum", "adam_m", ...), in
/// the order the update op takes them; each starts at zero.
llvm::SmallVector<llvm::StringRef> stateSlots(OptimizerKind kind);

/// Builds the update of one parameter: returns the new parameter followed
/// by the new value of each state slot. `step` is the number of the step
/// being taken (1 for the first), a tensor<i64>; `lr` a tensor<f32>.
llvm::SmallVector<mlir::Value>
buildUpdate(mlir::OpBuilder &b, mlir::Location loc,
            const OptimizerConfig &config, mlir::Value param, mlir::Value grad,
            mlir::ValueRange states, mlir::Value lr, mlir::Value step);

} // namespace nncc::autodiff

#endif // NNCC_COMPILER_AUTODIFF_OPTIMIZERS_H
