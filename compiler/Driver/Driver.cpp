//===- Driver.cpp - the nncc compiler driver ------------------------------===//
//
// Runs the phases of docs/cli.md in order and stops after the one --emit
// names: import (ONNX or MLIR), nn, linalg, codegen, then LLVM IR, assembly
// or the object file plus its C header.
//
//===----------------------------------------------------------------------===//

#include "compiler/Driver/Driver.h"
#include "compiler/Codegen/Cpu/Passes.h"
#include "compiler/Driver/Diagnostics.h"
#include "compiler/Driver/EntryPoints.h"
#include "compiler/Driver/HeaderWriter.h"
#include "compiler/Driver/ModelSignature.h"
#include "compiler/Driver/ObjectEmitter.h"
#include "compiler/Import/Onnx/OnnxImporter.h"
#include "compiler/Pipelines/Pipelines.h"
#include "compiler/Pipelines/Registration.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
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
  StringRef ext = llvm::sys::path::extension(path);
  if (ext == ".onnx" || ext == ".onnxtxt" || ext == ".textproto" ||
      ext == ".pbtxt")
    return InputKind::Onnx;
  if (ext == ".mlir")
    return InputKind::Mlir;
  if (ext == ".nn")
    return InputKind::ModelLanguage;
  return InputKind::Unknown;
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
        fileLoc(FileLineColLoc::get(&context, options.inputPath, 0, 0)) {}

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
  LogicalResult resolveOutputs();
  OwningOpRef<ModuleOp> load();
  LogicalResult runPipeline(ModuleOp module,
                            function_ref<void(OpPassManager &)> build);
  LogicalResult writeText(function_ref<void(llvm::raw_ostream &)> print);
  func::FuncOp findEntry(ModuleOp module);
  int emitNative(ModuleOp module, const ModelSignature &signature,
                 StringRef runName);

  const DriverOptions &options;
  MLIRContext context;
  CompilerDiagnosticHandler diagnostics;
  Location fileLoc;
  Phase phase = Phase::Obj;
  std::string outputPath, headerPath, modelName;
};

LogicalResult Compilation::resolveOutputs() {
  StringRef input = options.inputPath;
  bool binary = phase == Phase::Obj;
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

  if (!options.name.empty()) {
    if (!isValidCIdentifier(options.name))
      return emitError(UnknownLoc::get(&context))
             << "--name '" << options.name << "' is not a valid C identifier";
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
    importOptions.functionName = modelName;
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
  build(pm);
  return pm.run(module);
}

LogicalResult
Compilation::writeText(function_ref<void(llvm::raw_ostream &)> print) {
  std::string error;
  auto output = openOutputFile(outputPath, &error);
  if (!output)
    return emitError(UnknownLoc::get(&context))
           << "cannot open output '" << outputPath << "': " << error;
  print(output->os());
  output->keep();
  return success();
}

func::FuncOp Compilation::findEntry(ModuleOp module) {
  SmallVector<func::FuncOp> entries;
  for (auto func : module.getOps<func::FuncOp>())
    if (func.isPublic() && !func.isExternal())
      entries.push_back(func);
  if (entries.size() != 1) {
    emitError(module.getLoc())
        << "expected exactly one public function (the model) in the input, "
           "found "
        << entries.size();
    return nullptr;
  }
  return entries.front();
}

int Compilation::emitNative(ModuleOp module, const ModelSignature &signature,
                            StringRef runName) {
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, modelName);
  if (!llvmModule)
    return fail("translation to LLVM IR failed");
  std::string error;
  if (!addEntryPoints(*llvmModule, modelName, runName, signature, error))
    return fail(error);
  std::unique_ptr<llvm::TargetMachine> tm =
      createHostTargetMachine(options.cpu, options.optLevel, error);
  if (!tm)
    return fail(error);
  optimizeModule(*llvmModule, *tm, options.optLevel);

  if (phase == Phase::Llvm)
    return failed(writeText(
               [&](llvm::raw_ostream &os) { llvmModule->print(os, nullptr); }))
               ? 1
               : 0;

  auto output = openOutputFile(outputPath, &error);
  if (!output)
    return fail("cannot open output '" + outputPath + "': " + error);
  if (!emitCode(*llvmModule, *tm, phase == Phase::Asm, output->os(), error))
    return fail(error);
  if (phase == Phase::Obj) {
    std::string header = generateHeader(
        modelName, signature, llvm::sys::path::filename(options.inputPath));
    auto headerFile = openOutputFile(headerPath, &error);
    if (!headerFile)
      return fail("cannot open header output '" + headerPath + "': " + error);
    headerFile->os() << header;
    headerFile->keep();
  }
  output->keep();
  return 0;
}

int Compilation::run() {
  std::optional<Phase> parsed = parsePhase(options.emit);
  if (!parsed)
    return fail("unknown --emit phase '" + options.emit +
                "' (expected one of: " + phaseNames() + ")");
  phase = *parsed;
  if (options.target != "cpu")
    return fail("unsupported --target '" + options.target +
                "' (supported: cpu)");
  if (options.optLevel > 3)
    return fail("unsupported optimization level -O" + Twine(options.optLevel) +
                " (expected -O0 to -O3)");
  if (failed(resolveOutputs()))
    return 1;

  OwningOpRef<ModuleOp> module = load();
  if (!module || failed(verify(*module)))
    return 1;
  auto printModule = [&](llvm::raw_ostream &os) { module->print(os); };
  if (phase == Phase::Import)
    return failed(writeText(printModule)) ? 1 : 0;

  func::FuncOp entry = findEntry(*module);
  if (!entry)
    return 1;
  FailureOr<ModelSignature> signature = getModelSignature(entry);
  if (failed(signature))
    return 1;

  if (failed(runPipeline(*module, buildNnPipeline)))
    return 1;
  if (phase == Phase::Nn)
    return failed(writeText(printModule)) ? 1 : 0;
  if (failed(runPipeline(*module, buildNnToLinalgPipeline)))
    return 1;
  if (phase == Phase::Linalg)
    return failed(writeText(printModule)) ? 1 : 0;

  // The model function gets a name that cannot clash with the API's.
  std::string runName = modelName + "_run";
  entry.setSymName(runName);
  if (failed(runPipeline(*module, buildCpuCodegenPipeline)))
    return 1;
  if (phase == Phase::Codegen)
    return failed(writeText(printModule)) ? 1 : 0;
  return emitNative(*module, *signature, runName);
}

} // namespace

int runDriver(const DriverOptions &options, llvm::raw_ostream &diagOS) {
  Compilation compilation(options, diagOS);
  return compilation.run();
}

} // namespace nncc
