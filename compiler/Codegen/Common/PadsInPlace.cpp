//===- PadsInPlace.cpp - the nncc-pads-in-place pass ----------------------===//

#include "compiler/Codegen/Common/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

namespace nncc {
#define GEN_PASS_DEF_PADSINPLACE
#include "compiler/Codegen/Common/Passes.h.inc"
} // namespace nncc

using namespace mlir;

namespace {

/// The init operand holding the tensor.empty that `value` is computed into,
/// or null: `value` is a result of a destination-style op, an scf.forall or
/// an scf.for, and the result's tied init is a tensor.empty.
OpOperand *emptyInit(Value value) {
  auto result = dyn_cast<OpResult>(value);
  if (!result)
    return nullptr;
  Operation *op = result.getOwner();
  OpOperand *init = nullptr;
  if (auto forall = dyn_cast<scf::ForallOp>(op))
    init = forall.getTiedOpOperand(result);
  else if (auto loop = dyn_cast<scf::ForOp>(op))
    init = loop.getTiedLoopInit(result);
  else if (auto dps = dyn_cast<DestinationStyleOpInterface>(op))
    init = dps.getTiedOpOperand(result);
  if (!init || !init->get().getDefiningOp<tensor::EmptyOp>())
    return nullptr;
  return init;
}

/// `padded` (the pad's result shape) with its border, what the pad adds,
/// filled with `value`: for each padded dimension d, its low and high slabs
/// (the dimensions before d over the source's extent, those after whole).
/// The interior is left for the computation: filled, it was written twice.
Value fillBorder(OpBuilder &builder, Location loc, Value value, Value padded,
                 tensor::PadOp pad) {
  ArrayRef<int64_t> shape = pad.getResultType().getShape();
  ArrayRef<int64_t> low = pad.getStaticLow();
  ArrayRef<int64_t> source = pad.getSourceType().getShape();
  int64_t rank = shape.size();
  auto fillSlab = [&](ArrayRef<int64_t> offsets, ArrayRef<int64_t> sizes) {
    SmallVector<OpFoldResult> strides(rank, builder.getIndexAttr(1));
    SmallVector<OpFoldResult> at =
        getAsIndexOpFoldResult(builder.getContext(), offsets);
    SmallVector<OpFoldResult> extent =
        getAsIndexOpFoldResult(builder.getContext(), sizes);
    Value slab = tensor::ExtractSliceOp::create(builder, loc, padded, at,
                                                extent, strides);
    Value filled =
        linalg::FillOp::create(builder, loc, value, slab).getResult(0);
    padded = tensor::InsertSliceOp::create(builder, loc, filled, padded, at,
                                           extent, strides);
  };
  for (int64_t d = 0; d < rank; ++d) {
    SmallVector<int64_t> offsets(rank, 0), sizes(shape);
    for (int64_t e = 0; e < d; ++e) {
      offsets[e] = low[e];
      sizes[e] = source[e];
    }
    int64_t high = shape[d] - low[d] - source[d];
    if (low[d] > 0) {
      sizes[d] = low[d];
      fillSlab(offsets, sizes);
    }
    if (high > 0) {
      offsets[d] = low[d] + source[d];
      sizes[d] = high;
      fillSlab(offsets, sizes);
    }
  }
  return padded;
}

/// Rewrites `pad` (see Passes.td) when it qualifies. Upstream's empty-tensor
/// elimination does the same for an insert_slice, but only where the
/// destination already dominates the empty tensor: a pad's buffer is made
/// after its source, so the fill is made here, before the computation.
void padInPlace(tensor::PadOp pad) {
  TypedAttr padding;
  RankedTensorType type = pad.getResultType();
  if (!type.hasStaticShape() || !pad.getSourceType().hasStaticShape() ||
      ShapedType::isDynamicShape(pad.getStaticLow()))
    return;
  Value value = pad.getConstantPaddingValue();
  if (!value || !matchPattern(value, m_Constant(&padding)))
    return;
  // The source, or what it collapses (a max pooling's gradient, computed
  // as [N, C, OH, KH, OW, KW] and viewed as [N, C, H, W]), computed into an
  // empty tensor.
  Value source = pad.getSource();
  auto collapse = source.getDefiningOp<tensor::CollapseShapeOp>();
  Value computed = collapse ? collapse.getSrc() : source;
  OpOperand *init = emptyInit(computed);
  if (!init ||
      (collapse && !cast<ShapedType>(computed.getType()).hasStaticShape()))
    return;
  Location loc = pad.getLoc();
  OpBuilder builder(init->getOwner());
  Value constant = arith::ConstantOp::create(builder, loc, padding);
  Value empty = tensor::EmptyOp::create(builder, loc, type.getShape(),
                                        type.getElementType());
  Value filled = fillBorder(builder, loc, constant, empty, pad);
  SmallVector<OpFoldResult> offsets =
      getAsIndexOpFoldResult(builder.getContext(), pad.getStaticLow());
  SmallVector<OpFoldResult> sizes = getAsIndexOpFoldResult(
      builder.getContext(), pad.getSourceType().getShape());
  SmallVector<OpFoldResult> strides(type.getRank(), builder.getIndexAttr(1));
  // The interior of `padded` as the source's type, or the computed one's.
  auto interiorOf = [&](Value padded, bool expanded) -> Value {
    Value slice = tensor::ExtractSliceOp::create(
        builder, loc, pad.getSourceType(), padded, offsets, sizes, strides);
    if (!expanded)
      return slice;
    return tensor::ExpandShapeOp::create(builder, loc, computed.getType(),
                                         slice,
                                         collapse.getReassociationIndices());
  };
  Operation *oldEmpty = init->get().getDefiningOp();
  init->set(interiorOf(filled, bool(collapse)));
  if (oldEmpty->use_empty())
    oldEmpty->erase();
  builder.setInsertionPoint(pad);
  auto inserted = tensor::InsertSliceOp::create(builder, loc, source, filled,
                                                offsets, sizes, strides);
  pad.replaceAllUsesWith(inserted.getResult());
  // Readers of the source (or of what it collapses) after the pad read the
  // padded tensor's interior instead: the same values, but a read of the
  // source after its insert made One-Shot Bufferize give the source a buffer
  // of its own, copied into the padded one.
  builder.setInsertionPointAfter(inserted);
  auto readInterior = [&](Value value, bool expanded) {
    Value interior;
    for (OpOperand &use : llvm::make_early_inc_range(value.getUses())) {
      Operation *user = pad->getBlock()->findAncestorOpInBlock(*use.getOwner());
      if (!user || user == inserted || user == collapse ||
          !pad->isBeforeInBlock(user))
        continue;
      if (!interior)
        interior = interiorOf(inserted.getResult(), expanded);
      use.set(interior);
    }
  };
  readInterior(source, false);
  if (collapse)
    readInterior(computed, true);
  pad.erase();
}

struct PadsInPlacePass : nncc::impl::PadsInPlaceBase<PadsInPlacePass> {
  void runOnOperation() override {
    SmallVector<tensor::PadOp> pads;
    getOperation()->walk([&](tensor::PadOp pad) { pads.push_back(pad); });
    for (tensor::PadOp pad : pads)
      padInPlace(pad);
  }
};

} // namespace
