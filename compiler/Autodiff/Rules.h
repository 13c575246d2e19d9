//===- Rules.h - attaching gradient rules to nn ops -------------*- C++ -*-===//
//
// Shared by RulesMath.cpp, RulesNN.cpp and RulesTensor.cpp: each defines
// `buildVJP(OpTy, VJPContext &)` overloads and attaches them with
// attachRules<OpTy...>.
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_COMPILER_AUTODIFF_RULES_H
#define NNCC_COMPILER_AUTODIFF_RULES_H

#include "compiler/Autodiff/VJPOpInterface.h"
#include "dialects/Nn/IR/NnOps.h"

namespace nncc::autodiff {

/// What one rule works with: the builder (at the end of the backward
/// pass), the state, the gradient of each result, which operands need a
/// gradient, and where to put them.
struct VJPContext {
  mlir::OpBuilder &b;
  mlir::Location loc;
  VJPState &state;
  llvm::ArrayRef<mlir::Value> resultGrads;
  llvm::ArrayRef<bool> needed;
  llvm::SmallVectorImpl<mlir::Value> &operandGrads;

  /// The gradient of the op's only (or first) result.
  mlir::Value grad() const { return resultGrads.front(); }
  /// Sets the gradient of operand `index` when it needs one; `build` is
  /// only called then.
  void set(unsigned index, llvm::function_ref<mlir::Value()> build) {
    if (needed[index])
      operandGrads[index] = build();
  }
  mlir::Value primal(mlir::Value value) { return state.primal(value); }
  mlir::Value scalar(mlir::Type elementType, double value) {
    return VJPState::scalar(b, loc, elementType, value);
  }
  mlir::Value reduceTo(mlir::Value grad, mlir::Value like) {
    return VJPState::reduceToShape(
        b, loc, grad, llvm::cast<mlir::RankedTensorType>(like.getType()));
  }
};

template <typename OpTy>
struct VJPModel : public VJPOpInterface::ExternalModel<VJPModel<OpTy>, OpTy> {
  mlir::LogicalResult
  buildVJP(mlir::Operation *op, mlir::OpBuilder &builder, VJPState &state,
           llvm::ArrayRef<mlir::Value> resultGrads, llvm::ArrayRef<bool> needed,
           llvm::SmallVectorImpl<mlir::Value> &operandGrads) const {
    operandGrads.assign(op->getNumOperands(), mlir::Value());
    VJPContext context{builder,     op->getLoc(), state,
                       resultGrads, needed,       operandGrads};
    return vjp(llvm::cast<OpTy>(op), context);
  }
};

template <typename... OpTys> void attachRules(mlir::MLIRContext *ctx) {
  (OpTys::template attachInterface<VJPModel<OpTys>>(*ctx), ...);
}

void attachMathRules(mlir::MLIRContext *ctx);
void attachNNRules(mlir::MLIRContext *ctx);
void attachTensorRules(mlir::MLIRContext *ctx);

} // namespace nncc::autodiff

#endif // NNCC_COMPILER_AUTODIFF_RULES_H
