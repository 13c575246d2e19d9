//===- ImportNN.cpp - convolution and pooling -----------------------------===//
//
// Conv, MaxPool, AveragePool, GlobalAveragePool, BatchNormalization,
// LayerNormalization and Dropout. nn has 2-D windows on NCHW tensors; 1-D
// windows run as 2-D ones over an H of 1, 3-D ones as 2-D ones over depth
// slices (ImportWindow3D.cpp). auto_pad is resolved here into explicit
// padding, since the input shape is static.
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/Onnx/ImportWindow.h"
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
/// 2-D windows handle when it is 1 or 2 (a 1-D window runs as a 2-D one
/// over an H of 1, liftTo2D) and, where `allow3D`, 3 (ImportWindow3D.cpp).
FailureOr<int64_t> getSpatialRank(NodeImporter &node, Value input,
                                  StringRef kind, bool allow3D) {
  auto type = cast<RankedTensorType>(input.getType());
  if (type.getRank() == 3 || type.getRank() == 4 ||
      (allow3D && type.getRank() == 5))
    return type.getRank() - 2;
  InFlightDiagnostic diag = node.emitOpError()
                            << "only "
                            << (allow3D ? "1-D, 2-D and 3-D " : "1-D and 2-D ")
                            << kind << " are supported; input " << type;
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

} // namespace

FailureOr<SmallVector<int64_t>>
resolveAutoPad(NodeImporter &node, StringRef autoPad,
               ArrayRef<int64_t> spatialSizes, ArrayRef<int64_t> kernel,
               ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
               ArrayRef<int64_t> pads) {
  if (autoPad == "NOTSET")
    return SmallVector<int64_t>(pads);
  bool same = autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER";
  if (!same && autoPad != "VALID")
    return node.emitUnsupportedAttr("auto_pad", autoPad);
  if (llvm::any_of(pads, [](int64_t pad) { return pad != 0; }))
    return node.emitError() << "attribute 'pads' cannot be combined with "
                               "auto_pad '"
                            << autoPad << "'";
  size_t rank = spatialSizes.size();
  SmallVector<int64_t> resolved(2 * rank, 0);
  for (size_t d = 0; d < rank && same; ++d)
    std::tie(resolved[d], resolved[d + rank]) =
        nn::samePadding(spatialSizes[d], kernel[d], strides[d], dilations[d],
                        /*upper=*/autoPad == "SAME_UPPER");
  return resolved;
}

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

namespace {

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
  auto shape = cast<RankedTensorType>(input.getType()).getShape();
  FailureOr<SmallVector<int64_t>> padding =
      resolveAutoPad(node, *autoPad, shape.drop_front(2), window.kernel,
                     window.strides, window.dilations, *pads);
  if (failed(padding))
    return failure();
  window.padding = *padding;
  return window;
}

/// Conv: X [N, C, H, W], W [M, C / group, KH, KW], optional B [M].
LogicalResult importConv(NodeImporter &node) {
  FailureOr<Value> input = node.getInput(0), filter = node.getInput(1);
  FailureOr<Value> bias = node.getOptionalInput(2);
  if (anyFailed(input, filter, bias) ||
      failed(node.requireFloat(*input, "input X")))
    return failure();
  FailureOr<int64_t> spatialRank =
      getSpatialRank(node, *input, "convolutions", /*allow3D=*/true);
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
  if (*spatialRank == 3)
    return importConv3D(node, *input, *filter, *bias, *group);
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

} // namespace

FailureOr<Value> buildTransposedHW(NodeImporter &node, Value input,
                                   Value filter, ArrayRef<int64_t> shape,
                                   ArrayRef<int64_t> strides,
                                   ArrayRef<int64_t> padding,
                                   ArrayRef<int64_t> dilations, int64_t group) {
  auto inType = cast<RankedTensorType>(input.getType());
  auto reachedType = RankedTensorType::get(shape, inType.getElementType());
  SmallVector<Type, 1> check;
  if (failed(nn::inferConv2DType(node.getLoc(), "ConvTranspose", reachedType,
                                 cast<RankedTensorType>(filter.getType()),
                                 nullptr, strides, padding, dilations, group,
                                 check)) ||
      check.front() != inType)
    return node.emitOpError()
           << "the attributes do not describe a transposed convolution of "
           << inType;
  return nn::Conv2DBackwardInputOp::create(node.getBuilder(), node.getLoc(),
                                           reachedType, input, filter, strides,
                                           padding, dilations, group)
      .getResult();
}

