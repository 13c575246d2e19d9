//===- MemoryReport.h - the memory contract of a compiled model -*- C++ -*-===//
//
// What `nncc --report-memory` prints and the header's memory macros say: the
// bytes of parameters, gradients, optimizer state and activations kept for
// the backward pass (recorded by nncc-build-train-step) and of each entry's
// workspace (planned by nncc-plan-workspace, measured by
// nncc-measure-workspace), for the compiled batch size.
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_COMPILER_DRIVER_MEMORYREPORT_H
#define NNCC_COMPILER_DRIVER_MEMORYREPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace nncc {

struct MemoryReport {
  /// With --train: parameters, gradients, optimizer state, kept activations.
  struct Training {
    int64_t parameters = 0, gradients = 0, optimizerState = 0,
            keptActivations = 0;
    /// With the dynamic batch: kept activations per batch item, besides
    /// keptActivations.
    int64_t keptActivationsPerBatch = 0;
  };
  std::optional<Training> training;
  /// Each entry's workspace: its planned block plus the temporaries left to
  /// the allocator at their peak; with a dynamic batch, at most `fixed +
  /// perBatch * batch_size`. `liveBound` is the most bytes of statically
  /// shaped temporaries live at once, which the plan is measured against
  /// (nncc-plan-workspace); -1 when not recorded. A call on T threads
  /// also holds up to T slices of `perThread` bytes, the buffers of its
  /// parallel loops' bodies (ThreadScratch.h).
  struct Workspace {
    std::string entry;
    int64_t fixed = 0, perBatch = 0;
    bool dynamic = false;
    int64_t liveBound = -1;
    int64_t perThread = 0;
  };
  std::vector<Workspace> workspaces;
};

/// Reads the report off the attributes the passes left on `module` and
/// removes them (they are not for the object file).
MemoryReport takeMemoryReport(mlir::ModuleOp module);

/// The table of `nncc --report-memory`.
void printMemoryReport(llvm::raw_ostream &os, llvm::StringRef modelName,
                       const MemoryReport &report);

/// The header's macros: <PREFIX>_PARAMETER_BYTES, ...,
/// <PREFIX>_<ENTRY>_WORKSPACE_BYTES and <PREFIX>_<ENTRY>_THREAD_SCRATCH_BYTES.
std::string memoryMacros(llvm::StringRef modelName, const MemoryReport &report);

} // namespace nncc

#endif // NNCC_COMPILER_DRIVER_MEMORYREPORT_H
