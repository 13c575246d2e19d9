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
// per FMA (less cache traffic), then to the larger tile (less loop
// overhead). When B is read from packed panels, ties go first to fewer
// vector loads of B per FMA (taller tiles): a panel too large for L1 comes
// from L2 a line per vector, where a broadcast of A reads 4 bytes of a line
// that serves 16 steps. On the Xeon (Sapphire Rapids, peak 240 GFLOP/s),
// 256^3 took 0.169 ms in 8 x 2 tiles against 0.181 in 4 x 4, and with
// every operand in L1 an 8 x 2 loop ran at 229 GFLOP/s against 216. B read
// in place (a train step's transposed weights, rows 1 KiB apart) kept 4 x 4:
// 8 x 2 made the MLP's SGD step 1.2x slower on two threads.
// Tile heights divide M; widths are 1, 2 or 4 whole vectors (or all of a
// narrower N),
// the last tile of a row taking the remainder, so every tile is static and
// unmasked; the cost is summed over a whole row of tiles. A tile keeps m * nv
// accumulators, nv rows of B and one broadcast in three quarters of the
// register file.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Cpu/TileSizes.h"

#include <algorithm>
#include <limits>
#include <tuple>
#include <vector>

using namespace nncc;

namespace {

/// Cycles and fraction of peak of one K step of an m x n tile.
struct StepCost {
  double efficiency = 0;
  double loadsPerFma = 0;
  int64_t area = 0;
  /// The tile's rows: each vector of B a step loads feeds that many FMAs.
  int64_t height = 0;

