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

/// Relu, Sigmoid, Tanh, Abs, Exp, Log, Softplus, Sqrt.
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
  int64_t rows = *getNumElements(shape.take_front(*axis));
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

} // namespace

ArrayRef<OpInfo> getMathOps() {
  static const OpInfo ops[] = {
      {"Abs", OpCategory::Math, 1, kMaxOpset, importActivation<nn::AbsOp>,
       "`nn.abs`", "float only"},
      {"Add", OpCategory::Math, 1, kMaxOpset, importBinary<nn::AddOp>,
       "`nn.add`",
       "NumPy broadcasting; before opset 7, `broadcast` with `axis`"},
      {"Div", OpCategory::Math, 1, kMaxOpset, importBinary<nn::DivOp>,
       "`nn.div`",
       "NumPy broadcasting; integers divide with truncation; before opset 7, "
       "`broadcast` with `axis`"},
      {"Elu", OpCategory::Math, 1, kMaxOpset,
       importAlphaActivation<nn::EluOp, 100>, "`nn.elu`",
       "float only; `alpha` (default 1)"},
      {"Exp", OpCategory::Math, 1, kMaxOpset, importActivation<nn::ExpOp>,
       "`nn.exp`", "float only"},
      {"Gemm", OpCategory::Math, 1, kMaxOpset, importGemm,
       "`nn.matmul`, `nn.transpose`, `nn.mul`, `nn.add`",
       "`alpha`, `beta`, `transA`, `transB`, optional `C` (unidirectional "
       "broadcast); constant transposes fold at compile time"},
      {"LeakyRelu", OpCategory::Math, 1, kMaxOpset,
       importAlphaActivation<nn::LeakyReluOp, 1>, "`nn.leaky_relu`",
       "float only; `alpha` (default 0.01)"},
      {"Log", OpCategory::Math, 1, kMaxOpset, importActivation<nn::LogOp>,
       "`nn.log`", "float only"},
      {"LogSoftmax", OpCategory::Math, 1, kMaxOpset,
       importSoftmax<nn::LogSoftmaxOp>,
       "`nn.log_softmax` (+ `nn.reshape` before opset 13)", "as Softmax"},
      {"MatMul", OpCategory::Math, 1, kMaxOpset, importMatMul,
       "`nn.matmul` (+ `nn.reshape` for 1-D operands)",
       "NumPy semantics, broadcast batch dimensions; float only"},
      {"Mul", OpCategory::Math, 1, kMaxOpset, importBinary<nn::MulOp>,
       "`nn.mul`",
       "NumPy broadcasting; before opset 7, `broadcast` with `axis`"},
      {"Relu", OpCategory::Math, 1, kMaxOpset, importActivation<nn::ReluOp>,
       "`nn.relu`", "float only"},
      {"Sigmoid", OpCategory::Math, 1, kMaxOpset,
       importActivation<nn::SigmoidOp>, "`nn.sigmoid`", "float only"},
      {"Softmax", OpCategory::Math, 1, kMaxOpset, importSoftmax<nn::SoftmaxOp>,
       "`nn.softmax` (+ `nn.reshape` before opset 13)",
       "any axis, negative axes normalized; before opset 13 the input is "
       "flattened to 2-D at `axis`"},
      {"Softplus", OpCategory::Math, 1, kMaxOpset,
       importActivation<nn::SoftplusOp>, "`nn.softplus`", "float only"},
      {"Sqrt", OpCategory::Math, 1, kMaxOpset, importActivation<nn::SqrtOp>,
       "`nn.sqrt`", "float only"},
      {"Sub", OpCategory::Math, 1, kMaxOpset, importBinary<nn::SubOp>,
       "`nn.sub`",
       "NumPy broadcasting; before opset 7, `broadcast` with `axis`"},
      {"Tanh", OpCategory::Math, 1, kMaxOpset, importActivation<nn::TanhOp>,
       "`nn.tanh`", "float only"},
  };
  return ops;
}

} // namespace nncc::onnx_import
