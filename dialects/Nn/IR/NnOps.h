//===- NnOps.h - nn dialect operations --------------------------*- C++ -*-===//
//
// Declares the nn operations (generated from NnOps.td).
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_DIALECT_NN_IR_NNOPS_H
#define NNCC_DIALECT_NN_IR_NNOPS_H

#include "dialects/Nn/IR/NnDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialects/Nn/IR/NnOps.h.inc"

#endif // NNCC_DIALECT_NN_IR_NNOPS_H
