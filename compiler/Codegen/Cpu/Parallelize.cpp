//===- Parallelize.cpp - outer scf.forall to libnnrt's thread pool -*- C++
//-*-===//
//
// After bufferization, each outermost scf.forall of a function that has the
// runtime context becomes a call
//
//   nnrt_parallel_for_chunks(ctx, n, grain, closure, @<function>.parallel<i>)
//
// where n is the forall's iteration count, closure an array of 64-bit slots
// on the stack holding every value the body uses from outside (buffer
// pointers, dynamic sizes, scalars), and the outlined function runs
// iterations [begin, end) of the linearized loop as chunk `chunk`. Buffers
// are rebuilt inside from their pointers as memref descriptors of the same
// static layout.
//
// A body's own buffers (a column's packed panel) cannot be allocated inside:
// that needs the context, which a body must not use. They become views of a
// scratch buffer allocated before the call, one slice per thread
// (nnrt_context_num_threads), indexed by the chunk: a chunk runs its
// iterations one after another, and each buffer lives within one iteration
// (it is freed in the block that allocates it), so the slice is reused.
//
// A forall whose body allocates a buffer that is not so (a dynamic size, a
// buffer not freed where it is allocated) or captures a value that does not
// fit a slot is left alone and runs serially after scf-forall-to-for.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Common/ThreadScratch.h"
#include "compiler/Codegen/Cpu/ParallelAbi.h"
#include "compiler/Codegen/Cpu/Passes.h"
#include "dialects/Nn/IR/NnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/RegionUtils.h"

namespace nncc {
#define GEN_PASS_DEF_CPUPARALLELIZE
#include "compiler/Codegen/Cpu/Passes.h.inc"
} // namespace nncc

using namespace mlir;
using nncc::nn::NnDialect;

