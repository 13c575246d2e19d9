//===- BuildTrainStep.cpp - the nncc-build-train-step pass ------*- C++ -*-===//
//
// Turns an inference model into a trainable one (docs/training.md): clones
// the forward pass of `infer` into `train_step` and `eval`, attaches the
// loss, differentiates it with respect to the trainable parameters and
// appends one optimizer update per parameter. Optimizer moments, the step
// counter and the learning rate are model state (nn.parameter) like the
// weights, so they live in each context, are saved in checkpoints, and a
// train step updates them in place.
//
//===----------------------------------------------------------------------===//

#include "compiler/Autodiff/Differentiate.h"
#include "compiler/Autodiff/Initialize.h"
#include "compiler/Autodiff/Losses.h"
#include "compiler/Autodiff/Optimizers.h"
#include "compiler/Autodiff/Passes.h"
#include "dialects/Nn/IR/NnDTypes.h"
#include "dialects/Nn/IR/NnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/GlobPattern.h"

#include <cmath>

namespace nncc {
#define GEN_PASS_DEF_BUILDTRAINSTEP
#include "compiler/Autodiff/Passes.h.inc"
} // namespace nncc

using namespace mlir;
using namespace nncc;
using namespace nncc::autodiff;

namespace {

/// Names of the state the training step adds. No ONNX tensor name is
/// likely to start with "nncc:"; a model that has one gets an error.
constexpr llvm::StringLiteral kStepState = "nncc:step";
constexpr llvm::StringLiteral kLearningRateState = "nncc:learning_rate";
/// Module attribute with the byte counts of the memory contract.
constexpr llvm::StringLiteral kTrainMemoryAttr = "nncc.train_memory";

/// Bytes of a tensor type's elements, sized as the C API stores them
/// (dtypes.def; bool takes a byte); per batch item for a type with the
/// dynamic batch.
int64_t tensorBytes(Type type) {
  auto tensor = cast<RankedTensorType>(type);
  int64_t count = 1;
  for (int64_t size : tensor.getShape())
    if (!ShapedType::isDynamic(size))
      count *= size;
  if (const nn::DTypeInfo *dtype = nn::lookupDType(tensor.getElementType()))
    return count * dtype->size;
  return count * ((tensor.getElementType().getIntOrFloatBitWidth() + 7) / 8);
}

/// `scale` times count / (count - 1), count being the number of values
/// each channel of the batch-norm input `x` has ([N, C, ...]; PyTorch's
/// unbiased running variance): a constant, or computed at run time with the
/// dynamic batch (a single value per channel gets the factor 1).
Value unbiasedScale(OpBuilder &b, Location loc, Value x, double scale) {
  auto type = cast<RankedTensorType>(x.getType());
  Type elementType = type.getElementType();
  SmallVector<int64_t> axes = {0};
  for (int64_t d = 2; d < type.getRank(); ++d)
    axes.push_back(d);
  if (type.hasStaticShape()) {
    double count = double(type.getNumElements() / type.getDimSize(1));
    return VJPState::scalar(b, loc, elementType,
                            scale * (count > 1 ? count / (count - 1) : 1.0));
  }
  // 1 / (1 - 1 / count): count / (count - 1), unless count is 1.
  Value inverse = VJPState::inverseCount(b, loc, x, axes, 1.0);
  Value one = VJPState::scalar(b, loc, elementType, 1.0);
  Value rest = nn::SubOp::create(b, loc, one, inverse);
  Value factor =
      nn::SelectOp::create(b, loc, nn::EqualOp::create(b, loc, inverse, one),
                           one, nn::DivOp::create(b, loc, one, rest));
  return nn::MulOp::create(b, loc, factor,
                           VJPState::scalar(b, loc, elementType, scale));
}

/// The optimizer the options describe (its name must be valid). Negative
/// eps and weight decay are the flags' unset value and select PyTorch's
/// defaults for the optimizer.
OptimizerConfig optimizerConfig(const BuildTrainStepOptions &o) {
  OptimizerConfig config;
  config.kind = *parseOptimizerKind(o.optimizer);
  config.momentum = o.momentum;
  config.beta1 = o.beta1;
  config.beta2 = o.beta2;
  config.alpha = o.alpha;
  config.eps = o.eps < 0 ? defaultEps(config.kind) : double(o.eps);
  config.weightDecay = o.weightDecay < 0 ? defaultWeightDecay(config.kind)
                                         : double(o.weightDecay);
  return config;
}

std::string slotStateName(StringRef slot, StringRef param) {
  return ("nncc:" + slot + ":" + param).str();
}

/// The signature of an entry under construction: arguments and results,
/// each with its contract attribute, are added in order; `finish` creates
/// the function with an empty entry block.
struct EntryBuilder {
  SmallVector<Type> argTypes, resultTypes;
  SmallVector<NamedAttrList> argAttrs, resultAttrs;

