//===- NnContract.cpp - verification of the module contract -----*- C++ -*-===//
//
// The contract's attributes are discardable attributes of the nn dialect, so
// MLIR hands each one to the dialect's verifier hooks wherever it appears:
// nn.entry on functions, nn.input / nn.output / nn.state / nn.context /
// nn.abi_type on arguments and results. The hooks check each attribute's
// value; an entry function's whole signature is checked once, from nn.entry.
//
// Functions keep their contract attributes through bufferization and the
// lowering to the LLVM dialect (results become trailing out-parameters that
// carry the result attributes), so the checks of the signature's types apply
// only while the arguments are tensors.
//
//===----------------------------------------------------------------------===//

#include "dialects/Nn/IR/NnContract.h"
#include "dialects/Nn/IR/NnDTypes.h"

#include "mlir/Dialect/LLVMIR/LLVMTypes.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace nncc::nn;

namespace {

/// Whether nncc-prepare-entry-abi has run on `func`: it gave every function
/// a context argument. Until then the contract is checked whole, types
/// included; afterwards bufferization and the lowering change the types and
/// move results into arguments, and nncc-generate-entry-points checks what
/// it relies on.
bool isPrepared(FunctionOpInterface func) {
  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
    if (func.getArgAttr(i, NnDialect::kContextAttr))
      return true;
  return false;
}

/// Whether `type` is `recorded` with its unsigned integer elements made
/// signless, as convert-nn-to-linalg does.
bool isSignlessForm(Type type, Type recorded) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  auto original = dyn_cast<RankedTensorType>(recorded);
  return tensor && original && original.getElementType().isUnsignedInteger() &&
         tensor.getElementType().isSignlessInteger(
             original.getElementType().getIntOrFloatBitWidth()) &&
         tensor.getShape() == original.getShape();
}

/// A type the C API can pass: a ranked tensor of a dtypes.def element type,
/// static but for the batch (`?`, the entry's batch_size argument).
LogicalResult checkApiType(FunctionOpInterface func, Type type,
                           const Twine &what) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return func.emitOpError() << what << " has type " << type
                              << "; the C API needs ranked tensors";
  if (!lookupDType(tensor.getElementType()))
    return func.emitOpError()
           << what << " has element type " << tensor.getElementType()
           << ", which the C API does not support";
  return success();
}

/// Resolves an nn.state reference of `func` to its nn.parameter.
ParameterOp lookupState(FunctionOpInterface func, FlatSymbolRefAttr ref) {
  auto module = func->getParentOfType<ModuleOp>();
  return module ? dyn_cast_or_null<ParameterOp>(
                      SymbolTable::lookupSymbolIn(module, ref.getAttr()))
                : ParameterOp();
}

/// The state/tensor role of one argument or result.
struct Role {
  StringAttr input, output;
  FlatSymbolRefAttr state;
  bool context = false, batchSize = false;
  unsigned count() const {
    return (input ? 1 : 0) + (output ? 1 : 0) + (state ? 1 : 0) +
           (context ? 1 : 0) + (batchSize ? 1 : 0);
  }
};

Role getRole(DictionaryAttr attrs) {
  Role role;
  if (!attrs)
    return role;
  role.input = attrs.getAs<StringAttr>(NnDialect::kInputAttr);
  role.output = attrs.getAs<StringAttr>(NnDialect::kOutputAttr);
  role.state = attrs.getAs<FlatSymbolRefAttr>(NnDialect::kStateAttr);
  role.context = attrs.contains(NnDialect::kContextAttr);
  role.batchSize = attrs.contains(NnDialect::kBatchSizeAttr);
  return role;
}

LogicalResult verifyValueAttr(Operation *op, NamedAttribute attr,
                              bool isResult);

/// Checks the values of the contract attributes of every argument and result
/// first, so that the signature checks below see well-formed ones (MLIR
/// runs this hook before the argument and result hooks).
LogicalResult verifyValueAttrs(FunctionOpInterface func) {
  auto check = [&](DictionaryAttr attrs, bool isResult) {
    if (!attrs)
      return success();
    for (NamedAttribute attr : attrs)
      if (attr.getName().getValue().starts_with("nn.") &&
          failed(verifyValueAttr(func, attr, isResult)))
        return failure();
    return success();
  };
  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
    if (failed(check(func.getArgAttrDict(i), /*isResult=*/false)))
      return failure();
  for (unsigned i = 0, e = func.getNumResults(); i < e; ++i)
    if (failed(check(func.getResultAttrDict(i), /*isResult=*/true)))
      return failure();
  return success();
}

