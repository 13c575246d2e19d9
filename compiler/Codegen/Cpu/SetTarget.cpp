//===- SetTarget.cpp - the nncc-set-target pass ---------------------------===//

#include "compiler/Codegen/Cpu/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "llvm/TargetParser/Host.h"

namespace nncc {
#define GEN_PASS_DEF_SETTARGET
#include "compiler/Codegen/Cpu/Passes.h.inc"
} // namespace nncc

using namespace mlir;

namespace {

struct SetTargetPass : nncc::impl::SetTargetBase<SetTargetPass> {
  using SetTargetBase::SetTargetBase;
  void runOnOperation() override {
    std::string value = triple.empty() ? llvm::sys::getDefaultTargetTriple()
                                       : triple.getValue();
    getOperation()->setAttr(LLVM::LLVMDialect::getTargetTripleAttrName(),
                            StringAttr::get(&getContext(), value));
  }
};

} // namespace