  unsigned addArg(Type type, StringRef attr, Attribute value) {
    argTypes.push_back(type);
    argAttrs.emplace_back();
    argAttrs.back().set(attr, value);
    return argTypes.size() - 1;
  }
  void addResult(Type type, StringRef attr, Attribute value) {
    resultTypes.push_back(type);
    resultAttrs.emplace_back();
    resultAttrs.back().set(attr, value);
  }

  func::FuncOp finish(OpBuilder &b, Location loc, StringRef name,
                      nn::EntryKind kind) {
    MLIRContext *ctx = b.getContext();
    auto func = func::FuncOp::create(b, loc, name,
                                     b.getFunctionType(argTypes, resultTypes));
    for (auto [i, attrs] : llvm::enumerate(argAttrs))
      func.setArgAttrs(i, attrs.getDictionary(ctx));
    for (auto [i, attrs] : llvm::enumerate(resultAttrs))
      func.setResultAttrs(i, attrs.getDictionary(ctx));
    func->setAttr(nn::NnDialect::kEntryAttr, nn::EntryKindAttr::get(ctx, kind));
    func.addEntryBlock();
    return func;
  }
};

struct BuildTrainStepPass : nncc::impl::BuildTrainStepBase<BuildTrainStepPass> {
  using BuildTrainStepBase::BuildTrainStepBase;

  void runOnOperation() override;

private:
  LogicalResult resolveOptions(Location loc);
  /// Finds the parameters that are running statistics of batch norms
  /// (runningStats), which the train step updates rather than trains.
  LogicalResult findRunningStatistics(func::FuncOp infer);
  LogicalResult selectTrainable(func::FuncOp infer);
  /// Switches the forward pass cloned into `func` to training mode: every
  /// nn.batch_norm normalizes with its batch's statistics. Returns the new
  /// value of each running statistic, in runningStats order.
  /// Every nn.dropout drops with the mask of step `step` (the step counter
  /// before this step).
  SmallVector<Value> switchToTrainingMode(func::FuncOp func, OpBuilder &b,
                                          Value step);
  /// Declares state `name` (an nn.parameter with `initial`), failing when
  /// the model already has a symbol of that name.
  LogicalResult declareState(StringRef name, DenseElementsAttr initial);
  /// Copies infer's arguments (inputs and parameters) into `entry`, then
  /// adds the target input; returns the target's argument index.
  unsigned copyForwardArgs(func::FuncOp infer, EntryBuilder &entry);
  /// Clones infer's body into `func`'s entry block; returns the
  /// prediction.
  Value cloneForward(func::FuncOp infer, func::FuncOp func, OpBuilder &b);
  /// Clones the forward pass into `func`, attaches the loss (returned in
  /// `loss`) and differentiates it: the gradient of each trainable
  /// parameter, in trainableParams order.
  /// The new running statistics of the batch norms go to
  /// `runningUpdates` when given.
  FailureOr<SmallVector<Value>>
  buildGradients(func::FuncOp infer, func::FuncOp func, unsigned targetArg,
                 Value step, OpBuilder &b, Value &loss,
                 SmallVector<Value> *runningUpdates = nullptr);
  LogicalResult buildTrainStep(func::FuncOp infer, OpBuilder &b);
  LogicalResult buildGradientsEntry(func::FuncOp infer, OpBuilder &b);
  void buildEval(func::FuncOp infer, OpBuilder &b);
  void buildSetLearningRate(OpBuilder &b);

