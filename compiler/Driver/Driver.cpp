//===- Driver.cpp - the nncc compiler driver ------------------------------===//
//
// Runs the phases of docs/cli.md in order and stops after the one --emit
// names: import (ONNX or MLIR), nn, linalg, codegen; then writes the IR,
// LLVM IR, assembly or the object file plus its C header. Everything about
// the target is resolved, and every output path checked, before any work.
//
//===----------------------------------------------------------------------===//

#include "compiler/Driver/Driver.h"
#include "compiler/Codegen/Cpu/Passes.h"
#include "compiler/Driver/Diagnostics.h"
#include "compiler/Driver/HeaderWriter.h"
#include "compiler/Driver/MemoryReport.h"
#include "compiler/Driver/ModelSignature.h"
#include "compiler/Driver/ObjectEmitter.h"
#include "compiler/Import/Onnx/OnnxImporter.h"
#include "compiler/Pipelines/Pipelines.h"
#include "compiler/Pipelines/Registration.h"
#include "dialects/Nn/IR/NnDialect.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"

using namespace mlir;

namespace nncc {

namespace {

enum class InputKind { Onnx, Mlir, ModelLanguage, Unknown };

InputKind classifyInput(StringRef path) {
  std::string lower = llvm::sys::path::extension(path).lower();
  StringRef ext = lower;
  if (ext == ".onnx" || ext == ".onnxtxt" || ext == ".textproto" ||
      ext == ".pbtxt")
    return InputKind::Onnx;
  if (ext == ".mlir")
    return InputKind::Mlir;
  if (ext == ".nn")
    return InputKind::ModelLanguage;
  return InputKind::Unknown;
}

/// Whether two paths name the same file: the same existing file (links and
/// relative spellings included), or the same normalized path.
bool samePath(StringRef a, StringRef b) {
  if (a == "-" || b == "-")
    return false;
  if (llvm::sys::fs::equivalent(a, b))
    return true;
  llvm::SmallString<256> x(a), y(b);
  if (llvm::sys::fs::make_absolute(x) || llvm::sys::fs::make_absolute(y))
    return false;
  llvm::sys::path::remove_dots(x, /*remove_dot_dot=*/true);
  llvm::sys::path::remove_dots(y, /*remove_dot_dot=*/true);
  return x == y;
}

/// An output file written only when everything succeeded: ToolOutputFile
/// deletes it on destruction unless keep() was called.
std::unique_ptr<llvm::ToolOutputFile> openOutput(StringRef path,
                                                 std::string &error) {
  std::error_code ec;
  auto file =
      std::make_unique<llvm::ToolOutputFile>(path, ec, llvm::sys::fs::OF_None);
  if (ec) {
    error = ec.message();
    return nullptr;
  }
  return file;
}

/// Fails, with an error, when an input module uses the contract attributes
/// that only nncc's lowering sets: a hand-written nn.abi_type could make the
/// tensor-info tables disagree with the code.
LogicalResult checkNoLoweringAttrs(ModuleOp module) {
  bool clean = true;
  module.walk([&](FunctionOpInterface func) {
    auto check = [&](DictionaryAttr attrs) {
      if (!attrs)
        return;
      for (StringRef name :
           {nn::NnDialect::kContextAttr, nn::NnDialect::kAbiTypeAttr,
            nn::NnDialect::kResultAttr})
        if (attrs.contains(name) && clean) {
          func.emitError() << "'" << name
                           << "' is set by nncc's lowering "
                              "(nncc-prepare-entry-abi); an input model must "
                              "not use it";
          clean = false;
        }
    };
    for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
      check(func.getArgAttrDict(i));
    for (unsigned i = 0, e = func.getNumResults(); i < e; ++i)
      check(func.getResultAttrDict(i));
  });
  return success(clean);
}

/// Closes `file` and reports whether everything reached it; a write error
/// (a full disk, also one only close reports) is cleared so that the stream
/// does not abort, and described in `error`.
bool flushed(llvm::ToolOutputFile &file, std::string &error) {
  file.os().close();
  if (!file.os().has_error())
    return true;
  error = file.os().error().message();
  file.os().clear_error();
  return false;
}

/// One compilation: owns the context, the diagnostics and the outputs.
class Compilation {
public:
  Compilation(const DriverOptions &options, llvm::raw_ostream &diagOS)
      // A model is one function: MLIR's thread pool would only add start-up
      // time (0.26 s against 0.08 s for a small model on two cores).
      : options(options),
        context(makeRegistry(), MLIRContext::Threading::DISABLED),
        diagnostics(&context, diagOS),
        fileLoc(FileLineColLoc::get(&context, options.inputPath, 0, 0)) {
    // Diagnostics name the node or line; a dump of the IR would bury them.
    context.printOpOnDiagnostic(false);
  }

