//===- Optimizers.cpp - nn optimizer updates to linalg ----------*- C++ -*-===//
//
// Every optimizer update becomes one linalg.generic over the parameter's
// elements that reads the parameter, its gradient and state and writes the
// new parameter and state: the whole update of a parameter is one loop. The
// scalars (learning rate, step, and Adam's bias corrections, computed once
// per step in rank-0 generics) enter as rank-0 operands. The arithmetic
// follows PyTorch 1.13's single-tensor implementations operation by
// operation, so that one step agrees with it to rounding; bias corrections
// are computed in double, as PyTorch does in Python floats.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/NnToLinalg/NnToLinalg.h"
#include "dialects/Nn/IR/NnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Transforms/DialectConversion.h"

#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace nncc;
using namespace nncc::lowering;

namespace {

/// Scalar float arithmetic in a generic body.
struct FloatMath {
  OpBuilder &b;
  Location loc;
  Type type;

  Value c(double value) {
    return arith::ConstantOp::create(b, loc, scalarAttr(type, value));
  }
  Value add(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return arith::DivFOp::create(b, loc, x, y); }
  Value sqrt(Value x) { return math::SqrtOp::create(b, loc, x); }
  Value pow(Value x, Value y) { return math::PowFOp::create(b, loc, x, y); }
  Value min(Value x, Value y) {
    return arith::MinimumFOp::create(b, loc, x, y);
  }
  /// grad + weight_decay * param (coupled L2), or grad when there is none.
  Value decayed(Value grad, Value param, double weightDecay) {
    return weightDecay == 0.0 ? grad : add(grad, mul(param, c(weightDecay)));
  }
};

/// Builds the one generic of an update op: `body` gets the scalar values of
/// every operand (parameter, gradient, state..., lr, [step]) and returns the
/// new parameter and state, in the op's result order.
Value buildUpdate(
    ConversionPatternRewriter &rewriter, Operation *op, ValueRange operands,
    function_ref<SmallVector<Value>(FloatMath &, ValueRange)> body) {
  Location loc = op->getLoc();
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  unsigned rank = type.getRank();
  AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
  AffineMap scalar = AffineMap::get(rank, 0, {}, rewriter.getContext());
  SmallVector<AffineMap> maps;
  for (Value operand : operands)
    maps.push_back(cast<RankedTensorType>(operand.getType()).getRank() == 0
                       ? scalar
                       : identity);
  SmallVector<Value> inits;
  for (unsigned i = 0; i < op->getNumResults(); ++i) {
    inits.push_back(createEmpty(rewriter, loc, type));
    maps.push_back(identity);
  }
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      rewriter, loc, op->getResultTypes(), operands, inits, maps, iterators,
      [&](OpBuilder &b, Location l, ValueRange args) {
        FloatMath m{b, l, type.getElementType()};
        linalg::YieldOp::create(b, l,
                                body(m, args.take_front(operands.size())));
      });
  rewriter.replaceOp(op, generic.getResults());
  return generic.getResult(0);
}

/// A rank-0 generic computing one scalar from rank-0 operands.
Value buildScalar(OpBuilder &b, Location loc, RankedTensorType type,
                  ValueRange operands, ScalarBodyFn body) {
  AffineMap scalar = AffineMap::get(0, 0, {}, b.getContext());
  SmallVector<AffineMap> maps(operands.size(), scalar);
  return buildGeneric(b, loc, operands, maps, createEmpty(b, loc, type), scalar,
                      body);
}

struct SgdUpdateLowering : OpConversionPattern<nn::SgdUpdateOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::SgdUpdateOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    double wd = op.getWeightDecay().convertToDouble();
    buildUpdate(rewriter, op, adaptor.getOperands(),
                [&](FloatMath &m, ValueRange a) -> SmallVector<Value> {
                  Value g = m.decayed(a[1], a[0], wd);
                  return {m.sub(a[0], m.mul(a[2], g))};
                });
    return success();
  }
};

