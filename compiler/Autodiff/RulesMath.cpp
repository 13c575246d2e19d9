//===- RulesMath.cpp - gradients of the Math ops ----------------*- C++ -*-===//
//
// Rules of NnMathOps.td: broadcast arithmetic (each operand's gradient summed
// back over the dimensions it was broadcast along), activations, softmax,
// log_softmax, reductions and matmul. Formulas in docs/training.md.
//
//===----------------------------------------------------------------------===//

#include "compiler/Autodiff/Rules.h"

using namespace mlir;

namespace nncc::autodiff {

using namespace nn;

static Type elementTypeOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getElementType();
}

static Value negate(VJPContext &c, Value value) {
  return MulOp::create(c.b, c.loc, value, c.scalar(elementTypeOf(value), -1.0));
}

static LogicalResult vjp(AddOp op, VJPContext &c) {
  c.set(0, [&] { return c.reduceTo(c.grad(), op.getLhs()); });
  c.set(1, [&] { return c.reduceTo(c.grad(), op.getRhs()); });
  return success();
}

static LogicalResult vjp(SubOp op, VJPContext &c) {
  c.set(0, [&] { return c.reduceTo(c.grad(), op.getLhs()); });
  c.set(1, [&] { return c.reduceTo(negate(c, c.grad()), op.getRhs()); });
  return success();
}

static LogicalResult vjp(MulOp op, VJPContext &c) {
  c.set(0, [&] {
    return c.reduceTo(
        MulOp::create(c.b, c.loc, c.grad(), c.primal(op.getRhs())),
        op.getLhs());
  });
  c.set(1, [&] {
    return c.reduceTo(
        MulOp::create(c.b, c.loc, c.grad(), c.primal(op.getLhs())),
        op.getRhs());
  });
  return success();
}

/// d(l / r) = g / r for l and -g * (l / r) / r for r.
static LogicalResult vjp(DivOp op, VJPContext &c) {
  c.set(0, [&] {
    return c.reduceTo(
        DivOp::create(c.b, c.loc, c.grad(), c.primal(op.getRhs())),
        op.getLhs());
  });
  c.set(1, [&] {
    Value scaled = MulOp::create(c.b, c.loc, c.grad(), c.primal(op));
    Value quotient = DivOp::create(c.b, c.loc, scaled, c.primal(op.getRhs()));
    return c.reduceTo(negate(c, quotient), op.getRhs());
  });
  return success();
}

static LogicalResult vjp(SumOp op, VJPContext &c) {
  for (unsigned i = 0, e = op.getInputs().size(); i < e; ++i)
    c.set(i, [&] { return c.grad(); });
  return success();
}

static LogicalResult vjp(ReluOp op, VJPContext &c) {
  c.set(0, [&] {
    return ReluGradOp::create(c.b, c.loc, c.grad(), c.primal(op.getInput()),
                              c.b.getF32FloatAttr(0.0f));
  });
  return success();
}

static LogicalResult vjp(LeakyReluOp op, VJPContext &c) {
  c.set(0, [&] {
    return ReluGradOp::create(c.b, c.loc, c.grad(), c.primal(op.getInput()),
                              op.getAlpha());
  });
  return success();
}

/// From the forward result: 1 where it is positive, result + alpha
/// elsewhere (alpha * exp(x) = result + alpha).
static LogicalResult vjp(EluOp op, VJPContext &c) {
  c.set(0, [&] {
    return EluGradOp::create(c.b, c.loc, c.grad(), c.primal(op), op.getAlpha());
  });
  return success();
}

/// g * y * (1 - y), from the forward result.
static LogicalResult vjp(SigmoidOp op, VJPContext &c) {
  c.set(0, [&] {
    Value y = c.primal(op);
    Value oneMinus =
        SubOp::create(c.b, c.loc, c.scalar(elementTypeOf(y), 1.0), y);
    Value slope = MulOp::create(c.b, c.loc, y, oneMinus);
    return MulOp::create(c.b, c.loc, c.grad(), slope);
  });
  return success();
}

/// g * (1 - y^2), from the forward result.
static LogicalResult vjp(TanhOp op, VJPContext &c) {
  c.set(0, [&] {
    Value y = c.primal(op);
    Value square = MulOp::create(c.b, c.loc, y, y);
    Value slope =
        SubOp::create(c.b, c.loc, c.scalar(elementTypeOf(y), 1.0), square);
    return MulOp::create(c.b, c.loc, c.grad(), slope);
  });
  return success();
}

/// swish' = s + x s (1 - s) = s (1 + x (1 - s)), s = sigmoid(x).
static LogicalResult vjp(SwishOp op, VJPContext &c) {
  c.set(0, [&] {
    Value x = c.primal(op.getInput());
    Type type = getElementTypeOrSelf(x);
    Value s = SigmoidOp::create(c.b, c.loc, x);
    Value oneMinus = SubOp::create(c.b, c.loc, c.scalar(type, 1.0), s);
    Value inner = AddOp::create(c.b, c.loc, c.scalar(type, 1.0),
                                MulOp::create(c.b, c.loc, x, oneMinus));
    return MulOp::create(c.b, c.loc, c.grad(),
                         MulOp::create(c.b, c.loc, s, inner));
  });
  return success();
}

