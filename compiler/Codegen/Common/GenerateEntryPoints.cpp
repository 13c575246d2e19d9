//===- GenerateEntryPoints.cpp - the nncc-generate-entry-points pass ------===//
//
// Builds the C API of a model in the LLVM dialect from the contract its
// lowered functions carry (docs/contract.md). The entry points are thin:
// argument checks, context and state management live in libnnrt
// (nnrt_hooks.h), so the code generated here only marshals pointers and
// describes tensors. IREE's DispatchABI plays the same role there. The
// pieces it builds with are ApiBuilder's; the functions that save and load
// the state are StateFiles.cpp's.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Common/ApiBuilder.h"
#include "compiler/Codegen/Common/Passes.h"
#include "compiler/Codegen/Common/StateFiles.h"
#include "dialects/Nn/IR/NnContract.h"

namespace nncc {
#define GEN_PASS_DEF_GENERATEENTRYPOINTS
#include "compiler/Codegen/Common/Passes.h.inc"
} // namespace nncc

using namespace mlir;
using nncc::ApiBuilder;
using nncc::TensorDesc;
using nncc::nn::NnDialect;

namespace {

/// What an argument of a lowered entry function is bound to.
struct ArgBinding {
  enum Kind { Context, BatchSize, Input, Output, StateRead, StateWrite } kind;
  unsigned index; ///< input, output or state index
};

class EntryPointBuilder : public ApiBuilder {
public:
  EntryPointBuilder(ModuleOp module, StringRef model)
      : ApiBuilder(module), model(model.str()) {}

  LogicalResult run();

private:
  LogicalResult collectStates();
  LogicalResult buildCreateDestroy();
  /// The C names of an entry's functions: entry, packed entry, and the
  /// prefix of its queries.
  struct EntryNames {
    std::string direct, packed, queries;
  };
  EntryNames getEntryNames(LLVM::LLVMFuncOp func);
  LogicalResult reserveEntryNames(LLVM::LLVMFuncOp func);
  LogicalResult buildEntry(LLVM::LLVMFuncOp func);
  FailureOr<SmallVector<ArgBinding>>
  bindArguments(LLVM::LLVMFuncOp func, SmallVectorImpl<TensorDesc> &inputs,
                SmallVectorImpl<TensorDesc> &outputs,
                SmallVectorImpl<unsigned> &writes);
  LLVM::LLVMFuncOp buildImpl(LLVM::LLVMFuncOp func, StringRef entry,
                             ArrayRef<ArgBinding> bindings,
                             ArrayRef<unsigned> writes, size_t numInputs,
                             size_t numOutputs, LLVM::GlobalOp inputTable,
                             LLVM::GlobalOp outputTable,
                             std::optional<int64_t> maxBatch);
  void buildQueries(StringRef prefix, StringRef kind, LLVM::GlobalOp table,
                    size_t count);

  /// Declares the functions of nnrt_hooks.h the API calls; fails when the
  /// module already defines one of those names otherwise.
  LogicalResult declareHooks();

  /// The version variable of nnrt_hooks.h, declared by declareHooks.
  static constexpr llvm::StringLiteral kAbiSymbol = "nnrt_hooks_abi_1";
  LLVM::GlobalOp abiVersion;
  /// The state table, built by buildCreateDestroy; null without states.
  LLVM::GlobalOp stateInfos;

  /// The runtime functions, declared by declareHooks.
  struct {
    LLVM::LLVMFuncOp contextCreate, reserveWorkspace, contextDestroy,
        checkBatch, enter, leave, state, stateNext, commit;
  } hooks;