  LossKind lossKind = LossKind::CrossEntropy;
  OptimizerConfig config;
  nn::LrScheduleKind scheduleKind = nn::LrScheduleKind::Constant;
  RankedTensorType targetTy;
  std::string targetInputName;
  /// infer's argument index and name of every trainable parameter.
  SmallVector<std::pair<unsigned, std::string>> trainableParams;
  /// The state names of the batch norms' running means and variances, and
  /// their argument index in infer.
  SmallVector<std::string> runningStats;
  SmallVector<unsigned> runningStatArgs;
  /// Bytes of the forward values the last buildGradients' backward reads:
  /// fixed, and per batch item with the dynamic batch.
  int64_t keptBytes = 0, keptBytesPerBatch = 0;
};

LogicalResult BuildTrainStepPass::resolveOptions(Location loc) {
  BuildTrainStepOptions options;
  options.loss = loss;
  options.optimizer = optimizer;
  options.lr = lr;
  options.momentum = momentum;
  options.beta1 = beta1;
  options.beta2 = beta2;
  options.alpha = alpha;
  options.eps = eps;
  options.weightDecay = weightDecay;
  options.schedule = schedule;
  options.schedulePeriod = schedulePeriod;
  options.scheduleGamma = scheduleGamma;
  options.scheduleMinLr = scheduleMinLr;
  options.warmup = warmup;
  options.clipGradNorm = clipGradNorm;
  options.init = init;
  std::string error = checkTrainOptions(options);
  if (!error.empty())
    return emitError(loc) << error;
  lossKind = *parseLossKind(loss);
  config = optimizerConfig(options);
  scheduleKind = *nn::symbolizeLrScheduleKind(schedule);
  return success();
}

LogicalResult BuildTrainStepPass::selectTrainable(func::FuncOp infer) {
  auto compile = [&](ArrayRef<std::string> globs, StringRef flag,
                     SmallVectorImpl<llvm::GlobPattern> &out) -> LogicalResult {
    for (const std::string &glob : globs) {
      llvm::Expected<llvm::GlobPattern> pattern =
          llvm::GlobPattern::create(glob);
      if (!pattern)
        return emitError(infer.getLoc())
               << "--" << flag << ": bad pattern '" << glob
               << "': " << llvm::toString(pattern.takeError());
      out.push_back(std::move(*pattern));
    }
    return success();
  };
  SmallVector<llvm::GlobPattern> include, exclude;
  if (failed(compile(trainable, "trainable", include)) ||
      failed(compile(freeze, "freeze", exclude)))
    return failure();
  SmallVector<bool> includeUsed(include.size()), excludeUsed(exclude.size());
  for (unsigned i = 0; i < infer.getNumArguments(); ++i) {
    auto state =
        infer.getArgAttrOfType<FlatSymbolRefAttr>(i, nn::NnDialect::kStateAttr);
    if (!state)
      continue;
    StringRef name = state.getValue();
    if (!isa<FloatType>(cast<RankedTensorType>(infer.getArgument(i).getType())
                            .getElementType()))
      continue;
    // Running statistics are state but not trained: the train step
    // updates them from the batch.
    if (llvm::is_contained(runningStats, name))
      continue;
    bool selected = include.empty();
    for (auto [k, pattern] : llvm::enumerate(include))
      if (pattern.match(name))
        selected = includeUsed[k] = true;
    for (auto [k, pattern] : llvm::enumerate(exclude))
      if (pattern.match(name)) {
        selected = false;
        excludeUsed[k] = true;
      }
    if (selected)
      trainableParams.emplace_back(i, name.str());
  }
  for (auto [k, used] : llvm::enumerate(includeUsed))
    if (!used)
      return emitError(infer.getLoc())
             << "--trainable pattern '" << trainable[k]
             << "' matches no parameter";
  for (auto [k, used] : llvm::enumerate(excludeUsed))
    if (!used)
      return emitError(infer.getLoc())
             << "--freeze pattern '" << freeze[k] << "' matches no parameter";
  if (trainableParams.empty())
    return emitError(infer.getLoc())
           << "nothing to train: the model has no trainable float parameter"
           << (include.empty() && exclude.empty()
                   ? " (are its weights initializers?)"
                   : " left after --trainable/--freeze");
  return success();
}

LogicalResult BuildTrainStepPass::findRunningStatistics(func::FuncOp infer) {
  WalkResult walk = infer.walk([&](nn::BatchNormOp op) {
    for (Value stat : {op.getMean(), op.getVar()}) {
      auto arg = dyn_cast<BlockArgument>(stat);
      auto state = arg ? infer.getArgAttrOfType<FlatSymbolRefAttr>(
                             arg.getArgNumber(), nn::NnDialect::kStateAttr)
                       : FlatSymbolRefAttr();
      if (!state)
        continue; // a constant: the train step leaves it alone
      if (llvm::is_contained(runningStats, state.getValue())) {
        op.emitError("parameter '")
            << state.getValue()
            << "' is the running statistic of two batch normalizations; a "
               "train step would update it twice";
        return WalkResult::interrupt();
      }
      runningStats.push_back(state.getValue().str());
      runningStatArgs.push_back(arg.getArgNumber());
    }
    return WalkResult::advance();
  });
  return failure(walk.wasInterrupted());
}

SmallVector<Value> BuildTrainStepPass::switchToTrainingMode(func::FuncOp func,
                                                            OpBuilder &b,
                                                            Value step) {
  SmallVector<nn::DropoutOp> dropouts;
  func.walk([&](nn::DropoutOp op) { dropouts.push_back(op); });
  for (auto [index, op] : llvm::enumerate(dropouts)) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(op);
    // Each dropout op draws its own mask: the seed option and the op's
    // position, mixed by the lowering's hash.
    auto train = nn::DropoutTrainOp::create(
        b, op.getLoc(), op.getType(), op.getType(), op.getInput(), step,
        op.getRatioAttr(),
        b.getI64IntegerAttr(static_cast<int64_t>(seed) * 1000003 + index));
    op.getResult().replaceAllUsesWith(train.getResult());
    op.erase();
  }

