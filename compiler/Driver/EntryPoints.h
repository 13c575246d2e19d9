//===- EntryPoints.h - the generated C API in LLVM IR -----------*- C++ -*-===//

#ifndef NNCC_COMPILER_DRIVER_ENTRYPOINTS_H
#define NNCC_COMPILER_DRIVER_ENTRYPOINTS_H

#include "compiler/Driver/ModelSignature.h"

namespace llvm {
class Module;
} // namespace llvm

namespace nncc {

/// Adds the entry points of docs/generated-api.md to `module`:
/// <name>_create/_destroy/_infer/_infer_packed, the tensor descriptions and
/// their queries. `runName` is the compiled model, `void(ptr...)` taking the
/// inputs then the outputs; it and every other definition that is not part
/// of the API become internal, so several models link into one program.
/// Returns false (with `error` set) if `runName` is missing or mistyped.
bool addEntryPoints(llvm::Module &module, llvm::StringRef modelName,
                    llvm::StringRef runName, const ModelSignature &signature,
                    std::string &error);

} // namespace nncc

#endif // NNCC_COMPILER_DRIVER_ENTRYPOINTS_H
