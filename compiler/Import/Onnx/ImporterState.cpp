//===- ImporterState.cpp - shared state of the ONNX importer --------------===//
//
// The value map and the node helpers that every op handler uses.
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/Onnx/ImporterState.h"
#include "dialects/Nn/IR/NnShapes.h"

#include "mlir/IR/TypeUtilities.h"

using namespace mlir;

namespace nncc::onnx_import {

//===----------------------------------------------------------------------===//
// ImporterState
//===----------------------------------------------------------------------===//

void ImporterState::addInitializer(const onnx::TensorProto &tensor) {
  Location loc =
      NameLoc::get(StringAttr::get(getContext(), tensor.name()), fileLoc);
  constants.try_emplace(tensor.name(),
                        Constant{&tensor, DenseElementsAttr(), loc, Value()});
}

bool ImporterState::isInitializer(StringRef name) const {
  auto it = constants.find(name);
  return it != constants.end() && it->second.proto;
}

void ImporterState::bindValue(StringRef name, Value value) {
  values[name] = value;
}

void ImporterState::bindConstant(StringRef name, DenseElementsAttr value,
                                 Location loc) {
  constants.insert_or_assign(name, Constant{nullptr, value, loc, Value()});
}

bool ImporterState::isBound(StringRef name) const {
  return values.contains(name) || constants.contains(name);
}

Type ImporterState::getBoundType(StringRef name) const {
  if (Value value = values.lookup(name))
    return value.getType();
  auto it = constants.find(name);
  if (it == constants.end() || !it->second.value)
    return {};
  return it->second.value.getType();
}

FailureOr<DenseElementsAttr> ImporterState::lookupConstant(StringRef name) {
  // A computed value is a constant when it folded (NodeImporter::create).
  if (Value value = values.lookup(name)) {
    DenseElementsAttr folded;
    if (auto constant = value.getDefiningOp<nn::ConstantOp>())
      folded = dyn_cast<DenseElementsAttr>(constant.getValue());
    return folded;
  }
  auto it = constants.find(name);
  if (it == constants.end())
    return DenseElementsAttr();
  Constant &constant = it->second;
  if (!constant.value) {
    FailureOr<DenseElementsAttr> value = convertTensorProto(
        *constant.proto, constant.loc, "initializer '" + name.str() + "'");
    if (failed(value))
      return failure();
    constant.value = *value;
  }
  return constant.value;
}

FailureOr<Value> ImporterState::lookupValue(StringRef name, Location useLoc) {
  if (Value value = values.lookup(name))
    return value;
  auto it = constants.find(name);
  if (it == constants.end())
    return emitError(useLoc) << "value '" << name << "' is not defined";
  if (!it->second.materialized) {
    FailureOr<DenseElementsAttr> value = lookupConstant(name);
    if (failed(value))
      return failure();
    // Empty constants are fine as shapes or axes, never as operands.
    if (value->empty())
      return emitError(useLoc)
             << "constant '" << name << "' " << value->getType()
             << " is empty; nncc does not support empty tensors";
    if (makeParameter && it->second.proto &&
        isa<FloatType>(value->getElementType()))
      it->second.materialized = makeParameter(name, *value, it->second.loc);
    else
      it->second.materialized =
          nn::ConstantOp::create(builder, it->second.loc, *value);
  }
  return it->second.materialized;
}

//===----------------------------------------------------------------------===//
// NodeImporter: errors and inputs
//===----------------------------------------------------------------------===//

InFlightDiagnostic NodeImporter::emitError() { return mlir::emitError(loc); }

InFlightDiagnostic NodeImporter::emitOpError() {
  return emitError() << getOpType() << ": ";
}

LogicalResult NodeImporter::emitUnsupportedAttr(StringRef name,
                                                const Twine &value) {
  return emitError() << "attribute '" << name << "' value '" << value
                     << "' is not supported";
}

unsigned NodeImporter::getNumInputs() const { return node.input_size(); }

bool NodeImporter::hasInput(unsigned index) const {
  return static_cast<int>(index) < node.input_size() &&
         !node.input(index).empty();
}

FailureOr<Value> NodeImporter::getInput(unsigned index) {
  if (!hasInput(index))
    return emitOpError() << "input " << index << " is required";
  return state.lookupValue(node.input(index), loc);
}

FailureOr<SmallVector<Value>> NodeImporter::getVariadicInputs() {
  SmallVector<Value> inputs;
  for (int i = 0, e = node.input_size(); i < e; ++i) {
    FailureOr<Value> input = getInput(i);
    if (failed(input))
      return failure();
    inputs.push_back(*input);
  }
  if (inputs.empty())
    return emitOpError() << "needs at least one input";
  return inputs;
}

FailureOr<Value> NodeImporter::getOptionalInput(unsigned index) {
  if (!hasInput(index))
    return Value();
  return getInput(index);
}

FailureOr<DenseElementsAttr> NodeImporter::lookupConstantInput(unsigned index) {
  if (!hasInput(index))
    return emitOpError() << "input " << index << " is required";
  return state.lookupConstant(node.input(index));
}

FailureOr<DenseElementsAttr> NodeImporter::getConstantInput(unsigned index,
                                                            StringRef role) {
  if (!hasInput(index))
    return emitOpError() << "the " << role << " input is required";
  FailureOr<DenseElementsAttr> value = state.lookupConstant(node.input(index));
  if (failed(value))
    return failure();
  if (!*value)
    return emitOpError() << "the " << role << " input must be a constant";
  return *value;
}

LogicalResult NodeImporter::requireFloat(Value value, StringRef role) {
  Type elementType = getElementTypeOrSelf(value);
  if (isa<FloatType>(elementType))
    return success();
  return emitOpError() << role << " has element type " << elementType
                       << "; only floating-point tensors are supported";
}

//===----------------------------------------------------------------------===//
// NodeImporter: attributes
//===----------------------------------------------------------------------===//

namespace {

/// The default of a missing attribute, or an error when it is required.
template <typename T>
FailureOr<T> defaultOrMissing(NodeImporter &node, StringRef name,
                              std::optional<T> defaultValue) {
  if (defaultValue)
    return *defaultValue;
  return node.emitError() << "missing required attribute '" << name << "'";
}

/// An optional list default as an optional owned list.
template <typename T>
std::optional<SmallVector<T>> toVector(std::optional<ArrayRef<T>> list) {
  if (!list)
    return std::nullopt;
  return SmallVector<T>(*list);
}

} // namespace

const onnx::AttributeProto *NodeImporter::findAttribute(StringRef name) const {
  for (const onnx::AttributeProto &attr : node.attribute())
    if (attr.name() == name)
      return &attr;
  return nullptr;
}

LogicalResult NodeImporter::checkAttrType(const onnx::AttributeProto &attr,
                                          int expectedType, StringRef what) {
  if (attr.type() == expectedType)
    return success();
  return emitError() << "attribute '" << attr.name() << "' must be " << what
                     << ", got "
                     << onnx::AttributeProto::AttributeType_Name(attr.type());
}

FailureOr<int64_t>
NodeImporter::getIntAttr(StringRef name, std::optional<int64_t> defaultValue) {
  const onnx::AttributeProto *attr = findAttribute(name);
  if (!attr)
    return defaultOrMissing(*this, name, defaultValue);
  if (failed(checkAttrType(*attr, onnx::AttributeProto::INT, "an int")))
    return failure();
  return attr->i();
}

FailureOr<float> NodeImporter::getFloatAttr(StringRef name,
                                            std::optional<float> defaultValue) {
  const onnx::AttributeProto *attr = findAttribute(name);
  if (!attr)
    return defaultOrMissing(*this, name, defaultValue);
  if (failed(checkAttrType(*attr, onnx::AttributeProto::FLOAT, "a float")))
    return failure();
  return attr->f();
}

FailureOr<std::string>
NodeImporter::getStringAttr(StringRef name,
                            std::optional<StringRef> defaultValue) {
  const onnx::AttributeProto *attr = findAttribute(name);
  if (!attr)
    return defaultOrMissing(*this, name,
                            defaultValue ? std::optional(defaultValue->str())
                                         : std::nullopt);
  if (failed(checkAttrType(*attr, onnx::AttributeProto::STRING, "a string")))
    return failure();
  return attr->s();
}

FailureOr<SmallVector<int64_t>>
NodeImporter::getIntsAttr(StringRef name,
                          std::optional<ArrayRef<int64_t>> defaultValue) {
  const onnx::AttributeProto *attr = findAttribute(name);
  if (!attr)
    return defaultOrMissing(*this, name, toVector(defaultValue));
  if (failed(
          checkAttrType(*attr, onnx::AttributeProto::INTS, "a list of ints")))
    return failure();
  return SmallVector<int64_t>(attr->ints().begin(), attr->ints().end());
}

FailureOr<SmallVector<float>>
NodeImporter::getFloatsAttr(StringRef name,
                            std::optional<ArrayRef<float>> defaultValue) {
  const onnx::AttributeProto *attr = findAttribute(name);
  if (!attr)
    return defaultOrMissing(*this, name, toVector(defaultValue));
  if (failed(checkAttrType(*attr, onnx::AttributeProto::FLOATS,
                           "a list of floats")))
    return failure();
  return SmallVector<float>(attr->floats().begin(), attr->floats().end());
}

FailureOr<bool> NodeImporter::getBoolAttr(StringRef name, bool defaultValue) {
  FailureOr<int64_t> value = getIntAttr(name, defaultValue ? 1 : 0);
  if (failed(value))
    return failure();
  if (*value != 0 && *value != 1)
    return emitUnsupportedAttr(name, Twine(*value));
  return *value == 1;
}

FailureOr<int64_t> NodeImporter::getAxisAttr(StringRef name,
                                             int64_t defaultValue, int64_t rank,
                                             int64_t extra) {
  FailureOr<int64_t> axis = getIntAttr(name, defaultValue);
  if (failed(axis))
    return failure();
  if (*axis < -rank || *axis >= rank + extra)
    return emitError() << "attribute '" << name << "' value " << *axis
                       << " is out of range for an input of rank " << rank;
  return *axis < 0 ? *axis + rank : *axis;
}

//===----------------------------------------------------------------------===//
// NodeImporter: results and building
//===----------------------------------------------------------------------===//

bool NodeImporter::hasOutput(unsigned index) const {
  return static_cast<int>(index) < node.output_size() &&
         !node.output(index).empty();
}

LogicalResult NodeImporter::checkResultType(unsigned index, Type type) {
  auto tensorType = cast<RankedTensorType>(type);
  if (llvm::is_contained(tensorType.getShape(), 0))
    return emitError() << "result " << tensorType << " (output '"
                       << node.output(index)
                       << "') has a zero-sized dimension; nncc does not "
                          "support empty tensors";
  // With the dynamic batch: the elements of one batch item.
  SmallVector<int64_t> staticSizes;
  for (int64_t size : tensorType.getShape())
    if (!ShapedType::isDynamic(size))
      staticSizes.push_back(size);
  std::optional<int64_t> count = getNumElements(staticSizes);
  if (!count || *count > kMaxTensorElements)
    return emitError() << "result " << tensorType << " (output '"
                       << node.output(index) << "') has more than "
                       << kMaxTensorElements << " elements";
  return success();
}

LogicalResult NodeImporter::setResult(unsigned index, FailureOr<Value> value) {
  if (failed(value))
    return failure();
  assert(static_cast<int>(index) < node.output_size() &&
         "handler binds an output the node does not have");
  const std::string &name = node.output(index);
  if (name.empty())
    return success();
  if (failed(checkResultType(index, value->getType())))
    return failure();
  state.bindValue(name, *value);
  return success();
}

LogicalResult NodeImporter::setConstantResult(unsigned index,
                                              DenseElementsAttr value) {
  assert(static_cast<int>(index) < node.output_size() &&
         "handler binds an output the node does not have");
  const std::string &name = node.output(index);
  if (name.empty())
    return success();
  // An empty constant may still serve as a shape or axes list; lookupValue
  // rejects it as an operand. (The count is checked for overflow first: a
  // wrapped count could look empty.)
  auto type = cast<RankedTensorType>(value.getType());
  std::optional<int64_t> count = getNumElements(type.getShape());
  if (count != 0 && failed(checkResultType(index, type)))
    return failure();
  state.bindConstant(name, value, loc);
  return success();
}

FailureOr<Value> NodeImporter::createReshape(Value input,
                                             ArrayRef<int64_t> shape) {
  auto inputType = cast<RankedTensorType>(input.getType());
  if (llvm::any_of(shape, [](int64_t size) {
        return size <= 0 && !ShapedType::isDynamic(size);
      }))
    return emitOpError() << "cannot reshape " << inputType << " to shape ["
                         << llvm::make_range(shape.begin(), shape.end())
                         << "]: nncc does not support empty tensors";
  auto type = RankedTensorType::get(shape, inputType.getElementType());
  if (!inputType.hasStaticShape() || !type.hasStaticShape()) {
    if (!nn::isBatchReshape(inputType.getShape(), shape))
      return emitOpError() << "cannot reshape " << inputType << " to " << type
                           << ": the batch (`?`) must stay a dimension of its "
                              "own, with as many elements before and after it";
  } else if (getNumElements(shape) != inputType.getNumElements())
    return emitOpError() << "cannot reshape " << inputType << " ("
                         << inputType.getNumElements() << " elements) to "
                         << type;
  if (type == inputType)
    return input;
  return foldIfConstant(
      nn::ReshapeOp::create(getBuilder(), loc, type, input).getOperation());
}

Value NodeImporter::foldIfConstant(Operation *op) {
  Value result = op->getResult(0);
  if (op->getNumResults() != 1 || op->getNumOperands() == 0 ||
      !llvm::all_of(op->getOperands(), [](Value operand) {
        return operand.getDefiningOp<nn::ConstantOp>();
      }))
    return result;
  SmallVector<OpFoldResult, 1> folded;
  if (failed(op->fold(folded)) || folded.empty())
    return result;
  Value replacement = dyn_cast_if_present<Value>(folded.front());
  if (auto attr = dyn_cast_if_present<Attribute>(folded.front())) {
    auto dense = dyn_cast<DenseElementsAttr>(attr);
    if (!dense || dense.getType() != result.getType())
      return result;
    replacement = nn::ConstantOp::create(getBuilder(), loc, dense);
  }
  if (!replacement || replacement == result)
    return result;
  op->erase();
  return replacement;
}

Value NodeImporter::createCast(Value input, Type elementType) {
  auto type = cast<RankedTensorType>(input.getType()).clone(elementType);
  return foldIfConstant(
      nn::CastOp::create(getBuilder(), loc, type, input).getOperation());
}

Value NodeImporter::createScalar(Type elementType, double value) {
  if (isa<FloatType>(elementType))
    return createFloatScalar(elementType, value);
  auto type = RankedTensorType::get({}, elementType);
  Attribute scalar = IntegerAttr::get(elementType, static_cast<int64_t>(value));
  return nn::ConstantOp::create(getBuilder(), loc,
                                DenseElementsAttr::get(type, scalar));
}

Value NodeImporter::createFloatScalar(Type elementType, double value) {
  auto type = RankedTensorType::get({}, elementType);
  Attribute scalar = FloatAttr::get(elementType, value);
  return nn::ConstantOp::create(getBuilder(), loc,
                                DenseElementsAttr::get(type, scalar));
}

} // namespace nncc::onnx_import