struct MomentumUpdateLowering : OpConversionPattern<nn::MomentumUpdateOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::MomentumUpdateOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    double wd = op.getWeightDecay().convertToDouble();
    double mu = op.getMomentum().convertToDouble();
    bool nesterov = op.getNesterov();
    buildUpdate(rewriter, op, adaptor.getOperands(),
                [&](FloatMath &m, ValueRange a) -> SmallVector<Value> {
                  // a = (param, grad, buf, lr)
                  Value g = m.decayed(a[1], a[0], wd);
                  Value buf = m.add(m.mul(a[2], m.c(mu)), g);
                  Value step = nesterov ? m.add(g, m.mul(buf, m.c(mu))) : buf;
                  return {m.sub(a[0], m.mul(a[3], step)), buf};
                });
    return success();
  }
};

struct AdamUpdateLowering : OpConversionPattern<nn::AdamUpdateOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::AdamUpdateOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    double wd = op.getWeightDecay().convertToDouble();
    double beta1 = op.getBeta1().convertToDouble();
    double beta2 = op.getBeta2().convertToDouble();
    double eps = op.getEps().convertToDouble();
    bool decoupled = op.getDecoupled();
    // The bias corrections depend only on the step and the learning rate:
    // they are computed once, in double as PyTorch does in Python floats, in
    // rank-0 generics ahead of the elementwise update, rather than per element
    // (where vectorization would repeat two pow calls in every lane).
    Location loc = op.getLoc();
    auto scalarType = RankedTensorType::get(
        {}, cast<RankedTensorType>(op.getParam().getType()).getElementType());
    SmallVector<Value, 2> stepAndLr{adaptor.getStep(), adaptor.getLr()};
    auto correction = [&](OpBuilder &b, Location l, ValueRange a,
                          double beta) -> Value {
      FloatMath d{b, l, b.getF64Type()};
      Value t = arith::SIToFPOp::create(b, l, d.type, a[0]);
      return d.sub(d.c(1.0), d.pow(d.c(beta), t));
    };
    auto narrow = [&](OpBuilder &b, Location l, Value x) -> Value {
      return arith::TruncFOp::create(b, l, scalarType.getElementType(), x);
    };
    Value stepSize = buildScalar(
        rewriter, loc, scalarType, stepAndLr,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          FloatMath d{b, l, b.getF64Type()};
          Value lr64 = arith::ExtFOp::create(b, l, d.type, a[1]);
          return narrow(b, l, d.div(lr64, correction(b, l, a, beta1)));
        });
    Value sqrtCorrection2 =
        buildScalar(rewriter, loc, scalarType, stepAndLr,
                    [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                      FloatMath d{b, l, b.getF64Type()};
                      return narrow(b, l, d.sqrt(correction(b, l, a, beta2)));
                    });
    SmallVector<Value> operands{
        adaptor.getParam(), adaptor.getGrad(), adaptor.getM(), adaptor.getV(),
        stepSize,           sqrtCorrection2,   adaptor.getLr()};
    buildUpdate(rewriter, op, operands,
                [&](FloatMath &m, ValueRange a) -> SmallVector<Value> {
                  // a = (param, grad, m, v, step size, sqrt(correction2), lr)
                  Value param = a[0], lr = a[6];
                  Value g = a[1];
                  if (decoupled && wd != 0.0)
                    param = m.mul(param, m.sub(m.c(1.0), m.mul(lr, m.c(wd))));
                  else
                    g = m.decayed(g, param, wd);
                  Value newM =
                      m.add(m.mul(a[2], m.c(beta1)), m.mul(g, m.c(1 - beta1)));
                  Value newV = m.add(m.mul(a[3], m.c(beta2)),
                                     m.mul(m.mul(g, g), m.c(1 - beta2)));
                  Value denom = m.add(m.div(m.sqrt(newV), a[5]), m.c(eps));
                  Value newParam =
                      m.sub(param, m.div(m.mul(a[4], newM), denom));
                  return {newParam, newM, newV};
                });
    return success();
  }
};

struct RmspropUpdateLowering : OpConversionPattern<nn::RmspropUpdateOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::RmspropUpdateOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    double wd = op.getWeightDecay().convertToDouble();
    double alpha = op.getAlpha().convertToDouble();
    double eps = op.getEps().convertToDouble();
    buildUpdate(rewriter, op, adaptor.getOperands(),
                [&](FloatMath &m, ValueRange a) -> SmallVector<Value> {
                  // a = (param, grad, square_avg, lr)
                  Value g = m.decayed(a[1], a[0], wd);
                  Value sq = m.add(m.mul(a[2], m.c(alpha)),
                                   m.mul(m.mul(g, g), m.c(1 - alpha)));
                  Value avg = m.add(m.sqrt(sq), m.c(eps));
                  return {m.sub(a[0], m.div(m.mul(a[3], g), avg)), sq};
                });
    return success();
  }
};

