//===- Losses.h - the losses a train step can minimize ----------*- C++ -*-===//

#ifndef NNCC_COMPILER_AUTODIFF_LOSSES_H
#define NNCC_COMPILER_AUTODIFF_LOSSES_H

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace nncc::autodiff {

/// The losses of --loss, as PyTorch defines them (mean over the batch unless
/// said otherwise).
enum class LossKind {
  CrossEntropy, ///< softmax cross-entropy with integer class labels
  Bce,          ///< binary cross-entropy with logits
  Mse,          ///< mean squared error
  Sse,          ///< sum of squared errors
  L1,           ///< mean absolute error
};

/// The loss named `name` on the command line, if there is one.
std::optional<LossKind> parseLossKind(llvm::StringRef name);
/// The names parseLossKind accepts, for messages and --help.
llvm::StringRef lossKindNames();

/// The type of what the loss compares the prediction with: the labels
/// (i64 [N] for a [N, C] prediction) or targets (the prediction's type).
/// Returns null and sets `why` when the prediction does not suit the loss.
mlir::RankedTensorType
targetType(LossKind kind, mlir::RankedTensorType prediction, std::string &why);

/// The name of the target input in the C API: "labels" or "targets".
llvm::StringRef targetName(LossKind kind);

/// Builds the scalar loss (tensor<f32>) of `prediction` against `target`
/// in nn ops. Cross-entropy reads the logits: when the prediction is a
/// softmax over the classes it uses the softmax's input, so a model that
/// ends in Softmax trains the same as one that outputs logits.
mlir::Value buildLoss(mlir::OpBuilder &b, mlir::Location loc, LossKind kind,
                      mlir::Value prediction, mlir::Value target);

} // namespace nncc::autodiff

#endif // NNCC_COMPILER_AUTODIFF_LOSSES_H
