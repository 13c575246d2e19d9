//===- Math.cpp - nn Math ops to linalg -------------------------*- C++ -*-===//
//
// The Math category (NnMathOps.td): elementwise binary ops with NumPy
// broadcasting and activations become linalg.generic, nn.softmax a chain of
// reductions, nn.matmul linalg.matmul/batch_matmul or a generic contraction.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/NnToLinalg/NnToLinalg.h"
#include "dialects/Nn/IR/NnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace nncc;
using namespace nncc::lowering;

namespace {

//===----------------------------------------------------------------------===//
// Elementwise binary ops and activations
//===----------------------------------------------------------------------===//

/// The predicates of the comparison ops, for floats (ordered) and signed
/// or unsigned integers.
std::pair<arith::CmpFPredicate, arith::CmpIPredicate>
comparePredicates(Operation *op, bool isUnsigned) {
  using P = arith::CmpIPredicate;
  if (isa<nn::EqualOp>(op))
    return {arith::CmpFPredicate::OEQ, P::eq};
  if (isa<nn::LessOp>(op))
    return {arith::CmpFPredicate::OLT, isUnsigned ? P::ult : P::slt};
  if (isa<nn::LessEqualOp>(op))
    return {arith::CmpFPredicate::OLE, isUnsigned ? P::ule : P::sle};
  if (isa<nn::GreaterOp>(op))
    return {arith::CmpFPredicate::OGT, isUnsigned ? P::ugt : P::sgt};
  assert(isa<nn::GreaterEqualOp>(op) && "unhandled comparison");
  return {arith::CmpFPredicate::OGE, isUnsigned ? P::uge : P::sge};
}

/// An integer converted to f64, as signed or unsigned.
Value intToF64(OpBuilder &b, Location loc, Value x, bool isUnsigned) {
  Type f64 = b.getF64Type();
  return isUnsigned ? arith::UIToFPOp::create(b, loc, f64, x).getResult()
                    : arith::SIToFPOp::create(b, loc, f64, x).getResult();
}

/// The scalar computation of each binary op, for float and integer types.
Value buildBinary(OpBuilder &b, Location loc, Operation *op, Value lhs,
                  Value rhs) {
  bool isFloat = isa<FloatType>(lhs.getType());
  // Both operands have the same type, except for pow's.
  bool isUnsigned = isUnsignedOperand(op, 0);
  if (isa<nn::EqualOp, nn::LessOp, nn::LessEqualOp, nn::GreaterOp,
          nn::GreaterEqualOp>(op)) {
    auto [floatPredicate, intPredicate] = comparePredicates(op, isUnsigned);
    return isFloat ? arith::CmpFOp::create(b, loc, floatPredicate, lhs, rhs)
                         .getResult()
                   : arith::CmpIOp::create(b, loc, intPredicate, lhs, rhs)
                         .getResult();
  }
  if (isa<nn::MaximumOp>(op))
    return isFloat ? arith::MaximumFOp::create(b, loc, lhs, rhs).getResult()
           : isUnsigned ? arith::MaxUIOp::create(b, loc, lhs, rhs).getResult()
                        : arith::MaxSIOp::create(b, loc, lhs, rhs).getResult();
  if (isa<nn::MinimumOp>(op))
    return isFloat ? arith::MinimumFOp::create(b, loc, lhs, rhs).getResult()
           : isUnsigned ? arith::MinUIOp::create(b, loc, lhs, rhs).getResult()
                        : arith::MinSIOp::create(b, loc, lhs, rhs).getResult();
  if (isa<nn::PowOp>(op)) {
    if (isFloat)
      return math::PowFOp::create(b, loc, lhs, rhs);
    // Integers through f64, which is exact while the result fits in 53
    // bits; a negative exponent gives 1 / x^n truncated (0 unless |x| = 1).
    Value power =
        math::PowFOp::create(b, loc, intToF64(b, loc, lhs, isUnsigned),
                             intToF64(b, loc, rhs, isUnsignedOperand(op, 1)));
    if (isUnsignedResult(op, 0))
      return arith::FPToUIOp::create(b, loc, lhs.getType(), power);
    return arith::FPToSIOp::create(b, loc, lhs.getType(), power);
  }
  if (isa<nn::AddOp>(op))
    return isFloat ? arith::AddFOp::create(b, loc, lhs, rhs).getResult()
                   : arith::AddIOp::create(b, loc, lhs, rhs).getResult();
  if (isa<nn::SubOp>(op))
    return isFloat ? arith::SubFOp::create(b, loc, lhs, rhs).getResult()
                   : arith::SubIOp::create(b, loc, lhs, rhs).getResult();
  if (isa<nn::MulOp>(op))
    return isFloat ? arith::MulFOp::create(b, loc, lhs, rhs).getResult()
                   : arith::MulIOp::create(b, loc, lhs, rhs).getResult();
  assert(isa<nn::DivOp>(op) && "unhandled binary op");
  return isFloat      ? arith::DivFOp::create(b, loc, lhs, rhs).getResult()
         : isUnsigned ? arith::DivUIOp::create(b, loc, lhs, rhs).getResult()
                      : arith::DivSIOp::create(b, loc, lhs, rhs).getResult();
}

template <typename OpTy> struct BinaryOpLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    unsigned rank = type.getRank();
    BroadcastOperand lhs = broadcastOperand(rewriter, loc, adaptor.getLhs(),
                                            type.getShape(), rank);
    BroadcastOperand rhs = broadcastOperand(rewriter, loc, adaptor.getRhs(),
                                            type.getShape(), rank);
    Operation *nnOp = op.getOperation();
    rewriter.replaceOp(
        op, buildGeneric(rewriter, loc, ValueRange{lhs.value, rhs.value},
                         {lhs.map, rhs.map}, createEmpty(rewriter, loc, type),
                         rewriter.getMultiDimIdentityMap(rank),
                         [&](OpBuilder &b, Location l, ValueRange args) {
                           return buildBinary(b, l, nnOp, args[0], args[1]);
                         }));
    return success();
  }
};

