//===- ObjectEmitter.h - LLVM IR to object code in-process ------*- C++ -*-===//

#ifndef NNCC_COMPILER_DRIVER_OBJECTEMITTER_H
#define NNCC_COMPILER_DRIVER_OBJECTEMITTER_H

#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <string>

namespace llvm {
class Module;
class TargetMachine;
} // namespace llvm

namespace nncc {

/// A CPU target resolved from --mcpu.
struct CpuTarget {
  std::string triple, cpu, features;
  unsigned vectorWidth; ///< widest vector register, in bits
  /// One core's L2 cache in bytes: the host's for --mcpu=native (Linux
  /// sysfs), else 2 MiB (a Xeon's; nncc has no table of other CPUs' caches).
  unsigned l2Bytes = 2u << 20;
};

/// Resolves --mcpu for the host's (64-bit) triple: "native" or empty is the
/// host CPU with its features and L2 size. Fails, with `error` set, for a
/// CPU LLVM does not know or one without 64-bit mode.
bool resolveCpuTarget(llvm::StringRef mcpu, CpuTarget &target,
                      std::string &error);

/// A TargetMachine for `target`.
std::unique_ptr<llvm::TargetMachine>
createTargetMachine(const CpuTarget &target, unsigned optLevel,
                    std::string &error);

/// Sets the module's triple and data layout for `tm` and runs LLVM's
/// standard -O<optLevel> pipeline over it.
void optimizeModule(llvm::Module &module, llvm::TargetMachine &tm,
                    unsigned optLevel);

/// Writes assembly (`assembly` true) or an object file for `module`.
bool emitCode(llvm::Module &module, llvm::TargetMachine &tm, bool assembly,
              llvm::raw_pwrite_stream &os, std::string &error);

} // namespace nncc

#endif // NNCC_COMPILER_DRIVER_OBJECTEMITTER_H
