//===- ThreadScratch.cpp - per-thread buffers of parallel loops -----------===//

#include "compiler/Codegen/Common/ThreadScratch.h"

#include "llvm/Support/MathExtras.h"

using namespace mlir;

FailureOr<nncc::ThreadScratch> nncc::planThreadScratch(scf::ForallOp loop) {
  ThreadScratch scratch;
  WalkResult walk = loop.getBody()->walk([&](memref::AllocOp alloc) {
    MemRefType type = alloc.getType();
    if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
        type.getMemorySpace() || !type.getElementType().isIntOrFloat())
      return WalkResult::interrupt();
    bool freedInBlock = false;
    for (Operation *user : alloc->getUsers()) {
      if (!isa<memref::DeallocOp>(user))
        continue;
      if (user->getBlock() != alloc->getBlock())
        return WalkResult::interrupt();
      freedInBlock = true;
    }
    if (!freedInBlock)
      return WalkResult::interrupt();
    // Slices and buffers start on multiples of the scratch's alignment.
    if (alloc.getAlignment().value_or(0) > nncc::kThreadScratchAlignment)
      return WalkResult::interrupt();
    scratch.bytes = llvm::alignTo(scratch.bytes, nncc::kThreadScratchAlignment);
    scratch.buffers.push_back({alloc, scratch.bytes});
    int64_t bits = type.getElementTypeBitWidth();
    scratch.bytes += type.getNumElements() * std::max<int64_t>(1, bits / 8);
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return failure();
  scratch.bytes = llvm::alignTo(scratch.bytes, nncc::kThreadScratchAlignment);
  return scratch;
}