namespace {

/// ConvTranspose: X [N, C, H, W], W [C, M / group, KH, KW], optional B
/// [M]. It is the input gradient of the convolution that maps the result
/// back to X, so it becomes nn.conv2d_backward_input with the result type
/// computed here: stride * (in - 1) + output_padding + span - pads, or
/// `output_shape` with the pads derived from it (auto_pad SAME_* asks for
/// in * stride).
LogicalResult importConvTranspose(NodeImporter &node) {
  FailureOr<Value> input = node.getInput(0), filter = node.getInput(1);
  FailureOr<Value> bias = node.getOptionalInput(2);
  if (anyFailed(input, filter, bias) ||
      failed(node.requireFloat(*input, "input X")))
    return failure();
  FailureOr<int64_t> spatialRank =
      getSpatialRank(node, *input, "transposed convolutions",
                     /*allow3D=*/true);
  if (failed(spatialRank))
    return failure();
  auto inType = cast<RankedTensorType>(input->getType());
  auto filterType = cast<RankedTensorType>(filter->getType());
  int64_t rank = *spatialRank;
  FailureOr<int64_t> group = node.getIntAttr("group", 1);
  if (failed(group))
    return failure();
  if (*group < 1 || inType.getDimSize(1) % *group != 0)
    return node.emitError() << "attribute 'group' must be >= 1 and divide "
                               "the input channels, got "
                            << *group;
  if (filterType.getRank() != rank + 2 ||
      filterType.getDimSize(0) != inType.getDimSize(1))
    return node.emitOpError() << "filter W must be [" << inType.getDimSize(1)
                              << ", M / group, kernel...], got " << filterType;
  // 1-D runs lifted to 2-D; 3-D as 2-D over depth slices (below).
  FailureOr<Value> input2D = rank == 3 ? *input : liftTo2D(node, *input);
  FailureOr<Value> filter2D = rank == 3 ? *filter : liftTo2D(node, *filter);
  if (anyFailed(input2D, filter2D))
    return failure();
  ArrayRef<int64_t> kernel =
      cast<RankedTensorType>(filter2D->getType()).getShape().drop_front(2);
  FailureOr<SmallVector<int64_t>> kernelAttr =
      node.getIntsAttr("kernel_shape", filterType.getShape().drop_front(2));
  FailureOr<SmallVector<int64_t>> strides =
      getWindowAttr(node, "strides", 1, rank, 1, rank);
  FailureOr<SmallVector<int64_t>> dilations =
      getWindowAttr(node, "dilations", 1, rank, 1, rank);
  FailureOr<SmallVector<int64_t>> pads =
      getWindowAttr(node, "pads", 0, 2 * rank, 0, rank);
  FailureOr<SmallVector<int64_t>> outputPadding =
      getWindowAttr(node, "output_padding", 0, rank, 0, rank);
  FailureOr<std::string> autoPad = node.getStringAttr("auto_pad", "NOTSET");
  if (anyFailed(kernelAttr, strides, dilations, pads, outputPadding, autoPad))
    return failure();
  if (ArrayRef<int64_t>(*kernelAttr) != filterType.getShape().drop_front(2))
    return node.emitError() << "attribute 'kernel_shape' does not match the "
                               "filter "
                            << filterType;
  bool same = *autoPad == "SAME_UPPER" || *autoPad == "SAME_LOWER";
  if (!same && *autoPad != "NOTSET" && *autoPad != "VALID")
    return node.emitUnsupportedAttr("auto_pad", *autoPad);

  // Sizes of the (lifted) spatial dimensions: the attributes as 2-D (or 3-D).
  auto in2D = cast<RankedTensorType>(input2D->getType());
  int64_t numAxes = in2D.getRank() - 2;
  SmallVector<int64_t> outShape = {in2D.getDimSize(0),
                                   filterType.getDimSize(1) * *group};
  std::optional<SmallVector<int64_t>> requested;
  if (node.findAttribute("output_shape")) {
    FailureOr<SmallVector<int64_t>> shape =
        node.getIntsAttr("output_shape", std::nullopt);
    if (failed(shape))
      return failure();
    // The spatial sizes, possibly preceded by N and C.
    if (shape->size() == size_t(rank + 2))
      shape->erase(shape->begin(), shape->begin() + 2);
    if (shape->size() != size_t(rank))
      return node.emitError() << "attribute 'output_shape' must have " << rank
                              << " spatial sizes";
    if (rank == 1)
      shape->insert(shape->begin(), 1);
    requested = *shape;
  }
  // The windows reach `reach` = stride * (in - 1) + span positions; the
  // result is [pads_begin, pads_begin + out) of them, zeros beyond `reach`
  // (output_padding, or an output_shape larger than the windows reach).
  // The windows computed start at `starts` (nn.conv2d_backward_input's
  // padding leaves out pads_begin of H and W; the depth is cropped after);
  // a slice or a zero padding at the end makes the rest.
  SmallVector<int64_t> reached(outShape), starts(numAxes, 0);
  SmallVector<int64_t> padding(4, 0);
  for (int64_t d = 0; d < numAxes; ++d) {
    int64_t size = in2D.getDimSize(d + 2);
    int64_t span = nn::windowSpan(kernel[d], (*dilations)[d]);
    int64_t reach = (*strides)[d] * (size - 1) + span;
    int64_t full = reach + (*outputPadding)[d];
    if ((*outputPadding)[d] >= std::max((*strides)[d], (*dilations)[d]))
      return node.emitError() << "attribute 'output_padding' must be smaller "
                                 "than the stride or the dilation";
    std::optional<int64_t> target = requested ? std::optional((*requested)[d])
                                    : same ? std::optional(size * (*strides)[d])
                                           : std::nullopt;
    int64_t begin = (*pads)[d], end = (*pads)[d + numAxes];
    int64_t out;
    if (target) {
      int64_t total = std::max<int64_t>(full - *target, 0);
      bool upper = *autoPad != "SAME_LOWER";
      begin = upper ? total / 2 : total - total / 2;
      end = total - begin;
      out = *target;
    } else {
      out = full - begin - end;
    }
    if (out < 1 || begin >= reach)
      return node.emitOpError() << "the padding leaves spatial dimension "
                                << d - (numAxes - rank) << " empty";
    outShape.push_back(out);
    // H and W (the last two axes) start at pads_begin in the 2-D op.
    bool inOp = d >= numAxes - 2;
    reached.push_back(inOp ? reach - begin : reach);
    starts[d] = inOp ? 0 : begin;
    if (inOp)
      padding[d - (numAxes - 2)] = begin;
  }
  SmallVector<int64_t> stridesHW(ArrayRef(*strides).take_back(2)),
      dilationsHW(ArrayRef(*dilations).take_back(2));
  FailureOr<Value> computed =
      numAxes == 2
          ? buildTransposedHW(node, *input2D, *filter2D, reached, stridesHW,
                              padding, dilationsHW, *group)
          : buildTransposedConv3D(node, *input2D, *filter2D, reached,
                                  (*strides)[0], (*dilations)[0], stridesHW,
                                  padding, dilationsHW, *group);
  if (failed(computed))
    return failure();
  // Crop each spatial end from its start, or zero-extend it, to the
  // requested size.
  OpBuilder &b = node.getBuilder();
  Value result = *computed;
  auto reachedType = cast<RankedTensorType>(result.getType());
  int64_t resultRank = reachedType.getRank();
  SmallVector<int64_t> kept(reached), extra(resultRank, 0),
      offsets(resultRank, 0);
  for (int64_t d = 2; d < resultRank; ++d) {
    offsets[d] = starts[d - 2];
    kept[d] = std::min(reached[d] - offsets[d], outShape[d]);
    extra[d] = outShape[d] - kept[d];
  }
  if (kept != reached)
    result = node.foldIfConstant(
        nn::SliceOp::create(b, node.getLoc(), reachedType.clone(kept), result,
                            offsets, SmallVector<int64_t>(resultRank, 1)));
  if (kept != outShape) {
    FailureOr<Value> extended = node.create<nn::PadOp>(
        result, b.getDenseI64ArrayAttr(SmallVector<int64_t>(resultRank, 0)),
        b.getDenseI64ArrayAttr(extra), b.getStringAttr("constant"),
        b.getF64FloatAttr(0.0));
    if (failed(extended))
      return failure();
    result = *extended;
  }
  if (*bias) {
    int64_t channels = outShape[1];
    auto biasType = cast<RankedTensorType>(bias->getType());
    if (biasType.getShape() != ArrayRef<int64_t>{channels})
      return node.emitOpError()
             << "bias B must be [" << channels
             << "] (one value per output channel), got " << biasType;
    SmallVector<int64_t> perChannelShape(numAxes + 1, 1);
    perChannelShape[0] = channels;
    FailureOr<Value> perChannel = node.createReshape(*bias, perChannelShape);
    if (failed(perChannel))
      return failure();
    FailureOr<Value> added = node.create<nn::AddOp>(result, *perChannel);
    if (failed(added))
      return failure();
    result = *added;
  }
  if (rank == 3)
    return node.setResult(0, result);
  return node.setResult(0, lowerFrom2D(node, result, rank));
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
  // 3-D inputs went to importPool3D before; this names them in the message.
  FailureOr<int64_t> spatialRank =
      getSpatialRank(node, *input, "pooling", /*allow3D=*/true);
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

/// MaxPool's Indices: nn.max_pool2d_indices gives h * W + w within each
/// plane; ONNX counts over the whole tensor, ((n * C + c) * H + h) * W + w,
/// or with storage_order 1 (n * C + c) * H * W + w * H + h.
LogicalResult setMaxPoolIndices(NodeImporter &node, const PoolOperands &pool,
                                Value output, bool columnMajor) {
  const Window &window = pool.window;
  auto outType = cast<RankedTensorType>(output.getType());
  auto inType = cast<RankedTensorType>(pool.input.getType());
  if (!inType.hasStaticShape())
    return node.emitOpError()
           << "the Indices output is not supported with the dynamic batch";
  OpBuilder &b = node.getBuilder();
  Type i64 = b.getI64Type();
  // The 2-D op's result: [N, C, 1, L] for a lifted 1-D pooling.
  SmallVector<int64_t> pooledShape(outType.getShape());
  if (pool.spatialRank == 1)
    pooledShape.insert(pooledShape.end() - 1, 1);
  auto pooledType = RankedTensorType::get(pooledShape, i64);
  Value planes = nn::MaxPool2DIndicesOp::create(
      b, node.getLoc(), pooledType, pool.input, window.kernel, window.strides,
      window.padding, window.dilations, pool.ceilMode);
  int64_t n = inType.getDimSize(0), c = inType.getDimSize(1);
  int64_t planeSize = inType.getDimSize(2) * inType.getDimSize(3);
  SmallVector<int64_t> offsets;
  for (int64_t i = 0; i < n * c; ++i)
    offsets.push_back(i * planeSize);
  Value offset = nn::ConstantOp::create(
      b, node.getLoc(),
      DenseElementsAttr::get(RankedTensorType::get({n, c, 1, 1}, i64),
                             ArrayRef(offsets)));
  if (columnMajor) {
    // storage_order 1 counts within a plane column by column: w * H + h.
    Value width = node.createScalar(i64, double(inType.getDimSize(3)));
    Value height = node.createScalar(i64, double(inType.getDimSize(2)));
    FailureOr<Value> row = node.create<nn::DivOp>(planes, width);
    if (failed(row))
      return failure();
    FailureOr<Value> rowStart = node.create<nn::MulOp>(*row, width);
    if (failed(rowStart))
      return failure();
    FailureOr<Value> column = node.create<nn::SubOp>(planes, *rowStart);
    if (failed(column))
      return failure();
    FailureOr<Value> columnStart = node.create<nn::MulOp>(*column, height);
    if (failed(columnStart))
      return failure();
    FailureOr<Value> transposed = node.create<nn::AddOp>(*columnStart, *row);
    if (failed(transposed))
      return failure();
    planes = *transposed;
  }
  FailureOr<Value> indices = node.create<nn::AddOp>(planes, offset);
  if (failed(indices))
    return failure();
  return node.setResult(1, node.createReshape(*indices, outType.getShape()));
}

/// Whether a pooling node's input X is [N, C, D, H, W] (ImportWindow3D.cpp).
FailureOr<bool> isPool3D(NodeImporter &node) {
  FailureOr<Value> input = node.getInput(0);
  if (failed(input))
    return failure();
  return cast<RankedTensorType>(input->getType()).getRank() == 5;
}

LogicalResult importMaxPool(NodeImporter &node) {
  FailureOr<bool> is3D = isPool3D(node);
  if (failed(is3D))
    return failure();
  if (*is3D)
    return importPool3D(node, *node.getInput(0), /*max=*/true);
  FailureOr<int64_t> storageOrder = node.getIntAttr("storage_order", 0);
  if (failed(storageOrder))
    return failure();
  if (*storageOrder != 0 && *storageOrder != 1)
    return node.emitUnsupportedAttr("storage_order", Twine(*storageOrder));
  FailureOr<PoolOperands> pool = readPool(node, /*hasDilations=*/true);
  if (failed(pool))
    return failure();
  const Window &window = pool->window;
  FailureOr<Value> output =
      lowerFrom2D(node,
                  node.create<nn::MaxPool2DOp>(
                      pool->input, window.kernel, window.strides,
                      window.padding, pool->ceilMode, window.dilations),
                  pool->spatialRank);
  if (failed(node.setResult(0, output)))
    return failure();
  if (!node.hasOutput(1))
    return success();
  return setMaxPoolIndices(node, *pool, *output, *storageOrder == 1);
}

LogicalResult importAveragePool(NodeImporter &node) {
  FailureOr<bool> is3D = isPool3D(node);
  if (failed(is3D))
    return failure();
  if (*is3D)
    return importPool3D(node, *node.getInput(0), /*max=*/false);
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

/// BatchNormalization with training_mode (opset 14+): normalizes with the
/// batch's statistics and outputs the updated running mean and variance,
/// momentum * running + (1 - momentum) * batch (the batch's biased
/// variance, as ONNX's reference).
LogicalResult importBatchNormTraining(NodeImporter &node, Value x, Value scale,
                                      Value bias, Value mean, Value var,
                                      float epsilon, float momentum) {
  OpBuilder &b = node.getBuilder();
  auto stats = cast<RankedTensorType>(scale.getType());
  auto train = nn::BatchNormTrainOp::create(
      b, node.getLoc(), TypeRange{x.getType(), stats, stats}, x, scale, bias,
      b.getF32FloatAttr(epsilon));
  if (failed(node.setResult(0, train.getResult())))
    return failure();
  Type type = stats.getElementType();
  auto blend = [&](Value running, Value batch) -> FailureOr<Value> {
    FailureOr<Value> kept =
        node.create<nn::MulOp>(running, node.createFloatScalar(type, momentum));
    FailureOr<Value> added = node.create<nn::MulOp>(
        batch, node.createFloatScalar(type, 1.0 - double(momentum)));
    if (anyFailed(kept, added))
      return failure();
    return node.create<nn::AddOp>(*kept, *added);
  };
  if (node.hasOutput(1) &&
      failed(node.setResult(1, blend(mean, train.getBatchMean()))))
    return failure();
  if (node.hasOutput(2) &&
      failed(node.setResult(2, blend(var, train.getBatchVar()))))
    return failure();
  return success();
}

/// BatchNormalization in inference form (Y only; the train step switches
/// it to the batch's statistics), or with training_mode.
LogicalResult importBatchNormalization(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0), scale = node.getInput(1),
                   bias = node.getInput(2), mean = node.getInput(3),
                   var = node.getInput(4);
  if (anyFailed(x, scale, bias, mean, var) ||
      failed(node.requireFloat(*x, "X")))
    return failure();
  FailureOr<float> epsilon = node.getFloatAttr("epsilon", 1e-5f);
  FailureOr<float> momentum = node.getFloatAttr("momentum", 0.9f);
  FailureOr<bool> trainingMode = node.getBoolAttr("training_mode", false);
  FailureOr<int64_t> spatial = node.getIntAttr("spatial", 1);
  if (anyFailed(epsilon, momentum, trainingMode, spatial))
    return failure();
  if (*spatial != 1)
    return node.emitUnsupportedAttr("spatial", Twine(*spatial));
  OpBuilder &b = node.getBuilder();
  if (*trainingMode)
    return importBatchNormTraining(node, *x, *scale, *bias, *mean, *var,
                                   *epsilon, *momentum);
  for (unsigned i = 1; i < 5; ++i)
    if (node.hasOutput(i))
      return node.emitOpError()
             << "output " << i
             << " (the statistics of opset-6 training) is not supported; "
                "nncc computes them itself when it builds a train step "
                "(--train)";
  return node.setResult(
      0, node.create<nn::BatchNormOp>(*x, *scale, *bias, *mean, *var,
                                      b.getF32FloatAttr(*epsilon),
                                      b.getF32FloatAttr(*momentum)));
}

/// LayerNormalization (opset 17): a missing bias is zero; the optional Mean
/// and InvStdDev outputs are computed alongside.
LogicalResult importLayerNormalization(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0), scale = node.getInput(1),
                   bias = node.getOptionalInput(2);
  if (anyFailed(x, scale, bias) || failed(node.requireFloat(*x, "X")))
    return failure();
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
  if (failed(node.setResult(0, node.create<nn::LayerNormOp>(
                                   *x, *s, *b, builder.getI64IntegerAttr(*axis),
                                   builder.getF32FloatAttr(*epsilon)))))
    return failure();
  if (!node.hasOutput(1) && !node.hasOutput(2))
    return success();
  // Mean and InvStdDev over the normalized dimensions, kept as size 1.
  SmallVector<int64_t> axes =
      llvm::to_vector(llvm::seq<int64_t>(*axis, type.getRank()));
  FailureOr<Normalization> stats =
      createNormalization(node, *x, axes, *epsilon);
  if (failed(stats) || failed(node.setResult(1, stats->mean)))
    return failure();
  if (!node.hasOutput(2))
    return success();
  return node.setResult(
      2,
      node.create<nn::DivOp>(node.createFloatScalar(type.getElementType(), 1.0),
                             stats->deviation));
}

/// Dropout: the identity in inference; nn.dropout keeps the ratio for a
/// train step. The ratio is an attribute before opset 12, an optional
/// constant input from 12 (default 0.5 in both).
LogicalResult importDropout(NodeImporter &node) {
  FailureOr<Value> input = node.getInput(0);
  if (failed(input) || failed(node.requireFloat(*input, "data")))
    return failure();
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
      if (mode->size() != 1 || !mode->getElementType().isInteger(1))
        return node.emitOpError() << "training_mode must be a bool scalar";
      // Dropping in an inference graph would need ONNX's random numbers;
      // with ratio 0 training mode drops nothing either.
      if (*mode->getValues<bool>().begin() && ratio != 0.0f)
        return node.emitOpError()
               << "training_mode must be a constant false (or the ratio 0): "
                  "an inference model drops nothing (nncc's train step "
                  "drops)";
    }
  }
  if (!(ratio >= 0.0f && ratio < 1.0f))
    return node.emitOpError() << "ratio must be in [0, 1), got " << ratio;
  if (failed(node.setResult(
          0, node.create<nn::DropoutOp>(
                 *input, node.getBuilder().getF32FloatAttr(ratio)))))
    return failure();
  if (!node.hasOutput(1))
    return success();
  // Nothing is dropped: the mask is all true.
  auto maskType = cast<RankedTensorType>(input->getType())
                      .clone(node.getBuilder().getI1Type());
  return node.setConstantResult(1, DenseElementsAttr::get(maskType, true));
}

} // namespace

