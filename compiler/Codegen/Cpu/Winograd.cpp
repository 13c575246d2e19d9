//===- Winograd.cpp - 3x3 convolutions by minimal filtering ---------------===//
//
// A blocked 3x3 stride-1 convolution with a constant filter as Winograd's
// F(m x m, 3 x 3) (Lavin and Gray, "Fast Algorithms for Convolutional
// Neural Networks", 2016): each m x m tile of the output is A^T [U . V] A,
// with V = B^T d B the transform of its (m + 2) x (m + 2) input tile d and
// U = G g G^T the transform of the filter, (m + 2)^2 products per tile and
// channel pair where the direct convolution takes 9 m^2: 2.25x fewer with
// m = 2, 4x with m = 4. With a = m + 2:
//
//   V[k, p, c] = (B^T d_{p, c} B)[k]   k = (xi, nu) in a x a, p = (n, th, tw)
//   M[k, p, f] = sum_c V[k, p, c] * U[k, c, f]      (a^2 products: a batch
//                                                     matmul, tileContraction)
//   y[n, f, th * m + i, tw * m + j] = init + (A^T M_{p, f} A)[i, j]
//
// U is computed here at compile time. The input and output transforms are
// vector code written out here, one vector of a block's channels at a
// time, with the matrices' zeros skipped and their ones as additions: a
// linalg form would multiply by every entry of the dense matrices.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Cpu/Tiling.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace nncc::cpu {

namespace {

/// The matrices of F(m x m, 3 x 3), row-major: B^T (a x a), G (a x 3) and
/// A^T (m x a), from Lavin and Gray's paper (m = 2) and Lavin's wincnn
/// (m = 4, interpolation points 0, +-1, +-2).
struct WinogradMatrices {
  int64_t m;
  ArrayRef<double> bt, g, at;
  int64_t alpha() const { return m + 2; }
};

constexpr double kBt2[] = {1, 0, -1, 0, 0, 1, 1, 0, 0, -1, 1, 0, 0, 1, 0, -1};
constexpr double kG2[] = {1, 0, 0, 0.5, 0.5, 0.5, 0.5, -0.5, 0.5, 0, 0, 1};
constexpr double kAt2[] = {1, 1, 1, 0, 0, 1, -1, -1};

constexpr double kBt4[] = {4, 0, -5, 0,  1, 0, 0, -4, -4, 1,  1, 0,
                           0, 4, -4, -1, 1, 0, 0, -2, -1, 2,  1, 0,
                           0, 2, -1, -2, 1, 0, 0, 4,  0,  -5, 0, 1};
constexpr double kG4[] = {1.0 / 4,  0,        0,        -1.0 / 6,  -1.0 / 6,
                          -1.0 / 6, -1.0 / 6, 1.0 / 6,  -1.0 / 6,  1.0 / 24,
                          1.0 / 12, 1.0 / 6,  1.0 / 24, -1.0 / 12, 1.0 / 6,
                          0,        0,        1};
constexpr double kAt4[] = {1, 1, 1, 1, 1, 0, 0, 1, -1, 2, -2, 0,
                           0, 1, 1, 4, 4, 0, 0, 1, -1, 8, -8, 1};

WinogradMatrices winogradMatrices(int64_t m) {
  if (m == 4)
    return {4, kBt4, kG4, kAt4};
  return {2, kBt2, kG2, kAt2};
}

/// sum_i row[i] * values[i] as vector code: zeros skipped, ones and minus
/// ones as additions and subtractions, the rest as FMAs by a splat.
Value combine(OpBuilder &b, Location loc, ArrayRef<double> row,
              ArrayRef<Value> values) {
  auto type = cast<VectorType>(values.front().getType());
  auto splat = [&](double c) -> Value {
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(type, b.getF32FloatAttr(float(c))));
  };
  Value sum;
  for (auto [c, v] : llvm::zip_equal(row, values)) {
    if (c == 0)
      continue;
    if (!sum) {
      sum = c == 1    ? v
            : c == -1 ? arith::NegFOp::create(b, loc, v).getResult()
                      : arith::MulFOp::create(b, loc, v, splat(c)).getResult();
    } else if (c == 1) {
      sum = arith::AddFOp::create(b, loc, sum, v);
    } else if (c == -1) {
      sum = arith::SubFOp::create(b, loc, sum, v);
    } else {
      sum = vector::FMAOp::create(b, loc, v, splat(c), sum);
    }
  }
  return sum ? sum : splat(0);
}