struct AdagradUpdateLowering : OpConversionPattern<nn::AdagradUpdateOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::AdagradUpdateOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    double wd = op.getWeightDecay().convertToDouble();
    double eps = op.getEps().convertToDouble();
    buildUpdate(rewriter, op, adaptor.getOperands(),
                [&](FloatMath &m, ValueRange a) -> SmallVector<Value> {
                  // a = (param, grad, sum, lr)
                  Value g = m.decayed(a[1], a[0], wd);
                  Value sum = m.add(a[2], m.mul(g, g));
                  Value std = m.add(m.sqrt(sum), m.c(eps));
                  return {m.sub(a[0], m.div(m.mul(a[3], g), std)), sum};
                });
    return success();
  }
};

struct LrScheduleLowering : OpConversionPattern<nn::LrScheduleOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::LrScheduleOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    nn::LrScheduleKind kind = op.getSchedule();
    int64_t period = op.getPeriod(), warmup = op.getWarmup();
    double gamma = op.getGamma().convertToDouble();
    double minLr = op.getMinLr().convertToDouble();
    rewriter.replaceOp(
        op,
        buildScalar(
            rewriter, op.getLoc(), op.getType(),
            ValueRange{adaptor.getBase(), adaptor.getStep()},
            [&](OpBuilder &b, Location l, ValueRange a) -> Value {
              FloatMath d{b, l, b.getF64Type()};
              Value base = arith::ExtFOp::create(b, l, d.type, a[0]);
              auto toFloat = [&](Value i) -> Value {
                return arith::SIToFPOp::create(b, l, d.type, i);
              };
              Value t = toFloat(a[1]);
              Value lr = base;
              switch (kind) {
              case nn::LrScheduleKind::Constant:
                break;
              case nn::LrScheduleKind::Step: {
                Value periods = arith::DivSIOp::create(
                    b, l, a[1], arith::ConstantIntOp::create(b, l, period, 64));
                lr = d.mul(base, d.pow(d.c(gamma), toFloat(periods)));
                break;
              }
              case nn::LrScheduleKind::Exponential:
                lr = d.mul(base, d.pow(d.c(gamma), t));
                break;
              case nn::LrScheduleKind::Cosine: {
                Value progress =
                    d.div(d.min(t, d.c(double(period))), d.c(period));
                Value cos = math::CosOp::create(
                    b, l, d.mul(d.c(llvm::numbers::pi), progress));
                Value half = d.mul(d.add(d.c(1.0), cos), d.c(0.5));
                lr = d.add(d.c(minLr), d.mul(d.sub(base, d.c(minLr)), half));
                break;
              }
              }
              if (warmup > 0)
                lr = d.mul(lr, d.min(d.c(1.0), d.div(d.add(t, d.c(1.0)),
                                                     d.c(double(warmup)))));
              return arith::TruncFOp::create(b, l, b.getF32Type(), lr);
            }));
    return success();
  }
};

struct ClipCoefficientLowering : OpConversionPattern<nn::ClipCoefficientOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::ClipCoefficientOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    double maxNorm = op.getMaxNorm().convertToDouble();
    rewriter.replaceOp(
        op, buildScalar(
                rewriter, op.getLoc(), op.getType(), adaptor.getSumOfSquares(),
                [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                  FloatMath m{b, l, b.getF32Type()};
                  Value norm = m.sqrt(a[0]);
                  Value coef = m.div(m.c(maxNorm), m.add(norm, m.c(1e-6)));
                  return m.min(coef, m.c(1.0));
                }));
    return success();
  }
};

} // namespace

void nncc::populateNnOptimizerToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<SgdUpdateLowering, MomentumUpdateLowering, AdamUpdateLowering,
               RmspropUpdateLowering, AdagradUpdateLowering, LrScheduleLowering,
               ClipCoefficientLowering>(patterns.getContext());
}