struct SumLowering : OpConversionPattern<nn::SumOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::SumOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    AffineMap identity = rewriter.getMultiDimIdentityMap(type.getRank());
    SmallVector<AffineMap> maps(adaptor.getInputs().size(), identity);
    rewriter.replaceOp(
        op,
        buildGeneric(
            rewriter, loc, adaptor.getInputs(), maps,
            createEmpty(rewriter, loc, type), identity,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value sum = args[0];
              for (Value term : args.drop_front().drop_back())
                sum = isa<FloatType>(sum.getType())
                          ? arith::AddFOp::create(b, l, sum, term).getResult()
                          : arith::AddIOp::create(b, l, sum, term).getResult();
              return sum;
            }));
    return success();
  }
};

struct SelectLowering : OpConversionPattern<nn::SelectOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::SelectOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    unsigned rank = type.getRank();
    SmallVector<Value> values;
    SmallVector<AffineMap> maps;
    for (Value operand : adaptor.getOperands()) {
      BroadcastOperand prepared =
          broadcastOperand(rewriter, loc, operand, type.getShape(), rank);
      values.push_back(prepared.value);
      maps.push_back(prepared.map);
    }
    rewriter.replaceOp(
        op, buildGeneric(rewriter, loc, values, maps,
                         createEmpty(rewriter, loc, type),
                         rewriter.getMultiDimIdentityMap(rank),
                         [](OpBuilder &b, Location l, ValueRange args) {
                           return arith::SelectOp::create(b, l, args[0],
                                                          args[1], args[2])
                               .getResult();
                         }));
    return success();
  }
};