/// R^T X R of the rows x rows tile `x` (row-major) for the r x rows matrix
/// R^T `rt` (row-major): the r x r result, row-major.
SmallVector<Value> sandwich(OpBuilder &b, Location loc, ArrayRef<double> rt,
                            int64_t r, int64_t rows, ArrayRef<Value> x) {
  // T = R^T X, r x rows: each column of X combined by R^T's rows.
  SmallVector<Value> t(r * rows);
  for (int64_t j = 0; j < rows; ++j) {
    SmallVector<Value> column;
    for (int64_t i = 0; i < rows; ++i)
      column.push_back(x[i * rows + j]);
    for (int64_t i = 0; i < r; ++i)
      t[i * rows + j] = combine(b, loc, rt.slice(i * rows, rows), column);
  }
  // T R, r x r: each row of T combined by R^T's rows.
  SmallVector<Value> y(r * r);
  for (int64_t i = 0; i < r; ++i)
    for (int64_t j = 0; j < r; ++j)
      y[i * r + j] = combine(b, loc, rt.slice(j * rows, rows),
                             ArrayRef(t).slice(i * rows, rows));
  return y;
}

/// The index constant v.
Value index(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

/// a * s + c for an index a.
Value scaled(OpBuilder &b, Location loc, Value a, int64_t s, int64_t c = 0) {
  Value r = s == 1 ? a : arith::MulIOp::create(b, loc, a, index(b, loc, s));
  return c ? arith::AddIOp::create(b, loc, r, index(b, loc, c)).getResult() : r;
}

/// The permutation map of a transfer along dimensions `dims` of a rank-`rank`
/// tensor.
AffineMap alongDims(OpBuilder &b, unsigned rank, ArrayRef<unsigned> dims) {
  SmallVector<AffineExpr> results;
  for (unsigned d : dims)
    results.push_back(b.getAffineDimExpr(d));
  return AffineMap::get(rank, 0, results, b.getContext());
}

/// The vector of `shape` (f32) read from `source` at `indices` along its
/// dimensions `dims` (by default its last ones), in bounds: one op where
/// one read per vector of lanes would leave bufferization's analysis
/// hundreds of tensor reads and writes per loop to compare.
Value readVectors(OpBuilder &b, Location loc, Value source,
                  ArrayRef<Value> indices, ArrayRef<int64_t> shape,
                  unsigned rank, ArrayRef<unsigned> dims = {}) {
  auto type = VectorType::get(shape, b.getF32Type());
  SmallVector<unsigned> along(dims);
  if (along.empty())
    for (unsigned d = rank - shape.size(); d < rank; ++d)
      along.push_back(d);
  AffineMap map = alongDims(b, rank, along);
  Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
  SmallVector<bool> inBounds(shape.size(), true);
  return vector::TransferReadOp::create(b, loc, type, source, indices, zero,
                                        map, ArrayRef(inBounds));
}

/// Writes `value` into the tensor `dest` at `indices` along its dimensions
/// `dims`, in bounds; returns the new tensor.
Value writeVectors(OpBuilder &b, Location loc, Value value, Value dest,
                   ArrayRef<Value> indices, ArrayRef<unsigned> dims) {
  unsigned rank = cast<RankedTensorType>(dest.getType()).getRank();
  AffineMap map = alongDims(b, rank, dims);
  SmallVector<bool> inBounds(dims.size(), true);
  return vector::TransferWriteOp::create(b, loc, value, dest, indices, map,
                                         ArrayRef(inBounds))
      .getResult();
}

/// The vectors of lanes (the last dimension) of `value`, row-major.
SmallVector<Value> splitVectors(OpBuilder &b, Location loc, Value value) {
  auto type = cast<VectorType>(value.getType());
  int64_t lanes = type.getShape().back();
  int64_t count = type.getNumElements() / lanes;
  Value rows = vector::ShapeCastOp::create(
      b, loc, VectorType::get({count, lanes}, type.getElementType()), value);
  SmallVector<Value> result;
  for (int64_t i = 0; i < count; ++i)
    result.push_back(vector::ExtractOp::create(b, loc, rows, i));
  return result;
}

/// The vectors `rows` (one type) as the rows of one 2-D vector.
Value joinVectors(OpBuilder &b, Location loc, ArrayRef<Value> rows) {
  auto row = cast<VectorType>(rows.front().getType());
  auto type = VectorType::get({int64_t(rows.size()), row.getShape()[0]},
                              row.getElementType());
  // Strided inserts: a chain of vector.insert would be canonicalized to a
  // vector.from_elements of every lane.
  Value result = ub::PoisonOp::create(b, loc, type);
  for (auto [i, v] : llvm::enumerate(rows))
    result = vector::InsertStridedSliceOp::create(
        b, loc, v, result, ArrayRef<int64_t>{int64_t(i), 0},
        ArrayRef<int64_t>{1});
  return result;
}

/// The shapes of one rewrite: x [N, CB, H, W, b] (padded: H >= TH * m + 2),
/// y [N, FB, TH * m, TW * m, b].
struct Shapes {
  WinogradMatrices w;
  int64_t n, cb, fb, th, tw, block, lanes;
  int64_t tiles() const { return n * th * tw; }
};

/// An scf.forall over `ubs` with `init` as its shared output: each task
/// takes the slice of the output that `where` places (offsets and sizes from
/// the ivs), `body` makes its new value, and the task inserts that back.
Value forallSlices(
    OpBuilder &b, Location loc, ArrayRef<int64_t> ubs, Value init,
    function_ref<std::pair<SmallVector<OpFoldResult>, SmallVector<int64_t>>(
        OpBuilder &, ValueRange)>
        where,
    function_ref<Value(OpBuilder &, ValueRange, Value)> body) {
  SmallVector<OpFoldResult> bounds;
  for (int64_t ub : ubs)
    bounds.push_back(b.getIndexAttr(ub));
  auto forall =
      scf::ForallOp::create(b, loc, bounds, ValueRange{init}, std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(forall.getBody());
  SmallVector<Value> ivs(forall.getInductionVars());
  auto [offsets, sizes] = where(b, ivs);
  SmallVector<OpFoldResult> sizeAttrs, strides;
  for (int64_t s : sizes) {
    sizeAttrs.push_back(b.getIndexAttr(s));
    strides.push_back(b.getIndexAttr(1));
  }
  Value out = forall.getRegionIterArgs()[0];
  Value slice = tensor::ExtractSliceOp::create(
      b, loc, RankedTensorType::get(sizes, b.getF32Type()), out, offsets,
      sizeAttrs, strides);
  Value result = body(b, ivs, slice);
  b.setInsertionPointToStart(forall.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(b, loc, result, out, offsets, sizeAttrs,
                                        strides);
  return forall.getResult(0);
}

/// An scf.for over [0, count) carrying `init`, its body built by `body`.
Value forCarrying(OpBuilder &b, Location loc, int64_t count, Value init,
                  function_ref<Value(OpBuilder &, Value, Value)> body) {
  auto loop = scf::ForOp::create(
      b, loc, index(b, loc, 0), index(b, loc, count), index(b, loc, 1),
      ValueRange{init},
      [&](OpBuilder &nested, Location l, Value iv, ValueRange args) {
        scf::YieldOp::create(nested, l, body(nested, iv, args[0]));
      });
  return loop.getResult(0);
}

/// V[a^2, N * TH * TW, CB * b] from x: a task per (image, tile row, input
/// block), a loop over the row's tiles, and per vector of the block's
/// channels the tile's a^2 vectors read, transformed and written.
Value transformInput(OpBuilder &b, Location loc, Value x, const Shapes &s) {
  int64_t m = s.w.m, a = s.w.alpha();
  Type f32 = b.getF32Type();
  Value empty = tensor::EmptyOp::create(
      b, loc, ArrayRef<int64_t>{a * a, s.tiles(), s.cb * s.block}, f32);
  return forallSlices(
      b, loc, {s.n, s.th, s.cb}, empty,
      [&](OpBuilder &nb, ValueRange ivs) {
        Value row = arith::AddIOp::create(
            nb, loc, scaled(nb, loc, ivs[0], s.th), ivs[1]);
        SmallVector<OpFoldResult> offsets = {nb.getIndexAttr(0),
                                             scaled(nb, loc, row, s.tw),
                                             scaled(nb, loc, ivs[2], s.block)};
        return std::make_pair(offsets,
                              SmallVector<int64_t>{a * a, s.tw, s.block});
      },
      [&](OpBuilder &nb, ValueRange ivs, Value slice) {
        return forCarrying(
            nb, loc, s.tw, slice, [&](OpBuilder &lb, Value tw, Value acc) {
              return forCarrying(
                  lb, loc, s.block / s.lanes, acc,
                  [&](OpBuilder &gb, Value g, Value acc) {
                    Value lane = scaled(gb, loc, g, s.lanes);
                    Value tile =
                        readVectors(gb, loc, x,
                                    {ivs[0], ivs[2], scaled(gb, loc, ivs[1], m),
                                     scaled(gb, loc, tw, m), lane},
                                    {a, a, s.lanes}, 5);
                    SmallVector<Value> v = sandwich(
                        gb, loc, s.w.bt, a, a, splitVectors(gb, loc, tile));
                    return writeVectors(gb, loc, joinVectors(gb, loc, v), acc,
                                        {index(gb, loc, 0), tw, lane}, {0, 2});
                  });
            });
      });
}

/// init + the inverse transform of M[a^2, N * TH * TW, FB * b], as y [N,
/// FB, TH * m, TW * m, b]: a task per (image, tile row, output block), a
/// loop over the row's tiles, per vector of the block's channels.
Value transformOutput(OpBuilder &b, Location loc, Value product, Value init,
                      const Shapes &s) {
  int64_t m = s.w.m, a = s.w.alpha();
  return forallSlices(
      b, loc, {s.n, s.th, s.fb}, init,
      [&](OpBuilder &nb, ValueRange ivs) {
        SmallVector<OpFoldResult> offsets = {
            ivs[0], ivs[2], scaled(nb, loc, ivs[1], m), nb.getIndexAttr(0),
            nb.getIndexAttr(0)};
        return std::make_pair(offsets,
                              SmallVector<int64_t>{1, 1, m, s.tw * m, s.block});
      },
      [&](OpBuilder &nb, ValueRange ivs, Value slice) {
        Value row = arith::AddIOp::create(
            nb, loc, scaled(nb, loc, ivs[0], s.th), ivs[1]);
        Value first = scaled(nb, loc, row, s.tw);
        return forCarrying(
            nb, loc, s.tw, slice, [&](OpBuilder &lb, Value tw, Value acc) {
              Value p = arith::AddIOp::create(lb, loc, first, tw);
              return forCarrying(
                  lb, loc, s.block / s.lanes, acc,
                  [&](OpBuilder &gb, Value g, Value acc) {
                    Value lane = scaled(gb, loc, g, s.lanes);
                    Value f = arith::AddIOp::create(
                        gb, loc, scaled(gb, loc, ivs[2], s.block), lane);
                    Value mk =
                        readVectors(gb, loc, product, {index(gb, loc, 0), p, f},
                                    {a * a, s.lanes}, 3, {0, 2});
                    SmallVector<Value> y = sandwich(gb, loc, s.w.at, m, a,
                                                    splitVectors(gb, loc, mk));
                    Value c0 = index(gb, loc, 0);
                    SmallVector<Value> at = {c0, c0, c0, scaled(gb, loc, tw, m),
                                             lane};
                    Value old =
                        readVectors(gb, loc, acc, at, {m, m, s.lanes}, 5);
                    Value sum = arith::AddFOp::create(
                        gb, loc, old,
                        vector::ShapeCastOp::create(
                            gb, loc, cast<VectorType>(old.getType()),
                            joinVectors(gb, loc, y)));
                    return writeVectors(gb, loc, sum, acc, at, {2, 3, 4});
                  });
            });
      });
}

/// U[a^2, C, F] = G g G^T for the packed filter Wp[FB, CB, 3, 3, b (ci), b
/// (fi)] (BlockChannels.cpp), in double then rounded.
Value transformFilter(OpBuilder &b, Location loc, DenseElementsAttr filter,
                      const Shapes &s) {
  int64_t a = s.w.alpha(), block = s.block;
  int64_t channels = s.cb * block, filters = s.fb * block;
  auto source = llvm::to_vector(filter.getValues<float>());
  SmallVector<float> u(a * a * channels * filters);
  ArrayRef<double> g = s.w.g;
  for (int64_t fb = 0; fb < s.fb; ++fb)
    for (int64_t cb = 0; cb < s.cb; ++cb)
      for (int64_t ci = 0; ci < block; ++ci)
        for (int64_t fi = 0; fi < block; ++fi) {
          double w[3][3];
          for (int64_t kh = 0; kh < 3; ++kh)
            for (int64_t kw = 0; kw < 3; ++kw)
              w[kh][kw] =
                  source[((((fb * s.cb + cb) * 3 + kh) * 3 + kw) * block + ci) *
                             block +
                         fi];
          int64_t c = cb * block + ci, f = fb * block + fi;
          for (int64_t xi = 0; xi < a; ++xi)
            for (int64_t nu = 0; nu < a; ++nu) {
              double sum = 0;
              for (int64_t kh = 0; kh < 3; ++kh)
                for (int64_t kw = 0; kw < 3; ++kw)
                  sum += g[xi * 3 + kh] * w[kh][kw] * g[nu * 3 + kw];
              u[((xi * a + nu) * channels + c) * filters + f] = float(sum);
            }
        }
  auto type = RankedTensorType::get({a * a, channels, filters}, b.getF32Type());
  return arith::ConstantOp::create(b, loc,
                                   DenseElementsAttr::get(type, ArrayRef(u)));
}

/// `value` with `extra` zeros after each dimension (a no-op where none): a
/// zero padding of it made larger where it is one, else a new one.
Value padHigh(OpBuilder &b, Location loc, Value value,
              ArrayRef<int64_t> extra) {
  if (llvm::all_of(extra, [](int64_t e) { return e == 0; }))
    return value;
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> low(extra.size(), 0), high(extra);
  auto pad = value.getDefiningOp<tensor::PadOp>();
  Value padding = pad ? pad.getConstantPaddingValue() : Value();
  if (padding && matchPattern(padding, m_AnyZeroFloat()) &&
      llvm::none_of(pad.getStaticLow(), ShapedType::isDynamic) &&
      llvm::none_of(pad.getStaticHigh(), ShapedType::isDynamic)) {
    low = llvm::to_vector(pad.getStaticLow());
    for (auto [h, p] : llvm::zip_equal(high, pad.getStaticHigh()))
      h += p;
    value = pad.getSource();
  }
  SmallVector<int64_t> shape(type.getShape());
  for (auto [d, e] : llvm::zip_equal(shape, extra))
    d += e;
  Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
  return tensor::PadOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()), value,
      getAsIndexOpFoldResult(b.getContext(), low),
      getAsIndexOpFoldResult(b.getContext(), high), zero);
}

/// The constant packed filter of a blocked 3x3 stride-1 convolution over
/// blocked inputs that Winograd can take, or null.
DenseElementsAttr winogradFilter(linalg::GenericOp conv) {
  if (conv.getNumDpsInputs() != 2 || conv.getNumLoops() != 9 ||
      !hasStaticShapes(conv) || !allF32(conv))
    return {};
  DenseElementsAttr filter;
  auto filterType = cast<RankedTensorType>(conv.getInputs()[1].getType());
  if (filterType.getRank() != 6 || filterType.getDimSize(2) != 3 ||
      filterType.getDimSize(3) != 3 ||
      !matchPattern(conv.getInputs()[1], m_Constant(&filter)))
    return {};
  MLIRContext *context = conv.getContext();
  AffineExpr n, fb, oh, ow, fi, cb, kh, kw, ci;
  bindDims(context, n, fb, oh, ow, fi, cb, kh, kw, ci);
  SmallVector<AffineMap> expected = {
      AffineMap::get(9, 0, {n, cb, oh + kh, ow + kw, ci}, context),
      AffineMap::get(9, 0, {fb, cb, kh, kw, ci, fi}, context),
      AffineMap::get(9, 0, {n, fb, oh, ow, fi}, context)};
  // One block size in and out: V's channels and U's rows are both C.
  if (conv.getIndexingMapsArray() != expected ||
      filterType.getDimSize(4) != filterType.getDimSize(5))
    return {};
  return filter;
}

} // namespace

