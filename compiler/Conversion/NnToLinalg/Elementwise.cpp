//===- Elementwise.cpp - nn elementwise ops to linalg.generic ---*- C++ -*-===//

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

/// The scalar computation of each binary op, for float and integer types.
Value buildBinary(OpBuilder &b, Location loc, Operation *op, Value lhs,
                  Value rhs) {
  bool isFloat = isa<FloatType>(lhs.getType());
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
  return isFloat ? arith::DivFOp::create(b, loc, lhs, rhs).getResult()
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

Value buildUnary(OpBuilder &b, Location loc, Operation *op, Value x) {
  Type type = x.getType();
  if (isa<nn::ReluOp>(op)) {
    Value zero = arith::ConstantOp::create(b, loc, scalarAttr(type, 0.0));
    return arith::MaximumFOp::create(b, loc, x, zero);
  }
  if (isa<nn::TanhOp>(op))
    return math::TanhOp::create(b, loc, x);
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

} // namespace

void nncc::populateNnElementwiseToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<BinaryOpLowering<nn::AddOp>, BinaryOpLowering<nn::SubOp>,
               BinaryOpLowering<nn::MulOp>, BinaryOpLowering<nn::DivOp>,
               UnaryOpLowering<nn::ReluOp>, UnaryOpLowering<nn::SigmoidOp>,
               UnaryOpLowering<nn::TanhOp>>(patterns.getContext());
}
