//===- MemoryReport.cpp - the memory contract of a compiled model ---------===//

#include "compiler/Driver/MemoryReport.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/StringExtras.h"

#include <fmt/format.h>

using namespace mlir;

namespace nncc {

MemoryReport takeMemoryReport(ModuleOp module) {
  MemoryReport report;
  if (auto training =
          module->getAttrOfType<DictionaryAttr>("nncc.train_memory")) {
    auto get = [&](StringRef key) {
      auto value = training.getAs<IntegerAttr>(key);
      return value ? value.getInt() : 0;
    };
    report.training = MemoryReport::Training{
        get("parameters"), get("gradients"), get("optimizer_state"),
        get("kept_activations"), get("kept_activations_per_batch")};
    module->removeAttr("nncc.train_memory");
  }
  if (auto workspaces =
          module->getAttrOfType<DictionaryAttr>("nncc.workspace_bytes")) {
    for (NamedAttribute entry : workspaces) {
      if (auto bytes = dyn_cast<IntegerAttr>(entry.getValue()))
        report.workspaces.push_back(
            {entry.getName().str(), bytes.getInt(), 0, false});
      else if (auto parts = dyn_cast<DenseI64ArrayAttr>(entry.getValue());
               parts && parts.size() == 2)
        report.workspaces.push_back(
            {entry.getName().str(), parts[0], parts[1], true});
    }
    module->removeAttr("nncc.workspace_bytes");
  }
  if (auto bounds = module->getAttrOfType<DictionaryAttr>(
          "nncc.live_temporaries_bytes")) {
    for (MemoryReport::Workspace &w : report.workspaces)
      if (auto bound = bounds.getAs<IntegerAttr>(w.entry))
        w.liveBound = bound.getInt();
    module->removeAttr("nncc.live_temporaries_bytes");
  }
  if (auto scratches =
          module->getAttrOfType<DictionaryAttr>("nncc.thread_scratch_bytes")) {
    for (MemoryReport::Workspace &w : report.workspaces)
      if (auto bytes = scratches.getAs<IntegerAttr>(w.entry))
        w.perThread = bytes.getInt();
    module->removeAttr("nncc.thread_scratch_bytes");
  }
  return report;
}

void printMemoryReport(llvm::raw_ostream &os, StringRef modelName,
                       const MemoryReport &report) {
  os << fmt::format("memory of model '{}' (bytes, for the compiled batch "
                    "size):\n",
                    modelName.str());
  auto row = [&](StringRef what, int64_t bytes) {
    os << fmt::format("  {:<34} {:>12}\n", what.str(), bytes);
  };
  if (report.training) {
    row("parameters", report.training->parameters);
    row("gradients", report.training->gradients);
    row("optimizer state", report.training->optimizerState);
    if (report.training->keptActivationsPerBatch == 0)
      row("activations kept for backward", report.training->keptActivations);
    else
      os << fmt::format("  {:<34} {:>12} + {} per batch item\n",
                        "activations kept for backward",
                        report.training->keptActivations,
                        report.training->keptActivationsPerBatch);
  }
  for (const MemoryReport::Workspace &w : report.workspaces) {
    std::string bound =
        w.liveBound < 0
            ? ""
            : fmt::format(" (most bytes of {}temporaries live at once: {})",
                          w.dynamic ? "static " : "", w.liveBound);
    std::string threads =
        w.perThread == 0
            ? ""
            : fmt::format(" + {} per thread (parallel loops' buffers)",
                          w.perThread);
    if (!w.dynamic)
      os << fmt::format("  {:<34} {:>12}{}{}\n", "workspace of " + w.entry,
                        w.fixed, threads, bound);
    else
      os << fmt::format("  {:<34} {:>12} + {} per batch item (at most){}{}\n",
                        "workspace of " + w.entry, w.fixed, w.perBatch, threads,
                        bound);
  }
}

std::string memoryMacros(StringRef modelName, const MemoryReport &report) {
  std::string prefix = modelName.upper();
  std::string out =
      "/** Memory, in bytes, for the compiled batch size (nncc "
      "--report-memory):\n *  a workspace is the most bytes of temporaries "
      "an entry has live at\n *  once; on T threads a call also holds T times "
      "its THREAD_SCRATCH bytes;\n *  libnnrt's arena adds up to 128 bytes "
      "per buffer. */\n";
  auto macro = [&](StringRef name, int64_t bytes) {
    out += fmt::format("#define {}_{} {}\n", prefix, name.str(), bytes);
  };
  if (report.training) {
    macro("PARAMETER_BYTES", report.training->parameters);
    macro("GRADIENT_BYTES", report.training->gradients);
    macro("OPTIMIZER_STATE_BYTES", report.training->optimizerState);
    if (report.training->keptActivationsPerBatch == 0)
      macro("KEPT_ACTIVATION_BYTES", report.training->keptActivations);
    else
      out += fmt::format("#define {}_KEPT_ACTIVATION_BYTES(batch_size) ({} + "
                         "{} * (int64_t)(batch_size))\n",
                         prefix, report.training->keptActivations,
                         report.training->keptActivationsPerBatch);
  }
  for (const MemoryReport::Workspace &w : report.workspaces) {
    std::string name = StringRef(w.entry).upper() + "_WORKSPACE_BYTES";
    if (!w.dynamic)
      macro(name, w.fixed);
    else // at most, for a batch of batch_size
      out += fmt::format("#define {}_{}(batch_size) ({} + {} * "
                         "(int64_t)(batch_size))\n",
                         prefix, name, w.fixed, w.perBatch);
    macro(StringRef(w.entry).upper() + "_THREAD_SCRATCH_BYTES", w.perThread);
  }
  return out + "\n";
}

} // namespace nncc
