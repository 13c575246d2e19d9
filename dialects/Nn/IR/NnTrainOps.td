//===- NnTrainOps.td - nn training operations --------------*- tablegen -*-===//
//
// Ops that only the training pass creates (compiler/Autodiff): backward
// helpers of layers whose gradient is not itself a textbook layer, the
// optimizer updates and the learning-rate schedule. No ONNX operator maps to
// them. Lowered by compiler/Conversion/NnToLinalg/Grad.cpp and
// Optimizers.cpp.
//
// Included by NnOps.td after the shared type constraints; not a standalone
// tablegen input.
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_DIALECT_NN_IR_NNTRAINOPS_TD
#define NNCC_DIALECT_NN_IR_NNTRAINOPS_TD

def Nn_ScalarF32 : 0DTensorOf<[F32]>;
def Nn_ScalarI64 : 0DTensorOf<[I64]>;

//===----------------------------------------------------------------------===//
// Backward helpers
//===----------------------------------------------------------------------===//

def Nn_ReluGradOp : Nn_Op<"relu_grad", [Pure, AllTypesMatch<["grad", "input",
    "result"]>]> {
  let summary = "Gradient of (leaky) relu: grad where input > 0, else "
                "negative_slope * grad";
  let description = [{
    The derivative at 0 is the negative slope (0 for relu: PyTorch's
    convention), so a gradient check against PyTorch agrees even where an
    input is exactly 0.
  }];
  let arguments = (ins Nn_FloatTensor:$grad, Nn_FloatTensor:$input,
      DefaultValuedAttr<F32Attr, "0.0f">:$negative_slope);
  let results = (outs Nn_FloatTensor:$result);
  let assemblyFormat = "$grad `,` $input attr-dict `:` type($grad)";
}

def Nn_BatchNormTrainOp : Nn_Op<"batch_norm_train", [Pure,
    AllTypesMatch<["input", "result"]>,
    AllTypesMatch<["scale", "bias", "batch_mean", "batch_var"]>]> {
  let summary = "Batch normalization with the batch's own statistics";
  let description = [{
    input [N, C, ...], scale and bias [C]. Returns the normalized input and
    the batch's per-channel mean and biased variance (over every dimension
    but 1), which the backward pass and the running statistics' update read.
  }];
  let arguments = (ins Nn_FloatTensor:$input, Nn_FloatTensor:$scale,
      Nn_FloatTensor:$bias, F32Attr:$epsilon);
  let results = (outs Nn_FloatTensor:$result, Nn_FloatTensor:$batch_mean,
      Nn_FloatTensor:$batch_var);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias attr-dict `:` type($input) `,` type($scale)
  }];
  let hasVerifier = 1;
}

def Nn_DropoutTrainOp : Nn_Op<"dropout_train", [Pure,
    AllTypesMatch<["input", "result", "mask"]>]> {
  let summary = "Dropout with a counter-based random mask";
  let description = [{
    mask = 1 / (1 - ratio) where a uniform number u >= ratio, else 0;
    result = input * mask. u is a hash (splitmix64's finalizer) of `seed`,
    the training step number `step` and the element's row-major index, so
    a step's mask depends on nothing else: the backward pass reads it (it
    is never redrawn), a checkpoint (which holds the step) resumes the same
    sequence, and a different `seed` per dropout op decorrelates them.
  }];
  let arguments = (ins Nn_FloatTensor:$input, Nn_ScalarI64:$step,
      F32Attr:$ratio, I64Attr:$seed);
  let results = (outs Nn_FloatTensor:$result, Nn_FloatTensor:$mask);
  let hasVerifier = 1;
  let assemblyFormat = [{
    $input `,` $step attr-dict `:` type($input) `,` type($step)
  }];
}

def Nn_EluGradOp : Nn_Op<"elu_grad", [Pure, AllTypesMatch<["grad",
    "result_value", "result"]>]> {
  let summary = "Gradient of elu from its result: grad where result > 0, "
                "else grad * (result + alpha)";
  let arguments = (ins Nn_FloatTensor:$grad, Nn_FloatTensor:$result_value,
      F32Attr:$alpha);
  let results = (outs Nn_FloatTensor:$result);
  let assemblyFormat = "$grad `,` $result_value attr-dict `:` type($grad)";
}

