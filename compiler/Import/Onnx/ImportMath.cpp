//===- ImportMath.cpp - elementwise, activation and matrix ops ------------===//
//
// Add, Sub, Mul, Div, elementwise functions and activations (Relu,
// LeakyRelu, Elu, Sigmoid, Tanh, Softplus, Abs, Exp, Log, Sqrt), Softmax,
// LogSoftmax, Gemm and MatMul.
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/Onnx/ImporterState.h"

#include "dialects/Nn/IR/NnShapes.h"

using namespace mlir;

namespace nncc::onnx_import {
namespace {

/// Before opset 7, `broadcast` = 1 with `axis` lays the second operand's
/// dimensions over the first one's starting at `axis`. Appending size-1
/// dimensions to the second operand expresses that as NumPy broadcasting.
FailureOr<Value> alignLegacyBroadcast(NodeImporter &node, Value lhs,
                                      Value rhs) {
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  FailureOr<bool> broadcast = node.getBoolAttr("broadcast", false);
  FailureOr<int64_t> axis = node.getAxisAttr("axis", 0, lhsType.getRank());
  if (anyFailed(broadcast, axis))
    return failure();
  if (!*broadcast)
    return rhs;
  int64_t trailing = lhsType.getRank() - *axis - rhsType.getRank();
  if (trailing < 0)
    return node.emitOpError() << "B " << rhsType << " does not fit in A "
                              << lhsType << " at axis " << *axis;
  if (trailing == 0)
    return rhs;
  SmallVector<int64_t> shape(rhsType.getShape());
  shape.append(trailing, 1);
  return node.createReshape(rhs, shape);
}

/// Add, Sub, Mul, Div: nn's binary ops broadcast like NumPy, which is what
/// ONNX does from opset 7 on.
template <typename OpTy> LogicalResult importBinary(NodeImporter &node) {
  FailureOr<Value> lhs = node.getInput(0), rhs = node.getInput(1);
  if (anyFailed(lhs, rhs))
    return failure();
  if (node.getOpset() < 7 && node.findAttribute("axis")) {
    FailureOr<Value> aligned = alignLegacyBroadcast(node, *lhs, *rhs);
    if (failed(aligned))
      return failure();
    rhs = *aligned;
  }
  return node.setResult(0, node.create<OpTy>(*lhs, *rhs));
}

/// Relu, Sigmoid, Tanh, Abs, Exp, Log, Softplus, Sqrt, Floor, Ceil.
template <typename OpTy> LogicalResult importActivation(NodeImporter &node) {
  FailureOr<Value> input = node.getInput(0);
  if (failed(input) || failed(node.requireFloat(*input, "input")))
    return failure();
  return node.setResult(0, node.create<OpTy>(*input));
}

/// LeakyRelu (alpha default 0.01), Elu (alpha default 1).
template <typename OpTy, int DefaultAlphaPercent>
LogicalResult importAlphaActivation(NodeImporter &node) {
  FailureOr<Value> input = node.getInput(0);
  FailureOr<float> alpha =
      node.getFloatAttr("alpha", DefaultAlphaPercent / 100.0f);
  if (anyFailed(input, alpha) || failed(node.requireFloat(*input, "input")))
    return failure();
  return node.setResult(
      0, node.create<OpTy>(*input, node.getBuilder().getF32FloatAttr(*alpha)));
}

/// Softmax and LogSoftmax from opset 13 normalize along one axis (default
/// -1). Earlier versions flatten the input to 2-D at `axis` (default 1),
/// normalize each row and restore the shape.
template <typename OpTy> LogicalResult importSoftmax(NodeImporter &node) {
  FailureOr<Value> input = node.getInput(0);
  if (failed(input) || failed(node.requireFloat(*input, "input")))
    return failure();
  auto type = cast<RankedTensorType>(input->getType());
  int64_t rank = type.getRank();
  if (rank == 0)
    return node.emitOpError() << "the input must have rank >= 1, got " << type;
  bool perAxis = node.getOpset() >= 13;
  FailureOr<int64_t> axis =
      node.getAxisAttr("axis", /*defaultValue=*/perAxis ? -1 : 1, rank);
  if (failed(axis))
    return failure();

  // Coercing at the last axis makes each row one slice along that axis: the
  // two definitions agree there, and no reshapes are needed.
  if (perAxis || *axis == rank - 1)
    return node.setResult(0, node.create<OpTy>(*input, *axis));

  ArrayRef<int64_t> shape = type.getShape();
  if (!type.hasStaticShape() && *axis != 1)
    return node.emitOpError()
           << "with the dynamic batch, only axis 1 (or the last) keeps the "
              "batch apart; got axis "
           << *axis << " for " << type;
  int64_t rows = type.hasStaticShape()
                     ? *getNumElements(shape.take_front(*axis))
                     : ShapedType::kDynamic;
  int64_t columns = *getNumElements(shape.drop_front(*axis));
  FailureOr<Value> matrix = node.createReshape(*input, {rows, columns});
  if (failed(matrix))
    return failure();
  FailureOr<Value> normalized = node.create<OpTy>(*matrix, 1);
  if (failed(normalized))
    return failure();
  return node.setResult(0, node.createReshape(*normalized, shape));
}

/// Checks that a matrix operand of `node` is 2-D.
LogicalResult requireMatrix(NodeImporter &node, Value value, StringRef role) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getRank() == 2)
    return success();
  return node.emitOpError() << role << " must be 2-D, got " << type;
}