int64_t chooseWinogradTile(linalg::GenericOp conv, const CpuMachine &machine) {
  DenseElementsAttr filter = winogradFilter(conv);
  if (!filter)
    return 0;
  // Input and output channel pairs, each 9 values before the transform.
  int64_t pairs = filter.getNumElements() / 9;
  ArrayRef<int64_t> y =
      cast<RankedTensorType>(conv.getOutputs()[0].getType()).getShape();
  if (y[4] % machine.lanes() != 0)
    return 0;
  // Per pair of channels: the direct convolution's 9 multiply-adds per
  // pixel and F(m x m, 3 x 3)'s a^2 per tile, each plus its filter's
  // stream (9 or a^2 values, each as costly as winogradStreamPixels
  // pixels' multiply-adds); Winograd's scaled up by its transforms.
  int64_t stream = machine.winogradStreamPixels;
  int64_t best = 0, bestCost = 9 * (y[0] * y[2] * y[3] + stream) * 100 /
                               (100 + machine.winogradOverheadPercent);
  for (int64_t m : {4, 2}) {
    if ((m + 2) * (m + 2) * pairs * 4 > machine.winogradMaxFilterBytes)
      continue;
    int64_t tiles = y[0] * ((y[2] + m - 1) / m) * ((y[3] + m - 1) / m);
    int64_t cost = (m + 2) * (m + 2) * (tiles + stream);
    if (cost < bestCost) {
      best = m;
      bestCost = cost;
    }
  }
  return best;
}