Value buildUnary(OpBuilder &b, Location loc, Operation *op, Value x) {
  Type type = x.getType();
  if (isa<nn::ReluOp>(op)) {
    Value zero = arith::ConstantOp::create(b, loc, scalarAttr(type, 0.0));
    return arith::MaximumFOp::create(b, loc, x, zero);
  }
  if (isa<nn::TanhOp>(op))
    return math::TanhOp::create(b, loc, x);
  if (isa<nn::LeakyReluOp, nn::EluOp>(op)) {
    double alpha = isa<nn::EluOp>(op)
                       ? cast<nn::EluOp>(op).getAlpha().convertToDouble()
                       : cast<nn::LeakyReluOp>(op).getAlpha().convertToDouble();
    Value zero = arith::ConstantOp::create(b, loc, scalarAttr(type, 0.0));
    Value scale = arith::ConstantOp::create(b, loc, scalarAttr(type, alpha));
    Value negative = x;
    if (isa<nn::EluOp>(op)) {
      // alpha * expm1(x): exact near 0, where exp(x) - 1 would cancel.
      negative = math::ExpM1Op::create(b, loc, x);
    }
    Value positive =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, zero);
    return arith::SelectOp::create(
        b, loc, positive, x, arith::MulFOp::create(b, loc, scale, negative));
  }
  if (isa<nn::AbsOp>(op))
    return math::AbsFOp::create(b, loc, x);
  if (isa<nn::SwishOp>(op)) {
    Value one = arith::ConstantOp::create(b, loc, scalarAttr(type, 1.0));
    Value exp = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
    return arith::DivFOp::create(b, loc, x,
                                 arith::AddFOp::create(b, loc, one, exp));
  }
  if (isa<nn::SqrtOp>(op))
    return math::SqrtOp::create(b, loc, x);
  if (isa<nn::FloorOp>(op))
    return math::FloorOp::create(b, loc, x);
  if (isa<nn::CeilOp>(op))
    return math::CeilOp::create(b, loc, x);
  if (isa<nn::ExpOp>(op))
    return math::ExpOp::create(b, loc, x);
  if (isa<nn::LogOp>(op))
    return math::LogOp::create(b, loc, x);
  if (isa<nn::SignOp>(op)) {
    // (x > 0) - (x < 0): 0 for 0 and NaN, as torch.sign.
    Value zero = arith::ConstantOp::create(b, loc, scalarAttr(type, 0.0));
    Value one = arith::ConstantOp::create(b, loc, scalarAttr(type, 1.0));
    Value minusOne = arith::ConstantOp::create(b, loc, scalarAttr(type, -1.0));
    Value positive =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, zero);
    Value negative =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, zero);
    Value sign = arith::SelectOp::create(b, loc, negative, minusOne, zero);
    return arith::SelectOp::create(b, loc, positive, one, sign);
  }
  if (isa<nn::SoftplusOp>(op)) {
    // max(x, 0) + log1p(exp(-|x|)): exp never overflows.
    Value zero = arith::ConstantOp::create(b, loc, scalarAttr(type, 0.0));
    Value positive = arith::MaximumFOp::create(b, loc, x, zero);
    Value minusAbs =
        arith::NegFOp::create(b, loc, math::AbsFOp::create(b, loc, x));
    Value log1p =
        math::Log1pOp::create(b, loc, math::ExpOp::create(b, loc, minusAbs));
    return arith::AddFOp::create(b, loc, positive, log1p);
  }
  assert(isa<nn::SigmoidOp>(op) && "unhandled unary op");
  // 1 / (1 + exp(-x)): exp overflows to inf for very negative x, which
  // still gives the correct limit 0.
  Value one = arith::ConstantOp::create(b, loc, scalarAttr(type, 1.0));
  Value negated = arith::NegFOp::create(b, loc, x);
  Value exp = math::ExpOp::create(b, loc, negated);
  Value denominator = arith::AddFOp::create(b, loc, one, exp);
  return arith::DivFOp::create(b, loc, one, denominator);
}

template <typename OpTy> struct UnaryOpLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    AffineMap identity = rewriter.getMultiDimIdentityMap(type.getRank());
    Operation *nnOp = op.getOperation();
    rewriter.replaceOp(
        op, buildGeneric(rewriter, loc, adaptor.getInput(), identity,
                         createEmpty(rewriter, loc, type), identity,
                         [&](OpBuilder &b, Location l, ValueRange args) {
                           return buildUnary(b, l, nnOp, args[0]);
                         }));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Softmax
//===----------------------------------------------------------------------===//

