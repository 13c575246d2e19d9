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
  let hasFolder = 1;
}
def Nn_SubOp : Nn_BroadcastBinaryOp<"sub"> {
  let summary = "Elementwise subtraction with broadcasting";
  let hasFolder = 1;
}
def Nn_MulOp : Nn_BroadcastBinaryOp<"mul", [Commutative]> {
  let summary = "Elementwise multiplication with broadcasting";
  // x * sigmoid(x) becomes nn.swish.
  let hasCanonicalizer = 1;
  let hasFolder = 1;
}
def Nn_DivOp : Nn_BroadcastBinaryOp<"div"> {
  let summary = "Elementwise division with broadcasting";
  let hasFolder = 1;
  let description = [{
    Floats divide with IEEE semantics; integers divide with truncation
    towards zero (ONNX and C semantics). Integer division by zero is
    undefined, as in ONNX.
  }];
}

def Nn_MaximumOp : Nn_BroadcastBinaryOp<"maximum", [Commutative]> {
  let summary = "Elementwise maximum with broadcasting (NaN propagates)";
  let hasFolder = 1;
}
def Nn_MinimumOp : Nn_BroadcastBinaryOp<"minimum", [Commutative]> {
  let summary = "Elementwise minimum with broadcasting (NaN propagates)";
  let hasFolder = 1;
}
def Nn_PowOp : Nn_BroadcastBinaryOp<"pow"> {
  let summary = "lhs raised to the power rhs, with broadcasting";
  let description = [{
    Floats use powf; integers use exact repeated multiplication (a negative
    integer exponent gives 0 unless the base is 1 or -1).
  }];
}

class Nn_CompareOp<string mnemonic>
    : Nn_Op<mnemonic, [Pure, AllElementTypesMatch<["lhs", "rhs"]>,
        InferTypeOpAdaptor]> {
  let description = [{
    Elementwise comparison with NumPy broadcasting; the result is i1. Float
    comparisons are ordered (false when either side is NaN); integers
    compare as signed.
  }];
  let arguments = (ins Nn_NumericTensor:$lhs, Nn_NumericTensor:$rhs);
  let results = (outs RankedTensorOf<[I1]>:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)
  }];
  let hasFolder = 1;
}
def Nn_EqualOp : Nn_CompareOp<"equal"> { let summary = "lhs == rhs"; }
def Nn_LessOp : Nn_CompareOp<"less"> { let summary = "lhs < rhs"; }
def Nn_LessEqualOp : Nn_CompareOp<"less_equal"> { let summary = "lhs <= rhs"; }
def Nn_GreaterOp : Nn_CompareOp<"greater"> { let summary = "lhs > rhs"; }
def Nn_GreaterEqualOp : Nn_CompareOp<"greater_equal"> {
  let summary = "lhs >= rhs";
}

def Nn_SelectOp : Nn_Op<"select", [Pure,
    AllElementTypesMatch<["on_true", "on_false", "result"]>,
    InferTypeOpAdaptor]> {
  let summary = "on_true where condition holds, else on_false (ONNX Where)";
  let description = [{
    The three operands broadcast together like NumPy. The gradient flows to
    the chosen operand only.
  }];
  let arguments = (ins RankedTensorOf<[I1]>:$condition,
      Nn_AnyTensor:$on_true, Nn_AnyTensor:$on_false);
  let results = (outs Nn_AnyTensor:$result);
  let assemblyFormat = [{
    $condition `,` $on_true `,` $on_false attr-dict `:` type($condition) `,`
    type($on_true) `,` type($on_false) `->` type($result)
  }];
  let hasFolder = 1;
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
def Nn_FloorOp : Nn_UnaryFloatOp<"floor"> {
  let summary = "Largest integer <= x (zero gradient)";
}
def Nn_CeilOp : Nn_UnaryFloatOp<"ceil"> {
  let summary = "Smallest integer >= x (zero gradient)";
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

class Nn_ReduceOp<string mnemonic> : Nn_Op<mnemonic, [Pure,
    AllElementTypesMatch<["input", "result"]>, InferTypeOpAdaptor]> {
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
def Nn_ReduceSumOp : Nn_ReduceOp<"reduce_sum"> {
  let summary = "Sum over the dimensions `axes`";
}
def Nn_ReduceMaxOp : Nn_ReduceOp<"reduce_max"> {
  let summary = "Maximum over the dimensions `axes` (NaN propagates)";
}
def Nn_ReduceMinOp : Nn_ReduceOp<"reduce_min"> {
  let summary = "Minimum over the dimensions `axes` (NaN propagates)";
}
def Nn_ReduceProdOp : Nn_ReduceOp<"reduce_prod"> {
  let summary = "Product over the dimensions `axes`";
}

class Nn_ArgReduceOp<string mnemonic> : Nn_Op<mnemonic, [Pure,
    InferTypeOpAdaptor]> {
  let description = [{
    The i64 index along `axis` of the extreme element: the first one, or the
    last one with `select_last_index`. NaN counts as the extreme. With
    `keep_dims` the axis stays as size 1.
  }];
  let arguments = (ins Nn_NumericTensor:$input, I64Attr:$axis,
      BoolAttr:$keep_dims, BoolAttr:$select_last_index);
  let results = (outs RankedTensorOf<[I64]>:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}
def Nn_ArgMaxOp : Nn_ArgReduceOp<"arg_max"> {
  let summary = "Index of the maximum along one axis";
}
def Nn_ArgMinOp : Nn_ArgReduceOp<"arg_min"> {
  let summary = "Index of the minimum along one axis";
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
