//===- ImportWindow3D.cpp - 3-D convolution and pooling -------------------===//
//
// nn's window ops are 2-D. A 3-D window over X [N, C, D, H, W] is a sum (or
// maximum) over the KD depth taps of 2-D windows: tap kd reads the depth
// slices kd * dilation + do * stride of the depth-padded input, one per
// output depth do. So:
//   Conv: for each kd, the slices [N, C, Dout, H, W] become 2-D images
//     [N * Dout, C, H, W] (transpose + reshape) convolved with W[:, :, kd];
//     the KD results add up and go back to [N, M, Dout, OH, OW].
//   Pooling: the taps combine first (nn.maximum, or nn.add), then one 2-D
//     pooling runs over [N, C * Dout, H, W]; an average divides once more
//     by each output depth's tap count (a window's element count is the
//     product of its per-axis counts, so this is exact).
//   ConvTranspose: for each kd, the 2-D transposed convolution of every
//     input depth with W[:, :, kd], placed at the output depths it reaches
//     (d * stride + kd * dilation, nn.slice_backward) and summed; the
//     importer in ImportNN.cpp crops or extends the ends.
// Everything is made of differentiable nn ops, so --train needs nothing
// more. It is KD 2-D convolutions instead of one 3-D loop nest: correct,
// not the fastest; the ONNX tests and small volumetric models are what it
// is for.
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/Onnx/ImportWindow.h"
#include "dialects/Nn/IR/NnShapes.h"

#include <cmath>

using namespace mlir;

namespace nncc::onnx_import {
namespace {

/// A 3-D window in ONNX's order: per axis (D, H, W) kernel, stride and
/// dilation; pads [d_begin, h_begin, w_begin, d_end, h_end, w_end].
struct Window3D {
  SmallVector<int64_t> kernel, strides, dilations, pads;

  /// nn's 2-D padding [top, left, bottom, right] of the H and W axes.
  SmallVector<int64_t> padding2D() const {
    return {pads[1], pads[2], pads[4], pads[5]};
  }
};

FailureOr<Window3D> readWindow3D(NodeImporter &node, RankedTensorType inType,
                                 ArrayRef<int64_t> kernel, bool hasDilations) {
  Window3D window;
  window.kernel.assign(kernel.begin(), kernel.end());
  FailureOr<SmallVector<int64_t>> strides =
      getWindowAttr(node, "strides", 1, 3, 1, 3);
  FailureOr<SmallVector<int64_t>> dilations =
      hasDilations ? getWindowAttr(node, "dilations", 1, 3, 1, 3)
                   : SmallVector<int64_t>{1, 1, 1};
  FailureOr<SmallVector<int64_t>> pads =
      getWindowAttr(node, "pads", 0, 6, 0, 3);
  FailureOr<std::string> autoPad = node.getStringAttr("auto_pad", "NOTSET");
  if (anyFailed(strides, dilations, pads, autoPad))
    return failure();
  window.strides = *strides;
  window.dilations = *dilations;
  FailureOr<SmallVector<int64_t>> resolved =
      resolveAutoPad(node, *autoPad, inType.getShape().drop_front(2),
                     window.kernel, window.strides, window.dilations, *pads);
  if (failed(resolved))
    return failure();
  window.pads = *resolved;
  return window;
}

/// Builds the per-tap pieces of a 3-D window over one input.
class DepthTaps {
public:
  DepthTaps(NodeImporter &node, const Window3D &window, int64_t outDepth)
      : node(node), window(window), outDepth(outDepth) {}

  /// `input` [N, C, D, H, W] padded along D by `before` and `after`
  /// elements of `value`.
  FailureOr<Value> padDepth(Value input, int64_t before, int64_t after,
                            double value) {
    if (before == 0 && after == 0)
      return input;
    OpBuilder &b = node.getBuilder();
    return node.create<nn::PadOp>(
        input, b.getDenseI64ArrayAttr({0, 0, before, 0, 0}),
        b.getDenseI64ArrayAttr({0, 0, after, 0, 0}),
        b.getStringAttr("constant"), b.getF64FloatAttr(value));
  }

