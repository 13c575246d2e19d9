//===- nncc.cpp - the nncc compiler command line ----------------*- C++ -*-===//
//
// Parses the command line into DriverOptions; everything else lives in the
// driver library so it can be tested and reused.
//
//===----------------------------------------------------------------------===//

#include "compiler/Driver/Diagnostics.h"
#include "compiler/Driver/Driver.h"
#include "compiler/Import/Onnx/OnnxImporter.h"
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
                       "nn, train (with --train), linalg, codegen (MLIR), llvm "
                       "(LLVM IR), asm, obj "
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
                                  "CPU, its features and its L2 cache size; "
                                  "64-bit x86 only)"),
                         cl::value_desc("cpu"), cl::init("native"),
                         cl::cat(nnccCategory));

enum OptLevel { O0, O1, O2, O3 };
cl::opt<OptLevel> optLevel(cl::desc("Optimization level (default: -O2):"),
                           cl::values(clEnumVal(O0, "No optimization"),
                                      clEnumVal(O1, "Light optimization"),
                                      clEnumVal(O2, "Default optimization"),
                                      clEnumVal(O3, "Aggressive optimization")),
                           cl::init(O2), cl::cat(nnccCategory));

cl::opt<bool> reportMemory(
    "report-memory",
    cl::desc("Print the bytes of parameters, gradients, optimizer state, "
             "activations kept for the backward pass (with --train) and "
             "each entry's workspace"),
    cl::cat(nnccCategory));

enum class OpListFormat { None, List, Markdown };
cl::opt<OpListFormat> supportedOps(
    "supported-ops", cl::desc("Print the ONNX operators nncc imports and exit"),
    cl::values(clEnumValN(OpListFormat::List, "list", "one op type per line"),
               clEnumValN(OpListFormat::Markdown, "markdown",
                          "the table of docs/supported-ops.md")),
    cl::init(OpListFormat::None), cl::cat(nnccCategory));

cl::opt<bool> opStats(
    "op-stats",
    cl::desc("Print a table of the input model's op types (count, opset, "
             "whether nncc imports each and why not), try the import, and "
             "exit (status 0 even with unsupported ops; attach it to bug "
             "reports)"),
    cl::cat(nnccCategory));

cl::OptionCategory trainCategory(
    "nncc training options (docs/training.md)",
    "With --train, nncc adds <model>_train_step, <model>_eval, "
    "<model>_set_learning_rate, saving and checkpoints to the model.");

cl::opt<bool> train("train",
                    cl::desc("Also generate a training step: the model's "
                             "initializers become trainable parameters"),
                    cl::cat(trainCategory));

// Every option below configures nncc-build-train-step; their defaults are
// the pass's (compiler/Autodiff/Passes.td), so each is listed once.
const nncc::BuildTrainStepOptions trainDefaults;

cl::opt<std::string>
    loss("loss",
         cl::desc("Loss to minimize: cross_entropy (integer labels), bce "
                  "(with logits), mse, sse or l1 (float targets). Default: "
                  "cross_entropy"),
         cl::value_desc("loss"), cl::init(trainDefaults.loss),
         cl::cat(trainCategory));
cl::opt<std::string> optimizer(
    "optimizer",
    cl::desc("sgd, momentum, nesterov, adam, adamw, rmsprop or adagrad. "
             "Default: sgd"),
    cl::value_desc("name"), cl::init(trainDefaults.optimizer),
    cl::cat(trainCategory));
cl::opt<double> lr("lr", cl::desc("Base learning rate (default 0.01)"),
                   cl::value_desc("F"), cl::init(trainDefaults.lr),
                   cl::cat(trainCategory));
cl::opt<double> momentum("momentum",
                         cl::desc("Momentum of momentum and nesterov "
                                  "(default 0.9)"),
                         cl::value_desc("F"), cl::init(trainDefaults.momentum),
                         cl::cat(trainCategory));
cl::opt<double> beta1("beta1", cl::desc("Adam's beta1 (default 0.9)"),
                      cl::value_desc("F"), cl::init(trainDefaults.beta1),
                      cl::cat(trainCategory));
cl::opt<double> beta2("beta2", cl::desc("Adam's beta2 (default 0.999)"),
                      cl::value_desc("F"), cl::init(trainDefaults.beta2),
                      cl::cat(trainCategory));
cl::opt<double> alpha("alpha",
                      cl::desc("RMSprop's smoothing constant (default 0.99)"),
                      cl::value_desc("F"), cl::init(trainDefaults.alpha),
                      cl::cat(trainCategory));
cl::opt<double> eps("eps",
                    cl::desc("Denominator epsilon of adam, adamw, rmsprop "
                             "(default 1e-8) and adagrad (default 1e-10)"),
                    cl::value_desc("F"), cl::init(trainDefaults.eps),
                    cl::cat(trainCategory));
cl::opt<double> weightDecay(
    "weight-decay",
    cl::desc("Weight decay: L2 added to the gradient, or decoupled for adamw "
             "(default 0, adamw 0.01)"),
    cl::value_desc("F"), cl::init(trainDefaults.weightDecay),
    cl::cat(trainCategory));
cl::opt<std::string> lrSchedule(
    "lr-schedule",
    cl::desc("constant (default), step (x gamma every --lr-period steps), "
             "exponential (x gamma every step) or cosine (to --lr-min over "
             "--lr-period steps)"),
    cl::value_desc("schedule"), cl::init(trainDefaults.schedule),
    cl::cat(trainCategory));
