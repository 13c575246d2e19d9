//===- NnOps.td - nn dialect operations --------------------*- tablegen -*-===//
//
// Operations of the nn dialect. Every op works on ranked tensors whose only
// dynamic size (`?`) is the batch (NnDialect.td), verifies its attributes and infers its result type (InferTypeOpInterface),
// so builders only name operands and attributes.
//
// The ops are split into the importer's categories
// (compiler/Import/Onnx/OpRegistry.h): NnMathOps.td, NnNNOps.td and
// NnTensorOps.td, included at the end, so the one tablegen invocation of this
// file still generates every op. This file keeps the type constraints they
// share and nn.parameter (model state, not an ONNX operator).
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_DIALECT_NN_IR_NNOPS_TD
#define NNCC_DIALECT_NN_IR_NNOPS_TD

include "dialects/Nn/IR/NnDialect.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/IR/SymbolInterfaces.td"

def Nn_FloatTensor : RankedTensorOf<[AnyFloat]>;
// Integers are signless (two's complement, read as signed) or unsigned
// (ONNX's UINT*); convert-nn-to-linalg makes the unsigned ones signless and
// picks unsigned arithmetic for them (Signless.cpp there).
def Nn_NumericTensor
    : RankedTensorOf<[AnyFloat, AnySignlessInteger, AnyUnsignedInteger]>;
def Nn_AnyTensor : RankedTensorOf<[AnyType]>;

//===----------------------------------------------------------------------===//
// Model state
//===----------------------------------------------------------------------===//

def Nn_ParameterOp : Nn_Op<"parameter", [Symbol,
    HasParent<"::mlir::ModuleOp">]> {
  let summary = "A piece of model state held by the runtime context";
  let description = [{
    Declares state of the model (a trainable parameter, an optimizer moment,
    a step counter): the runtime context of every `<model>_create` holds its
    own copy, initialized from `initial_value`, which is embedded in the
    object. Entry functions read it through an argument marked
    `{nn.state = @name}` and write a new value through a result marked the
    same way; a later call reads what the last one wrote. Unlike
    `nn.constant`, a parameter is never folded into the code.

    ```mlir
    nn.parameter @fc.weight = dense<0.5> : tensor<4x3xf32>
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
      ElementsAttr:$initial_value);
  let assemblyFormat = "$sym_name `=` $initial_value attr-dict";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The tensor type of the state.
    ::mlir::RankedTensorType getType() {
      return ::mlir::cast<::mlir::RankedTensorType>(
          getInitialValue().getType());
    }
  }];
}

//===----------------------------------------------------------------------===//
// Op categories
//===----------------------------------------------------------------------===//

include "dialects/Nn/IR/NnMathOps.td"
include "dialects/Nn/IR/NnNNOps.td"
include "dialects/Nn/IR/NnTensorOps.td"
include "dialects/Nn/IR/NnTrainOps.td"

#endif // NNCC_DIALECT_NN_IR_NNOPS_TD