  /// The depth slices tap `kd` reads from the padded input: [N, C, Dout, H,
  /// W].
  Value tap(Value padded, int64_t kd) {
    auto type = cast<RankedTensorType>(padded.getType());
    SmallVector<int64_t> shape(type.getShape());
    shape[2] = outDepth;
    return node.foldIfConstant(nn::SliceOp::create(
        node.getBuilder(), node.getLoc(), type.clone(shape), padded,
        SmallVector<int64_t>{0, 0, kd * window.dilations[0], 0, 0},
        SmallVector<int64_t>{1, 1, window.strides[0], 1, 1}));
  }

  /// [A, B, C, H, W] -> [A, C, B, H, W].
  FailureOr<Value> swapAxes12(Value value) {
    return node.create<nn::TransposeOp>(
        value, node.getBuilder().getDenseI64ArrayAttr({0, 2, 1, 3, 4}));
  }

private:
  NodeImporter &node;
  const Window3D &window;
  int64_t outDepth;
};

/// The number of output depths, or a diagnostic when no window fits.
FailureOr<int64_t> getOutDepth(NodeImporter &node, RankedTensorType inType,
                               const Window3D &window, bool ceilMode) {
  int64_t out = nn::windowOutputSize(
      inType.getDimSize(2), window.kernel[0], window.strides[0], window.pads[0],
      window.pads[3], window.dilations[0], ceilMode);
  if (out < 1)
    return node.emitOpError()
           << "the window does not fit the depth of " << inType;
  return out;
}

} // namespace

LogicalResult importConv3D(NodeImporter &node, Value input, Value filter,
                           Value bias, int64_t group) {
  auto inType = cast<RankedTensorType>(input.getType());
  auto filterType = cast<RankedTensorType>(filter.getType());
  FailureOr<Window3D> window = readWindow3D(
      node, inType, filterType.getShape().drop_front(2), /*hasDilations=*/true);
  if (failed(window))
    return failure();
  FailureOr<int64_t> outDepth = getOutDepth(node, inType, *window, false);
  if (failed(outDepth))
    return failure();
  int64_t n = inType.getDimSize(0), c = inType.getDimSize(1);
  int64_t m = filterType.getDimSize(0), kd = filterType.getDimSize(2);
  DepthTaps taps(node, *window, *outDepth);
  FailureOr<Value> padded =
      taps.padDepth(input, window->pads[0], window->pads[3], 0.0);
  if (failed(padded))
    return failure();
  OpBuilder &b = node.getBuilder();
  Value sum;
  for (int64_t k = 0; k < kd; ++k) {
    // [N, C, Dout, H, W] -> [N * Dout, C, H, W].
    FailureOr<Value> images = taps.swapAxes12(taps.tap(*padded, k));
    if (failed(images))
      return failure();
    images =
        node.createReshape(*images, {n * *outDepth, c, inType.getDimSize(3),
                                     inType.getDimSize(4)});
    // W[:, :, k] as [M, C / group, KH, KW].
    SmallVector<int64_t> tapShape(filterType.getShape());
    tapShape[2] = 1;
    Value tapFilter = node.foldIfConstant(nn::SliceOp::create(
        b, node.getLoc(), filterType.clone(tapShape), filter,
        SmallVector<int64_t>{0, 0, k, 0, 0}, SmallVector<int64_t>(5, 1)));
    FailureOr<Value> filter2D = node.createReshape(
        tapFilter, {m, filterType.getDimSize(1), filterType.getDimSize(3),
                    filterType.getDimSize(4)});
    if (anyFailed(images, filter2D))
      return failure();
    FailureOr<Value> conv = node.create<nn::Conv2DOp>(
        *images, *filter2D, Value(), ArrayRef(window->strides).drop_front(),
        window->padding2D(), ArrayRef(window->dilations).drop_front(),
        static_cast<uint64_t>(group));
    if (failed(conv))
      return failure();
    if (sum) {
      conv = node.create<nn::AddOp>(sum, *conv);
      if (failed(conv))
        return failure();
    }
    sum = *conv;
  }
  // [N * Dout, M, OH, OW] -> [N, M, Dout, OH, OW].
  auto sumType = cast<RankedTensorType>(sum.getType());
  FailureOr<Value> result = node.createReshape(
      sum, {n, *outDepth, m, sumType.getDimSize(2), sumType.getDimSize(3)});
  if (failed(result) || failed(result = taps.swapAxes12(*result)))
    return failure();
  if (bias) {
    auto biasType = cast<RankedTensorType>(bias.getType());
    if (biasType.getShape() != ArrayRef<int64_t>{m})
      return node.emitOpError()
             << "bias B must be [" << m
             << "] (one value per output channel), got " << biasType;
    FailureOr<Value> perChannel = node.createReshape(bias, {m, 1, 1, 1});
    if (failed(perChannel) ||
        failed(result = node.create<nn::AddOp>(*result, *perChannel)))
      return failure();
  }
  return node.setResult(0, result);
}

FailureOr<Value> buildTransposedConv3D(
    NodeImporter &node, Value input, Value filter, ArrayRef<int64_t> shape,
    int64_t strideD, int64_t dilationD, ArrayRef<int64_t> stridesHW,
    ArrayRef<int64_t> paddingHW, ArrayRef<int64_t> dilationsHW, int64_t group) {
  auto inType = cast<RankedTensorType>(input.getType());
  auto filterType = cast<RankedTensorType>(filter.getType());
  int64_t n = inType.getDimSize(0), c = inType.getDimSize(1);
  int64_t depth = inType.getDimSize(2), m = shape[1];
  OpBuilder &b = node.getBuilder();
  Location loc = node.getLoc();
  auto swap = b.getDenseI64ArrayAttr({0, 2, 1, 3, 4});
  // [N, C, D, H, W] -> [N * D, C, H, W]: every depth an image.
  FailureOr<Value> images = node.create<nn::TransposeOp>(input, swap);
  if (failed(images))
    return failure();
  images = node.createReshape(
      *images, {n * depth, c, inType.getDimSize(3), inType.getDimSize(4)});
  if (failed(images))
    return failure();
  Value sum;
  for (int64_t k = 0; k < filterType.getDimSize(2); ++k) {
    SmallVector<int64_t> tapShape(filterType.getShape());
    tapShape[2] = 1;
    Value tapFilter = node.foldIfConstant(nn::SliceOp::create(
        b, loc, filterType.clone(tapShape), filter,
        SmallVector<int64_t>{0, 0, k, 0, 0}, SmallVector<int64_t>(5, 1)));
    FailureOr<Value> filter2D = node.createReshape(
        tapFilter, {filterType.getDimSize(0), filterType.getDimSize(1),
                    filterType.getDimSize(3), filterType.getDimSize(4)});
    if (failed(filter2D))
      return failure();
    FailureOr<Value> planes = buildTransposedHW(
        node, *images, *filter2D, {n * depth, m, shape[3], shape[4]}, stridesHW,
        paddingHW, dilationsHW, group);
    if (failed(planes))
      return failure();
    // [N * D, M, H', W'] -> [N, M, D, H', W'], placed at the depths tap k
    // reaches: d * strideD + k * dilationD.
    planes = node.createReshape(*planes, {n, depth, m, shape[3], shape[4]});
    if (failed(planes) ||
        failed(planes = node.create<nn::TransposeOp>(*planes, swap)))
      return failure();
    Value placed = nn::SliceBackwardOp::create(
        b, loc, RankedTensorType::get(shape, inType.getElementType()), *planes,
        b.getDenseI64ArrayAttr({0, 0, k * dilationD, 0, 0}),
        b.getDenseI64ArrayAttr({1, 1, strideD, 1, 1}));
    if (sum) {
      FailureOr<Value> added = node.create<nn::AddOp>(sum, placed);
      if (failed(added))
        return failure();
      placed = *added;
    }
    sum = placed;
  }
  return sum;
}

LogicalResult importPool3D(NodeImporter &node, Value input, bool max) {
  if (failed(node.requireFloat(input, "input X")))
    return failure();
  if (max && node.hasOutput(1))
    return node.emitOpError()
           << "the Indices output of a 3-D MaxPool is not supported";
  auto inType = cast<RankedTensorType>(input.getType());
  FailureOr<SmallVector<int64_t>> kernel =
      getWindowAttr(node, "kernel_shape", std::nullopt, 3, 1, 3);
  FailureOr<bool> ceilMode = node.getBoolAttr("ceil_mode", false);
  FailureOr<bool> countPadding = node.getBoolAttr("count_include_pad", false);
  if (anyFailed(kernel, ceilMode, countPadding))
    return failure();
  FailureOr<Window3D> window =
      readWindow3D(node, inType, *kernel, /*hasDilations=*/max);
  if (failed(window))
    return failure();
  FailureOr<int64_t> outDepth = getOutDepth(node, inType, *window, *ceilMode);
  if (failed(outDepth))
    return failure();
  int64_t n = inType.getDimSize(0), c = inType.getDimSize(1);
  int64_t depth = inType.getDimSize(2);
  const Window3D &w = *window;
  // Pad the end enough for the ceil-mode overhang too; padded positions
  // never win a maximum and add nothing to a sum.
  int64_t endPad =
      nn::coveringEndPadding(*outDepth, depth, w.kernel[0], w.strides[0],
                             w.dilations[0], w.pads[0], w.pads[3]);
  DepthTaps taps(node, w, *outDepth);
  FailureOr<Value> padded =
      taps.padDepth(input, w.pads[0], endPad, max ? -INFINITY : 0.0);
  if (failed(padded))
    return failure();
  Value combined;
  for (int64_t k = 0; k < w.kernel[0]; ++k) {
    Value slices = taps.tap(*padded, k);
    if (!combined) {
      combined = slices;
      continue;
    }
    FailureOr<Value> next = max ? node.create<nn::MaximumOp>(combined, slices)
                                : node.create<nn::AddOp>(combined, slices);
    if (failed(next))
      return failure();
    combined = *next;
  }
  FailureOr<Value> planes = node.createReshape(
      combined, {n, c * *outDepth, inType.getDimSize(3), inType.getDimSize(4)});
  if (failed(planes))
    return failure();
  SmallVector<int64_t> kernel2D(ArrayRef(w.kernel).drop_front());
  SmallVector<int64_t> strides2D(ArrayRef(w.strides).drop_front());
  FailureOr<Value> pooled =
      max ? node.create<nn::MaxPool2DOp>(
                *planes, kernel2D, strides2D, w.padding2D(), *ceilMode,
                SmallVector<int64_t>(ArrayRef(w.dilations).drop_front()))
          : node.create<nn::AvgPool2DOp>(*planes, kernel2D, strides2D,
                                         w.padding2D(), *ceilMode,
                                         *countPadding);
  if (failed(pooled))
    return failure();
  auto pooledType = cast<RankedTensorType>(pooled->getType());
  FailureOr<Value> result =
      node.createReshape(*pooled, {n, c, *outDepth, pooledType.getDimSize(2),
                                   pooledType.getDimSize(3)});
  if (failed(result) || max)
    return node.setResult(0, result);
  // The 2-D pooling averaged over H and W; each output depth's sum still
  // divides by the depth taps it counts.
  SmallVector<double> counts;
  for (int64_t d = 0; d < *outDepth; ++d)
    counts.push_back(
        double(nn::windowElementCount(d, depth, w.kernel[0], w.strides[0],
                                      w.pads[0], w.pads[3], *countPadding)));
  auto countType =
      RankedTensorType::get({1, 1, *outDepth, 1, 1}, inType.getElementType());
  SmallVector<Attribute> countAttrs;
  for (double count : counts)
    countAttrs.push_back(FloatAttr::get(inType.getElementType(), count));
  Value divisor =
      nn::ConstantOp::create(node.getBuilder(), node.getLoc(),
                             DenseElementsAttr::get(countType, countAttrs));
  return node.setResult(0, node.create<nn::DivOp>(*result, divisor));
}

} // namespace nncc::onnx_import
