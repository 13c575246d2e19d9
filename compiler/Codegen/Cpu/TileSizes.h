//===- TileSizes.h - the CPU tiling cost model ------------------*- C++ -*-===//
//
// Every tile size the CPU code generation uses comes from here, so that the
// choice is made (and documented, docs/design-notes.md "CPU tiling") in one
// place.
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_COMPILER_CODEGEN_CPU_TILESIZES_H
#define NNCC_COMPILER_CODEGEN_CPU_TILESIZES_H

#include <cstdint>
#include <optional>

namespace nncc {

/// What the cost model knows about the machine.
struct CpuMachine {
  /// Widest vector register in bits (128, 256 or 512).
  unsigned vectorBits = 128;
  /// f32 lanes in one vector register.
  unsigned lanes() const { return vectorBits / 32; }
  /// Architectural vector registers: 32 with AVX-512, 16 otherwise.
  unsigned vectorRegisters() const { return vectorBits >= 512 ? 32 : 16; }
  /// Whether a vector of a ragged width narrower than a register (14 of 16
  /// lanes) loads and stores under a mask (AVX-512's k registers;
  /// LowerVectors.cpp). Without masks LLVM splits such a vector into
  /// power-of-two pieces on every access.
  bool masksRaggedVectors() const { return vectorBits >= 512; }
  /// The largest im2col copy a convolution may make (it lives in the
  /// workspace during the convolution): 64 MiB, the copy of ResNet-50's
  /// first layer at batch 8.
  int64_t im2colLimitBytes = int64_t(64) << 20;
  /// One core's L2 cache (the target's, CpuTarget::l2Bytes: 2 MiB on a
  /// Xeon, 512 KiB on a Zen 3). A contraction whose A fits half of it and
  /// whose B does not runs columns of tiles outermost (ContractionTiling.cpp,
  /// isLargeProduct).
  int64_t l2Bytes = int64_t(2) << 20;
  /// The bytes of B (K x N) a contraction may have and still be read by
  /// every row of tiles from cache (above it, columns of tiles go
  /// outermost), and the cache budget of the blocked convolutions' loop
  /// order (blockedConvOrder) and of a packed product's blocks
  /// (chooseGemmBlocks): 1 MiB, half of a Xeon's L2. Measured on the Zen 3
  /// too, where half its own L2 (256 KiB) made MobileNet-V2 at batch 16
  /// 1.02-1.17x slower through the convolution order and 512^3 1.27x
  /// slower, and GEMM blocks from its caches ran no faster.
  int64_t cacheBytes = int64_t(1) << 20;
  /// The fewest iterations an op other than a contraction must have for
  /// its outer loop to be split over the threads: waking a sleeping worker
  /// takes 7-15 us (docs/runtime.md), a pass over 64K floats about as long.
  int64_t parallelMinIterations = int64_t(1) << 16;
  /// The fewest multiply-adds a contraction must have for its rows of tiles
  /// to be split over the threads: 256K, about 2 us on one core at 130
  /// GFLOP/s, below the 7-15 us of waking a worker (LeNet-5 at batch 1 took
  /// twice as long on two threads as on one).
  int64_t parallelMinMacs = int64_t(1) << 18;
  /// The longest row, in vector registers, of an op other than a
  /// contraction that is vectorized whole (TileAndVectorize.cpp,
  /// vectorizeRows). LLVM leaves loops of a few iterations scalar but
  /// vectorizes long ones well.
  int64_t rowVectors = 8;
  /// Convolutions with at most this many filters run direct, not through
  /// im2col (ConvTiling.cpp, prefersDirectConv): the copy moves one
  /// element per F multiply-adds.
  int64_t directConvMaxFilters = 8;
  /// The fewest full columns of tiles for which the columns, not the rows
  /// of each column, are the parallel loop (ContractionTiling.cpp,
  /// tileColumnsThenRows): each thread then packs and reads its own panels,
  /// and a layer is one parallel loop instead of one per column (49 for
  /// ResNet's 56x56 layer, each a hand-out to the workers behind a serial
  /// panel copy). With fewer the columns would split unevenly.
  int64_t parallelColumnsMin = 8;
  /// The most bytes of A (a register tile's m rows by a block of K) that a
  /// row of tiles keeps in L1 for all of its columns: 16 KiB, a third of a
  /// 48 KiB L1 (chooseKBlock).
  int64_t kBlockBytes = int64_t(16) << 10;
  /// The most bytes of filter a task of a blocked convolution reads for
  /// each output row (chooseBlockedConvKChunk): a quarter of a 2 MiB L2.
  int64_t blockedConvFilterBytes = int64_t(512) << 10;
  /// The longest output row whose register tiles may span several output
  /// blocks of a blocked convolution (chooseBlockedConvTile): 32 pixels.
  /// MobileNet-V2's 7-, 14- and 28-pixel rows of 16-channel blocks had tiles
  /// of 7 or 14 accumulators and one broadcast per FMA; spanning 2 or 4
  /// blocks made its batch-16 call 0.95-0.98x the time (one process
  /// alternating both compiles, one and two threads) and batch 1 0.95x.
  /// Its 56- and 112-pixel rows already fill a tile of 16 pixels, and
  /// spanning there made batch 16 1.02-1.07x slower (batch 1 2% faster):
  /// those layers stream tens of megabytes, and a tile writing two blocks
  /// is two output streams instead of one.
  int64_t blockSpanMaxPixels = 32;
  /// Winograd's cost model (chooseWinogradTile): a filter value streamed
  /// from memory costs as much as this many pixels' multiply-adds by it, and
  /// the transforms add this percentage to the batch product's.
  int64_t winogradStreamPixels = 32;
  int64_t winogradOverheadPercent = 25;
  /// The largest transformed filter a Winograd convolution may embed in the
  /// object: 8 MiB (F(4x4, 3x3) of 256 by 256 channels is 9.4 MB, F(2x2,
  /// 3x3) 4.2 MB). ResNet-18 at batch 16 chose F(4x4, 3x3) for every 3x3
  /// layer, 37.7 MB for each of the three of 512 channels: a 160 MB object
  /// that took 11-14 s to compile, against the 10 s of the compile-time
  /// target; 16 MiB (F(2x2) for those three) still took 12 s. With 8 MiB
  /// they run direct and the 256-channel layers F(2x2): 5.9 s and 60 MB, and
  /// the batch-16 inference 222 instead of 187 ms (ONNX Runtime ~320).
  int64_t winogradMaxFilterBytes = int64_t(8) << 20;
  /// The most bytes of a B micro-panel (a K block of one panel, K x the
  /// register tile's width) that a blocked product keeps in L1 while every
  /// micro-panel of A's block streams past it (chooseGemmBlocks): 32 KiB,
  /// two thirds of a 48 KiB L1. With A packed per K block into L2
  /// (ContractionTiling.cpp, tilePackedBlocked), 2048^3 on the Zen 5 took
  /// 89-92 ms with blocks of 128 steps (32 KiB), 97-99 ms with 64 (16 KiB)
  /// and 95-99 ms with 256. Also the piece of a panel that a panels-first
  /// product's rows of tiles read from L1 (choosePanelKBlock): on the Xeon
  /// the MLP's 64 x 784 x 256 layer ran slower in blocks of 16 or 8 KiB.
  int64_t gemmKBlockBytes = int64_t(32) << 10;
  /// The fewest tasks a blocked product is split into (chooseGemmBlocks):
  /// enough for the threads to share evenly.
  int64_t gemmTasks = 8;
  /// The fewest bytes of A for which a product too large for the caches
  /// (ContractionTiling.cpp, packConstantB) packs A into micro-panels and
  /// is blocked after GotoBLAS (chooseGemmBlocks): 8 MiB. Below it, A stays
  /// in the last-level cache while every panel of B streams it, and the
  /// copy and the accumulators' pass cost more than they save (measured on
  /// a 32 MiB-L3 Zen 3: 1024^3 3-8% slower packed, 1536^3 8-14% and
  /// 2048^3 20-25% faster).
  int64_t packedAMinBytes = int64_t(8) << 20;
  /// The most cache lines of one epilogue read that are prefetched before a
  /// register tile's K loop (Prefetch.cpp): a tile of 16 x 64 floats. More
  /// would crowd the loads of a short K loop.
  int64_t prefetchMaxLines = 64;
  /// The fewest steps of a K loop before whose start the next block's lines
  /// are prefetched (Prefetch.cpp, prefetchNextBlockReads): about as long as
  /// a miss to memory takes.
  int64_t prefetchMinSteps = 64;
  /// A read that streams a memref of at least streamedReadMinBytes through
  /// a K loop (rows of it one after another, a row a step), at least
  /// streamedReadRatio times larger than the loop's other operands, is
  /// prefetched streamAheadBytes ahead (Prefetch.cpp, prefetchStreamedReads):
  /// batch-1 filters that come from memory once per tile column
  /// (ResNet-50's last stage, 4-8 MiB, 49 pixels) and classifier weights.
  /// Filters that later tiles find in L2 (a batch of 16) fail the ratio.
  /// The ratio was 8 until a Winograd product's transformed filter at batch
  /// 1 (4 MiB against 0.8 MB of transformed input, prefetchStreamedReads)
  /// needed less; at batch 16 the bench models' ratios stay below 1.
  int64_t streamedReadMinBytes = int64_t(4) << 20;
  int64_t streamedReadRatio = 4;
  int64_t streamAheadBytes = 8192;
};

/// The register tile of a matrix product C[M,N] += A[M,K] B[K,N]: `m` rows
/// of C by `n` columns, accumulated in registers over `k` steps of K.
struct MatmulTile {
  int64_t m = 1;
  int64_t n = 1;
  int64_t k = 1;
};

/// The register tile for an M x N x K product (a dynamic size is negative).
/// Sizes divide their dimension, so every tile is full and static.
/// `panelB`: B is read from panels packed contiguous (packConstantB), where
/// taller tiles win ties (TileSizes.cpp).
MatmulTile chooseMatmulTile(int64_t m, int64_t n, int64_t k,
                            const CpuMachine &machine, bool panelB = false);

/// Whether a register tile of `accumulators` vector registers that loads
/// `loads` vectors (and one broadcast) per step fits the register file: in
/// three quarters of it, the rest kept for addresses and epilogue operands
/// (4x96 tiles, 31 of 32 zmm, spilled and ran at a third of the speed of
/// 4x64 ones).
bool fitsRegisterTile(int64_t accumulators, int64_t loads,
                      const CpuMachine &machine);

/// The output rows of a direct convolution's register tile (tileDirectConv)
/// whose one row is `tile` (filters by output columns), out of `rows`: the
/// divisor of `rows` that does the most FMAs per cycle by the step cost
/// above, where r rows of the tile share each tap's m broadcast weights and
/// read r input rows, ties going to fewer rows. One row of few filters is
/// bound by the FMA latency (LeNet-5's 6 x 16 tiles: 6 FMAs in at least 4
/// cycles); two rows keep both FMA pipes busy.
int64_t chooseConvRows(const MatmulTile &tile, int64_t rows,
                       const CpuMachine &machine);

/// The register tile of a filter gradient's correlation with the filters
/// innermost (tileFiltersInnermostCorrelation): `channels` input channels
/// by `kernelRows` kernel rows by all KW kernel columns, each a row of
/// `width` filters (whole vectors). A tap (oh, ow) is then channels *
/// kernelRows * KW broadcasts of the input and width / lanes vector loads
/// of the gradient for as many FMAs as accumulators.
struct CorrelationTile {
  int64_t channels = 1;
  int64_t kernelRows = 1;
  int64_t width = 0;
};

/// The CorrelationTile for C channels, a KH x KW kernel and F filters: all
/// F when its vectors and KW fit the registers (fitsRegisterTile), else
/// one vector; then the divisors of C and KH with the most accumulators
/// that fit, ties to more kernel rows. None when F is not whole vectors or
/// one row of KW does not fit.
std::optional<CorrelationTile> chooseCorrelationTile(int64_t channels,
                                                     int64_t kernelRows,
                                                     int64_t kernelColumns,
                                                     int64_t filters,
                                                     const CpuMachine &machine);

/// The side of the square-ish blocks a 2-D transpose of a `size` dimension
/// moves at once (tileTranspose, TransposeTiling.cpp): one vector register
/// of lanes when it divides the size, else the largest divisor of the size
/// up to the lanes, or 0 (a size with no divisor of at least 2: leave the
/// transpose to the loops). A block of r x c elements is r vector reads of
/// c lanes and c writes of r, shuffled in registers; element by element a
/// transpose reads or writes one element per cache line it touches (the MLP
/// train step's 256 x 784 weight transpose took 17% of the step).
int64_t chooseTransposeBlock(int64_t size, const CpuMachine &machine);

/// The elements of a row that vectorizeRows (TileAndVectorize.cpp) makes
/// one vector, or 0 to leave the op to the loops: the whole row when it has
/// 2 elements to CpuMachine::rowVectors vectors; a longer row of a reduction
/// over outer loops (`reduces`) in the largest divisor that fits, if it is
/// at least a vector. A reduction into elements of `elementBits` > 32 (f64
/// sums of f32) whose row is not whole vectors of them runs in the largest
/// divisor that is, else in the largest power of two from 4 that divides
/// it: LeNet-5's first bias gradient summed rows of 28 floats into 3.5
/// vectors of f64, which LLVM widened and added element by element (3% of
/// the SGD step's samples on the Xeon; in rows of 4, 2%).
int64_t chooseRowTile(int64_t row, bool reduces, unsigned elementBits,
                      const CpuMachine &machine);

/// The block of K (a divisor of `k`) a row of `tile.m`-row tiles runs all of
/// its columns over before the next block, or 0 for none: when the row's
/// A panel (tile.m x k floats) is larger than CpuMachine::kBlockBytes, every
/// column of tiles streamed it again from L2 or L3 (ResNet's 7x7 layers:
/// 16 x 4608 floats, 288 KiB, four times per row). The largest divisor of
/// at least 64 whose block fits; 0 also when no divisor does, or when the
/// row has only one column (nothing to reuse).
int64_t chooseKBlock(const MatmulTile &tile, int64_t n, int64_t k,
                     const CpuMachine &machine);

/// The block of K (a divisor of `k`) that a product over B packed in panels
/// runs with its panels outermost (ContractionTiling.cpp) steps every row of
/// tiles through before the next block, so that a block of a panel (block x
/// the tile's width floats) stays in L1 while every row reads it: 0 when the
/// whole panel fits CpuMachine::gemmKBlockBytes (no blocks needed), else the
/// largest divisor of at least 64 whose block fits, or 0 for none.
int64_t choosePanelKBlock(const MatmulTile &tile, int64_t k,
                          const CpuMachine &machine);

/// The input channels per step of a blocked convolution (tileBlockedConv)
/// whose register tiles of `width` output channels would read more than
/// CpuMachine::blockedConvFilterBytes of filter (`channels` input channels
/// by `taps` kernel taps) for each output row, or 0: the largest divisor of
/// `block` (a block's input channels) whose filter, `width` channels by
/// `taps`, fits CpuMachine::kBlockBytes, so that it stays in L1 for every
/// row and column of the step.
int64_t chooseBlockedConvKChunk(int64_t channels, int64_t block, int64_t taps,
                                int64_t width, const CpuMachine &machine);

/// How a large product over B packed in panels and A packed in micro-panels
/// (packConstantB) is blocked for the caches, after GotoBLAS: tasks of
/// `rows` rows by `panels` panels (the threads' loop), each running over
/// blocks of `k` of K, and in each over its panels, and in each over its
/// rows of register tiles. A tile's k x width piece of a panel then stays
/// in L1 while the task's rows read it, and the task's rows x k block of A
/// stays in L2 while its panels read it. Rows-then-columns without blocks
/// streamed all of A from memory once per panel (a 2048 x 2048 product:
/// 16 MB, 128 times).
struct GemmBlocks {
  int64_t k = 0;
  int64_t rows = 0;
  int64_t panels = 0;
};

/// GemmBlocks for an M x K product over `panelCount` panels of `tile.n`
/// columns: `k` the largest divisor of K (at least 64, else all of it)
/// whose piece of a panel fits CpuMachine::gemmKBlockBytes; `rows` the largest
/// multiple of tile.m dividing M whose block of A fits half of
/// CpuMachine::cacheBytes; `panels` the largest divisor of the panel count
/// that still leaves at least CpuMachine::gemmTasks tasks, or 1.
GemmBlocks chooseGemmBlocks(int64_t m, int64_t k, int64_t panelCount,
                            const MatmulTile &tile, const CpuMachine &machine);

/// The register tile of a convolution over blocks of channels
/// (tileBlockedConv): `m` output pixels of a row (broadcasts of the input)
/// by `n` of the block's output channels (whole vectors: 4, 2 or 1 of the
/// block's). Per tap, a tile of r pixels and nv vectors does r * nv FMAs,
/// nv loads of the filter and r broadcasts; the filter of a block (C * KH *
/// KW x b floats) is larger than L1, so its vectors come from L2, about 32
/// bytes (2 cycles per zmm) each: a tap takes at least
///   max(r * nv / 2, (r + nv) / 2, 4, 2 * nv)
/// cycles. The row of `pixels` is covered by tiles of r and a remainder, for
/// each of the block's b / (nv * lanes) parts; the cheapest row wins, ties
/// going to more accumulators. The accumulators, the filter's vectors and a
/// broadcast leave 3 registers free (28 or 29 of 32 zmm: 6 x 4 ran 7%
/// faster than 5 x 4 on ResNet's 56x56 layer; 7 x 4 spilled), and a tile
/// has at most 16 pixels (a column of 26, split by LLVM into pieces, ran
/// MobileNet-V2's first layer 3x slower). A tile may also span several of
/// the `blocks` output blocks when the block is narrower than 4 vectors (n
/// then exceeds `channels`: n / channels consecutive blocks, a number that
/// divides `blocks`): its r broadcasts then feed the FMAs of every block.
/// MobileNet-V2's 16-channel blocks had tiles of one vector, r broadcasts
/// for r FMAs, and 7-pixel rows of 7 accumulators short of the FMA latency.
MatmulTile chooseBlockedConvTile(int64_t pixels, int64_t channels,
                                 int64_t blocks, const CpuMachine &machine);

} // namespace nncc

#endif // NNCC_COMPILER_CODEGEN_CPU_TILESIZES_H
