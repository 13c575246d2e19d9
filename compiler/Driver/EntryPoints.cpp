//===- EntryPoints.cpp - the generated C API in LLVM IR -------------------===//
//
// The entry points are thin: argument checking and context management live
// in libnnrt (nnrt_context_check_call, nnrt_context_create), so the code
// generated here only marshals pointers and describes the tensors.
//
//===----------------------------------------------------------------------===//

#include "compiler/Driver/EntryPoints.h"

#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Module.h"

using namespace llvm;

namespace nncc {

namespace {

class EntryPointBuilder {
public:
  EntryPointBuilder(Module &module, StringRef modelName)
      : module(module), ctx(module.getContext()), name(modelName.str()),
        ptrTy(PointerType::get(ctx, 0)), i32Ty(Type::getInt32Ty(ctx)),
        i64Ty(Type::getInt64Ty(ctx)),
        infoTy(StructType::create(ctx, {ptrTy, i32Ty, i32Ty, ptrTy, i64Ty},
                                  "struct.nnrt_tensor_info")) {}

  /// nnrt_tensor_info[] for `tensors`, or null when there are none.
  Constant *buildInfoTable(ArrayRef<TensorSignature> tensors, StringRef kind);
  void buildCountAndInfoQueries(StringRef kind, Constant *table, size_t count);
  void buildCreateDestroy();
  Function *buildInferImpl(Function *run, Constant *inputTable,
                           Constant *outputTable,
                           const ModelSignature &signature);
  void buildInfer(Function *impl, const ModelSignature &signature);
  void buildInferPacked(Function *impl);

private:
  Function *declareApi(StringRef suffix, Type *result, ArrayRef<Type *> params);
  Constant *privateConstant(Constant *init, const Twine &globalName);