/// `value` transposed as a matrix when `transpose` is set.
FailureOr<Value> transposeIf(NodeImporter &node, Value value, bool transpose) {
  if (!transpose)
    return value;
  return node.create<nn::TransposeOp>(value, ArrayRef<int64_t>{1, 0});
}

/// `value` * `factor` unless the factor is 1.
FailureOr<Value> scaleBy(NodeImporter &node, Value value, float factor) {
  if (factor == 1.0f)
    return value;
  Value scalar = node.createFloatScalar(getElementTypeOrSelf(value), factor);
  return node.create<nn::MulOp>(value, scalar);
}

/// Gemm: Y = alpha * A' * B' + beta * C, where A' and B' are A and B,
/// transposed when transA / transB is set, and C broadcasts to Y's shape.
LogicalResult importGemm(NodeImporter &node) {
  FailureOr<Value> a = node.getInput(0), b = node.getInput(1);
  FailureOr<Value> c = node.getOptionalInput(2);
  if (anyFailed(a, b, c) || failed(node.requireFloat(*a, "A")) ||
      failed(requireMatrix(node, *a, "A")) ||
      failed(requireMatrix(node, *b, "B")))
    return failure();
  FailureOr<float> alpha = node.getFloatAttr("alpha", 1.0f);
  FailureOr<float> beta = node.getFloatAttr("beta", 1.0f);
  FailureOr<bool> transA = node.getBoolAttr("transA", false);
  FailureOr<bool> transB = node.getBoolAttr("transB", false);
  if (anyFailed(alpha, beta, transA, transB))
    return failure();

  FailureOr<Value> lhs = transposeIf(node, *a, *transA);
  FailureOr<Value> rhs = transposeIf(node, *b, *transB);
  if (anyFailed(lhs, rhs))
    return failure();
  FailureOr<Value> product = node.create<nn::MatMulOp>(*lhs, *rhs);
  if (failed(product))
    return failure();
  FailureOr<Value> result = scaleBy(node, *product, *alpha);
  if (failed(result))
    return failure();
  if (!*c)
    return node.setResult(0, *result);

  // C broadcasts one way only: it may not grow the result.
  ArrayRef<int64_t> resultShape =
      cast<RankedTensorType>(result->getType()).getShape();
  auto cType = cast<RankedTensorType>(c->getType());
  auto broadcast = nn::broadcastShapes(cType.getShape(), resultShape);
  if (!broadcast || ArrayRef<int64_t>(*broadcast) != resultShape)
    return node.emitOpError()
           << "C " << cType << " does not broadcast to the result shape "
           << result->getType();
  FailureOr<Value> bias = scaleBy(node, *c, *beta);
  if (failed(bias))
    return failure();
  return node.setResult(0, node.create<nn::AddOp>(*result, *bias));
}

