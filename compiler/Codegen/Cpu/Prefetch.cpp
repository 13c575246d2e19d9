//===- Prefetch.cpp - prefetch of a register tile's operands -------------===//
//
// A register tile's epilogue (a residual add after a convolution's K loop)
// reads its other operand once, when the loop is done; when that operand is
// larger than the caches it comes from memory, and the tile waits for it
// with its accumulators full (ResNet-50's 56 x 56 x 256 residual adds at
// batch 16 spent 40% of their samples on those loads). A prefetch of each
// of its cache lines before the K loop overlaps the misses with the loop.
// Likewise the pixels a 1x1 convolution's K loop reads in the next block of
// input channels, the tile of C a blocked product's next micro-panel reads
// back, the filters a batch-1 layer streams from memory and the next chunk
// of a K-chunked convolution's filter. See
// docs/design-notes.md "CPU tiling".
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Cpu/Prefetch.h"

#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;

namespace {

/// The bytes of the memref that `value` views (through subviews).
int64_t rootBytes(Value value) {
  while (auto subview = value.getDefiningOp<memref::SubViewOp>())
    value = subview.getSource();
  auto type = dyn_cast<MemRefType>(value.getType());
  if (!type || !type.hasStaticShape() || !type.getElementType().isIntOrFloat())
    return 0;
  return type.getNumElements() * type.getElementTypeBitWidth() / 8;
}

/// The reads after `loop` in its block, of views of memrefs of at least
/// `minBytes`, whose indices and memref are known before the loop (a
/// subview made after the loop from values known before it moves in front
/// of the loop: the tile of the output a residual add computes into).
SmallVector<vector::TransferReadOp>
epilogueReads(scf::ForOp loop, int64_t minBytes, DominanceInfo &dominance) {
  SmallVector<vector::TransferReadOp> reads;
  auto known = [&](Value value) {
    return dominance.properlyDominates(value, loop);
  };
  for (Operation *op = loop->getNextNode(); op; op = op->getNextNode()) {
    auto read = dyn_cast<vector::TransferReadOp>(op);
    if (!read || !read.getPermutationMap().isMinorIdentity() ||
        rootBytes(read.getBase()) < minBytes ||
        !llvm::all_of(read.getIndices(), known))
      continue;
    Value base = read.getBase();
    if (auto subview = base.getDefiningOp<memref::SubViewOp>();
        subview && !known(base) && subview->getBlock() == loop->getBlock() &&
        llvm::all_of(subview->getOperands(), known))
      subview->moveBefore(loop);
    if (known(base))
      reads.push_back(read);
  }
  return reads;
}

/// One prefetch of each cache line of the region of `base` that starts at
/// `indices` and spans `shape` along its trailing dimensions, at the
/// rewriter's insertion point; false (and nothing) when that is more than
/// `maxLines` lines or its elements have no bit width (index).
bool prefetchRegion(RewriterBase &rewriter, Location loc, Value base,
                    ArrayRef<Value> indices, ArrayRef<int64_t> shape,
                    int64_t maxLines) {
  auto type = cast<MemRefType>(base.getType());
  int64_t rank = type.getRank(), regionRank = shape.size();
  if (regionRank == 0 || regionRank > rank ||
      !type.getElementType().isIntOrFloat())
    return false;
  int64_t lineElements = 64 * 8 / type.getElementTypeBitWidth();
  // One prefetch per line of each innermost row of the region.
  int64_t rows = 1;
  for (int64_t extent : shape.drop_back())
    rows *= extent;
  int64_t lines = llvm::divideCeil(shape.back(), lineElements);
  if (rows * lines > maxLines)
    return false;
  for (int64_t row = 0; row < rows; ++row)
    for (int64_t line = 0; line < lines; ++line) {
      SmallVector<Value> at = llvm::to_vector(indices);
      // The row's position in the leading dimensions of the region.
      int64_t rest = row;
      SmallVector<int64_t> offsets(regionRank, 0);
      for (int64_t d = regionRank - 2; d >= 0; --d) {
        offsets[d] = rest % shape[d];
        rest /= shape[d];
      }
      offsets.back() = line * lineElements;
      for (int64_t d = 0; d < regionRank; ++d) {
        if (offsets[d] == 0)
          continue;
        Value &index = at[rank - regionRank + d];
        index = arith::AddIOp::create(
            rewriter, loc, index,
            arith::ConstantIndexOp::create(rewriter, loc, offsets[d]));
      }
      memref::PrefetchOp::create(rewriter, loc, base, at, /*isWrite=*/false,
                                 /*localityHint=*/3, /*isDataCache=*/true);
    }
  return true;
}

/// Whether `value`, a K loop's initial accumulators, is a read of the tile
/// that `write` stores them to: directly, or in one branch of an scf.if
/// whose other starts from registers (startKBlocksFromFill's first block).
bool readsWrittenTile(Value value, vector::TransferWriteOp write) {
  auto sameTile = [&](Value read) {
    auto op = read.getDefiningOp<vector::TransferReadOp>();
    return op && op.getBase() == write.getBase() &&
           op.getIndices() == write.getIndices() &&
           op.getVectorType() == write.getVectorType();
  };
  if (sameTile(value))
    return true;
  auto select = value.getDefiningOp<scf::IfOp>();
  if (!select || select->getNumResults() != 1)
    return false;
  return llvm::any_of(select->getRegions(), [&](Region &region) {
    return !region.empty() &&
           sameTile(region.front().getTerminator()->getOperand(0));
  });
}

} // namespace

