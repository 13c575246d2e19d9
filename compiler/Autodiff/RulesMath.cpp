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

/// `g` where `mask` holds, 0 elsewhere, summed back to `like`'s shape.
static Value maskedGrad(VJPContext &c, Value mask, Value like, bool onTrue) {
  Value zero = c.scalar(elementTypeOf(c.grad()), 0.0);
  Value grad = onTrue ? SelectOp::create(c.b, c.loc, mask, c.grad(), zero)
                      : SelectOp::create(c.b, c.loc, mask, zero, c.grad());
  return c.reduceTo(grad, like);
}

/// The gradient goes to the larger operand, to lhs on a tie (so that
/// clip(x, lo, hi) = min(max(x, lo), hi) passes it on at the bounds, as
/// torch.clamp does).
static LogicalResult vjp(MaximumOp op, VJPContext &c) {
  Value mask = GreaterEqualOp::create(c.b, c.loc, c.primal(op.getLhs()),
                                      c.primal(op.getRhs()));
  c.set(0, [&] { return maskedGrad(c, mask, op.getLhs(), true); });
  c.set(1, [&] { return maskedGrad(c, mask, op.getRhs(), false); });
  return success();
}

static LogicalResult vjp(MinimumOp op, VJPContext &c) {
  Value mask = LessEqualOp::create(c.b, c.loc, c.primal(op.getLhs()),
                                   c.primal(op.getRhs()));
  c.set(0, [&] { return maskedGrad(c, mask, op.getLhs(), true); });
  c.set(1, [&] { return maskedGrad(c, mask, op.getRhs(), false); });
  return success();
}

/// d(a^b) = b a^(b-1) for a and a^b log(a) for b (NaN for a < 0, as in
/// PyTorch).
static LogicalResult vjp(PowOp op, VJPContext &c) {
  c.set(0, [&] {
    Value b = c.primal(op.getRhs());
    Value lowered = PowOp::create(
        c.b, c.loc, c.primal(op.getLhs()),
        SubOp::create(c.b, c.loc, b, c.scalar(elementTypeOf(b), 1.0)));
    Value slope = MulOp::create(c.b, c.loc, b, lowered);
    return c.reduceTo(MulOp::create(c.b, c.loc, c.grad(), slope), op.getLhs());
  });
  c.set(1, [&] {
    Value slope =
        MulOp::create(c.b, c.loc, c.primal(op),
                      LogOp::create(c.b, c.loc, c.primal(op.getLhs())));
    return c.reduceTo(MulOp::create(c.b, c.loc, c.grad(), slope), op.getRhs());
  });
  return success();
}

/// Each branch gets the gradient where it was chosen; the condition none.
static LogicalResult vjp(SelectOp op, VJPContext &c) {
  Value condition = c.primal(op.getCondition());
  c.set(1, [&] { return maskedGrad(c, condition, op.getOnTrue(), true); });
  c.set(2, [&] { return maskedGrad(c, condition, op.getOnFalse(), false); });
  return success();
}

/// Piecewise constant: no gradient reaches the input.
static LogicalResult vjp(FloorOp, VJPContext &) { return success(); }
static LogicalResult vjp(CeilOp, VJPContext &) { return success(); }

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

/// A reduction's result (or its gradient) with the reduced dimensions
/// restored as size 1, broadcast back to the input's shape.
template <typename OpTy>
static Value spreadBack(VJPContext &c, OpTy op, Value reduced) {
  RankedTensorType inType = op.getInput().getType();
  if (!op.getKeepDims()) {
    SmallVector<int64_t> kept(inType.getShape());
    for (int64_t axis : op.getAxes())
      kept[axis] = 1;
    reduced = ReshapeOp::create(
        c.b, c.loc, inType.clone(kept, getElementTypeOrSelf(reduced.getType())),
        reduced);
  }
  return BroadcastOp::create(
      c.b, c.loc, inType.clone(getElementTypeOrSelf(reduced.getType())),
      reduced);
}

/// The gradient spreads back over the summed dimensions.
static LogicalResult vjp(ReduceSumOp op, VJPContext &c) {
  c.set(0, [&] { return spreadBack(c, op, c.grad()); });
  return success();
}

/// g y / x (PyTorch's formula for inputs without zeros).
static LogicalResult vjp(ReduceProdOp op, VJPContext &c) {
  c.set(0, [&] {
    Value spread =
        spreadBack(c, op, MulOp::create(c.b, c.loc, c.grad(), c.primal(op)));
    return DivOp::create(c.b, c.loc, spread, c.primal(op.getInput()));
  });
  return success();
}

/// The gradient is shared evenly by the elements equal to the extreme, as
/// PyTorch's amax/amin do.
template <typename OpTy>
static LogicalResult extremeVJP(OpTy op, VJPContext &c) {
  c.set(0, [&] {
    Value x = c.primal(op.getInput());
    Type type = elementTypeOf(x);
    Value hit = EqualOp::create(c.b, c.loc, x, spreadBack(c, op, c.primal(op)));
    Value ones = SelectOp::create(c.b, c.loc, hit, c.scalar(type, 1.0),
                                  c.scalar(type, 0.0));
    Value count =
        ReduceSumOp::create(c.b, c.loc, ones, op.getAxes(), op.getKeepDims());
    Value share = spreadBack(c, op, DivOp::create(c.b, c.loc, c.grad(), count));
    return SelectOp::create(c.b, c.loc, hit, share, c.scalar(type, 0.0));
  });
  return success();
}
static LogicalResult vjp(ReduceMaxOp op, VJPContext &c) {
  return extremeVJP(op, c);
}
static LogicalResult vjp(ReduceMinOp op, VJPContext &c) {
  return extremeVJP(op, c);
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
              ExpOp, LogOp, SoftmaxOp, LogSoftmaxOp, ReduceSumOp, MatMulOp,
              MaximumOp, MinimumOp, PowOp, SelectOp, FloorOp, CeilOp,
              ReduceProdOp, ReduceMaxOp, ReduceMinOp>(ctx);
}

} // namespace nncc::autodiff