/// MatMul with NumPy semantics: a 1-D lhs is a row vector and a 1-D rhs a
/// column vector, and the dimension they add is dropped from the result.
LogicalResult importMatMul(NodeImporter &node) {
  FailureOr<Value> a = node.getInput(0), b = node.getInput(1);
  if (anyFailed(a, b) || failed(node.requireFloat(*a, "A")))
    return failure();
  auto aType = cast<RankedTensorType>(a->getType());
  auto bType = cast<RankedTensorType>(b->getType());
  if (aType.getRank() == 0 || bType.getRank() == 0)
    return node.emitOpError()
           << "operands must have rank >= 1, got " << aType << " and " << bType;
  bool vectorA = aType.getRank() == 1, vectorB = bType.getRank() == 1;
  FailureOr<Value> lhs =
      vectorA ? node.createReshape(*a, {1, aType.getDimSize(0)}) : *a;
  FailureOr<Value> rhs =
      vectorB ? node.createReshape(*b, {bType.getDimSize(0), 1}) : *b;
  if (anyFailed(lhs, rhs))
    return failure();
  FailureOr<Value> product = node.create<nn::MatMulOp>(*lhs, *rhs);
  if (failed(product) || (!vectorA && !vectorB))
    return node.setResult(0, product);

  SmallVector<int64_t> shape(
      cast<RankedTensorType>(product->getType()).getShape());
  if (vectorB)
    shape.pop_back();
  if (vectorA)
    shape.erase(shape.end() - (vectorB ? 1 : 2));
  return node.setResult(0, node.createReshape(*product, shape));
}

/// Min, Max, Sum, Mean: a chain of broadcast binary ops over one or more
/// inputs (Sum of inputs of one type is one n-ary nn.sum); Mean divides the
/// sum by the count.
template <typename OpTy, bool Mean = false>
LogicalResult importVariadic(NodeImporter &node) {
  FailureOr<SmallVector<Value>> all = node.getVariadicInputs();
  if (failed(all))
    return failure();
  ArrayRef<Value> inputs = *all;
  FailureOr<Value> result = inputs.front();
  bool sameTypes = llvm::all_equal(
      llvm::map_range(inputs, [](Value v) { return v.getType(); }));
  if (std::is_same_v<OpTy, nn::AddOp> && sameTypes && inputs.size() > 1)
    result = node.foldIfConstant(
        nn::SumOp::create(node.getBuilder(), node.getLoc(), inputs));
  else
    for (Value input : inputs.drop_front()) {
      result = node.create<OpTy>(*result, input);
      if (failed(result))
        return failure();
    }
  if (Mean) {
    if (failed(node.requireFloat(*result, "the input")))
      return failure();
    result = node.create<nn::DivOp>(
        *result, node.createScalar(getElementTypeOrSelf(*result),
                                   static_cast<double>(inputs.size())));
  }
  return node.setResult(0, result);
}

/// Neg: -1 * x, for floats and signed integers.
LogicalResult importNeg(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  if (failed(x))
    return failure();
  Value minusOne = node.createScalar(getElementTypeOrSelf(*x), -1.0);
  return node.setResult(0, node.create<nn::MulOp>(minusOne, *x));
}

/// Reciprocal: 1 / x.
LogicalResult importReciprocal(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  if (failed(x) || failed(node.requireFloat(*x, "input")))
    return failure();
  Value one = node.createFloatScalar(getElementTypeOrSelf(*x), 1.0);
  return node.setResult(0, node.create<nn::DivOp>(one, *x));
}

/// max(0, min(1, alpha * x + beta)), shared by HardSigmoid and HardSwish.
FailureOr<Value> hardSigmoid(NodeImporter &node, Value x, double alpha,
                             double beta) {
  Type type = getElementTypeOrSelf(x);
  FailureOr<Value> scaled =
      node.create<nn::MulOp>(x, node.createFloatScalar(type, alpha));
  if (failed(scaled))
    return failure();
  FailureOr<Value> shifted =
      node.create<nn::AddOp>(*scaled, node.createFloatScalar(type, beta));
  if (failed(shifted))
    return failure();
  FailureOr<Value> upper =
      node.create<nn::MinimumOp>(*shifted, node.createFloatScalar(type, 1.0));
  if (failed(upper))
    return failure();
  return node.create<nn::MaximumOp>(*upper, node.createFloatScalar(type, 0.0));
}

LogicalResult importHardSigmoid(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  FailureOr<float> alpha = node.getFloatAttr("alpha", 0.2f);
  FailureOr<float> beta = node.getFloatAttr("beta", 0.5f);
  if (anyFailed(x, alpha, beta) || failed(node.requireFloat(*x, "input")))
    return failure();
  return node.setResult(0, hardSigmoid(node, *x, *alpha, *beta));
}

/// HardSwish: x * HardSigmoid(x) with alpha 1/6, beta 0.5.
LogicalResult importHardSwish(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  if (failed(x) || failed(node.requireFloat(*x, "input")))
    return failure();
  FailureOr<Value> gate = hardSigmoid(node, *x, 1.0 / 6.0, 0.5);
  if (failed(gate))
    return failure();
  return node.setResult(0, node.create<nn::MulOp>(*x, *gate));
}