/// softplus' = sigmoid.
static LogicalResult vjp(SoftplusOp op, VJPContext &c) {
  c.set(0, [&] {
    Value slope = SigmoidOp::create(c.b, c.loc, c.primal(op.getInput()));
    return MulOp::create(c.b, c.loc, c.grad(), slope);
  });
  return success();
}

/// |x|' = sign(x), 0 at 0 as PyTorch.
static LogicalResult vjp(AbsOp op, VJPContext &c) {
  c.set(0, [&] {
    Value slope = SignOp::create(c.b, c.loc, c.primal(op.getInput()));
    return MulOp::create(c.b, c.loc, c.grad(), slope);
  });
  return success();
}

/// Piecewise constant: no gradient reaches the input.
static LogicalResult vjp(SignOp, VJPContext &) { return success(); }

/// g / (2 sqrt(x)), from the forward result.
static LogicalResult vjp(SqrtOp op, VJPContext &c) {
  c.set(0, [&] {
    Value y = c.primal(op);
    Value twice = MulOp::create(c.b, c.loc, y, c.scalar(elementTypeOf(y), 2));
    return DivOp::create(c.b, c.loc, c.grad(), twice);
  });
  return success();
}

static LogicalResult vjp(ExpOp op, VJPContext &c) {
  c.set(0, [&] { return MulOp::create(c.b, c.loc, c.grad(), c.primal(op)); });
  return success();
}

static LogicalResult vjp(LogOp op, VJPContext &c) {
  c.set(0, [&] {
    return DivOp::create(c.b, c.loc, c.grad(), c.primal(op.getInput()));
  });
  return success();
}

/// Sum of `value` along `axis`, kept as a size-1 dimension.
static Value sumAlong(VJPContext &c, Value value, int64_t axis) {
  return ReduceSumOp::create(c.b, c.loc, value, ArrayRef<int64_t>{axis},
                             /*keep_dims=*/true);
}

/// y * (g - sum(g * y)) along the axis.
static LogicalResult vjp(SoftmaxOp op, VJPContext &c) {
  c.set(0, [&] {
    Value y = c.primal(op);
    Value weighted = MulOp::create(c.b, c.loc, c.grad(), y);
    Value centered = SubOp::create(c.b, c.loc, c.grad(),
                                   sumAlong(c, weighted, op.getAxis()));
    return MulOp::create(c.b, c.loc, y, centered);
  });
  return success();
}

/// g - exp(y) * sum(g) along the axis (exp(y) is the softmax).
static LogicalResult vjp(LogSoftmaxOp op, VJPContext &c) {
  c.set(0, [&] {
    Value softmax = ExpOp::create(c.b, c.loc, c.primal(op));
    Value spread =
        MulOp::create(c.b, c.loc, softmax, sumAlong(c, c.grad(), op.getAxis()));
    return SubOp::create(c.b, c.loc, c.grad(), spread);
  });
  return success();
}

/// The gradient spreads back over the summed dimensions.
static LogicalResult vjp(ReduceSumOp op, VJPContext &c) {
  c.set(0, [&] {
    RankedTensorType inType = op.getInput().getType();
    Value grad = c.grad();
    if (!op.getKeepDims()) {
      SmallVector<int64_t> kept(inType.getShape());
      for (int64_t axis : op.getAxes())
        kept[axis] = 1;
      grad = ReshapeOp::create(c.b, c.loc, inType.clone(kept), grad);
    }
    return BroadcastOp::create(c.b, c.loc, inType, grad);
  });
  return success();
}

/// Swaps the two matrix dimensions of a rank >= 2 tensor.
static Value transposeMatrices(VJPContext &c, Value value) {
  int64_t rank = cast<RankedTensorType>(value.getType()).getRank();
  SmallVector<int64_t> perm;
  for (int64_t d = 0; d < rank; ++d)
    perm.push_back(d);
  std::swap(perm[rank - 1], perm[rank - 2]);
  return TransposeOp::create(c.b, c.loc, value, perm);
}

/// dA = g B^T and dB = A^T g, summed over broadcast batch dimensions.
static LogicalResult vjp(MatMulOp op, VJPContext &c) {
  c.set(0, [&] {
    Value rhsT = transposeMatrices(c, c.primal(op.getRhs()));
    return c.reduceTo(MatMulOp::create(c.b, c.loc, c.grad(), rhsT),
                      op.getLhs());
  });
  c.set(1, [&] {
    Value lhsT = transposeMatrices(c, c.primal(op.getLhs()));
    return c.reduceTo(MatMulOp::create(c.b, c.loc, lhsT, c.grad()),
                      op.getRhs());
  });
  return success();
}

void attachMathRules(MLIRContext *ctx) {
  attachRules<AddOp, SubOp, MulOp, DivOp, SumOp, ReluOp, LeakyReluOp, EluOp,
              SigmoidOp, TanhOp, SwishOp, SoftplusOp, AbsOp, SignOp, SqrtOp,
              ExpOp, LogOp, SoftmaxOp, LogSoftmaxOp, ReduceSumOp, MatMulOp>(
      ctx);
}

} // namespace nncc::autodiff
