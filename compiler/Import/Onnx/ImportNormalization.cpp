//===- ImportNormalization.cpp - InstanceNormalization and LRN ------------===//
//
// Both are built from nn's reductions, pooling and elementwise ops, so their
// gradients come from those ops' rules. (BatchNormalization and
// LayerNormalization have nn ops of their own: ImportNN.cpp.)
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/Onnx/ImporterState.h"

using namespace mlir;

namespace nncc::onnx_import {
namespace {

/// Builds a chain of ops, stopping at the first failure (which the node
/// already reported).
struct Chain {
  NodeImporter &node;
  bool failed = false;

  template <typename OpTy, typename... Args> Value make(Args &&...args) {
    if (failed)
      return {};
    FailureOr<Value> value = node.create<OpTy>(std::forward<Args>(args)...);
    failed = mlir::failed(value);
    return failed ? Value() : *value;
  }
  Value reshape(Value value, ArrayRef<int64_t> shape) {
    if (failed)
      return {};
    FailureOr<Value> reshaped = node.createReshape(value, shape);
    failed = mlir::failed(reshaped);
    return failed ? Value() : *reshaped;
  }
};

} // namespace

FailureOr<Normalization> createNormalization(NodeImporter &node, Value x,
                                             ArrayRef<int64_t> axes,
                                             float epsilon) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t count = 1;
  for (int64_t d : axes)
    count *= type.getDimSize(d);
  Type elementType = type.getElementType();
  Value n = node.createFloatScalar(elementType, double(count));
  Chain c{node};
  Value mean = c.make<nn::DivOp>(
      c.make<nn::ReduceSumOp>(x, axes, /*keep_dims=*/true), n);
  Value centered = c.make<nn::SubOp>(x, mean);
  Value variance = c.make<nn::DivOp>(
      c.make<nn::ReduceSumOp>(c.make<nn::MulOp>(centered, centered), axes,
                              /*keep_dims=*/true),
      n);
  Value deviation = c.make<nn::SqrtOp>(c.make<nn::AddOp>(
      variance, node.createFloatScalar(elementType, epsilon)));
  if (c.failed)
    return failure();
  return Normalization{mean, centered, deviation};
}

namespace {

/// [C] per-channel values as [C, 1, ...] to broadcast over [N, C, ...].
SmallVector<int64_t> perChannelShape(RankedTensorType type) {
  SmallVector<int64_t> shape(type.getRank() - 1, 1);
  shape[0] = type.getDimSize(1);
  return shape;
}

/// InstanceNormalization: each (n, c) plane normalized by its own mean and
/// biased variance, then scale[c] * x + B[c].
LogicalResult importInstanceNormalization(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0), scale = node.getInput(1),
                   bias = node.getInput(2);
  FailureOr<float> epsilon = node.getFloatAttr("epsilon", 1e-5f);
  if (anyFailed(x, scale, bias, epsilon) ||
      failed(node.requireFloat(*x, "input")))
    return failure();
  auto type = cast<RankedTensorType>(x->getType());
  if (type.getRank() < 3)
    return node.emitOpError()
           << "the input must be N x C x D1 x ..., got " << type;
  auto channels =
      RankedTensorType::get({type.getDimSize(1)}, type.getElementType());
  for (auto [value, role] : {std::pair(*scale, "scale"), {*bias, "B"}})
    if (value.getType() != channels)
      return node.emitOpError()
             << role << " must be " << channels << ", got " << value.getType();
  SmallVector<int64_t> spatial =
      llvm::to_vector(llvm::seq<int64_t>(2, type.getRank()));
  FailureOr<Normalization> stats =
      createNormalization(node, *x, spatial, *epsilon);
  if (failed(stats))
    return failure();
  Chain c{node};
  Value normalized = c.make<nn::DivOp>(stats->centered, stats->deviation);
  Value scaled =
      c.make<nn::MulOp>(normalized, c.reshape(*scale, perChannelShape(type)));
  Value result =
      c.make<nn::AddOp>(scaled, c.reshape(*bias, perChannelShape(type)));
  if (c.failed)
    return failure();
  return node.setResult(0, result);
}

/// LRN: x / (bias + alpha / size * sum of x^2 over the `size` neighbouring
/// channels)^beta. The channel sum is an average pooling of x^2 seen as
/// [N, 1, C, rest] with a [size, 1] window, zero-padded and counting the
/// padding, times size.
LogicalResult importLRN(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  FailureOr<int64_t> size = node.getIntAttr("size", std::nullopt);
  FailureOr<float> alpha = node.getFloatAttr("alpha", 1e-4f);
  FailureOr<float> beta = node.getFloatAttr("beta", 0.75f);
  FailureOr<float> bias = node.getFloatAttr("bias", 1.0f);
  if (anyFailed(x, size, alpha, beta, bias) ||
      failed(node.requireFloat(*x, "input")))
    return failure();
  auto type = cast<RankedTensorType>(x->getType());
  if (type.getRank() < 3)
    return node.emitOpError()
           << "the input must be N x C x D1 x ..., got " << type;
  if (*size < 1)
    return node.emitError() << "attribute 'size' must be >= 1, got " << *size;
  int64_t rest =
      type.getNumElements() / (type.getDimSize(0) * type.getDimSize(1));
  Type elementType = type.getElementType();
  OpBuilder &b = node.getBuilder();
  Chain c{node};
  Value square = c.make<nn::MulOp>(*x, *x);
  Value planes =
      c.reshape(square, {type.getDimSize(0), 1, type.getDimSize(1), rest});
  // Channels c - floor((size - 1) / 2) ... c + ceil((size - 1) / 2).
  int64_t before = (*size - 1) / 2, after = *size - 1 - before;
  Value average =
      c.make<nn::AvgPool2DOp>(planes, b.getDenseI64ArrayAttr({*size, 1}),
                              b.getDenseI64ArrayAttr({1, 1}),
                              b.getDenseI64ArrayAttr({before, 0, after, 0}),
                              b.getBoolAttr(false), b.getBoolAttr(true));
  // alpha / size * sum = alpha * average.
  Value base = c.make<nn::AddOp>(
      c.make<nn::MulOp>(average, node.createFloatScalar(elementType, *alpha)),
      node.createFloatScalar(elementType, *bias));
  Value denominator =
      c.make<nn::PowOp>(base, node.createFloatScalar(elementType, *beta));
  Value result = c.make<nn::DivOp>(*x, c.reshape(denominator, type.getShape()));
  if (c.failed)
    return failure();
  return node.setResult(0, result);
}

} // namespace

ArrayRef<OpInfo> getNormalizationOps() {
  static const OpInfo ops[] = {
      {"InstanceNormalization", OpCategory::NN, 1, kMaxOpset,
       importInstanceNormalization,
       "`nn.reduce_sum`, `nn.sub`, `nn.mul`, `nn.div`, `nn.sqrt`, `nn.add`",
       "float only; `epsilon`; any number of spatial dimensions"},
      {"LRN", OpCategory::NN, 1, kMaxOpset, importLRN,
       "`nn.mul`, `nn.avg_pool2d`, `nn.pow`, `nn.div`",
       "float only; `size`, `alpha`, `beta`, `bias`"},
  };
  return ops;
}

} // namespace nncc::onnx_import