/// Selu: gamma * elu(x, alpha).
LogicalResult importSelu(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  FailureOr<float> alpha =
      node.getFloatAttr("alpha", 1.67326319217681884765625f);
  FailureOr<float> gamma =
      node.getFloatAttr("gamma", 1.05070102214813232421875f);
  if (anyFailed(x, alpha, gamma) || failed(node.requireFloat(*x, "input")))
    return failure();
  FailureOr<Value> elu =
      node.create<nn::EluOp>(*x, node.getBuilder().getF32FloatAttr(*alpha));
  if (failed(elu))
    return failure();
  return node.setResult(
      0, node.create<nn::MulOp>(
             *elu, node.createFloatScalar(getElementTypeOrSelf(*x), *gamma)));
}

/// Softsign: x / (1 + |x|).
LogicalResult importSoftsign(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  if (failed(x) || failed(node.requireFloat(*x, "input")))
    return failure();
  FailureOr<Value> abs = node.create<nn::AbsOp>(*x);
  if (failed(abs))
    return failure();
  FailureOr<Value> denominator = node.create<nn::AddOp>(
      *abs, node.createFloatScalar(getElementTypeOrSelf(*x), 1.0));
  if (failed(denominator))
    return failure();
  return node.setResult(0, node.create<nn::DivOp>(*x, *denominator));
}

/// PRelu: x where x >= 0, slope * x elsewhere; the slope broadcasts to x.
LogicalResult importPRelu(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0), slope = node.getInput(1);
  if (anyFailed(x, slope) || failed(node.requireFloat(*x, "input")))
    return failure();
  auto type = cast<RankedTensorType>(x->getType());
  auto slopeType = cast<RankedTensorType>(slope->getType());
  // Before opset 7 a 1-D slope of C values is per channel of [N, C, ...].
  if (node.getOpset() < 7 && slopeType.getRank() == 1 && type.getRank() > 2 &&
      slopeType.getDimSize(0) == type.getDimSize(1)) {
    SmallVector<int64_t> perChannel(type.getRank() - 1, 1);
    perChannel[0] = type.getDimSize(1);
    slope = node.createReshape(*slope, perChannel);
    if (failed(slope))
      return failure();
    slopeType = cast<RankedTensorType>(slope->getType());
  }
  auto shape = nn::broadcastShapes(slopeType.getShape(), type.getShape());
  if (!shape || ArrayRef<int64_t>(*shape) != type.getShape())
    return node.emitOpError() << "slope " << slopeType
                              << " does not broadcast to the input " << type;
  FailureOr<Value> negative = node.create<nn::LessOp>(
      *x, node.createFloatScalar(type.getElementType(), 0.0));
  FailureOr<Value> scaled = node.create<nn::MulOp>(*slope, *x);
  if (anyFailed(negative, scaled))
    return failure();
  return node.setResult(0, node.create<nn::SelectOp>(*negative, *scaled, *x));
}

/// Clip: max(x, min) then min(x, max). The bounds are attributes before
/// opset 11 (default: unbounded) and optional scalar inputs from 11.
LogicalResult importClip(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  if (failed(x))
    return failure();
  Type type = getElementTypeOrSelf(*x);
  Value bounds[2];
  if (node.getOpset() < 11) {
    if (failed(node.requireFloat(*x, "input")))
      return failure();
    for (auto [index, name] :
         llvm::enumerate(ArrayRef<StringRef>{"min", "max"})) {
      if (!node.findAttribute(name))
        continue;
      FailureOr<float> bound = node.getFloatAttr(name, std::nullopt);
      if (failed(bound))
        return failure();
      bounds[index] = node.createFloatScalar(type, *bound);
    }
  } else {
    for (unsigned index : {0u, 1u}) {
      FailureOr<Value> bound = node.getOptionalInput(index + 1);
      if (failed(bound))
        return failure();
      if (*bound && cast<RankedTensorType>(bound->getType()).getRank() != 0)
        return node.emitOpError()
               << (index ? "max" : "min") << " must be a scalar, got "
               << bound->getType();
      bounds[index] = *bound;
    }
  }
  FailureOr<Value> result = *x;
  if (bounds[0])
    result = node.create<nn::MaximumOp>(*result, bounds[0]);
  if (succeeded(result) && bounds[1])
    result = node.create<nn::MinimumOp>(*result, bounds[1]);
  return node.setResult(0, result);
}

