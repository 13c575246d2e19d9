//===- NnOps.td - nn dialect operations --------------------*- tablegen -*-===//
//
// Operations of the nn dialect. Every op works on statically shaped tensors,
// verifies its attributes and infers its result type (InferTypeOpInterface),
// so builders only name operands and attributes.
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_DIALECT_NN_IR_NNOPS_TD
#define NNCC_DIALECT_NN_IR_NNOPS_TD

include "dialects/Nn/IR/NnDialect.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/IR/SymbolInterfaces.td"

def Nn_FloatTensor : StaticShapeTensorOf<[AnyFloat]>;
def Nn_NumericTensor : StaticShapeTensorOf<[AnyFloat, AnySignlessInteger]>;
def Nn_AnyTensor : StaticShapeTensorOf<[AnyType]>;

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def Nn_ConstantOp : Nn_Op<"constant", [ConstantLike, Pure,
    AllTypesMatch<["value", "result"]>]> {
  let summary = "A constant tensor (weights, biases, folded values)";
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Nn_AnyTensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

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
// Elementwise arithmetic with NumPy broadcasting
//===----------------------------------------------------------------------===//

class Nn_BroadcastBinaryOp<string mnemonic, list<Trait> traits = []>
    : Nn_Op<mnemonic, !listconcat(traits, [Pure,
        AllElementTypesMatch<["lhs", "rhs", "result"]>,
        InferTypeOpAdaptor])> {
  let description = [{
    Elementwise operation with multidirectional (NumPy) broadcasting: shapes
    are aligned on the right and a dimension of size 1 stretches to the other
    operand's size. Integer operands use signed semantics.
  }];
  let arguments = (ins Nn_NumericTensor:$lhs, Nn_NumericTensor:$rhs);
  let results = (outs Nn_NumericTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)
  }];
}

def Nn_AddOp : Nn_BroadcastBinaryOp<"add", [Commutative]> {
  let summary = "Elementwise addition with broadcasting";
}
def Nn_SubOp : Nn_BroadcastBinaryOp<"sub"> {
  let summary = "Elementwise subtraction with broadcasting";
}
def Nn_MulOp : Nn_BroadcastBinaryOp<"mul", [Commutative]> {
  let summary = "Elementwise multiplication with broadcasting";
}
def Nn_DivOp : Nn_BroadcastBinaryOp<"div"> {
  let summary = "Elementwise division with broadcasting";
  let description = [{
    Floats divide with IEEE semantics; integers divide with truncation
    towards zero (ONNX and C semantics). Integer division by zero is
    undefined, as in ONNX.
  }];
}

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