  int run();

private:
  static DialectRegistry makeRegistry() {
    DialectRegistry registry;
    registerNnccDialects(registry);
    return registry;
  }

  /// Reports an error not tied to a place in the model.
  int fail(const Twine &message) {
    emitError(UnknownLoc::get(&context)) << message;
    return 1;
  }
  LogicalResult checkOptions();
  LogicalResult resolveOutputs();
  OwningOpRef<ModuleOp> load();
  LogicalResult runPipeline(ModuleOp module,
                            function_ref<void(OpPassManager &)> build);
  LogicalResult writeText(function_ref<void(llvm::raw_ostream &)> print);
  int emitNative(ModuleOp module);

  const DriverOptions &options;
  MLIRContext context;
  CompilerDiagnosticHandler diagnostics;
  Location fileLoc;
  EmitRequest request{Phase::Codegen, OutputKind::Object};
  CpuTarget target;
  std::string outputPath, headerPath, modelName;
  /// The C header, generated before lowering (and checked then), then
  /// again with the memory macros once the code is generated.
  std::string header;
};

LogicalResult Compilation::checkOptions() {
  std::optional<EmitRequest> parsed = parseEmit(options.emit);
  if (!parsed)
    return emitError(UnknownLoc::get(&context))
           << "unknown --emit phase '" << options.emit
           << "' (expected one of: " << emitNames() << ")";
  request = *parsed;
  if (options.target == "cuda")
    return emitError(UnknownLoc::get(&context))
           << "--target=cuda is not implemented yet; this version of nncc "
              "generates code for --target=cpu only";
  if (options.target != "cpu")
    return emitError(UnknownLoc::get(&context))
           << "unsupported --target '" << options.target
           << "' (supported: cpu)";
  if (options.optLevel > 3)
    return emitError(UnknownLoc::get(&context))
           << "unsupported optimization level -O" << options.optLevel
           << " (expected -O0 to -O3)";
  std::string error;
  if (!resolveCpuTarget(options.cpu, target, error))
    return emitError(UnknownLoc::get(&context)) << "--mcpu: " << error;
  if (options.reportMemory && request.phase != Phase::Codegen)
    return emitError(UnknownLoc::get(&context))
           << "--report-memory measures the generated code; it cannot stop "
              "at --emit="
           << options.emit;
  if (request.phase == Phase::Train && !options.train)
    return emitError(UnknownLoc::get(&context))
           << "--emit=train shows the training entries; it needs --train";
  if (options.train) {
    std::string invalid = checkTrainOptions(options.training);
    if (!invalid.empty())
      return emitError(UnknownLoc::get(&context)) << invalid;
  }
  return success();
}

LogicalResult Compilation::resolveOutputs() {
  StringRef input = options.inputPath;
  bool binary = request.output == OutputKind::Object;
  outputPath = options.outputPath;
  if (outputPath.empty())
    outputPath =
        binary ? (llvm::sys::path::stem(input) + ".o").str() : std::string("-");
  if (binary && outputPath == "-")
    return emitError(UnknownLoc::get(&context))
           << "cannot write an object file to standard output; name a file "
              "with -o";
  if (binary) {
    headerPath = options.headerPath;
    if (headerPath.empty()) {
      llvm::SmallString<128> path(outputPath);
      llvm::sys::path::replace_extension(path, ".h");
      headerPath = path.str().str();
    }
  }
  // Nothing is lost: no output may overwrite the input or another output.
  if (samePath(outputPath, input))
    return emitError(UnknownLoc::get(&context))
           << "output '" << outputPath
           << "' is the input file; choose another -o";
  if (binary && samePath(headerPath, input))
    return emitError(UnknownLoc::get(&context))
           << "header '" << headerPath
           << "' is the input file; choose another --header";
  if (binary && samePath(headerPath, outputPath))
    return emitError(UnknownLoc::get(&context))
           << "header '" << headerPath << "' and object '" << outputPath
           << "' are the same file; "
           << (options.headerPath.empty()
                   ? "name the object with another extension (e.g. -o "
                     "model.o) or choose a --header"
                   : "choose another --header or -o");

  std::string why;
  if (!options.name.empty()) {
    if (!checkModelName(options.name, why))
      return emitError(UnknownLoc::get(&context))
             << "--name '" << options.name << "' " << why;
    modelName = options.name;
  } else {
    StringRef from = outputPath == "-" ? input : StringRef(outputPath);
    modelName = sanitizeCIdentifier(llvm::sys::path::stem(from));
  }
  return success();
}

OwningOpRef<ModuleOp> Compilation::load() {
  StringRef path = options.inputPath;
  switch (classifyInput(path)) {
  case InputKind::Onnx: {
    OnnxImportOptions importOptions;
    importOptions.initializersAsParameters = options.train;
    return importOnnxFile(context, path, importOptions);
  }
  case InputKind::Mlir: {
    std::string error;
    auto file = openInputFile(path, &error);
    if (!file) {
      emitError(fileLoc) << "cannot open input: " << error;
      return nullptr;
    }
    auto sourceMgr = std::make_shared<llvm::SourceMgr>();
    sourceMgr->AddNewSourceBuffer(std::move(file), llvm::SMLoc());
    return parseSourceFile<ModuleOp>(sourceMgr, &context);
  }
  case InputKind::ModelLanguage:
    emitError(fileLoc) << "the nncc model language (.nn) is not supported by "
                          "this version yet; use an ONNX model";
    return nullptr;
  case InputKind::Unknown:
    emitError(fileLoc) << "unknown input format: expected a file ending in "
                          ".onnx, .onnxtxt, .textproto, .pbtxt or .mlir";
    return nullptr;
  }
  llvm_unreachable("unknown input kind");
}

LogicalResult
Compilation::runPipeline(ModuleOp module,
                         function_ref<void(OpPassManager &)> build) {
  PassManager pm(&context);
  if (failed(applyPassManagerCLOptions(pm)))
    return failure();
  // --mlir-timing and friends.
  DefaultTimingManager timing;
  applyDefaultTimingManagerCLOptions(timing);
  TimingScope scope = timing.getRootScope();
  pm.enableTiming(scope);
  build(pm);
  return pm.run(module);
}

LogicalResult
Compilation::writeText(function_ref<void(llvm::raw_ostream &)> print) {
  std::string error;
  auto output = openOutput(outputPath, error);
  if (!output)
    return emitError(UnknownLoc::get(&context))
           << "cannot open output '" << outputPath << "': " << error;
  print(output->os());
  if (!flushed(*output, error))
    return emitError(UnknownLoc::get(&context))
           << "cannot write '" << outputPath << "': " << error;
  output->keep();
  return success();
}

int Compilation::emitNative(ModuleOp module) {
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, modelName);
  if (!llvmModule)
    return fail("translation to LLVM IR failed");
  std::string error;
  std::unique_ptr<llvm::TargetMachine> tm =
      createTargetMachine(target, options.optLevel, error);
  if (!tm)
    return fail(error);
  optimizeModule(*llvmModule, *tm, options.optLevel);