def Nn_SliceBackwardOp : Nn_Op<"slice_backward", [Pure,
    AllElementTypesMatch<["grad", "result"]>]> {
  let summary = "Gradient of nn.slice: the slice's gradient in place, zeros "
                "elsewhere";
  let description = [{
    `grad` has the slice's result type; the result type is the sliced
    input's. `starts` and `steps` are the slice's.
  }];
  let arguments = (ins Nn_FloatTensor:$grad, DenseI64ArrayAttr:$starts,
      DenseI64ArrayAttr:$steps);
  let results = (outs Nn_FloatTensor:$result);
  let assemblyFormat = "$grad attr-dict `:` type($grad) `->` type($result)";
  let hasVerifier = 1;
}

def Nn_GatherBackwardOp : Nn_Op<"gather_backward", [Pure,
    AllElementTypesMatch<["grad", "result"]>]> {
  let summary = "Gradient of nn.gather: each gathered entry's gradient added "
                "back at its index";
  let description = [{
    `grad` has the gather's result type, `indices` and `axis` are the
    gather's and the result type is the gathered input's. An index that
    appears several times receives the sum of its gradients.
  }];
  let arguments = (ins Nn_FloatTensor:$grad,
      RankedTensorOf<[I32, I64]>:$indices, I64Attr:$axis);
  let results = (outs Nn_FloatTensor:$result);
  let assemblyFormat = [{
    $grad `,` $indices attr-dict `:` type($grad) `,` type($indices) `->`
    type($result)
  }];
  let hasVerifier = 1;
}

def Nn_Conv2DBackwardInputOp : Nn_Op<"conv2d_backward_input", [Pure]> {
  let summary = "Gradient of nn.conv2d with respect to its input";
  let description = [{
    `grad` is the gradient of the convolution's result [N, F, OH, OW],
    `filter` its filter [F, C / groups, KH, KW]; the result type is the
    convolution's input type [N, C, H, W]. The attributes are the
    convolution's. Each input element sums grad * filter over the output
    positions whose window covers it.
  }];
  let arguments = (ins Nn_FloatTensor:$grad, Nn_FloatTensor:$filter,
      DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding,
      DenseI64ArrayAttr:$dilations, I64Attr:$groups);
  let results = (outs Nn_FloatTensor:$result);
  let assemblyFormat = [{
    $grad `,` $filter attr-dict `:` type($grad) `,` type($filter) `->`
    type($result)
  }];
  let hasVerifier = 1;
}

def Nn_Conv2DBackwardFilterOp : Nn_Op<"conv2d_backward_filter", [Pure]> {
  let summary = "Gradient of nn.conv2d with respect to its filter";
  let description = [{
    `grad` [N, F, OH, OW] and the convolution's `input` [N, C, H, W]; the
    result type is the filter type [F, C / groups, KH, KW]. The attributes
    are the convolution's.
  }];
  let arguments = (ins Nn_FloatTensor:$grad, Nn_FloatTensor:$input,
      DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding,
      DenseI64ArrayAttr:$dilations, I64Attr:$groups);
  let results = (outs Nn_FloatTensor:$result);
  let assemblyFormat = [{
    $grad `,` $input attr-dict `:` type($grad) `,` type($input) `->`
    type($result)
  }];
  let hasVerifier = 1;
}

