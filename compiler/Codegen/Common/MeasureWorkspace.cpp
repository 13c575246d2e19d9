//===- MeasureWorkspace.cpp - the nncc-measure-workspace pass ---*- C++ -*-===//
//
// The workspace part of the memory contract (docs/training.md): the peak of
// simultaneously live temporaries of each entry, from the bufferized code.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Common/Passes.h"
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

/// Bytes of a statically shaped buffer; 0 when its size is not static.
int64_t bufferBytes(MemRefType type) {
  if (!type.hasStaticShape())
    return 0;
  int64_t bits = type.getElementTypeBitWidth();
  return type.getNumElements() * std::max<int64_t>(1, (bits + 7) / 8);
}

struct MeasureWorkspacePass
    : nncc::impl::MeasureWorkspaceBase<MeasureWorkspacePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    OpBuilder b(module.getContext());
    SmallVector<NamedAttribute> peaks;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (!func->hasAttr(nncc::nn::NnDialect::kEntryAttr) || func.isExternal())
        continue;
      int64_t live = 0, peak = 0;
      llvm::DenseMap<Value, int64_t> sizes;
      func.walk([&](Operation *op) {
        if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
          int64_t bytes = bufferBytes(alloc.getType());
          sizes[alloc.getResult()] = bytes;
          live += bytes;
          peak = std::max(peak, live);
        } else if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
          live -= sizes.lookup(dealloc.getMemref());
        }
      });
      StringRef name = func.getName();
      name.consume_front(nncc::nn::NnDialect::kInternalPrefix);
      peaks.push_back(b.getNamedAttr(name, b.getI64IntegerAttr(peak)));
    }
    module->setAttr("nncc.workspace_bytes", b.getDictionaryAttr(peaks));
  }
};

} // namespace
