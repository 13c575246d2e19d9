//===- NnDialect.cpp - the nn dialect ---------------------------*- C++ -*-===//

#include "dialects/Nn/IR/NnDialect.h"
#include "dialects/Nn/IR/NnOps.h"

using namespace mlir;
using namespace nncc::nn;

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

#include "dialects/Nn/IR/NnDialect.cpp.inc"
#include "dialects/Nn/IR/NnEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Nn/IR/NnAttrs.cpp.inc"

void NnDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/Nn/IR/NnOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/Nn/IR/NnAttrs.cpp.inc"
      >();
}

Operation *NnDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                          Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, elements);
}
