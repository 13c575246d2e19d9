//===- PlanWorkspace.cpp - the nncc-plan-workspace pass ---------*- C++ -*-===//
//
// The static memory plan: the statically shaped temporaries of each entry
// function become views at fixed offsets of one workspace buffer, placed by
// their live ranges so that buffers whose lives do not overlap share bytes.
//
// The deallocation pipeline frees every temporary at the end of the
// function, so without a plan each call held all of them at once. Here a
// buffer lives from the top-level op that allocates it to the last top-level
// op that uses it or a view of it (an op of the function body, so a buffer
// used inside a loop lives for the whole loop). Buffers are placed largest
// first, each at the lowest aligned offset clear of the placed buffers whose
// lives overlap its own (first fit by decreasing size).
//
// Left to the allocator: buffers with dynamic sizes (the batch), buffers
// allocated inside an scf.forall (each thread needs its own), and buffers a
// view of which leaves through a terminator or a call (their life is not
// known here).
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Common/Passes.h"
#include "dialects/Nn/IR/NnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include <tuple>

namespace nncc {
#define GEN_PASS_DEF_PLANWORKSPACE
#include "compiler/Codegen/Common/Passes.h.inc"
} // namespace nncc

using namespace mlir;

namespace {

/// Every buffer starts on a cache line (and a zmm load's alignment).
constexpr int64_t kAlignment = 64;

int64_t alignUp(int64_t value, int64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

/// A temporary and its life in top-level op positions, both ends included.
struct Buffer {
  memref::AllocOp alloc;
  int64_t bytes = 0;
  int64_t alignment = kAlignment;
  int64_t begin = 0, end = 0;
  int64_t offset = -1;
  SmallVector<memref::DeallocOp> deallocs;

  bool overlaps(const Buffer &other) const {
    return begin <= other.end && other.begin <= end;
  }
};

/// The op of `body` that contains `op`.
Operation *topLevelAncestor(Block &body, Operation *op) {
  while (op && op->getBlock() != &body)
    op = op->getParentOp();
  return op;
}

/// Fills in `buffer`'s life and deallocations from the uses of its
/// allocation and of every view of it. Returns false when a view escapes
/// (through a terminator, a call, or an op that makes a memref other than by
/// a view or a tensor): the buffer then lives to the end of the function as
/// far as the plan knows.
bool traceLife(Block &body, const DenseMap<Operation *, int64_t> &position,
               Buffer &buffer) {
  buffer.begin = buffer.end =
      position.lookup(topLevelAncestor(body, buffer.alloc));
  bool contained = true;
  SmallVector<Value> worklist = {buffer.alloc.getResult()};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (Operation *user : value.getUsers()) {
      if (auto dealloc = dyn_cast<memref::DeallocOp>(user)) {
        // A freed view would be a bug the plan must not hide.
        if (value == buffer.alloc.getResult())
          buffer.deallocs.push_back(dealloc);
        else
          contained = false;
        continue;
      }
      auto view = dyn_cast<ViewLikeOpInterface>(user);
      if (view && view.getViewSource() == value)
        llvm::append_range(worklist, user->getResults());
      else if (user->hasTrait<OpTrait::IsTerminator>() ||
               isa<CallOpInterface>(user) ||
               llvm::any_of(user->getResultTypes(), [](Type type) {
                 return isa<BaseMemRefType, TensorType>(type);
               }))
        contained = false;
      buffer.end =
          std::max(buffer.end, position.lookup(topLevelAncestor(body, user)));
    }
  }
  if (!contained)
    buffer.end = body.getOperations().size() - 1;
  return contained;
}

/// Places `buffers` (first fit by decreasing size); returns the workspace
/// size.
int64_t placeBuffers(MutableArrayRef<Buffer> buffers) {
  // Largest first; ties in program order, so the plan is deterministic.
  SmallVector<Buffer *> order;
  for (Buffer &buffer : buffers)
    order.push_back(&buffer);
  llvm::sort(order, [](const Buffer *a, const Buffer *b) {
    return std::make_tuple(-a->bytes, a->begin, a->end, a) <
           std::make_tuple(-b->bytes, b->begin, b->end, b);
  });
  SmallVector<Buffer *> placed;
  int64_t total = 0;
  for (Buffer *buffer : order) {
    SmallVector<Buffer *> conflicts;
    for (Buffer *other : placed)
      if (buffer->overlaps(*other))
        conflicts.push_back(other);
    llvm::sort(conflicts, [](const Buffer *a, const Buffer *b) {
      return a->offset < b->offset;
    });
    int64_t offset = 0;
    for (Buffer *other : conflicts) {
      if (alignUp(offset, buffer->alignment) + buffer->bytes <= other->offset)
        break;
      offset = std::max(offset, other->offset + other->bytes);
    }
    buffer->offset = alignUp(offset, buffer->alignment);
    total = std::max(total, buffer->offset + buffer->bytes);
    placed.push_back(buffer);
  }
  return total;
}

/// The most bytes live at one top-level position.
int64_t livePeak(ArrayRef<Buffer> buffers, int64_t positions) {
  SmallVector<int64_t> live(positions + 1, 0);
  for (const Buffer &buffer : buffers)
    for (int64_t i = buffer.begin; i <= buffer.end; ++i)
      live[i] += buffer.bytes;
  return *llvm::max_element(live);
}

struct PlanWorkspacePass : nncc::impl::PlanWorkspaceBase<PlanWorkspacePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    OpBuilder b(module.getContext());
    SmallVector<NamedAttribute> bounds;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (!func->hasAttr(nncc::nn::NnDialect::kEntryAttr) || func.isExternal())
        continue;
      if (!func.getBody().hasOneBlock()) {
        func.emitError("nncc-plan-workspace expects structured control flow");
        return signalPassFailure();
      }
      int64_t bound = planFunction(func);
      StringRef name = func.getName();
      name.consume_front(nncc::nn::NnDialect::kInternalPrefix);
      bounds.push_back(b.getNamedAttr(name, b.getI64IntegerAttr(bound)));
    }
    module->setAttr("nncc.live_temporaries_bytes", b.getDictionaryAttr(bounds));
  }

  /// Plans `func`'s temporaries; returns the most bytes of static
  /// temporaries live at once (planned or not), the bound the plan is
  /// measured against.
  int64_t planFunction(func::FuncOp func) {
    Block &body = func.getBody().front();
    DenseMap<Operation *, int64_t> position;
    int64_t next = 0;
    for (Operation &op : body)
      position[&op] = next++;

    SmallVector<Buffer> planned, unplanned;
    func.walk([&](memref::AllocOp alloc) {
      MemRefType type = alloc.getType();
      if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
          !type.getElementType().isIntOrIndexOrFloat())
        return;
      Buffer buffer;
      buffer.alloc = alloc;
      int64_t bits = type.getElementTypeBitWidth();
      if (type.getElementType().isIndex())
        bits = 64;
      buffer.bytes = type.getNumElements() * ((bits + 7) / 8);
      if (std::optional<uint64_t> alignment = alloc.getAlignment())
        buffer.alignment = std::max<int64_t>(kAlignment, *alignment);
      bool plannable = traceLife(body, position, buffer) &&
                       !alloc->getParentOfType<scf::ForallOp>() &&
                       !alloc->getParentOfType<scf::ParallelOp>();
      (plannable ? planned : unplanned).push_back(buffer);
    });
    SmallVector<Buffer> all(planned);
    all.append(unplanned.begin(), unplanned.end());
    int64_t bound = all.empty() ? 0 : livePeak(all, position.size());
    if (planned.empty())
      return bound;

    int64_t total = placeBuffers(planned);
    OpBuilder builder(func.getContext());
    builder.setInsertionPointToStart(&body);
    Location loc = func.getLoc();
    auto workspaceType = MemRefType::get({total}, builder.getIntegerType(8));
    Value workspace = memref::AllocOp::create(
        builder, loc, workspaceType, builder.getI64IntegerAttr(kAlignment));
    for (Buffer &buffer : planned) {
      builder.setInsertionPoint(buffer.alloc);
      Value offset =
          arith::ConstantIndexOp::create(builder, loc, buffer.offset);
      Value view = memref::ViewOp::create(builder, buffer.alloc.getLoc(),
                                          buffer.alloc.getType(), workspace,
                                          offset, ValueRange{});
      for (memref::DeallocOp dealloc : buffer.deallocs)
        dealloc.erase();
      buffer.alloc.replaceAllUsesWith(view);
      buffer.alloc.erase();
    }
    builder.setInsertionPoint(body.getTerminator());
    memref::DeallocOp::create(builder, loc, workspace);
    return bound;
  }
};

} // namespace