  std::string model;
  llvm::StringMap<unsigned> stateIndex;
  SmallVector<TensorDesc> states;
  SmallVector<LLVM::GlobalOp> stateInits;
};

LogicalResult EntryPointBuilder::declareHooks() {
  auto voidType = LLVM::LLVMVoidType::get(module.getContext());
  hooks.contextCreate =
      hook("nnrt_hook_context_create", i32,
           {ptrType, ptrType, ptrType, ptrType, ptrType, i64});
  hooks.reserveWorkspace =
      hook("nnrt_hook_reserve_workspace", i32, {i32, ptrType, i64, i64, i64});
  hooks.contextDestroy = hook("nnrt_context_destroy", voidType, {ptrType});
  hooks.enter = hook("nnrt_hook_enter", i32,
                     {ptrType, ptrType, ptrType, ptrType, i64, ptrType, ptrType,
                      i64, ptrType, i64});
  hooks.checkBatch =
      hook("nnrt_hook_check_batch", i32, {ptrType, ptrType, i64, i64});
  hooks.leave = hook("nnrt_hook_leave", i32, {ptrType});
  hooks.state = hook("nnrt_hook_state", ptrType, {ptrType, i64});
  hooks.stateNext = hook("nnrt_hook_state_next", ptrType, {ptrType, i64});
  hooks.commit = hook("nnrt_hook_state_commit", voidType, {ptrType, i64});
  // The version symbol of nnrt_hooks.h (NNRT_HOOKS_ABI): a libnnrt with
  // other hooks does not define it, and the link fails.
  if (Operation *existing = module.lookupSymbol(kAbiSymbol)) {
    existing->emitError() << "'" << kAbiSymbol
                          << "' belongs to the nncc runtime; the module must "
                             "not define it";
    return failure();
  }
  {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToEnd(module.getBody());
    abiVersion = LLVM::GlobalOp::create(builder, loc, i32, /*isConstant=*/true,
                                        LLVM::Linkage::External, kAbiSymbol,
                                        Attribute());
  }
  return success(hooks.contextCreate && hooks.reserveWorkspace &&
                 hooks.contextDestroy && hooks.checkBatch && hooks.enter &&
                 hooks.leave && hooks.state && hooks.stateNext && hooks.commit);
}

LogicalResult EntryPointBuilder::collectStates() {
  SmallVector<nncc::nn::ParameterOp> params(
      module.getOps<nncc::nn::ParameterOp>());
  for (auto [i, param] : llvm::enumerate(params)) {
    auto dense = dyn_cast<DenseElementsAttr>(param.getInitialValue());
    if (!dense)
      return param.emitOpError("initial value must be a dense elements "
                               "attribute to be embedded in the object");
    RankedTensorType type = param.getType();
    // Stored flat, as the runtime copies it; unsigned types as the signless
    // integers LLVM knows.
    Type element = type.getElementType();
    if (element.isUnsignedInteger())
      element = builder.getIntegerType(element.getIntOrFloatBitWidth());
    auto flatType = RankedTensorType::get({type.getNumElements()}, element);
    dense = dense.bitcast(element).reshape(flatType);
    stateIndex[param.getSymName()] = i;
    states.push_back({param.getSymName().str(), type});
    stateInits.push_back(addConstant(
        (NnDialect::kInternalPrefix + "state." + Twine(i) + ".init").str(),
        LLVM::LLVMArrayType::get(element, type.getNumElements()), dense));
    param.erase();
  }
  return success();
}

/// What the entries' temporaries need at most: the largest fixed peak of
/// live bytes and of live buffers, and of per-thread scratch, over the
/// entries (the nncc-measure-workspace attributes; zero without them).
struct WorkspaceNeed {
  int64_t bytes = 0, buffers = 0, threadScratch = 0;
};

WorkspaceNeed workspaceNeed(ModuleOp module) {
  auto largest = [&](StringRef name) -> int64_t {
    int64_t most = 0;
    if (auto dict = module->getAttrOfType<DictionaryAttr>(name))
      for (NamedAttribute entry : dict) {
        // A dynamic batch's [fixed, per batch item]: the fixed part.
        if (auto value = dyn_cast<IntegerAttr>(entry.getValue()))
          most = std::max(most, value.getInt());
        else if (auto pair = dyn_cast<DenseI64ArrayAttr>(entry.getValue()))
          if (!pair.empty())
            most = std::max(most, pair[0]);
      }
    return most;
  };
  return {largest("nncc.workspace_bytes"), largest("nncc.workspace_buffers"),
          largest("nncc.thread_scratch_bytes")};
}

LogicalResult EntryPointBuilder::buildCreateDestroy() {
  std::string create = model + "_create", destroy = model + "_destroy";
  stateInfos =
      addInfoTable((NnDialect::kInternalPrefix + "state_infos").str(), states);
  LLVM::GlobalOp inits;
  if (!states.empty()) {
    auto arrayType = LLVM::LLVMArrayType::get(ptrType, states.size());
    inits = addInitialized((NnDialect::kInternalPrefix + "state_inits").str(),
                           arrayType, [&](OpBuilder &b) -> Value {
                             Value array =
                                 LLVM::UndefOp::create(b, loc, arrayType);
                             for (auto [i, init] : llvm::enumerate(stateInits))
                               array = LLVM::InsertValueOp::create(
                                   b, loc, array, addressOf(b, init),
                                   ArrayRef<int64_t>{(int64_t)i});
                             return array;
                           });
  }
  OpBuilder b(module.getContext());
  LLVM::LLVMFuncOp fn = addApiFunction(create, i32, {ptrType, ptrType}, b);
  Value status =
      LLVM::CallOp::create(
          b, loc, hooks.contextCreate,
          ValueRange{addressOf(b, abiVersion), fn.getArgument(0),
                     fn.getArgument(1), addressOf(b, stateInfos),
                     addressOf(b, inits), constant(b, i64, states.size())})
          .getResult();
  // The workspace the entries' temporaries need at most (measured by
  // nncc-measure-workspace): reserved, and its pages touched, by create, so
  // that the first call neither allocates nor faults pages in.
  WorkspaceNeed need = workspaceNeed(module);
  if (need.bytes > 0 || need.threadScratch > 0)
    status =
        LLVM::CallOp::create(b, loc, hooks.reserveWorkspace,
                             ValueRange{status, fn.getArgument(1),
                                        constant(b, i64, need.bytes),
                                        constant(b, i64, need.buffers),
                                        constant(b, i64, need.threadScratch)})
            .getResult();
  LLVM::ReturnOp::create(b, loc, status);

  auto voidType = LLVM::LLVMVoidType::get(module.getContext());
  fn = addApiFunction(destroy, voidType, {ptrType}, b);
  LLVM::CallOp::create(b, loc, hooks.contextDestroy,
                       ValueRange{fn.getArgument(0)});
  LLVM::ReturnOp::create(b, loc, ValueRange{});
  return success();
}

FailureOr<SmallVector<ArgBinding>> EntryPointBuilder::bindArguments(
    LLVM::LLVMFuncOp func, SmallVectorImpl<TensorDesc> &inputs,
    SmallVectorImpl<TensorDesc> &outputs, SmallVectorImpl<unsigned> &writes) {
  SmallVector<ArgBinding> bindings;
  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i) {
    auto attr = [&](StringRef name) { return func.getArgAttr(i, name); };
    if (attr(NnDialect::kContextAttr)) {
      bindings.push_back({ArgBinding::Context, 0});
      continue;
    }
    if (attr(NnDialect::kBatchSizeAttr)) {
      bindings.push_back({ArgBinding::BatchSize, 0});
      continue;
    }
    auto type = dyn_cast_or_null<TypeAttr>(attr(NnDialect::kAbiTypeAttr));
    if (!type || !isa<LLVM::LLVMPointerType>(func.getArgumentTypes()[i]))
      return func.emitOpError()
             << "argument " << i
             << " of an entry function is not a pointer with nn.abi_type; "
                "run nncc-prepare-entry-abi before lowering";
    auto tensorType = cast<RankedTensorType>(type.getValue());
    bool isResult = attr(NnDialect::kResultAttr) != nullptr;
    if (auto name = dyn_cast_or_null<StringAttr>(attr(NnDialect::kInputAttr))) {
      bindings.push_back({ArgBinding::Input, (unsigned)inputs.size()});
      inputs.push_back({name.str(), tensorType});
    } else if (auto name =
                   dyn_cast_or_null<StringAttr>(attr(NnDialect::kOutputAttr))) {
      bindings.push_back({ArgBinding::Output, (unsigned)outputs.size()});
      outputs.push_back({name.str(), tensorType});
    } else if (auto state = dyn_cast_or_null<FlatSymbolRefAttr>(
                   attr(NnDialect::kStateAttr))) {
      auto it = stateIndex.find(state.getValue());
      if (it == stateIndex.end())
        return func.emitOpError() << "argument " << i << " refers to state "
                                  << state << ", which is not declared";
      bindings.push_back(
          {isResult ? ArgBinding::StateWrite : ArgBinding::StateRead,
           it->second});
      // The contract verifier has checked that only a train step writes,
      // and each state at most once (each write swaps its buffers).
      if (isResult)
        writes.push_back(it->second);
    } else {
      return func.emitOpError()
             << "argument " << i << " of an entry function has no role";
    }
  }
  return bindings;
}

