//===- NnNNOps.td - nn NN operations -----------------------*- tablegen -*-===//
//
// NN category (ONNX Conv, MaxPool, AveragePool, GlobalAveragePool;
// compiler/Import/Onnx/ImportNN.cpp): convolution and pooling layers, NCHW.
// Lowered by compiler/Conversion/NnToLinalg/NN.cpp.
//
// Included by NnOps.td after the shared type constraints (Nn_FloatTensor,
// Nn_NumericTensor, Nn_AnyTensor); not a standalone tablegen input.
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_DIALECT_NN_IR_NNNNOPS_TD
#define NNCC_DIALECT_NN_IR_NNNNOPS_TD

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
  // A zero nn.pad of the spatial dimensions folds into `padding`.
  let hasCanonicalizer = 1;
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
  // A constant nn.pad of the spatial dimensions folds into `padding` when
  // the pooling treats padding the same way (-inf for max pooling, zeros
  // counted for average pooling).
  let hasCanonicalizer = 1;
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
// Normalization
//===----------------------------------------------------------------------===//

def Nn_BatchNormOp : Nn_Op<"batch_norm", [Pure,
    AllTypesMatch<["input", "result"]>,
    AllTypesMatch<["scale", "bias", "mean", "var"]>]> {
  let summary = "Batch normalization with running statistics (inference)";
  let description = [{
    input [N, C, ...]; scale, bias, mean and var [C]: (x - mean) /
    sqrt(var + epsilon) * scale + bias per channel. A train step built by
    nncc-build-train-step normalizes with the batch's statistics instead
    (nn.batch_norm_train) and updates mean and var, when they are model
    state, by `momentum`: running = momentum * running + (1 - momentum) *
    batch (ONNX's convention; PyTorch's momentum is 1 - this), the variance
    unbiased.
  }];
  let arguments = (ins Nn_FloatTensor:$input, Nn_FloatTensor:$scale,
      Nn_FloatTensor:$bias, Nn_FloatTensor:$mean, Nn_FloatTensor:$var,
      F32Attr:$epsilon, F32Attr:$momentum);
  let results = (outs Nn_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $mean `,` $var attr-dict `:` type($input)
    `,` type($scale)
  }];
  let hasVerifier = 1;
  // With constant statistics and parameters (an inference build), folds
  // into the convolution before it, or into a per-channel multiply-add.
  let hasCanonicalizer = 1;
}

def Nn_LayerNormOp : Nn_Op<"layer_norm", [Pure,
    AllTypesMatch<["input", "result"]>,
    AllTypesMatch<["scale", "bias"]>]> {
  let summary = "Layer normalization over the dimensions from `axis` on";
  let description = [{
    Each slice input[i..., :] over dimensions axis..rank-1 is normalized by
    its own mean and biased variance, then multiplied by `scale` and shifted
    by `bias`, both shaped like those dimensions.
  }];
  let arguments = (ins Nn_FloatTensor:$input, Nn_FloatTensor:$scale,
      Nn_FloatTensor:$bias, I64Attr:$axis, F32Attr:$epsilon);
  let results = (outs Nn_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias attr-dict `:` type($input) `,` type($scale)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Dropout
//===----------------------------------------------------------------------===//

def Nn_DropoutOp : Nn_Op<"dropout", [Pure,
    AllTypesMatch<["input", "result"]>]> {
  let summary = "Dropout: the identity in inference";
  let description = [{
    A train step built by nncc-build-train-step zeroes each element with
    probability `ratio` (0 <= ratio < 1) and scales the others by
    1 / (1 - ratio) (nn.dropout_train); everywhere else it is the identity.
    It is not folded away, so that the train step still finds it.
  }];
  let arguments = (ins Nn_FloatTensor:$input, F32Attr:$ratio);
  let results = (outs Nn_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

#endif // NNCC_DIALECT_NN_IR_NNNNOPS_TD