cl::opt<int64_t> lrPeriod("lr-period",
                          cl::desc("Steps per decay of step, length of "
                                   "cosine (default 1)"),
                          cl::value_desc("N"),
                          cl::init(trainDefaults.schedulePeriod),
                          cl::cat(trainCategory));
cl::opt<double> lrGamma("lr-gamma",
                        cl::desc("Decay factor of step and exponential "
                                 "(default 0.1)"),
                        cl::value_desc("F"),
                        cl::init(trainDefaults.scheduleGamma),
                        cl::cat(trainCategory));
cl::opt<double> lrMin("lr-min",
                      cl::desc("Final learning rate of cosine (default 0)"),
                      cl::value_desc("F"),
                      cl::init(trainDefaults.scheduleMinLr),
                      cl::cat(trainCategory));
cl::opt<int64_t> warmupSteps("warmup-steps",
                             cl::desc("Linear warm-up over N steps (default "
                                      "0: none)"),
                             cl::value_desc("N"),
                             cl::init(trainDefaults.warmup),
                             cl::cat(trainCategory));
cl::opt<double> clipGradNorm("clip-grad-norm",
                             cl::desc("Clip the gradients' global norm to F "
                                      "(default 0: no clipping)"),
                             cl::value_desc("F"),
                             cl::init(trainDefaults.clipGradNorm),
                             cl::cat(trainCategory));
cl::opt<std::string>
    initKind("init",
             cl::desc("Start from fresh parameters instead of the model's: "
                      "glorot (uniform) or he (normal) weights, zero biases, "
                      "unit norm scales"),
             cl::value_desc("glorot|he"), cl::init(trainDefaults.init),
             cl::cat(trainCategory));
cl::opt<int64_t> seed("seed",
                      cl::desc("Seed of --init and of the dropout masks "
                               "(default 0)"),
                      cl::value_desc("N"), cl::init(trainDefaults.seed),
                      cl::cat(trainCategory));
cl::opt<bool> gradientsEntry(
    "gradients-entry",
    cl::desc("Also generate <model>_gradients: the loss and the gradient of "
             "every trainable parameter, without an update"),
    cl::cat(trainCategory));
cl::list<std::string> trainable("trainable",
                                cl::desc("Train only the parameters matching "
                                         "these globs"),
                                cl::value_desc("glob,..."), cl::CommaSeparated,
                                cl::cat(trainCategory));
cl::list<std::string> freeze("freeze",
                             cl::desc("Do not train the parameters matching "
                                      "these globs"),
                             cl::value_desc("glob,..."), cl::CommaSeparated,
                             cl::cat(trainCategory));

/// The training options given without --train, which would be ignored.
std::string misplacedTrainingOption() {
  cl::Option *options[] = {
      &loss,           &optimizer, &lr,      &momentum,    &beta1,
      &beta2,          &alpha,     &eps,     &weightDecay, &lrSchedule,
      &lrPeriod,       &lrGamma,   &lrMin,   &warmupSteps, &clipGradNorm,
      &gradientsEntry, &seed,      &initKind};
  for (cl::Option *option : options)
    if (option->getNumOccurrences() > 0)
      return option->ArgStr.str();
  // cl::list's operator& gives its storage, so these are asked directly.
  if (trainable.getNumOccurrences() > 0)
    return "trainable";
  if (freeze.getNumOccurrences() > 0)
    return "freeze";
  return "";
}

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
  cl::HideUnrelatedOptions({&nnccCategory, &trainCategory});
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

  if (opStats) {
    mlir::MLIRContext context;
    nncc::CompilerDiagnosticHandler diagnostics(&context, llvm::errs());
    return mlir::failed(
        nncc::printOnnxOpStats(context, inputPath, llvm::outs()));
  }

  std::string misplaced = misplacedTrainingOption();
  if (!train && !misplaced.empty()) {
    llvm::errs() << "nncc: error: --" << misplaced
                 << " configures training; it needs --train\n";
    return 1;
  }

  // Negative eps and weight decay mean "not given" to the pass (PyTorch's
  // default then applies); a value the user gives must not be negative.
  for (cl::opt<double> *option : {&eps, &weightDecay})
    if (option->getNumOccurrences() > 0 && *option < 0) {
      llvm::errs() << "nncc: error: --" << option->ArgStr
                   << " must not be negative, got " << *option << "\n";
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
  options.train = train;
  options.reportMemory = reportMemory;
  nncc::BuildTrainStepOptions &t = options.training;
  t.loss = loss;
  t.optimizer = optimizer;
  t.lr = lr;
  t.momentum = momentum;
  t.beta1 = beta1;
  t.beta2 = beta2;
  t.alpha = alpha;
  t.eps = eps;
  t.weightDecay = weightDecay;
  t.schedule = lrSchedule;
  t.schedulePeriod = lrPeriod;
  t.scheduleGamma = lrGamma;
  t.scheduleMinLr = lrMin;
  t.warmup = warmupSteps;
  t.clipGradNorm = clipGradNorm;
  t.gradientsEntry = gradientsEntry;
  t.seed = seed;
  t.init = initKind;
  t.trainable.assign(trainable.begin(), trainable.end());
  t.freeze.assign(freeze.begin(), freeze.end());
  return nncc::runDriver(options, llvm::errs());
}