/// Checks an entry function's whole signature.
LogicalResult verifyEntry(FunctionOpInterface func, EntryKind kind) {
  if (failed(verifyValueAttrs(func)))
    return failure();
  if (func.isExternal())
    return func.emitOpError("an entry function (nn.entry) must have a body");
  if (!func.isPublic())
    return func.emitOpError("an entry function (nn.entry) must be public");
  StringRef name = isPrepared(func) ? getEntryName(func) : func.getName();
  if (!isValidEntryName(name))
    return func.emitOpError()
           << "entry function name '" << func.getName()
           << "' is not a C identifier; it becomes the suffix of the C "
              "entry point <model>_"
           << func.getName();
  llvm::StringSet<> inputNames, outputNames;
  llvm::SmallPtrSet<Operation *, 8> read, written;
  // Whether an input has a dynamic batch, which sizes every `?`.
  bool hasBatch = false;

  // The tensor type a value has in the C API: its own while it is a tensor
  // (and then any recorded nn.abi_type must agree, up to the signedness of
  // integers, which the lowering drops), the recorded one once bufferization
  // or the lowering changed it; null (with an error) when there is none.
  auto getApiType = [&](Type type, DictionaryAttr attrs,
                        const Twine &what) -> Type {
    auto recorded =
        attrs ? attrs.getAs<TypeAttr>(NnDialect::kAbiTypeAttr) : TypeAttr();
    if (recorded && isa<TensorType>(type) &&
        isSignlessForm(type, recorded.getValue()))
      return recorded.getValue();
    if (!isa<TensorType>(type) && recorded)
      return recorded.getValue();
    if (recorded && recorded.getValue() != type) {
      func.emitOpError() << what << " has type " << type
                         << " but records nn.abi_type " << recorded.getValue();
      return {};
    }
    if (failed(checkApiType(func, type, what)))
      return {};
    return type;
  };
  auto checkState =
      [&](FlatSymbolRefAttr ref, Type type, const Twine &what,
          llvm::SmallPtrSetImpl<Operation *> &seen) -> LogicalResult {
    ParameterOp param = lookupState(func, ref);
    if (!param)
      return func.emitOpError()
             << what << " refers to " << ref
             << ", which is not an nn.parameter of the module";
    if (!seen.insert(param).second)
      return func.emitOpError() << what << " repeats state " << ref;
    if (type != param.getType())
      return func.emitOpError() << what << " has type " << type << " but state "
                                << ref << " has type " << param.getType();
    return success();
  };
  auto checkWrite = [&](FlatSymbolRefAttr ref, Type type,
                        const Twine &what) -> LogicalResult {
    if (kind != EntryKind::TrainStep)
      return func.emitOpError()
             << what << " writes state " << ref << ", but only a "
             << stringifyEntryKind(EntryKind::TrainStep)
             << " entry may write state; this one is "
             << stringifyEntryKind(kind);
    return checkState(ref, type, what, written);
  };
  auto checkName = [&](StringAttr name, llvm::StringSet<> &names,
                       const Twine &what) -> LogicalResult {
    if (!names.insert(name.getValue()).second)
      return func.emitOpError()
             << what << " repeats the name '" << name.getValue() << "'";
    return success();
  };

  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i) {
    DictionaryAttr attrs = func.getArgAttrDict(i);
    Role role = getRole(attrs);
    Type type = func.getArgumentTypes()[i];
    std::string what = "argument " + std::to_string(i);
    // After out-parameters, arguments marked nn.result are results.
    bool isResult = attrs && attrs.contains(NnDialect::kResultAttr);
    if (role.count() != 1)
      return func.emitOpError()
             << what << " of an entry function needs exactly one of "
             << NnDialect::kInputAttr << ", " << NnDialect::kStateAttr << ", "
             << NnDialect::kContextAttr << " or " << NnDialect::kBatchSizeAttr;
    if (role.output && !isResult)
      return func.emitOpError()
             << what << " is marked " << NnDialect::kOutputAttr
             << "; outputs are results";
    if (role.input && isResult)
      return func.emitOpError()
             << what << " is marked both " << NnDialect::kInputAttr << " and "
             << NnDialect::kResultAttr;
    if (role.context) {
      if (!isa<LLVM::LLVMPointerType>(type))
        return func.emitOpError() << what << " (the context) must be !llvm.ptr";
      continue;
    }
    if (role.batchSize) {
      if (!type.isIndex() && !type.isInteger(64))
        return func.emitOpError()
               << what << " (the batch size) must be index or i64";
      continue;
    }
    Type apiType = getApiType(type, attrs, what);
    if (!apiType)
      return failure();
    bool dynamic = !cast<RankedTensorType>(apiType).hasStaticShape();
    if (dynamic && role.state)
      return func.emitOpError() << what << " is state of type " << apiType
                                << "; state has static shapes";
    if (dynamic && role.input)
      hasBatch = true;
    if (dynamic && role.output && !hasBatch)
      return func.emitOpError()
             << what << " has type " << apiType
             << ", but no input before it has a dynamic batch to size it";
    if (role.input && failed(checkName(role.input, inputNames, what)))
      return failure();
    if (role.output && failed(checkName(role.output, outputNames, what)))
      return failure();
    if (role.state &&
        failed(isResult ? checkWrite(role.state, apiType, what)
                        : checkState(role.state, apiType, what, read)))
      return failure();
  }

  ArrayRef<Type> results = func.getResultTypes();
  for (unsigned i = 0, e = results.size(); i < e; ++i) {
    DictionaryAttr attrs = func.getResultAttrDict(i);
    Role role = getRole(attrs);
    std::string what = "result " + std::to_string(i);
    if (role.count() != 1 || role.input || role.context || role.batchSize)
      return func.emitOpError()
             << what << " of an entry function needs exactly one of "
             << NnDialect::kOutputAttr << " or " << NnDialect::kStateAttr;
    Type apiType = getApiType(results[i], attrs, what);
    if (!apiType)
      return failure();
    if (!cast<RankedTensorType>(apiType).hasStaticShape() &&
        (!hasBatch || role.state))
      return func.emitOpError()
             << what << " has type " << apiType
             << ", but only outputs of an entry with a dynamic input may "
                "have a dynamic batch";
    if (role.output && failed(checkName(role.output, outputNames, what)))
      return failure();
    if (role.state && failed(checkWrite(role.state, apiType, what)))
      return failure();
  }
  return success();
}

