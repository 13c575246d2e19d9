//===- Diagnostics.cpp - compiler-style diagnostic printing ---------------===//

#include "compiler/Driver/Diagnostics.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;

namespace nncc {

std::string formatLocation(Location loc) {
  std::string result;
  llvm::raw_string_ostream os(result);
  if (auto name = dyn_cast<NameLoc>(loc)) {
    // Importer convention: node name, then op type, then the file.
    if (auto opType = dyn_cast<NameLoc>(name.getChildLoc())) {
      std::string file = formatLocation(opType.getChildLoc());
      if (!file.empty())
        os << file << ": ";
      os << "node '" << name.getName().getValue() << "' ("
         << opType.getName().getValue() << ")";
      return result;
    }
    return formatLocation(name.getChildLoc());
  }
  if (auto file = dyn_cast<FileLineColLoc>(loc)) {
    os << file.getFilename().getValue();
    // Line 0 marks a whole-file location (binary inputs have no lines).
    if (file.getLine() != 0)
      os << ":" << file.getLine() << ":" << file.getColumn();
    return result;
  }
  if (auto fused = dyn_cast<FusedLoc>(loc)) {
    for (Location inner : fused.getLocations()) {
      std::string text = formatLocation(inner);
      if (!text.empty())
        return text;
    }
    return result;
  }
  if (auto callSite = dyn_cast<CallSiteLoc>(loc))
    return formatLocation(callSite.getCallee());
  return result;
}

CompilerDiagnosticHandler::CompilerDiagnosticHandler(MLIRContext *ctx,
                                                     llvm::raw_ostream &os)
    : ScopedDiagnosticHandler(ctx), os(os) {
  setHandler([this](Diagnostic &diag) {
    switch (diag.getSeverity()) {
    case DiagnosticSeverity::Error:
      ++numErrors;
      print(diag, "error");
      break;
    case DiagnosticSeverity::Warning:
      print(diag, "warning");
      break;
    case DiagnosticSeverity::Remark:
      print(diag, "remark");
      break;
    case DiagnosticSeverity::Note:
      print(diag, "note");
      break;
    }
    return success();
  });
}

void CompilerDiagnosticHandler::print(Diagnostic &diag,
                                      llvm::StringRef severity) {
  std::string where = formatLocation(diag.getLocation());
  os << (where.empty() ? "nncc" : where) << ": " << severity << ": " << diag
     << "\n";
  for (Diagnostic &note : diag.getNotes())
    print(note, "note");
  os.flush();
}

} // namespace nncc
