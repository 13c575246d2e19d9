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

namespace nncc::nn {

/// The result type of nn.conv2d (which checks its operands and attributes
/// with this) and of what the convolution backward ops must agree with.
/// `bias` may be null.
mlir::LogicalResult
inferConv2DType(std::optional<mlir::Location> loc, llvm::StringRef op,
                mlir::RankedTensorType input, mlir::RankedTensorType filter,
                mlir::RankedTensorType bias, llvm::ArrayRef<int64_t> strides,
                llvm::ArrayRef<int64_t> padding,
                llvm::ArrayRef<int64_t> dilations, int64_t groups,
                llvm::SmallVectorImpl<mlir::Type> &inferred);

/// The result type [N, C, OH, OW] of a 2-D pooling of `input`, after
/// checking the window attributes; shared by the pooling ops and their
/// backward helpers.
mlir::LogicalResult
inferPool2DType(std::optional<mlir::Location> loc, llvm::StringRef op,
                mlir::RankedTensorType input, llvm::ArrayRef<int64_t> kernel,
                llvm::ArrayRef<int64_t> strides,
                llvm::ArrayRef<int64_t> padding,
                llvm::ArrayRef<int64_t> dilations, bool ceilMode,
                llvm::SmallVectorImpl<mlir::Type> &inferred);

/// The result type of nn.gather: input.shape[:axis] + indices.shape +
/// input.shape[axis+1:]; `axis` must be a dimension of `input`.
mlir::RankedTensorType getGatherType(mlir::RankedTensorType input,
                                     mlir::RankedTensorType indices,
                                     int64_t axis);

} // namespace nncc::nn

#endif // NNCC_DIALECT_NN_IR_NNOPS_H
