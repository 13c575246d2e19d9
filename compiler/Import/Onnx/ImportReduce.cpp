//===- ImportReduce.cpp - reductions and arg-reductions -------------------===//
//
// ReduceSum, ReduceMax, ReduceMin, ReduceProd map to one nn reduction each;
// ReduceMean, ReduceL1, ReduceL2, ReduceSumSquare, ReduceLogSum and
// ReduceLogSumExp are built from them and elementwise ops, so their
// gradients come from those ops' rules. ArgMax and ArgMin map to
// nn.arg_max and nn.arg_min.
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/Onnx/ImporterState.h"

using namespace mlir;

namespace nncc::onnx_import {
namespace {

/// What an ONNX reduction reduces: sorted, distinct axes, and keepdims.
struct ReduceAxes {
  SmallVector<int64_t> axes;
  bool keepDims;
  /// An empty axes list with noop_with_empty_axes: the input passes through.
  bool identity = false;
};

/// The axes come from the `axes` attribute, or (ReduceSum from opset 13)
/// from a constant input; none means all of them unless
/// noop_with_empty_axes is set.
FailureOr<ReduceAxes> readReduceAxes(NodeImporter &node, int64_t rank) {
  FailureOr<bool> keepDims = node.getBoolAttr("keepdims", true);
  FailureOr<bool> noop = node.getBoolAttr("noop_with_empty_axes", false);
  if (anyFailed(keepDims, noop))
    return failure();
  SmallVector<int64_t> axes;
  bool axesInput = node.getOpType() == "ReduceSum" && node.getOpset() >= 13;
  if (axesInput && node.hasInput(1)) {
    FailureOr<DenseElementsAttr> list = node.getConstantInput(1, "axes");
    if (failed(list))
      return failure();
    if (!list->getElementType().isInteger(64) || list->getType().getRank() > 1)
      return node.emitOpError()
             << "axes must be a 1-D int64 tensor, got " << list->getType();
    for (const APInt &axis : list->getValues<APInt>())
      axes.push_back(axis.getSExtValue());
  } else if (!axesInput) {
    FailureOr<SmallVector<int64_t>> attr =
        node.getIntsAttr("axes", ArrayRef<int64_t>{});
    if (failed(attr))
      return failure();
    axes = *attr;
  }
  ReduceAxes result{{}, *keepDims};
  if (axes.empty()) {
    result.identity = *noop;
    if (!*noop)
      result.axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
    return result;
  }
  for (int64_t axis : axes) {
    if (axis < -rank || axis >= rank)
      return node.emitOpError()
             << "axis " << axis << " is out of range for an input of rank "
             << rank;
    result.axes.push_back(axis < 0 ? axis + rank : axis);
  }
  llvm::sort(result.axes);
  if (std::adjacent_find(result.axes.begin(), result.axes.end()) !=
      result.axes.end())
    return node.emitOpError() << "axes repeat a dimension";
  return result;
}

/// How an ONNX reduction is built: an optional elementwise op before the
/// nn reduction, and an optional one after it.
enum class Pre { None, Abs, Square, Exp };
enum class Post { None, Sqrt, Log, Mean };

template <typename ReduceOpTy>
FailureOr<Value> reduce(NodeImporter &node, Value input, const ReduceAxes &axes,
                        bool keepDims) {
  return node.create<ReduceOpTy>(input, axes.axes, keepDims);
}

template <typename ReduceOpTy, Pre PreOp = Pre::None, Post PostOp = Post::None>
LogicalResult importReduce(NodeImporter &node) {
  FailureOr<Value> input = node.getInput(0);
  if (failed(input))
    return failure();
  auto type = cast<RankedTensorType>(input->getType());
  FailureOr<ReduceAxes> axes = readReduceAxes(node, type.getRank());
  if (failed(axes))
    return failure();
  if (axes->identity)
    return node.setResult(0, *input);
  if ((PreOp != Pre::None || PostOp == Post::Sqrt || PostOp == Post::Log) &&
      failed(node.requireFloat(*input, "input")))
    return failure();

  FailureOr<Value> value = *input;
  switch (PreOp) {
  case Pre::None:
    break;
  case Pre::Abs:
    value = node.create<nn::AbsOp>(*value);
    break;
  case Pre::Square:
    value = node.create<nn::MulOp>(*value, *value);
    break;
  case Pre::Exp: {
    // log(sum(exp(x))) = m + log(sum(exp(x - m))) with m the maximum: exp
    // cannot overflow. (m is kept as size-1 dimensions to broadcast.)
    FailureOr<Value> max = node.create<nn::ReduceMaxOp>(*value, axes->axes,
                                                        /*keep_dims=*/true);
    if (failed(max))
      return failure();
    FailureOr<Value> shifted = node.create<nn::SubOp>(*value, *max);
    if (failed(shifted))
      return failure();
    FailureOr<Value> exp = node.create<nn::ExpOp>(*shifted);
    if (failed(exp))
      return failure();
    FailureOr<Value> sum =
        node.create<nn::ReduceSumOp>(*exp, axes->axes, /*keep_dims=*/true);
    if (failed(sum))
      return failure();
    FailureOr<Value> log = node.create<nn::LogOp>(*sum);
    if (failed(log))
      return failure();
    FailureOr<Value> result = node.create<nn::AddOp>(*log, *max);
    if (failed(result) || axes->keepDims)
      return node.setResult(0, result);
    SmallVector<int64_t> shape;
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (!llvm::is_contained(axes->axes, d))
        shape.push_back(type.getDimSize(d));
    return node.setResult(0, node.createReshape(*result, shape));
  }
  }
  if (failed(value))
    return failure();
  value = reduce<ReduceOpTy>(node, *value, *axes, axes->keepDims);
  if (failed(value))
    return failure();
  switch (PostOp) {
  case Post::None:
    break;
  case Post::Sqrt:
    value = node.create<nn::SqrtOp>(*value);
    break;
  case Post::Log:
    value = node.create<nn::LogOp>(*value);
    break;
  case Post::Mean: {
    int64_t count = 1;
    for (int64_t axis : axes->axes)
      count *= type.getDimSize(axis);
    value = node.create<nn::DivOp>(
        *value, node.createScalar(type.getElementType(), double(count)));
    break;
  }
  }
  return node.setResult(0, value);
}

/// ArgMax, ArgMin: `axis` (default 0), `keepdims` (default 1) and, from
/// opset 12, `select_last_index`.
template <typename OpTy> LogicalResult importArgReduce(NodeImporter &node) {
  FailureOr<Value> input = node.getInput(0);
  if (failed(input))
    return failure();
  int64_t rank = cast<RankedTensorType>(input->getType()).getRank();
  if (rank == 0)
    return node.emitOpError() << "the input must have rank >= 1";
  FailureOr<int64_t> axis = node.getAxisAttr("axis", 0, rank);
  FailureOr<bool> keepDims = node.getBoolAttr("keepdims", true);
  FailureOr<bool> last = node.getBoolAttr("select_last_index", false);
  if (anyFailed(axis, keepDims, last))
    return failure();
  return node.setResult(0, node.create<OpTy>(*input, *axis, *keepDims, *last));
}

} // namespace

ArrayRef<OpInfo> getReduceOps() {
  static const OpInfo ops[] = {
      {"ArgMax", OpCategory::Math, 1, kMaxOpset, importArgReduce<nn::ArgMaxOp>,
       "`nn.arg_max`", "`axis`, `keepdims`, `select_last_index`; int64 result"},
      {"ArgMin", OpCategory::Math, 1, kMaxOpset, importArgReduce<nn::ArgMinOp>,
       "`nn.arg_min`", "as ArgMax"},
      {"ReduceL1", OpCategory::Math, 1, kMaxOpset,
       importReduce<nn::ReduceSumOp, Pre::Abs>, "`nn.abs`, `nn.reduce_sum`",
       "float only; `axes` attribute, `keepdims`"},
      {"ReduceL2", OpCategory::Math, 1, kMaxOpset,
       importReduce<nn::ReduceSumOp, Pre::Square, Post::Sqrt>,
       "`nn.mul`, `nn.reduce_sum`, `nn.sqrt`", "as ReduceL1"},
      {"ReduceLogSum", OpCategory::Math, 1, kMaxOpset,
       importReduce<nn::ReduceSumOp, Pre::None, Post::Log>,
       "`nn.reduce_sum`, `nn.log`", "as ReduceL1"},
      {"ReduceLogSumExp", OpCategory::Math, 1, kMaxOpset,
       importReduce<nn::ReduceSumOp, Pre::Exp>,
       "`nn.reduce_max`, `nn.exp`, `nn.reduce_sum`, `nn.log`",
       "as ReduceL1; shifted by the maximum, so exp cannot overflow"},
      {"ReduceMax", OpCategory::Math, 1, kMaxOpset,
       importReduce<nn::ReduceMaxOp>, "`nn.reduce_max`",
       "`axes` attribute, `keepdims`; ties share the gradient"},
      {"ReduceMean", OpCategory::Math, 1, kMaxOpset,
       importReduce<nn::ReduceSumOp, Pre::None, Post::Mean>,
       "`nn.reduce_sum`, `nn.div`", "`axes` attribute, `keepdims`"},
      {"ReduceMin", OpCategory::Math, 1, kMaxOpset,
       importReduce<nn::ReduceMinOp>, "`nn.reduce_min`", "as ReduceMax"},
      {"ReduceProd", OpCategory::Math, 1, kMaxOpset,
       importReduce<nn::ReduceProdOp>, "`nn.reduce_prod`",
       "`axes` attribute, `keepdims`"},
      {"ReduceSum", OpCategory::Math, 1, kMaxOpset,
       importReduce<nn::ReduceSumOp>, "`nn.reduce_sum`",
       "`axes` attribute, or from opset 13 a constant input with "
       "`noop_with_empty_axes`; `keepdims`"},
      {"ReduceSumSquare", OpCategory::Math, 1, kMaxOpset,
       importReduce<nn::ReduceSumOp, Pre::Square>, "`nn.mul`, `nn.reduce_sum`",
       "as ReduceL1"},
  };
  return ops;
}

} // namespace nncc::onnx_import