/// Softmax and log_softmax along `axis`: both subtract the max (so exp
/// cannot overflow) and sum the exponentials; softmax divides by the sum,
/// log_softmax subtracts its log from the shifted input.
Value buildSoftmax(OpBuilder &b, Location loc, Value x, unsigned axis,
                   bool logarithm) {
  auto type = cast<RankedTensorType>(x.getType());
  Type elementType = type.getElementType();
  unsigned rank = type.getRank();
  SmallVector<unsigned> kept;
  SmallVector<int64_t> reducedShape;
  for (unsigned d = 0; d < rank; ++d)
    if (d != axis) {
      kept.push_back(d);
      reducedShape.push_back(type.getDimSize(d));
    }
  auto reducedType = RankedTensorType::get(reducedShape, elementType);
  AffineMap full = b.getMultiDimIdentityMap(rank);
  AffineMap reduced = dropDimsMap(b.getContext(), rank, kept);

  auto floatType = cast<FloatType>(elementType);
  auto lowest = FloatAttr::get(
      floatType, APFloat::getInf(floatType.getFloatSemantics(), true));
  Value max = buildGeneric(
      b, loc, x, full, createFilled(b, loc, reducedType, lowest), reduced,
      [](OpBuilder &b, Location l, ValueRange args) -> Value {
        return arith::MaximumFOp::create(b, l, args[0], args[1]);
      });
  Value shifted = buildGeneric(
      b, loc, ValueRange{x, max}, {full, reduced}, createEmpty(b, loc, type),
      full, [](OpBuilder &b, Location l, ValueRange args) -> Value {
        return arith::SubFOp::create(b, l, args[0], args[1]);
      });
  Value exp =
      buildGeneric(b, loc, shifted, full, createEmpty(b, loc, type), full,
                   [](OpBuilder &b, Location l, ValueRange args) -> Value {
                     return math::ExpOp::create(b, l, args[0]);
                   });
  Value sum = buildGeneric(
      b, loc, exp, full,
      createFilled(b, loc, reducedType, scalarAttr(elementType, 0.0)), reduced,
      [](OpBuilder &b, Location l, ValueRange args) -> Value {
        return arith::AddFOp::create(b, l, args[0], args[1]);
      });
  if (logarithm)
    return buildGeneric(b, loc, ValueRange{shifted, sum}, {full, reduced},
                        createEmpty(b, loc, type), full,
                        [](OpBuilder &b, Location l, ValueRange args) -> Value {
                          Value log = math::LogOp::create(b, l, args[1]);
                          return arith::SubFOp::create(b, l, args[0], log);
                        });
  return buildGeneric(b, loc, ValueRange{exp, sum}, {full, reduced},
                      createEmpty(b, loc, type), full,
                      [](OpBuilder &b, Location l, ValueRange args) -> Value {
                        return arith::DivFOp::create(b, l, args[0], args[1]);
                      });
}

template <typename OpTy, bool Logarithm>
struct SoftmaxLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op,
                       buildSoftmax(rewriter, op.getLoc(), adaptor.getInput(),
                                    op.getAxis(), Logarithm));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// The start of a running maximum (-inf or the lowest integer) or minimum.
TypedAttr extremeIdentity(Type elementType, bool max, bool isUnsigned) {
  if (auto floatType = dyn_cast<FloatType>(elementType))
    return FloatAttr::get(floatType,
                          APFloat::getInf(floatType.getFloatSemantics(), max));
  unsigned width = elementType.getIntOrFloatBitWidth();
  if (isUnsigned)
    return IntegerAttr::get(elementType, max ? APInt::getMinValue(width)
                                             : APInt::getMaxValue(width));
  return IntegerAttr::get(elementType, max ? APInt::getSignedMinValue(width)
                                           : APInt::getSignedMaxValue(width));
}

/// The identity of each reduction (its initial value).
TypedAttr reductionIdentity(Operation *op, Type elementType) {
  if (isa<nn::ReduceSumOp>(op))
    return scalarAttr(elementType, 0.0);
  if (isa<nn::ReduceProdOp>(op))
    return scalarAttr(elementType, 1.0);
  return extremeIdentity(elementType, isa<nn::ReduceMaxOp>(op),
                         isUnsignedOperand(op, 0));
}

