//===- Tiling.h - shared pieces of the CPU tiling ---------------*- C++ -*-===//
//
// What the CPU tiling pass (TileAndVectorize.cpp) shares between its
// convolution strategies (ConvTiling.cpp), its contraction tiling
// (ContractionTiling.cpp) and the helpers they both use (Tiling.cpp):
// docs/design-notes.md "CPU tiling" describes the strategy. Internal to
// compiler/Codegen/Cpu.
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_COMPILER_CODEGEN_CPU_TILING_H
#define NNCC_COMPILER_CODEGEN_CPU_TILING_H

#include "compiler/Codegen/Cpu/TileSizes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/IR/PatternMatch.h"

namespace nncc::cpu {

//===----------------------------------------------------------------------===//
// Helpers (Tiling.cpp)
//===----------------------------------------------------------------------===//

/// Are all of `op`'s operands f32 (or f32 tensors)?
bool allF32(mlir::Operation *op);

/// The body of a multiply-accumulate contraction: out += in0 * in1.
void buildMulAdd(mlir::OpBuilder &builder, mlir::Location loc,
                 mlir::ValueRange args);

/// The elementwise linalg.generic that consumes `op`'s only result through an
/// identity map, if it is the result's only user: the epilogue to fuse.
mlir::linalg::GenericOp findEpilogue(mlir::linalg::LinalgOp op);

/// Is every operand and result of `op` a statically shaped tensor?
bool hasStaticShapes(mlir::Operation *op);

/// The product of `op`'s static loop sizes (dynamic ones left out): its
/// iteration count, or a lower bound on it.
int64_t staticIterations(mlir::linalg::LinalgOp op);

/// The loop for the rows of tiles of `op`: an scf.forall (the threads'
/// loop) unless `op` has fewer than CpuMachine::parallelMinMacs iterations,
/// when waking a worker would cost more than it saves; a dynamic size (the
/// batch) counts as large.
mlir::scf::SCFTilingOptions::LoopType rowLoops(mlir::linalg::LinalgOp op,
                                               const CpuMachine &machine);

/// Tiles `op` with `tiles` (0: not tiled) by loops of `loopType` and
/// replaces it; returns its one tiled copy, or null (leaving `op`) when the
/// tiling fails.
mlir::Operation *tileOp(mlir::RewriterBase &rewriter, mlir::Operation *op,
                        mlir::ArrayRef<int64_t> tiles,
                        mlir::scf::SCFTilingOptions::LoopType loopType =
                            mlir::scf::SCFTilingOptions::LoopType::ForOp);

/// Vectorizes the linalg op `op` (static shapes) in place: its results are
/// replaced by the vector code's. Fails, leaving it, when it cannot.
mlir::LogicalResult vectorizeOp(mlir::RewriterBase &rewriter,
                                mlir::Operation *op);

/// Drops the unit loop dimensions `dims` of `generic` (slicing its operands
/// to match) and replaces it; returns the new op, or null (leaving
/// `generic`) when that fails.
mlir::Operation *dropDims(mlir::RewriterBase &rewriter,
                          mlir::linalg::GenericOp generic,
                          mlir::SmallVector<unsigned> dims);

/// Tiles the first parallel dimension of more than one iteration of `op` by
/// 1 with an scf.forall (a parallel loop for nncc-cpu-parallelize), when the
/// op has at least CpuMachine::parallelMinIterations iterations: below
/// that, waking a thread costs more than it saves. On tensors (the tiling
/// pass's ops) or buffers (the copies and fills bufferization makes).
mlir::LogicalResult splitOuterLoop(mlir::RewriterBase &rewriter,
                                   mlir::linalg::LinalgOp op,
                                   const CpuMachine &machine);

/// Reads each input of `op` that a map indexes with a multiple of a loop
/// (`d * s`: a strided convolution's pixels) through a slice with stride s
/// instead, indexed by the loop itself, so that the op vectorizes: the
/// vectorizer takes projected permutations only.
void unstrideInputs(mlir::RewriterBase &rewriter, mlir::linalg::GenericOp op);

/// Simplifies the tiles in `scope` (tileSimplifications).
void simplifyTiles(mlir::Operation *scope);

/// Simplifies `ops` (the ops of a tile) and only them and the ops that
/// replace them (tileSimplifications): other ops of the scope may be held
/// by the caller.
void simplifyTiles(mlir::ArrayRef<mlir::Operation *> ops);

/// A constant f32 matrix M of K x N (`values` row-major, or `transposed`:
/// stored as N x K, a filter [F, C*KH*KW]) packed into panels of `width`
/// columns, Mp[nb, kk, nt] = M(kk, nb * width + nt), as the constant
/// [N / width, K, width]: a register tile's `width` values of one K step are
/// adjacent, and the next step's follow. An N that `width` does not divide
/// is padded with zero columns to the next multiple.
mlir::Value packPanels(mlir::RewriterBase &rewriter, mlir::Location loc,
                       mlir::DenseElementsAttr values, int64_t k, int64_t n,
                       int64_t width, bool transposed);

/// Whether `value` is a tensor.empty or a slice of one (a tile of it).
bool isEmpty(mlir::Value value);

/// `value` (a static tensor) transposed by `permutation` into a new
/// tensor: result dimension i is `value`'s dimension permutation[i].
mlir::Value transposed(mlir::RewriterBase &rewriter, mlir::Location loc,
                       mlir::Value value, llvm::ArrayRef<int64_t> permutation);

/// Every elementwise generic in `scope` that computes into a new tensor and
/// reads for the last time an input of the same type and map, which a
/// computation made (not a function argument, a constant or a product's
/// result), computes into that input instead (ElementwiseInPlace.cpp).
void computeIntoDeadInputs(mlir::Operation *scope);

/// Whether `op` fills an empty tensor by broadcasting its one input along
/// some dimensions (a layer's bias as the initial accumulator of its
/// convolution or matmul). Not a plain copy (packColumnPanel's).
bool isBroadcastInit(mlir::Operation *op);

/// When `init` is a fill of an empty tensor, or a broadcast into one
/// (isBroadcastInit) that reads no dimension `groups` collapses, the same
/// initialization of a new empty tensor of `shape`, whose dimension i covers
/// the dimensions groups[i] of `init`'s (an old dimension split into several
/// new ones is in each of their groups); else null. The accumulator's
/// initialization then fuses into the tiles (a vector constant or broadcast)
/// instead of being a pass over the whole output that the tiles read back.
mlir::Value refill(mlir::RewriterBase &rewriter, mlir::Location loc,
                   mlir::Value init, mlir::ArrayRef<int64_t> shape,
                   mlir::ArrayRef<mlir::ReassociationIndices> groups);

/// Vectorizes every linalg op in `scope` that has static shapes and at most
/// 4096 iterations (more is no register tile: left to the loop lowering).
void vectorizeOpsIn(mlir::RewriterBase &rewriter, mlir::Operation *scope);

/// A register tile of a batched contraction has parallel dimensions of size
/// 1 besides its m and n (the image of an im2col contraction, the batch of a
/// batch matmul); they are dropped, so that it vectorizes to a plain 2-D
/// contraction (a 3-D one lowers to far worse code). So is a unit m or n of
/// a tile one row or column wide, the remainder of a row of tiles: with it
/// kept as the vectors' last dimension, a 16 x 1 tile lowered to 16 scalar
/// FMAs per K step, as many as a full 16 x 16 tile; without it, to one FMA
/// of the 16 rows by a broadcast. Returns the op to use from now on.
mlir::linalg::LinalgOp dropUnitBatchDims(mlir::RewriterBase &rewriter,
                                         mlir::linalg::LinalgOp op);

/// Fusion control: only the contraction or convolution (or its tiled copy)
/// and the initialization of its accumulator (fills, broadcasts).
mlir::scf::SCFTileAndFuseOptions::ControlFnTy fuseContractionAndFill();

/// Fusion control: as fuseContractionAndFill, and also copies (an all-parallel
/// generic that yields its one input: an im2col copy), for a loop whose
/// tiles each read a slice of the copy that no other tile reads, so that each
/// tile copies its own slice right before its product reads it from cache
/// (tileAndFuse's `throughReshapes` lets the slice reach the copy through the
/// reshape between them).
mlir::scf::SCFTileAndFuseOptions::ControlFnTy fuseContractionFillAndCopies();

/// Fusion control: nothing. For loops inside a task whose accumulators the
/// task initializes: the fusion looks through the loops' iteration
/// arguments to that initialization, and would start the sums again in
/// every step.
mlir::scf::SCFTileAndFuseOptions::ControlFnTy fuseNothing();

/// Tiles `root` with `tiles` (0: not tiled) by loops of `loopType`, fusing
/// the producers `control` accepts (by default the contraction and
/// initializations that feed it); replaces the root's uses. With
/// `throughReshapes`, a slice of a collapse_shape or expand_shape moves above
/// it, so that the producer behind the reshape can be fused too.
mlir::FailureOr<mlir::scf::SCFTileAndFuseResult>
tileAndFuse(mlir::RewriterBase &rewriter, mlir::TilingInterface root,
            mlir::ArrayRef<int64_t> tiles,
            mlir::scf::SCFTilingOptions::LoopType loopType,
            mlir::ArrayRef<int64_t> interchange = {},
            mlir::scf::SCFTileAndFuseOptions::ControlFnTy control =
                fuseContractionAndFill(),
            bool throughReshapes = false);

/// The tiled root in the body of a loop over tiles: the op whose result the
/// loop inserts into the value it yields.
mlir::TilingInterface findTiledRoot(mlir::scf::ForOp loop);

/// Peels `loop` (a loop over the tiles of a row) and returns the roots of
/// its full and remainder tiles.
mlir::SmallVector<mlir::TilingInterface>
peelColumns(mlir::RewriterBase &rewriter, mlir::scf::ForOp loop);

//===----------------------------------------------------------------------===//
// Convolutions (ConvTiling.cpp)
//===----------------------------------------------------------------------===//

/// How `conv` runs: as one im2col copy and contraction for the whole batch,
/// image by image (an scf.for over the batch around them), or as loops.
///
/// Image by image whenever one image's product is big enough for the
/// threads to share (CpuMachine::parallelMinMacs): its copy (ResNet-18's:
/// 1.8-7 MB) is then written and read while it is still in cache, where the
/// whole batch's (16 images: 58 MB) went to memory and back, and ResNet-18's
/// layers ran at half the speed at batch 16 as at batch 1. Whole batches
/// otherwise (LeNet-5's second layer: 240K multiply-adds an image), so that
/// the batch is work for the threads, within the copy limit.
enum class ConvPlan { Loops, Im2Col, Im2ColPerImage };

ConvPlan planConv(mlir::linalg::Conv2DNchwFchwOp conv,
                  const CpuMachine &machine);

/// Rewrites `conv` as an im2col copy and a batched contraction:
///
///   col[n, c, kh, kw, oh, ow] = x[n, c, oh * sh + kh * dh, ow * sw + kw * dw]
///   y[n, f, p] += w[f, (c, kh, kw)] * col[n, (c, kh, kw), p],  p = (oh, ow)
///
/// The copy iterates with ow innermost, so that for unit strides it reads and
/// writes rows of contiguous elements (plain loops the LLVM vectorizer turns
/// into vector copies); upstream's rewriteInIm2Col iterates over the
/// flattened (c, kh, kw) and (oh, ow) and computes a division and a
/// remainder per element.
///
/// A constant filter (inference) is packed at compile time into panels of
/// the register tile's height r, Wp[F / r, K, r], and the product runs over
/// (n, fb, ft, p, k) into [N, F / r, r, OH * OW]:
///
///   y[n, fb, ft, p] += Wp[fb, k, ft] * col[n, k, p]
///
/// so that a tile's r filter values of one K step are adjacent and the next
/// step's follow: the tile's broadcasts stream one panel. Read from W[F, K],
/// they came from r rows K floats apart (ResNet's last layers: 16 rows 18 KB
/// apart, 4 KiB pages of the object's constants), and the K loop stalled on
/// them. The result is collapsed back to [N, F, OH * OW]; its elementwise
/// consumers are expanded to the packed shape later (step 3), to stay
/// epilogues. Returns whether the filter was packed.
bool convertToIm2Col(mlir::RewriterBase &rewriter,
                     mlir::linalg::Conv2DNchwFchwOp conv,
                     const CpuMachine &machine);

/// An scf.for over the images of `conv`'s batch around a convolution of one
/// image and its epilogue (findEpilogue), so that the epilogue still
/// consumes the convolution's result directly; returns that convolution.
/// Only `conv` and its accumulator's initialization join the loop: another
/// convolution feeding the same epilogue (a residual add of two branches)
/// would come in as a convolution of one image that nothing rewrites (it
/// ran as scalar loops).
mlir::linalg::Conv2DNchwFchwOp splitBatch(mlir::RewriterBase &rewriter,
                                          mlir::linalg::Conv2DNchwFchwOp conv);

/// Whether `conv` runs as a direct convolution (tileDirectConv) rather than
/// through im2col: few filters, so that the im2col copy (C*KH*KW*OH*OW per
/// image) would cost about as much as the product (F multiply-adds per
/// copied element), unit strides (each kernel offset reads a contiguous
/// input row) and output rows of at most 4 vectors (one register row).
bool prefersDirectConv(mlir::linalg::Conv2DNchwFchwOp conv,
                       const CpuMachine &machine);

/// A direct convolution: rows over (image, rows of filters, output row),
/// taps over (c, kh, kw): out[f, 0:OW] += w[f, c, kh, kw] * in[c, oh + kh *
/// dh, kw * dw : + OW].
mlir::LogicalResult tileDirectConv(mlir::RewriterBase &rewriter,
                                   mlir::linalg::Conv2DNchwFchwOp conv,
                                   const CpuMachine &machine);

/// Whether `conv` runs with the images innermost instead of direct
/// (tileBatchInnermostConv): a direct convolution's candidate at unit
/// dilations whose input is zero-padded along its columns (the input
/// gradient of a convolution, which pads the output gradient by the kernel
/// less one on every side), of whole vectors of images, accumulating into a
/// fill. Direct, each output row's vector reads the padding's columns too:
/// LeNet-5's second layer's input gradient (10 columns padded to 18, 14
/// outputs in 16 lanes) made 10 of 16 lanes of its multiply-adds useful.
bool prefersBatchInnermostConv(mlir::linalg::Conv2DNchwFchwOp conv,
                               const CpuMachine &machine);

/// The convolution with the images innermost: its unpadded input
/// transposed to [C, H, W, N] and padded as before, a generic over (f, oh,
/// ow, n, c, kh, kw) into [F, OH, OW, N], transposed back to [N, F, OH,
/// OW]; tiled as rows of (rows of filters, one output pixel), columns of
/// images, taps over (c, kh, kw), each an [m, w] multiply-add of broadcast
/// weights by a vector of images. Every lane is an image, and
/// skipPaddedRows takes the taps in the padding out along both rows and
/// columns.
mlir::LogicalResult tileBatchInnermostConv(mlir::RewriterBase &rewriter,
                                           mlir::linalg::Conv2DNchwFchwOp conv,
                                           const CpuMachine &machine);

/// The blocked products' K blocks (tileContraction, tilePackedBlocked) in
/// `scope` start from the accumulators' fill value in registers instead of
/// a filled block of C. Run after the vector code's clean-up, which takes
/// the accumulators' reads out of the K steps' loops.
void startKBlocksFromFill(mlir::Operation *scope);

/// Skips the taps that read rows of zero padding: in `scope`'s vector code,
/// each loop over a kernel row kh whose reads of a zero-padded tensor (a
/// tensor.pad) are at row oh + kh, and only multiplied into vector.fma
/// accumulations, runs kh over the rows inside the input only. Run after the
/// vector code's clean-up, which folds the tiles' slices into the reads.
void skipPaddedRows(mlir::Operation *scope);

/// Whether `op` is a filter gradient's per-image correlation (NnToLinalg's
/// ConvGrad.cpp): loops (n, f, c, kh, kw, oh, ow), p[n, f, c, kh, kw] +=
/// dy[n, f, oh, ow] * x[n, c, oh + kh, ow + kw], f32 and static.
bool isFilterCorrelation(mlir::linalg::GenericOp op);

/// A filter correlation vectorized along ow without copying patches: ow
/// padded with zeros to whole vectors and split into (j, l), the lanes l
/// kept apart, lanes[n, f, c, kh, kw, l] += dy[n, f, oh, j * V + l] *
/// x[n, c, oh + kh, j * V + l + kw], as rows over (image, rows of filters,
/// c, kw) of [m, KH, V] accumulators and taps over (oh, j); then each
/// product is the sum of its lanes.
mlir::LogicalResult tileFilterCorrelation(mlir::RewriterBase &rewriter,
                                          mlir::linalg::GenericOp op,
                                          const CpuMachine &machine);

/// Whether `op` is a filter gradient's per-image correlation with the
/// filters innermost (ConvGrad.cpp): loops (n, c, kh, kw, f, oh, ow),
/// p[n, c, kh, kw, f] += dyT[n, oh, ow, f] * x[n, c, oh + kh, ow + kw], f32
/// and static.
bool isFiltersInnermostCorrelation(mlir::linalg::GenericOp op);

/// A filters-innermost correlation as rows over (image, channels, kernel
/// rows) of [c, kh, KW, F] accumulators (as many as the registers hold,
/// chooseCorrelationTile) and taps over (oh, ow): each tap c * kh * KW
/// broadcasts of the input, read in place, by the gradient's vectors of
/// filters.
mlir::LogicalResult
tileFiltersInnermostCorrelation(mlir::RewriterBase &rewriter,
                                mlir::linalg::GenericOp op,
                                const CpuMachine &machine);

/// Whether `conv` is a depthwise convolution (one input and one output
/// channel per group) that tileDepthwiseConv handles: f32, static, unit
/// strides (each tap reads a contiguous input row).
bool isDepthwiseConv(mlir::linalg::Conv2DNgchwGfchwOp conv);

/// A depthwise convolution (MobileNet's): rows over (image, channel, output
/// row), taps over (kh, kw): out[g, 0:OW] += w[g, kh, kw] * in[g, oh + kh *
/// dh, kw * dw : + OW]. Left to the loop lowering it ran scalar.
mlir::LogicalResult tileDepthwiseConv(mlir::RewriterBase &rewriter,
                                      mlir::linalg::Conv2DNgchwGfchwOp conv,
                                      const CpuMachine &machine);

/// The marker nncc-cpu-block-channels puts on the convolutions (and max
/// poolings) it rewrites over blocks of channels, for tileBlockedConv; the
/// elementwise fusion leaves them alone (it would compute a fused producer
/// once per tap).
inline constexpr llvm::StringLiteral kBlockedConvAttr = "nncc.blocked_conv";

/// The largest channel block b for `conv` in nncc-cpu-block-channels: 4, 2
/// or 1 vectors that divide both its input and output channels (a
/// depthwise convolution's: its groups; only the output channels when there
/// are fewer input channels than a vector: a first layer's three colours,
/// which stay unblocked), or 0 when it stays as it is (dynamic, not f32, few
/// filters, a grouped convolution other than depthwise, or channels that do
/// not split into whole vectors).
int64_t chooseChannelBlock(mlir::linalg::Conv2DNchwFchwOp conv,
                           const CpuMachine &machine);
int64_t chooseChannelBlock(mlir::linalg::Conv2DNgchwGfchwOp conv,
                           const CpuMachine &machine);

/// The channel counts (filters, input channels) a convolution whose own do
/// not split into blocks of `block` (chooseChannelBlock is smaller) takes
/// instead (widenChannels): each rounded up to the block, the input channels
/// kept when fewer than a vector; nothing when that adds more than half the
/// multiply-adds again, or when it could not be blocked anyway.
std::optional<std::pair<int64_t, int64_t>>
chooseWidenedChannels(mlir::linalg::Conv2DNchwFchwOp conv, int64_t block,
                      const CpuMachine &machine);

/// A convolution over blocks of channels (a generic marked kBlockedConvAttr,
/// loops (n, fb, oh, ow, fi, cb, kh, kw, ci); (n, fb, oh, ow, fi, kh, kw, c)
/// for a first layer's unblocked colours; (n, cb, oh, ow, ci, kh, kw) when
/// depthwise or a max pooling), with its elementwise consumer as the root:
/// rows over (output block, image, output row), the parallel loop; columns
/// of output pixels, the remainder peeled (chooseBlockedConvTile); and one
/// kernel tap per step, an FMA of the broadcast input pixels of the column
/// by the block's output channels of the filter, or, depthwise, of the
/// pixels' channels by the filter's (a max for a pooling). A convolution
/// whose rows would each stream a large filter (chooseBlockedConvKChunk)
/// runs instead as tasks over (output block, image, the tile's channels),
/// each over chunks of input channels, then rows and columns, the
/// accumulators read and written back per chunk, its epilogue after it.
mlir::LogicalResult tileBlockedConv(mlir::RewriterBase &rewriter,
                                    mlir::linalg::GenericOp conv,
                                    const CpuMachine &machine);

/// The output tile m (4 or 2) of Winograd's F(m x m, 3 x 3) for the blocked
/// convolution `conv` (Winograd.cpp), or 0 when it runs direct: for a 3x3
/// stride-1 undilated convolution over blocked inputs with a constant
/// filter and one block size in and out, the m whose multiply-adds,
/// filter stream and transforms cost least by CpuMachine's
/// winogradStreamPixels and winogradOverheadPercent, if that beats the
/// direct convolution's.
int64_t chooseWinogradTile(mlir::linalg::GenericOp conv,
                           const CpuMachine &machine);

/// Rewrites the blocked convolution `conv` as Winograd's F(m x m, 3 x 3)
/// (chooseWinogradTile): an input transform, a batch matmul by the filter's
/// transform (a constant) and an output transform that adds the
/// convolution's initial value; fails, leaving it, where m is 0.
mlir::LogicalResult winogradConv(mlir::RewriterBase &rewriter,
                                 mlir::linalg::GenericOp conv,
                                 const CpuMachine &machine);

//===----------------------------------------------------------------------===//
// Contractions (ContractionTiling.cpp)
//===----------------------------------------------------------------------===//

/// A matmul C = A W^T whose B is the transpose of a matrix W[N, K] that is
/// not a constant (a layer's weights in a train step) and is at least twice
/// as large as A and C together: computed as its transpose, C^T = W A^T,
/// which transposes A and C^T instead of W (TransposedProducts.cpp). M
/// must be whole vectors. Returns whether it rewrote.
bool computeTransposedProduct(mlir::RewriterBase &rewriter,
                              mlir::linalg::MatmulOp matmul,
                              const CpuMachine &machine);

/// A matmul whose B is a constant (a layer's weights) reads B in packed
/// panels: B[K, N] becomes the constant Bp[N / w, K, w] (w the register
/// tile's width), and the matmul a contraction over (m, nb, nt, k):
///
///   C[m, nb, nt] += A[m, k] * Bp[nb, k, nt]
///
/// so that the K x w panel a column of tiles reads is contiguous instead of
/// K rows N floats apart (at N = 1024, one page per K step: TLB and cache-set
/// misses held a 1024^3 product to a fifth of peak). The result and the
/// accumulator are viewed as [M, N / w, w]; a zero accumulator is filled
/// again in that shape so it still fuses into the tiles. Returns whether it
/// rewrote.
bool packConstantB(mlir::RewriterBase &rewriter, mlir::linalg::MatmulOp matmul,
                   const CpuMachine &machine);

/// Tiles one contraction (and its epilogue) into vectorized register tiles.
/// Fails (leaving the IR as it was) when it does not apply.
///
/// Two levels: an scf.forall over rows of tiles (batch and m by the register
/// tile's height; the parallel loop, an scf.for for a small product) and an
/// scf.for over the tiles of a row (n by its width), peeled so that every full
/// tile is static and the last, narrower one is static too (its width is the
/// remainder); in either order (see tileColumnsThenRows). K is then streamed by
/// one more scf.for in each tile.
mlir::LogicalResult tileContraction(mlir::RewriterBase &rewriter,
                                    mlir::linalg::LinalgOp contraction,
                                    const CpuMachine &machine);

//===----------------------------------------------------------------------===//
// Transposes (TransposeTiling.cpp)
//===----------------------------------------------------------------------===//

/// A 2-D f32 transpose (weights transposed for a product, a gradient
/// transposed for its filter or weight product), or a batch of them (the
/// result's dimensions before its last two tiled by 1; its second-to-last
/// is the input's last), in blocks of chooseTransposeBlock: an scf.forall over
/// rows of blocks (an scf.for when small or already in an scf.forall), an
/// scf.for over the blocks of a row, each block vectorized (a transposed vector
/// read, lowered to register shuffles). Fails, leaving the op, when it does not
/// apply.
mlir::LogicalResult tileTranspose(mlir::RewriterBase &rewriter,
                                  mlir::linalg::TransposeOp transpose,
                                  const CpuMachine &machine);

} // namespace nncc::cpu

#endif // NNCC_COMPILER_CODEGEN_CPU_TILING_H
