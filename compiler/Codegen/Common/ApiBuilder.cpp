//===- ApiBuilder.cpp - building blocks of the generated C API ------------===//

#include "compiler/Codegen/Common/ApiBuilder.h"
#include "dialects/Nn/IR/NnDTypes.h"

#include "nnrt/nnrt.h"

#include <cstddef>

using namespace mlir;

namespace nncc {

// The LLVM struct built for nnrt_tensor_info below is {ptr, i32, i32, ptr,
// i64}: these checks fail the build when nnrt.h changes the struct without
// this file following.
static_assert(offsetof(nnrt_tensor_info, name) == 0 &&
                  offsetof(nnrt_tensor_info, dtype) == 8 &&
                  sizeof(nnrt_dtype) == 4 &&
                  offsetof(nnrt_tensor_info, rank) == 12 &&
                  offsetof(nnrt_tensor_info, shape) == 16 &&
                  offsetof(nnrt_tensor_info, num_elements) == 24 &&
                  sizeof(nnrt_tensor_info) == 32,
              "nnrt_tensor_info changed: update infoType in ApiBuilder.cpp");

ApiBuilder::ApiBuilder(ModuleOp module)
    : module(module), builder(module.getContext()), loc(module.getLoc()) {
  MLIRContext *ctx = module.getContext();
  ptrType = LLVM::LLVMPointerType::get(ctx);
  i32 = builder.getI32Type();
  i64 = builder.getI64Type();
  infoType =
      LLVM::LLVMStructType::getLiteral(ctx, {ptrType, i32, i32, ptrType, i64});
}

LogicalResult ApiBuilder::reserve(const std::string &name, Location where) {
  if (Operation *existing = module.lookupSymbol(name))
    return emitError(where)
           << "the C API needs the symbol '" << name
           << "', which the module already defines"
           << (isa<LLVM::LLVMFuncOp>(existing) ? " as a function" : "");
  if (!apiNames.insert(name).second)
    return emitError(where) << "two parts of the C API would both be named '"
                            << name << "'; rename an entry function";
  return success();
}

LLVM::GlobalOp ApiBuilder::addConstant(StringRef name, Type type,
                                       Attribute value) {
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToEnd(module.getBody());
  auto global = LLVM::GlobalOp::create(builder, loc, type, /*isConstant=*/true,
                                       LLVM::Linkage::Private, name, value);
  global.setUnnamedAddr(LLVM::UnnamedAddr::Global);
  return global;
}

LLVM::GlobalOp ApiBuilder::addString(StringRef name, StringRef value) {
  std::string data = value.str();
  data.push_back('\0');
  auto type = LLVM::LLVMArrayType::get(builder.getI8Type(), data.size());
  return addConstant(name, type, builder.getStringAttr(data));
}

LLVM::GlobalOp
ApiBuilder::addInitialized(StringRef name, Type type,
                           function_ref<Value(OpBuilder &)> fill) {
  LLVM::GlobalOp global = addConstant(name, type, Attribute());
  OpBuilder b(module.getContext());
  b.createBlock(&global.getInitializerRegion());
  LLVM::ReturnOp::create(b, loc, fill(b));
  return global;
}

Value ApiBuilder::addressOf(OpBuilder &b, LLVM::GlobalOp global) {
  if (!global)
    return LLVM::ZeroOp::create(b, loc, ptrType);
  return LLVM::AddressOfOp::create(b, loc, global);
}

LLVM::GlobalOp ApiBuilder::addInfoTable(StringRef name,
                                        ArrayRef<TensorDesc> tensors) {
  if (tensors.empty())
    return {};
  SmallVector<LLVM::GlobalOp> names, shapes;
  for (auto [i, tensor] : llvm::enumerate(tensors)) {
    std::string base = (name + "." + Twine(i)).str();
    names.push_back(addString(base + ".name", tensor.name));
    // The batch of an entry with a dynamic batch is -1 (nnrt.h).
    SmallVector<int64_t> shape =
        llvm::map_to_vector(tensor.type.getShape(), [](int64_t size) {
          return ShapedType::isDynamic(size) ? -1 : size;
        });
    if (shape.empty()) {
      shapes.push_back({});
      continue;
    }
    auto attr = DenseElementsAttr::get(
        RankedTensorType::get({(int64_t)shape.size()}, i64), ArrayRef(shape));
    shapes.push_back(addConstant(
        base + ".shape", LLVM::LLVMArrayType::get(i64, shape.size()), attr));
  }
  auto tableType = LLVM::LLVMArrayType::get(infoType, tensors.size());
  return addInitialized(name, tableType, [&](OpBuilder &b) -> Value {
    Value table = LLVM::UndefOp::create(b, loc, tableType);
    for (auto [i, tensor] : llvm::enumerate(tensors)) {
      const nn::DTypeInfo *dtype =
          nn::lookupDType(tensor.type.getElementType());
      int64_t row = i;
      Value fields[] = {
          addressOf(b, names[i]), constant(b, i32, dtype->value),
          constant(b, i32, tensor.type.getRank()), addressOf(b, shapes[i]),
          constant(b, i64,
                   tensor.type.hasStaticShape() ? tensor.type.getNumElements()
                                                : -1)};
      for (auto [f, field] : llvm::enumerate(fields))
        table = LLVM::InsertValueOp::create(b, loc, table, field,
                                            ArrayRef<int64_t>{row, (int64_t)f});
    }
    return table;
  });
}

LLVM::LLVMFuncOp ApiBuilder::addApiFunction(StringRef name, Type result,
                                            ArrayRef<Type> params,
                                            OpBuilder &body) {
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToEnd(module.getBody());
  auto func = LLVM::LLVMFuncOp::create(
      builder, loc, name, LLVM::LLVMFunctionType::get(result, params));
  func.setNoUnwind(true);
  body.setInsertionPointToStart(func.addEntryBlock(body));
  return func;
}

LLVM::LLVMFuncOp ApiBuilder::hook(StringRef name, Type result,
                                  ArrayRef<Type> params) {
  auto type = LLVM::LLVMFunctionType::get(result, params);
  if (Operation *existing = module.lookupSymbol(name)) {
    auto func = dyn_cast<LLVM::LLVMFuncOp>(existing);
    if (func && func.isExternal() && func.getFunctionType() == type)
      return func;
    existing->emitError() << "'" << name
                          << "' is a function of the nncc runtime; the module "
                             "must not define it";
    return {};
  }
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToEnd(module.getBody());
  return LLVM::LLVMFuncOp::create(builder, loc, name, type);
}

} // namespace nncc