Value buildReduction(OpBuilder &b, Location loc, Operation *op, Value element,
                     Value accumulator) {
  bool isFloat = isa<FloatType>(element.getType());
  bool isUnsigned = isUnsignedOperand(op, 0);
  if (isa<nn::ReduceSumOp>(op))
    return isFloat
               ? arith::AddFOp::create(b, loc, element, accumulator).getResult()
               : arith::AddIOp::create(b, loc, element, accumulator)
                     .getResult();
  if (isa<nn::ReduceProdOp>(op))
    return isFloat
               ? arith::MulFOp::create(b, loc, element, accumulator).getResult()
               : arith::MulIOp::create(b, loc, element, accumulator)
                     .getResult();
  if (isa<nn::ReduceMaxOp>(op))
    return isFloat ? arith::MaximumFOp::create(b, loc, element, accumulator)
                         .getResult()
           : isUnsigned ? arith::MaxUIOp::create(b, loc, element, accumulator)
                              .getResult()
                        : arith::MaxSIOp::create(b, loc, element, accumulator)
                              .getResult();
  assert(isa<nn::ReduceMinOp>(op) && "unhandled reduction");
  return isFloat ? arith::MinimumFOp::create(b, loc, element, accumulator)
                       .getResult()
         : isUnsigned
             ? arith::MinUIOp::create(b, loc, element, accumulator).getResult()
             : arith::MinSIOp::create(b, loc, element, accumulator).getResult();
}

/// The kept dimensions of a reduction over sorted `axes` of a rank-`rank`
/// input, and their sizes.
std::pair<SmallVector<unsigned>, SmallVector<int64_t>>
keptDims(RankedTensorType type, ArrayRef<int64_t> axes) {
  SmallVector<unsigned> kept;
  SmallVector<int64_t> shape;
  for (unsigned d = 0; d < type.getRank(); ++d)
    if (!llvm::is_contained(axes, d)) {
      kept.push_back(d);
      shape.push_back(type.getDimSize(d));
    }
  return {kept, shape};
}

/// Whether a reduction over sorted `axes` of `type` runs in two passes: the
/// axes but the last into rows along the last, then the rows. It does when
/// the last axis is static and reduced, and the other reduced axes hold at
/// least kMinRowsPerPartial elements (each row of partial sums then adds at
/// least that many rows): a convolution's bias gradient, [N, C, H, W] ->
/// [C]. In one pass, the
/// innermost loop reduced into one scalar, a chain of dependent scalar adds
/// (LeNet-5's first bias gradient took 4% of its train step); the first pass
/// instead adds whole rows into a row of partial sums, which vectorizes
/// (nncc-cpu-tile-and-vectorize). Not for products, whose rounding depends
/// on the order; sums accumulate in f64 (sumAccumulatorType), max and min
/// are exact in any order.
bool reducesInTwoPasses(Operation *op, RankedTensorType type,
                        ArrayRef<int64_t> axes) {
  constexpr int64_t kMinRowsPerPartial = 4;
  int64_t last = type.getRank() - 1;
  if (isa<nn::ReduceProdOp>(op) || axes.size() < 2 || axes.back() != last ||
      type.isDynamicDim(last))
    return false;
  int64_t rows = 1;
  for (int64_t axis : axes.drop_back())
    rows *=
        type.isDynamicDim(axis) ? kMinRowsPerPartial : type.getDimSize(axis);
  return rows >= kMinRowsPerPartial;
}

template <typename OpTy> struct ReduceLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType inType = op.getInput().getType();
    ArrayRef<int64_t> axes = op.getAxes();
    Type elementType = inType.getElementType();
    Operation *nnOp = op.getOperation();
    // Float sums accumulate in f64 and round once (sumAccumulatorType).
    Type accType = isa<nn::ReduceSumOp>(nnOp) ? sumAccumulatorType(elementType)
                                              : elementType;
    // Reduces `axes` of `input` into a new accumulator.
    auto reduce = [&](Value input, ArrayRef<int64_t> axes) {
      auto type = cast<RankedTensorType>(input.getType());
      unsigned rank = type.getRank();
      auto [kept, shape] = keptDims(type, axes);
      auto reducedType = RankedTensorType::get(shape, accType);
      return buildGeneric(
          rewriter, loc, input, rewriter.getMultiDimIdentityMap(rank),
          createFilled(rewriter, loc, reducedType,
                       reductionIdentity(nnOp, accType)),
          dropDimsMap(rewriter.getContext(), rank, kept),
          [&](OpBuilder &b, Location l, ValueRange args) {
            Value element = args[0];
            if (element.getType() != accType)
              element = arith::ExtFOp::create(b, l, accType, element);
            return buildReduction(b, l, nnOp, element, args[1]);
          });
    };
    Value reduced;
    if (reducesInTwoPasses(nnOp, inType, axes)) {
      Value rows = reduce(adaptor.getInput(), axes.drop_back());
      int64_t rowsRank = cast<RankedTensorType>(rows.getType()).getRank();
      reduced = reduce(rows, {rowsRank - 1});
    } else {
      reduced = reduce(adaptor.getInput(), axes);
    }
    reduced = castElements(rewriter, loc, reduced, elementType);
    rewriter.replaceOp(op, reshapeTensor(rewriter, loc, reduced, op.getType()));
    return success();
  }
};

