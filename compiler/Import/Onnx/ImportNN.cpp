//===- ImportNN.cpp - convolution and pooling -----------------------------===//
//
// Conv, MaxPool, AveragePool, GlobalAveragePool, BatchNormalization,
// LayerNormalization and Dropout. nn has 2-D windows on
// NCHW tensors only. auto_pad is resolved here into explicit padding, since
// the input shape is static.
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/Onnx/ImporterState.h"
#include "dialects/Nn/IR/NnShapes.h"

using namespace mlir;

namespace nncc::onnx_import {
namespace {

/// The sliding-window attributes of Conv and the pooling ops, in nn's
/// conventions.
struct Window {
  SmallVector<int64_t> kernel, strides, dilations;
  /// [top, left, bottom, right]: the order of ONNX's 2-D pads
  /// [x1_begin, x2_begin, x1_end, x2_end].
  SmallVector<int64_t> padding;
};

/// Fails unless `input` is N x C x H x W.
LogicalResult require2D(NodeImporter &node, Value input, StringRef kind) {
  auto type = cast<RankedTensorType>(input.getType());
  if (type.getRank() == 4)
    return success();
  InFlightDiagnostic diag = node.emitOpError()
                            << "only 2-D " << kind << " is supported; input "
                            << type;
  if (type.getRank() >= 3)
    return diag << " has " << type.getRank() - 2 << " spatial dimension"
                << (type.getRank() == 3 ? "" : "s");
  return diag << " is not N x C x H x W";
}

/// Reads an attribute holding one value per spatial dimension (or two per
/// dimension for pads), each in [minValue, INT32_MAX]: the upper bound keeps
/// the window arithmetic far from overflowing.
FailureOr<SmallVector<int64_t>> getWindowAttr(NodeImporter &node,
                                              StringRef name,
                                              std::optional<int64_t> fill,
                                              size_t size, int64_t minValue) {
  SmallVector<int64_t> defaultValue(size, fill.value_or(0));
  FailureOr<SmallVector<int64_t>> values = node.getIntsAttr(
      name,
      fill ? std::optional<ArrayRef<int64_t>>(defaultValue) : std::nullopt);
  if (failed(values))
    return failure();
  if (values->size() != size)
    return node.emitError()
           << "attribute '" << name << "' must have " << size
           << " values for a 2-D window, got " << values->size();
  if (llvm::any_of(*values,
                   [&](int64_t v) { return v < minValue || v > INT32_MAX; }))
    return node.emitError() << "attribute '" << name << "' values must be in ["
                            << minValue << ", " << INT32_MAX << "]";
  return values;
}

/// Padding for auto_pad SAME_UPPER / SAME_LOWER, in nn's order.
SmallVector<int64_t> computeSamePadding(ArrayRef<int64_t> spatialSizes,
                                        const Window &window, bool upper) {
  SmallVector<int64_t> padding(4);
  for (size_t i = 0; i < 2; ++i)
    std::tie(padding[i], padding[i + 2]) =
        nn::samePadding(spatialSizes[i], window.kernel[i], window.strides[i],
                        window.dilations[i], upper);
  return padding;
}

/// Reads strides, dilations (when the op has them), pads and auto_pad for a
/// window of `kernel` over the 4-D `input`.
FailureOr<Window> readWindow(NodeImporter &node, Value input,
                             ArrayRef<int64_t> kernel, bool hasDilations) {
  Window window;
  window.kernel.assign(kernel.begin(), kernel.end());
  FailureOr<SmallVector<int64_t>> strides =
      getWindowAttr(node, "strides", 1, 2, 1);
  FailureOr<SmallVector<int64_t>> dilations =
      hasDilations ? getWindowAttr(node, "dilations", 1, 2, 1)
                   : SmallVector<int64_t>{1, 1};
  FailureOr<SmallVector<int64_t>> pads = getWindowAttr(node, "pads", 0, 4, 0);
  FailureOr<std::string> autoPad = node.getStringAttr("auto_pad", "NOTSET");
  if (anyFailed(strides, dilations, pads, autoPad))
    return failure();
  window.strides = *strides;
  window.dilations = *dilations;

  if (*autoPad == "NOTSET") {
    window.padding = *pads;
    return window;
  }
  bool same = *autoPad == "SAME_UPPER" || *autoPad == "SAME_LOWER";
  if (!same && *autoPad != "VALID")
    return node.emitUnsupportedAttr("auto_pad", *autoPad);
  if (llvm::any_of(*pads, [](int64_t pad) { return pad != 0; }))
    return node.emitError() << "attribute 'pads' cannot be combined with "
                               "auto_pad '"
                            << *autoPad << "'";
  auto shape = cast<RankedTensorType>(input.getType()).getShape();
  window.padding = same ? computeSamePadding(shape.drop_front(2), window,
                                             /*upper=*/*autoPad == "SAME_UPPER")
                        : SmallVector<int64_t>(4, 0);
  return window;
}

/// Conv: X [N, C, H, W], W [M, C / group, KH, KW], optional B [M].
LogicalResult importConv(NodeImporter &node) {
  FailureOr<Value> input = node.getInput(0), filter = node.getInput(1);
  FailureOr<Value> bias = node.getOptionalInput(2);
  if (anyFailed(input, filter, bias) ||
      failed(node.requireFloat(*input, "input X")) ||
      failed(require2D(node, *input, "convolution")))
    return failure();
  auto filterType = cast<RankedTensorType>(filter->getType());
  if (filterType.getRank() != 4)
    return node.emitOpError() << "filter W must be 4-D, got " << filterType;
  ArrayRef<int64_t> kernel = filterType.getShape().drop_front(2);

  // kernel_shape is optional and redundant with W; it must agree.
  FailureOr<SmallVector<int64_t>> kernelAttr =
      node.getIntsAttr("kernel_shape", kernel);
  FailureOr<int64_t> group = node.getIntAttr("group", 1);
  if (anyFailed(kernelAttr, group))
    return failure();
  if (ArrayRef<int64_t>(*kernelAttr) != kernel)
    return node.emitError() << "attribute 'kernel_shape' does not match the "
                               "filter "
                            << filterType;
  if (*group < 1)
    return node.emitError() << "attribute 'group' must be >= 1, got " << *group;
  FailureOr<Window> window = readWindow(node, *input, kernel, true);
  if (failed(window))
    return failure();
  return node.setResult(
      0, node.create<nn::Conv2DOp>(*input, *filter, *bias, window->strides,
                                   window->padding, window->dilations,
                                   static_cast<uint64_t>(*group)));
}

/// What MaxPool and AveragePool share: a 4-D float input, kernel_shape,
/// the window and ceil_mode.
struct PoolOperands {
  Value input;
  Window window;
  bool ceilMode;
};

FailureOr<PoolOperands> readPool(NodeImporter &node, bool hasDilations) {
  FailureOr<Value> input = node.getInput(0);
  if (failed(input) || failed(node.requireFloat(*input, "input X")) ||
      failed(require2D(node, *input, "pooling")))
    return failure();
  FailureOr<SmallVector<int64_t>> kernel =
      getWindowAttr(node, "kernel_shape", std::nullopt, 2, 1);
  FailureOr<bool> ceilMode = node.getBoolAttr("ceil_mode", false);
  if (anyFailed(kernel, ceilMode))
    return failure();
  FailureOr<Window> window = readWindow(node, *input, *kernel, hasDilations);
  if (failed(window))
    return failure();
  return PoolOperands{*input, std::move(*window), *ceilMode};
}

LogicalResult importMaxPool(NodeImporter &node) {
  if (node.hasOutput(1))
    return node.emitOpError() << "the Indices output is not supported";
  FailureOr<int64_t> storageOrder = node.getIntAttr("storage_order", 0);
  if (failed(storageOrder))
    return failure();
  if (*storageOrder != 0)
    return node.emitUnsupportedAttr("storage_order", Twine(*storageOrder));
  FailureOr<PoolOperands> pool = readPool(node, /*hasDilations=*/true);
  if (failed(pool))
    return failure();
  const Window &window = pool->window;
  return node.setResult(
      0, node.create<nn::MaxPool2DOp>(pool->input, window.kernel,
                                      window.strides, window.padding,
                                      pool->ceilMode, window.dilations));
}

LogicalResult importAveragePool(NodeImporter &node) {
  FailureOr<PoolOperands> pool = readPool(node, /*hasDilations=*/false);
  FailureOr<bool> countIncludePad =
      node.getBoolAttr("count_include_pad", false);
  if (anyFailed(pool, countIncludePad))
    return failure();
  const Window &window = pool->window;
  return node.setResult(
      0, node.create<nn::AvgPool2DOp>(pool->input, window.kernel,
                                      window.strides, window.padding,
                                      pool->ceilMode, *countIncludePad));
}

/// GlobalAveragePool: nn's op takes any number of spatial dimensions.
LogicalResult importGlobalAveragePool(NodeImporter &node) {
  FailureOr<Value> input = node.getInput(0);
  if (failed(input) || failed(node.requireFloat(*input, "input X")))
    return failure();
  return node.setResult(0, node.create<nn::GlobalAvgPoolOp>(*input));
}

/// BatchNormalization in inference form (Y only); the train step switches
/// it to the batch's statistics.
LogicalResult importBatchNormalization(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0), scale = node.getInput(1),
                   bias = node.getInput(2), mean = node.getInput(3),
                   var = node.getInput(4);
  if (anyFailed(x, scale, bias, mean, var) ||
      failed(node.requireFloat(*x, "X")))
    return failure();
  for (unsigned i = 1; i < 5; ++i)
    if (node.hasOutput(i))
      return node.emitOpError()
             << "output " << i
             << " (the training-mode statistics) is not supported; nncc "
                "computes them itself when it builds a train step (--train)";
  FailureOr<float> epsilon = node.getFloatAttr("epsilon", 1e-5f);
  FailureOr<float> momentum = node.getFloatAttr("momentum", 0.9f);
  FailureOr<int64_t> trainingMode = node.getIntAttr("training_mode", 0);
  FailureOr<int64_t> spatial = node.getIntAttr("spatial", 1);
  if (anyFailed(epsilon, momentum, trainingMode, spatial))
    return failure();
  if (*trainingMode != 0)
    return node.emitUnsupportedAttr("training_mode", Twine(*trainingMode));
  if (*spatial != 1)
    return node.emitUnsupportedAttr("spatial", Twine(*spatial));
  OpBuilder &b = node.getBuilder();
  return node.setResult(
      0, node.create<nn::BatchNormOp>(*x, *scale, *bias, *mean, *var,
                                      b.getF32FloatAttr(*epsilon),
                                      b.getF32FloatAttr(*momentum)));
}

/// LayerNormalization (opset 17): Y only; a missing bias is zero.
LogicalResult importLayerNormalization(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0), scale = node.getInput(1),
                   bias = node.getOptionalInput(2);
  if (anyFailed(x, scale, bias) || failed(node.requireFloat(*x, "X")))
    return failure();
  if (node.hasOutput(1) || node.hasOutput(2))
    return node.emitOpError() << "the Mean and InvStdDev outputs are not "
                                 "supported";
  auto type = cast<RankedTensorType>(x->getType());
  FailureOr<int64_t> axis = node.getAxisAttr("axis", -1, type.getRank());
  FailureOr<float> epsilon = node.getFloatAttr("epsilon", 1e-5f);
  if (anyFailed(axis, epsilon))
    return failure();
  // Scale and bias broadcast to the normalized dimensions.
  auto normalized = RankedTensorType::get(type.getShape().drop_front(*axis),
                                          type.getElementType());
  auto expand = [&](Value v) -> FailureOr<Value> {
    if (v.getType() == normalized)
      return v;
    auto vType = cast<RankedTensorType>(v.getType());
    if (!nn::broadcastShapes(vType.getShape(), normalized.getShape()) ||
        vType.getRank() > normalized.getRank())
      return node.emitOpError() << "scale/bias " << vType
                                << " does not broadcast to " << normalized;
    return nn::BroadcastOp::create(node.getBuilder(), node.getLoc(), normalized,
                                   v)
        .getResult();
  };
  Value zero = node.createFloatScalar(type.getElementType(), 0.0);
  FailureOr<Value> s = expand(*scale), b = expand(*bias ? *bias : zero);
  if (anyFailed(s, b))
    return failure();
  OpBuilder &builder = node.getBuilder();
  return node.setResult(0, node.create<nn::LayerNormOp>(
                               *x, *s, *b, builder.getI64IntegerAttr(*axis),
                               builder.getF32FloatAttr(*epsilon)));
}

