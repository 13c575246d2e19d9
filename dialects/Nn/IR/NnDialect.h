//===- NnDialect.h - the nn dialect -----------------------------*- C++ -*-===//
//
// Declares the nn dialect class. Include NnOps.h for the operations.
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_DIALECT_NN_IR_NNDIALECT_H
#define NNCC_DIALECT_NN_IR_NNDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialects/Nn/IR/NnDialect.h.inc"

#endif // NNCC_DIALECT_NN_IR_NNDIALECT_H