/// arg_max / arg_min: one pass that carries the best value and its index.
/// The first (or, with select_last_index, the last) extreme wins, and NaN
/// counts as the extreme, as in NumPy.
template <typename OpTy, bool Max>
struct ArgReduceLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType inType = op.getInput().getType();
    unsigned rank = inType.getRank();
    int64_t axis = op.getAxis();
    auto [kept, shape] = keptDims(inType, {axis});
    Type elementType = inType.getElementType();
    Type i64 = rewriter.getI64Type();
    Value bestInit = createFilled(
        rewriter, loc, RankedTensorType::get(shape, elementType),
        extremeIdentity(elementType, Max, isUnsignedOperand(op, 0)));
    Value indexInit =
        createFilled(rewriter, loc, RankedTensorType::get(shape, i64),
                     rewriter.getI64IntegerAttr(0));
    AffineMap full = rewriter.getMultiDimIdentityMap(rank);
    AffineMap reduced = dropDimsMap(rewriter.getContext(), rank, kept);
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators[axis] = utils::IteratorType::reduction;
    bool last = op.getSelectLastIndex();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{bestInit.getType(), indexInit.getType()},
        adaptor.getInput(), ValueRange{bestInit, indexInit},
        ArrayRef<AffineMap>{full, reduced, reduced}, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value x = args[0], best = args[1], bestIndex = args[2];
          Value take;
          if (isa<FloatType>(elementType)) {
            // Unordered comparisons make a NaN x beat a number; once the
            // best is NaN, only a later NaN replaces it (select_last_index).
            auto beats = Max ? (last ? arith::CmpFPredicate::UGE
                                     : arith::CmpFPredicate::UGT)
                             : (last ? arith::CmpFPredicate::ULE
                                     : arith::CmpFPredicate::ULT);
            auto isNaN = [&](Value v) -> Value {
              return arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, v,
                                           v);
            };
            Value bestIsNumber = arith::CmpFOp::create(
                b, l, arith::CmpFPredicate::ORD, best, best);
            Value mayReplace = bestIsNumber;
            if (last)
              mayReplace = arith::OrIOp::create(b, l, bestIsNumber, isNaN(x));
            take = arith::AndIOp::create(
                b, l, arith::CmpFOp::create(b, l, beats, x, best), mayReplace);
          } else {
            using P = arith::CmpIPredicate;
            bool u = isUnsignedOperand(op, 0);
            auto beats =
                Max ? (last ? (u ? P::uge : P::sge) : (u ? P::ugt : P::sgt))
                    : (last ? (u ? P::ule : P::sle) : (u ? P::ult : P::slt));
            take = arith::CmpIOp::create(b, l, beats, x, best);
          }
          Value index = arith::IndexCastOp::create(
              b, l, i64, linalg::IndexOp::create(b, l, axis));
          Value newBest = arith::SelectOp::create(b, l, take, x, best);
          Value newIndex =
              arith::SelectOp::create(b, l, take, index, bestIndex);
          linalg::YieldOp::create(b, l, ValueRange{newBest, newIndex});
        });
    rewriter.replaceOp(
        op, reshapeTensor(rewriter, loc, generic.getResult(1), op.getType()));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Matrix product
//===----------------------------------------------------------------------===//