/// Pow: the exponent converts to the base's element type, which is the
/// result's.
LogicalResult importPow(NodeImporter &node) {
  FailureOr<Value> base = node.getInput(0), exponent = node.getInput(1);
  if (anyFailed(base, exponent))
    return failure();
  auto exponentType = cast<RankedTensorType>(exponent->getType());
  Type elementType = getElementTypeOrSelf(*base);
  if (exponentType.getElementType() != elementType)
    exponent = node.createCast(*exponent, elementType);
  if (node.getOpset() < 7 && node.findAttribute("axis")) {
    FailureOr<Value> aligned = alignLegacyBroadcast(node, *base, *exponent);
    if (failed(aligned))
      return failure();
    exponent = *aligned;
  }
  return node.setResult(0, node.create<nn::PowOp>(*base, *exponent));
}

/// Where: the three operands broadcast together.
LogicalResult importWhere(NodeImporter &node) {
  FailureOr<Value> condition = node.getInput(0), onTrue = node.getInput(1),
                   onFalse = node.getInput(2);
  if (anyFailed(condition, onTrue, onFalse))
    return failure();
  return node.setResult(
      0, node.create<nn::SelectOp>(*condition, *onTrue, *onFalse));
}

} // namespace

ArrayRef<OpInfo> getMathOps() {
  static const OpInfo ops[] = {
      {"Abs", OpCategory::Math, 1, kMaxOpset, importActivation<nn::AbsOp>,
       "`nn.abs`", "float only"},
      {"Add", OpCategory::Math, 1, kMaxOpset, importBinary<nn::AddOp>,
       "`nn.add`",
       "NumPy broadcasting; before opset 7, `broadcast` with `axis`"},
      {"Ceil", OpCategory::Math, 1, kMaxOpset, importActivation<nn::CeilOp>,
       "`nn.ceil`", "float only; zero gradient"},
      {"Clip", OpCategory::Math, 1, kMaxOpset, importClip,
       "`nn.maximum`, `nn.minimum`",
       "bounds as attributes before opset 11, optional scalar inputs from 11; "
       "the gradient passes at the bounds, as torch.clamp"},
      {"Div", OpCategory::Math, 1, kMaxOpset, importBinary<nn::DivOp>,
       "`nn.div`",
       "NumPy broadcasting; integers divide with truncation; before opset 7, "
       "`broadcast` with `axis`"},
      {"Elu", OpCategory::Math, 1, kMaxOpset,
       importAlphaActivation<nn::EluOp, 100>, "`nn.elu`",
       "float only; `alpha` (default 1)"},
      {"Equal", OpCategory::Math, 1, kMaxOpset, importBinary<nn::EqualOp>,
       "`nn.equal`", "NumPy broadcasting; bool result"},
      {"Exp", OpCategory::Math, 1, kMaxOpset, importActivation<nn::ExpOp>,
       "`nn.exp`", "float only"},
      {"Floor", OpCategory::Math, 1, kMaxOpset, importActivation<nn::FloorOp>,
       "`nn.floor`", "float only; zero gradient"},
      {"Gemm", OpCategory::Math, 1, kMaxOpset, importGemm,
       "`nn.matmul`, `nn.transpose`, `nn.mul`, `nn.add`",
       "`alpha`, `beta`, `transA`, `transB`, optional `C` (unidirectional "
       "broadcast); constant transposes fold at compile time"},
      {"Greater", OpCategory::Math, 1, kMaxOpset, importBinary<nn::GreaterOp>,
       "`nn.greater`", "NumPy broadcasting; bool result"},
      {"GreaterOrEqual", OpCategory::Math, 12, kMaxOpset,
       importBinary<nn::GreaterEqualOp>, "`nn.greater_equal`",
       "NumPy broadcasting; bool result"},
      {"HardSigmoid", OpCategory::Math, 1, kMaxOpset, importHardSigmoid,
       "`nn.mul`, `nn.add`, `nn.minimum`, `nn.maximum`",
       "float only; `alpha`, `beta`"},
      {"HardSwish", OpCategory::Math, 14, kMaxOpset, importHardSwish,
       "`nn.mul`, `nn.add`, `nn.minimum`, `nn.maximum`", "float only"},
      {"LeakyRelu", OpCategory::Math, 1, kMaxOpset,
       importAlphaActivation<nn::LeakyReluOp, 1>, "`nn.leaky_relu`",
       "float only; `alpha` (default 0.01)"},
      {"Less", OpCategory::Math, 1, kMaxOpset, importBinary<nn::LessOp>,
       "`nn.less`", "NumPy broadcasting; bool result"},
      {"LessOrEqual", OpCategory::Math, 12, kMaxOpset,
       importBinary<nn::LessEqualOp>, "`nn.less_equal`",
       "NumPy broadcasting; bool result"},
      {"Log", OpCategory::Math, 1, kMaxOpset, importActivation<nn::LogOp>,
       "`nn.log`", "float only"},
      {"LogSoftmax", OpCategory::Math, 1, kMaxOpset,
       importSoftmax<nn::LogSoftmaxOp>,
       "`nn.log_softmax` (+ `nn.reshape` before opset 13)", "as Softmax"},
      {"MatMul", OpCategory::Math, 1, kMaxOpset, importMatMul,
       "`nn.matmul` (+ `nn.reshape` for 1-D operands)",
       "NumPy semantics, broadcast batch dimensions; float only"},
      {"Max", OpCategory::Math, 1, kMaxOpset, importVariadic<nn::MaximumOp>,
       "`nn.maximum`", "one or more inputs, NumPy broadcasting"},
      {"Mean", OpCategory::Math, 1, kMaxOpset,
       importVariadic<nn::AddOp, /*Mean=*/true>,
       "`nn.sum` or `nn.add`, `nn.div`",
       "one or more inputs, NumPy broadcasting; float only"},
      {"Min", OpCategory::Math, 1, kMaxOpset, importVariadic<nn::MinimumOp>,
       "`nn.minimum`", "one or more inputs, NumPy broadcasting"},
      {"Mul", OpCategory::Math, 1, kMaxOpset, importBinary<nn::MulOp>,
       "`nn.mul`",
       "NumPy broadcasting; before opset 7, `broadcast` with `axis`"},
      {"Neg", OpCategory::Math, 1, kMaxOpset, importNeg, "`nn.mul` by -1",
       "floats and signed integers"},
      {"Pow", OpCategory::Math, 1, kMaxOpset, importPow, "`nn.pow`",
       "NumPy broadcasting; the exponent converts to the base's type"},
      {"PRelu", OpCategory::Math, 1, kMaxOpset, importPRelu,
       "`nn.less`, `nn.mul`, `nn.select`",
       "float only; the slope broadcasts to the input"},
      {"Reciprocal", OpCategory::Math, 1, kMaxOpset, importReciprocal,
       "`nn.div`", "float only"},
      {"Relu", OpCategory::Math, 1, kMaxOpset, importActivation<nn::ReluOp>,
       "`nn.relu`", "float only"},
      {"Selu", OpCategory::Math, 1, kMaxOpset, importSelu, "`nn.elu`, `nn.mul`",
       "float only; `alpha`, `gamma`"},
      {"Sigmoid", OpCategory::Math, 1, kMaxOpset,
       importActivation<nn::SigmoidOp>, "`nn.sigmoid`", "float only"},
      {"Softmax", OpCategory::Math, 1, kMaxOpset, importSoftmax<nn::SoftmaxOp>,
       "`nn.softmax` (+ `nn.reshape` before opset 13)",
       "any axis, negative axes normalized; before opset 13 the input is "
       "flattened to 2-D at `axis`"},
      {"Softplus", OpCategory::Math, 1, kMaxOpset,
       importActivation<nn::SoftplusOp>, "`nn.softplus`", "float only"},
      {"Softsign", OpCategory::Math, 1, kMaxOpset, importSoftsign,
       "`nn.abs`, `nn.add`, `nn.div`", "float only"},
      {"Sqrt", OpCategory::Math, 1, kMaxOpset, importActivation<nn::SqrtOp>,
       "`nn.sqrt`", "float only"},
      {"Sub", OpCategory::Math, 1, kMaxOpset, importBinary<nn::SubOp>,
       "`nn.sub`",
       "NumPy broadcasting; before opset 7, `broadcast` with `axis`"},
      {"Sum", OpCategory::Math, 1, kMaxOpset, importVariadic<nn::AddOp>,
       "`nn.sum` or `nn.add`", "one or more inputs, NumPy broadcasting"},
      {"Tanh", OpCategory::Math, 1, kMaxOpset, importActivation<nn::TanhOp>,
       "`nn.tanh`", "float only"},
      {"Where", OpCategory::Math, 9, kMaxOpset, importWhere, "`nn.select`",
       "the three operands broadcast together"},
  };
  return ops;
}

} // namespace nncc::onnx_import
