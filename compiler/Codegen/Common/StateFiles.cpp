//===- StateFiles.cpp - the C API that saves and loads the state ----------===//
//
// The four functions are thin: opening, checking, writing atomically and
// loading all or nothing are libnnrt's (checkpoint.c, onnx_io.c). What the
// object adds is the data only the compiler knows: the state table, and for
// the ONNX functions the model file as compiled with, per state, the offset
// of its raw data in it, which the runtime checks before patching.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Common/StateFiles.h"
#include "dialects/Nn/IR/NnDTypes.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;

namespace nncc {

ElementsAttr StateFileBuilder::getModelFile() {
  ModuleOp module = api.module;
  Attribute attr = module->getAttr(nn::kModelFileAttr);
  auto fail = [&](const Twine &why) {
    module.emitError() << "'" << nn::kModelFileAttr << "' " << why;
    return ElementsAttr();
  };
  auto bytes = dyn_cast<ElementsAttr>(attr);
  auto type =
      bytes ? dyn_cast<RankedTensorType>(bytes.getType()) : RankedTensorType();
  if (!type || type.getRank() != 1 ||
      !type.getElementType().isSignlessInteger(8))
    return fail("must be a rank-1 tensor of i8 (the serialized ONNX model)");
  if (isa<DenseElementsAttr>(bytes))
    return bytes;
  auto resource = dyn_cast<DenseResourceElementsAttr>(bytes);
  if (!resource)
    return fail("must be a dense or dense_resource elements attribute");
  // A dense_resource whose blob the input did not define has no data.
  AsmResourceBlob *blob = resource.getRawHandle().getBlob();
  if (!blob)
    return fail("has no data (its resource is not defined)");
  if ((int64_t)blob->getData().size() != type.getNumElements())
    return fail("holds " + Twine(blob->getData().size()) +
                " bytes; its type says " + Twine(type.getNumElements()));
  return bytes;
}

LogicalResult StateFileBuilder::prepare() {
  ModuleOp module = api.module;
  functions = nn::getStateFileFunctions(module);
  SmallVector<StringRef> suffixes;
  if (functions.checkpoint)
    suffixes.append({"_save_checkpoint", "_load_checkpoint"});
  if (functions.modelFile)
    suffixes.append({"_save", "_load"});
  for (StringRef suffix : suffixes)
    if (failed(api.reserve(model + suffix.str(), api.loc)))
      return failure();
  if (!functions.modelFile)
    return success();

  modelFile = getModelFile();
  if (!modelFile)
    return failure();
  int64_t fileSize = modelFile.getNumElements();
  for (auto param : module.getOps<nn::ParameterOp>()) {
    Attribute attr = param->getAttr(nn::kFileOffsetAttr);
    if (!attr) {
      patchOffsets.push_back(-1);
      continue;
    }
    RankedTensorType type = param.getType();
    int64_t size =
        type.getNumElements() * nn::lookupDType(type.getElementType())->size;
    auto offset = dyn_cast<IntegerAttr>(attr);
    if (!offset || !offset.getType().isSignlessInteger(64) ||
        offset.getInt() < 0 || offset.getInt() > fileSize - size)
      return param.emitOpError()
             << "'" << nn::kFileOffsetAttr << "' must be an i64 offset of the "
             << size << " bytes of the parameter within the " << fileSize
             << " bytes of '" << nn::kModelFileAttr << "', got " << attr;
    patchOffsets.push_back(offset.getInt());
  }
  return success();
}

void StateFileBuilder::buildFunction(
    StringRef suffix, LLVM::LLVMFuncOp hook, LLVM::GlobalOp stateInfos,
    function_ref<void(OpBuilder &, SmallVectorImpl<Value> &)> addArgs) {
  // The internal names follow the entries' (nncc.<entry>.name): one of
  // these clashes only with an entry whose C name clashes, which prepare
  // has refused.
  std::string name = model + "_" + suffix.str();
  LLVM::GlobalOp nameString =
      api.addString(("nncc." + suffix + ".name").str(), name);
  OpBuilder b(api.module.getContext());
  LLVM::LLVMFuncOp func =
      api.addApiFunction(name, api.i32, {api.ptrType, api.ptrType}, b);
  auto numStates =
      cast<LLVM::LLVMArrayType>(stateInfos.getGlobalType()).getNumElements();
  SmallVector<Value> args = {func.getArgument(0), api.addressOf(b, nameString),
                             api.addressOf(b, stateInfos),
                             api.constant(b, api.i64, numStates),
                             func.getArgument(1)};
  if (addArgs)
    addArgs(b, args);
  LLVM::ReturnOp::create(
      b, api.loc, LLVM::CallOp::create(b, api.loc, hook, args).getResult());
}

LogicalResult StateFileBuilder::build(LLVM::GlobalOp stateInfos) {
  // LLVM IR has no use for the model file attribute: its bytes become a
  // global below, when a function needs them.
  api.module->removeAttr(nn::kModelFileAttr);
  if (!functions.checkpoint)
    return success();
  // The hooks' C signatures (nnrt_hooks.h): ctx, entry, state_infos,
  // num_states, path, then for the ONNX hooks the model's bytes, their size
  // and the patch offsets (save) or the patch offsets (load).
  Type ptr = api.ptrType, i64 = api.i64;
  SmallVector<Type> common = {ptr, ptr, ptr, i64, ptr};
  LLVM::LLVMFuncOp saveCheckpoint =
      api.hook("nnrt_hook_save_checkpoint", api.i32, common);
  LLVM::LLVMFuncOp loadCheckpoint =
      api.hook("nnrt_hook_load_checkpoint", api.i32, common);
  if (!saveCheckpoint || !loadCheckpoint)
    return failure();
  buildFunction("save_checkpoint", saveCheckpoint, stateInfos);
  buildFunction("load_checkpoint", loadCheckpoint, stateInfos);
  if (!functions.modelFile)
    return success();

  LLVM::LLVMFuncOp saveOnnx = api.hook(
      "nnrt_hook_save_onnx", api.i32, {ptr, ptr, ptr, i64, ptr, ptr, i64, ptr});
  LLVM::LLVMFuncOp loadOnnx =
      api.hook("nnrt_hook_load_onnx", api.i32, {ptr, ptr, ptr, i64, ptr, ptr});
  if (!saveOnnx || !loadOnnx)
    return failure();
  int64_t fileSize = modelFile.getNumElements();
  LLVM::GlobalOp bytes = api.addConstant(
      "nncc.model_file",
      LLVM::LLVMArrayType::get(api.builder.getI8Type(), fileSize), modelFile);
  LLVM::GlobalOp offsets = api.addConstant(
      "nncc.model_file.patch_offsets",
      LLVM::LLVMArrayType::get(i64, patchOffsets.size()),
      DenseElementsAttr::get(
          RankedTensorType::get({(int64_t)patchOffsets.size()}, i64),
          ArrayRef<int64_t>(patchOffsets)));
  buildFunction("save", saveOnnx, stateInfos,
                [&](OpBuilder &b, SmallVectorImpl<Value> &args) {
                  args.append({api.addressOf(b, bytes),
                               api.constant(b, i64, fileSize),
                               api.addressOf(b, offsets)});
                });
  buildFunction("load", loadOnnx, stateInfos,
                [&](OpBuilder &b, SmallVectorImpl<Value> &args) {
                  args.push_back(api.addressOf(b, offsets));
                });
  return success();
}

} // namespace nncc