  SmallVector<Value> updates(runningStats.size());
  auto updateOf = [&](Value stat) -> Value * {
    auto arg = dyn_cast<BlockArgument>(stat);
    if (!arg)
      return nullptr;
    auto it = llvm::find(runningStatArgs, arg.getArgNumber());
    return it == runningStatArgs.end() ? nullptr
                                       : &updates[it - runningStatArgs.begin()];
  };
  SmallVector<nn::BatchNormOp> norms;
  func.walk([&](nn::BatchNormOp op) { norms.push_back(op); });
  for (nn::BatchNormOp op : norms) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(op);
    Location loc = op.getLoc();
    auto train =
        nn::BatchNormTrainOp::create(b, loc, op.getInput(), op.getScale(),
                                     op.getBias(), op.getEpsilonAttr());
    op.getResult().replaceAllUsesWith(train.getResult());
    // running = momentum * running + (1 - momentum) * batch, with the
    // unbiased variance (as PyTorch, whose momentum is 1 - ONNX's).
    auto type = op.getInput().getType();
    double momentum = op.getMomentum().convertToDouble();
    Type elementType = type.getElementType();
    auto blend = [&](Value running, Value batch, Value batchScale) {
      Value kept = nn::MulOp::create(
          b, loc, running, VJPState::scalar(b, loc, elementType, momentum));
      Value added = nn::MulOp::create(b, loc, batch, batchScale);
      return nn::AddOp::create(b, loc, kept, added).getResult();
    };
    if (Value *update = updateOf(op.getMean()))
      *update = blend(op.getMean(), train.getBatchMean(),
                      VJPState::scalar(b, loc, elementType, 1 - momentum));
    if (Value *update = updateOf(op.getVar()))
      *update = blend(op.getVar(), train.getBatchVar(),
                      unbiasedScale(b, loc, op.getInput(), 1 - momentum));
    op.erase();
  }
  return updates;
}

LogicalResult BuildTrainStepPass::declareState(StringRef name,
                                               DenseElementsAttr initial) {
  ModuleOp module = getOperation();
  if (SymbolTable::lookupSymbolIn(module, name))
    return module.emitError() << "the model already has a symbol named '"
                              << name << "', which the training step needs";
  // After the existing state, so that the model's parameters come first in
  // the state tables and checkpoints, then what training adds, in order.
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  for (auto parameter : module.getOps<nn::ParameterOp>())
    b.setInsertionPointAfter(parameter);
  nn::ParameterOp::create(b, module.getLoc(), name, initial);
  return success();
}

unsigned BuildTrainStepPass::copyForwardArgs(func::FuncOp infer,
                                             EntryBuilder &entry) {
  for (unsigned i = 0; i < infer.getNumArguments(); ++i) {
    entry.argTypes.push_back(infer.getArgument(i).getType());
    entry.argAttrs.emplace_back(infer.getArgAttrDict(i));
  }
  return entry.addArg(targetTy, nn::NnDialect::kInputAttr,
                      StringAttr::get(&getContext(), targetInputName));
}