void nncc::prefetchNextTileAccumulators(func::FuncOp func,
                                        ArrayRef<scf::ForOp> kLoops,
                                        const CpuMachine &machine) {
  IRRewriter rewriter(func.getContext());
  for (scf::ForOp loop : kLoops) {
    auto parent = dyn_cast<scf::ForOp>(loop->getParentOp());
    if (!parent || loop.getNumResults() != 1 || !loop->hasOneUse())
      continue;
    auto write = dyn_cast<vector::TransferWriteOp>(*loop->user_begin());
    if (!write || write->getBlock() != loop->getBlock() ||
        !isa<MemRefType>(write.getBase().getType()) ||
        !write.getPermutationMap().isMinorIdentity() ||
        rootBytes(write.getBase()) < machine.cacheBytes ||
        !readsWrittenTile(loop.getInitArgs()[0], write))
      continue;
    // The ops of the tile loop's body that place the tile (subviews and
    // index arithmetic), cloned for the next tile: all before the K loop,
    // free of memory effects, and depending on the tile loop's index.
    SetVector<Operation *> slice;
    BackwardSliceOptions options;
    options.filter = [&](Operation *op) {
      return op->getBlock() == parent.getBody();
    };
    bool sliceable = true;
    for (Value value : write->getOperands().drop_front())
      if (Operation *op = value.getDefiningOp(); op && options.filter(op)) {
        sliceable &= succeeded(getBackwardSlice(op, &slice, options));
        slice.insert(op);
      }
    Value iv = parent.getInductionVar();
    bool movesWithTile = llvm::any_of(slice, [&](Operation *op) {
      return llvm::is_contained(op->getOperands(), iv);
    });
    if (!sliceable || !movesWithTile || llvm::any_of(slice, [&](Operation *op) {
          return !isMemoryEffectFree(op) || op->getNumRegions() != 0 ||
                 !op->isBeforeInBlock(loop);
        }))
      continue;
    // The next tile, or this one again after the last.
    Location loc = write.getLoc();
    rewriter.setInsertionPoint(loop);
    Value next = arith::AddIOp::create(rewriter, loc, iv, parent.getStep());
    Value inRange = arith::CmpIOp::create(
        rewriter, loc, arith::CmpIPredicate::slt, next, parent.getUpperBound());
    IRMapping mapping;
    mapping.map(iv, arith::SelectOp::create(rewriter, loc, inRange, next, iv));
    SmallVector<Operation *> ordered = slice.takeVector();
    llvm::sort(ordered, [](Operation *a, Operation *b) {
      return a->isBeforeInBlock(b);
    });
    for (Operation *op : ordered)
      rewriter.clone(*op, mapping);
    SmallVector<Value> indices =
        llvm::map_to_vector(write.getIndices(), [&](Value v) {
          return mapping.lookupOrDefault(v);
        });
    (void)prefetchRegion(
        rewriter, loc, mapping.lookupOrDefault(write.getBase()), indices,
        write.getVectorType().getShape(), machine.prefetchMaxLines);
  }
}