class Nn_UnaryFloatOp<string mnemonic, list<Trait> traits = []>
    : Nn_Op<mnemonic, !listconcat(traits, [Pure, SameOperandsAndResultType])> {
  let arguments = (ins Nn_FloatTensor:$input);
  let results = (outs Nn_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Nn_ReluOp : Nn_UnaryFloatOp<"relu"> {
  let summary = "max(x, 0); the derivative at 0 is taken as 0";
}
def Nn_SigmoidOp : Nn_UnaryFloatOp<"sigmoid"> {
  let summary = "1 / (1 + exp(-x))";
}
def Nn_TanhOp : Nn_UnaryFloatOp<"tanh"> {
  let summary = "Hyperbolic tangent";
}

def Nn_SoftmaxOp : Nn_Op<"softmax", [Pure, SameOperandsAndResultType]> {
  let summary = "Softmax along one axis";
  let description = [{
    exp(x - max(x)) / sum(exp(x - max(x))) along `axis` (0 <= axis < rank).
  }];
  let arguments = (ins Nn_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Nn_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

def Nn_MatMulOp : Nn_Op<"matmul", [Pure,
    AllElementTypesMatch<["lhs", "rhs", "result"]>,
    InferTypeOpAdaptor]> {
  let summary = "Batched matrix product with broadcast batch dimensions";
  let description = [{
    lhs is [..., M, K], rhs is [..., K, N], both of rank at least 2. The
    leading (batch) dimensions broadcast like NumPy's matmul; the result is
    [broadcast batch..., M, N].
  }];
  let arguments = (ins Nn_FloatTensor:$lhs, Nn_FloatTensor:$rhs);
  let results = (outs Nn_FloatTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)
  }];
}

//===----------------------------------------------------------------------===//
// Convolution and pooling (NCHW)
//===----------------------------------------------------------------------===//

def Nn_Conv2DOp : Nn_Op<"conv2d", [Pure,
    InferTypeOpAdaptor]> {
  let summary = "2-D convolution (cross-correlation), NCHW input, FCHW filter";
  let description = [{
    input [N, C, H, W], filter [F, C / groups, KH, KW], optional bias [F].
    `padding` is [top, left, bottom, right]; the padded value is zero.
    Output [N, F, OH, OW] with OH = (H + top + bottom - dh * (KH - 1) - 1)
    / sh + 1 (floor), OW likewise.
  }];
  let arguments = (ins Nn_FloatTensor:$input, Nn_FloatTensor:$filter,
      Optional<Nn_FloatTensor>:$bias,
      DenseI64ArrayAttr:$strides,
      DenseI64ArrayAttr:$padding,
      DenseI64ArrayAttr:$dilations,
      I64Attr:$groups);
  let results = (outs Nn_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $filter (`,` $bias^)? attr-dict `:` type($input) `,`
    type($filter) (`,` type($bias)^)? `->` type($result)
  }];
}

class Nn_Pool2DOp<string mnemonic, dag extraArgs>
    : Nn_Op<mnemonic, [Pure,
        InferTypeOpAdaptor]> {
  let arguments = !con((ins Nn_FloatTensor:$input,
      DenseI64ArrayAttr:$kernel_shape,
      DenseI64ArrayAttr:$strides,
      DenseI64ArrayAttr:$padding,
      BoolAttr:$ceil_mode), extraArgs);
  let results = (outs Nn_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

def Nn_MaxPool2DOp : Nn_Pool2DOp<"max_pool2d",
    (ins DenseI64ArrayAttr:$dilations)> {
  let summary = "2-D max pooling, NCHW";
  let description = [{
    Windows of `kernel_shape` (dilated by `dilations`) every `strides`;
    `padding` is [top, left, bottom, right] and never wins the max. With
    `ceil_mode` the output size rounds up, but a window that would start in
    the bottom/right padding is dropped (PyTorch and ONNX rule).
  }];
}

def Nn_AvgPool2DOp : Nn_Pool2DOp<"avg_pool2d",
    (ins BoolAttr:$count_include_pad)> {
  let summary = "2-D average pooling, NCHW";
  let description = [{
    Like max_pool2d without dilation. The divisor of a window is the number
    of input elements it covers, plus the explicit padding it covers when
    `count_include_pad` is set; the ceil-mode overhang never counts.
  }];
}

def Nn_GlobalAvgPoolOp : Nn_Op<"global_avg_pool", [Pure,
    InferTypeOpAdaptor]> {
  let summary = "Mean over every spatial dimension: [N, C, ...] -> [N, C, 1...]";
  let arguments = (ins Nn_FloatTensor:$input);
  let results = (outs Nn_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

def Nn_ReshapeOp : Nn_Op<"reshape", [Pure,
    AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Reinterpret a tensor's elements (row-major) with a new shape";
  let description = [{
    The result type gives the new static shape; it must hold the same number
    of elements. Flatten is a reshape.
  }];
  let arguments = (ins Nn_AnyTensor:$input);
  let results = (outs Nn_AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Nn_TransposeOp : Nn_Op<"transpose", [Pure,
    AllElementTypesMatch<["input", "result"]>,
    InferTypeOpAdaptor]> {
  let summary = "Permute dimensions: result dim i is input dim perm[i]";
  let arguments = (ins Nn_AnyTensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Nn_AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasFolder = 1;
}

#endif // NNCC_DIALECT_NN_IR_NNOPS_TD
