//===- ImportTensor.cpp - constants and shape manipulation ----------------===//
//
// Concat, Constant, Identity, Flatten, Reshape, Slice and Transpose. Flatten
// and Reshape become nn.reshape with the target shape computed here from the
// static input shape.
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/Onnx/ImporterState.h"

#include <limits>

using namespace mlir;

namespace nncc::onnx_import {
namespace {

/// A scalar (no `dims`) or 1-D constant of `elementType` holding `values`.
template <typename T>
DenseElementsAttr makeListConstant(Type elementType, ArrayRef<T> values,
                                   bool scalar) {
  SmallVector<int64_t> shape;
  if (!scalar)
    shape.push_back(static_cast<int64_t>(values.size()));
  return DenseElementsAttr::get(RankedTensorType::get(shape, elementType),
                                values);
}

/// Constant: exactly one of `value` (a tensor), `value_float(s)` and
/// `value_int(s)`; sparse and string constants are not supported.
LogicalResult importConstant(NodeImporter &node) {
  const onnx::NodeProto &proto = node.getNode();
  if (proto.attribute_size() != 1)
    return node.emitOpError() << "expected exactly one value attribute, got "
                              << proto.attribute_size();
  StringRef name = proto.attribute(0).name();
  Type f32 = Float32Type::get(node.getContext());
  Type i64 = IntegerType::get(node.getContext(), 64);
  FailureOr<DenseElementsAttr> value = failure();
  if (name == "value") {
    if (proto.attribute(0).type() != onnx::AttributeProto::TENSOR)
      return node.emitError() << "attribute 'value' must be a tensor";
    value = convertTensorProto(proto.attribute(0).t(), node.getLoc(),
                               "Constant: the 'value' tensor");
  } else if (name == "value_float") {
    FailureOr<float> scalar = node.getFloatAttr(name, std::nullopt);
    if (succeeded(scalar))
      value = makeListConstant<float>(f32, *scalar, /*scalar=*/true);
  } else if (name == "value_floats") {
    FailureOr<SmallVector<float>> list = node.getFloatsAttr(name, std::nullopt);
    if (succeeded(list))
      value = makeListConstant<float>(f32, *list, /*scalar=*/false);
  } else if (name == "value_int") {
    FailureOr<int64_t> scalar = node.getIntAttr(name, std::nullopt);
    if (succeeded(scalar))
      value = makeListConstant<int64_t>(i64, *scalar, /*scalar=*/true);
  } else if (name == "value_ints") {
    FailureOr<SmallVector<int64_t>> list = node.getIntsAttr(name, std::nullopt);
    if (succeeded(list))
      value = makeListConstant<int64_t>(i64, *list, /*scalar=*/false);
  } else if (name == "sparse_value") {
    return node.emitOpError() << "sparse tensors (attribute 'sparse_value') "
                                 "are not supported";
  } else if (name == "value_string" || name == "value_strings") {
    return node.emitOpError()
           << "string tensors (attribute '" << name << "') are not supported";
  } else {
    return node.emitOpError() << "unknown attribute '" << name << "'";
  }
  if (failed(value))
    return failure();
  return node.setConstantResult(0, *value);
}

/// Identity: the output is the input; a constant stays a constant, so that
/// it can still feed a Reshape's shape.
LogicalResult importIdentity(NodeImporter &node) {
  FailureOr<DenseElementsAttr> constant = node.lookupConstantInput(0);
  if (failed(constant))
    return failure();
  if (*constant)
    return node.setConstantResult(0, *constant);
  return node.setResult(0, node.getInput(0));
}

/// Flatten: [d0 * ... * d(axis-1), d(axis) * ... * d(rank-1)].
LogicalResult importFlatten(NodeImporter &node) {
  FailureOr<Value> input = node.getInput(0);
  if (failed(input))
    return failure();
  auto type = cast<RankedTensorType>(input->getType());
  FailureOr<int64_t> axis =
      node.getAxisAttr("axis", 1, type.getRank(), /*extra=*/1);
  if (failed(axis))
    return failure();
  ArrayRef<int64_t> shape = type.getShape();
  if (!type.hasStaticShape()) {
    // The dynamic batch stays the outer dimension.
    if (*axis != 1)
      return node.emitOpError()
             << "with the dynamic batch, only axis 1 keeps the batch apart; "
                "got axis "
             << *axis << " for " << type;
    return node.setResult(
        0, node.createReshape(*input, {ShapedType::kDynamic,
                                       *getNumElements(shape.drop_front())}));
  }
  int64_t outer = *getNumElements(shape.take_front(*axis));
  int64_t inner = *getNumElements(shape.drop_front(*axis));
  return node.setResult(0, node.createReshape(*input, {outer, inner}));
}

/// The requested shape of a Reshape: the `shape` attribute before opset 5,
/// then a constant 1-D integer input.
FailureOr<SmallVector<int64_t>> readRequestedShape(NodeImporter &node) {
  if (node.getOpset() < 5)
    return node.getIntsAttr("shape", std::nullopt);
  FailureOr<DenseElementsAttr> shape = node.getConstantInput(1, "shape");
  if (failed(shape))
    return failure();
  if (!shape->getElementType().isInteger() || shape->getType().getRank() != 1)
    return node.emitOpError()
           << "the shape input must be a 1-D integer tensor, got "
           << shape->getType();
  SmallVector<int64_t> sizes;
  for (const APInt &size : shape->getValues<APInt>())
    sizes.push_back(size.getSExtValue());
  return sizes;
}

/// The sizes a Reshape asks for, with each 0 copying the input's size at
/// its position (unless allowzero), and the position of the one -1, left
/// as -1. The dynamic batch passes as `?` (Shape's entry for it) or as a
/// copied 0.
FailureOr<std::pair<SmallVector<int64_t>, std::optional<size_t>>>
resolveRequestedShape(NodeImporter &node, RankedTensorType type,
                      ArrayRef<int64_t> requested, bool allowZero) {
  SmallVector<int64_t> shape;
  std::optional<size_t> inferred;
  for (size_t index = 0; index < requested.size(); ++index) {
    int64_t size = requested[index];
    if (size == 0 && !allowZero) {
      if (static_cast<int64_t>(index) >= type.getRank())
        return node.emitOpError()
               << "shape entry " << index << " is 0 but the input " << type
               << " has no dimension " << index << " to copy";
      size = type.getDimSize(index);
    } else if (size == -1) {
      if (inferred)
        return node.emitOpError() << "the shape has more than one -1";
      inferred = index;
    } else if (size < -1 &&
               !(ShapedType::isDynamic(size) && !type.hasStaticShape())) {
      return node.emitOpError() << "invalid shape entry " << size;
    }
    shape.push_back(size);
  }
  return std::make_pair(shape, inferred);
}

/// Reshape: a 0 copies the input's size at the same position (unless
/// allowzero is set), and one -1 takes what is left. With the dynamic
/// batch, the -1 is the batch when the other entries hold one batch item.
LogicalResult importReshape(NodeImporter &node) {
  FailureOr<Value> input = node.getInput(0);
  FailureOr<SmallVector<int64_t>> requested = readRequestedShape(node);
  FailureOr<bool> allowZero = node.getBoolAttr("allowzero", false);
  if (anyFailed(input, requested, allowZero))
    return failure();
  auto type = cast<RankedTensorType>(input->getType());
  auto resolved = resolveRequestedShape(node, type, *requested, *allowZero);
  if (failed(resolved))
    return failure();
  auto &[shape, inferred] = *resolved;
  if (!inferred)
    return node.setResult(0, node.createReshape(*input, shape));

  // The elements of the input (of one batch item) and of the other entries.
  int64_t total = 1, known = 1;
  for (int64_t size : type.getShape())
    if (!ShapedType::isDynamic(size))
      total *= size;
  for (int64_t size : shape)
    if (size > 0)
      known *= size;
  bool batchInShape = llvm::is_contained(shape, ShapedType::kDynamic);
  if (!type.hasStaticShape() && !batchInShape && known == total)
    shape[*inferred] = ShapedType::kDynamic; // the -1 is the batch
  else if (known != 0 && total % known == 0 &&
           type.hasStaticShape() != batchInShape)
    shape[*inferred] = total / known;
  else
    return node.emitOpError()
           << "cannot reshape " << type << " to ["
           << llvm::make_range(requested->begin(), requested->end()) << "]: "
           << (type.hasStaticShape()
                   ? "the sizes do not divide its " + std::to_string(total) +
                         " elements"
                   : std::string("the batch must stay a dimension of its "
                                 "own"));
  return node.setResult(0, node.createReshape(*input, shape));
}

/// Transpose: `perm` defaults to reversing the dimensions.
LogicalResult importTranspose(NodeImporter &node) {
  FailureOr<Value> input = node.getInput(0);
  if (failed(input))
    return failure();
  int64_t rank = cast<RankedTensorType>(input->getType()).getRank();
  SmallVector<int64_t> identity = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  SmallVector<int64_t> reversed = llvm::to_vector(llvm::reverse(identity));
  FailureOr<SmallVector<int64_t>> perm = node.getIntsAttr("perm", reversed);
  if (failed(perm))
    return failure();
  SmallVector<int64_t> sorted(*perm);
  llvm::sort(sorted);
  if (sorted != identity)
    return node.emitError() << "attribute 'perm' is not a permutation of the "
                            << rank << " input dimensions";
  return node.setResult(0, node.create<nn::TransposeOp>(*input, *perm));
}

/// Concat: every input along `axis` (required from opset 4, default 1
/// before; negative from opset 11).
/// Concat of constants, empty ones included (shapes in ONNX's expanded
/// functions): the joined constant, or a null attribute when an input is
/// computed.
FailureOr<DenseElementsAttr> concatConstants(NodeImporter &node) {
  SmallVector<DenseElementsAttr> parts;
  for (int i = 0, e = node.getNode().input_size(); i < e; ++i) {
    FailureOr<DenseElementsAttr> part = node.lookupConstantInput(i);
    if (failed(part))
      return failure();
    if (!*part || part->getType().getRank() != 1)
      return DenseElementsAttr();
    parts.push_back(*part);
  }
  if (parts.empty() ||
      llvm::none_of(parts, [](DenseElementsAttr p) { return p.empty(); }))
    return DenseElementsAttr(); // nn.concat folds the non-empty case
  SmallVector<Attribute> values;
  for (DenseElementsAttr part : parts) {
    if (part.getElementType() != parts.front().getElementType())
      return DenseElementsAttr();
    llvm::append_range(values, part.getValues<Attribute>());
  }
  auto type = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                    parts.front().getElementType());
  return DenseElementsAttr::get(type, values);
}

LogicalResult importConcat(NodeImporter &node) {
  FailureOr<DenseElementsAttr> joined = concatConstants(node);
  if (failed(joined))
    return failure();
  if (*joined)
    return node.setConstantResult(0, *joined);
  FailureOr<SmallVector<Value>> inputs = node.getVariadicInputs();
  if (failed(inputs))
    return failure();
  if (node.getOpset() >= 4 && !node.findAttribute("axis"))
    return node.emitOpError() << "requires attribute 'axis'";
  int64_t rank = cast<RankedTensorType>(inputs->front().getType()).getRank();
  FailureOr<int64_t> axis = node.getAxisAttr("axis", 1, rank);
  if (failed(axis))
    return failure();
  return node.setResult(0, node.create<nn::ConcatOp>(*inputs, *axis));
}

/// The integers of a constant index list (int32 or int64).
FailureOr<SmallVector<int64_t>> getIndexList(NodeImporter &node, unsigned index,
                                             StringRef role) {
  FailureOr<DenseElementsAttr> list = node.getConstantInput(index, role);
  if (failed(list))
    return failure();
  if (!list->getElementType().isInteger(32) &&
      !list->getElementType().isInteger(64))
    return node.emitOpError() << role << " must be int32 or int64";
  SmallVector<int64_t> values;
  for (const APInt &value : list->getValues<APInt>())
    values.push_back(value.getSExtValue());
  return values;
}

/// Slice: starts/ends/axes as attributes before opset 10, as constant
/// inputs (with steps) from opset 10. Indices are clamped as ONNX says. A
/// negative step (PyTorch's F.pad export reverses its pads with one) is a
/// gather of the reversed positions.
LogicalResult importSlice(NodeImporter &node) {
  FailureOr<Value> input = node.getInput(0);
  if (failed(input))
    return failure();
  auto type = cast<RankedTensorType>(input->getType());
  int64_t rank = type.getRank();
  SmallVector<int64_t> allAxes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  FailureOr<SmallVector<int64_t>> starts = failure(), ends = failure(),
                                  axes = allAxes, steps = failure();
  if (node.getOpset() < 10) {
    starts = node.getIntsAttr("starts", std::nullopt);
    ends = node.getIntsAttr("ends", std::nullopt);
    axes = node.getIntsAttr("axes", ArrayRef<int64_t>(allAxes));
  } else {
    starts = getIndexList(node, 1, "starts");
    ends = getIndexList(node, 2, "ends");
    if (node.hasInput(3))
      axes = getIndexList(node, 3, "axes");
  }
  if (anyFailed(starts, ends, axes))
    return failure();
  steps = SmallVector<int64_t>(starts->size(), 1);
  if (node.getOpset() >= 10 && node.hasInput(4))
    steps = getIndexList(node, 4, "steps");
  if (failed(steps))
    return failure();
  if (ends->size() != starts->size() || axes->size() != starts->size() ||
      steps->size() != starts->size())
    return node.emitOpError()
           << "starts, ends, axes and steps must have the same length";

  SmallVector<int64_t> begin(rank, 0), stride(rank, 1);
  SmallVector<int64_t> shape(type.getShape());
  SmallVector<bool> seen(rank, false);
  // Axes with a negative step become gathers of the reversed positions.
  SmallVector<std::pair<int64_t, SmallVector<int64_t>>> reversed;
  for (size_t i = 0; i < starts->size(); ++i) {
    int64_t axis = (*axes)[i] < 0 ? (*axes)[i] + rank : (*axes)[i];
    if (axis < 0 || axis >= rank || seen[axis])
      return node.emitOpError()
             << "axis " << (*axes)[i] << " is out of range or repeated";
    seen[axis] = true;
    int64_t dim = type.getDimSize(axis), step = (*steps)[i];
    if (step == 0)
      return node.emitOpError() << "step 0 is invalid";
    // ONNX clamps starts and ends to [0, dim] for positive steps and to
    // [-1, dim - 1] for negative ones (after adding dim to negatives).
    auto clamp = [&](int64_t v) {
      if (v < 0)
        v += dim;
      return step > 0 ? std::clamp<int64_t>(v, 0, dim)
                      : std::clamp<int64_t>(v, -1, dim - 1);
    };
    int64_t from = clamp((*starts)[i]), to = clamp((*ends)[i]);
    // Written so that no step, however large, overflows.
    step = std::max(step, -std::numeric_limits<int64_t>::max());
    int64_t size = step > 0 ? (to > from ? (to - from - 1) / step + 1 : 0)
                            : (from > to ? (from - to - 1) / -step + 1 : 0);
    if (size == 0) {
      // An empty slice of a constant (of a shape, in ONNX's expanded
      // functions) stays usable as a shape; only an empty operand errs.
      FailureOr<DenseElementsAttr> constant = node.lookupConstantInput(0);
      if (succeeded(constant) && *constant) {
        SmallVector<int64_t> empty(type.getShape());
        empty[axis] = 0;
        return node.setConstantResult(
            0,
            DenseElementsAttr::get(type.clone(empty), ArrayRef<Attribute>{}));
      }
      return node.emitOpError()
             << "the slice of axis " << axis
             << " is empty, and nncc does not support empty tensors";
    }
    if (step < 0) {
      SmallVector<int64_t> positions;
      for (int64_t k = 0; k < size; ++k)
        positions.push_back(from + k * step);
      reversed.emplace_back(axis, std::move(positions));
      continue;
    }
    begin[axis] = from;
    stride[axis] = step;
    shape[axis] = size;
  }
  Value result = *input;
  if (shape != type.getShape())
    result = node.foldIfConstant(
        nn::SliceOp::create(node.getBuilder(), node.getLoc(),
                            RankedTensorType::get(shape, type.getElementType()),
                            *input, begin, stride));
  for (auto &[axis, positions] : reversed) {
    auto indicesType =
        RankedTensorType::get({static_cast<int64_t>(positions.size())},
                              IntegerType::get(node.getContext(), 64));
    Value indices = nn::ConstantOp::create(
        node.getBuilder(), node.getLoc(),
        DenseElementsAttr::get(indicesType, ArrayRef(positions)));
    FailureOr<Value> gathered =
        node.create<nn::GatherOp>(result, indices, axis);
    if (failed(gathered))
      return failure();
    result = *gathered;
  }
  return node.setResult(0, result);
}

} // namespace

