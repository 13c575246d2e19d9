//===- ObjectEmitter.cpp - LLVM IR to object code in-process --------------===//

#include "compiler/Driver/ObjectEmitter.h"
#include "compiler/Codegen/Cpu/ParallelAbi.h"

#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/Transforms/IPO/LoopExtractor.h"
#include "llvm/Transforms/Utils/LoopSimplify.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

using namespace llvm;

namespace nncc {

namespace {

CodeGenOptLevel codeGenLevel(unsigned optLevel) {
  switch (optLevel) {
  case 0:
    return CodeGenOptLevel::None;
  case 1:
    return CodeGenOptLevel::Less;
  case 2:
    return CodeGenOptLevel::Default;
  default:
    return CodeGenOptLevel::Aggressive;
  }
}

/// The first line of a sysfs file, or "" when it cannot be read.
std::string readFirstLine(const Twine &path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> file =
      MemoryBuffer::getFileAsStream(path);
  if (!file)
    return "";
  return (*file)->getBuffer().split('\n').first.trim().str();
}

/// The size of the host's L2 cache from the CPUID instruction, or 0: AMD's
/// extended leaf 0x80000006 (ECX bits 31-16, in KiB), else the deterministic
/// cache parameters of leaf 4 (Intel; ways x partitions x line x sets).
unsigned cpuidL2Bytes() {
#if defined(__x86_64__) || defined(__i386__)
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid(0, &eax, &ebx, &ecx, &edx) == 0)
    return 0;
  unsigned maxLeaf = eax;
  bool amd = ebx == 0x68747541; // "Auth" of "AuthenticAMD"
  if (amd) {
    if (__get_cpuid(0x80000006, &eax, &ebx, &ecx, &edx) == 0)
      return 0;
    return (ecx >> 16) << 10;
  }
  if (maxLeaf < 4)
    return 0;
  for (unsigned sub = 0; sub < 16; ++sub) {
    __cpuid_count(4, sub, eax, ebx, ecx, edx);
    unsigned type = eax & 0x1f, level = (eax >> 5) & 0x7;
    if (type == 0)
      return 0;
    if (level == 2 && (type == 1 || type == 3))
      return ((ebx >> 22) + 1) * (((ebx >> 12) & 0x3ff) + 1) *
             ((ebx & 0xfff) + 1) * (ecx + 1);
  }
#endif
  return 0;
}

/// The size of the host's L2 data or unified cache of CPU 0, from Linux
/// sysfs ("512K", "2048K", "2M"), else from CPUID (virtual machines without
/// sysfs cache entries: this workplace's Zen 5), or 0.
unsigned hostL2Bytes() {
  for (unsigned index = 0; index < 16; ++index) {
    std::string dir =
        "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index);
    std::string level = readFirstLine(dir + "/level");
    if (level.empty())
      return index == 0 ? cpuidL2Bytes() : 0;
    std::string type = readFirstLine(dir + "/type");
    if (level != "2" || (type != "Unified" && type != "Data"))
      continue;
    std::string text = readFirstLine(dir + "/size");
    StringRef size = text;
    unsigned scale = size.consume_back("K")   ? 1u << 10
                     : size.consume_back("M") ? 1u << 20
                                              : 1u;
    unsigned value = 0;
    if (size.getAsInteger(10, value) || value == 0 ||
        value > (1u << 30) / scale)
      return 0;
    return value * scale;
  }
  return 0;
}

OptimizationLevel passLevel(unsigned optLevel) {
  switch (optLevel) {
  case 0:
    return OptimizationLevel::O0;
  case 1:
    return OptimizationLevel::O1;
  case 2:
    return OptimizationLevel::O2;
  default:
    return OptimizationLevel::O3;
  }
}

} // namespace

bool resolveCpuTarget(StringRef mcpu, CpuTarget &result, std::string &error) {
  InitializeNativeTarget();
  InitializeNativeTargetAsmPrinter();
  Triple triple(sys::getDefaultTargetTriple());
  const Target *target = TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return false;
  result.triple = triple.str();

  if (mcpu.empty() || mcpu == "native") {
    result.cpu = sys::getHostCPUName().str();
    SubtargetFeatures featureSet;
    for (const auto &feature : sys::getHostCPUFeatures())
      featureSet.AddFeature(feature.getKey(), feature.getValue());
    result.features = featureSet.getString();
    if (unsigned l2 = hostL2Bytes())
      result.l2Bytes = l2;
  } else {
    // Asked with an empty CPU, LLVM answers without printing a warning.
    std::unique_ptr<MCSubtargetInfo> generic(
        target->createMCSubtargetInfo(triple, "", ""));
    if (!generic || !generic->isCPUStringValid(mcpu)) {
      error = ("unknown CPU '" + mcpu + "' for target " + triple.str() +
               " (try --mcpu=native, x86-64-v3, znver4, skylake-avx512)")
                  .str();
      return false;
    }
    result.cpu = mcpu.str();
  }
  std::unique_ptr<MCSubtargetInfo> info(
      target->createMCSubtargetInfo(triple, result.cpu, result.features));
  if (triple.isX86() && !info->checkFeatures("+64bit")) {
    error = "CPU '" + result.cpu +
            "' has no 64-bit mode; nncc generates code for " + triple.str() +
            " only";
    return false;
  }
  result.vectorWidth = 128;
  if (triple.isX86()) {
    if (info->checkFeatures("+avx512f"))
      result.vectorWidth = 512;
    else if (info->checkFeatures("+avx"))
      result.vectorWidth = 256;
  }
  return true;
}