  Module &module;
  LLVMContext &ctx;
  std::string name;
  PointerType *ptrTy;
  IntegerType *i32Ty, *i64Ty;
  StructType *infoTy;
};

Function *EntryPointBuilder::declareApi(StringRef suffix, Type *result,
                                        ArrayRef<Type *> params) {
  auto *type = FunctionType::get(result, params, /*isVarArg=*/false);
  auto *fn = Function::Create(type, GlobalValue::ExternalLinkage,
                              Twine(name) + "_" + suffix, module);
  fn->addFnAttr(Attribute::NoUnwind);
  return fn;
}

Constant *EntryPointBuilder::privateConstant(Constant *init,
                                             const Twine &globalName) {
  auto *global =
      new GlobalVariable(module, init->getType(), /*isConstant=*/
                         true, GlobalValue::PrivateLinkage, init, globalName);
  global->setUnnamedAddr(GlobalValue::UnnamedAddr::Global);
  return global;
}

Constant *EntryPointBuilder::buildInfoTable(ArrayRef<TensorSignature> tensors,
                                            StringRef kind) {
  if (tensors.empty())
    return nullptr;
  SmallVector<Constant *> entries;
  for (auto [i, tensor] : llvm::enumerate(tensors)) {
    std::string base = (Twine(name) + "_" + kind + "_" + Twine(i)).str();
    Constant *nameStr = privateConstant(
        ConstantDataArray::getString(ctx, tensor.name), base + "_name");
    // Dimensions are non-negative, so their bits are the same as uint64_t.
    SmallVector<uint64_t> dims(tensor.shape.begin(), tensor.shape.end());
    Constant *shape = dims.empty()
                          ? ConstantPointerNull::get(ptrTy)
                          : privateConstant(ConstantDataArray::get(ctx, dims),
                                            base + "_shape");
    entries.push_back(ConstantStruct::get(
        infoTy, {nameStr, ConstantInt::get(i32Ty, tensor.dtype),
                 ConstantInt::get(i32Ty, tensor.shape.size()), shape,
                 ConstantInt::get(i64Ty, tensor.numElements)}));
  }
  auto *arrayTy = ArrayType::get(infoTy, entries.size());
  return privateConstant(ConstantArray::get(arrayTy, entries),
                         Twine(name) + "_" + kind + "_infos");
}

void EntryPointBuilder::buildCountAndInfoQueries(StringRef kind,
                                                 Constant *table,
                                                 size_t count) {
  Function *num = declareApi(("num_" + kind + "s").str(), i64Ty, {});
  IRBuilder<> b(BasicBlock::Create(ctx, "entry", num));
  b.CreateRet(ConstantInt::get(i64Ty, count));

  Function *info = declareApi((kind + "_info").str(), ptrTy, {i64Ty});
  b.SetInsertPoint(BasicBlock::Create(ctx, "entry", info));
  if (!table) {
    b.CreateRet(ConstantPointerNull::get(ptrTy));
    return;
  }
  Value *index = info->getArg(0);
  Value *inRange = b.CreateICmpULT(index, ConstantInt::get(i64Ty, count));
  Value *element = b.CreateInBoundsGEP(ArrayType::get(infoTy, count), table,
                                       {ConstantInt::get(i64Ty, 0), index});
  b.CreateRet(
      b.CreateSelect(inRange, element, ConstantPointerNull::get(ptrTy)));
}

void EntryPointBuilder::buildCreateDestroy() {
  FunctionCallee contextCreate =
      module.getOrInsertFunction("nnrt_context_create", i32Ty, ptrTy, ptrTy);
  Function *create = declareApi("create", i32Ty, {ptrTy, ptrTy});
  IRBuilder<> b(BasicBlock::Create(ctx, "entry", create));
  b.CreateRet(
      b.CreateCall(contextCreate, {create->getArg(0), create->getArg(1)}));

  FunctionCallee contextDestroy = module.getOrInsertFunction(
      "nnrt_context_destroy", Type::getVoidTy(ctx), ptrTy);
  Function *destroy = declareApi("destroy", Type::getVoidTy(ctx), {ptrTy});
  b.SetInsertPoint(BasicBlock::Create(ctx, "entry", destroy));
  b.CreateCall(contextDestroy, {destroy->getArg(0)});
  b.CreateRetVoid();
}

Function *EntryPointBuilder::buildInferImpl(Function *run, Constant *inputTable,
                                            Constant *outputTable,
                                            const ModelSignature &signature) {
  // status impl(ctx, entry name, inputs[], outputs[])
  auto *type = FunctionType::get(i32Ty, {ptrTy, ptrTy, ptrTy, ptrTy}, false);
  Function *impl = Function::Create(type, GlobalValue::InternalLinkage,
                                    name + "_infer_impl", module);
  Value *ctxArg = impl->getArg(0), *entry = impl->getArg(1);
  Value *inputs = impl->getArg(2), *outputs = impl->getArg(3);
  FunctionCallee checkCall =
      module.getOrInsertFunction("nnrt_context_check_call", i32Ty, ptrTy, ptrTy,
                                 ptrTy, ptrTy, i64Ty, ptrTy, ptrTy, i64Ty);
  Constant *null = ConstantPointerNull::get(ptrTy);
  size_t numIn = signature.inputs.size(), numOut = signature.outputs.size();

  IRBuilder<> b(BasicBlock::Create(ctx, "entry", impl));
  Value *status = b.CreateCall(
      checkCall,
      {ctxArg, entry, inputs, inputTable ? inputTable : null,
       ConstantInt::get(i64Ty, numIn), outputs,
       outputTable ? outputTable : null, ConstantInt::get(i64Ty, numOut)});
  BasicBlock *runBlock = BasicBlock::Create(ctx, "run", impl);
  BasicBlock *failBlock = BasicBlock::Create(ctx, "fail", impl);
  b.CreateCondBr(b.CreateICmpEQ(status, ConstantInt::get(i32Ty, 0)), runBlock,
                 failBlock);
  b.SetInsertPoint(failBlock);
  b.CreateRet(status);

  b.SetInsertPoint(runBlock);
  SmallVector<Value *> args;
  for (size_t i = 0; i < numIn; ++i)
    args.push_back(
        b.CreateLoad(ptrTy, b.CreateConstInBoundsGEP1_64(ptrTy, inputs, i)));
  for (size_t i = 0; i < numOut; ++i)
    args.push_back(
        b.CreateLoad(ptrTy, b.CreateConstInBoundsGEP1_64(ptrTy, outputs, i)));
  b.CreateCall(run, args);
  b.CreateRet(ConstantInt::get(i32Ty, 0));
  return impl;
}

void EntryPointBuilder::buildInfer(Function *impl,
                                   const ModelSignature &signature) {
  size_t numIn = signature.inputs.size(), numOut = signature.outputs.size();
  SmallVector<Type *> params(1 + numIn + numOut, ptrTy);
  std::string entryName = name + "_infer";
  Function *infer = declareApi("infer", i32Ty, params);
  IRBuilder<> b(BasicBlock::Create(ctx, "entry", infer));
  auto packArray = [&](size_t first, size_t count) -> Value * {
    if (count == 0)
      return ConstantPointerNull::get(ptrTy);
    Value *array = b.CreateAlloca(ArrayType::get(ptrTy, count));
    for (size_t i = 0; i < count; ++i)
      b.CreateStore(infer->getArg(first + i),
                    b.CreateConstInBoundsGEP2_64(ArrayType::get(ptrTy, count),
                                                 array, 0, i));
    return array;
  };
  Value *inputs = packArray(1, numIn);
  Value *outputs = packArray(1 + numIn, numOut);
  Constant *entry = privateConstant(
      ConstantDataArray::getString(ctx, entryName), entryName + "_name");
  b.CreateRet(b.CreateCall(impl, {infer->getArg(0), entry, inputs, outputs}));
}

void EntryPointBuilder::buildInferPacked(Function *impl) {
  std::string entryName = name + "_infer_packed";
  Function *packed = declareApi("infer_packed", i32Ty, {ptrTy, ptrTy, ptrTy});
  IRBuilder<> b(BasicBlock::Create(ctx, "entry", packed));
  Constant *entry = privateConstant(
      ConstantDataArray::getString(ctx, entryName), entryName + "_name");
  b.CreateRet(b.CreateCall(
      impl, {packed->getArg(0), entry, packed->getArg(1), packed->getArg(2)}));
}

} // namespace

bool addEntryPoints(Module &module, StringRef modelName, StringRef runName,
                    const ModelSignature &signature, std::string &error) {
  Function *run = module.getFunction(runName);
  size_t numParams = signature.inputs.size() + signature.outputs.size();
  if (!run || run->isDeclaration() || run->arg_size() != numParams ||
      !run->getReturnType()->isVoidTy()) {
    error = ("compiled model function '" + runName +
             "' is missing or does not take one pointer per tensor")
                .str();
    return false;
  }
  // Everything the compiler generated is private to this object.
  for (Function &fn : module.functions())
    if (!fn.isDeclaration())
      fn.setLinkage(GlobalValue::InternalLinkage);
  for (GlobalVariable &global : module.globals())
    if (!global.isDeclaration())
      global.setLinkage(GlobalValue::InternalLinkage);

  EntryPointBuilder builder(module, modelName);
  Constant *inputTable = builder.buildInfoTable(signature.inputs, "input");
  Constant *outputTable = builder.buildInfoTable(signature.outputs, "output");
  builder.buildCountAndInfoQueries("input", inputTable,
                                   signature.inputs.size());
  builder.buildCountAndInfoQueries("output", outputTable,
                                   signature.outputs.size());
  builder.buildCreateDestroy();
  Function *impl =
      builder.buildInferImpl(run, inputTable, outputTable, signature);
  builder.buildInfer(impl, signature);
  builder.buildInferPacked(impl);
  return true;
}

} // namespace nncc