def Nn_MaxPool2DIndicesOp : Nn_Op<"max_pool2d_indices", [Pure]> {
  let summary = "Where each window of nn.max_pool2d takes its maximum";
  let description = [{
    The attributes are those of the nn.max_pool2d it belongs to; the result
    [N, C, OH, OW] of i64 holds, for each window, the flat index h * W + w
    of its maximum within its [H, W] plane (PyTorch's layout). On ties the
    first maximum in row-major window order wins, as in PyTorch, so the
    gradient reaches exactly one element.
  }];
  let arguments = (ins Nn_FloatTensor:$input,
      DenseI64ArrayAttr:$kernel_shape, DenseI64ArrayAttr:$strides,
      DenseI64ArrayAttr:$padding, DenseI64ArrayAttr:$dilations,
      BoolAttr:$ceil_mode);
  let results = (outs RankedTensorOf<[I64]>:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Nn_MaxPool2DBackwardOp : Nn_Op<"max_pool2d_backward", [Pure]> {
  let summary = "Routes a max-pooling gradient to each window's maximum";
  let description = [{
    `grad` [N, C, OH, OW] and the `indices` of nn.max_pool2d_indices; the
    result type is the pooled input's [N, C, H, W]. Element (h, w) receives
    the sum of the gradients of the windows whose index is h * W + w.
    `kernel_shape`, `strides`, `padding` and `dilations` bound which windows
    can cover an element.
  }];
  let arguments = (ins Nn_FloatTensor:$grad,
      RankedTensorOf<[I64]>:$indices,
      DenseI64ArrayAttr:$kernel_shape, DenseI64ArrayAttr:$strides,
      DenseI64ArrayAttr:$padding, DenseI64ArrayAttr:$dilations);
  let results = (outs Nn_FloatTensor:$result);
  let assemblyFormat = [{
    $grad `,` $indices attr-dict `:` type($grad) `,` type($indices) `->`
    type($result)
  }];
  let hasVerifier = 1;
}

def Nn_AvgPool2DBackwardOp : Nn_Op<"avg_pool2d_backward", [Pure]> {
  let summary = "Gradient of nn.avg_pool2d with respect to its input";
  let description = [{
    `grad` [N, C, OH, OW]; the result type is the pooled input's. The
    attributes are the nn.avg_pool2d's: each window's gradient, divided by
    that window's divisor, goes to every input element it covers.
  }];
  let arguments = (ins Nn_FloatTensor:$grad,
      DenseI64ArrayAttr:$kernel_shape, DenseI64ArrayAttr:$strides,
      DenseI64ArrayAttr:$padding, BoolAttr:$ceil_mode,
      BoolAttr:$count_include_pad);
  let results = (outs Nn_FloatTensor:$result);
  let assemblyFormat = "$grad attr-dict `:` type($grad) `->` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Optimizer updates
//
// Each takes a parameter, its gradient, its optimizer state and the scalar
// learning rate (tensor<f32>), and returns the new parameter and new state:
// one loop over the parameter's elements. The formulas are PyTorch 1.13's
// (docs/training.md); `weight_decay` adds weight_decay * param to the
// gradient first (L2 regularization, coupled).
//===----------------------------------------------------------------------===//


class Nn_UpdateOp<string mnemonic, dag stateArgs, dag stateResults,
                  dag attrs>
    : Nn_Op<mnemonic, [Pure]> {
  let arguments = !con((ins Nn_FloatTensor:$param, Nn_FloatTensor:$grad),
      stateArgs, (ins Nn_ScalarF32:$lr), attrs);
  let results = !con((outs Nn_FloatTensor:$new_param), stateResults);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Nn_SgdUpdateOp : Nn_UpdateOp<"sgd_update", (ins), (outs),
    (ins F64Attr:$weight_decay)> {
  let summary = "param - lr * grad";
}

def Nn_MomentumUpdateOp : Nn_UpdateOp<"momentum_update",
    (ins Nn_FloatTensor:$buf), (outs Nn_FloatTensor:$new_buf),
    (ins F64Attr:$momentum, F64Attr:$weight_decay, BoolAttr:$nesterov)> {
  let summary = "SGD with (Nesterov) momentum";
  let description = [{
    buf' = momentum * buf + grad (buf starts at 0, so the first step gives
    grad, as PyTorch's clone); param' = param - lr * (nesterov ?
    grad + momentum * buf' : buf').
  }];
}

def Nn_AdamUpdateOp : Nn_UpdateOp<"adam_update",
    (ins Nn_FloatTensor:$m, Nn_FloatTensor:$v, Nn_ScalarI64:$step),
    (outs Nn_FloatTensor:$new_m, Nn_FloatTensor:$new_v),
    (ins F64Attr:$beta1, F64Attr:$beta2, F64Attr:$eps, F64Attr:$weight_decay,
     BoolAttr:$decoupled)> {
  let summary = "Adam, or AdamW with `decoupled` weight decay";
  let description = [{
    `step` is the number of the step being taken (1 for the first). With
    `decoupled` the parameter first shrinks by lr * weight_decay (AdamW),
    else the decay joins the gradient. m' = b1 m + (1 - b1) g,
    v' = b2 v + (1 - b2) g^2, param' = param - lr / (1 - b1^t) * m' /
    (sqrt(v') / sqrt(1 - b2^t) + eps).
  }];
}

def Nn_RmspropUpdateOp : Nn_UpdateOp<"rmsprop_update",
    (ins Nn_FloatTensor:$square_avg), (outs Nn_FloatTensor:$new_square_avg),
    (ins F64Attr:$alpha, F64Attr:$eps, F64Attr:$weight_decay)> {
  let summary = "RMSprop: sq' = a sq + (1 - a) g^2, param -= lr g / (sqrt(sq') + eps)";
}

def Nn_AdagradUpdateOp : Nn_UpdateOp<"adagrad_update",
    (ins Nn_FloatTensor:$sum), (outs Nn_FloatTensor:$new_sum),
    (ins F64Attr:$eps, F64Attr:$weight_decay)> {
  let summary = "Adagrad: sum' = sum + g^2, param -= lr g / (sqrt(sum') + eps)";
}

//===----------------------------------------------------------------------===//
// Scalars of the training step
//===----------------------------------------------------------------------===//

def Nn_LrScheduleKind : I32EnumAttr<"LrScheduleKind",
    "how the learning rate changes with the step",
    [I32EnumAttrCase<"Constant", 0, "constant">,
     I32EnumAttrCase<"Step", 1, "step">,
     I32EnumAttrCase<"Exponential", 2, "exponential">,
     I32EnumAttrCase<"Cosine", 3, "cosine">]> {
  let cppNamespace = "::nncc::nn";
  let genSpecializedAttr = 0;
}

def Nn_LrScheduleKindAttr : EnumAttr<Nn_Dialect, Nn_LrScheduleKind,
    "lr_schedule"> {
  let assemblyFormat = "`<` $value `>`";
}

def Nn_LrScheduleOp : Nn_Op<"lr_schedule", [Pure]> {
  let summary = "The learning rate of a step from the base rate";
  let description = [{
    `step` counts the steps taken before this one (0 for the first), as
    PyTorch's schedulers' last_epoch counted in steps. With `schedule`:
    constant: base; step: base * gamma^floor(step / period); exponential:
    base * gamma^step; cosine: min_lr + (base - min_lr) * (1 + cos(pi *
    min(step, period) / period)) / 2. Then, when `warmup` > 0, the rate is
    multiplied by min(1, (step + 1) / warmup) (linear warm-up).
  }];
  let arguments = (ins Nn_ScalarF32:$base, Nn_ScalarI64:$step,
      Nn_LrScheduleKindAttr:$schedule, I64Attr:$period, F64Attr:$gamma,
      F64Attr:$min_lr, I64Attr:$warmup);
  let results = (outs Nn_ScalarF32:$result);
  let hasVerifier = 1;
  let assemblyFormat = [{
    $base `,` $step attr-dict `:` type($base) `,` type($step) `->` type($result)
  }];
}

def Nn_ClipCoefficientOp : Nn_Op<"clip_coefficient", [Pure]> {
  let summary = "Gradient scale for clipping by global norm";
  let description = [{
    From the sum of squares of every gradient, min(1, max_norm / (sqrt(sum)
    + 1e-6)): PyTorch's clip_grad_norm_ factor.
  }];
  let arguments = (ins Nn_ScalarF32:$sum_of_squares, F64Attr:$max_norm);
  let results = (outs Nn_ScalarF32:$result);
  let hasVerifier = 1;
  let assemblyFormat = [{
    $sum_of_squares attr-dict `:` type($sum_of_squares) `->` type($result)
  }];
}

#endif // NNCC_DIALECT_NN_IR_NNTRAINOPS_TD
