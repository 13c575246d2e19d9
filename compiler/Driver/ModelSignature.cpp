//===- ModelSignature.cpp - the C API of a compiled model -----------------===//

#include "compiler/Driver/ModelSignature.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Regex.h"

using namespace mlir;

namespace nncc {

namespace {

/// Names a generated identifier must not take: C (and C++) keywords, and the
/// parameter names the generated API itself uses (ctx, inputs, outputs).
const llvm::StringSet<> &reservedNames() {
  static const llvm::StringSet<> keywords = {
      "auto",       "break",    "case",     "char",   "const",   "continue",
      "default",    "do",       "double",   "else",   "enum",    "extern",
      "float",      "for",      "goto",     "if",     "inline",  "int",
      "long",       "register", "restrict", "return", "short",   "signed",
      "sizeof",     "static",   "struct",   "switch", "typedef", "union",
      "unsigned",   "void",     "volatile", "while",  "_Bool",   "_Complex",
      "_Atomic",    "bool",     "true",     "false",  "class",   "new",
      "delete",     "this",     "template", "ctx",    "inputs",  "outputs",
      "_Imaginary", "_Noreturn"};
  return keywords;
}

/// The runtime's symbols (nnrt_*) and macros (NNRT_*) start with this, in
/// either case: a model named e.g. nnrt_context would declare
/// nnrt_context_create next to the runtime's own.
bool takesRuntimePrefix(StringRef name) {
  return name.size() >= 4 && name.take_front(4).equals_insensitive("nnrt");
}

TensorSignature describe(StringRef name, RankedTensorType type) {
  TensorSignature sig;
  sig.name = name.str();
  sig.dtype = nn::lookupDType(type.getElementType());
  sig.elementsPerBatch = 1;
  for (int64_t size : type.getShape()) {
    sig.shape.push_back(ShapedType::isDynamic(size) ? -1 : size);
    if (!ShapedType::isDynamic(size))
      sig.elementsPerBatch *= size;
  }
  sig.numElements = type.hasStaticShape() ? type.getNumElements() : -1;
  return sig;
}

/// Identifiers that mean something to a file including the generated
/// header, besides C keywords: C++ keywords (the header is included from
/// C++), what <stddef.h> and <stdint.h> declare, names compilers predefine as
/// macros, and common names of the C library's headers.
const llvm::StringSet<> &libraryNames() {
  static const llvm::StringSet<> names = {
      // C++ keywords that are not C's.
      "alignas", "alignof", "and", "and_eq", "asm", "bitand", "bitor", "catch",
      "char8_t", "char16_t", "char32_t", "compl", "concept", "consteval",
      "constexpr", "constinit", "const_cast", "co_await", "co_return",
      "co_yield", "decltype", "dynamic_cast", "explicit", "export", "friend",
      "mutable", "namespace", "noexcept", "not", "not_eq", "nullptr",
      "operator", "or", "or_eq", "private", "protected", "public",
      "reinterpret_cast", "requires", "static_assert", "static_cast",
      "thread_local", "throw", "try", "typeid", "typename", "using", "virtual",
      "wchar_t", "xor", "xor_eq",
      // <stddef.h>, <stdint.h>.
      "size_t", "ptrdiff_t", "max_align_t", "offsetof", "int8_t", "int16_t",
      "int32_t", "int64_t", "uint8_t", "uint16_t", "uint32_t", "uint64_t",
      "int_least8_t", "int_least16_t", "int_least32_t", "int_least64_t",
      "uint_least8_t", "uint_least16_t", "uint_least32_t", "uint_least64_t",
      "int_fast8_t", "int_fast16_t", "int_fast32_t", "int_fast64_t",
      "uint_fast8_t", "uint_fast16_t", "uint_fast32_t", "uint_fast64_t",
      "intptr_t", "uintptr_t", "intmax_t", "uintmax_t", "NULL",
      // GNU predefined macros and keywords (gnu C modes), C23.
      "linux", "unix", "i386", "typeof", "typeof_unqual", "asm",
      // Common macros and names of the C library's headers.
      "complex", "imaginary", "noreturn", "errno", "math_errhandling", "assert",
      "main"};
  return names;
}

/// <stdint.h>'s limit and constant macros (INT64_MAX, UINT8_C, SIZE_MAX,
/// ...).
bool isStdintMacro(StringRef name) {
  static const llvm::Regex pattern(
      "^(U?INT(_LEAST|_FAST)?[0-9]+_(MAX|MIN|C)|U?INTMAX_(MAX|MIN|C)|"
      "U?INTPTR_(MAX|MIN)|SIZE_MAX|PTRDIFF_(MAX|MIN)|WCHAR_(MAX|MIN)|"
      "WINT_(MAX|MIN)|SIG_ATOMIC_(MAX|MIN))$");
  return pattern.match(name);
}

/// A parameter name for a tensor: its name as a C identifier, prefixed with
/// "t_" when that could mean something else in the header or an including
/// file: a keyword or standard name, a name with no lower-case letter (the
/// spelling of macros: NULL, INT64_MAX, the header's own), a leading
/// underscore (reserved: _Generic), or the runtime's or the model's prefix.
std::string getParameterName(StringRef tensorName, StringRef modelName) {
  std::string name = sanitizeCIdentifier(tensorName);
  StringRef ref = name;
  bool unsafe = isLanguageOrLibraryName(ref) || ref.starts_with("_") ||
                llvm::none_of(ref, [](char c) { return llvm::isLower(c); }) ||
                takesRuntimePrefix(ref) ||
                ref.starts_with((modelName + "_").str());
  return unsafe ? "t_" + name : name;
}

/// Gives every tensor of one entry a distinct C identifier.
void assignCNames(EntrySignature &entry, StringRef modelName) {
  llvm::StringSet<> used;
  for (auto *list : {&entry.inputs, &entry.outputs})
    for (TensorSignature &tensor : *list) {
      std::string base = getParameterName(tensor.name, modelName);
      std::string candidate = base;
      for (unsigned n = 1; used.contains(candidate); ++n)
        candidate = base + "_" + std::to_string(n);
      used.insert(candidate);
      tensor.cName = candidate;
    }
}

} // namespace

bool isLanguageOrLibraryName(StringRef name) {
  return reservedNames().contains(name) || libraryNames().contains(name) ||
         isStdintMacro(name);
}

bool checkModelName(StringRef name, std::string &why) {
  if (name.empty() || !(llvm::isAlpha(name[0]) || name[0] == '_') ||
      !llvm::all_of(name,
                    [](char c) { return llvm::isAlnum(c) || c == '_'; })) {
    why = "is not a valid C identifier";
    return false;
  }
  if (reservedNames().contains(name)) {
    why = "is reserved (a C keyword or a parameter name of the generated API)";
    return false;
  }
  if (takesRuntimePrefix(name)) {
    why = "is reserved: names starting with 'nnrt' belong to the runtime "
          "(libnnrt), whose symbols the model's would clash with";
    return false;
  }
  return true;
}

std::string sanitizeCIdentifier(StringRef name) {
  std::string result;
  for (char c : name)
    result.push_back(llvm::isAlnum(c) ? c : '_');
  if (result.empty() || llvm::isDigit(result[0]))
    result.insert(result.begin(), '_');
  if (reservedNames().contains(result))
    result.push_back('_');
  if (takesRuntimePrefix(result))
    result.insert(0, "model_");
  return result;
}

FailureOr<ModelSignature> getModelSignature(ModuleOp module,
                                            StringRef modelName) {
  FailureOr<nn::ModelContract> contract = nn::getModelContract(module);
  if (failed(contract))
    return failure();
  ModelSignature sig;
  for (nn::ParameterOp state : contract->states)
    sig.states.push_back(describe(state.getSymName(), state.getType()));
  sig.stateFiles = nn::getStateFileFunctions(module);
  // The header's macros spell entry names in upper case (MODEL_TRAIN_...):
  // two entries differing only in case would define the same macros.
  llvm::StringMap<StringRef> macroNames;
  for (nn::ContractEntry &entry : contract->entries) {
    auto [it, inserted] =
        macroNames.try_emplace(StringRef(entry.name).upper(), entry.name);
    if (!inserted)
      return mlir::emitError(entry.func.getLoc())
             << "entry functions '" << it->second << "' and '" << entry.name
             << "' differ only in case; the header's macros would clash";
  }
  for (const nn::ContractEntry &entry : contract->entries) {
    EntrySignature entrySig;
    entrySig.name = entry.name;
    entrySig.kind = entry.kind;
    for (const nn::ContractTensor &in : entry.inputs)
      entrySig.inputs.push_back(describe(in.name, in.type));
    for (const nn::ContractTensor &out : entry.outputs)
      entrySig.outputs.push_back(describe(out.name, out.type));
    for (unsigned state : entry.writes)
      entrySig.writes.push_back(sig.states[state].name);
    SmallVector<Type> types;
    for (const auto &tensors : {entry.inputs, entry.outputs})
      for (const nn::ContractTensor &tensor : tensors)
        types.push_back(tensor.type);
    entrySig.maxBatchSize = nn::getMaxBatchSize(types);
    assignCNames(entrySig, modelName);
    sig.entries.push_back(std::move(entrySig));
  }
  return sig;
}

} // namespace nncc
