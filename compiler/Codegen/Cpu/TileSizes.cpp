//===- TileSizes.cpp - the CPU tiling cost model ----------------*- C++ -*-===//
//
// The register tile of a matrix product is chosen by an explicit cost model
// of one K step of the micro-kernel (docs/design-notes.md "CPU tiling"):
//
//   C[m x n] += A[m x 1] * B[1 x n], with nv = ceil(n / lanes) vectors per
//   row of C: m * nv FMAs, nv vector loads of B and m broadcasts of A.
//
// An x86 core issues two FMAs and two loads per cycle, and an FMA's result is
// ready four cycles later, so one K step takes at least
//   max(m * nv / 2, (m + nv) / 2, 4)
// cycles and does m * n useful multiply-adds out of 2 * lanes per cycle.
// The tile with the highest fraction of peak wins, ties going to fewer loads
// per FMA (less cache traffic), then to the larger tile (less loop overhead).
// Candidates divide their dimension (every tile is full, so all vector code
// is static and unmasked) and keep m * nv accumulators, nv rows of B and one
// broadcast in the register file.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Cpu/TileSizes.h"

#include <algorithm>
#include <tuple>
#include <vector>

using namespace nncc;

namespace {

/// Cycles and fraction of peak of one K step of an m x n tile.
struct StepCost {
  double efficiency = 0;
  double loadsPerFma = 0;
  int64_t area = 0;

  bool betterThan(const StepCost &other) const {
    return std::make_tuple(efficiency, -loadsPerFma, area) >
           std::make_tuple(other.efficiency, -other.loadsPerFma, other.area);
  }
};

StepCost stepCost(int64_t m, int64_t n, const CpuMachine &machine) {
  int64_t lanes = machine.lanes();
  int64_t vectors = (n + lanes - 1) / lanes;
  int64_t fmas = m * vectors;
  double cycles = std::max({fmas / 2.0, (m + vectors) / 2.0, 4.0});
  StepCost cost;
  cost.efficiency = double(m * n) / (2.0 * lanes * cycles);
  cost.loadsPerFma = double(m + vectors) / double(m * n);
  cost.area = m * n;
  return cost;
}

bool fitsRegisters(int64_t m, int64_t n, const CpuMachine &machine) {
  int64_t lanes = machine.lanes();
  int64_t vectors = (n + lanes - 1) / lanes;
  return m * vectors + vectors + 1 <= int64_t(machine.vectorRegisters());
}

/// Divisors of `size` up to `limit`; {1} for a dynamic size.
std::vector<int64_t> divisorsUpTo(int64_t size, int64_t limit) {
  if (size <= 0)
    return {1};
  std::vector<int64_t> result;
  for (int64_t d = 1; d <= std::min(size, limit); ++d)
    if (size % d == 0)
      result.push_back(d);
  return result;
}

} // namespace

MatmulTile nncc::chooseMatmulTile(int64_t m, int64_t n, int64_t k,
                                  const CpuMachine &machine) {
  (void)k; // K is streamed one step at a time (see the file comment).
  int64_t lanes = machine.lanes();
  MatmulTile best;
  StepCost bestCost;
  for (int64_t tm : divisorsUpTo(m, 16)) {
    for (int64_t tn : divisorsUpTo(n, 8 * lanes)) {
      if (!fitsRegisters(tm, tn, machine))
        continue;
      StepCost cost = stepCost(tm, tn, machine);
      if (cost.betterThan(bestCost)) {
        bestCost = cost;
        best.m = tm;
        best.n = tn;
      }
    }
  }
  best.k = 1;
  return best;
}

int64_t nncc::chooseElementwiseTile(int64_t size, const CpuMachine &machine) {
  int64_t lanes = machine.lanes();
  int64_t limit = 8 * lanes;
  if (size <= 0)
    return 1;
  if (size <= limit)
    return size;
  int64_t best = 1;
  for (int64_t d : divisorsUpTo(size, limit))
    if (d % lanes == 0 || best % lanes != 0)
      best = d;
  return best;
}
