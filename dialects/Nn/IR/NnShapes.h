//===- NnShapes.h - shape arithmetic shared by nn ops -----------*- C++ -*-===//
//
// Shape rules used by the op verifiers, the importers and the lowerings, so
// that every stage computes the same sizes.
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_DIALECT_NN_IR_NNSHAPES_H
#define NNCC_DIALECT_NN_IR_NNSHAPES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include <cstdint>
#include <optional>

namespace nncc::nn {

/// NumPy broadcasting of two static shapes (right-aligned; size 1 stretches).
/// Returns std::nullopt when the shapes are incompatible.
std::optional<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<int64_t> lhs, llvm::ArrayRef<int64_t> rhs);

/// Output size of a sliding window along one dimension, for convolution and
/// pooling. With `ceilMode` the size rounds up, but a last window that would
/// start inside the trailing padding is dropped (the PyTorch/ONNX rule).
/// Returns a value < 1 when no window fits.
int64_t windowOutputSize(int64_t inputSize, int64_t kernelSize, int64_t stride,
                         int64_t padBegin, int64_t padEnd, int64_t dilation,
                         bool ceilMode);

} // namespace nncc::nn

#endif // NNCC_DIALECT_NN_IR_NNSHAPES_H
