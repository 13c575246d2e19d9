//===- WidenChannels.cpp - channel counts rounded up to whole blocks -----===//
//
// See WidenChannels.h. ONNX Runtime's NCHWc layout pads such channels too.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Cpu/WidenChannels.h"
#include "compiler/Codegen/Cpu/Tiling.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Utils/Utils.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace nncc;
using namespace nncc::cpu;

namespace {

/// A value standing for a narrower one: the same along every dimension but
/// `dim`, whose first entries are the narrow value's and whose others (the
/// lanes) hold `lane` when it is known (a FloatAttr), else anything.
struct Wide {
  Value value;
  int64_t dim = 0;
  Attribute lane;
};

bool isFiniteLane(Attribute lane) {
  auto value = dyn_cast_or_null<FloatAttr>(lane);
  return value && value.getValue().isFinite();
}

/// `values` (f32) zero-padded at the end of each dimension to `shape`.
DenseElementsAttr padConstant(DenseElementsAttr values,
                              ArrayRef<int64_t> shape) {
  ArrayRef<int64_t> old = values.getType().getShape();
  SmallVector<float> padded(ShapedType::getNumElements(shape), 0.0f);
  auto source = values.getValues<float>();
  SmallVector<int64_t> index(old.size(), 0);
  for (int64_t i = 0, e = values.getNumElements(); i < e; ++i) {
    int64_t at = 0;
    for (size_t d = 0; d < old.size(); ++d)
      at = at * shape[d] + index[d];
    padded[at] = source[i];
    for (int64_t d = old.size() - 1; d >= 0 && ++index[d] == old[d]; --d)
      index[d] = 0;
  }
  return DenseElementsAttr::get(
      RankedTensorType::get(shape, values.getElementType()), ArrayRef(padded));
}

/// The value an elementwise body yields for block arguments of the constant
/// values `args` (null: unknown), by folding; null when it does not fold.
Attribute foldBody(Block &body, ArrayRef<Attribute> args) {
  DenseMap<Value, Attribute> known;
  for (auto [arg, value] : llvm::zip(body.getArguments(), args))
    if (value)
      known[arg] = value;
  for (Operation &op : body) {
    if (auto yield = dyn_cast<linalg::YieldOp>(op))
      return known.lookup(yield.getValues()[0]);
    SmallVector<Attribute> operands;
    for (Value operand : op.getOperands()) {
      // A constant of the body, or one it captures from outside.
      Attribute value = known.lookup(operand);
      if (!value)
        matchPattern(operand, m_Constant(&value));
      operands.push_back(value);
    }
    SmallVector<OpFoldResult> results;
    if (failed(op.fold(operands, results)) ||
        results.size() != op.getNumResults())
      continue;
    for (auto [result, folded] : llvm::zip(op.getResults(), results)) {
      Attribute value = dyn_cast<Attribute>(folded);
      if (!value) {
        // Folded to a value: a block argument, or a constant.
        value = known.lookup(cast<Value>(folded));
        if (!value)
          matchPattern(cast<Value>(folded), m_Constant(&value));
      }
      if (value)
        known[result] = value;
    }
  }
  return {};
}

/// Whether `op` is elementwise (upstream's test: parallel loops, projected
/// permutations, a body of elementwise ops) over tensors, with one result
/// whose map is the identity: a wider result is then the same op over wider
/// operands.
bool isElementwise(linalg::GenericOp op) {
  return linalg::isElementwise(op) && op.hasPureTensorSemantics() &&
         op.getNumDpsInits() == 1 &&
         op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity();
}

/// Whether `value` is computed from constants alone (a bias and its
/// broadcast), so that widening its producers repeats no work.
bool isConstantLike(Value value) {
  if (matchPattern(value, m_Constant()))
    return true;
  if (auto fill = value.getDefiningOp<linalg::FillOp>())
    return isEmpty(fill.getOutputs()[0]) &&
           matchPattern(fill.getInputs()[0], m_Constant());
  auto generic = value.getDefiningOp<linalg::GenericOp>();
  return generic && isElementwise(generic) &&
         llvm::all_of(generic.getDpsInputs(), isConstantLike) &&
         generic.getMatchingBlockArgument(generic.getDpsInitOperand(0))
             .use_empty();
}

class Widener {
public:
  explicit Widener(RewriterBase &rewriter) : rewriter(rewriter) {}