  if (request.output == OutputKind::LlvmIr)
    return failed(writeText(
               [&](llvm::raw_ostream &os) { llvmModule->print(os, nullptr); }))
               ? 1
               : 0;

  auto output = openOutput(outputPath, error);
  if (!output)
    return fail("cannot open output '" + outputPath + "': " + error);
  if (!emitCode(*llvmModule, *tm, request.output == OutputKind::Assembly,
                output->os(), error))
    return fail(error);
  if (!flushed(*output, error))
    return fail("cannot write '" + outputPath + "': " + error);
  // Both files are kept only when both are complete.
  if (request.output == OutputKind::Object) {
    auto headerFile = openOutput(headerPath, error);
    if (!headerFile)
      return fail("cannot open header output '" + headerPath + "': " + error);
    headerFile->os() << header;
    if (!flushed(*headerFile, error))
      return fail("cannot write '" + headerPath + "': " + error);
    headerFile->keep();
  }
  output->keep();
  return 0;
}

int Compilation::run() {
  if (failed(checkOptions()) || failed(resolveOutputs()))
    return 1;

  OwningOpRef<ModuleOp> module = load();
  if (!module || failed(verify(*module)) ||
      failed(checkNoLoweringAttrs(*module)))
    return 1;
  auto printModule = [&](llvm::raw_ostream &os) { module->print(os); };
  auto stopAfter = [&](Phase phase) {
    return request.phase == phase && request.output == OutputKind::Mlir;
  };
  if (stopAfter(Phase::Import))
    return failed(writeText(printModule)) ? 1 : 0;

  if (failed(runPipeline(*module, buildNnPipeline)))
    return 1;
  if (stopAfter(Phase::Nn))
    return failed(writeText(printModule)) ? 1 : 0;
  if (options.train) {
    if (failed(runPipeline(*module, [&](OpPassManager &pm) {
          buildTrainPipeline(pm, options.training);
        })))
      return 1;
    if (stopAfter(Phase::Train))
      return failed(writeText(printModule)) ? 1 : 0;
  }

  // The C API is read off the contract before lowering rewrites it.
  FailureOr<ModelSignature> signature = getModelSignature(*module, modelName);
  if (failed(signature))
    return 1;
  header = generateHeader(modelName, *signature,
                          llvm::sys::path::filename(options.inputPath));
  if (std::optional<std::string> clash = findHeaderClash(header))
    return fail("the generated header would define " + *clash +
                "; rename the model (--name) or the entry function");

  if (failed(runPipeline(*module, buildNnToLinalgPipeline)))
    return 1;
  if (stopAfter(Phase::Linalg))
    return failed(writeText(printModule)) ? 1 : 0;

  CpuPipelineOptions cpuOptions;
  cpuOptions.triple = target.triple;
  cpuOptions.cpu = target.cpu;
  cpuOptions.features = target.features;
  cpuOptions.vectorWidth = target.vectorWidth;
  cpuOptions.l2Bytes = target.l2Bytes;
  cpuOptions.optLevel = options.optLevel;
  cpuOptions.modelName = modelName;
  if (failed(runPipeline(*module, [&](OpPassManager &pm) {
        buildCpuCodegenPipeline(pm, cpuOptions);
      })))
    return 1;
  // The memory contract: printed on request, and macros in the header.
  MemoryReport memory = takeMemoryReport(*module);
  if (options.reportMemory)
    printMemoryReport(llvm::outs(), modelName, memory);
  header = generateHeader(modelName, *signature,
                          llvm::sys::path::filename(options.inputPath),
                          memoryMacros(modelName, memory));
  if (stopAfter(Phase::Codegen))
    return failed(writeText(printModule)) ? 1 : 0;
  return emitNative(*module);
}

} // namespace

int runDriver(const DriverOptions &options, llvm::raw_ostream &diagOS) {
  Compilation compilation(options, diagOS);
  return compilation.run();
}

} // namespace nncc