/// Checks the value of one contract attribute on an argument or result.
LogicalResult verifyValueAttr(Operation *op, NamedAttribute attr,
                              bool isResult) {
  StringRef name = attr.getName().getValue();
  Attribute value = attr.getValue();
  auto fail = [&](StringRef expected) {
    return op->emitOpError()
           << "'" << name << "' must be " << expected << ", got " << value;
  };
  if (name == NnDialect::kInputAttr || name == NnDialect::kOutputAttr) {
    if (isResult && name == NnDialect::kInputAttr)
      return op->emitOpError()
             << "'" << name << "' marks arguments, not results";
    auto str = dyn_cast<StringAttr>(value);
    if (!str || str.getValue().empty())
      return fail("a non-empty string (the tensor's name)");
    return success();
  }
  if (name == NnDialect::kStateAttr)
    return isa<FlatSymbolRefAttr>(value)
               ? success()
               : fail("a symbol reference to an nn.parameter");
  if (name == NnDialect::kContextAttr) {
    if (isResult)
      return op->emitOpError()
             << "'" << name << "' marks arguments, not results";
    return isa<UnitAttr>(value) ? success() : fail("a unit attribute");
  }
  if (name == NnDialect::kResultAttr)
    return isa<UnitAttr>(value) ? success() : fail("a unit attribute");
  if (name == NnDialect::kBatchSizeAttr) {
    if (isResult)
      return op->emitOpError()
             << "'" << name << "' marks arguments, not results";
    return isa<UnitAttr>(value) ? success() : fail("a unit attribute");
  }
  if (name == NnDialect::kAbiTypeAttr) {
    auto type = dyn_cast<TypeAttr>(value);
    auto tensor =
        type ? dyn_cast<RankedTensorType>(type.getValue()) : RankedTensorType();
    if (!tensor)
      return fail("a ranked tensor type");
    if (!lookupDType(tensor.getElementType()))
      return fail("a tensor type of an element type the C API supports");
    return success();
  }
  return op->emitOpError() << "unknown nn "
                           << (isResult ? "result" : "argument")
                           << " attribute '" << name << "'";
}

} // namespace

StringRef nncc::nn::getEntryName(FunctionOpInterface func) {
  StringRef name = func.getName();
  name.consume_front(NnDialect::kInternalPrefix);
  return name;
}

