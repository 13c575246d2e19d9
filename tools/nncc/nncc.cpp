//===- nncc.cpp - the nncc compiler command line ----------------*- C++ -*-===//
//
// Parses the command line into DriverOptions; everything else lives in the
// driver library so it can be tested and reused.
//
//===----------------------------------------------------------------------===//

#include "compiler/Driver/Driver.h"
#include "compiler/Import/Onnx/OpRegistry.h"
#include "compiler/Pipelines/Pipelines.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace cl = llvm::cl;

namespace {

cl::OptionCategory nnccCategory("nncc options");

cl::opt<std::string> inputPath(cl::Positional, cl::desc("<model>"),
                               cl::cat(nnccCategory));

cl::opt<std::string> outputPath(
    "o",
    cl::desc("Output file ('-' for stdout). Default: <input stem>.o for "
             "--emit=obj, stdout otherwise"),
    cl::value_desc("file"), cl::cat(nnccCategory));

cl::opt<std::string> headerPath(
    "header",
    cl::desc("Where to write the C header (--emit=obj). Default: the "
             "output path with extension .h"),
    cl::value_desc("file"), cl::cat(nnccCategory));

cl::opt<std::string>
    emitPhase("emit",
              cl::desc("Stop after a phase and write its result: import, "
                       "nn, linalg, codegen (MLIR), llvm (LLVM IR), asm, obj "
                       "(default: obj, plus the C header)"),
              cl::value_desc("phase"), cl::init("obj"), cl::cat(nnccCategory));

cl::opt<std::string> target("target",
                            cl::desc("Target to compile for: cpu (default); "
                                     "cuda is not implemented yet"),
                            cl::value_desc("target"), cl::init("cpu"),
                            cl::cat(nnccCategory));

cl::opt<std::string>
    modelName("name",
              cl::desc("Prefix of the generated C symbols (default: the "
                       "output file's stem as a C identifier)"),
              cl::value_desc("identifier"), cl::cat(nnccCategory));

cl::opt<std::string> cpu("mcpu",
                         cl::desc("Target CPU, e.g. x86-64-v3, znver4, "
                                  "skylake-avx512 (default: native, the host "
                                  "CPU and its features; 64-bit x86 only)"),
                         cl::value_desc("cpu"), cl::init("native"),
                         cl::cat(nnccCategory));

enum OptLevel { O0, O1, O2, O3 };
cl::opt<OptLevel> optLevel(cl::desc("Optimization level (default: -O2):"),
                           cl::values(clEnumVal(O0, "No optimization"),
                                      clEnumVal(O1, "Light optimization"),
                                      clEnumVal(O2, "Default optimization"),
                                      clEnumVal(O3, "Aggressive optimization")),
                           cl::init(O2), cl::cat(nnccCategory));

enum class OpListFormat { None, List, Markdown };
cl::opt<OpListFormat> supportedOps(
    "supported-ops", cl::desc("Print the ONNX operators nncc imports and exit"),
    cl::values(clEnumValN(OpListFormat::List, "list", "one op type per line"),
               clEnumValN(OpListFormat::Markdown, "markdown",
                          "the table of docs/supported-ops.md")),
    cl::init(OpListFormat::None), cl::cat(nnccCategory));

void printVersion(llvm::raw_ostream &os) {
  os << "nncc " NNCC_VERSION " (LLVM/MLIR " LLVM_VERSION_STRING ")\n";
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // Debugging options of MLIR (e.g. --mlir-print-ir-after-all) stay usable
  // but are hidden from --help, which documents nncc's own options.
  mlir::registerMLIRContextCLOptions();
  mlir::registerPassManagerCLOptions();
  mlir::registerAsmPrinterCLOptions();
  mlir::registerDefaultTimingManagerCLOptions();
  cl::HideUnrelatedOptions(nnccCategory);
  cl::SetVersionPrinter(printVersion);
  cl::ParseCommandLineOptions(
      argc, argv,
      "nncc: ahead-of-time neural-network compiler\n\n"
      "  nncc model.onnx -o model.o     writes model.o and model.h\n"
      "  cc app.c model.o -I<nncc>/runtime/include -L<nncc>/build/runtime "
      "-lnnrt -lm -lpthread\n"
      "  (after `cmake --install`: -I<prefix>/include -L<prefix>/lib, or\n"
      "  pkg-config --cflags --libs nnrt)\n");

  if (supportedOps == OpListFormat::List) {
    nncc::onnx_import::printSupportedOpTypes(llvm::outs());
    return 0;
  }
  if (supportedOps == OpListFormat::Markdown) {
    nncc::onnx_import::printSupportedOpsMarkdown(llvm::outs());
    return 0;
  }
  if (inputPath.empty()) {
    llvm::errs() << "nncc: error: no input model (see nncc --help)\n";
    return 1;
  }

  nncc::DriverOptions options;
  options.inputPath = inputPath;
  options.outputPath = outputPath;
  options.headerPath = headerPath;
  options.emit = emitPhase;
  options.target = target;
  options.name = modelName;
  options.cpu = cpu;
  options.optLevel = optLevel;
  return nncc::runDriver(options, llvm::errs());
}