std::unique_ptr<TargetMachine> createTargetMachine(const CpuTarget &cpu,
                                                   unsigned optLevel,
                                                   std::string &error) {
  Triple triple(cpu.triple);
  const Target *target = TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;
  TargetOptions options;
  std::unique_ptr<TargetMachine> tm(target->createTargetMachine(
      triple, cpu.cpu, cpu.features, options, Reloc::PIC_, std::nullopt,
      codeGenLevel(optLevel)));
  if (!tm)
    error = "cannot create a target machine for " + triple.str();
  return tm;
}

void optimizeModule(Module &module, TargetMachine &tm, unsigned optLevel) {
  module.setTargetTriple(tm.getTargetTriple());
  module.setDataLayout(tm.createDataLayout());

  LoopAnalysisManager lam;
  FunctionAnalysisManager fam;
  CGSCCAnalysisManager cgam;
  ModuleAnalysisManager mam;
  PassBuilder pb(&tm);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);

  // One function per top-level loop nest (one per linalg op), never inlined
  // back. LLVM is superlinear in the size of a function: ScalarEvolution
  // walks back through every earlier loop for guards (LoopVectorize,
  // IndVarSimplify), and fully unrolled loops merge into one huge basic
  // block for the machine scheduler (quadratic time, 1.4 GB for 400 ops).
  // The bodies of parallel loops (passed to nnrt_parallel_for_chunks) are one
  // loop nest each already; the extractor would move their inner loops out (it
  // extracts the sub-loops of a function that is just one loop), and with
  // them the register tile's accumulators, into memory. optnone is the
  // extractor's opt-out; it is lifted right after.
  if (optLevel > 0) {
    SmallVector<Function *> parallelBodies;
    if (Function *parallelFor = module.getFunction(nncc::kParallelForFunction))
      for (User *user : parallelFor->users())
        if (auto *call = dyn_cast<CallBase>(user))
          if (auto *body = dyn_cast<Function>(
                  call->getArgOperand(nncc::kParallelForBodyArgument)
                      ->stripPointerCasts()))
            if (!body->hasOptNone() &&
                !body->hasFnAttribute(Attribute::NoInline))
              parallelBodies.push_back(body);
    for (Function *body : parallelBodies) {
      body->addFnAttr(Attribute::OptimizeNone);
      body->addFnAttr(Attribute::NoInline);
    }
    SmallPtrSet<Function *, 16> existing;
    for (Function &fn : module)
      existing.insert(&fn);
    ModulePassManager outline;
    outline.addPass(createModuleToFunctionPassAdaptor(LoopSimplifyPass()));
    outline.addPass(LoopExtractorPass());
    outline.run(module, mam);
    for (Function &fn : module)
      if (!existing.contains(&fn))
        fn.addFnAttr(Attribute::NoInline);
    for (Function *body : parallelBodies) {
      body->removeFnAttr(Attribute::OptimizeNone);
      body->removeFnAttr(Attribute::NoInline);
    }
  }
  // After the extraction, so that the extracted functions have them too.
  for (Function &fn : module.functions())
    if (!fn.isDeclaration()) {
      fn.addFnAttr("target-cpu", tm.getTargetCPU());
      fn.addFnAttr("target-features", tm.getTargetFeatureString());
    }

  ModulePassManager mpm =
      optLevel == 0 ? pb.buildO0DefaultPipeline(OptimizationLevel::O0)
                    : pb.buildPerModuleDefaultPipeline(passLevel(optLevel));
  mpm.run(module, mam);
}

namespace {

/// Rewrites every large constant array of numbers (the weights, transformed
/// filters) as an array of its bytes, unchanged in memory: the assembly
/// printer writes an i8 array in one piece, and every element of any other
/// array on its own (ResNet-18 at batch 16, 97 MB of f32 constants: 12.3 s
/// to compile). Only where the host stores numbers as the target does, as
/// the raw data is the host's.
void storeConstantsAsBytes(Module &module) {
  const DataLayout &layout = module.getDataLayout();
  if (layout.isBigEndian() != sys::IsBigEndianHost)
    return;
  SmallVector<GlobalVariable *> globals;
  for (GlobalVariable &global : module.globals())
    if (auto *data = dyn_cast_or_null<ConstantDataSequential>(
            global.hasInitializer() ? global.getInitializer() : nullptr))
      if (global.isConstant() && !data->isString() &&
          data->getRawDataValues().size() >= 4096)
        globals.push_back(&global);
  Type *byte = Type::getInt8Ty(module.getContext());
  for (GlobalVariable *global : globals) {
    StringRef raw = cast<ConstantDataSequential>(global->getInitializer())
                        ->getRawDataValues();
    Constant *bytes = ConstantDataArray::getRaw(raw, raw.size(), byte);
    auto *replacement = new GlobalVariable(
        module, bytes->getType(), /*isConstant=*/true, global->getLinkage(),
        bytes, "", global, global->getThreadLocalMode(),
        global->getAddressSpace());
    replacement->copyAttributesFrom(global);
    // The alignment the numbers had, explicit or preferred; and never a
    // mergeable string section (alignment 1), where bytes that happen to
    // end in a single zero would otherwise go.
    replacement->setAlignment(layout.getPreferredAlign(global));
    replacement->setUnnamedAddr(GlobalValue::UnnamedAddr::None);
    replacement->takeName(global);
    global->replaceAllUsesWith(replacement);
    global->eraseFromParent();
  }
}

} // namespace

bool emitCode(Module &module, TargetMachine &tm, bool assembly,
              raw_pwrite_stream &os, std::string &error) {
  storeConstantsAsBytes(module);
  legacy::PassManager pm;
  if (tm.addPassesToEmitFile(pm, os, nullptr,
                             assembly ? CodeGenFileType::AssemblyFile
                                      : CodeGenFileType::ObjectFile)) {
    error = "the target cannot emit this file type";
    return false;
  }
  pm.run(module);
  return true;
}

} // namespace nncc