LogicalResult winogradConv(RewriterBase &rewriter, linalg::GenericOp conv,
                           const CpuMachine &machine) {
  int64_t m = chooseWinogradTile(conv, machine);
  if (!m)
    return failure();
  DenseElementsAttr filter = winogradFilter(conv);
  ArrayRef<int64_t> y =
      cast<RankedTensorType>(conv.getOutputs()[0].getType()).getShape();
  ArrayRef<int64_t> x =
      cast<RankedTensorType>(conv.getInputs()[0].getType()).getShape();
  Shapes s{
      winogradMatrices(m),  y[0], x[1],           y[1], ((y[2] + m - 1) / m),
      ((y[3] + m - 1) / m), y[4], machine.lanes()};
  Location loc = conv.getLoc();
  rewriter.setInsertionPoint(conv);
  // Ragged sides: the input padded to whole tiles, the output computed
  // over them and sliced.
  int64_t extraRows = s.th * m - y[2], extraColumns = s.tw * m - y[3];
  SmallVector<int64_t> extra = {0, 0, extraRows, extraColumns, 0};
  Value input = padHigh(rewriter, loc, conv.getInputs()[0],
                        {0, 0, s.th * m + 2 - x[2], s.tw * m + 2 - x[3], 0});
  Value init = padHigh(rewriter, loc, conv.getOutputs()[0], extra);
  Value v = transformInput(rewriter, loc, input, s);
  Value u = transformFilter(rewriter, loc, filter, s);
  int64_t a = s.w.alpha();
  Type f32 = rewriter.getF32Type();
  Value empty = tensor::EmptyOp::create(
      rewriter, loc, ArrayRef<int64_t>{a * a, s.tiles(), s.fb * s.block}, f32);
  Value zero =
      arith::ConstantOp::create(rewriter, loc, rewriter.getF32FloatAttr(0));
  Value acc = linalg::FillOp::create(rewriter, loc, zero, empty).getResult(0);
  Value product =
      linalg::BatchMatmulOp::create(rewriter, loc, TypeRange{acc.getType()},
                                    ValueRange{v, u}, ValueRange{acc})
          .getResult(0);
  Value result = transformOutput(rewriter, loc, product, init, s);
  if (extraRows || extraColumns) {
    SmallVector<OpFoldResult> offsets(5, rewriter.getIndexAttr(0)),
        sizes = getAsIndexOpFoldResult(rewriter.getContext(), y),
        strides(5, rewriter.getIndexAttr(1));
    result = tensor::ExtractSliceOp::create(rewriter, loc, result, offsets,
                                            sizes, strides);
  }
  rewriter.replaceOp(conv, result);
  return success();
}

} // namespace nncc::cpu