LLVM::LLVMFuncOp EntryPointBuilder::buildImpl(
    LLVM::LLVMFuncOp func, StringRef entry, ArrayRef<ArgBinding> bindings,
    ArrayRef<unsigned> writes, size_t numInputs, size_t numOutputs,
    LLVM::GlobalOp inputTable, LLVM::GlobalOp outputTable,
    std::optional<int64_t> maxBatch) {
  // status impl(ctx, entry name, batch size, inputs[], outputs[])
  OpBuilder b(module.getContext());
  builder.setInsertionPointToEnd(module.getBody());
  auto impl = LLVM::LLVMFuncOp::create(
      builder, loc, (NnDialect::kInternalPrefix + entry + ".impl").str(),
      LLVM::LLVMFunctionType::get(i32,
                                  {ptrType, ptrType, i64, ptrType, ptrType}),
      LLVM::Linkage::Internal);
  Block *entryBlock = impl.addEntryBlock(b);
  Block *runBlock = b.createBlock(&impl.getBody());
  Block *failBlock = b.createBlock(&impl.getBody());
  Value ctx = impl.getArgument(0), batchSize = impl.getArgument(2),
        inputs = impl.getArgument(3), outputs = impl.getArgument(4);

  b.setInsertionPointToStart(entryBlock);
  if (maxBatch) {
    // The batch size first: nnrt_hook_enter clears the error it records.
    Block *enterBlock = b.createBlock(&impl.getBody());
    b.setInsertionPointToEnd(entryBlock);
    Value checked =
        LLVM::CallOp::create(b, loc, hooks.checkBatch,
                             ValueRange{ctx, impl.getArgument(1), batchSize,
                                        constant(b, i64, *maxBatch)})
            .getResult();
    Value fine = LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::eq, checked,
                                      constant(b, i32, 0));
    Block *checkFailBlock = b.createBlock(&impl.getBody());
    LLVM::ReturnOp::create(b, loc, checked);
    b.setInsertionPointToEnd(entryBlock);
    LLVM::CondBrOp::create(b, loc, fine, enterBlock, checkFailBlock);
    b.setInsertionPointToStart(enterBlock);
  }
  Value status =
      LLVM::CallOp::create(
          b, loc, hooks.enter,
          ValueRange{ctx, impl.getArgument(1), inputs, addressOf(b, inputTable),
                     constant(b, i64, numInputs), outputs,
                     addressOf(b, outputTable), constant(b, i64, numOutputs),
                     addressOf(b, stateInfos), constant(b, i64, states.size())})
          .getResult();
  Value ok = LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::eq, status,
                                  constant(b, i32, 0));
  LLVM::CondBrOp::create(b, loc, ok, runBlock, failBlock);
  b.setInsertionPointToStart(failBlock);
  LLVM::ReturnOp::create(b, loc, status);

  b.setInsertionPointToStart(runBlock);
  auto load = [&](Value array, unsigned index) -> Value {
    Value slot = LLVM::GEPOp::create(b, loc, ptrType, ptrType, array,
                                     ArrayRef<LLVM::GEPArg>{(int32_t)index});
    return LLVM::LoadOp::create(b, loc, ptrType, slot);
  };
  SmallVector<Value> args;
  for (const ArgBinding &binding : bindings) {
    switch (binding.kind) {
    case ArgBinding::Context:
      args.push_back(ctx);
      break;
    case ArgBinding::BatchSize:
      args.push_back(batchSize);
      break;
    case ArgBinding::Input:
      args.push_back(load(inputs, binding.index));
      break;
    case ArgBinding::Output:
      args.push_back(load(outputs, binding.index));
      break;
    case ArgBinding::StateRead:
    case ArgBinding::StateWrite:
      args.push_back(
          LLVM::CallOp::create(b, loc,
                               binding.kind == ArgBinding::StateRead
                                   ? hooks.state
                                   : hooks.stateNext,
                               ValueRange{ctx, constant(b, i64, binding.index)})
              .getResult());
      break;
    }
  }
  LLVM::CallOp::create(b, loc, func, args);
  for (unsigned state : writes)
    LLVM::CallOp::create(b, loc, hooks.commit,
                         ValueRange{ctx, constant(b, i64, state)});
  LLVM::ReturnOp::create(
      b, loc,
      LLVM::CallOp::create(b, loc, hooks.leave, ValueRange{ctx}).getResult());
  return impl;
}