Value BuildTrainStepPass::cloneForward(func::FuncOp infer, func::FuncOp func,
                                       OpBuilder &b) {
  IRMapping mapping;
  Block &body = func.front();
  for (unsigned i = 0; i < infer.getNumArguments(); ++i)
    mapping.map(infer.getArgument(i), body.getArgument(i));
  b.setInsertionPointToEnd(&body);
  for (Operation &op : infer.front().without_terminator())
    b.clone(op, mapping);
  return mapping.lookup(infer.front().getTerminator()->getOperand(0));
}

LogicalResult BuildTrainStepPass::buildTrainStep(func::FuncOp infer,
                                                 OpBuilder &b) {
  MLIRContext *ctx = &getContext();
  Location loc = infer.getLoc();
  auto f32 = Float32Type::get(ctx);
  auto i64 = IntegerType::get(ctx, 64);
  auto scalarF32 = RankedTensorType::get({}, f32);
  auto scalarI64 = RankedTensorType::get({}, i64);
  auto stateRef = [&](StringRef name) {
    return FlatSymbolRefAttr::get(ctx, name);
  };

  EntryBuilder entry;
  unsigned targetArg = copyForwardArgs(infer, entry);
  // Optimizer state: one argument per slot of each trainable parameter.
  SmallVector<StringRef> slots = stateSlots(config.kind);
  SmallVector<SmallVector<unsigned>> slotArgs;
  for (auto &[argIndex, name] : trainableParams) {
    auto type = cast<RankedTensorType>(infer.getArgument(argIndex).getType());
    slotArgs.emplace_back();
    for (StringRef slot : slots) {
      std::string stateName = slotStateName(slot, name);
      if (failed(declareState(
              stateName,
              DenseElementsAttr::get(
                  type, FloatAttr::get(type.getElementType(), 0.0)))))
        return failure();
      slotArgs.back().push_back(
          entry.addArg(type, nn::NnDialect::kStateAttr, stateRef(stateName)));
    }
  }
  if (failed(declareState(
          kLearningRateState,
          DenseElementsAttr::get(scalarF32, FloatAttr::get(f32, lr)))) ||
      failed(declareState(
          kStepState,
          DenseElementsAttr::get(scalarI64, IntegerAttr::get(i64, 0)))))
    return failure();
  unsigned lrArg = entry.addArg(scalarF32, nn::NnDialect::kStateAttr,
                                stateRef(kLearningRateState));
  unsigned stepArg =
      entry.addArg(scalarI64, nn::NnDialect::kStateAttr, stateRef(kStepState));

  entry.addResult(scalarF32, nn::NnDialect::kOutputAttr,
                  StringAttr::get(ctx, "loss"));
  for (auto [p, param] : llvm::enumerate(trainableParams)) {
    Type type = infer.getArgument(param.first).getType();
    entry.addResult(type, nn::NnDialect::kStateAttr, stateRef(param.second));
    for (StringRef slot : slots)
      entry.addResult(type, nn::NnDialect::kStateAttr,
                      stateRef(slotStateName(slot, param.second)));
  }
  for (auto [name, arg] : llvm::zip(runningStats, runningStatArgs))
    entry.addResult(infer.getArgument(arg).getType(), nn::NnDialect::kStateAttr,
                    stateRef(name));
  entry.addResult(scalarI64, nn::NnDialect::kStateAttr, stateRef(kStepState));

  b.setInsertionPointToEnd(getOperation().getBody());
  func::FuncOp func =
      entry.finish(b, loc, "train_step", nn::EntryKind::TrainStep);
  Block &body = func.front();
  Value loss;
  SmallVector<Value> runningUpdates;
  FailureOr<SmallVector<Value>> grads =
      buildGradients(infer, func, targetArg, body.getArgument(stepArg), b, loss,
                     &runningUpdates);
  if (failed(grads))
    return failure();
  SmallVector<Value> params;
  for (auto &param : trainableParams)
    params.push_back(body.getArgument(param.first));

  if (clipGradNorm > 0) {
    SmallVector<Value> squares;
    for (Value grad : *grads) {
      auto type = cast<RankedTensorType>(grad.getType());
      SmallVector<int64_t> axes;
      for (int64_t d = 0; d < type.getRank(); ++d)
        axes.push_back(d);
      Value square = nn::MulOp::create(b, loc, grad, grad);
      squares.push_back(nn::ReduceSumOp::create(b, loc, square, axes,
                                                /*keep_dims=*/false));
    }
    Value total = nn::SumOp::create(b, loc, squares);
    Value scale = nn::ClipCoefficientOp::create(
        b, loc, scalarF32, total, b.getF64FloatAttr(clipGradNorm));
    for (Value &grad : *grads)
      grad = nn::MulOp::create(b, loc, grad, scale);
  }

  Value step = body.getArgument(stepArg);
  Value learningRate = body.getArgument(lrArg);
  if (scheduleKind != nn::LrScheduleKind::Constant || warmup > 0)
    learningRate = nn::LrScheduleOp::create(
        b, loc, scalarF32, learningRate, step,
        nn::LrScheduleKindAttr::get(ctx, scheduleKind),
        b.getI64IntegerAttr(schedulePeriod), b.getF64FloatAttr(scheduleGamma),
        b.getF64FloatAttr(scheduleMinLr), b.getI64IntegerAttr(warmup));
  Value nextStep =
      nn::AddOp::create(b, loc, step, VJPState::scalar(b, loc, i64, 1.0));

  SmallVector<Value> results = {loss};
  for (auto [p, param] : llvm::enumerate(params)) {
    SmallVector<Value> states;
    for (unsigned arg : slotArgs[p])
      states.push_back(body.getArgument(arg));
    llvm::append_range(results, buildUpdate(b, loc, config, param, (*grads)[p],
                                            states, learningRate, nextStep));
  }
  llvm::append_range(results, runningUpdates);
  results.push_back(nextStep);
  func::ReturnOp::create(b, loc, results);

  // The memory contract (nncc --report-memory, the header's macros).
  int64_t parameterBytes = 0, gradientBytes = 0, optimizerBytes = 0;
  for (unsigned i = 0; i < infer.getNumArguments(); ++i)
    if (infer.getArgAttr(i, nn::NnDialect::kStateAttr))
      parameterBytes += tensorBytes(infer.getArgument(i).getType());
  for (auto &param : trainableParams)
    gradientBytes += tensorBytes(infer.getArgument(param.first).getType());
  optimizerBytes = gradientBytes * int64_t(slots.size()) +
                   tensorBytes(scalarF32) + tensorBytes(scalarI64);
  auto entryOf = [&](StringRef name, int64_t bytes) {
    return b.getNamedAttr(name, b.getI64IntegerAttr(bytes));
  };
  getOperation()->setAttr(
      kTrainMemoryAttr,
      b.getDictionaryAttr(
          {entryOf("parameters", parameterBytes),
           entryOf("gradients", gradientBytes),
           entryOf("optimizer_state", optimizerBytes),
           entryOf("kept_activations", keptBytes),
           entryOf("kept_activations_per_batch", keptBytesPerBatch)}));
  return success();
}