  void widenConv(linalg::Conv2DNchwFchwOp conv, DenseElementsAttr filter,
                 int64_t filters, int64_t channels);

  /// An elementwise op over [N, C, H, W] that reads widened values runs over
  /// the wide ones, and is itself widened.
  void widenConsumer(linalg::GenericOp op);

private:
  /// `narrow` widened along `dim` to `size`: the wide value it is a slice
  /// of, a constant-like producer made again wider, or else padded.
  Wide widen(Value narrow, int64_t dim, int64_t size);
  /// `narrow` padded with zeros along `dim` to `size`.
  Wide padded(Value narrow, int64_t dim, int64_t size);
  std::optional<Wide> widenGeneric(linalg::GenericOp op, int64_t dim,
                                   int64_t size);
  RankedTensorType widerType(Value narrow, int64_t dim, int64_t size) const;
  /// `wide` ([N, C', H, W]) with the channels from `channels` on set to
  /// zero.
  Value zeroLanes(Value wide, int64_t channels);
  /// Replaces `narrow` by the slice of `wide` it stands for.
  void replaceBySlice(Operation *narrow, Wide wide);

  RewriterBase &rewriter;
  /// The slices of widened values standing for the narrow ones.
  DenseMap<Value, Wide> widened;
};

RankedTensorType Widener::widerType(Value narrow, int64_t dim,
                                    int64_t size) const {
  auto type = cast<RankedTensorType>(narrow.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape[dim] = size;
  return type.clone(shape);
}

Wide Widener::widen(Value narrow, int64_t dim, int64_t size) {
  auto known = widened.find(narrow);
  if (known != widened.end() && known->second.dim == dim &&
      cast<ShapedType>(known->second.value.getType()).getShape()[dim] == size)
    return known->second;
  Location loc = narrow.getLoc();
  RankedTensorType type = widerType(narrow, dim, size);
  Attribute zero = rewriter.getZeroAttr(type.getElementType());
  DenseElementsAttr values;
  if (matchPattern(narrow, m_Constant(&values)) &&
      type.getElementType().isF32())
    return {arith::ConstantOp::create(rewriter, loc,
                                      padConstant(values, type.getShape())),
            dim, zero};
  if (auto fill = narrow.getDefiningOp<linalg::FillOp>();
      fill && isEmpty(fill.getOutputs()[0])) {
    Attribute lane;
    matchPattern(fill.getInputs()[0], m_Constant(&lane));
    Value empty = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                          type.getElementType());
    return {linalg::FillOp::create(rewriter, loc, fill.getInputs()[0], empty)
                .getResult(0),
            dim, lane};
  }
  if (auto generic = narrow.getDefiningOp<linalg::GenericOp>();
      generic && isConstantLike(narrow))
    if (std::optional<Wide> wide = widenGeneric(generic, dim, size))
      return *wide;
  return padded(narrow, dim, size);
}

Wide Widener::padded(Value narrow, int64_t dim, int64_t size) {
  Location loc = narrow.getLoc();
  RankedTensorType type = widerType(narrow, dim, size);
  auto zero = cast<TypedAttr>(rewriter.getZeroAttr(type.getElementType()));
  Value padding = arith::ConstantOp::create(rewriter, loc, zero);
  return {tensor::createPadHighOp(type, narrow, padding, /*nofold=*/false, loc,
                                  rewriter),
          dim, zero};
}

std::optional<Wide> Widener::widenGeneric(linalg::GenericOp op, int64_t dim,
                                          int64_t size) {
  if (!isElementwise(op))
    return std::nullopt;
  // Each input reads loop `dim` as one of its dimensions (widened with it)
  // or not at all (read as it is: its lanes then are not constant).
  SmallVector<std::pair<Value, std::optional<int64_t>>> reads;
  for (OpOperand *input : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(input);
    std::optional<int64_t> at;
    for (auto [index, expr] : llvm::enumerate(map.getResults())) {
      if (!expr.isFunctionOfDim(dim))
        continue;
      if (!isa<AffineDimExpr>(expr))
        return std::nullopt;
      at = index;
    }
    reads.push_back({input->get(), at});
  }
  SmallVector<Value> inputs;
  SmallVector<Attribute> lanes;
  for (auto [value, at] : reads) {
    if (!at) {
      inputs.push_back(value);
      Attribute splat;
      DenseElementsAttr values;
      if (matchPattern(value, m_Constant(&values)) && values.isSplat())
        splat = values.getSplatValue<Attribute>();
      lanes.push_back(splat);
      continue;
    }
    Wide wide = widen(value, *at, size);
    inputs.push_back(wide.value);
    lanes.push_back(wide.lane);
  }
  Value init = op.getDpsInits()[0];
  RankedTensorType type = widerType(init, dim, size);
  if (op.getMatchingBlockArgument(op.getDpsInitOperand(0)).use_empty()) {
    init = tensor::EmptyOp::create(rewriter, op.getLoc(), type.getShape(),
                                   type.getElementType());
    lanes.push_back({});
  } else {
    Wide wide = widen(init, dim, size);
    init = wide.value;
    lanes.push_back(wide.lane);
  }
  auto wide = linalg::GenericOp::create(
      rewriter, op.getLoc(), type, inputs, init, op.getIndexingMapsArray(),
      op.getIteratorTypesArray(), /*bodyBuild=*/nullptr,
      linalg::getPrunedAttributeList(op));
  rewriter.cloneRegionBefore(op.getRegion(), wide.getRegion(),
                             wide.getRegion().begin());
  return Wide{wide.getResult(0), dim, foldBody(*wide.getBody(), lanes)};
}

void Widener::replaceBySlice(Operation *narrow, Wide wide) {
  auto type = cast<RankedTensorType>(narrow->getResult(0).getType());
  SmallVector<OpFoldResult> offsets(type.getRank(), rewriter.getIndexAttr(0));
  SmallVector<OpFoldResult> strides(type.getRank(), rewriter.getIndexAttr(1));
  SmallVector<OpFoldResult> sizes;
  for (int64_t size : type.getShape())
    sizes.push_back(rewriter.getIndexAttr(size));
  Value slice = tensor::ExtractSliceOp::create(
      rewriter, narrow->getLoc(), type, wide.value, offsets, sizes, strides);
  rewriter.replaceOp(narrow, slice);
  widened[slice] = wide;
}

Value Widener::zeroLanes(Value wide, int64_t channels) {
  Location loc = wide.getLoc();
  auto type = cast<RankedTensorType>(wide.getType());
  int64_t size = type.getShape()[1];
  SmallVector<float> keep(size, 0.0f);
  std::fill_n(keep.begin(), channels, 1.0f);
  Value mask = arith::ConstantOp::create(
      rewriter, loc,
      DenseElementsAttr::get(
          RankedTensorType::get({size}, rewriter.getF32Type()),
          ArrayRef(keep)));
  Value empty = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                        type.getElementType());
  MLIRContext *context = rewriter.getContext();
  AffineMap identity = AffineMap::getMultiDimIdentityMap(4, context);
  AffineMap channel = AffineMap::get(4, 0, getAffineDimExpr(1, context));
  auto masked = linalg::GenericOp::create(
      rewriter, loc, type, ValueRange{wide, mask}, ValueRange{empty},
      ArrayRef<AffineMap>{identity, channel, identity},
      SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
      [](OpBuilder &b, Location l, ValueRange args) {
        Value zero = arith::ConstantOp::create(b, l, b.getF32FloatAttr(0.0f));
        Value kept = arith::CmpFOp::create(b, l, arith::CmpFPredicate::ONE,
                                           args[1], zero);
        Value result = arith::SelectOp::create(b, l, kept, args[0], zero);
        linalg::YieldOp::create(b, l, result);
      });
  return masked.getResult(0);
}

