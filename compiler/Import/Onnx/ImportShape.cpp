//===- ImportShape.cpp - shapes, indexing and element types ---------------===//
//
// Shape, Size and ConstantOfShape (constants: nncc's shapes are static),
// Squeeze and Unsqueeze (nn.reshape), Expand and Tile (nn.broadcast), Split
// (nn.slice), Gather, Cast, Pad and Range (a constant). Exporters chain these
// into shape computations; every op the importer creates folds when its
// operands are constants, so such a chain ends as a constant that Reshape can
// read.
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/Onnx/ImporterState.h"

#include "dialects/Nn/IR/NnShapes.h"

#include <cmath>

using namespace mlir;

namespace nncc::onnx_import {
namespace {

/// A 1-D int64 constant holding `values`.
DenseElementsAttr makeI64List(MLIRContext *ctx, ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                    IntegerType::get(ctx, 64));
  return DenseElementsAttr::get(type, values);
}

/// The integers of a constant list input (int32 or int64, 0-D or 1-D).
FailureOr<SmallVector<int64_t>> readIntList(NodeImporter &node, unsigned index,
                                            StringRef role) {
  FailureOr<DenseElementsAttr> list = node.getConstantInput(index, role);
  if (failed(list))
    return failure();
  if (!(list->getElementType().isInteger(32) ||
        list->getElementType().isInteger(64)) ||
      list->getType().getRank() > 1)
    return node.emitOpError() << "the " << role
                              << " input must be a 1-D int32 or int64 "
                                 "tensor, got "
                              << list->getType();
  SmallVector<int64_t> values;
  for (const APInt &value : list->getValues<APInt>())
    values.push_back(value.getSExtValue());
  return values;
}

/// Axes given as an attribute before `inputFromOpset` and as input 1 from
/// then on; std::nullopt when neither is given.
FailureOr<std::optional<SmallVector<int64_t>>>
readAxes(NodeImporter &node, int64_t inputFromOpset) {
  if (node.getOpset() >= inputFromOpset) {
    if (!node.hasInput(1))
      return std::optional<SmallVector<int64_t>>();
    FailureOr<SmallVector<int64_t>> axes = readIntList(node, 1, "axes");
    if (failed(axes))
      return failure();
    return std::optional(*axes);
  }
  if (!node.findAttribute("axes"))
    return std::optional<SmallVector<int64_t>>();
  FailureOr<SmallVector<int64_t>> axes = node.getIntsAttr("axes", std::nullopt);
  if (failed(axes))
    return failure();
  return std::optional(*axes);
}

/// Normalizes axes into [0, rank) and checks they are distinct.
FailureOr<SmallVector<int64_t>>
normalizeAxes(NodeImporter &node, ArrayRef<int64_t> axes, int64_t rank) {
  SmallVector<int64_t> result;
  for (int64_t axis : axes) {
    if (axis < -rank || axis >= rank)
      return node.emitOpError()
             << "axis " << axis << " is out of range for rank " << rank;
    int64_t normalized = axis < 0 ? axis + rank : axis;
    if (llvm::is_contained(result, normalized))
      return node.emitOpError() << "axis " << axis << " is repeated";
    result.push_back(normalized);
  }
  return result;
}

/// Shape: the static shape, from opset 15 sliced by `start` and `end`. The
/// dynamic batch is INT64_MIN there (ShapedType::kDynamic), which Gather,
/// Unsqueeze and Concat carry along and Reshape reads as the batch; any
/// other use of it fails as an invalid size.
LogicalResult importShape(NodeImporter &node) {
  FailureOr<Value> input = node.getInput(0);
  if (failed(input))
    return failure();
  ArrayRef<int64_t> shape = cast<RankedTensorType>(input->getType()).getShape();
  int64_t rank = shape.size();
  FailureOr<int64_t> start = node.getIntAttr("start", 0);
  FailureOr<int64_t> end = node.getIntAttr("end", rank);
  if (anyFailed(start, end))
    return failure();
  auto clamp = [&](int64_t v) {
    return std::clamp<int64_t>(v < 0 ? v + rank : v, 0, rank);
  };
  int64_t from = clamp(*start), to = std::max(from, clamp(*end));
  return node.setConstantResult(
      0, makeI64List(node.getContext(), shape.slice(from, to - from)));
}

/// Size: the element count, an int64 scalar.
LogicalResult importSize(NodeImporter &node) {
  FailureOr<Value> input = node.getInput(0);
  if (failed(input))
    return failure();
  auto type =
      RankedTensorType::get({}, IntegerType::get(node.getContext(), 64));
  auto inType = cast<RankedTensorType>(input->getType());
  if (!inType.hasStaticShape())
    return node.emitOpError()
           << "the size of " << inType << " depends on the dynamic batch";
  int64_t count = inType.getNumElements();
  return node.setConstantResult(0, DenseElementsAttr::get(type, count));
}

/// ConstantOfShape: `value` (a one-element tensor, default float 0) at
/// every position of the constant shape.
LogicalResult importConstantOfShape(NodeImporter &node) {
  FailureOr<SmallVector<int64_t>> shape = readIntList(node, 0, "shape");
  if (failed(shape))
    return failure();
  Type f32 = Float32Type::get(node.getContext());
  DenseElementsAttr value = DenseElementsAttr::get(
      RankedTensorType::get({1}, f32), FloatAttr::get(f32, 0.0));
  if (const onnx::AttributeProto *attr = node.findAttribute("value")) {
    if (attr->type() != onnx::AttributeProto::TENSOR)
      return node.emitError() << "attribute 'value' must be a tensor";
    FailureOr<DenseElementsAttr> converted =
        convertTensorProto(attr->t(), node.getLoc(), "the 'value' tensor");
    if (failed(converted))
      return failure();
    if (converted->getNumElements() != 1)
      return node.emitOpError() << "the 'value' tensor must have one element";
    value = *converted;
  }
  for (int64_t size : *shape)
    if (size < 0)
      return node.emitOpError() << "negative size " << size << " in the shape";
  auto type = RankedTensorType::get(*shape, value.getElementType());
  return node.setConstantResult(0, value.resizeSplat(type));
}

/// Squeeze: drops the given size-1 dimensions (axes an attribute before
/// opset 13, an input from 13), or all size-1 dimensions.
LogicalResult importSqueeze(NodeImporter &node) {
  FailureOr<Value> input = node.getInput(0);
  FailureOr<std::optional<SmallVector<int64_t>>> axes = readAxes(node, 13);
  if (anyFailed(input, axes))
    return failure();
  ArrayRef<int64_t> shape = cast<RankedTensorType>(input->getType()).getShape();
  int64_t rank = shape.size();
  SmallVector<int64_t> dropped;
  if (*axes) {
    FailureOr<SmallVector<int64_t>> normalized =
        normalizeAxes(node, **axes, rank);
    if (failed(normalized))
      return failure();
    dropped = *normalized;
  } else {
    for (int64_t d = 0; d < rank; ++d)
      if (shape[d] == 1)
        dropped.push_back(d);
  }
  SmallVector<int64_t> result;
  for (int64_t d = 0; d < rank; ++d) {
    if (!llvm::is_contained(dropped, d)) {
      result.push_back(shape[d]);
      continue;
    }
    if (shape[d] != 1)
      return node.emitOpError()
             << "cannot squeeze dimension " << d << " of size " << shape[d];
  }
  return node.setResult(0, node.createReshape(*input, result));
}

/// Unsqueeze: inserts size-1 dimensions at the given positions of the
/// result (axes an attribute before opset 13, an input from 13).
LogicalResult importUnsqueeze(NodeImporter &node) {
  FailureOr<Value> input = node.getInput(0);
  FailureOr<std::optional<SmallVector<int64_t>>> axes = readAxes(node, 13);
  if (anyFailed(input, axes))
    return failure();
  if (!*axes)
    return node.emitOpError() << "requires axes";
  ArrayRef<int64_t> shape = cast<RankedTensorType>(input->getType()).getShape();
  int64_t rank = shape.size() + (*axes)->size();
  FailureOr<SmallVector<int64_t>> inserted = normalizeAxes(node, **axes, rank);
  if (failed(inserted))
    return failure();
  SmallVector<int64_t> result;
  const int64_t *next = shape.begin();
  for (int64_t d = 0; d < rank; ++d)
    result.push_back(llvm::is_contained(*inserted, d) ? 1 : *next++);
  return node.setResult(0, node.createReshape(*input, result));
}

/// `input` broadcast to `shape` (which it must broadcast to).
FailureOr<Value> broadcastTo(NodeImporter &node, Value input,
                             ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(input.getType());
  if (type.getShape() == shape)
    return input;
  auto resultType = type.clone(shape);
  return node.foldIfConstant(nn::BroadcastOp::create(
      node.getBuilder(), node.getLoc(), resultType, input));
}

/// Expand: broadcasts the input and the constant shape together (either
/// may stretch the other's size-1 dimensions).
LogicalResult importExpand(NodeImporter &node) {
  FailureOr<Value> input = node.getInput(0);
  FailureOr<SmallVector<int64_t>> requested = readIntList(node, 1, "shape");
  if (anyFailed(input, requested))
    return failure();
  auto type = cast<RankedTensorType>(input->getType());
  auto shape = nn::broadcastShapes(type.getShape(), *requested);
  if (!shape)
    return node.emitOpError()
           << "cannot expand " << type << " to shape ["
           << llvm::make_range(requested->begin(), requested->end()) << "]";
  return node.setResult(0, broadcastTo(node, *input, *shape));
}

/// Tile: each dimension d of size n becomes [repeats[d], n] by broadcasting
/// a size-1 dimension in front of it, then the pairs merge (so the
/// gradient is the broadcast's: a sum over the copies).
LogicalResult importTile(NodeImporter &node) {
  FailureOr<Value> input = node.getInput(0);
  FailureOr<SmallVector<int64_t>> repeats = readIntList(node, 1, "repeats");
  if (anyFailed(input, repeats))
    return failure();
  auto type = cast<RankedTensorType>(input->getType());
  if (static_cast<int64_t>(repeats->size()) != type.getRank())
    return node.emitOpError()
           << "repeats has " << repeats->size()
           << " entries for an input of rank " << type.getRank();
  SmallVector<int64_t> split, stretched, merged;
  for (auto [size, repeat] : llvm::zip(type.getShape(), *repeats)) {
    if (repeat < 1)
      return node.emitOpError()
             << "repeat " << repeat << " is not supported (only >= 1)";
    if (repeat > kMaxTensorElements / size)
      return node.emitOpError()
             << "repeat " << repeat << " makes dimension " << split.size() / 2
             << " larger than " << kMaxTensorElements << " elements";
    split.append({1, size});
    stretched.append({repeat, size});
    merged.push_back(repeat * size);
  }
  FailureOr<Value> reshaped = node.createReshape(*input, split);
  if (failed(reshaped))
    return failure();
  FailureOr<Value> broadcast = broadcastTo(node, *reshaped, stretched);
  if (failed(broadcast))
    return failure();
  return node.setResult(0, node.createReshape(*broadcast, merged));
}

/// Split: consecutive slices along `axis`, sized by `split` (an attribute
/// before opset 13, an input from 13) or equal.
LogicalResult importSplit(NodeImporter &node) {
  FailureOr<Value> input = node.getInput(0);
  if (failed(input))
    return failure();
  auto type = cast<RankedTensorType>(input->getType());
  FailureOr<int64_t> axis = node.getAxisAttr("axis", 0, type.getRank());
  if (failed(axis))
    return failure();
  int64_t size = type.getDimSize(*axis);
  int64_t outputs = node.getNode().output_size();
  FailureOr<SmallVector<int64_t>> sizes = SmallVector<int64_t>();
  if (node.getOpset() >= 13 && node.hasInput(1))
    sizes = readIntList(node, 1, "split");
  else if (node.getOpset() < 13 && node.findAttribute("split"))
    sizes = node.getIntsAttr("split", std::nullopt);
  if (failed(sizes))
    return failure();
  if (sizes->empty()) {
    if (size % outputs != 0)
      return node.emitOpError()
             << "cannot split dimension " << *axis << " of size " << size
             << " into " << outputs << " equal parts";
    sizes->assign(outputs, size / outputs);
  }
  if (static_cast<int64_t>(sizes->size()) != outputs)
    return node.emitOpError() << "split has " << sizes->size()
                              << " entries for " << outputs << " outputs";
  int64_t offset = 0;
  for (auto [index, part] : llvm::enumerate(*sizes)) {
    if (part < 1 || part > size - offset)
      return node.emitOpError()
             << "the split sizes do not divide dimension " << *axis
             << " of size " << size << " into non-empty parts";
    SmallVector<int64_t> starts(type.getRank(), 0), steps(type.getRank(), 1);
    SmallVector<int64_t> shape(type.getShape());
    starts[*axis] = offset;
    shape[*axis] = part;
    offset += part;
    Value slice = node.foldIfConstant(
        nn::SliceOp::create(node.getBuilder(), node.getLoc(), type.clone(shape),
                            *input, starts, steps));
    if (failed(node.setResult(index, slice)))
      return failure();
  }
  if (offset != size)
    return node.emitOpError()
           << "the split sizes add up to " << offset << ", not to the size "
           << size << " of dimension " << *axis;
  return success();
}

/// Gather along `axis`; constant indices are checked against the size.
LogicalResult importGather(NodeImporter &node) {
  FailureOr<Value> input = node.getInput(0), indices = node.getInput(1);
  FailureOr<DenseElementsAttr> constant = node.lookupConstantInput(1);
  if (anyFailed(input, indices, constant))
    return failure();
  auto type = cast<RankedTensorType>(input->getType());
  if (type.getRank() == 0)
    return node.emitOpError() << "the input must have rank >= 1";
  FailureOr<int64_t> axis = node.getAxisAttr("axis", 0, type.getRank());
  if (failed(axis))
    return failure();
  Type indexType = getElementTypeOrSelf(*indices);
  if (!indexType.isInteger(32) && !indexType.isInteger(64))
    return node.emitOpError()
           << "indices must be int32 or int64, got " << indexType;
  int64_t size = type.getDimSize(*axis);
  if (*constant)
    for (const APInt &index : constant->getValues<APInt>())
      if (index.getSExtValue() < -size || index.getSExtValue() >= size)
        return node.emitOpError() << "index " << index.getSExtValue()
                                  << " is out of range for dimension " << *axis
                                  << " of size " << size;
  return node.setResult(0, node.create<nn::GatherOp>(*input, *indices, *axis));
}

/// Cast to the element type `to`.
LogicalResult importCast(NodeImporter &node) {
  FailureOr<Value> input = node.getInput(0);
  FailureOr<int64_t> to = node.getIntAttr("to", std::nullopt);
  if (anyFailed(input, to))
    return failure();
  Type elementType = convertElementType(node.getContext(), *to);
  if (!elementType)
    return node.emitOpError()
           << "casting to " << getDataTypeName(*to)
           << " is not supported (supported: " << getSupportedElementTypes()
           << ")";
  return node.setResult(0, node.createCast(*input, elementType));
}

/// The pads of a Pad node: the `paddings` (opset 1) or `pads` (2-10)
/// attribute, or a constant input (11+).
FailureOr<SmallVector<int64_t>> readPads(NodeImporter &node) {
  if (node.getOpset() >= 11)
    return readIntList(node, 1, "pads");
  return node.getIntsAttr(node.getOpset() < 2 ? "paddings" : "pads",
                          std::nullopt);
}

/// The value constant padding uses: the `value` attribute before opset 11,
/// an optional constant scalar input from 11.
FailureOr<double> readPadValue(NodeImporter &node) {
  if (node.getOpset() < 11)
    return node.getFloatAttr("value", 0.0f);
  if (!node.hasInput(2))
    return 0.0;
  FailureOr<DenseElementsAttr> value =
      node.getConstantInput(2, "constant_value");
  if (failed(value))
    return failure();
  if (value->getNumElements() != 1)
    return node.emitOpError() << "constant_value must be a scalar";
  if (auto floats = dyn_cast<DenseFPElementsAttr>(*value))
    return (*floats.getValues<APFloat>().begin()).convertToDouble();
  return static_cast<double>(
      (*value->getValues<APInt>().begin()).getSExtValue());
}

/// Pad: [x1_begin, x2_begin, ..., x1_end, x2_end, ...]; negative pads crop
/// (a slice after padding with the positive ones).
LogicalResult importPad(NodeImporter &node) {
  FailureOr<Value> input = node.getInput(0);
  FailureOr<SmallVector<int64_t>> pads = readPads(node);
  FailureOr<std::string> mode = node.getStringAttr("mode", "constant");
  FailureOr<double> value = readPadValue(node);
  if (anyFailed(input, pads, mode, value))
    return failure();
  if (*mode != "constant" && *mode != "reflect" && *mode != "edge")
    return node.emitUnsupportedAttr("mode", *mode);
  auto type = cast<RankedTensorType>(input->getType());
  int64_t rank = type.getRank();
  if (static_cast<int64_t>(pads->size()) != 2 * rank)
    return node.emitOpError() << "pads has " << pads->size()
                              << " entries for an input of rank " << rank;
  SmallVector<int64_t> low, high, starts, shape;
  for (int64_t pad : *pads)
    if (pad < -kMaxTensorElements || pad > kMaxTensorElements)
      return node.emitOpError() << "pad " << pad << " is out of range";
  for (int64_t d = 0; d < rank; ++d) {
    int64_t begin = (*pads)[d], end = (*pads)[d + rank];
    int64_t size = type.getDimSize(d) + begin + end;
    if (size < 1)
      return node.emitOpError()
             << "the padding leaves dimension " << d << " empty";
    low.push_back(std::max<int64_t>(begin, 0));
    high.push_back(std::max<int64_t>(end, 0));
    starts.push_back(std::max<int64_t>(-begin, 0));
    shape.push_back(size);
  }
  if (*mode == "reflect")
    for (int64_t d = 0; d < rank; ++d)
      if (std::max(low[d], high[d]) >= type.getDimSize(d))
        return node.emitOpError()
               << "reflect padding of " << std::max(low[d], high[d])
               << " needs dimension " << d << " to be larger than its size "
               << type.getDimSize(d);
  OpBuilder &b = node.getBuilder();
  FailureOr<Value> padded = node.create<nn::PadOp>(
      *input, b.getDenseI64ArrayAttr(low), b.getDenseI64ArrayAttr(high),
      b.getStringAttr(*mode), b.getF64FloatAttr(*value));
  if (failed(padded) || type.clone(shape) == padded->getType())
    return node.setResult(0, padded);
  SmallVector<int64_t> steps(rank, 1);
  return node.setResult(0, node.foldIfConstant(nn::SliceOp::create(
                               node.getBuilder(), node.getLoc(),
                               type.clone(shape), *padded, starts, steps)));
}

/// Range (opset 11): start, start + delta, ... below limit (above, for a
/// negative delta), from constant scalars; nncc's shapes are static, so the
/// count must be known, and the result is a constant.
LogicalResult importRange(NodeImporter &node) {
  SmallVector<DenseElementsAttr, 3> operands;
  for (auto [index, role] :
       llvm::enumerate(ArrayRef<StringRef>{"start", "limit", "delta"})) {
    FailureOr<DenseElementsAttr> value = node.getConstantInput(index, role);
    if (failed(value))
      return failure();
    if (value->getNumElements() != 1)
      return node.emitOpError() << role << " must be a scalar";
    operands.push_back(*value);
  }
  Type elementType = operands[0].getElementType();
  auto scalar = [&](DenseElementsAttr value) -> double {
    if (isa<FloatType>(elementType))
      return (*value.getValues<APFloat>().begin()).convertToDouble();
    return double((*value.getValues<APInt>().begin()).getSExtValue());
  };
  double start = scalar(operands[0]), limit = scalar(operands[1]),
         delta = scalar(operands[2]);
  if (delta == 0)
    return node.emitOpError() << "delta must not be 0";
  double steps = std::ceil((limit - start) / delta);
  if (!(steps >= 1) || steps > double(kMaxTensorElements))
    return node.emitOpError()
           << "the range from " << start << " to " << limit << " by " << delta
           << (steps >= 1 ? " is too long" : " is empty");
  auto type = RankedTensorType::get({int64_t(steps)}, elementType);
  SmallVector<Attribute> values;
  for (int64_t i = 0; i < int64_t(steps); ++i) {
    // ONNX defines element i as start + i * delta, in the element type.
    if (isa<FloatType>(elementType))
      values.push_back(
          FloatAttr::get(elementType, float(start) + float(i) * float(delta)));
    else
      values.push_back(
          IntegerAttr::get(elementType, int64_t(start) + i * int64_t(delta)));
  }
  return node.setConstantResult(0, DenseElementsAttr::get(type, values));
}

} // namespace

