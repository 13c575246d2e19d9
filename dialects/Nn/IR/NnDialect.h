//===- NnDialect.h - the nn dialect -----------------------------*- C++ -*-===//
//
// Declares the nn dialect class. Include NnOps.h for the operations.
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_DIALECT_NN_IR_NNDIALECT_H
#define NNCC_DIALECT_NN_IR_NNDIALECT_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/DialectImplementation.h"

#include "dialects/Nn/IR/NnDialect.h.inc"
#include "dialects/Nn/IR/NnEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Nn/IR/NnAttrs.h.inc"

#endif // NNCC_DIALECT_NN_IR_NNDIALECT_H
