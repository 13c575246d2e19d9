//===- NnMathOps.td - nn Math operations -------------------*- tablegen -*-===//
//
// Math category (ONNX Add/Sub/Mul/Div, Relu/Sigmoid/Tanh, Softmax, Gemm,
// MatMul; compiler/Import/Onnx/ImportMath.cpp): elementwise arithmetic with
// broadcasting, activations, softmax and matrix products. Lowered by
// compiler/Conversion/NnToLinalg/Math.cpp.
//
// Included by NnOps.td after the shared type constraints (Nn_FloatTensor,
// Nn_NumericTensor, Nn_AnyTensor); not a standalone tablegen input.
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_DIALECT_NN_IR_NNMATHOPS_TD
#define NNCC_DIALECT_NN_IR_NNMATHOPS_TD

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
  // x * sigmoid(x) becomes nn.swish.
  let hasCanonicalizer = 1;
}
def Nn_DivOp : Nn_BroadcastBinaryOp<"div"> {
  let summary = "Elementwise division with broadcasting";
  let description = [{
    Floats divide with IEEE semantics; integers divide with truncation
    towards zero (ONNX and C semantics). Integer division by zero is
    undefined, as in ONNX.
  }];
}

def Nn_SumOp : Nn_Op<"sum", [Pure, SameOperandsAndResultType]> {
  let summary = "Elementwise sum of one or more tensors of one type";
  let description = [{
    One n-ary sum rather than a chain of adds: the differentiation pass
    gathers the gradient contributions of a value used several times with
    it, and it lowers to one loop.
  }];
  let arguments = (ins Variadic<Nn_NumericTensor>:$inputs);
  let results = (outs Nn_NumericTensor:$result);
  let assemblyFormat = "$inputs attr-dict `:` type($result)";
  let hasFolder = 1;
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
class Nn_AlphaActivationOp<string mnemonic>
    : Nn_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let arguments = (ins Nn_FloatTensor:$input, F32Attr:$alpha);
  let results = (outs Nn_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}
def Nn_LeakyReluOp : Nn_AlphaActivationOp<"leaky_relu"> {
  let summary = "x for x > 0, alpha * x otherwise (derivative alpha at 0)";
}
def Nn_EluOp : Nn_AlphaActivationOp<"elu"> {
  let summary = "x for x > 0, alpha * (exp(x) - 1) otherwise";
}
def Nn_SwishOp : Nn_UnaryFloatOp<"swish"> {
  let summary = "x * sigmoid(x) (SiLU); canonicalized from that product";
}
def Nn_SoftplusOp : Nn_UnaryFloatOp<"softplus"> {
  let summary = "log(1 + exp(x)), computed without overflow";
}
def Nn_AbsOp : Nn_UnaryFloatOp<"abs"> {
  let summary = "|x|; the derivative at 0 is taken as 0 (PyTorch's sign)";
}
def Nn_SignOp : Nn_UnaryFloatOp<"sign"> {
  let summary = "-1, 0 or 1 by the sign of x (0 for 0 and NaN)";
}
def Nn_SqrtOp : Nn_UnaryFloatOp<"sqrt"> {
  let summary = "Square root";
}
def Nn_ExpOp : Nn_UnaryFloatOp<"exp"> {
  let summary = "e^x";
}
def Nn_LogOp : Nn_UnaryFloatOp<"log"> {
  let summary = "Natural logarithm";
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

def Nn_LogSoftmaxOp : Nn_Op<"log_softmax", [Pure, SameOperandsAndResultType]> {
  let summary = "Logarithm of softmax along one axis";
  let description = [{
    x - max(x) - log(sum(exp(x - max(x)))) along `axis` (0 <= axis < rank),
    without forming the softmax (no log of an underflowed 0).
  }];
  let arguments = (ins Nn_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Nn_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

def Nn_ReduceSumOp : Nn_Op<"reduce_sum", [Pure,
    AllElementTypesMatch<["input", "result"]>, InferTypeOpAdaptor]> {
  let summary = "Sum over the dimensions `axes`";
  let description = [{
    `axes` are distinct, sorted dimensions of the input (possibly none, or
    all). With `keep_dims` the reduced dimensions stay as size 1, otherwise
    they are removed (a full reduction gives a rank-0 tensor).
  }];
  let arguments = (ins Nn_NumericTensor:$input, DenseI64ArrayAttr:$axes,
      BoolAttr:$keep_dims);
  let results = (outs Nn_NumericTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
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

#endif // NNCC_DIALECT_NN_IR_NNMATHOPS_TD
