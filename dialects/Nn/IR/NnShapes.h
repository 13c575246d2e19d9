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
#include <utility>

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

/// Elements a window covers: dilation * (kernel - 1) + 1.
int64_t windowSpan(int64_t kernelSize, int64_t dilation);

/// Padding [begin, end] of one dimension for ONNX's auto_pad SAME_UPPER /
/// SAME_LOWER: the output has ceil(input / stride) elements and the padding
/// that needs is split evenly, the odd element going to the end (UPPER) or
/// the beginning (LOWER).
std::pair<int64_t, int64_t> samePadding(int64_t inputSize, int64_t kernelSize,
                                        int64_t stride, int64_t dilation,
                                        bool upper);

/// Padding at the end of one dimension that makes every one of `outputSize`
/// windows lie inside the padded input: `padEnd`, or more for the ceil-mode
/// overhang.
int64_t coveringEndPadding(int64_t outputSize, int64_t inputSize,
                           int64_t kernelSize, int64_t stride, int64_t dilation,
                           int64_t padBegin, int64_t padEnd);

/// How many elements window `index` of one dimension averages over (no
/// dilation): the input elements it covers, plus the explicit padding it
/// covers when `countPadding`; the ceil-mode overhang never counts.
int64_t windowElementCount(int64_t index, int64_t inputSize, int64_t kernelSize,
                           int64_t stride, int64_t padBegin, int64_t padEnd,
                           bool countPadding);

/// Whether a row-major reshape of `in` to `out`, each with exactly one
/// dynamic size (the batch), keeps every batch item's block in place for
/// any batch size: as many elements before the `?` and after it.
bool isBatchReshape(llvm::ArrayRef<int64_t> in, llvm::ArrayRef<int64_t> out);

} // namespace nncc::nn

#endif // NNCC_DIALECT_NN_IR_NNSHAPES_H