void EntryPointBuilder::buildQueries(StringRef prefix, StringRef kind,
                                     LLVM::GlobalOp table, size_t count) {
  OpBuilder b(module.getContext());
  addApiFunction((prefix + "_num_" + kind + "s").str(), i64, {}, b);
  LLVM::ReturnOp::create(b, loc, constant(b, i64, count));

  // info(i) = i < count ? &table[i] : NULL
  LLVM::LLVMFuncOp info =
      addApiFunction((prefix + "_" + kind + "_info").str(), ptrType, {i64}, b);
  Value null = addressOf(b, {});
  if (!table) {
    LLVM::ReturnOp::create(b, loc, null);
    return;
  }
  Value index = info.getArgument(0);
  Value inRange = LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::ult, index,
                                       constant(b, i64, count));
  Value element =
      LLVM::GEPOp::create(b, loc, ptrType, infoType, addressOf(b, table),
                          ArrayRef<LLVM::GEPArg>{index});
  LLVM::ReturnOp::create(
      b, loc, LLVM::SelectOp::create(b, loc, inRange, element, null));
}

EntryPointBuilder::EntryNames
EntryPointBuilder::getEntryNames(LLVM::LLVMFuncOp func) {
  std::string direct = model + "_" + nncc::nn::getEntryName(func).str();
  // The infer entry keeps the short query names of single-entry models.
  bool infer = nncc::nn::getEntryName(func) == "infer";
  return {direct, direct + "_packed", infer ? model : direct};
}