ArrayRef<OpInfo> getTensorOps() {
  static const OpInfo ops[] = {
      {"Concat", OpCategory::Tensor, 1, kMaxOpset, importConcat, "`nn.concat`",
       "any axis, negative allowed"},
      {"Constant", OpCategory::Tensor, 1, kMaxOpset, importConstant,
       "`nn.constant`",
       "`value`, `value_float(s)`, `value_int(s)`; sparse tensors are not "
       "supported"},
      {"Flatten", OpCategory::Tensor, 1, kMaxOpset, importFlatten,
       "`nn.reshape`", "any axis, negative allowed"},
      {"Identity", OpCategory::Tensor, 1, kMaxOpset, importIdentity, "(alias)",
       ""},
      {"Reshape", OpCategory::Tensor, 1, kMaxOpset, importReshape,
       "`nn.reshape`",
       "the shape must be a constant (initializer or Constant); `0` and "
       "`-1`, `allowzero`; before opset 5 the `shape` attribute"},
      {"Slice", OpCategory::Tensor, 1, kMaxOpset, importSlice,
       "`nn.slice`, `nn.gather` for negative steps",
       "constant starts/ends/axes/steps; negative steps gather the reversed "
       "positions; non-empty results"},
      {"Transpose", OpCategory::Tensor, 1, kMaxOpset, importTranspose,
       "`nn.transpose`", "default permutation reverses the dimensions"},
  };
  return ops;
}

} // namespace nncc::onnx_import