void Widener::widenConv(linalg::Conv2DNchwFchwOp conv, DenseElementsAttr filter,
                        int64_t filters, int64_t channels) {
  rewriter.setInsertionPoint(conv);
  Location loc = conv.getLoc();
  ArrayRef<int64_t> shape = filter.getType().getShape();
  Value input = conv.getInputs()[0];
  if (channels != shape[1]) {
    // A widened input with finite lanes is read whole: the filter's added
    // channels are zeros. Anything else is padded with zeros.
    auto known = widened.find(input);
    if (known != widened.end() && known->second.dim == 1 &&
        cast<ShapedType>(known->second.value.getType()).getShape()[1] ==
            channels &&
        isFiniteLane(known->second.lane))
      input = known->second.value;
    else
      input = padded(input, 1, channels).value;
  }
  Value wideFilter = arith::ConstantOp::create(
      rewriter, loc,
      padConstant(filter, {filters, channels, shape[2], shape[3]}));
  Wide init{conv.getOutputs()[0], 1, {}};
  if (filters != shape[0])
    init = widen(init.value, 1, filters);
  Operation *wide = rewriter.clone(*conv);
  wide->setOperands({input, wideFilter, init.value});
  wide->getResult(0).setType(init.value.getType());
  if (filters == shape[0]) {
    rewriter.replaceOp(conv, wide->getResults());
    return;
  }
  // The added filters are zeros, but 0 x inf is NaN: the lanes are set to
  // zero after the convolution (a select in its epilogue), so that they are
  // zero whatever the input.
  replaceBySlice(conv, {zeroLanes(wide->getResult(0), shape[0]), 1,
                        rewriter.getZeroAttr(rewriter.getF32Type())});
}