void nncc::prefetchEpilogueReads(func::FuncOp func, ArrayRef<scf::ForOp> kLoops,
                                 const CpuMachine &machine) {
  DominanceInfo dominance(func);
  IRRewriter rewriter(func.getContext());
  for (scf::ForOp loop : kLoops) {
    for (vector::TransferReadOp read :
         epilogueReads(loop, machine.cacheBytes, dominance)) {
      rewriter.setInsertionPoint(loop);
      (void)prefetchRegion(rewriter, read.getLoc(), read.getBase(),
                           llvm::to_vector(read.getIndices()),
                           read.getVectorType().getShape(),
                           machine.prefetchMaxLines);
    }
  }
}

void nncc::prefetchNextBlockReads(func::FuncOp func,
                                  ArrayRef<scf::ForOp> kLoops,
                                  const CpuMachine &machine) {
  DominanceInfo dominance(func);
  IRRewriter rewriter(func.getContext());
  for (scf::ForOp loop : kLoops) {
    auto parent = dyn_cast<scf::ForOp>(loop->getParentOp());
    std::optional<int64_t> lower = getConstantIntValue(loop.getLowerBound());
    std::optional<int64_t> upper = getConstantIntValue(loop.getUpperBound());
    std::optional<int64_t> step = getConstantIntValue(loop.getStep());
    if (!parent || lower != 0 || !upper || step != 1 ||
        *upper < machine.prefetchMinSteps)
      continue;
    for (auto read : loop.getBody()->getOps<vector::TransferReadOp>()) {
      auto type = dyn_cast<MemRefType>(read.getBase().getType());
      ArrayRef<int64_t> shape = read.getVectorType().getShape();
      int64_t rank = type ? type.getRank() : 0;
      // The K step indexes the last dimension, one element a step, over all
      // of it; the enclosing loop's step indexes another dimension
      // directly; nothing else changes in the K loop.
      ValueRange indices = read.getIndices();
      if (!type || !type.hasStaticShape() || rank == 0 ||
          !type.getLayout().isIdentity() || shape.empty() ||
          shape.back() != 1 || !read.getPermutationMap().isMinorIdentity() ||
          indices.back() != loop.getInductionVar() ||
          type.getShape().back() != *upper ||
          !dominance.properlyDominates(read.getBase(), parent))
        continue;
      std::optional<unsigned> blockDim;
      bool invariant = true;
      for (auto [d, index] : llvm::enumerate(indices.drop_back())) {
        if (index == parent.getInductionVar())
          blockDim = d;
        else if (!dominance.properlyDominates(index, loop))
          invariant = false;
      }
      if (!blockDim || !invariant)
        continue;
      // The same rows of the next block (the last block again at the end).
      rewriter.setInsertionPoint(loop);
      Location loc = read.getLoc();
      Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
      Value next = arith::AddIOp::create(
          rewriter, loc, parent.getInductionVar(), parent.getStep());
      Value last =
          arith::SubIOp::create(rewriter, loc, parent.getUpperBound(), one);
      SmallVector<Value> start = llvm::to_vector(indices);
      start[*blockDim] = arith::MinSIOp::create(rewriter, loc, next, last);
      start.back() = arith::ConstantIndexOp::create(rewriter, loc, 0);
      SmallVector<int64_t> region = llvm::to_vector(shape);
      region.back() = *upper;
      (void)prefetchRegion(rewriter, loc, read.getBase(), start, region,
                           machine.prefetchMaxLines);
    }
  }
}

