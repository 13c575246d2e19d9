//===- NnToLinalg.h - nn to linalg patterns ---------------------*- C++ -*-===//
//
// Pattern sets of the nn -> linalg lowering, one per op category (the
// importer's Math / NN / Tensor split, one source file each), and the helpers
// they share (Utils.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_COMPILER_CONVERSION_NNTOLINALG_NNTOLINALG_H
#define NNCC_COMPILER_CONVERSION_NNTOLINALG_NNTOLINALG_H

#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::func {
class FuncOp;
} // namespace mlir::func

namespace nncc {

/// Elementwise binary ops, activations, softmax and matmul (Math.cpp).
void populateNnMathToLinalgPatterns(mlir::RewritePatternSet &patterns);
/// Convolution, pooling and global average pooling (NN.cpp).
void populateNnNNToLinalgPatterns(mlir::RewritePatternSet &patterns);
/// Constant, reshape, transpose, broadcast and one_hot (Tensor.cpp).
void populateNnTensorToLinalgPatterns(mlir::RewritePatternSet &patterns);
/// Backward helpers of the training ops (Grad.cpp).
void populateNnGradToLinalgPatterns(mlir::RewritePatternSet &patterns);
/// The contraction forms of the convolution gradients, tried before Grad.cpp's
/// gather forms where they apply (ConvGrad.cpp).
void populateNnConvGradContractionPatterns(mlir::RewritePatternSet &patterns);
/// Optimizer updates and training-step scalars (Optimizers.cpp).
void populateNnOptimizerToLinalgPatterns(mlir::RewritePatternSet &patterns);

namespace lowering {

/// Rewrites every unsigned integer type in `func` to the signless one of its
/// width, recording on each op which operands and results were unsigned
/// (Signless.cpp). convert-nn-to-linalg's first step.
void makeIntegersSignless(mlir::func::FuncOp func);
/// Whether operand / result `index` of `op` was unsigned before
/// makeIntegersSignless.
bool isUnsignedOperand(mlir::Operation *op, unsigned index);
bool isUnsignedResult(mlir::Operation *op, unsigned index);

/// A scalar attribute of `type` (float or integer) holding `value`.
mlir::TypedAttr scalarAttr(mlir::Type type, double value);

/// The batch size (an index): the size of the dynamic dimension of the
/// enclosing function's first argument that has one. Every dynamic size in
/// nn is the batch (NnDialect.td), so this is the size of any `?`.
mlir::Value getBatchSize(mlir::OpBuilder &b, mlir::Location loc);
/// The sizes of `type`'s dynamic dimensions, for tensor.empty and the like.
llvm::SmallVector<mlir::Value> getDynamicSizes(mlir::OpBuilder &b,
                                               mlir::Location loc,
                                               mlir::RankedTensorType type);

/// The sizes of `type` as static index attributes, the batch size for `?`.
llvm::SmallVector<mlir::OpFoldResult>
getMixedSizes(mlir::OpBuilder &b, mlir::Location loc,
              mlir::RankedTensorType type);
/// Index attributes of `values` (offsets, strides).
llvm::SmallVector<mlir::OpFoldResult>
indexAttrs(mlir::OpBuilder &b, llvm::ArrayRef<int64_t> values);

/// How many elements of `type` a reduction to the loops `keptMap` keeps sums
/// per result, as a float scalar of `scalarType`: a constant, times the
/// batch size when the batch is summed over.
mlir::Value reducedCount(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::RankedTensorType type, mlir::AffineMap keptMap,
                         mlir::Type scalarType);

/// tensor.empty of `type`; its dynamic sizes are the batch size.
mlir::Value createEmpty(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::RankedTensorType type);

/// tensor.empty of `type` filled with `value` by linalg.fill.
mlir::Value createFilled(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::RankedTensorType type, mlir::TypedAttr value);

/// Pads `input` by `low`/`high` elements per dimension with `value`;
/// returns `input` itself when no padding is needed.
mlir::Value padTensor(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
                      llvm::ArrayRef<int64_t> low, llvm::ArrayRef<int64_t> high,
                      mlir::TypedAttr value);

/// Pads the spatial dimensions of an NCHW `input` with zeros by `padding`, a
/// convolution's [top, left, bottom, right].
mlir::Value padSpatially(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Value input, llvm::ArrayRef<int64_t> padding);

/// An operand prepared for a linalg.generic over `outputShape` under NumPy
/// broadcasting: dimensions that broadcast (size 1 against a larger size)
/// are collapsed away, so `map` stays a projected permutation.
struct BroadcastOperand {
  mlir::Value value;
  mlir::AffineMap map;
};
BroadcastOperand broadcastOperand(mlir::OpBuilder &b, mlir::Location loc,
                                  mlir::Value operand,
                                  llvm::ArrayRef<int64_t> outputShape,
                                  unsigned numLoops);

/// Computes one scalar result from the scalar arguments of a generic body
/// (the inputs, then the output).
using ScalarBodyFn = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

/// A linalg.generic with `inputs` indexed by `inputMaps`, accumulating into
/// or overwriting `init` indexed by `outMap`. Loops that `outMap` uses are
/// parallel, the others reduce. Returns the result tensor.
mlir::Value buildGeneric(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::ValueRange inputs,
                         llvm::ArrayRef<mlir::AffineMap> inputMaps,
                         mlir::Value init, mlir::AffineMap outMap,
                         ScalarBodyFn body);

/// The element type float sums of `elementType` accumulate in: f64 for
/// narrower floats, else `elementType` itself. The generated loops add in
/// order, so an f32 sum of n elements is off by up to ~n/2 ulps of its
/// partial sums; train-mode batch norm's gradient needs its per-channel
/// sums over N*H*W (12544 at 112x112) far more exactly than that.
mlir::Type sumAccumulatorType(mlir::Type elementType);

/// `value` (a float tensor) converted elementwise to `elementType`
/// (arith.truncf or arith.extf); `value` itself when it is of that type.
mlir::Value castElements(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Value value, mlir::Type elementType);

/// The map of a rank-`rank` loop nest onto the dimensions in `kept`.
mlir::AffineMap dropDimsMap(mlir::MLIRContext *ctx, unsigned rank,
                            llvm::ArrayRef<unsigned> kept);

/// Reshapes through a rank-1 intermediate with collapse/expand_shape, which
/// bufferize to views.
mlir::Value reshapeTensor(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value input, mlir::RankedTensorType type);

/// Grouped convolutions: `type` with dimension `dim` split into (groups,
/// size / groups); the expand_shape that splits `value` so; the
/// collapse_shape that merges dimensions `dim` and `dim + 1` of `value` back
/// into `type`.
mlir::RankedTensorType splitGroupsType(mlir::RankedTensorType type, int64_t dim,
                                       int64_t groups);
mlir::Value splitGroups(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Value value, int64_t dim, int64_t groups);
mlir::Value mergeGroups(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Value value, int64_t dim,
                        mlir::RankedTensorType type);

/// Padding at the bottom/right of a pooled NCHW input so that every window
/// of `outType`, including the ceil-mode overhang, lies inside it.
llvm::SmallVector<int64_t> poolHighPadding(mlir::RankedTensorType inType,
                                           mlir::RankedTensorType outType,
                                           llvm::ArrayRef<int64_t> kernel,
                                           llvm::ArrayRef<int64_t> strides,
                                           llvm::ArrayRef<int64_t> padding,
                                           llvm::ArrayRef<int64_t> dilations);

/// Whether pooling windows neither overlap nor pad: strides == kernel,
/// dilations 1, no padding (LeNet-5's and VGG's 2x2 pools).
bool windowsAreDisjoint(llvm::ArrayRef<int64_t> kernel,
                        llvm::ArrayRef<int64_t> strides,
                        llvm::ArrayRef<int64_t> padding,
                        llvm::ArrayRef<int64_t> dilations);

/// When the windows of a pooling of NCHW `input` into `outType` are disjoint
/// (windowsAreDisjoint), its KH * KW views [N, C, OH, OW], one per
/// kernel offset (a, b) in row-major order: view (a, b) at (oh, ow) is
/// input[.., oh * KH + a, ow * KW + b]. Rows and columns past the last whole
/// window (floor mode) are left out. Empty otherwise. A pooling is then an
/// elementwise op over the views, which vectorizes, instead of a reduction
/// over the window that ran as scalar loops.
llvm::SmallVector<mlir::Value> windowOffsetViews(
    mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
    mlir::RankedTensorType outType, llvm::ArrayRef<int64_t> kernel,
    llvm::ArrayRef<int64_t> strides, llvm::ArrayRef<int64_t> padding,
    llvm::ArrayRef<int64_t> dilations);

/// In the body of an elementwise op over windowOffsetViews (loops n, c, oh,
/// ow), the flat index (h * `width` + w, i64) of the first maximum of
/// `window`, the views' elements in row-major kernel order: strict > keeps
/// the first of equal elements.
mlir::Value windowArgmax(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::ValueRange window,
                         llvm::ArrayRef<int64_t> kernel, int64_t width);

/// The divisor of every window of an average pooling, a constant [OH, OW].
mlir::Value poolDivisors(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::RankedTensorType inType,
                         mlir::RankedTensorType outType,
                         llvm::ArrayRef<int64_t> kernel,
                         llvm::ArrayRef<int64_t> strides,
                         llvm::ArrayRef<int64_t> padding, bool countPadding);

} // namespace lowering
} // namespace nncc

#endif // NNCC_COMPILER_CONVERSION_NNTOLINALG_NNTOLINALG_H