LogicalResult EntryPointBuilder::reserveEntryNames(LLVM::LLVMFuncOp func) {
  EntryNames names = getEntryNames(func);
  for (const std::string &name :
       {names.direct, names.packed, names.queries + "_num_inputs",
        names.queries + "_num_outputs", names.queries + "_input_info",
        names.queries + "_output_info"})
    if (failed(reserve(name, func.getLoc())))
      return failure();
  return success();
}

LogicalResult EntryPointBuilder::buildEntry(LLVM::LLVMFuncOp func) {
  StringRef entry = nncc::nn::getEntryName(func);
  EntryNames names = getEntryNames(func);
  const std::string &cName = names.direct, &packedName = names.packed,
                    &prefix = names.queries;

  SmallVector<TensorDesc> inputs, outputs;
  SmallVector<unsigned> writes;
  FailureOr<SmallVector<ArgBinding>> bindings =
      bindArguments(func, inputs, outputs, writes);
  if (failed(bindings))
    return failure();

  std::string tables = (NnDialect::kInternalPrefix + entry).str();
  LLVM::GlobalOp inputTable = addInfoTable(tables + ".inputs", inputs);
  LLVM::GlobalOp outputTable = addInfoTable(tables + ".outputs", outputs);
  buildQueries(prefix, "input", inputTable, inputs.size());
  buildQueries(prefix, "output", outputTable, outputs.size());
  SmallVector<Type> tensorTypes;
  for (ArrayRef<TensorDesc> tensors : {ArrayRef(inputs), ArrayRef(outputs)})
    for (const TensorDesc &tensor : tensors)
      tensorTypes.push_back(tensor.type);
  std::optional<int64_t> maxBatch = nncc::nn::getMaxBatchSize(tensorTypes);
  LLVM::LLVMFuncOp impl =
      buildImpl(func, entry, *bindings, writes, inputs.size(), outputs.size(),
                inputTable, outputTable, maxBatch);

  // <model>_<entry>(ctx, [batch_size,] inputs..., outputs...): the same with
  // arrays built on the stack.
  OpBuilder b(module.getContext());
  unsigned first = maxBatch ? 2 : 1; // the first tensor parameter
  SmallVector<Type> params(first + inputs.size() + outputs.size(), ptrType);
  if (maxBatch)
    params[1] = i64;
  LLVM::LLVMFuncOp direct = addApiFunction(cName, i32, params, b);
  auto packArray = [&](unsigned first, size_t count) -> Value {
    if (count == 0)
      return addressOf(b, {});
    auto arrayType = LLVM::LLVMArrayType::get(ptrType, count);
    Value array =
        LLVM::AllocaOp::create(b, loc, ptrType, arrayType, constant(b, i64, 1));
    for (size_t i = 0; i < count; ++i) {
      Value slot = LLVM::GEPOp::create(b, loc, ptrType, arrayType, array,
                                       ArrayRef<LLVM::GEPArg>{0, (int32_t)i});
      LLVM::StoreOp::create(b, loc, direct.getArgument(first + i), slot);
    }
    return array;
  };
  Value inputArray = packArray(first, inputs.size());
  Value outputArray = packArray(first + inputs.size(), outputs.size());
  LLVM::GlobalOp directName = addString(tables + ".name", cName);
  // Static entries have no batch size; the impl ignores its argument.
  auto batchOf = [&](LLVM::LLVMFuncOp api) -> Value {
    return maxBatch ? api.getArgument(1) : constant(b, i64, 0);
  };
  LLVM::ReturnOp::create(
      b, loc,
      LLVM::CallOp::create(b, loc, impl,
                           ValueRange{direct.getArgument(0),
                                      addressOf(b, directName), batchOf(direct),
                                      inputArray, outputArray})
          .getResult());

  SmallVector<Type> packedParams = {ptrType, ptrType, ptrType};
  if (maxBatch)
    packedParams.insert(packedParams.begin() + 1, i64);
  LLVM::LLVMFuncOp packed = addApiFunction(packedName, i32, packedParams, b);
  LLVM::GlobalOp packedNameStr = addString(tables + ".packed_name", packedName);
  LLVM::ReturnOp::create(
      b, loc,
      LLVM::CallOp::create(
          b, loc, impl,
          ValueRange{packed.getArgument(0), addressOf(b, packedNameStr),
                     batchOf(packed), packed.getArgument(first),
                     packed.getArgument(first + 1)})
          .getResult());
  return success();
}

