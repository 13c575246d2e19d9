//===- ImportNN.cpp - convolution and pooling -----------------------------===//
//
// Conv, MaxPool, AveragePool, GlobalAveragePool, BatchNormalization,
// LayerNormalization and Dropout. nn has 2-D windows on NCHW tensors; 1-D
// windows run as 2-D ones over an H of 1. auto_pad is resolved here into
// explicit padding, since the input shape is static.
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

/// The number of spatial dimensions of `input` (N x C x ...), which nn's
/// 2-D windows handle when it is 1 or 2: a 1-D window runs as a 2-D one
/// over an H of 1 (liftTo2D).
FailureOr<int64_t> getSpatialRank(NodeImporter &node, Value input,
                                  StringRef kind) {
  auto type = cast<RankedTensorType>(input.getType());
  if (type.getRank() == 3 || type.getRank() == 4)
    return type.getRank() - 2;
  InFlightDiagnostic diag = node.emitOpError()
                            << "only 1-D and 2-D " << kind
                            << " are supported; input " << type;
  if (type.getRank() >= 3)
    return diag << " has " << type.getRank() - 2 << " spatial dimensions";
  return diag << " is not N x C x H x W";
}

/// A 1-D tensor [N, C, L] as [N, C, 1, L]; a 2-D one as it is.
FailureOr<Value> liftTo2D(NodeImporter &node, Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getRank() == 4)
    return value;
  SmallVector<int64_t> shape(type.getShape());
  shape.insert(shape.end() - 1, 1);
  return node.createReshape(value, shape);
}

/// The result of a lifted 1-D window op back as [N, C, L].
FailureOr<Value> lowerFrom2D(NodeImporter &node, FailureOr<Value> value,
                             int64_t spatialRank) {
  if (failed(value) || spatialRank == 2)
    return value;
  SmallVector<int64_t> shape(
      cast<RankedTensorType>(value->getType()).getShape());
  shape.erase(shape.end() - 2);
  return node.createReshape(*value, shape);
}

/// Reads an attribute holding one value per spatial dimension (or two per
/// dimension for pads), each in [minValue, INT32_MAX]: the upper bound keeps
/// the window arithmetic far from overflowing.
FailureOr<SmallVector<int64_t>>
getWindowAttr(NodeImporter &node, StringRef name, std::optional<int64_t> fill,
              size_t size, int64_t minValue, int64_t spatialRank) {
  SmallVector<int64_t> defaultValue(size, fill.value_or(0));
  FailureOr<SmallVector<int64_t>> values = node.getIntsAttr(
      name,
      fill ? std::optional<ArrayRef<int64_t>>(defaultValue) : std::nullopt);
  if (failed(values))
    return failure();
  if (values->size() != size)
    return node.emitError() << "attribute '" << name << "' must have " << size
                            << " values for a " << spatialRank
                            << "-D window, got " << values->size();
  if (llvm::any_of(*values,
                   [&](int64_t v) { return v < minValue || v > INT32_MAX; }))
    return node.emitError() << "attribute '" << name << "' values must be in ["
                            << minValue << ", " << INT32_MAX << "]";
  // A 1-D window is the 2-D window of extent 1 (fill) along the added H.
  if (spatialRank == 1 && size == 1)
    values->insert(values->begin(), fill.value_or(1));
  else if (spatialRank == 1)
    *values = {0, (*values)[0], 0, (*values)[1]};
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
/// 2-D window of `kernel` over the (lifted) 4-D `input`.
FailureOr<Window> readWindow(NodeImporter &node, Value input,
                             ArrayRef<int64_t> kernel, bool hasDilations,
                             int64_t spatialRank) {
  Window window;
  window.kernel.assign(kernel.begin(), kernel.end());
  FailureOr<SmallVector<int64_t>> strides =
      getWindowAttr(node, "strides", 1, spatialRank, 1, spatialRank);
  FailureOr<SmallVector<int64_t>> dilations =
      hasDilations
          ? getWindowAttr(node, "dilations", 1, spatialRank, 1, spatialRank)
          : SmallVector<int64_t>{1, 1};
  FailureOr<SmallVector<int64_t>> pads =
      getWindowAttr(node, "pads", 0, 2 * spatialRank, 0, spatialRank);
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
      failed(node.requireFloat(*input, "input X")))
    return failure();
  FailureOr<int64_t> spatialRank = getSpatialRank(node, *input, "convolutions");
  if (failed(spatialRank))
    return failure();
  auto filterType = cast<RankedTensorType>(filter->getType());
  if (filterType.getRank() != *spatialRank + 2)
    return node.emitOpError() << "filter W must be " << *spatialRank + 2
                              << "-D, got " << filterType;
  // kernel_shape is optional and redundant with W; it must agree.
  FailureOr<SmallVector<int64_t>> kernelAttr =
      node.getIntsAttr("kernel_shape", filterType.getShape().drop_front(2));
  FailureOr<int64_t> group = node.getIntAttr("group", 1);
  if (anyFailed(kernelAttr, group))
    return failure();
  if (ArrayRef<int64_t>(*kernelAttr) != filterType.getShape().drop_front(2))
    return node.emitError() << "attribute 'kernel_shape' does not match the "
                               "filter "
                            << filterType;
  if (*group < 1)
    return node.emitError() << "attribute 'group' must be >= 1, got " << *group;
  FailureOr<Value> input2D = liftTo2D(node, *input);
  FailureOr<Value> filter2D = liftTo2D(node, *filter);
  if (anyFailed(input2D, filter2D))
    return failure();
  ArrayRef<int64_t> kernel =
      cast<RankedTensorType>(filter2D->getType()).getShape().drop_front(2);
  FailureOr<Window> window =
      readWindow(node, *input2D, kernel, true, *spatialRank);
  if (failed(window))
    return failure();
  return node.setResult(
      0, lowerFrom2D(node,
                     node.create<nn::Conv2DOp>(*input2D, *filter2D, *bias,
                                               window->strides, window->padding,
                                               window->dilations,
                                               static_cast<uint64_t>(*group)),
                     *spatialRank));
}

