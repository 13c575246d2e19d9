//===- HeaderWriter.h - the generated C header ------------------*- C++ -*-===//

#ifndef NNCC_COMPILER_DRIVER_HEADERWRITER_H
#define NNCC_COMPILER_DRIVER_HEADERWRITER_H

#include "compiler/Driver/ModelSignature.h"

#include <optional>
#include <string>

namespace nncc {

/// The C header declaring the entry points of model `modelName` (see
/// docs/generated-api.md). `source` names the input file in the banner;
/// `memoryMacros` (MemoryReport.h, known once the code is generated) goes
/// last.
std::string generateHeader(llvm::StringRef modelName,
                           const ModelSignature &signature,
                           llvm::StringRef source,
                           llvm::StringRef memoryMacros = "");

/// What makes `header` (from generateHeader) unusable: an identifier it
/// defines at file scope (macros, the context type, functions) twice (a
/// model named M with an entry NUM_STATES would declare M_NUM_STATES as a
/// function and a macro), or one C or its headers define (model size with an
/// entry t: size_t). The result completes "would define ...";
/// std::nullopt when the header is fine.
std::optional<std::string> findHeaderClash(llvm::StringRef header);

/// `text` in single quotes, safe inside a C comment: control characters,
/// non-ASCII bytes, quotes, backslashes and the sequences '*/', '/*', '//'
/// and '??' become \xNN escapes.
std::string quoteForComment(llvm::StringRef text);

} // namespace nncc

#endif // NNCC_COMPILER_DRIVER_HEADERWRITER_H