LogicalResult EntryPointBuilder::run() {
  SmallVector<LLVM::LLVMFuncOp> entries;
  for (auto func : module.getOps<LLVM::LLVMFuncOp>())
    if (func->hasAttr(NnDialect::kEntryAttr))
      entries.push_back(func);
  if (entries.empty())
    return module.emitError()
           << "no entry function (nn.entry) to build the C API from";
  // Everything the compiler generated is private to this object.
  for (auto func : module.getOps<LLVM::LLVMFuncOp>())
    if (!func.isExternal())
      func.setLinkage(LLVM::Linkage::Internal);
  for (auto global : module.getOps<LLVM::GlobalOp>())
    if (global.getLinkage() != LLVM::Linkage::Private &&
        (global.getValueOrNull() || !global.getInitializerRegion().empty()))
      global.setLinkage(LLVM::Linkage::Internal);

  // Every name is checked before anything is built, so that a clash is
  // reported between the two parts that want the name.
  for (StringRef suffix : {"_create", "_destroy", "_runtime_context", "_ctx"})
    if (failed(reserve(model + suffix.str(), loc)))
      return failure();
  for (LLVM::LLVMFuncOp func : entries)
    if (failed(reserveEntryNames(func)))
      return failure();
  nncc::StateFileBuilder stateFiles(*this, model);
  if (failed(stateFiles.prepare()) || failed(declareHooks()) ||
      failed(collectStates()) || failed(buildCreateDestroy()))
    return failure();
  for (LLVM::LLVMFuncOp func : entries)
    if (failed(buildEntry(func)))
      return failure();
  if (failed(stateFiles.build(stateInfos)))
    return failure();
  // The contract is built into the API now; LLVM IR has no use for it.
  for (auto func : module.getOps<LLVM::LLVMFuncOp>()) {
    func->removeAttr(NnDialect::kEntryAttr);
    for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i) {
      SmallVector<NamedAttribute> kept;
      if (DictionaryAttr attrs = func.getArgAttrDict(i))
        for (NamedAttribute attr : attrs)
          if (!attr.getName().getValue().starts_with("nn."))
            kept.push_back(attr);
      func.setArgAttrs(i, kept);
    }
  }
  return success();
}

struct GenerateEntryPointsPass
    : nncc::impl::GenerateEntryPointsBase<GenerateEntryPointsPass> {
  using GenerateEntryPointsBase::GenerateEntryPointsBase;
  void runOnOperation() override {
    if (!nncc::nn::isValidEntryName(modelName) ||
        StringRef(modelName).take_front(4).equals_insensitive("nnrt")) {
      getOperation().emitError()
          << "model name '" << modelName
          << "' is not a C identifier, or takes the runtime's prefix 'nnrt'";
      return signalPassFailure();
    }
    if (failed(EntryPointBuilder(getOperation(), modelName).run()))
      signalPassFailure();
  }
};

} // namespace