/// Dropout: the identity in inference; nn.dropout keeps the ratio for a
/// train step. The ratio is an attribute before opset 12, an optional
/// constant input from 12 (default 0.5 in both).
LogicalResult importDropout(NodeImporter &node) {
  FailureOr<Value> input = node.getInput(0);
  if (failed(input) || failed(node.requireFloat(*input, "data")))
    return failure();
  if (node.hasOutput(1))
    return node.emitOpError() << "the mask output is not supported";
  float ratio = 0.5f;
  if (node.getOpset() < 12) {
    FailureOr<float> attr = node.getFloatAttr("ratio", 0.5f);
    if (failed(attr))
      return failure();
    ratio = *attr;
  } else {
    if (node.hasInput(1)) {
      FailureOr<DenseElementsAttr> value = node.getConstantInput(1, "ratio");
      if (failed(value))
        return failure();
      if (!isa<FloatType>(value->getElementType()) || value->size() != 1)
        return node.emitOpError() << "ratio must be a float scalar";
      ratio = (*value->getValues<APFloat>().begin()).convertToDouble();
    }
    if (node.hasInput(2)) {
      FailureOr<DenseElementsAttr> mode =
          node.getConstantInput(2, "training_mode");
      if (failed(mode))
        return failure();
      if (mode->size() != 1 || !mode->getElementType().isInteger(1) ||
          *mode->getValues<bool>().begin())
        return node.emitOpError()
               << "training_mode must be a constant false: an inference "
                  "model drops nothing (nncc's train step drops)";
    }
  }
  if (!(ratio >= 0.0f && ratio < 1.0f))
    return node.emitOpError() << "ratio must be in [0, 1), got " << ratio;
  return node.setResult(
      0, node.create<nn::DropoutOp>(*input,
                                    node.getBuilder().getF32FloatAttr(ratio)));
}

} // namespace

