//===- Differentiate.h - reverse-mode differentiation of nn -----*- C++ -*-===//

#ifndef NNCC_COMPILER_AUTODIFF_DIFFERENTIATE_H
#define NNCC_COMPILER_AUTODIFF_DIFFERENTIATE_H

#include "compiler/Autodiff/VJPOpInterface.h"

namespace nncc::autodiff {

/// Builds, in nn ops at `builder`'s insertion point (after the forward
/// ops of `block`, before its terminator), the gradient of the scalar
/// `loss` with respect to each of `wrt` (values of `block`, typically its
/// arguments). Only active ops are differentiated: those reachable from
/// `wrt` and from which `loss` is reachable; integer values (labels,
/// indices) never carry a gradient. The contributions to a value used
/// several times are added by one nn.sum. A `wrt` value the loss does not
/// depend on gets a zero gradient. Fails, with an error at the op, when an
/// active op has no gradient rule.
mlir::FailureOr<llvm::SmallVector<mlir::Value>>
differentiate(mlir::OpBuilder &builder, mlir::Block &block, mlir::Value loss,
              mlir::ValueRange wrt, VJPState &state);

} // namespace nncc::autodiff

#endif // NNCC_COMPILER_AUTODIFF_DIFFERENTIATE_H