namespace {

/// Whether `read`, one of a K loop's `reads`, streams a large operand from
/// memory: a memref itself (not a view) with an identity layout, of at
/// least CpuMachine::streamedReadMinBytes and streamedReadRatio times every
/// other operand of the loop.
bool streamsLargeOperand(vector::TransferReadOp read,
                         ArrayRef<vector::TransferReadOp> reads,
                         const nncc::CpuMachine &machine) {
  auto type = dyn_cast<MemRefType>(read.getBase().getType());
  if (!type || type.getRank() == 0 || !type.hasStaticShape() ||
      !type.getLayout().isIdentity() || !type.getElementType().isIntOrFloat() ||
      type.getElementTypeBitWidth() % 8 != 0 ||
      read.getBase().getDefiningOp<memref::SubViewOp>() ||
      !read.getPermutationMap().isMinorIdentity())
    return false;
  int64_t bytes = rootBytes(read.getBase());
  return bytes >= machine.streamedReadMinBytes &&
         llvm::all_of(reads, [&](vector::TransferReadOp other) {
           return other == read ||
                  rootBytes(other.getBase()) * machine.streamedReadRatio <=
                      bytes;
         });
}

/// The induction variables of the scf.for loops that `values` depend on.
llvm::SmallPtrSet<Value, 8> loopIndicesUsed(ValueRange values) {
  SetVector<Operation *> slice;
  SetVector<Value> roots(values.begin(), values.end());
  // The ops that compute `values`, not the loops whose indices they use
  // (with those, the slice would take in everything the loops use).
  BackwardSliceOptions options;
  options.omitBlockArguments = true;
  for (Value value : values)
    if (Operation *op = value.getDefiningOp()) {
      (void)getBackwardSlice(op, &slice, options);
      slice.insert(op);
    }
  for (Operation *op : slice)
    roots.insert(op->getOperands().begin(), op->getOperands().end());
  llvm::SmallPtrSet<Value, 8> indices;
  for (Value value : roots)
    if (scf::getForInductionVarOwner(value))
      indices.insert(value);
  return indices;
}

/// The index of `loop`'s next iteration, at most its last one's.
Value nextIterationClamped(RewriterBase &rewriter, Location loc,
                           scf::ForOp loop) {
  return arith::MinSIOp::create(
      rewriter, loc,
      arith::AddIOp::create(rewriter, loc, loop.getInductionVar(),
                            loop.getStep()),
      arith::SubIOp::create(rewriter, loc, loop.getUpperBound(),
                            loop.getStep()));
}

/// Prefetches the lines `read` reads, with its index arithmetic inside
/// `scope` cloned at the rewriter's insertion point under `mapping` (a
/// loop's induction variable mapped to its value in a later iteration);
/// nothing when that arithmetic is more than pure ops.
void prefetchReadAsMapped(RewriterBase &rewriter, vector::TransferReadOp read,
                          scf::ForOp scope, IRMapping &mapping,
                          const nncc::CpuMachine &machine) {
  SetVector<Operation *> slice;
  BackwardSliceOptions options;
  options.omitBlockArguments = true;
  options.filter = [&](Operation *op) { return scope->isProperAncestor(op); };
  bool sliceable = true;
  for (Value index : read.getIndices())
    if (Operation *op = index.getDefiningOp(); op && options.filter(op)) {
      sliceable &= succeeded(getBackwardSlice(op, &slice, options));
      slice.insert(op);
    }
  if (!sliceable || llvm::any_of(slice, [](Operation *op) {
        return !isMemoryEffectFree(op) || op->getNumRegions() != 0;
      }))
    return;
  for (Operation *op : slice)
    rewriter.clone(*op, mapping);
  SmallVector<Value> at =
      llvm::map_to_vector(read.getIndices(), [&](Value index) {
        return mapping.lookupOrDefault(index);
      });
  (void)prefetchRegion(rewriter, read.getLoc(), read.getBase(), at,
                       read.getVectorType().getShape(),
                       machine.prefetchMaxLines);
}

} // namespace

