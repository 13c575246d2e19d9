//===- AllocateThroughContext.cpp - nncc-allocate-through-context ---------===//

#include "compiler/Codegen/Common/Passes.h"
#include "dialects/Nn/IR/NnDialect.h"

#include "nnrt/nnrt.h" // NNRT_DEFAULT_ALIGNMENT

#include "mlir/Dialect/LLVMIR/FunctionCallUtils.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace nncc {
#define GEN_PASS_DEF_ALLOCATETHROUGHCONTEXT
#include "compiler/Codegen/Common/Passes.h.inc"
} // namespace nncc

using namespace mlir;
using nncc::nn::NnDialect;

namespace {

/// The nn.context argument of `func`, or null.
Value getContextArg(LLVM::LLVMFuncOp func) {
  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
    if (func.getArgAttr(i, NnDialect::kContextAttr))
      return func.getArgument(i);
  return {};
}

/// The block every failed allocation of `func` branches to: it returns at
/// once (a zero value for a function with a result). The runtime records
/// the failure, which the entry point reports; nnrt_hook_leave releases
/// what the function had allocated.
Block *getFailureBlock(LLVM::LLVMFuncOp func,
                       llvm::DenseMap<Operation *, Block *> &blocks) {
  Block *&block = blocks[func];
  if (block)
    return block;
  block = new Block();
  func.getBody().push_back(block);
  OpBuilder builder = OpBuilder::atBlockEnd(block);
  Type result = func.getFunctionType().getReturnType();
  if (isa<LLVM::LLVMVoidType>(result))
    LLVM::ReturnOp::create(builder, func.getLoc(), ValueRange{});
  else
    LLVM::ReturnOp::create(
        builder, func.getLoc(),
        LLVM::ZeroOp::create(builder, func.getLoc(), result).getResult());
  return block;
}

struct AllocateThroughContextPass
    : nncc::impl::AllocateThroughContextBase<AllocateThroughContextPass> {
  llvm::DenseMap<Operation *, Block *> failureBlocks;

  /// Generated code never touches a buffer it did not get: after each
  /// allocation, a null result leaves the function.
  void returnOnFailure(LLVM::CallOp alloc) {
    auto func = alloc->getParentOfType<LLVM::LLVMFuncOp>();
    Block *fail = getFailureBlock(func, failureBlocks);
    Block *before = alloc->getBlock();
    Block *after = before->splitBlock(alloc->getNextNode());
    OpBuilder builder = OpBuilder::atBlockEnd(before);
    Location loc = alloc.getLoc();
    Value null =
        LLVM::ZeroOp::create(builder, loc, alloc.getResult().getType());
    Value isNull = LLVM::ICmpOp::create(builder, loc, LLVM::ICmpPredicate::eq,
                                        alloc.getResult(), null);
    LLVM::CondBrOp::create(builder, loc, isNull, fail, after);
  }

  void runOnOperation() override {
    failureBlocks.clear();
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

    SmallVector<LLVM::CallOp> allocs;
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
        args.push_back(LLVM::ConstantOp::create(builder, loc, i64,
                                                NNRT_DEFAULT_ALIGNMENT));
        args.push_back(call.getArgOperands()[0]);
      } else if (*callee == "_mlir_memref_to_llvm_free") {
        hook = *hookFree;
        args.push_back(call.getArgOperands()[0]);
      } else {
        call.emitOpError() << "calls unknown allocation function " << *callee;
        return WalkResult::interrupt();
      }
      auto replacement = LLVM::CallOp::create(builder, loc, hook, args);
      if (hook == *hookAlloc)
        allocs.push_back(replacement);
      call->replaceAllUsesWith(replacement);
      call->erase();
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      return signalPassFailure();
    for (LLVM::CallOp alloc : allocs)
      returnOnFailure(alloc);
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
