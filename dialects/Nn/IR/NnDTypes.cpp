//===- NnDTypes.cpp - element types of the C API ----------------*- C++ -*-===//

#include "dialects/Nn/IR/NnDTypes.h"

#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

namespace nncc::nn {

ArrayRef<DTypeInfo> getDTypes() {
  static const DTypeInfo table[] = {
#define NNRT_DTYPE(ID, VALUE, CTYPE, NAME, SIZE, KIND, BITS, ONNX)             \
  {#ID, VALUE, #CTYPE, NAME, SIZE, DTypeInfo::Kind::KIND, BITS, ONNX},
#define FLOAT Float
#define SIGNED Signed
#define UNSIGNED Unsigned
#define BOOL Bool
#include "nnrt/dtypes.def"
#undef BOOL
#undef UNSIGNED
#undef SIGNED
#undef FLOAT
#undef NNRT_DTYPE
  };
  return table;
}

Type DTypeInfo::getMlirType(MLIRContext *ctx) const {
  switch (kind) {
  case Kind::Float:
    if (bits == 16)
      return Float16Type::get(ctx);
    return bits == 32 ? Type(Float32Type::get(ctx)) : Float64Type::get(ctx);
  case Kind::Signed:
  case Kind::Bool:
    return IntegerType::get(ctx, bits);
  case Kind::Unsigned:
    return IntegerType::get(ctx, bits, IntegerType::Unsigned);
  }
  llvm_unreachable("unknown dtype kind");
}

std::string DTypeInfo::getEnumName() const {
  return std::string("NNRT_DTYPE_") + id;
}

const DTypeInfo *lookupDType(Type elementType) {
  for (const DTypeInfo &info : getDTypes())
    if (info.getMlirType(elementType.getContext()) == elementType)
      return &info;
  return nullptr;
}

const DTypeInfo *lookupOnnxDType(int onnxDataType) {
  for (const DTypeInfo &info : getDTypes())
    if (info.onnx == onnxDataType)
      return &info;
  return nullptr;
}

} // namespace nncc::nn