void nncc::prefetchNextChunkReads(func::FuncOp func,
                                  ArrayRef<scf::ForOp> kLoops,
                                  const CpuMachine &machine) {
  IRRewriter rewriter(func.getContext());
  for (scf::ForOp loop : kLoops) {
    auto reads =
        llvm::to_vector(loop.getBody()->getOps<vector::TransferReadOp>());
    for (vector::TransferReadOp read : reads) {
      if (!streamsLargeOperand(read, reads, machine))
        continue;
      // Out from the K loop: the loops of the other taps (carrying the
      // accumulators), then at least one loop whose steps all read this
      // chunk again (the rows), then the chunk loop, and maybe the loop of
      // blocks around it.
      SmallVector<llvm::SmallPtrSet<Value, 8>> indexUses =
          llvm::map_to_vector(read.getIndices(), [](Value index) {
            return loopIndicesUsed(index);
          });
      auto used = [&](scf::ForOp forOp) {
        return llvm::any_of(indexUses, [&](const auto &uses) {
          return uses.contains(forOp.getInductionVar());
        });
      };
      auto parentLoop = [](Operation *op) {
        return dyn_cast_or_null<scf::ForOp>(op->getParentOp());
      };
      SmallVector<Value> taps = {loop.getInductionVar()};
      scf::ForOp chunk = parentLoop(loop);
      while (chunk && chunk.getNumRegionIterArgs() != 0) {
        taps.push_back(chunk.getInductionVar());
        chunk = parentLoop(chunk);
      }
      bool reused = false;
      while (chunk && !used(chunk)) {
        reused = chunk.getNumRegionIterArgs() == 0;
        chunk = parentLoop(chunk);
      }
      if (!chunk || !reused || chunk.getNumRegionIterArgs() != 0)
        continue;
      scf::ForOp blocks = parentLoop(chunk);
      if (blocks && !used(blocks))
        blocks = nullptr;
      // Only chunks in pieces: a tap loop indexes a dimension before the
      // one the chunks split (a K-chunked convolution's kh and kw, 9 runs
      // of 1 KiB 8 KiB apart). A chunk that is one run of memory (a K
      // block of a packed panel) is the hardware prefetcher's: 2048^3
      // took 1.04x the time with these prefetches.
      bool pieces = false;
      for (const auto &uses : indexUses) {
        if (uses.contains(chunk.getInductionVar()))
          break;
        pieces |=
            llvm::any_of(taps, [&](Value tap) { return uses.contains(tap); });
      }
      if (!pieces)
        continue;

      // The next chunk (its first step, clamped to the loop's last), or the
      // first chunk of the next block (the last block's again at the end),
      // computed once per chunk.
      Location loc = read.getLoc();
      rewriter.setInsertionPointToStart(chunk.getBody());
      Value iv = chunk.getInductionVar();
      IRMapping mapping;
      if (!blocks) {
        mapping.map(iv, nextIterationClamped(rewriter, loc, chunk));
      } else {
        Value next = arith::AddIOp::create(rewriter, loc, iv, chunk.getStep());
        Value wraps =
            arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::sge,
                                  next, chunk.getUpperBound());
        mapping.map(iv, arith::SelectOp::create(rewriter, loc, wraps,
                                                chunk.getLowerBound(), next));
        Value block = blocks.getInductionVar();
        mapping.map(block,
                    arith::SelectOp::create(
                        rewriter, loc, wraps,
                        nextIterationClamped(rewriter, loc, blocks), block));
      }
      // The read as in the next chunk, beside it.
      rewriter.setInsertionPoint(read);
      prefetchReadAsMapped(rewriter, read, chunk, mapping, machine);
    }
  }
}