  /// With `panelB`, taller tiles (fewer vector loads of B per FMA) break
  /// ties first.
  bool betterThan(const StepCost &other, bool panelB) const {
    return std::make_tuple(efficiency, panelB ? height : 0, -loadsPerFma,
                           area) >
           std::make_tuple(other.efficiency, panelB ? other.height : 0,
                           -other.loadsPerFma, other.area);
  }
};

/// The cycles of one step that does `fmas` vector FMAs into as many
/// accumulators and `loads` vector loads or broadcasts (the file comment).
double stepCycles(int64_t fmas, int64_t loads) {
  return std::max({fmas / 2.0, loads / 2.0, 4.0});
}

/// The cost of a whole row of tiles over `n` columns: n / tn full tiles and
/// one narrower tile for the remainder (peeled, see Tiling.cpp).
StepCost rowCost(int64_t m, int64_t tn, int64_t n, const CpuMachine &machine) {
  int64_t lanes = machine.lanes();
  auto cycles = [&](int64_t width) {
    int64_t vectors = (width + lanes - 1) / lanes;
    return stepCycles(m * vectors, m + vectors);
  };
  int64_t full = n / tn, rest = n % tn;
  double total = full * cycles(tn) + (rest ? cycles(rest) : 0.0);
  int64_t vectors = full * ((tn + lanes - 1) / lanes) +
                    (rest ? (rest + lanes - 1) / lanes : 0);
  StepCost cost;
  cost.efficiency = double(m * n) / (2.0 * lanes * total);
  cost.loadsPerFma =
      double(m * (full + (rest ? 1 : 0)) + vectors) / double(m * n);
  cost.area = m * tn;
  cost.height = m;
  return cost;
}

/// The last tile of a row must be 1, 2 or 4 whole vectors or narrower than
/// one, for the same reason as the widths.
bool cleanRemainder(int64_t tn, int64_t n, const CpuMachine &machine) {
  int64_t lanes = machine.lanes();
  if (n <= 0 || n % tn < lanes)
    return true;
  int64_t rest = n % tn;
  return rest % lanes == 0 &&
         (rest / lanes == 1 || rest / lanes == 2 || rest / lanes == 4);
}

bool fitsRegisters(int64_t m, int64_t n, const CpuMachine &machine) {
  int64_t lanes = machine.lanes();
  int64_t vectors = (n + lanes - 1) / lanes;
  return fitsRegisterTile(m * vectors, vectors, machine);
}

/// The largest divisor of `k` of at least 64 steps whose steps of
/// `stepBytes` each fit `bytes` (CpuMachine::kBlockBytes for chooseKBlock,
/// gemmKBlockBytes for chooseGemmBlocks), or 0.
int64_t largestKBlock(int64_t k, int64_t stepBytes, int64_t bytes) {
  constexpr int64_t kMinBlock = 64;
  for (int64_t block = bytes / stepBytes; block >= kMinBlock; --block)
    if (k % block == 0)
      return block;
  return 0;
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

bool nncc::fitsRegisterTile(int64_t accumulators, int64_t loads,
                            const CpuMachine &machine) {
  return accumulators + loads + 1 <= int64_t(machine.vectorRegisters()) * 3 / 4;
}

MatmulTile nncc::chooseMatmulTile(int64_t m, int64_t n, int64_t k,
                                  const CpuMachine &machine, bool panelB) {
  (void)k; // K is streamed one step at a time (see the file comment).
  int64_t lanes = machine.lanes();
  // Widths: 1, 2 or 4 whole vectors, or all of an N narrower than one. LLVM
  // splits other widths (e.g. 7 zmm) into pieces it reassembles with
  // shuffles on every K step.
  std::vector<int64_t> widths;
  if (n <= 0)
    widths.push_back(1);
  else if (n <= lanes)
    widths.push_back(n);
  else
    for (int64_t w = lanes; w <= 4 * lanes && w <= n; w *= 2)
      widths.push_back(w);
  MatmulTile best;
  StepCost bestCost;
  for (int64_t tm : divisorsUpTo(m, 16)) {
    for (int64_t tn : widths) {
      if (!fitsRegisters(tm, tn, machine) || !cleanRemainder(tn, n, machine))
        continue;
      StepCost cost = rowCost(tm, tn, n <= 0 ? tn : n, machine);
      if (cost.betterThan(bestCost, panelB)) {
        bestCost = cost;
        best.m = tm;
        best.n = tn;
      }
    }
  }
  best.k = 1;
  return best;
}

int64_t nncc::chooseConvRows(const MatmulTile &tile, int64_t rows,
                             const CpuMachine &machine) {
  int64_t lanes = machine.lanes();
  int64_t vectors = (tile.n + lanes - 1) / lanes;
  int64_t best = 1;
  double bestRate = 0;
  for (int64_t r : divisorsUpTo(rows, 16)) {
    // r rows of the m x nv accumulators, r input rows read per tap and the
    // m broadcast weights shared by them.
    int64_t fmas = tile.m * r * vectors;
    if (!fitsRegisterTile(fmas, r * vectors, machine))
      continue;
    double rate = fmas / stepCycles(fmas, tile.m + r * vectors);
    if (rate > bestRate) {
      bestRate = rate;
      best = r;
    }
  }
  return best;
}

std::optional<CorrelationTile>
nncc::chooseCorrelationTile(int64_t channels, int64_t kernelRows,
                            int64_t kernelColumns, int64_t filters,
                            const CpuMachine &machine) {
  int64_t lanes = machine.lanes();
  if (filters % lanes != 0)
    return std::nullopt;
  int64_t vectors = filters / lanes;
  if (!fitsRegisterTile(kernelColumns * vectors, vectors, machine))
    vectors = 1;
  if (!fitsRegisterTile(kernelColumns * vectors, vectors, machine))
    return std::nullopt;
  CorrelationTile best;
  best.width = vectors * lanes;
  for (int64_t c : divisorsUpTo(channels, channels))
    for (int64_t kh : divisorsUpTo(kernelRows, kernelRows)) {
      int64_t rows = c * kh;
      if (fitsRegisterTile(rows * kernelColumns * vectors, vectors, machine) &&
          (rows > best.channels * best.kernelRows ||
           (rows == best.channels * best.kernelRows && kh > best.kernelRows))) {
        best.channels = c;
        best.kernelRows = kh;
      }
    }
  return best;
}

int64_t nncc::chooseRowTile(int64_t row, bool reduces, unsigned elementBits,
                            const CpuMachine &machine) {
  int64_t limit = machine.rowVectors * machine.lanes();
  int64_t wideLanes = machine.vectorBits / std::max(elementBits, 32u);
  if (reduces && elementBits > 32 && row <= limit && row % wideLanes != 0) {
    // Whole vectors of the wide sums, else whole smaller powers of two.
    int64_t part = 0;
    for (int64_t d : divisorsUpTo(row, limit))
      if (d % wideLanes == 0 || (d >= 4 && (d & (d - 1)) == 0))
        part = d;
    if (part != 0)
      return part;
  }
  if (row > limit && reduces) {
    int64_t part = divisorsUpTo(row, limit).back();
    if (part >= machine.lanes())
      row = part;
  }
  return row < 2 || row > limit ? 0 : row;
}

int64_t nncc::chooseTransposeBlock(int64_t size, const CpuMachine &machine) {
  int64_t block = divisorsUpTo(size, machine.lanes()).back();
  return block >= 2 ? block : 0;
}

int64_t nncc::chooseKBlock(const MatmulTile &tile, int64_t n, int64_t k,
                           const CpuMachine &machine) {
  int64_t rowBytes = tile.m * int64_t(sizeof(float));
  if (n <= tile.n || k <= 0 || k * rowBytes <= machine.kBlockBytes)
    return 0;
  return largestKBlock(k, rowBytes, machine.kBlockBytes);
}

int64_t nncc::choosePanelKBlock(const MatmulTile &tile, int64_t k,
                                const CpuMachine &machine) {
  int64_t stepBytes = tile.n * int64_t(sizeof(float));
  if (k <= 0 || k * stepBytes <= machine.gemmKBlockBytes)
    return 0;
  return largestKBlock(k, stepBytes, machine.gemmKBlockBytes);
}

MatmulTile nncc::chooseBlockedConvTile(int64_t pixels, int64_t channels,
                                       int64_t blocks,
                                       const CpuMachine &machine) {
  int64_t lanes = machine.lanes();
  int64_t blockVectors = std::max<int64_t>(channels / lanes, 1);
  int64_t totalVectors = blockVectors * std::max<int64_t>(blocks, 1);
  int64_t registers = int64_t(machine.vectorRegisters()) - 3;
  auto cycles = [](int64_t r, int64_t nv) {
    return std::max({r * nv / 2.0, (r + nv) / 2.0, 4.0, 2.0 * nv});
  };
  MatmulTile best;
  double bestCycles = std::numeric_limits<double>::infinity();
  for (int64_t nv : {4, 2, 1}) {
    // Part of a block, or whole blocks (of whole vectors) that divide the
    // count of blocks.
    bool wholeBlocks = channels == blockVectors * lanes &&
                       nv % blockVectors == 0 && totalVectors % nv == 0;
    if (nv <= blockVectors ? blockVectors % nv != 0 : !wholeBlocks)
      continue;
    // At most 16 pixels: a column of pixels is one vector of the tap's
    // contraction, which LLVM splits into pieces past 16 lanes (26 pixels
    // of one vector each ran MobileNet-V2's first layer 3x slower).
    for (int64_t r = 1;
         r <= std::min<int64_t>(pixels, 16) && r * nv + nv + 1 <= registers;
         ++r) {
      double row = (pixels / r) * cycles(r, nv) +
                   (pixels % r ? cycles(pixels % r, nv) : 0.0);
      row *= double(totalVectors / nv);
      bool better = row < bestCycles ||
                    (row == bestCycles && r * nv > best.m * (best.n / lanes));
      if (better) {
        bestCycles = row;
        best.m = r;
        best.n = nv * lanes;
      }
    }
  }
  return best;
}

int64_t nncc::chooseBlockedConvKChunk(int64_t channels, int64_t block,
                                      int64_t taps, int64_t width,
                                      const CpuMachine &machine) {
  int64_t bytesPerChannel = taps * width * 4;
  if (channels * bytesPerChannel <= machine.blockedConvFilterBytes)
    return 0;
  for (int64_t chunk = block; chunk > 1; chunk /= 2)
    if (block % chunk == 0 && chunk * bytesPerChannel <= machine.kBlockBytes)
      return chunk;
  return 1;
}

GemmBlocks nncc::chooseGemmBlocks(int64_t m, int64_t k, int64_t panelCount,
                                  const MatmulTile &tile,
                                  const CpuMachine &machine) {
  GemmBlocks blocks;
  int64_t block = largestKBlock(k, tile.n * int64_t(sizeof(float)),
                                machine.gemmKBlockBytes);
  blocks.k = block ? block : k;
  blocks.rows = tile.m;
  int64_t rowBytes = blocks.k * int64_t(sizeof(float));
  for (int64_t rows = tile.m; rows <= m; rows += tile.m)
    if (m % rows == 0 && rows * rowBytes <= machine.cacheBytes / 2)
      blocks.rows = rows;
  int64_t rowTasks = m / blocks.rows;
  blocks.panels = 1;
  for (int64_t panels = panelCount; panels >= 1; --panels)
    if (panelCount % panels == 0 &&
        rowTasks * (panelCount / panels) >= machine.gemmTasks) {
      blocks.panels = panels;
      break;
    }
  return blocks;
}
