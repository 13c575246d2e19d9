//===- BindBatchSize.cpp - the nncc-bind-batch-size pass --------*- C++ -*-===//
//
// Entries with a dynamic batch take it as an argument (Passes.td says why).
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Common/Passes.h"
#include "dialects/Nn/IR/NnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace nncc {
#define GEN_PASS_DEF_BINDBATCHSIZE
#include "compiler/Codegen/Common/Passes.h.inc"
} // namespace nncc

using namespace mlir;
using nncc::nn::NnDialect;

namespace {

bool isDynamicMemRef(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  return memref && !memref.hasStaticShape();
}

/// Rebuilds the dynamic memref `type` over the bare buffer `buffer`: row
/// major, the batch size `batch` for every `?`.
Value viewAs(OpBuilder &b, Location loc, MemRefType type, Value buffer,
             Value batch) {
  int64_t rank = type.getRank();
  SmallVector<OpFoldResult> sizes(rank), strides(rank);
  OpFoldResult stride = b.getIndexAttr(1);
  auto multiply = [&](OpFoldResult x, OpFoldResult y) -> OpFoldResult {
    std::optional<int64_t> a = getConstantIntValue(x),
                           c = getConstantIntValue(y);
    if (a && c)
      return b.getIndexAttr(*a * *c);
    auto value = [&](OpFoldResult v) -> Value {
      if (auto attr = dyn_cast<Attribute>(v))
        return arith::ConstantIndexOp::create(b, loc,
                                              cast<IntegerAttr>(attr).getInt());
      return cast<Value>(v);
    };
    return arith::MulIOp::create(b, loc, value(x), value(y)).getResult();
  };
  for (int64_t d = rank - 1; d >= 0; --d) {
    sizes[d] = type.isDynamicDim(d)
                   ? OpFoldResult(batch)
                   : OpFoldResult(b.getIndexAttr(type.getDimSize(d)));
    strides[d] = stride;
    stride = multiply(stride, sizes[d]);
  }
  return memref::ReinterpretCastOp::create(b, loc, type, buffer,
                                           b.getIndexAttr(0), sizes, strides);
}

struct BindBatchSizePass : nncc::impl::BindBatchSizeBase<BindBatchSizePass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isExternal() ||
          llvm::none_of(func.getArgumentTypes(), isDynamicMemRef))
        continue;
      if (!func->hasAttr(NnDialect::kEntryAttr)) {
        func.emitOpError("has dynamically shaped arguments but is not an "
                         "entry function (nn.entry)");
        return signalPassFailure();
      }
      Block &entry = func.front();
      unsigned batchIndex = func.getNumArguments();
      if (failed(func.insertArgument(
              batchIndex, IndexType::get(ctx),
              DictionaryAttr::get(ctx,
                                  {NamedAttribute(NnDialect::kBatchSizeAttr,
                                                  UnitAttr::get(ctx))}),
              func.getLoc())))
        return signalPassFailure();
      Value batch = entry.getArgument(batchIndex);
      OpBuilder b = OpBuilder::atBlockBegin(&entry);
      for (BlockArgument arg : entry.getArguments().drop_back()) {
        auto type = dyn_cast<MemRefType>(arg.getType());
        if (!type || type.hasStaticShape())
          continue;
        // Any static memref lowers to the same bare pointer.
        arg.setType(MemRefType::get({1}, type.getElementType()));
        Value view = viewAs(b, func.getLoc(), type, arg, batch);
        arg.replaceAllUsesExcept(view, view.getDefiningOp());
      }
      func.setFunctionType(FunctionType::get(ctx, entry.getArgumentTypes(),
                                             func.getResultTypes()));
    }
  }
};

} // namespace