struct MatMulLowering : OpConversionPattern<nn::MatMulOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::MatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    auto lhsType = cast<RankedTensorType>(lhs.getType());
    auto rhsType = cast<RankedTensorType>(rhs.getType());
    Value init = createFilled(rewriter, loc, type,
                              scalarAttr(type.getElementType(), 0.0));
    if (lhsType.getRank() == 2 && rhsType.getRank() == 2) {
      rewriter.replaceOp(
          op, linalg::MatmulOp::create(rewriter, loc, TypeRange{type},
                                       ValueRange{lhs, rhs}, ValueRange{init})
                  .getResults());
      return success();
    }
    if (lhsType.getRank() == 3 && rhsType.getRank() == 3 &&
        lhsType.getDimSize(0) == rhsType.getDimSize(0)) {
      rewriter.replaceOp(op, linalg::BatchMatmulOp::create(
                                 rewriter, loc, TypeRange{type},
                                 ValueRange{lhs, rhs}, ValueRange{init})
                                 .getResults());
      return success();
    }

    // General case: loops (batch..., m, n, k) with broadcast batch dims.
    int64_t rank = type.getRank();
    unsigned numLoops = rank + 1;
    ArrayRef<int64_t> batch = type.getShape().drop_back(2);
    auto prepare = [&](Value operand, int64_t rowLoop, int64_t colLoop) {
      auto shape = cast<RankedTensorType>(operand.getType()).getShape();
      SmallVector<int64_t> fakeOut(batch);
      fakeOut.append(shape.end() - 2, shape.end());
      BroadcastOperand prepared =
          broadcastOperand(rewriter, loc, operand, fakeOut, numLoops);
      // The two matrix dimensions are never broadcast, so they are the last
      // two results; point them at the right loops.
      SmallVector<AffineExpr> results(prepared.map.getResults());
      results[results.size() - 2] = rewriter.getAffineDimExpr(rowLoop);
      results[results.size() - 1] = rewriter.getAffineDimExpr(colLoop);
      prepared.map = AffineMap::get(numLoops, 0, results, getContext());
      return prepared;
    };
    BroadcastOperand l = prepare(lhs, rank - 2, rank);
    BroadcastOperand r = prepare(rhs, rank, rank - 1);
    SmallVector<AffineExpr> outResults;
    for (int64_t i = 0; i < rank; ++i)
      outResults.push_back(rewriter.getAffineDimExpr(i));
    AffineMap outMap = AffineMap::get(numLoops, 0, outResults, getContext());
    rewriter.replaceOp(
        op,
        buildGeneric(
            rewriter, loc, ValueRange{l.value, r.value}, {l.map, r.map}, init,
            outMap, [](OpBuilder &b, Location l, ValueRange args) {
              Value product = arith::MulFOp::create(b, l, args[0], args[1]);
              return arith::AddFOp::create(b, l, args[2], product).getResult();
            }));
    return success();
  }
};

} // namespace

void nncc::populateNnMathToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<
      SumLowering, BinaryOpLowering<nn::AddOp>, BinaryOpLowering<nn::SubOp>,
      BinaryOpLowering<nn::MulOp>, BinaryOpLowering<nn::DivOp>,
      UnaryOpLowering<nn::ReluOp>, UnaryOpLowering<nn::SigmoidOp>,
      UnaryOpLowering<nn::TanhOp>, UnaryOpLowering<nn::SoftplusOp>,
      UnaryOpLowering<nn::LeakyReluOp>, UnaryOpLowering<nn::EluOp>,
      UnaryOpLowering<nn::AbsOp>, UnaryOpLowering<nn::SwishOp>,
      UnaryOpLowering<nn::SignOp>, UnaryOpLowering<nn::SqrtOp>,
      UnaryOpLowering<nn::ExpOp>, UnaryOpLowering<nn::LogOp>,
      SoftmaxLowering<nn::SoftmaxOp, false>,
      SoftmaxLowering<nn::LogSoftmaxOp, true>, ReduceLowering<nn::ReduceSumOp>,
      ReduceLowering<nn::ReduceMaxOp>, ReduceLowering<nn::ReduceMinOp>,
      ReduceLowering<nn::ReduceProdOp>, ArgReduceLowering<nn::ArgMaxOp, true>,
      ArgReduceLowering<nn::ArgMinOp, false>, MatMulLowering,
      BinaryOpLowering<nn::MaximumOp>, BinaryOpLowering<nn::MinimumOp>,
      BinaryOpLowering<nn::PowOp>, BinaryOpLowering<nn::EqualOp>,
      BinaryOpLowering<nn::LessOp>, BinaryOpLowering<nn::LessEqualOp>,
      BinaryOpLowering<nn::GreaterOp>, BinaryOpLowering<nn::GreaterEqualOp>,
      SelectLowering, UnaryOpLowering<nn::FloorOp>,
      UnaryOpLowering<nn::CeilOp>>(patterns.getContext());
}
