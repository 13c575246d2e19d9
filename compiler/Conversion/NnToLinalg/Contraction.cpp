//===- Contraction.cpp - nn matmul and conv2d to linalg ---------*- C++ -*-===//

#include "compiler/Conversion/NnToLinalg/NnToLinalg.h"
#include "dialects/Nn/IR/NnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace nncc;
using namespace nncc::lowering;

namespace {

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

struct Conv2DLowering : OpConversionPattern<nn::Conv2DOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::Conv2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Type elementType = type.getElementType();
    ArrayRef<int64_t> pad = op.getPadding();
    Value input =
        padTensor(rewriter, loc, adaptor.getInput(), {0, 0, pad[0], pad[1]},
                  {0, 0, pad[2], pad[3]}, scalarAttr(elementType, 0.0));

    // Accumulate into the broadcast bias, so no separate add is needed.
    Value init;
    if (Value bias = adaptor.getBias()) {
      MLIRContext *ctx = getContext();
      AffineMap biasMap = AffineMap::get(4, 0, {getAffineDimExpr(1, ctx)}, ctx);
      init = buildGeneric(
          rewriter, loc, bias, biasMap, createEmpty(rewriter, loc, type),
          rewriter.getMultiDimIdentityMap(4),
          [](OpBuilder &, Location, ValueRange args) { return args[0]; });
    } else {
      init = createFilled(rewriter, loc, type, scalarAttr(elementType, 0.0));
    }

    Attribute strides = rewriter.getI64TensorAttr(op.getStrides());
    Attribute dilations = rewriter.getI64TensorAttr(op.getDilations());
    Value filter = adaptor.getFilter();
    int64_t groups = op.getGroups();
    if (groups == 1) {
      rewriter.replaceOp(op, linalg::Conv2DNchwFchwOp::create(
                                 rewriter, loc, TypeRange{type},
                                 ValueRange{input, filter}, ValueRange{init},
                                 strides, dilations)
                                 .getResults());
      return success();
    }

    // Grouped: split the channel dimensions into (group, per-group).
    auto split = [&](Value value, int64_t dim) {
      auto valueType = cast<RankedTensorType>(value.getType());
      SmallVector<int64_t> shape(valueType.getShape());
      shape[dim] /= groups;
      shape.insert(shape.begin() + dim, groups);
      SmallVector<ReassociationIndices> reassociation;
      for (int64_t i = 0, out = 0; i < valueType.getRank(); ++i) {
        if (i == dim) {
          reassociation.push_back({out, out + 1});
          out += 2;
        } else {
          reassociation.push_back({out++});
        }
      }
      auto splitType = RankedTensorType::get(shape, elementType);
      return std::make_pair(tensor::ExpandShapeOp::create(
                                rewriter, loc, splitType, value, reassociation)
                                .getResult(),
                            reassociation);
    };
    Value groupedInput = split(input, 1).first;
    Value groupedFilter = split(filter, 0).first;
    auto [groupedInit, outReassociation] = split(init, 1);
    auto conv = linalg::Conv2DNgchwGfchwOp::create(
        rewriter, loc, TypeRange{groupedInit.getType()},
        ValueRange{groupedInput, groupedFilter}, ValueRange{groupedInit},
        strides, dilations);
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
        op, type, conv.getResult(0), outReassociation);
    return success();
  }
};

} // namespace

void nncc::populateNnContractionToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<MatMulLowering, Conv2DLowering>(patterns.getContext());
}