namespace {

/// prefetchStreamedReads for a read of a whole row a step: consecutive
/// steps read consecutive memory, so its position in the memref's elements
/// streamAheadBytes further on (at most its last element), one prefetch a
/// line of the row, through the next blocks of K.
void prefetchRowsAhead(RewriterBase &rewriter, vector::TransferReadOp read,
                       const nncc::CpuMachine &machine) {
  auto type = cast<MemRefType>(read.getBase().getType());
  int64_t rank = type.getRank();
  Location loc = read.getLoc();
  rewriter.setInsertionPoint(read);
  auto constant = [&](int64_t value) -> Value {
    return arith::ConstantIndexOp::create(rewriter, loc, value);
  };
  int64_t elementBytes = type.getElementTypeBitWidth() / 8;
  int64_t elements = type.getNumElements();
  Value flat = constant(machine.streamAheadBytes / elementBytes);
  for (auto [index, stride] :
       llvm::zip(read.getIndices(), type.getStridesAndOffset().first))
    flat = arith::AddIOp::create(
        rewriter, loc, flat,
        arith::MulIOp::create(rewriter, loc, index, constant(stride)));
  SmallVector<ReassociationIndices> all(1);
  llvm::append_range(all[0], llvm::seq<int64_t>(0, rank));
  Value elementsView =
      memref::CollapseShapeOp::create(rewriter, loc, read.getBase(), all);
  int64_t lineElements = 64 / elementBytes;
  for (int64_t line = 0; line * lineElements < type.getShape().back(); ++line) {
    Value at = arith::MinSIOp::create(
        rewriter, loc,
        arith::AddIOp::create(rewriter, loc, flat,
                              constant(line * lineElements)),
        constant(elements - 1));
    memref::PrefetchOp::create(rewriter, loc, elementsView, ValueRange{at},
                               /*isWrite=*/false, /*localityHint=*/3,
                               /*isDataCache=*/true);
  }
}

/// prefetchStreamedReads for a read of a piece of a row a step (the columns
/// of an unpacked B), placed by `columns`, the K loop's parent: the same
/// columns streamAheadBytes of this stream further on, or past the K loop's
/// end (`steps`) the next columns' first rows (the last columns' again
/// after the last).
void prefetchColumnsAhead(RewriterBase &rewriter, vector::TransferReadOp read,
                          scf::ForOp loop, int64_t steps, scf::ForOp columns,
                          const nncc::CpuMachine &machine) {
  auto type = cast<MemRefType>(read.getBase().getType());
  int64_t stepBytes =
      read.getVectorType().getNumElements() * type.getElementTypeBitWidth() / 8;
  int64_t ahead = std::clamp<int64_t>(
      machine.streamAheadBytes / std::max<int64_t>(stepBytes, 1), 1, steps - 1);
  Location loc = read.getLoc();
  rewriter.setInsertionPoint(read);
  Value k = loop.getInductionVar();
  Value bound = loop.getUpperBound();
  Value later = arith::AddIOp::create(
      rewriter, loc, k, arith::ConstantIndexOp::create(rewriter, loc, ahead));
  Value wraps = arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::sge,
                                      later, bound);
  Value column = columns.getInductionVar();
  Value nextColumn = nextIterationClamped(rewriter, loc, columns);
  IRMapping mapping;
  mapping.map(k,
              arith::SelectOp::create(
                  rewriter, loc, wraps,
                  arith::SubIOp::create(rewriter, loc, later, bound), later));
  mapping.map(column, arith::SelectOp::create(rewriter, loc, wraps, nextColumn,
                                              column));
  prefetchReadAsMapped(rewriter, read, columns, mapping, machine);
}

} // namespace

void nncc::prefetchStreamedReads(func::FuncOp func, ArrayRef<scf::ForOp> kLoops,
                                 const CpuMachine &machine) {
  IRRewriter rewriter(func.getContext());
  for (scf::ForOp loop : kLoops) {
    std::optional<int64_t> lower = getConstantIntValue(loop.getLowerBound());
    std::optional<int64_t> upper = getConstantIntValue(loop.getUpperBound());
    std::optional<int64_t> step = getConstantIntValue(loop.getStep());
    if (!upper || *upper < machine.prefetchMinSteps)
      continue;
    auto columns = dyn_cast<scf::ForOp>(loop->getParentOp());
    auto reads =
        llvm::to_vector(loop.getBody()->getOps<vector::TransferReadOp>());
    for (vector::TransferReadOp read : reads) {
      // A row of the memref itself (not a view), or a piece of one, a step,
      // the K index that of the row.
      if (!streamsLargeOperand(read, reads, machine))
        continue;
      auto type = cast<MemRefType>(read.getBase().getType());
      int64_t rank = type.getRank();
      ValueRange indices = read.getIndices();
      if (rank < 2 || indices[rank - 2] != loop.getInductionVar())
        continue;
      if (read.getVectorType().getShape().back() == type.getShape().back())
        prefetchRowsAhead(rewriter, read, machine);
      else if (columns && lower == 0 && step == 1 &&
               loopIndicesUsed(indices.back())
                   .contains(columns.getInductionVar()))
        prefetchColumnsAhead(rewriter, read, loop, *upper, columns, machine);
    }
  }
}
