//===- VJPOpInterface.h - reverse-mode rules of nn ops ----------*- C++ -*-===//
//
// The differentiation interface (VJPOpInterface.td) and the state its rules
// build with: forward values, constants and the broadcast reduction every
// elementwise rule needs.
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_COMPILER_AUTODIFF_VJPOPINTERFACE_H
#define NNCC_COMPILER_AUTODIFF_VJPOPINTERFACE_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/SetVector.h"

namespace nncc::autodiff {

/// What a rule may use besides its op: the forward values it reads (through
/// primal(), so they are counted as kept for the backward pass) and helpers
/// that build nn ops.
class VJPState {
public:
  /// A forward value the backward pass reads.
  mlir::Value primal(mlir::Value value) {
    kept.insert(value);
    return value;
  }
  /// The forward values the backward pass has read so far.
  llvm::ArrayRef<mlir::Value> keptValues() const { return kept.getArrayRef(); }

  /// `grad`, a gradient of a value broadcast to grad's shape, summed back to
  /// `type`: over the leading dimensions `type` lacks and the dimensions
  /// where it has size 1 and grad does not.
  static mlir::Value reduceToShape(mlir::OpBuilder &b, mlir::Location loc,
                                   mlir::Value grad,
                                   mlir::RankedTensorType type);
  /// A rank-0 nn.constant of `elementType` holding `value`; nn's binary ops
  /// broadcast it.
  static mlir::Value scalar(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::Type elementType, double value);
  /// `numerator` divided by the number of elements of `like` along `axes`,
  /// a rank-0 tensor of like's element type: what a mean over them scales
  /// by. A constant, unless the dynamic batch is among the axes: then
  /// numerator / static part, divided by nn.dim_size at run time.
  static mlir::Value inverseCount(mlir::OpBuilder &b, mlir::Location loc,
                                  mlir::Value like,
                                  llvm::ArrayRef<int64_t> axes,
                                  double numerator);

private:
  llvm::SetVector<mlir::Value> kept;
};

/// Attaches the gradient rules to the nn ops (RulesMath.cpp, RulesNN.cpp,
/// RulesTensor.cpp).
void registerGradientRules(mlir::DialectRegistry &registry);

} // namespace nncc::autodiff

#include "compiler/Autodiff/VJPOpInterface.h.inc"

#endif // NNCC_COMPILER_AUTODIFF_VJPOPINTERFACE_H
