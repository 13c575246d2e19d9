//===- FlattenConstantGlobals.cpp - nncc-flatten-constant-globals -------===//
//
// Constant memref.globals become one-dimensional, viewed back in their
// shape where they are read (Passes.td says why).
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Common/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/StringMap.h"

namespace nncc {
#define GEN_PASS_DEF_FLATTENCONSTANTGLOBALS
#include "compiler/Codegen/Common/Passes.h.inc"
} // namespace nncc

using namespace mlir;

namespace {

struct FlattenConstantGlobalsPass
    : nncc::impl::FlattenConstantGlobalsBase<FlattenConstantGlobalsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // The flattened globals, by name, with their shaped type.
    llvm::StringMap<MemRefType> shaped;
    for (auto global : module.getOps<memref::GlobalOp>()) {
      MemRefType type = global.getType();
      auto values =
          dyn_cast_or_null<DenseElementsAttr>(global.getInitialValueAttr());
      if (!global.getConstant() || !values || type.getRank() < 2 ||
          !type.hasStaticShape() || !type.getLayout().isIdentity())
        continue;
      int64_t count = type.getNumElements();
      auto flat =
          MemRefType::get({count}, type.getElementType(),
                          MemRefLayoutAttrInterface(), type.getMemorySpace());
      global.setTypeAttr(TypeAttr::get(flat));
      global.setInitialValueAttr(values.reshape(
          RankedTensorType::get({count}, type.getElementType())));
      shaped[global.getSymName()] = type;
    }
    if (shaped.empty())
      return;
    SmallVector<memref::GetGlobalOp> reads;
    module.walk([&](memref::GetGlobalOp read) {
      if (shaped.count(read.getName()))
        reads.push_back(read);
    });
    for (memref::GetGlobalOp read : reads) {
      MemRefType type = shaped.lookup(read.getName());
      OpBuilder builder(read);
      auto flat = memref::GetGlobalOp::create(
          builder, read.getLoc(),
          MemRefType::get({type.getNumElements()}, type.getElementType(),
                          MemRefLayoutAttrInterface(), type.getMemorySpace()),
          read.getName());
      ReassociationIndices all;
      for (int64_t d = 0; d < type.getRank(); ++d)
        all.push_back(d);
      Value view = memref::ExpandShapeOp::create(builder, read.getLoc(), type,
                                                 flat.getResult(), {all});
      read.replaceAllUsesWith(view);
      read.erase();
    }
  }
};

} // namespace