/// What MaxPool and AveragePool share: a 4-D float input, kernel_shape,
/// the window and ceil_mode.
struct PoolOperands {
  /// The input, lifted to 2-D.
  Value input;
  Window window;
  bool ceilMode;
  int64_t spatialRank;
};

FailureOr<PoolOperands> readPool(NodeImporter &node, bool hasDilations) {
  FailureOr<Value> input = node.getInput(0);
  if (failed(input) || failed(node.requireFloat(*input, "input X")))
    return failure();
  FailureOr<int64_t> spatialRank = getSpatialRank(node, *input, "pooling");
  if (failed(spatialRank))
    return failure();
  FailureOr<SmallVector<int64_t>> kernel = getWindowAttr(
      node, "kernel_shape", std::nullopt, *spatialRank, 1, *spatialRank);
  FailureOr<bool> ceilMode = node.getBoolAttr("ceil_mode", false);
  FailureOr<Value> input2D = liftTo2D(node, *input);
  if (anyFailed(kernel, ceilMode, input2D))
    return failure();
  FailureOr<Window> window =
      readWindow(node, *input2D, *kernel, hasDilations, *spatialRank);
  if (failed(window))
    return failure();
  return PoolOperands{*input2D, std::move(*window), *ceilMode, *spatialRank};
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
      0, lowerFrom2D(node,
                     node.create<nn::MaxPool2DOp>(
                         pool->input, window.kernel, window.strides,
                         window.padding, pool->ceilMode, window.dilations),
                     pool->spatialRank));
}

LogicalResult importAveragePool(NodeImporter &node) {
  FailureOr<PoolOperands> pool = readPool(node, /*hasDilations=*/false);
  FailureOr<bool> countIncludePad =
      node.getBoolAttr("count_include_pad", false);
  if (anyFailed(pool, countIncludePad))
    return failure();
  const Window &window = pool->window;
  return node.setResult(
      0, lowerFrom2D(node,
                     node.create<nn::AvgPool2DOp>(
                         pool->input, window.kernel, window.strides,
                         window.padding, pool->ceilMode, *countIncludePad),
                     pool->spatialRank));
}

/// GlobalAveragePool: nn's op takes any number of spatial dimensions.
LogicalResult importGlobalAveragePool(NodeImporter &node) {
  FailureOr<Value> input = node.getInput(0);
  if (failed(input) || failed(node.requireFloat(*input, "input X")))
    return failure();
  return node.setResult(0, node.create<nn::GlobalAvgPoolOp>(*input));
}

/// GlobalMaxPool: the maximum over every spatial dimension, kept as size 1.
LogicalResult importGlobalMaxPool(NodeImporter &node) {
  FailureOr<Value> input = node.getInput(0);
  if (failed(input) || failed(node.requireFloat(*input, "input X")))
    return failure();
  int64_t rank = cast<RankedTensorType>(input->getType()).getRank();
  if (rank < 3)
    return node.emitOpError() << "the input must be N x C x ...";
  SmallVector<int64_t> spatial = llvm::to_vector(llvm::seq<int64_t>(2, rank));
  return node.setResult(
      0, node.create<nn::ReduceMaxOp>(*input, spatial, /*keep_dims=*/true));
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
       "1-D and 2-D; `count_include_pad`, `ceil_mode`, `auto_pad`"},
      {"BatchNormalization", OpCategory::NN, 1, kMaxOpset,
       importBatchNormalization, "`nn.batch_norm`",
       "output Y only (inference form; `--train` uses the batch's "
       "statistics and updates the running ones); `spatial` = 1"},
      {"Conv", OpCategory::NN, 1, kMaxOpset, importConv, "`nn.conv2d`",
       "1-D and 2-D; `strides`, `pads`, `dilations`, `group`, `auto_pad` "
       "(NOTSET, VALID, SAME_UPPER, SAME_LOWER), optional bias"},
      {"Dropout", OpCategory::NN, 1, kMaxOpset, importDropout, "`nn.dropout`",
       "output only (no mask); the identity in inference, dropping in a "
       "train step (`--train`); constant ratio, training_mode false"},
      {"GlobalAveragePool", OpCategory::NN, 1, kMaxOpset,
       importGlobalAveragePool, "`nn.global_avg_pool`",
       "any number of spatial dimensions"},
      {"GlobalMaxPool", OpCategory::NN, 1, kMaxOpset, importGlobalMaxPool,
       "`nn.reduce_max`", "any number of spatial dimensions"},
      {"LayerNormalization", OpCategory::NN, 17, kMaxOpset,
       importLayerNormalization, "`nn.layer_norm`",
       "output Y only; scale and bias broadcast to the normalized shape"},
      {"MaxPool", OpCategory::NN, 1, kMaxOpset, importMaxPool,
       "`nn.max_pool2d`",
       "1-D and 2-D; `strides`, `pads`, `dilations`, `ceil_mode`, `auto_pad`; "
       "`storage_order` must be 0; the `Indices` output is not supported"},
  };
  return ops;
}

} // namespace nncc::onnx_import
