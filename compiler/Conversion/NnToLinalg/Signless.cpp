//===- Signless.cpp - unsigned integers made signless -----------*- C++ -*-===//
//
// arith, and so linalg's bodies, compute on signless integers only: the sign
// is in the op (arith.divui, arith.cmpi ult, arith.uitofp). The nn dialect
// keeps ONNX's unsigned element types (ui8 ... ui64), so before its patterns
// run, convert-nn-to-linalg rewrites every unsigned type of a function to
// the signless one of the same width, in place, and leaves on each op whose
// operands or results were unsigned a record of which (nncc.unsigned_operands
// and nncc.unsigned_results, arrays of i1). The patterns whose arithmetic
// depends on the sign read that record through isUnsignedOperand and
// isUnsignedResult. The C API keeps the unsigned types: they are recorded as
// nn.abi_type first, which nncc-prepare-entry-abi keeps.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/NnToLinalg/NnToLinalg.h"
#include "dialects/Nn/IR/NnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;

namespace nncc::lowering {
namespace {

constexpr llvm::StringLiteral kUnsignedOperandsAttr = "nncc.unsigned_operands";
constexpr llvm::StringLiteral kUnsignedResultsAttr = "nncc.unsigned_results";

Type signless(Type type) {
  if (auto integer = dyn_cast<IntegerType>(type);
      integer && integer.isUnsigned())
    return IntegerType::get(type.getContext(), integer.getWidth());
  if (auto tensor = dyn_cast<RankedTensorType>(type)) {
    Type element = signless(tensor.getElementType());
    if (element != tensor.getElementType())
      return tensor.clone(element);
  }
  return type;
}

bool isUnsigned(Type type) { return signless(type) != type; }

Attribute signless(Attribute attr) {
  if (auto dense = dyn_cast<DenseElementsAttr>(attr))
    if (Type element = signless(dense.getElementType());
        element != dense.getElementType())
      return dense.bitcast(element);
  if (auto integer = dyn_cast<IntegerAttr>(attr))
    if (Type type = signless(integer.getType()); type != integer.getType())
      return IntegerAttr::get(type, integer.getValue());
  if (auto type = dyn_cast<TypeAttr>(attr))
    return TypeAttr::get(signless(type.getValue()));
  return attr;
}

/// Records which of `types` are unsigned as `name` on `op`, when any is.
void recordUnsigned(Operation *op, StringRef name, TypeRange types) {
  SmallVector<bool> which = llvm::map_to_vector(types, isUnsigned);
  if (llvm::is_contained(which, true))
    op->setAttr(name, DenseBoolArrayAttr::get(op->getContext(), which));
}

bool isRecordedUnsigned(Operation *op, StringRef name, unsigned index) {
  auto which = op->getAttrOfType<DenseBoolArrayAttr>(name);
  return which && index < which.size() && which[index];
}

} // namespace

void makeIntegersSignless(func::FuncOp func) {
  MLIRContext *ctx = func.getContext();
  FunctionType type = func.getFunctionType();
  for (auto [i, t] : llvm::enumerate(type.getInputs()))
    if (isUnsigned(t) && !func.getArgAttr(i, nn::NnDialect::kAbiTypeAttr))
      func.setArgAttr(i, nn::NnDialect::kAbiTypeAttr, TypeAttr::get(t));
  for (auto [i, t] : llvm::enumerate(type.getResults()))
    if (isUnsigned(t) && !func.getResultAttr(i, nn::NnDialect::kAbiTypeAttr))
      func.setResultAttr(i, nn::NnDialect::kAbiTypeAttr, TypeAttr::get(t));

  // Everything is recorded before any type changes: an op's operands are
  // other ops' results.
  func.walk([&](Operation *op) {
    if (op == func.getOperation())
      return;
    recordUnsigned(op, kUnsignedOperandsAttr, op->getOperandTypes());
    recordUnsigned(op, kUnsignedResultsAttr, op->getResultTypes());
  });
  func.walk([&](Operation *op) {
    if (op == func.getOperation())
      return;
    for (NamedAttribute attr : op->getAttrs())
      if (Attribute converted = signless(attr.getValue());
          converted != attr.getValue())
        op->setAttr(attr.getName(), converted);
    for (OpResult result : op->getResults())
      result.setType(signless(result.getType()));
  });
  func.walk([&](Block *block) {
    for (BlockArgument arg : block->getArguments())
      arg.setType(signless(arg.getType()));
  });
  func.setFunctionType(FunctionType::get(
      ctx,
      llvm::map_to_vector(type.getInputs(), [](Type t) { return signless(t); }),
      llvm::map_to_vector(type.getResults(),
                          [](Type t) { return signless(t); })));
}

bool isUnsignedOperand(Operation *op, unsigned index) {
  return isRecordedUnsigned(op, kUnsignedOperandsAttr, index);
}

bool isUnsignedResult(Operation *op, unsigned index) {
  return isRecordedUnsigned(op, kUnsignedResultsAttr, index);
}

} // namespace nncc::lowering
