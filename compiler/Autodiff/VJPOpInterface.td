//===- VJPOpInterface.td - reverse-mode rules of nn ops ----*- tablegen -*-===//
//
// The differentiation interface of the nn dialect: an op that implements it
// can be differentiated by nn-differentiate (Differentiate.cpp). The rules
// are attached to the nn ops as external models (Rules*.cpp, one file per op
// category), so the dialect does not depend on the autodiff library.
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_COMPILER_AUTODIFF_VJPOPINTERFACE_TD
#define NNCC_COMPILER_AUTODIFF_VJPOPINTERFACE_TD

include "mlir/IR/OpBase.td"

def VJPOpInterface : OpInterface<"VJPOpInterface"> {
  let cppNamespace = "::nncc::autodiff";
  let description = [{
    The vector-Jacobian product of an op: given the gradients of its
    results (the loss's gradient with respect to each), builds in nn ops the
    gradients of the operands that need one. Rules read forward values only
    through `state.primal(v)`, which counts them as kept for the backward
    pass (and lets a rematerialization policy substitute recomputed values).
  }];
  let methods = [
    InterfaceMethod<[{
        Whether operand `index` can carry a gradient: float operands by
        default; integer operands (labels, indices) never do.
      }], "bool", "isDifferentiableOperand", (ins "unsigned":$index), [{}],
      [{
        return ::mlir::isa<::mlir::FloatType>(::mlir::getElementTypeOrSelf(
            $_op->getOperand(index).getType()));
      }]>,
    InterfaceMethod<[{
        Builds the gradients of the operands `needed` marks, at the
        builder's insertion point, into `operandGrads` (one entry per
        operand; null for the others). `resultGrads` has one entry per
        result, null for a result without a gradient.
      }], "::mlir::LogicalResult", "buildVJP",
      (ins "::mlir::OpBuilder &":$builder,
           "::nncc::autodiff::VJPState &":$state,
           "::mlir::ArrayRef<::mlir::Value>":$resultGrads,
           "::llvm::ArrayRef<bool>":$needed,
           "::llvm::SmallVectorImpl<::mlir::Value> &":$operandGrads)>
  ];
}

#endif // NNCC_COMPILER_AUTODIFF_VJPOPINTERFACE_TD
