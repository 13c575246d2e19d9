//===- Passes.td - training passes -------------------------*- tablegen -*-===//

#ifndef NNCC_COMPILER_AUTODIFF_PASSES_TD
#define NNCC_COMPILER_AUTODIFF_PASSES_TD

include "mlir/Pass/PassBase.td"

def BuildTrainStep : Pass<"nncc-build-train-step", "::mlir::ModuleOp"> {
  let summary = "Add a training step (loss, backward pass, optimizer update) "
                "to a model";
  let description = [{
    From the model's `infer` entry, whose parameters are `nn.parameter`
    state and whose one output is the prediction, builds three more entries
    (docs/training.md):
    - `train_step(inputs..., labels or targets) -> loss`: the forward pass,
      the loss, its reverse-mode gradient with respect to the trainable
      parameters (Differentiate.cpp), gradient clipping and the optimizer
      update of every trainable parameter and its state, and the step
      counter;
    - `eval(inputs..., labels or targets) -> (prediction, loss)` with the
      current parameters;
    - `set_learning_rate(learning_rate)`, which replaces the base learning
      rate (state `nncc:learning_rate`);
    - with `gradients-entry`, `gradients(inputs..., labels or targets) ->
      (loss, grad:<param>...)`: the loss and the gradient of every
      trainable parameter, without an update (for custom optimizers,
      inspection and the tests).
    Hyper-parameters are attributes of the generated ops; PyTorch's defaults
    apply where an option is left at its default.
  }];
  let options = [
    Option<"loss", "loss", "std::string", "\"cross_entropy\"",
           "cross_entropy, bce, mse, sse or l1">,
    Option<"optimizer", "optimizer", "std::string", "\"sgd\"",
           "sgd, momentum, nesterov, adam, adamw, rmsprop or adagrad">,
    Option<"lr", "lr", "double", "0.01", "Base learning rate">,
    Option<"momentum", "momentum", "double", "0.9",
           "Momentum of momentum and nesterov">,
    Option<"beta1", "beta1", "double", "0.9", "Adam's beta1">,
    Option<"beta2", "beta2", "double", "0.999", "Adam's beta2">,
    Option<"alpha", "alpha", "double", "0.99", "RMSprop's smoothing constant">,
    Option<"eps", "eps", "double", "-1",
           "Denominator epsilon; < 0 picks PyTorch's default (1e-8, "
           "Adagrad 1e-10)">,
    Option<"weightDecay", "weight-decay", "double", "-1",
           "Weight decay; < 0 picks the default (0, AdamW 0.01)">,
    Option<"schedule", "lr-schedule", "std::string", "\"constant\"",
           "constant, step, exponential or cosine">,
    Option<"schedulePeriod", "lr-period", "int64_t", "1",
           "Steps per decay (step) or of the whole cosine">,
    Option<"scheduleGamma", "lr-gamma", "double", "0.1",
           "Decay factor of step and exponential">,
    Option<"scheduleMinLr", "lr-min", "double", "0",
           "Final learning rate of cosine">,
    Option<"warmup", "warmup-steps", "int64_t", "0",
           "Linear warm-up over this many steps (0: none)">,
    Option<"clipGradNorm", "clip-grad-norm", "double", "0",
           "Clip gradients to this global norm (0: no clipping)">,
    Option<"seed", "seed", "int64_t", "0",
           "Seed of the dropout masks and of --init">,
    Option<"init", "init", "std::string", "\"\"",
           "Fresh initial values of the trainable parameters instead of the "
           "model's: glorot (uniform) or he (normal); empty keeps them">,
    Option<"gradientsEntry", "gradients-entry", "bool", "false",
           "Also build `gradients(inputs..., target) -> (loss, grad:<param>"
           "...)`, the loss and gradients without an update">,
    ListOption<"trainable", "trainable", "std::string",
               "Globs of the parameters to train (default: all)">,
    ListOption<"freeze", "freeze", "std::string",
               "Globs of the parameters not to train">,
  ];
}

#endif // NNCC_COMPILER_AUTODIFF_PASSES_TD
