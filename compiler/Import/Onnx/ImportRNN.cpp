//===- ImportRNN.cpp - RNN, GRU and LSTM, unrolled ------------------------===//
//
// nncc's shapes are static, so the sequence length is known and a recurrent
// layer unrolls into its time steps: one matmul of every step's input with
// W (all steps at once), then per step a matmul with R, the gates and the
// state update, built from nn's elementwise ops. The gradient of the whole
// layer then comes from those ops' rules (backpropagation through time),
// and the train step can update W, R and B like any other weight.
//
// Sequence lengths shorter than the sequence mask the steps past a batch
// entry's end: its state stops changing and its outputs there are zero, as
// ONNX specifies (the reverse direction starts at each entry's last step).
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/Onnx/ImporterState.h"

using namespace mlir;

namespace nncc::onnx_import {
namespace {

/// The three ONNX recurrent layers.
enum class Cell { RNN, GRU, LSTM };

/// Gates per cell: their blocks in W, R and B, in ONNX's order (RNN: one;
/// GRU: z, r, h; LSTM: i, o, f, c).
int64_t numGates(Cell cell) {
  return cell == Cell::RNN ? 1 : cell == Cell::GRU ? 3 : 4;
}

/// One activation function of the `activations` attribute.
struct Activation {
  std::string name;
  float alpha = 0, beta = 0;
};

/// Builds the unrolled layer; every shape was checked before, so the op
/// builders' type inference cannot fail.
class RecurrentBuilder {
public:
  RecurrentBuilder(NodeImporter &node, Type elementType)
      : node(node), b(node.getBuilder()), loc(node.getLoc()),
        elementType(elementType) {}

  Value scalar(double value) {
    return node.createFloatScalar(elementType, value);
  }
  Value add(Value x, Value y) { return nn::AddOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return nn::SubOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return nn::MulOp::create(b, loc, x, y); }
  Value matmul(Value x, Value y) { return nn::MatMulOp::create(b, loc, x, y); }
  Value reshape(Value x, ArrayRef<int64_t> shape) {
    auto type = cast<RankedTensorType>(x.getType()).clone(shape);
    return nn::ReshapeOp::create(b, loc, type, x);
  }
  Value transpose(Value x, ArrayRef<int64_t> perm) {
    return nn::TransposeOp::create(b, loc, x, perm);
  }
  Value concat(ArrayRef<Value> values, int64_t axis) {
    if (values.size() == 1)
      return values.front();
    return nn::ConcatOp::create(b, loc, values, axis);
  }
  /// `x[..., from:from+size]` along `axis`.
  Value slice(Value x, int64_t axis, int64_t from, int64_t size) {
    auto type = cast<RankedTensorType>(x.getType());
    SmallVector<int64_t> starts(type.getRank(), 0), steps(type.getRank(), 1);
    SmallVector<int64_t> shape(type.getShape());
    starts[axis] = from;
    shape[axis] = size;
    return nn::SliceOp::create(b, loc, type.clone(shape), x, starts, steps);
  }

  /// f(x) for one activation of the `activations` attribute.
  Value activate(const Activation &f, Value x) {
    if (f.name == "Sigmoid")
      return nn::SigmoidOp::create(b, loc, x);
    if (f.name == "Tanh")
      return nn::TanhOp::create(b, loc, x);
    if (f.name == "Relu")
      return nn::ReluOp::create(b, loc, x);
    if (f.name == "LeakyRelu")
      return nn::LeakyReluOp::create(b, loc, x, b.getF32FloatAttr(f.alpha));
    if (f.name == "Elu")
      return nn::EluOp::create(b, loc, x, b.getF32FloatAttr(f.alpha));
    if (f.name == "Softplus")
      return nn::SoftplusOp::create(b, loc, x);
    if (f.name == "Softsign")
      return nn::DivOp::create(b, loc, x,
                               add(nn::AbsOp::create(b, loc, x), scalar(1.0)));
    if (f.name == "Affine")
      return add(mul(x, scalar(f.alpha)), scalar(f.beta));
    if (f.name == "ScaledTanh")
      return mul(nn::TanhOp::create(b, loc, mul(x, scalar(f.beta))),
                 scalar(f.alpha));
    assert(f.name == "HardSigmoid" && "activation not checked");
    Value linear = add(mul(x, scalar(f.alpha)), scalar(f.beta));
    return nn::MaximumOp::create(
        b, loc, nn::MinimumOp::create(b, loc, linear, scalar(1.0)),
        scalar(0.0));
  }

