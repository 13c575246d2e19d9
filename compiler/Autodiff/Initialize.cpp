//===- Initialize.cpp - fresh initial values for parameters -----*- C++ -*-===//
//
// --init: Glorot (Xavier) uniform, U(-a, a) with a = sqrt(6 / (fan_in +
// fan_out)), or He (Kaiming) normal, N(0, 2 / fan_in), as PyTorch's
// nn.init.xavier_uniform_ and kaiming_normal_ (fan_in mode, relu gain).
//
//===----------------------------------------------------------------------===//

#include "compiler/Autodiff/Initialize.h"
#include "dialects/Nn/IR/NnOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/StringSwitch.h"

#include <cmath>

using namespace mlir;

namespace nncc::autodiff {

std::optional<InitKind> parseInitKind(StringRef name) {
  return llvm::StringSwitch<std::optional<InitKind>>(name)
      .Case("glorot", InitKind::Glorot)
      .Case("he", InitKind::He)
      .Default(std::nullopt);
}

namespace {

/// splitmix64: a small, well-mixed generator whose stream is easy to
/// reproduce elsewhere (documented in docs/training.md).
struct SplitMix64 {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, 1) with 53 random bits.
  double uniform() { return double(next() >> 11) * 0x1.0p-53; }
  /// Standard normal (Box-Muller).
  double normal() {
    double u1 = 1.0 - uniform(), u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  }
};

struct Fans {
  double in = 1, out = 1;
};

/// Fans of a weight from how the forward pass uses it: PyTorch's rule
/// (dimension 1 in, 0 out, times the receptive field) for a convolution
/// filter or a weight read through a transpose (Gemm with transB), the
/// other way for a matmul's right operand [in, out].
Fans fansOf(Value weight) {
  auto type = cast<RankedTensorType>(weight.getType());
  ArrayRef<int64_t> shape = type.getShape();
  double receptive = 1;
  for (int64_t d : shape.drop_front(2))
    receptive *= double(d);
  Fans fans{double(shape[1]) * receptive, double(shape[0]) * receptive};
  for (Operation *user : weight.getUsers())
    if (auto matmul = dyn_cast<nn::MatMulOp>(user);
        matmul && matmul.getRhs() == weight && type.getRank() == 2)
      return Fans{double(shape[0]), double(shape[1])};
  return fans;
}

/// Whether a vector is the scale of a batch or layer norm (starts at 1).
bool isNormScale(Value value) {
  return llvm::any_of(value.getUsers(), [&](Operation *user) {
    if (auto norm = dyn_cast<nn::BatchNormOp>(user))
      return norm.getScale() == value;
    if (auto norm = dyn_cast<nn::LayerNormOp>(user))
      return norm.getScale() == value;
    return false;
  });
}

} // namespace

void initializeParameters(func::FuncOp infer, ArrayRef<unsigned> args,
                          InitKind kind, uint64_t seed) {
  auto module = infer->getParentOfType<ModuleOp>();
  for (auto [position, arg] : llvm::enumerate(args)) {
    Value value = infer.getArgument(arg);
    auto state = infer.getArgAttrOfType<FlatSymbolRefAttr>(
        arg, nn::NnDialect::kStateAttr);
    auto parameter = SymbolTable::lookupSymbolIn(module, state.getAttr());
    auto type = cast<RankedTensorType>(value.getType());
    SmallVector<APFloat> values;
    auto semantics =
        &cast<FloatType>(type.getElementType()).getFloatSemantics();
    auto push = [&](double v) {
      APFloat f(v);
      bool lost;
      f.convert(*semantics, APFloat::rmNearestTiesToEven, &lost);
      values.push_back(f);
    };
    SplitMix64 rng{seed * 0x2545F4914F6CDD1Dull + position};
    if (type.getRank() >= 2) {
      Fans fans = fansOf(value);
      double bound = std::sqrt(6.0 / (fans.in + fans.out));
      double std = std::sqrt(2.0 / fans.in);
      for (int64_t i = 0; i < type.getNumElements(); ++i)
        push(kind == InitKind::Glorot ? (2 * rng.uniform() - 1) * bound
                                      : rng.normal() * std);
    } else {
      double fill = isNormScale(value) ? 1.0 : 0.0;
      for (int64_t i = 0; i < type.getNumElements(); ++i)
        push(fill);
    }
    cast<nn::ParameterOp>(parameter).setInitialValueAttr(
        DenseElementsAttr::get(type, values));
  }
}

} // namespace nncc::autodiff
