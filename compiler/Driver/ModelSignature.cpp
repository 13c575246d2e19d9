//===- ModelSignature.cpp - inputs and outputs of a compiled model --------===//

#include "compiler/Driver/ModelSignature.h"

#include "nnrt/nnrt.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/Twine.h"

using namespace mlir;

namespace nncc {

namespace {

struct DTypeInfo {
  nnrt_dtype dtype;
  const char *enumName;
  const char *cType;
  const char *name;
};

std::optional<DTypeInfo> getDTypeInfo(Type type) {
  if (type.isF32())
    return DTypeInfo{NNRT_DTYPE_F32, "NNRT_DTYPE_F32", "float", "f32"};
  if (type.isF64())
    return DTypeInfo{NNRT_DTYPE_F64, "NNRT_DTYPE_F64", "double", "f64"};
  if (type.isF16())
    return DTypeInfo{NNRT_DTYPE_F16, "NNRT_DTYPE_F16", "uint16_t", "f16"};
  if (type.isSignlessInteger(1))
    return DTypeInfo{NNRT_DTYPE_BOOL, "NNRT_DTYPE_BOOL", "uint8_t", "bool"};
  if (type.isSignlessInteger(8))
    return DTypeInfo{NNRT_DTYPE_I8, "NNRT_DTYPE_I8", "int8_t", "i8"};
  if (type.isSignlessInteger(16))
    return DTypeInfo{NNRT_DTYPE_I16, "NNRT_DTYPE_I16", "int16_t", "i16"};
  if (type.isSignlessInteger(32))
    return DTypeInfo{NNRT_DTYPE_I32, "NNRT_DTYPE_I32", "int32_t", "i32"};
  if (type.isSignlessInteger(64))
    return DTypeInfo{NNRT_DTYPE_I64, "NNRT_DTYPE_I64", "int64_t", "i64"};
  return std::nullopt;
}

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

FailureOr<TensorSignature> describe(func::FuncOp func, Type type,
                                    StringAttr nameAttr, StringRef role,
                                    unsigned index) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape())
    return func.emitError() << role << " " << index << " has type " << type
                            << "; the C API needs statically shaped tensors";
  std::optional<DTypeInfo> info = getDTypeInfo(tensor.getElementType());
  if (!info)
    return func.emitError()
           << role << " " << index << " has element type "
           << tensor.getElementType() << ", which the C API does not support";
  TensorSignature sig;
  sig.name = nameAttr ? nameAttr.getValue().str()
                      : (llvm::Twine(role) + llvm::Twine(index)).str();
  sig.dtype = info->dtype;
  sig.dtypeEnum = info->enumName;
  sig.cType = info->cType;
  sig.dtypeName = info->name;
  sig.shape.assign(tensor.getShape().begin(), tensor.getShape().end());
  sig.numElements = tensor.getNumElements();
  return sig;
}

} // namespace

bool isValidCIdentifier(StringRef name) {
  if (name.empty() || reservedNames().contains(name) ||
      !(llvm::isAlpha(name[0]) || name[0] == '_'))
    return false;
  return llvm::all_of(name,
                      [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

std::string sanitizeCIdentifier(StringRef name) {
  std::string result;
  for (char c : name)
    result.push_back(llvm::isAlnum(c) ? c : '_');
  if (result.empty() || llvm::isDigit(result[0]))
    result.insert(result.begin(), '_');
  if (reservedNames().contains(result))
    result.push_back('_');
  return result;
}

FailureOr<ModelSignature> getModelSignature(func::FuncOp func) {
  ModelSignature sig;
  FunctionType type = func.getFunctionType();
  auto nameOf = [](DictionaryAttr attrs) {
    return attrs ? attrs.getAs<StringAttr>("nncc.name") : StringAttr();
  };
  for (unsigned i = 0; i < type.getNumInputs(); ++i) {
    auto tensor = describe(func, type.getInput(i),
                           nameOf(func.getArgAttrDict(i)), "input", i);
    if (failed(tensor))
      return failure();
    sig.inputs.push_back(*tensor);
  }
  for (unsigned i = 0; i < type.getNumResults(); ++i) {
    auto tensor = describe(func, type.getResult(i),
                           nameOf(func.getResultAttrDict(i)), "output", i);
    if (failed(tensor))
      return failure();
    sig.outputs.push_back(*tensor);
  }
  // Parameter names must be distinct C identifiers.
  llvm::StringSet<> used;
  for (auto *list : {&sig.inputs, &sig.outputs})
    for (TensorSignature &tensor : *list) {
      std::string base = sanitizeCIdentifier(tensor.name);
      std::string candidate = base;
      for (unsigned n = 1; used.contains(candidate); ++n)
        candidate = base + "_" + std::to_string(n);
      used.insert(candidate);
      tensor.cName = candidate;
    }
  return sig;
}

} // namespace nncc
