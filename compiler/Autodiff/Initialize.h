//===- Initialize.h - fresh initial values for parameters -------*- C++ -*-===//

#ifndef NNCC_COMPILER_AUTODIFF_INITIALIZE_H
#define NNCC_COMPILER_AUTODIFF_INITIALIZE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <optional>

namespace nncc::autodiff {

enum class InitKind { Glorot, He };

/// "glorot" or "he"; std::nullopt for anything else.
std::optional<InitKind> parseInitKind(llvm::StringRef name);

/// Replaces the initial values of the parameters that `infer`'s arguments
/// `args` read: weights (rank >= 2) get Glorot-uniform or He-normal values
/// from fans read off their use (matmul operand, transposed or not, or
/// convolution filter), the scales of batch and layer norms 1, other
/// vectors (biases) 0. The numbers come from a splitmix64 stream of `seed`
/// and the parameter's position, so a seed always gives the same model.
void initializeParameters(mlir::func::FuncOp infer,
                          llvm::ArrayRef<unsigned> args, InitKind kind,
                          uint64_t seed);

} // namespace nncc::autodiff

#endif // NNCC_COMPILER_AUTODIFF_INITIALIZE_H
