//===- WidenChannels.h - channel counts rounded up to whole blocks --------===//
//
// A step of nncc-cpu-block-channels (BlockChannels.cpp), before the
// convolutions are blocked.
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_CODEGEN_CPU_WIDENCHANNELS_H
#define NNCC_CODEGEN_CPU_WIDENCHANNELS_H

#include "compiler/Codegen/Cpu/TileSizes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/PatternMatch.h"

namespace nncc::cpu {

/// Rewrites each convolution with a constant filter whose channel counts do
/// not split into blocks of `block` (a MobileNet-V2's 24 channels in blocks
/// of 16) over the counts chooseWidenedChannels rounds them up to: its
/// filter padded with zeros, its accumulator (a bias) with zeros in the added
/// channels ("lanes"), its result's lanes set to zero by a select (the zero
/// filters alone would leave 0 x inf = NaN there), and the value it stood for
/// a slice of its first channels. Elementwise ops that read such slices run
/// over the wide values, their lanes then the op of the lanes when that
/// folds to a constant (0 + 0 for a residual add, relu6(0)). A convolution
/// reading a widened value with finite lanes reads it whole: its filter's
/// added input channels are zeros. Otherwise (1 / x makes them infinite) it
/// reads the slice padded with zeros. So the 24-channel layers and the
/// residual adds between them run blocked, as the rest of the network.
void widenChannels(mlir::RewriterBase &rewriter, mlir::func::FuncOp func,
                   int64_t block, const CpuMachine &machine);

} // namespace nncc::cpu

#endif // NNCC_CODEGEN_CPU_WIDENCHANNELS_H