FailureOr<SmallVector<Value>> BuildTrainStepPass::buildGradients(
    func::FuncOp infer, func::FuncOp func, unsigned targetArg, Value step,
    OpBuilder &b, Value &loss, SmallVector<Value> *runningUpdates) {
  Value prediction = cloneForward(infer, func, b);
  SmallVector<Value> updates = switchToTrainingMode(func, b, step);
  if (runningUpdates)
    *runningUpdates = std::move(updates);
  Block &body = func.front();
  loss = buildLoss(b, func.getLoc(), lossKind, prediction,
                   body.getArgument(targetArg));
  SmallVector<Value> params;
  for (auto &param : trainableParams)
    params.push_back(body.getArgument(param.first));
  VJPState state;
  FailureOr<SmallVector<Value>> grads =
      differentiate(b, body, loss, params, state);
  // The activations the backward pass keeps: forward values it reads that
  // are computed (arguments are held by the caller or the context anyway,
  // constants are in the code).
  keptBytes = keptBytesPerBatch = 0;
  for (Value value : state.keptValues())
    if (Operation *def = value.getDefiningOp();
        def && !def->hasTrait<OpTrait::ConstantLike>())
      (cast<RankedTensorType>(value.getType()).hasStaticShape()
           ? keptBytes
           : keptBytesPerBatch) += tensorBytes(value.getType());
  return grads;
}

