//===- NnTensorOps.td - nn Tensor operations ---------------*- tablegen -*-===//
//
// Tensor category (ONNX Constant, Identity, Flatten, Reshape, Transpose;
// compiler/Import/Onnx/ImportTensor.cpp): constants and data movement.
// Lowered by compiler/Conversion/NnToLinalg/Tensor.cpp.
//
// Included by NnOps.td after the shared type constraints (Nn_FloatTensor,
// Nn_NumericTensor, Nn_AnyTensor); not a standalone tablegen input.
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_DIALECT_NN_IR_NNTENSOROPS_TD
#define NNCC_DIALECT_NN_IR_NNTENSOROPS_TD

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
  // A reshape that only adds or drops size-1 dimensions moves in front of
  // a constant nn.pad, so that the pad can fold into a window op after it.
  let hasCanonicalizer = 1;
}

def Nn_TransposeOp : Nn_Op<"transpose", [Pure,
    AllElementTypesMatch<["input", "result"]>,
    InferTypeOpAdaptor]> {
  let summary = "Permute dimensions: result dim i is input dim perm[i]";
  let arguments = (ins Nn_AnyTensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Nn_AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasFolder = 1;
  // Transposes of transposes compose; the transpose of a 2-D product with a
  // transposed operand becomes the product of the transposed operands
  // (NnFolds.cpp), which is how a weight gradient of x @ w^T comes out in
  // w's layout without transposing it.
  let hasCanonicalizer = 1;
}

def Nn_DimSizeOp : Nn_Op<"dim_size", [Pure]> {
  let summary = "The size of dimension `axis` of a tensor, as a float scalar";
  let description = [{
    What a mean over the batch divides by: the batch size is known only at
    run time, so losses, batch statistics and the means of the importer
    divide by this op's value. It folds to a constant when the dimension is
    static, so a model with a static batch keeps constant divisors.
  }];
  let arguments = (ins Nn_AnyTensor:$input, I64Attr:$axis);
  let results = (outs 0DTensorOf<[AnyFloat]>:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def Nn_ConcatOp : Nn_Op<"concat", [Pure, InferTypeOpAdaptor]> {
  let summary = "Join tensors of one rank and element type along `axis`";
  let description = [{
    The operands agree in every dimension but `axis`; the result's `axis`
    dimension is the sum of theirs.
  }];
  let arguments = (ins Variadic<Nn_AnyTensor>:$inputs, I64Attr:$axis);
  let results = (outs Nn_AnyTensor:$result);
  let assemblyFormat = [{
    $inputs attr-dict `:` type($inputs) `->` type($result)
  }];
  let hasFolder = 1;
}

def Nn_SliceOp : Nn_Op<"slice", [Pure, AllElementTypesMatch<["input",
    "result"]>]> {
  let summary = "Elements start[d], start[d] + step[d], ... of each dimension";
  let description = [{
    A strided window: result dimension d takes result_shape[d] elements of
    input dimension d from `starts[d]` every `steps[d]` (>= 1) elements; the
    result type gives the sizes, which must fit in the input.
  }];
  let arguments = (ins Nn_AnyTensor:$input, DenseI64ArrayAttr:$starts,
      DenseI64ArrayAttr:$steps);
  let results = (outs Nn_AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Nn_BroadcastOp : Nn_Op<"broadcast", [Pure,
    AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Stretch a tensor to a larger shape by NumPy broadcasting";
  let description = [{
    The result type names the shape; the input's shape must broadcast to it
    (right-aligned, size-1 dimensions stretch, missing leading dimensions
    are added).
  }];
  let arguments = (ins Nn_AnyTensor:$input);
  let results = (outs Nn_AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Nn_CastOp : Nn_Op<"cast", [Pure, SameOperandsAndResultShape]> {
  let summary = "Convert each element to the result's element type";
  let description = [{
    Floats to integers truncate towards zero (out-of-range values are
    undefined, as in ONNX); integers to floats round to nearest; to i1 is
    `x != 0`; from i1 gives 0 or 1. Integers are signed.
  }];
  let arguments = (ins Nn_AnyTensor:$input);
  let results = (outs Nn_AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasFolder = 1;
}

def Nn_GatherOp : Nn_Op<"gather", [Pure,
    AllElementTypesMatch<["input", "result"]>, InferTypeOpAdaptor]> {
  let summary = "Take entries along `axis` at the given indices (ONNX Gather)";
  let description = [{
    The result is input.shape[:axis] + indices.shape + input.shape[axis+1:].
    A negative index counts from the end; an index outside
    [-size, size) is undefined (the importer rejects constant ones).
  }];
  let arguments = (ins Nn_AnyTensor:$input,
      RankedTensorOf<[I32, I64]>:$indices, I64Attr:$axis);
  let results = (outs Nn_AnyTensor:$result);
  let assemblyFormat = [{
    $input `,` $indices attr-dict `:` type($input) `,` type($indices) `->`
    type($result)
  }];
  let hasFolder = 1;
}

def Nn_PadOp : Nn_Op<"pad", [Pure, AllElementTypesMatch<["input", "result"]>,
    InferTypeOpAdaptor]> {
  let summary = "Pad each dimension at its start and end";
  let description = [{
    `low` and `high` give, per dimension, how many elements to add (>= 0).
    `mode` is "constant" (the new elements are `value`), "reflect" (mirror
    without repeating the edge; the padding must be smaller than the
    dimension) or "edge" (repeat the edge element).
  }];
  let arguments = (ins Nn_NumericTensor:$input, DenseI64ArrayAttr:$low,
      DenseI64ArrayAttr:$high, StrAttr:$mode, F64Attr:$value);
  let results = (outs Nn_NumericTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Nn_OneHotOp : Nn_Op<"one_hot", [Pure]> {
  let summary = "Integer class indices to one-hot float rows";
  let description = [{
    indices [N...] of i32 or i64 become [N..., depth] with 1.0 at the
    index and 0.0 elsewhere. An index outside [0, depth) gives a row of
    zeros.
  }];
  let arguments = (ins RankedTensorOf<[I32, I64]>:$indices);
  let results = (outs Nn_FloatTensor:$result);
  let assemblyFormat = "$indices attr-dict `:` type($indices) `->` type($result)";
  let hasVerifier = 1;
}

#endif // NNCC_DIALECT_NN_IR_NNTENSOROPS_TD