ArrayRef<OpInfo> getNNOps() {
  static const OpInfo ops[] = {
      {"AveragePool", OpCategory::NN, 1, kMaxOpset, importAveragePool,
       "`nn.avg_pool2d`",
       "2-D only; `count_include_pad`, `ceil_mode`, `auto_pad`"},
      {"BatchNormalization", OpCategory::NN, 1, kMaxOpset,
       importBatchNormalization, "`nn.batch_norm`",
       "output Y only (inference form; `--train` uses the batch's "
       "statistics and updates the running ones); `spatial` = 1"},
      {"Conv", OpCategory::NN, 1, kMaxOpset, importConv, "`nn.conv2d`",
       "2-D only; `strides`, `pads`, `dilations`, `group`, `auto_pad` "
       "(NOTSET, VALID, SAME_UPPER, SAME_LOWER), optional bias"},
      {"Dropout", OpCategory::NN, 1, kMaxOpset, importDropout, "`nn.dropout`",
       "output only (no mask); the identity in inference, dropping in a "
       "train step (`--train`); constant ratio, training_mode false"},
      {"GlobalAveragePool", OpCategory::NN, 1, kMaxOpset,
       importGlobalAveragePool, "`nn.global_avg_pool`",
       "any number of spatial dimensions"},
      {"LayerNormalization", OpCategory::NN, 17, kMaxOpset,
       importLayerNormalization, "`nn.layer_norm`",
       "output Y only; scale and bias broadcast to the normalized shape"},
      {"MaxPool", OpCategory::NN, 1, kMaxOpset, importMaxPool,
       "`nn.max_pool2d`",
       "2-D only; `strides`, `pads`, `dilations`, `ceil_mode`, `auto_pad`; "
       "`storage_order` must be 0; the `Indices` output is not supported"},
  };
  return ops;
}

} // namespace nncc::onnx_import