std::optional<int64_t> nncc::nn::getMaxBatchSize(ArrayRef<Type> types) {
  std::optional<int64_t> max;
  for (Type type : types) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor || tensor.hasStaticShape())
      continue;
    int64_t perBatch = 1;
    for (int64_t size : tensor.getShape())
      if (!ShapedType::isDynamic(size))
        perBatch *= size;
    int64_t fits = INT32_MAX / std::max<int64_t>(perBatch, 1);
    max = max ? std::min(*max, fits) : fits;
  }
  return max;
}

bool nncc::nn::isValidEntryName(StringRef name) {
  return !name.empty() && (llvm::isAlpha(name[0]) || name[0] == '_') &&
         llvm::all_of(name,
                      [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

LogicalResult NnDialect::verifyOperationAttribute(Operation *op,
                                                  NamedAttribute attr) {
  if (attr.getName() != kEntryAttr)
    return op->emitOpError()
           << "unknown nn attribute '" << attr.getName().getValue() << "'";
  auto kind = dyn_cast<EntryKindAttr>(attr.getValue());
  if (!kind)
    return op->emitOpError()
           << "'" << kEntryAttr << "' must be an #nn.entry<...> attribute";
  auto func = dyn_cast<FunctionOpInterface>(op);
  if (!func)
    return op->emitOpError() << "'" << kEntryAttr << "' marks functions only";
  return verifyEntry(func, kind.getValue());
}

LogicalResult NnDialect::verifyRegionArgAttribute(Operation *op, unsigned,
                                                  unsigned,
                                                  NamedAttribute attr) {
  return verifyValueAttr(op, attr, /*isResult=*/false);
}

LogicalResult NnDialect::verifyRegionResultAttribute(Operation *op, unsigned,
                                                     unsigned,
                                                     NamedAttribute attr) {
  return verifyValueAttr(op, attr, /*isResult=*/true);
}

FailureOr<ModelContract> nncc::nn::getModelContract(ModuleOp module) {
  ModelContract contract;
  llvm::DenseMap<Operation *, unsigned> stateIndex;
  for (auto param : module.getOps<ParameterOp>()) {
    stateIndex[param] = contract.states.size();
    contract.states.push_back(param);
  }
  for (auto func : module.getOps<FunctionOpInterface>()) {
    auto kind = func->getAttrOfType<EntryKindAttr>(NnDialect::kEntryAttr);
    if (!kind)
      continue;
    // The reader describes the C API before lowering: functions whose
    // signature no longer is tensors have nothing to describe.
    if (isPrepared(func))
      return func.emitOpError()
             << "the contract is read before nncc-prepare-entry-abi";
    ContractEntry entry;
    entry.func = func;
    entry.name = getEntryName(func).str();
    entry.kind = kind.getValue();
    for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i) {
      Role role = getRole(func.getArgAttrDict(i));
      auto type = cast<RankedTensorType>(func.getArgumentTypes()[i]);
      if (role.input)
        entry.inputs.push_back({role.input.str(), type});
    }
    for (unsigned i = 0, e = func.getNumResults(); i < e; ++i) {
      Role role = getRole(func.getResultAttrDict(i));
      auto type = cast<RankedTensorType>(func.getResultTypes()[i]);
      if (role.output)
        entry.outputs.push_back({role.output.str(), type});
      else if (role.state)
        entry.writes.push_back(
            stateIndex.lookup(lookupState(func, role.state)));
    }
    contract.entries.push_back(std::move(entry));
  }
  if (contract.entries.empty())
    return module.emitError()
           << "the module has no entry function: mark the model's functions "
              "with "
           << NnDialect::kEntryAttr << " = #nn.entry<infer> (see "
           << "docs/contract.md)";
  return FailureOr<ModelContract>(std::move(contract));
}

StateFileFunctions nncc::nn::getStateFileFunctions(ModuleOp module) {
  StateFileFunctions functions;
  bool hasState = !module.getOps<ParameterOp>().empty();
  bool trains =
      llvm::any_of(module.getOps<FunctionOpInterface>(), [](auto func) {
        auto kind =
            func->template getAttrOfType<EntryKindAttr>(NnDialect::kEntryAttr);
        return kind && kind.getValue() == EntryKind::TrainStep;
      });
  functions.checkpoint = hasState && trains;
  functions.modelFile = functions.checkpoint && module->hasAttr(kModelFileAttr);
  return functions;
}