  NodeImporter &node;
  OpBuilder &b;
  Location loc;
  Type elementType;
};

/// The activations of the recurrent ops: one table of their names, which
/// take alpha and beta, and ONNX's defaults (the operator spec's table).
struct ActivationSpec {
  StringLiteral name;
  bool takesAlpha, takesBeta;
  float alpha, beta;
};
constexpr ActivationSpec kActivations[] = {
    {"Sigmoid", false, false, 0, 0},
    {"Tanh", false, false, 0, 0},
    {"Relu", false, false, 0, 0},
    {"LeakyRelu", true, false, 0.01f, 0},
    {"Elu", true, false, 1.0f, 0},
    {"Softplus", false, false, 0, 0},
    {"Softsign", false, false, 0, 0},
    {"Affine", true, true, 1.0f, 0},
    {"ScaledTanh", true, true, 1.0f, 1.0f},
    {"HardSigmoid", true, true, 0.2f, 0.5f},
};

const ActivationSpec *lookupActivation(StringRef name) {
  for (const ActivationSpec &spec : kActivations)
    if (spec.name == name)
      return &spec;
  return nullptr;
}

/// The operands and attributes of one recurrent node.
struct Recurrent {
  Cell cell;
  int64_t seqLength, batch, inputSize, hiddenSize, directions;
  bool reverseOnly, batchFirst, linearBeforeReset = false;
  std::optional<float> clip;
  Value x, w, r, bias, initialH, initialC, peepholes;
  /// [batch] lengths as a float mask source, or null (all full length).
  Value lengths;
  /// Per direction: the cell's activations (f, g[, h]).
  SmallVector<SmallVector<Activation, 3>, 2> activations;
};

/// Reads and checks a recurrent node's inputs and attributes.
FailureOr<Recurrent> readRecurrent(NodeImporter &node, Cell cell) {
  Recurrent rnn;
  rnn.cell = cell;
  FailureOr<Value> x = node.getInput(0), w = node.getInput(1),
                   r = node.getInput(2), bias = node.getOptionalInput(3),
                   lengths = node.getOptionalInput(4),
                   initialH = node.getOptionalInput(5),
                   initialC = cell == Cell::LSTM ? node.getOptionalInput(6)
                                                 : FailureOr<Value>(Value()),
                   peepholes = cell == Cell::LSTM ? node.getOptionalInput(7)
                                                  : FailureOr<Value>(Value());
  FailureOr<std::string> direction = node.getStringAttr("direction", "forward");
  FailureOr<int64_t> hiddenSize = node.getIntAttr("hidden_size", std::nullopt);
  FailureOr<bool> layout = node.getBoolAttr("layout", false);
  if (anyFailed(x, w, r, bias, lengths, initialH, initialC, peepholes,
                direction, hiddenSize, layout) ||
      failed(node.requireFloat(*x, "X")))
    return failure();
  if (*direction != "forward" && *direction != "reverse" &&
      *direction != "bidirectional")
    return node.emitUnsupportedAttr("direction", *direction);
  if (cell == Cell::LSTM) {
    FailureOr<bool> inputForget = node.getBoolAttr("input_forget", false);
    if (failed(inputForget))
      return failure();
    if (*inputForget)
      return node.emitUnsupportedAttr("input_forget", "1");
  }
  if (cell == Cell::GRU) {
    FailureOr<int64_t> linear = node.getIntAttr("linear_before_reset", 0);
    if (failed(linear))
      return failure();
    rnn.linearBeforeReset = *linear != 0;
  }
  if (node.findAttribute("clip")) {
    FailureOr<float> clip = node.getFloatAttr("clip", std::nullopt);
    if (failed(clip))
      return failure();
    if (!(*clip > 0))
      return node.emitError() << "attribute 'clip' must be positive";
    rnn.clip = *clip;
  }

  auto xType = cast<RankedTensorType>(x->getType());
  if (xType.getRank() != 3)
    return node.emitOpError() << "X must be 3-D, got " << xType;
  rnn.batchFirst = *layout;
  rnn.seqLength = xType.getDimSize(*layout ? 1 : 0);
  rnn.batch = xType.getDimSize(*layout ? 0 : 1);
  rnn.inputSize = xType.getDimSize(2);
  rnn.hiddenSize = *hiddenSize;
  rnn.directions = *direction == "bidirectional" ? 2 : 1;
  rnn.reverseOnly = *direction == "reverse";
  int64_t gates = numGates(cell), h = *hiddenSize, d = rnn.directions;
  Type elementType = xType.getElementType();
  auto expect = [&](Value value, StringRef role,
                    ArrayRef<int64_t> shape) -> LogicalResult {
    auto type = cast<RankedTensorType>(value.getType());
    if (type.getShape() == shape && type.getElementType() == elementType)
      return success();
    return node.emitOpError()
           << role << " must be " << RankedTensorType::get(shape, elementType)
           << ", got " << type;
  };
  if (h < 1)
    return node.emitError() << "attribute 'hidden_size' must be >= 1";
  if (failed(expect(*w, "W", {d, gates * h, rnn.inputSize})) ||
      failed(expect(*r, "R", {d, gates * h, h})) ||
      (*bias && failed(expect(*bias, "B", {d, 2 * gates * h}))) ||
      (*initialH &&
       failed(expect(*initialH, "initial_h",
                     *layout ? ArrayRef<int64_t>{rnn.batch, d, h}
                             : ArrayRef<int64_t>{d, rnn.batch, h}))) ||
      (*initialC &&
       failed(expect(*initialC, "initial_c",
                     *layout ? ArrayRef<int64_t>{rnn.batch, d, h}
                             : ArrayRef<int64_t>{d, rnn.batch, h}))) ||
      (*peepholes && failed(expect(*peepholes, "P", {d, 3 * h}))))
    return failure();
  if (*lengths) {
    auto type = cast<RankedTensorType>(lengths->getType());
    if (type.getShape() != ArrayRef<int64_t>{rnn.batch} ||
        !type.getElementType().isInteger(32))
      return node.emitOpError() << "sequence_lens must be a [" << rnn.batch
                                << "] int32 tensor, got " << type;
  }
  rnn.x = *x, rnn.w = *w, rnn.r = *r, rnn.bias = *bias;
  rnn.initialH = *initialH, rnn.initialC = *initialC;
  rnn.peepholes = *peepholes, rnn.lengths = *lengths;

  // activations lists f, g (and h for LSTM) per direction.
  SmallVector<StringRef, 3> defaults =
      cell == Cell::RNN ? SmallVector<StringRef, 3>{"Tanh"}
      : cell == Cell::GRU
          ? SmallVector<StringRef, 3>{"Sigmoid", "Tanh"}
          : SmallVector<StringRef, 3>{"Sigmoid", "Tanh", "Tanh"};
  size_t perDirection = defaults.size();
  SmallVector<std::string> names;
  if (const onnx::AttributeProto *attr = node.findAttribute("activations")) {
    if (attr->type() != onnx::AttributeProto::STRINGS)
      return node.emitError() << "attribute 'activations' must be strings";
    names.assign(attr->strings().begin(), attr->strings().end());
    if (names.size() != perDirection * d)
      return node.emitError()
             << "attribute 'activations' must have " << perDirection * d
             << " entries, got " << names.size();
  } else {
    for (int64_t i = 0; i < d; ++i)
      for (StringRef name : defaults)
        names.push_back(name.str());
  }
  FailureOr<SmallVector<float>> alphas =
      node.getFloatsAttr("activation_alpha", ArrayRef<float>{});
  FailureOr<SmallVector<float>> betas =
      node.getFloatsAttr("activation_beta", ArrayRef<float>{});
  if (anyFailed(alphas, betas))
    return failure();
  // alpha and beta list values only for the activations that take them,
  // in order.
  size_t nextAlpha = 0, nextBeta = 0;
  rnn.activations.resize(d);
  for (size_t i = 0; i < names.size(); ++i) {
    const ActivationSpec *spec = lookupActivation(names[i]);
    if (!spec)
      return node.emitError()
             << "activation '" << names[i] << "' is not supported";
    Activation f{names[i], spec->alpha, spec->beta};
    if (spec->takesAlpha && nextAlpha < alphas->size())
      f.alpha = (*alphas)[nextAlpha++];
    if (spec->takesBeta && nextBeta < betas->size())
      f.beta = (*betas)[nextBeta++];
    rnn.activations[i / perDirection].push_back(f);
  }
  return rnn;
}

/// Runs one direction; returns the hidden state of every step (in time
/// order, each [batch, hidden]) and the final hidden (and cell) state.
struct DirectionResult {
  SmallVector<Value> outputs;
  Value lastH, lastC;
};

DirectionResult runDirection(RecurrentBuilder &rb, const Recurrent &rnn,
                             Value xSeq, int64_t dir, bool reverse,
                             Value stepMasks) {
  int64_t h = rnn.hiddenSize, gates = numGates(rnn.cell);
  int64_t batch = rnn.batch, seq = rnn.seqLength;
  auto take = [&](Value v, int64_t rows, int64_t cols) {
    // v[dir] as [rows, cols].
    return rb.reshape(rb.slice(v, 0, dir, 1), {rows, cols});
  };
  Value w = take(rnn.w, gates * h, rnn.inputSize);
  Value r = take(rnn.r, gates * h, h);
  // Every step's input projection at once: [seq * batch, gates * h].
  Value xw = rb.matmul(rb.reshape(xSeq, {seq * batch, rnn.inputSize}),
                       rb.transpose(w, {1, 0}));
  Value wBias, rBias;
  if (rnn.bias) {
    Value bias = take(rnn.bias, 1, 2 * gates * h);
    wBias = rb.slice(bias, 1, 0, gates * h);
    rBias = rb.slice(bias, 1, gates * h, gates * h);
    xw = rb.add(xw, wBias);
  }
  xw = rb.reshape(xw, {seq, batch, gates * h});
  auto gateOf = [&](Value all, int64_t index) {
    return rb.slice(all, 1, index * h, h);
  };
  // R split per gate, transposed for H @ R^T; GRU's candidate gate needs
  // its own block.
  Value rT = rb.transpose(r, {1, 0});
  auto initial = [&](Value state) -> Value {
    if (!state) {
      auto type = RankedTensorType::get({batch, h}, rb.elementType);
      return nn::ConstantOp::create(
                 rb.b, rb.loc,
                 DenseElementsAttr::get(type,
                                        FloatAttr::get(rb.elementType, 0.0)))
          .getResult();
    }
    if (rnn.batchFirst)
      return rb.reshape(rb.slice(state, 1, dir, 1), {batch, h});
    return rb.reshape(rb.slice(state, 0, dir, 1), {batch, h});
  };
  Value hState = initial(rnn.initialH), cState = initial(rnn.initialC);
  const SmallVector<Activation, 3> &acts = rnn.activations[dir];
  auto clipped = [&](Value v) -> Value {
    if (!rnn.clip)
      return v;
    return nn::MaximumOp::create(
               rb.b, rb.loc,
               nn::MinimumOp::create(rb.b, rb.loc, v, rb.scalar(*rnn.clip)),
               rb.scalar(-*rnn.clip))
        .getResult();
  };
  auto peephole = [&](int64_t index) {
    Value p = take(rnn.peepholes, 1, 3 * h);
    return rb.slice(p, 1, index * h, h);
  };

  DirectionResult result;
  result.outputs.assign(seq, Value());
  for (int64_t i = 0; i < seq; ++i) {
    int64_t t = reverse ? seq - 1 - i : i;
    Value xt = rb.reshape(rb.slice(xw, 0, t, 1), {batch, gates * h});
    Value hr = rb.matmul(hState, rT);
    if (rBias)
      hr = rb.add(hr, rBias);
    Value newH, newC;
    if (rnn.cell == Cell::RNN) {
      newH = rb.activate(acts[0], clipped(rb.add(xt, hr)));
    } else if (rnn.cell == Cell::GRU) {
      Value z =
          rb.activate(acts[0], clipped(rb.add(gateOf(xt, 0), gateOf(hr, 0))));
      Value rGate =
          rb.activate(acts[0], clipped(rb.add(gateOf(xt, 1), gateOf(hr, 1))));
      Value candidateInput;
      if (rnn.linearBeforeReset) {
        candidateInput = rb.add(gateOf(xt, 2), rb.mul(rGate, gateOf(hr, 2)));
      } else {
        Value rh = rb.matmul(rb.mul(rGate, hState), rb.slice(rT, 1, 2 * h, h));
        if (rBias)
          rh = rb.add(rh, gateOf(rBias, 2));
        candidateInput = rb.add(gateOf(xt, 2), rh);
      }
      Value candidate = rb.activate(acts[1], clipped(candidateInput));
      // (1 - z) * candidate + z * h = candidate + z * (h - candidate).
      newH = rb.add(candidate, rb.mul(z, rb.sub(hState, candidate)));
    } else {
      Value pre[4];
      for (int64_t g = 0; g < 4; ++g)
        pre[g] = rb.add(gateOf(xt, g), gateOf(hr, g));
      if (rnn.peepholes) {
        pre[0] = rb.add(pre[0], rb.mul(peephole(0), cState));
        pre[2] = rb.add(pre[2], rb.mul(peephole(2), cState));
      }
      Value in = rb.activate(acts[0], clipped(pre[0]));
      Value forget = rb.activate(acts[0], clipped(pre[2]));
      Value candidate = rb.activate(acts[1], clipped(pre[3]));
      newC = rb.add(rb.mul(forget, cState), rb.mul(in, candidate));
      if (rnn.peepholes)
        pre[1] = rb.add(pre[1], rb.mul(peephole(1), newC));
      Value out = rb.activate(acts[0], clipped(pre[1]));
      newH = rb.mul(out, rb.activate(acts[2], newC));
    }
    if (stepMasks) {
      // Past a batch entry's length: the state stays, the output is zero.
      Value mask = rb.reshape(rb.slice(stepMasks, 0, t, 1), {batch, 1});
      auto keep = [&](Value updated, Value old) {
        return rb.add(old, rb.mul(mask, rb.sub(updated, old)));
      };
      result.outputs[t] = rb.mul(mask, newH);
      newH = keep(newH, hState);
      if (newC)
        newC = keep(newC, cState);
    } else {
      result.outputs[t] = newH;
    }
    hState = newH;
    if (newC)
      cState = newC;
  }
  result.lastH = hState;
  result.lastC = cState;
  return result;
}

template <Cell CellKind> LogicalResult importRecurrent(NodeImporter &node) {
  FailureOr<Recurrent> read = readRecurrent(node, CellKind);
  if (failed(read))
    return failure();
  const Recurrent &rnn = *read;
  RecurrentBuilder rb(node,
                      cast<RankedTensorType>(rnn.x.getType()).getElementType());
  int64_t seq = rnn.seqLength, batch = rnn.batch, h = rnn.hiddenSize;
  Value xSeq = rnn.batchFirst ? rb.transpose(rnn.x, {1, 0, 2}) : rnn.x;

  // masks[t][b] = 1 while t < sequence_lens[b].
  Value masks;
  if (rnn.lengths) {
    auto stepsType = RankedTensorType::get({seq, 1}, rb.b.getI32Type());
    SmallVector<int32_t> steps = llvm::to_vector(llvm::seq<int32_t>(0, seq));
    Value t = nn::ConstantOp::create(
        rb.b, rb.loc, DenseElementsAttr::get(stepsType, ArrayRef(steps)));
    Value inside = nn::LessOp::create(rb.b, rb.loc, t, rnn.lengths);
    masks = nn::SelectOp::create(rb.b, rb.loc, inside, rb.scalar(1.0),
                                 rb.scalar(0.0));
  }

  SmallVector<DirectionResult, 2> results;
  for (int64_t dir = 0; dir < rnn.directions; ++dir)
    results.push_back(
        runDirection(rb, rnn, xSeq, dir, rnn.reverseOnly || dir == 1, masks));

  // Y [seq, directions, batch, hidden] (layout 1: [batch, seq, dirs, h]),
  // Y_h and Y_c [directions, batch, hidden] (layout 1: [batch, dirs, h]).
  if (node.hasOutput(0)) {
    SmallVector<Value> steps;
    for (int64_t t = 0; t < seq; ++t) {
      SmallVector<Value> perDirection;
      for (const DirectionResult &result : results)
        perDirection.push_back(rb.reshape(result.outputs[t], {1, 1, batch, h}));
      steps.push_back(rb.concat(perDirection, 1));
    }
    Value y = rb.concat(steps, 0);
    if (rnn.batchFirst)
      y = rb.transpose(y, {2, 0, 1, 3});
    if (failed(node.setResult(0, y)))
      return failure();
  }
  auto finalState = [&](Value DirectionResult::*member) {
    SmallVector<Value> perDirection;
    for (const DirectionResult &result : results)
      perDirection.push_back(rb.reshape(result.*member, {1, batch, h}));
    Value state = rb.concat(perDirection, 0);
    return rnn.batchFirst ? rb.transpose(state, {1, 0, 2}) : state;
  };
  if (node.hasOutput(1) &&
      failed(node.setResult(1, finalState(&DirectionResult::lastH))))
    return failure();
  if (CellKind == Cell::LSTM && node.hasOutput(2) &&
      failed(node.setResult(2, finalState(&DirectionResult::lastC))))
    return failure();
  return success();
}

} // namespace

ArrayRef<OpInfo> getRecurrentOps() {
  static const OpInfo ops[] = {
      {"GRU", OpCategory::NN, 7, kMaxOpset, importRecurrent<Cell::GRU>,
       "unrolled: `nn.matmul`, `nn.sigmoid`, `nn.tanh`, `nn.mul`, ...",
       "forward, reverse, bidirectional; `linear_before_reset`, `clip`, "
       "`layout`, activations with alpha/beta, sequence_lens, initial_h; "
       "unrolled over the static sequence length"},
      {"LSTM", OpCategory::NN, 7, kMaxOpset, importRecurrent<Cell::LSTM>,
       "unrolled: `nn.matmul`, `nn.sigmoid`, `nn.tanh`, `nn.mul`, ...",
       "as GRU, plus initial_c and peepholes P; `input_forget` is not "
       "supported"},
      {"RNN", OpCategory::NN, 7, kMaxOpset, importRecurrent<Cell::RNN>,
       "unrolled: `nn.matmul`, `nn.tanh`, ...", "as GRU"},
  };
  return ops;
}

} // namespace nncc::onnx_import