void Widener::widenConsumer(linalg::GenericOp op) {
  if (!isElementwise(op) || op.getNumLoops() != 4)
    return;
  std::optional<int64_t> size;
  for (OpOperand *input : op.getDpsInputOperands()) {
    auto known = widened.find(input->get());
    if (known == widened.end() || known->second.dim != 1 ||
        !op.getMatchingIndexingMap(input).isIdentity())
      continue;
    int64_t wide =
        cast<ShapedType>(known->second.value.getType()).getShape()[1];
    if (size && *size != wide)
      return;
    size = wide;
  }
  if (!size)
    return;
  rewriter.setInsertionPoint(op);
  if (std::optional<Wide> wide = widenGeneric(op, 1, *size))
    replaceBySlice(op, *wide);
}

} // namespace

void nncc::cpu::widenChannels(RewriterBase &rewriter, func::FuncOp func,
                              int64_t block, const CpuMachine &machine) {
  SmallVector<Operation *> ops;
  func.walk([&](Operation *op) {
    if (isa<linalg::Conv2DNchwFchwOp, linalg::GenericOp>(op))
      ops.push_back(op);
  });
  Widener widener(rewriter);
  for (Operation *op : ops) {
    if (auto generic = dyn_cast<linalg::GenericOp>(op)) {
      widener.widenConsumer(generic);
      continue;
    }
    auto conv = cast<linalg::Conv2DNchwFchwOp>(op);
    DenseElementsAttr filter;
    if (!matchPattern(conv.getInputs()[1], m_Constant(&filter)))
      continue;
    if (auto counts = chooseWidenedChannels(conv, block, machine))
      widener.widenConv(conv, filter, counts->first, counts->second);
  }
}
