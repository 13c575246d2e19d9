//===- MeasureWorkspace.cpp - the nncc-measure-workspace pass ---*- C++ -*-===//
//
// The workspace part of the memory contract (docs/training.md): the peak of
// simultaneously live temporaries of each entry, from the bufferized code,
// and apart from it the per-thread scratch of its parallel loops (the
// buffers their bodies allocate, ThreadScratch.h): a call on T threads holds
// at most the workspace plus T slices of the largest loop's scratch. Also the
// most temporaries live at once, each of which costs the runtime a block
// header: <model>_create sizes the context's workspace from these figures
// (nncc-generate-entry-points).
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Common/Passes.h"
#include "compiler/Codegen/Common/ThreadScratch.h"
#include "dialects/Nn/IR/NnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinAttributes.h"

namespace nncc {
#define GEN_PASS_DEF_MEASUREWORKSPACE
#include "compiler/Codegen/Common/Passes.h.inc"
} // namespace nncc

using namespace mlir;

namespace {

/// Bytes of a buffer: fixed, and per batch item for one with the dynamic
/// batch (its only dynamic size, NnDialect.td).
struct Bytes {
  int64_t fixed = 0, perBatch = 0;
};

Bytes bufferBytes(MemRefType type) {
  int64_t bits = type.getElementTypeBitWidth();
  int64_t bytes = std::max<int64_t>(1, (bits + 7) / 8);
  for (int64_t size : type.getShape())
    if (!ShapedType::isDynamic(size))
      bytes *= size;
  if (type.hasStaticShape())
    return {bytes, 0};
  return {0, bytes};
}

struct MeasureWorkspacePass
    : nncc::impl::MeasureWorkspaceBase<MeasureWorkspacePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    OpBuilder b(module.getContext());
    SmallVector<NamedAttribute> peaks, scratches, buffers;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (!func->hasAttr(nncc::nn::NnDialect::kEntryAttr) || func.isExternal())
        continue;
      // With the dynamic batch, the fixed and per-batch parts peak
      // separately: the sum of their peaks bounds the peak at any batch.
      Bytes live, peak;
      int64_t liveBuffers = 0, peakBuffers = 0;
      bool dynamic = false;
      llvm::DenseMap<Value, Bytes> sizes;
      int64_t perThread = 0;
      func.walk<WalkOrder::PreOrder>([&](Operation *op) {
        if (auto loop = dyn_cast<scf::ForallOp>(op)) {
          FailureOr<nncc::ThreadScratch> scratch =
              nncc::planThreadScratch(loop);
          if (succeeded(scratch) && scratch->bytes > 0) {
            perThread = std::max(perThread, scratch->bytes);
            return WalkResult::skip();
          }
        }
        if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
          Bytes bytes = bufferBytes(alloc.getType());
          dynamic |= !alloc.getType().hasStaticShape();
          sizes[alloc.getResult()] = bytes;
          live.fixed += bytes.fixed;
          live.perBatch += bytes.perBatch;
          peak.fixed = std::max(peak.fixed, live.fixed);
          peak.perBatch = std::max(peak.perBatch, live.perBatch);
          peakBuffers = std::max(peakBuffers, ++liveBuffers);
        } else if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
          Bytes bytes = sizes.lookup(dealloc.getMemref());
          live.fixed -= bytes.fixed;
          live.perBatch -= bytes.perBatch;
          --liveBuffers;
        }
        return WalkResult::advance();
      });
      StringRef name = func.getName();
      name.consume_front(nncc::nn::NnDialect::kInternalPrefix);
      Attribute value = b.getI64IntegerAttr(peak.fixed);
      if (dynamic)
        value = b.getDenseI64ArrayAttr({peak.fixed, peak.perBatch});
      peaks.push_back(b.getNamedAttr(name, value));
      scratches.push_back(b.getNamedAttr(name, b.getI64IntegerAttr(perThread)));
      buffers.push_back(b.getNamedAttr(name, b.getI64IntegerAttr(peakBuffers)));
    }
    module->setAttr("nncc.workspace_bytes", b.getDictionaryAttr(peaks));
    module->setAttr("nncc.thread_scratch_bytes",
                    b.getDictionaryAttr(scratches));
    module->setAttr("nncc.workspace_buffers", b.getDictionaryAttr(buffers));
  }
};

} // namespace