namespace {

constexpr StringLiteral kNumThreads = "nnrt_context_num_threads";

/// The runtime-context argument of `func`, or null.
Value getContextArg(func::FuncOp func) {
  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
    if (func.getArgAttr(i, NnDialect::kContextAttr))
      return func.getArgument(i);
  return {};
}

/// The layout of a capturable memref: its static offset and strides
/// (ShapedType::kDynamic where they travel in slots).
struct Layout {
  int64_t offset = 0;
  SmallVector<int64_t> strides;
};

/// A memref that can be rebuilt from its aligned pointer, offset, sizes and
/// strides: the identity layout (offset 0, row-major strides) or a strided
/// one (a subview, e.g. the column of tiles a parallel loop writes).
std::optional<Layout> getLayout(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  if (!memref ||
      !isa<FloatType, IntegerType, IndexType>(memref.getElementType()) ||
      memref.getMemorySpace() != nullptr)
    return std::nullopt;
  Layout layout;
  if (failed(memref.getStridesAndOffset(layout.strides, layout.offset)))
    return std::nullopt;
  return layout;
}

bool isRebuildableMemRef(Type type) { return getLayout(type).has_value(); }

bool fitsSlot(Type type) {
  if (isa<IndexType>(type))
    return true;
  if (auto integer = dyn_cast<IntegerType>(type))
    return integer.getWidth() <= 64;
  if (auto real = dyn_cast<FloatType>(type))
    return real.getWidth() == 32 || real.getWidth() == 64;
  return isRebuildableMemRef(type);
}

/// Stores `value` into 64-bit slots starting at `slot`: a scalar takes one,
/// a memref its aligned pointer, then its dynamic offset, sizes and strides.
void storeSlots(OpBuilder &builder, Location loc, Value closure, Value value,
                int64_t &slot) {
  Type i64 = builder.getI64Type();
  auto store = [&](Value word) {
    Value address = LLVM::GEPOp::create(
        builder, loc, LLVM::LLVMPointerType::get(builder.getContext()), i64,
        closure, ArrayRef<LLVM::GEPArg>{int32_t(slot++)});
    LLVM::StoreOp::create(builder, loc, word, address);
  };
  Type type = value.getType();
  if (auto memref = dyn_cast<MemRefType>(type)) {
    // The aligned pointer, then the dynamic offset, sizes and strides.
    Layout layout = *getLayout(type);
    auto metadata =
        memref::ExtractStridedMetadataOp::create(builder, loc, value);
    Value pointer = memref::ExtractAlignedPointerAsIndexOp::create(
        builder, loc, metadata.getBaseBuffer());
    auto word = [&](Value index) {
      store(arith::IndexCastUIOp::create(builder, loc, i64, index));
    };
    word(pointer);
    if (ShapedType::isDynamic(layout.offset))
      word(metadata.getOffset());
    for (int64_t d = 0; d < memref.getRank(); ++d)
      if (memref.isDynamicDim(d))
        word(metadata.getSizes()[d]);
    for (int64_t d = 0; d < memref.getRank(); ++d)
      if (ShapedType::isDynamic(layout.strides[d]))
        word(metadata.getStrides()[d]);
    return;
  }
  if (isa<IndexType>(type)) {
    store(arith::IndexCastUIOp::create(builder, loc, i64, value));
    return;
  }
  if (auto real = dyn_cast<FloatType>(type)) {
    Value bits = arith::BitcastOp::create(
        builder, loc, builder.getIntegerType(real.getWidth()), value);
    store(real.getWidth() == 64
              ? bits
              : arith::ExtUIOp::create(builder, loc, i64, bits).getResult());
    return;
  }
  store(type.getIntOrFloatBitWidth() == 64
            ? value
            : arith::ExtUIOp::create(builder, loc, i64, value).getResult());
}

/// The inverse of storeSlots, inside the outlined function.
Value loadSlots(OpBuilder &builder, Location loc, Value closure, Type type,
                int64_t &slot) {
  MLIRContext *context = builder.getContext();
  Type i64 = builder.getI64Type();
  auto ptrType = LLVM::LLVMPointerType::get(context);
  auto load = [&]() -> Value {
    Value address =
        LLVM::GEPOp::create(builder, loc, ptrType, i64, closure,
                            ArrayRef<LLVM::GEPArg>{int32_t(slot++)});
    return LLVM::LoadOp::create(builder, loc, i64, address);
  };
  if (auto memref = dyn_cast<MemRefType>(type)) {
    // The descriptor finalize-memref-to-llvm uses: allocated and aligned
    // pointers, offset, sizes, strides.
    Value pointer = LLVM::IntToPtrOp::create(builder, loc, ptrType, load());
    Layout layout = *getLayout(type);
    int64_t rank = memref.getRank();
    auto constant = [&](int64_t value) -> Value {
      return LLVM::ConstantOp::create(builder, loc, i64,
                                      builder.getI64IntegerAttr(value));
    };
    Value offset =
        ShapedType::isDynamic(layout.offset) ? load() : constant(layout.offset);
    SmallVector<Value> sizes;
    for (int64_t d = 0; d < rank; ++d)
      sizes.push_back(memref.isDynamicDim(d) ? load()
                                             : constant(memref.getDimSize(d)));
    SmallVector<Value> strides;
    for (int64_t d = 0; d < rank; ++d)
      strides.push_back(ShapedType::isDynamic(layout.strides[d])
                            ? load()
                            : constant(layout.strides[d]));
    SmallVector<Type> fields = {ptrType, ptrType, i64};
    if (rank > 0) {
      fields.push_back(LLVM::LLVMArrayType::get(i64, rank));
      fields.push_back(LLVM::LLVMArrayType::get(i64, rank));
    }
    auto structType = LLVM::LLVMStructType::getLiteral(context, fields);
    Value descriptor = LLVM::UndefOp::create(builder, loc, structType);
    descriptor = LLVM::InsertValueOp::create(builder, loc, descriptor, pointer,
                                             ArrayRef<int64_t>{0});
    descriptor = LLVM::InsertValueOp::create(builder, loc, descriptor, pointer,
                                             ArrayRef<int64_t>{1});
    descriptor = LLVM::InsertValueOp::create(builder, loc, descriptor, offset,
                                             ArrayRef<int64_t>{2});
    for (int64_t d = 0; d < rank; ++d) {
      descriptor = LLVM::InsertValueOp::create(
          builder, loc, descriptor, sizes[d], ArrayRef<int64_t>{3, d});
      descriptor = LLVM::InsertValueOp::create(
          builder, loc, descriptor, strides[d], ArrayRef<int64_t>{4, d});
    }
    return UnrealizedConversionCastOp::create(builder, loc, type, descriptor)
        .getResult(0);
  }
  Value word = load();
  if (isa<IndexType>(type))
    return arith::IndexCastUIOp::create(builder, loc, type, word);
  if (auto real = dyn_cast<FloatType>(type)) {
    Type bitsType = builder.getIntegerType(real.getWidth());
    Value bits =
        real.getWidth() == 64
            ? word
            : arith::TruncIOp::create(builder, loc, bitsType, word).getResult();
    return arith::BitcastOp::create(builder, loc, type, bits);
  }
  if (type.getIntOrFloatBitWidth() == 64)
    return word;
  return arith::TruncIOp::create(builder, loc, type, word);
}

int64_t slotCount(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  if (!memref)
    return 1;
  Layout layout = *getLayout(type);
  return 1 + ShapedType::isDynamic(layout.offset) + memref.getNumDynamicDims() +
         llvm::count_if(layout.strides, ShapedType::isDynamic);
}

/// The declaration of the runtime function `name` in `module`.
func::FuncOp getRuntimeFunction(ModuleOp module, StringRef name,
                                FunctionType type) {
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  OpBuilder builder = OpBuilder::atBlockEnd(module.getBody());
  auto decl = func::FuncOp::create(builder, module.getLoc(), name, type);
  decl.setPrivate();
  return decl;
}

struct CpuParallelizePass : nncc::impl::CpuParallelizeBase<CpuParallelizePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<std::pair<func::FuncOp, scf::ForallOp>> loops;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal() || !getContextArg(func))
        continue;
      func.walk([&](scf::ForallOp loop) {
        if (!loop->getParentOfType<scf::ForallOp>())
          loops.push_back({func, loop});
      });
    }
    llvm::StringMap<unsigned> counters;
    for (auto [func, loop] : loops)
      (void)outline(module, func, loop, counters[func.getName()]++);
  }

  LogicalResult outline(ModuleOp module, func::FuncOp func, scf::ForallOp loop,
                        unsigned index) {
    if (loop.getNumResults() != 0 || loop.getMapping())
      return failure();
    FailureOr<nncc::ThreadScratch> scratch = nncc::planThreadScratch(loop);
    if (failed(scratch))
      return failure();

    // Values from outside, the dynamic bounds included: constants are cloned
    // in, the rest take slots.
    llvm::SetVector<Value> above;
    getUsedValuesDefinedAbove(loop.getRegion(), above);
    above.insert(loop->operand_begin(), loop->operand_end());
    SmallVector<Value> constants, captures;
    for (Value value : above) {
      if (matchPattern(value, m_Constant()))
        constants.push_back(value);
      else if (fitsSlot(value.getType()))
        captures.push_back(value);
      else
        return failure();
    }

    MLIRContext *context = &getContext();
    Location loc = loop.getLoc();
    Type ptr = LLVM::LLVMPointerType::get(context);
    Type indexType = IndexType::get(context);
    Type i64 = IntegerType::get(context, 64);
    FunctionType bodyType =
        FunctionType::get(context, {ptr, indexType, indexType, indexType}, {});
    Value ctx = getContextArg(func);

    // The scratch buffer: a slice per thread, before the loop, freed after.
    OpBuilder builder(module.getContext());
    Value scratchBuffer;
    if (scratch->bytes > 0) {
      builder.setInsertionPoint(loop);
      Value threads =
          func::CallOp::create(
              builder, loc,
              getRuntimeFunction(
                  module, kNumThreads,
                  builder.getFunctionType({ptr}, {builder.getI32Type()})),
              ValueRange{ctx})
              .getResult(0);
      Value bytes = arith::MulIOp::create(
          builder, loc,
          arith::IndexCastUIOp::create(builder, loc, indexType, threads),
          arith::ConstantIndexOp::create(builder, loc, scratch->bytes));
      scratchBuffer = memref::AllocOp::create(
          builder, loc,
          MemRefType::get({ShapedType::kDynamic}, builder.getI8Type()),
          ValueRange{bytes},
          builder.getI64IntegerAttr(nncc::kThreadScratchAlignment));
      builder.setInsertionPointAfter(loop);
      memref::DeallocOp::create(builder, loc, scratchBuffer);
      captures.push_back(scratchBuffer);
    }

    // The outlined body: for i in [begin, end): the forall's iteration i.
    builder.setInsertionPointAfter(func);
    std::string name =
        (func.getName() + ".parallel" + llvm::Twine(index)).str();
    auto body = func::FuncOp::create(builder, loc, name, bodyType);
    body.setPrivate();
    Block *entry = body.addEntryBlock();
    builder.setInsertionPointToStart(entry);
    IRMapping mapping;
    int64_t slot = 0;
    Value closureArg = entry->getArgument(0);
    for (Value value : captures)
      mapping.map(value,
                  loadSlots(builder, loc, closureArg, value.getType(), slot));
    for (Value value : constants)
      mapping.map(value, builder.clone(*value.getDefiningOp())->getResult(0));
    // Bounds and trip counts of the forall's dimensions, inside and out.
    auto boundsIn = [&](ArrayRef<OpFoldResult> values) {
      SmallVector<Value> result;
      for (OpFoldResult value : values)
        result.push_back(isa<Value>(value)
                             ? mapping.lookupOrDefault(cast<Value>(value))
                             : arith::ConstantIndexOp::create(
                                   builder, loc, *getConstantIntValue(value))
                                   .getResult());
      return result;
    };
    auto tripCounts = [&](OpBuilder &b, ArrayRef<Value> lbs,
                          ArrayRef<Value> ubs, ArrayRef<Value> steps) {
      SmallVector<Value> counts;
      for (auto [lb, ub, step] : llvm::zip(lbs, ubs, steps))
        counts.push_back(arith::CeilDivUIOp::create(
            b, loc, arith::SubIOp::create(b, loc, ub, lb), step));
      return counts;
    };
    SmallVector<Value> lbs = boundsIn(loop.getMixedLowerBound());
    SmallVector<Value> ubs = boundsIn(loop.getMixedUpperBound());
    SmallVector<Value> steps = boundsIn(loop.getMixedStep());
    SmallVector<Value> counts = tripCounts(builder, lbs, ubs, steps);
    Value one = arith::ConstantIndexOp::create(builder, loc, 1);
    auto serial = scf::ForOp::create(builder, loc, entry->getArgument(1),
                                     entry->getArgument(2), one);
    func::ReturnOp::create(builder, loc);
    builder.setInsertionPointToStart(serial.getBody());
    // Delinearize, innermost dimension fastest.
    Value rest = serial.getInductionVar();
    SmallVector<Value> ivs(counts.size());
    for (int64_t d = counts.size() - 1; d >= 0; --d) {
      Value position =
          d == 0 ? rest
                 : arith::RemUIOp::create(builder, loc, rest, counts[d])
                       .getResult();
      if (d > 0)
        rest = arith::DivUIOp::create(builder, loc, rest, counts[d]);
      ivs[d] = arith::AddIOp::create(
          builder, loc, lbs[d],
          arith::MulIOp::create(builder, loc, position, steps[d]));
    }
    for (auto [iv, value] : llvm::zip(loop.getInductionVars(), ivs))
      mapping.map(iv, value);
    for (Operation &op : loop.getBody()->without_terminator())
      builder.clone(op, mapping);
    // The body's buffers: views of this chunk's slice of the scratch buffer.
    for (auto [alloc, offset] : scratch->buffers) {
      auto clone = cast<memref::AllocOp>(mapping.lookup(alloc.getOperation()));
      builder.setInsertionPoint(clone);
      Value start = arith::AddIOp::create(
          builder, loc,
          arith::MulIOp::create(
              builder, loc, entry->getArgument(3),
              arith::ConstantIndexOp::create(builder, loc, scratch->bytes)),
          arith::ConstantIndexOp::create(builder, loc, offset));
      Value view = memref::ViewOp::create(builder, loc, clone.getType(),
                                          mapping.lookup(scratchBuffer), start,
                                          ValueRange{});
      for (Operation *user : llvm::make_early_inc_range(clone->getUsers()))
        if (isa<memref::DeallocOp>(user))
          user->erase();
      clone.replaceAllUsesWith(view);
      clone.erase();
    }

    // The call site.
    int64_t slots = 0;
    for (Value value : captures)
      slots += slotCount(value.getType());
    builder.setInsertionPointToStart(&func.getBody().front());
    Value closure;
    if (slots > 0) {
      Value count = LLVM::ConstantOp::create(builder, loc, i64,
                                             builder.getI64IntegerAttr(slots));
      closure = LLVM::AllocaOp::create(builder, loc, ptr, i64, count, 8);
    } else {
      closure = LLVM::ZeroOp::create(builder, loc, ptr);
    }
    builder.setInsertionPoint(loop);
    slot = 0;
    for (Value value : captures)
      storeSlots(builder, loc, closure, value, slot);
    SmallVector<Value> outerCounts = tripCounts(
        builder,
        getValueOrCreateConstantIndexOp(builder, loc,
                                        loop.getMixedLowerBound()),
        getValueOrCreateConstantIndexOp(builder, loc,
                                        loop.getMixedUpperBound()),
        getValueOrCreateConstantIndexOp(builder, loc, loop.getMixedStep()));
    Value total = arith::ConstantIndexOp::create(builder, loc, 1);
    for (Value count : outerCounts)
      total = arith::MulIOp::create(builder, loc, total, count);
    Value n = arith::IndexCastUIOp::create(builder, loc, i64, total);
    Value grain = arith::ConstantIntOp::create(builder, loc, i64, 1);
    Value function =
        func::ConstantOp::create(builder, loc, bodyType, body.getName());
    func::CallOp::create(
        builder, loc,
        getRuntimeFunction(
            module, nncc::kParallelForFunction,
            builder.getFunctionType({ptr, i64, i64, ptr, bodyType}, {})),
        ValueRange{ctx, n, grain, closure, function});
    loop.erase();
    return success();
  }
};

} // namespace
