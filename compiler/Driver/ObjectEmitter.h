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

/// A TargetMachine for the host triple and `cpu` ("native" or empty: the
/// host CPU with its features). Returns null with `error` set for an unknown
/// CPU name.
std::unique_ptr<llvm::TargetMachine>
createHostTargetMachine(llvm::StringRef cpu, unsigned optLevel,
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