LogicalResult BuildTrainStepPass::buildGradientsEntry(func::FuncOp infer,
                                                      OpBuilder &b) {
  MLIRContext *ctx = &getContext();
  EntryBuilder entry;
  unsigned targetArg = copyForwardArgs(infer, entry);
  // The step counter seeds dropout: the gradients are those the next
  // train step will compute.
  unsigned stepArg = entry.addArg(
      RankedTensorType::get({}, IntegerType::get(ctx, 64)),
      nn::NnDialect::kStateAttr, FlatSymbolRefAttr::get(ctx, kStepState));
  entry.addResult(RankedTensorType::get({}, Float32Type::get(ctx)),
                  nn::NnDialect::kOutputAttr, StringAttr::get(ctx, "loss"));
  for (auto &[argIndex, name] : trainableParams)
    entry.addResult(infer.getArgument(argIndex).getType(),
                    nn::NnDialect::kOutputAttr,
                    StringAttr::get(ctx, "grad:" + name));
  b.setInsertionPointToEnd(getOperation().getBody());
  func::FuncOp func =
      entry.finish(b, infer.getLoc(), "gradients", nn::EntryKind::Eval);
  Value loss;
  FailureOr<SmallVector<Value>> grads = buildGradients(
      infer, func, targetArg, func.getArgument(stepArg), b, loss);
  if (failed(grads))
    return failure();
  SmallVector<Value> results = {loss};
  llvm::append_range(results, *grads);
  func::ReturnOp::create(b, infer.getLoc(), results);
  return success();
}

void BuildTrainStepPass::buildEval(func::FuncOp infer, OpBuilder &b) {
  MLIRContext *ctx = &getContext();
  Location loc = infer.getLoc();
  EntryBuilder entry;
  unsigned targetArg = copyForwardArgs(infer, entry);
  entry.resultTypes.push_back(infer.getResultTypes()[0]);
  entry.resultAttrs.emplace_back(infer.getResultAttrDict(0));
  entry.addResult(RankedTensorType::get({}, Float32Type::get(ctx)),
                  nn::NnDialect::kOutputAttr, StringAttr::get(ctx, "loss"));
  b.setInsertionPointToEnd(getOperation().getBody());
  func::FuncOp func = entry.finish(b, loc, "eval", nn::EntryKind::Eval);
  Value prediction = cloneForward(infer, func, b);
  Value loss =
      buildLoss(b, loc, lossKind, prediction, func.getArgument(targetArg));
  func::ReturnOp::create(b, loc, ValueRange{prediction, loss});
}

void BuildTrainStepPass::buildSetLearningRate(OpBuilder &b) {
  MLIRContext *ctx = &getContext();
  Location loc = getOperation().getLoc();
  auto scalarF32 = RankedTensorType::get({}, Float32Type::get(ctx));
  EntryBuilder entry;
  entry.addArg(scalarF32, nn::NnDialect::kInputAttr,
               StringAttr::get(ctx, "learning_rate"));
  entry.addResult(scalarF32, nn::NnDialect::kStateAttr,
                  FlatSymbolRefAttr::get(ctx, kLearningRateState));
  b.setInsertionPointToEnd(getOperation().getBody());
  func::FuncOp func =
      entry.finish(b, loc, "set_learning_rate", nn::EntryKind::TrainStep);
  b.setInsertionPointToEnd(&func.front());
  func::ReturnOp::create(b, loc, func.getArgument(0));
}