ArrayRef<OpInfo> getShapeOps() {
  static const OpInfo ops[] = {
      {"Cast", OpCategory::Tensor, 1, kMaxOpset, importCast, "`nn.cast`",
       "between the supported element types; floats to integers truncate"},
      {"ConstantOfShape", OpCategory::Tensor, 9, kMaxOpset,
       importConstantOfShape, "`nn.constant`",
       "the shape must be a constant; `value` (default float 0)"},
      {"Expand", OpCategory::Tensor, 8, kMaxOpset, importExpand,
       "`nn.broadcast`", "the shape must be a constant"},
      {"Gather", OpCategory::Tensor, 1, kMaxOpset, importGather, "`nn.gather`",
       "any axis; negative indices count from the end; constant indices "
       "are range-checked"},
      {"Pad", OpCategory::Tensor, 1, kMaxOpset, importPad,
       "`nn.pad` (+ `nn.slice` for negative pads)",
       "modes constant, reflect, edge; constant pads and value; zero padding "
       "before a convolution or average pooling folds into its window; only "
       "constant padding is differentiable"},
      {"Range", OpCategory::Tensor, 11, kMaxOpset, importRange, "(constant)",
       "constant scalar start, limit and delta"},
      {"Shape", OpCategory::Tensor, 1, kMaxOpset, importShape, "(constant)",
       "`start` and `end` (opset 15)"},
      {"Size", OpCategory::Tensor, 1, kMaxOpset, importSize, "(constant)", ""},
      {"Split", OpCategory::Tensor, 1, kMaxOpset, importSplit, "`nn.slice`",
       "`split` as an attribute or a constant input, or equal parts"},
      {"Squeeze", OpCategory::Tensor, 1, kMaxOpset, importSqueeze,
       "`nn.reshape`", "axes as an attribute or a constant input"},
      {"Tile", OpCategory::Tensor, 6, kMaxOpset, importTile,
       "`nn.reshape`, `nn.broadcast`", "the repeats must be a constant"},
      {"Unsqueeze", OpCategory::Tensor, 1, kMaxOpset, importUnsqueeze,
       "`nn.reshape`", "axes as an attribute or a constant input"},
  };
  return ops;
}

} // namespace nncc::onnx_import
