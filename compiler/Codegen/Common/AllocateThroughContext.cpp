//===- AllocateThroughContext.cpp - nncc-allocate-through-context ---------===//

#include "compiler/Codegen/Common/Passes.h"
#include "dialects/Nn/IR/NnDialect.h"

#include "mlir/Dialect/LLVMIR/FunctionCallUtils.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace nncc {
#define GEN_PASS_DEF_ALLOCATETHROUGHCONTEXT
#include "compiler/Codegen/Common/Passes.h.inc"
} // namespace nncc

using namespace mlir;
using nncc::nn::NnDialect;

namespace {

/// The default alignment of nnrt_hook_alloc, for calls without one.
constexpr int64_t kDefaultAlignment = 64;

/// The nn.context argument of `func`, or null.
Value getContextArg(LLVM::LLVMFuncOp func) {
  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
    if (func.getArgAttr(i, NnDialect::kContextAttr))
      return func.getArgument(i);
  return {};
}

struct AllocateThroughContextPass
    : nncc::impl::AllocateThroughContextBase<AllocateThroughContextPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    OpBuilder builder(module.getBodyRegion());
    auto ptrType = LLVM::LLVMPointerType::get(&getContext());
    auto i64 = builder.getI64Type();
    auto voidType = LLVM::LLVMVoidType::get(&getContext());
    FailureOr<LLVM::LLVMFuncOp> hookAlloc = LLVM::lookupOrCreateFn(
        builder, module, "nnrt_hook_alloc", {ptrType, i64, i64}, ptrType);
    FailureOr<LLVM::LLVMFuncOp> hookFree = LLVM::lookupOrCreateFn(
        builder, module, "nnrt_hook_free", {ptrType, ptrType}, voidType);
    if (failed(hookAlloc) || failed(hookFree)) {
      module.emitError("the module declares nnrt_hook_alloc or nnrt_hook_free "
                       "with another type than the nncc runtime's");
      return signalPassFailure();
    }

    WalkResult result = module.walk([&](LLVM::CallOp call) {
      std::optional<StringRef> callee = call.getCallee();
      if (!callee || !callee->starts_with("_mlir_memref_to_llvm_"))
        return WalkResult::advance();
      auto func = call->getParentOfType<LLVM::LLVMFuncOp>();
      Value ctx = getContextArg(func);
      if (!ctx) {
        call.emitOpError() << "allocates memory in '" << func.getName()
                           << "', which has no nn.context argument";
        return WalkResult::interrupt();
      }
      builder.setInsertionPoint(call);
      Location loc = call.getLoc();
      SmallVector<Value> args = {ctx};
      LLVM::LLVMFuncOp hook = *hookAlloc;
      if (*callee == "_mlir_memref_to_llvm_aligned_alloc") {
        args.append(call.getArgOperands().begin(), call.getArgOperands().end());
      } else if (*callee == "_mlir_memref_to_llvm_alloc") {
        args.push_back(
            LLVM::ConstantOp::create(builder, loc, i64, kDefaultAlignment));
        args.push_back(call.getArgOperands()[0]);
      } else if (*callee == "_mlir_memref_to_llvm_free") {
        hook = *hookFree;
        args.push_back(call.getArgOperands()[0]);
      } else {
        call.emitOpError() << "calls unknown allocation function " << *callee;
        return WalkResult::interrupt();
      }
      auto replacement = LLVM::CallOp::create(builder, loc, hook, args);
      call->replaceAllUsesWith(replacement);
      call->erase();
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      return signalPassFailure();
    // The generic functions are now unused declarations.
    for (StringRef name :
         {"_mlir_memref_to_llvm_aligned_alloc", "_mlir_memref_to_llvm_alloc",
          "_mlir_memref_to_llvm_free"})
      if (auto decl = module.lookupSymbol<LLVM::LLVMFuncOp>(name))
        if (decl.isExternal() && decl.symbolKnownUseEmpty(module))
          decl.erase();
  }
};

} // namespace
