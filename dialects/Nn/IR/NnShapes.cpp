//===- NnShapes.cpp - shape arithmetic shared by nn ops ---------*- C++ -*-===//

#include "dialects/Nn/IR/NnShapes.h"

#include "mlir/IR/BuiltinTypeInterfaces.h"

#include <algorithm>

using namespace llvm;

namespace nncc::nn {

std::optional<SmallVector<int64_t>> broadcastShapes(ArrayRef<int64_t> lhs,
                                                    ArrayRef<int64_t> rhs) {
  size_t rank = std::max(lhs.size(), rhs.size());
  SmallVector<int64_t> result(rank);
  for (size_t i = 0; i < rank; ++i) {
    // Walk from the right; a missing leading dimension acts as size 1.
    int64_t l = i < lhs.size() ? lhs[lhs.size() - 1 - i] : 1;
    int64_t r = i < rhs.size() ? rhs[rhs.size() - 1 - i] : 1;
    if (l != r && l != 1 && r != 1)
      return std::nullopt;
    result[rank - 1 - i] = l == 1 ? r : l;
  }
  return result;
}

int64_t windowSpan(int64_t kernelSize, int64_t dilation) {
  return dilation * (kernelSize - 1) + 1;
}

int64_t windowOutputSize(int64_t inputSize, int64_t kernelSize, int64_t stride,
                         int64_t padBegin, int64_t padEnd, int64_t dilation,
                         bool ceilMode) {
  int64_t span = windowSpan(kernelSize, dilation);
  int64_t room = inputSize + padBegin + padEnd - span;
  if (room < 0 || stride < 1)
    return 0;
  int64_t size = (ceilMode ? (room + stride - 1) / stride : room / stride) + 1;
  if (ceilMode && (size - 1) * stride >= inputSize + padBegin)
    --size;
  return size;
}

std::pair<int64_t, int64_t> samePadding(int64_t inputSize, int64_t kernelSize,
                                        int64_t stride, int64_t dilation,
                                        bool upper) {
  int64_t output = (inputSize + stride - 1) / stride;
  int64_t total = std::max<int64_t>(
      0, (output - 1) * stride + windowSpan(kernelSize, dilation) - inputSize);
  int64_t small = total / 2, large = total - small;
  return upper ? std::make_pair(small, large) : std::make_pair(large, small);
}

int64_t coveringEndPadding(int64_t outputSize, int64_t inputSize,
                           int64_t kernelSize, int64_t stride, int64_t dilation,
                           int64_t padBegin, int64_t padEnd) {
  int64_t needed = (outputSize - 1) * stride +
                   windowSpan(kernelSize, dilation) - (inputSize + padBegin);
  return std::max(padEnd, needed);
}

int64_t windowElementCount(int64_t index, int64_t inputSize, int64_t kernelSize,
                           int64_t stride, int64_t padBegin, int64_t padEnd,
                           bool countPadding) {
  int64_t lowest = countPadding ? -padBegin : 0;
  int64_t highest = countPadding ? inputSize + padEnd : inputSize;
  int64_t start = index * stride - padBegin;
  return std::min(start + kernelSize, highest) - std::max(start, lowest);
}

bool isBatchReshape(llvm::ArrayRef<int64_t> in, llvm::ArrayRef<int64_t> out) {
  auto split = [](llvm::ArrayRef<int64_t> shape)
      -> std::optional<std::pair<int64_t, int64_t>> {
    auto it = llvm::find(shape, mlir::ShapedType::kDynamic);
    if (it == shape.end() ||
        std::count(shape.begin(), shape.end(), mlir::ShapedType::kDynamic) != 1)
      return std::nullopt;
    auto product = [](llvm::ArrayRef<int64_t> dims) {
      int64_t p = 1;
      for (int64_t d : dims)
        p *= d;
      return p;
    };
    size_t at = it - shape.begin();
    return std::make_pair(product(shape.take_front(at)),
                          product(shape.drop_front(at + 1)));
  };
  auto a = split(in), b = split(out);
  return a && b && *a == *b;
}

} // namespace nncc::nn