void BuildTrainStepPass::runOnOperation() {
  ModuleOp module = getOperation();
  if (failed(resolveOptions(module.getLoc())))
    return signalPassFailure();

  func::FuncOp infer;
  for (auto func : module.getOps<func::FuncOp>()) {
    auto kind =
        func->getAttrOfType<nn::EntryKindAttr>(nn::NnDialect::kEntryAttr);
    if (!kind)
      continue;
    if (kind.getValue() != nn::EntryKind::Infer) {
      func.emitError("the model already has a '")
          << nn::stringifyEntryKind(kind.getValue())
          << "' entry; --train builds its own from the infer entry";
      return signalPassFailure();
    }
    if (infer) {
      func.emitError("--train needs exactly one infer entry; '")
          << infer.getName() << "' and '" << func.getName() << "' are two";
      return signalPassFailure();
    }
    infer = func;
  }
  if (!infer) {
    module.emitError("--train needs an infer entry (nn.entry = "
                     "#nn.entry<infer>)");
    return signalPassFailure();
  }
  if (infer.getNumResults() != 1) {
    infer.emitError("--train needs a model with one output (the "
                    "prediction the loss compares with the labels); this "
                    "one has ")
        << infer.getNumResults();
    return signalPassFailure();
  }
  std::string why;
  targetTy = targetType(lossKind,
                        cast<RankedTensorType>(infer.getResultTypes()[0]), why);
  if (!targetTy) {
    infer.emitError("--loss=")
        << loss << ": " << why << ", got " << infer.getResultTypes()[0];
    return signalPassFailure();
  }
  // The target input's name must differ from the model's inputs'.
  targetInputName = targetName(lossKind).str();
  for (bool clash = true; clash;) {
    clash = false;
    for (unsigned i = 0; i < infer.getNumArguments(); ++i)
      if (auto name =
              infer.getArgAttrOfType<StringAttr>(i, nn::NnDialect::kInputAttr))
        if (name.getValue() == targetInputName) {
          targetInputName += "_";
          clash = true;
        }
  }
  if (failed(findRunningStatistics(infer)) || failed(selectTrainable(infer)))
    return signalPassFailure();
  if (!init.empty()) {
    SmallVector<unsigned> args;
    for (auto &param : trainableParams)
      args.push_back(param.first);
    initializeParameters(infer, args, *parseInitKind(init),
                         static_cast<uint64_t>(seed));
  }

  OpBuilder b(&getContext());
  if (failed(buildTrainStep(infer, b)))
    return signalPassFailure();
  buildEval(infer, b);
  buildSetLearningRate(b);
  if (gradientsEntry && failed(buildGradientsEntry(infer, b)))
    return signalPassFailure();
}

} // namespace

std::string nncc::checkTrainOptions(const BuildTrainStepOptions &o) {
  std::string message;
  llvm::raw_string_ostream os(message);
  if (!parseLossKind(o.loss)) {
    os << "unknown --loss '" << o.loss
       << "' (expected one of: " << lossKindNames() << ")";
    return message;
  }
  if (!parseOptimizerKind(o.optimizer)) {
    os << "unknown --optimizer '" << o.optimizer
       << "' (expected one of: " << optimizerKindNames() << ")";
    return message;
  }
  if (!o.init.empty() && !parseInitKind(o.init)) {
    os << "unknown --init '" << o.init << "' (expected glorot or he)";
    return message;
  }
  if (!nn::symbolizeLrScheduleKind(o.schedule)) {
    os << "unknown --lr-schedule '" << o.schedule
       << "' (expected one of: constant, step, exponential, cosine)";
    return message;
  }
  OptimizerConfig config = optimizerConfig(o);
  double eps = config.eps, weightDecay = config.weightDecay;
  struct Check {
    llvm::StringRef flag;
    double value;
    bool ok;
    llvm::StringRef expected;
  } checks[] = {
      {"lr", o.lr, o.lr > 0, "a positive number"},
      {"momentum", o.momentum, o.momentum >= 0 && o.momentum < 1, "in [0, 1)"},
      {"beta1", o.beta1, o.beta1 >= 0 && o.beta1 < 1, "in [0, 1)"},
      {"beta2", o.beta2, o.beta2 >= 0 && o.beta2 < 1, "in [0, 1)"},
      {"alpha", o.alpha, o.alpha >= 0 && o.alpha < 1, "in [0, 1)"},
      {"eps", eps, eps > 0, "a positive number"},
      {"weight-decay", weightDecay, weightDecay >= 0, "a non-negative number"},
      {"clip-grad-norm", o.clipGradNorm, o.clipGradNorm >= 0,
       "a non-negative number (0 disables clipping)"},
      {"lr-gamma", o.scheduleGamma, o.scheduleGamma > 0, "a positive number"},
      {"lr-min", o.scheduleMinLr, o.scheduleMinLr >= 0,
       "a non-negative number"},
      {"lr-period", double(o.schedulePeriod), o.schedulePeriod >= 1,
       "at least 1"},
      {"warmup-steps", double(o.warmup), o.warmup >= 0, "non-negative"},
  };
  for (const Check &check : checks)
    if (!check.ok || !std::isfinite(check.value)) {
      os << "--" << check.flag << " must be " << check.expected << ", got "
         << check.value;
      return message;
    }
  return message;
}