ArrayRef<OpInfo> getNNOps() {
  static const OpInfo ops[] = {
      {"AveragePool", OpCategory::NN, 1, kMaxOpset, importAveragePool,
       "`nn.avg_pool2d`",
       "1-D, 2-D and 3-D (as 2-D poolings over depth slices); "
       "`count_include_pad`, `ceil_mode`, `auto_pad`"},
      {"BatchNormalization", OpCategory::NN, 1, kMaxOpset,
       importBatchNormalization, "`nn.batch_norm`",
       "output Y only (inference form; `--train` uses the batch's "
       "statistics and updates the running ones); `spatial` = 1"},
      {"Conv", OpCategory::NN, 1, kMaxOpset, importConv, "`nn.conv2d`",
       "1-D, 2-D and 3-D (a sum of 2-D convolutions over depth slices); "
       "`strides`, `pads`, `dilations`, `group`, `auto_pad` (NOTSET, VALID, "
       "SAME_UPPER, SAME_LOWER), optional bias"},
      {"ConvTranspose", OpCategory::NN, 1, kMaxOpset, importConvTranspose,
       "`nn.conv2d_backward_input` (+ `nn.add` for the bias)",
       "1-D, 2-D and 3-D (2-D ones per depth tap, placed with "
       "`nn.slice_backward`); `strides`, `pads`, `dilations`, `group`, "
       "`output_padding`, `output_shape`, `auto_pad`"},
      {"Dropout", OpCategory::NN, 1, kMaxOpset, importDropout, "`nn.dropout`",
       "the identity in inference (the mask output all true), dropping in a "
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
       "1-D, 2-D and 3-D (as 2-D poolings over depth slices); `strides`, "
       "`pads`, `dilations`, `ceil_mode`, `auto_pad`; the `Indices` output "
       "(1-D and 2-D, `storage_order` 0 or 1)"},
  };
  return ops;
}

} // namespace nncc::onnx_import
