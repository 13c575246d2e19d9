//===- ImportResize.cpp - Resize and Upsample -----------------------------===//
//
// Interpolation is separable: the result is a 1-D resize along each resized
// axis in turn (the innermost first, as ONNX's reference nests them). With
// static shapes and constant scales, every output position's taps (input
// positions) and weights are known at compile time, so a 1-D resize is
//   sum over taps k of gather(x, index_k, axis) * weight_k
// with constant index and weight vectors: nearest has one tap, linear two,
// cubic four. The gradient then comes from nn.gather's (a scatter-add).
// The taps follow ONNX's reference implementation: the n input positions
// nearest to the transformed coordinate, clamped to the edge.
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/Onnx/ImporterState.h"

#include <cmath>

using namespace mlir;

namespace nncc::onnx_import {
namespace {

/// The interpolation settings of one Resize or Upsample node.
struct ResizeMode {
  std::string mode;           // nearest, linear, cubic
  std::string transformation; // coordinate_transformation_mode
  std::string nearestMode;
  double cubicA = -0.75;
  bool excludeOutside = false;
  double extrapolation = 0.0;
};

/// One output position along an axis: its taps and their weights, or
/// `outside` for tf_crop_and_resize positions beyond the input.
struct Taps {
  SmallVector<int64_t, 4> index;
  SmallVector<double, 4> weight;
  bool outside = false;
};

/// The input coordinate of output position `x` (ONNX's
/// coordinate_transformation_mode). `roi` is [start, end] for
/// tf_crop_and_resize. As in ONNX's reference, the output length here is
/// scale * inSize, unrounded (it differs from the result's size when the
/// scales are given).
double sourceCoordinate(const ResizeMode &m, double x, int64_t inSize,
                        double outSize, double scale, double roiStart,
                        double roiEnd) {
  const std::string &t = m.transformation;
  if (t == "align_corners")
    return outSize == 1 ? 0.0 : x * double(inSize - 1) / double(outSize - 1);
  if (t == "asymmetric")
    return x / scale;
  if (t == "tf_half_pixel_for_nn")
    return (x + 0.5) / scale;
  if (t == "pytorch_half_pixel")
    return outSize == 1 ? -0.5 : (x + 0.5) / scale - 0.5;
  if (t == "tf_crop_and_resize")
    return outSize == 1 ? (roiEnd - roiStart) * double(inSize - 1) / 2 +
                              roiStart * double(inSize - 1)
                        : x * (roiEnd - roiStart) * double(inSize - 1) /
                                  double(outSize - 1) +
                              roiStart * double(inSize - 1);
  return (x + 0.5) / scale - 0.5; // half_pixel
}

/// The coefficients of the n taps around a coordinate whose distance to the
/// tap on its left is `ratio` in (0, 1].
SmallVector<double, 4> coefficients(const ResizeMode &m, double ratio,
                                    bool integral) {
  if (m.mode == "linear")
    return {1 - ratio, ratio};
  if (m.mode == "cubic") {
    double a = m.cubicA, r = ratio, s = 1 - ratio;
    return {((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a,
            ((a + 2) * r - (a + 3)) * r * r + 1,
            ((a + 2) * s - (a + 3)) * s * s + 1,
            ((a * (s + 1) - 5 * a) * (s + 1) + 8 * a) * (s + 1) - 4 * a};
  }
  if (integral)
    return {0, 1};
  const std::string &n = m.nearestMode;
  if (n == "round_prefer_ceil")
    return {double(ratio < 0.5), double(ratio >= 0.5)};
  if (n == "floor")
    return {1, 0};
  if (n == "ceil")
    return {0, 1};
  return {double(ratio <= 0.5), double(ratio > 0.5)}; // round_prefer_floor
}

/// The taps of every output position of one axis.
SmallVector<Taps> computeTaps(const ResizeMode &m, int64_t inSize,
                              int64_t outSize, double scale, double roiStart,
                              double roiEnd) {
  SmallVector<Taps> all;
  for (int64_t x = 0; x < outSize; ++x) {
    Taps taps;
    double source = sourceCoordinate(
        m, double(x), inSize, scale * double(inSize), scale, roiStart, roiEnd);
    if (m.transformation == "tf_crop_and_resize" &&
        (source < 0 || source > double(inSize - 1))) {
      taps.outside = true;
      all.push_back(taps);
      continue;
    }
    double left = std::floor(source);
    bool integral = source == left;
    // The tap on the left is preferred: ratio is in (0, 1].
    double ratio = integral ? 1.0 : source - left;
    SmallVector<double, 4> weights = coefficients(m, ratio, integral);
    int64_t n = weights.size();
    // The n positions nearest to `source` (ties to the smaller): with
    // ratio in (0, 1] they start n / 2 positions left of floor(source)
    // plus one, or at floor(source) - 1 for the integral case.
    int64_t first = int64_t(left) - n / 2 + 1 - (integral ? 1 : 0);
    double sum = 0;
    for (int64_t k = 0; k < n; ++k) {
      int64_t position = first + k;
      bool inside = position >= 0 && position < inSize;
      if (m.excludeOutside && !inside)
        weights[k] = 0;
      sum += weights[k];
      taps.index.push_back(std::clamp<int64_t>(position, 0, inSize - 1));
    }
    for (double &w : weights)
      w = m.excludeOutside && sum != 0 ? w / sum : w;
    taps.weight = weights;
    all.push_back(taps);
  }
  return all;
}

/// Resizes `x` along `axis` to `outSize` positions.
FailureOr<Value> resizeAxis(NodeImporter &node, const ResizeMode &m, Value x,
                            int64_t axis, int64_t outSize, double scale,
                            double roiStart, double roiEnd) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t inSize = type.getDimSize(axis);
  SmallVector<Taps> taps =
      computeTaps(m, inSize, outSize, scale, roiStart, roiEnd);
  size_t n = 0;
  for (const Taps &t : taps)
    n = std::max(n, t.index.size());
  OpBuilder &b = node.getBuilder();
  Type elementType = type.getElementType();
  SmallVector<int64_t> weightShape(type.getRank(), 1);
  weightShape[axis] = outSize;
  auto weightType = RankedTensorType::get(weightShape, elementType);
  auto indexType = RankedTensorType::get({outSize}, b.getI64Type());
  auto floats = [&](ArrayRef<double> values) {
    SmallVector<Attribute> attrs;
    for (double v : values)
      attrs.push_back(FloatAttr::get(elementType, v));
    return nn::ConstantOp::create(b, node.getLoc(),
                                  DenseElementsAttr::get(weightType, attrs))
        .getResult();
  };
  FailureOr<Value> sum = Value();
  for (size_t k = 0; k < n; ++k) {
    SmallVector<int64_t> indices;
    SmallVector<double> weights;
    for (const Taps &t : taps) {
      indices.push_back(t.outside ? 0 : t.index[k]);
      weights.push_back(t.outside ? 0.0 : t.weight[k]);
    }
    if (llvm::all_of(weights, [](double w) { return w == 0.0; }))
      continue;
    Value index = nn::ConstantOp::create(
        b, node.getLoc(), DenseElementsAttr::get(indexType, ArrayRef(indices)));
    FailureOr<Value> gathered = node.create<nn::GatherOp>(x, index, axis);
    if (failed(gathered))
      return failure();
    FailureOr<Value> term = *gathered;
    // Nearest taps have weight 1 where they are used at all.
    bool unit = llvm::all_of(weights, [](double w) { return w == 1.0; });
    if (!unit)
      term = node.create<nn::MulOp>(*gathered, floats(weights));
    if (failed(term))
      return failure();
    sum = *sum ? node.create<nn::AddOp>(*sum, *term) : term;
    if (failed(sum))
      return failure();
  }
  if (llvm::any_of(taps, [](const Taps &t) { return t.outside; })) {
    SmallVector<double> outside;
    for (const Taps &t : taps)
      outside.push_back(t.outside ? m.extrapolation : 0.0);
    Value constant = floats(outside);
    if (*sum)
      return node.create<nn::AddOp>(*sum, constant);
    // Every position is outside: the result is the extrapolation value.
    SmallVector<int64_t> shape(type.getShape());
    shape[axis] = outSize;
    return node.foldIfConstant(
        nn::BroadcastOp::create(b, node.getLoc(), type.clone(shape), constant));
  }
  return sum;
}

/// Reads a constant float list input (scales, roi), or an empty list when
/// the input is absent or empty.
FailureOr<SmallVector<double>> readFloats(NodeImporter &node, unsigned index,
                                          StringRef role) {
  SmallVector<double> values;
  if (!node.hasInput(index))
    return values;
  FailureOr<DenseElementsAttr> list = node.getConstantInput(index, role);
  if (failed(list))
    return failure();
  if (!isa<FloatType>(list->getElementType()))
    return node.emitOpError() << role << " must be floats";
  for (const APFloat &v : list->getValues<APFloat>())
    values.push_back(v.convertToDouble());
  return values;
}

/// Resize and Upsample share everything after reading their operands.
LogicalResult buildResize(NodeImporter &node, Value x, const ResizeMode &m,
                          ArrayRef<double> scales, ArrayRef<int64_t> sizes,
                          ArrayRef<double> roi) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank();
  if (!isa<FloatType>(type.getElementType()))
    return node.requireFloat(x, "X");
  if (!scales.empty() && int64_t(scales.size()) != rank)
    return node.emitOpError() << "scales has " << scales.size()
                              << " entries for an input of rank " << rank;
  if (!sizes.empty() && int64_t(sizes.size()) != rank)
    return node.emitOpError() << "sizes has " << sizes.size()
                              << " entries for an input of rank " << rank;
  if (scales.empty() == sizes.empty())
    return node.emitOpError() << "exactly one of scales and sizes must be "
                                 "given";
  if (m.transformation == "tf_crop_and_resize" &&
      int64_t(roi.size()) != 2 * rank)
    return node.emitOpError()
           << "tf_crop_and_resize needs a roi of " << 2 * rank << " values";
  Value result = x;
  for (int64_t axis = rank - 1; axis >= 0; --axis) {
    int64_t inSize = type.getDimSize(axis);
    double scale;
    int64_t outSize;
    if (!scales.empty()) {
      scale = scales[axis];
      if (!(scale > 0))
        return node.emitOpError() << "scale " << scale << " is not positive";
      outSize = int64_t(std::floor(double(inSize) * scale));
    } else {
      outSize = sizes[axis];
      scale = double(outSize) / double(inSize);
    }
    if (outSize < 1 || outSize > kMaxTensorElements)
      return node.emitOpError() << "dimension " << axis << " would have "
                                << outSize << " elements";
    double roiStart = roi.empty() ? 0.0 : roi[axis];
    double roiEnd = roi.empty() ? 1.0 : roi[axis + rank];
    if (outSize == inSize && m.transformation != "tf_crop_and_resize" &&
        scale == 1.0)
      continue;
    FailureOr<Value> resized =
        resizeAxis(node, m, result, axis, outSize, scale, roiStart, roiEnd);
    if (failed(resized))
      return failure();
    result = *resized;
  }
  return node.setResult(0, result);
}

LogicalResult checkChoice(NodeImporter &node, StringRef name, StringRef value,
                          ArrayRef<StringRef> allowed) {
  if (llvm::is_contained(allowed, value))
    return success();
  return node.emitUnsupportedAttr(name, value);
}

/// Resize: opset 10 has (X, scales) and asymmetric coordinates; from 11,
/// (X, roi, scales, sizes) and the coordinate_transformation_mode.
LogicalResult importResize(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  ResizeMode m;
  bool opset10 = node.getOpset() < 11;
  FailureOr<std::string> mode = node.getStringAttr("mode", "nearest");
  FailureOr<std::string> transformation = node.getStringAttr(
      "coordinate_transformation_mode", opset10 ? "asymmetric" : "half_pixel");
  FailureOr<std::string> nearest = node.getStringAttr(
      "nearest_mode", opset10 ? "floor" : "round_prefer_floor");
  FailureOr<float> cubicA = node.getFloatAttr("cubic_coeff_a", -0.75f);
  FailureOr<bool> exclude = node.getBoolAttr("exclude_outside", false);
  FailureOr<float> extrapolation =
      node.getFloatAttr("extrapolation_value", 0.0f);
  if (anyFailed(x, mode, transformation, nearest, cubicA, exclude,
                extrapolation) ||
      failed(
          checkChoice(node, "mode", *mode, {"nearest", "linear", "cubic"})) ||
      failed(checkChoice(
          node, "coordinate_transformation_mode", *transformation,
          {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric",
           "tf_half_pixel_for_nn", "tf_crop_and_resize"})) ||
      failed(checkChoice(
          node, "nearest_mode", *nearest,
          {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"})))
    return failure();
  m.mode = *mode;
  m.transformation = *transformation;
  m.nearestMode = *nearest;
  m.cubicA = *cubicA;
  m.excludeOutside = *exclude;
  m.extrapolation = *extrapolation;
  FailureOr<SmallVector<double>> roi =
      opset10 ? SmallVector<double>() : readFloats(node, 1, "roi");
  FailureOr<SmallVector<double>> scales =
      readFloats(node, opset10 ? 1 : 2, "scales");
  FailureOr<SmallVector<int64_t>> sizes = SmallVector<int64_t>();
  if (!opset10 && node.hasInput(3)) {
    FailureOr<DenseElementsAttr> list = node.getConstantInput(3, "sizes");
    if (failed(list))
      return failure();
    if (!list->getElementType().isInteger(64))
      return node.emitOpError() << "sizes must be int64";
    sizes->clear();
    for (const APInt &v : list->getValues<APInt>())
      sizes->push_back(v.getSExtValue());
  }
  if (anyFailed(roi, scales, sizes))
    return failure();
  return buildResize(node, *x, m, *scales, *sizes, *roi);
}

/// Upsample (opsets 7-9): scales as an attribute (7-8) or input (9);
/// asymmetric coordinates, nearest rounds down.
LogicalResult importUpsample(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  FailureOr<std::string> mode = node.getStringAttr("mode", "nearest");
  if (anyFailed(x, mode))
    return failure();
  if (*mode == "bilinear")
    *mode = "linear";
  if (failed(checkChoice(node, "mode", *mode, {"nearest", "linear"})))
    return failure();
  ResizeMode m{*mode, "asymmetric", "floor"};
  FailureOr<SmallVector<double>> scales = SmallVector<double>();
  if (node.getOpset() >= 9) {
    scales = readFloats(node, 1, "scales");
  } else {
    FailureOr<SmallVector<float>> attr =
        node.getFloatsAttr("scales", std::nullopt);
    if (failed(attr))
      return failure();
    scales->assign(attr->begin(), attr->end());
  }
  if (failed(scales))
    return failure();
  return buildResize(node, *x, m, *scales, {}, {});
}

} // namespace

ArrayRef<OpInfo> getResizeOps() {
  static const OpInfo ops[] = {
      {"Resize", OpCategory::Tensor, 10, kMaxOpset, importResize,
       "`nn.gather`, `nn.mul`, `nn.add` per resized axis",
       "modes nearest, linear, cubic; every coordinate_transformation_mode "
       "and nearest_mode; `cubic_coeff_a`, `exclude_outside`, "
       "`extrapolation_value`; constant scales or sizes (and roi)"},
      {"Upsample", OpCategory::Tensor, 7, 9, importUpsample, "as Resize",
       "nearest and (bi)linear, asymmetric coordinates"},
  };
  return ops;
}

} // namespace nncc::onnx_import
