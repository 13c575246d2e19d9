//===- OnnxImporter.cpp - ONNX models to the nn dialect -------------------===//
//
// Loads a model (binary or text protobuf), checks that nncc supports every
// node, runs the ONNX checker, walks the graph in order handing each node to
// the handler registered for its op type, then runs ONNX shape inference and
// compares its types with the ones built. libonnx reports problems by
// throwing: every exception becomes a diagnostic here, and none crosses
// importOnnxFile.
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/Onnx/OnnxImporter.h"
#include "compiler/Import/Onnx/ImporterState.h"
#include "compiler/Import/Onnx/ModelFile.h"

#include "dialects/Nn/IR/NnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>
#include <onnx/checker.h>
#include <onnx/defs/schema.h>
#include <onnx/shape_inference/implementation.h>

#include <climits>
#include <exception>

using namespace mlir;
using namespace nncc::onnx_import;

namespace nncc {
namespace {

bool isTextFormat(StringRef path) {
  std::string lower = llvm::sys::path::extension(path).lower();
  StringRef ext = lower;
  return ext == ".onnxtxt" || ext == ".textproto" || ext == ".pbtxt";
}

bool isDefaultDomain(StringRef domain) {
  return domain.empty() || domain == "ai.onnx";
}

/// libonnx's messages span several lines and indent their context; a
/// diagnostic reads better as one line.
std::string joinLines(StringRef message) {
  SmallVector<StringRef> lines;
  message.split(lines, '\n', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
  std::string result;
  for (StringRef line : lines) {
    line = line.trim();
    if (line.empty())
      continue;
    if (!result.empty())
      result += ' ';
    result += line.str();
  }
  return result;
}

/// Keeps the text-format parser's first error, which has a position.
class TextErrorCollector : public google::protobuf::io::ErrorCollector {
public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string &message) override {
    if (!hasError) {
      hasError = true;
      // The parser counts from 0; editors count from 1.
      this->line = line + 1;
      this->column = column + 1;
      this->message = message;
    }
  }

  bool hasError = false;
  int line = 0, column = 0;
  std::string message;
};

/// Imports one model file.
class ModelImporter {
public:
  ModelImporter(MLIRContext &ctx, StringRef path,
                const OnnxImportOptions &options)
      : ctx(ctx), path(path.str()), options(options),
        fileLoc(FileLineColLoc::get(&ctx, path, 0, 0)) {}

  OwningOpRef<ModuleOp> run();
  /// The op table of printOnnxOpStats.
  LogicalResult printOpStats(raw_ostream &os);

private:
  /// Parses the file and finds the default domain's opset.
  LogicalResult parseAndReadOpset();
  /// Why nncc cannot import `node`, or an empty string when it can.
  std::string whyUnsupported(const onnx::NodeProto &node);
  LogicalResult parse();
  /// Reports every node nncc has no handler for, and external weights,
  /// before the checker: it rejects op types it does not know, and the
  /// user learns more from "unsupported op type 'Foo'" at the node.
  LogicalResult checkSupported();
  LogicalResult runChecker();
  /// Builds the function; the handlers check every node on the way.
  OwningOpRef<ModuleOp> build(ImporterState &state);
  /// Runs ONNX shape inference and compares its types with the ones the
  /// handlers built: a difference means the importer misread the model.
  /// It runs after the import because libonnx 1.12's inference trusts the
  /// model: it divides by strides unchecked (SIGFPE on 0) and takes time
  /// proportional to sizes (auto_pad SAME), which the handlers have checked
  /// and bounded by then.
  LogicalResult checkShapeInference(ImporterState &state);
  /// Graph inputs that are not initializers become the function's arguments.
  LogicalResult buildSignature(ImporterState &state,
                               SmallVectorImpl<Type> &types,
                               SmallVectorImpl<StringRef> &names);
  /// NameLoc(node name, NameLoc(op type, file)); the driver prints it as
  /// "file: node 'name' (OpType)".
  Location getNodeLoc(const onnx::NodeProto &node, int index);

  MLIRContext &ctx;
  std::string path;
  const OnnxImportOptions &options;
  Location fileLoc;
  onnx::ModelProto model;
  /// The symbol of the dynamic batch (the inputs' first dimension), empty
  /// for a model with static shapes; set by buildSignature.
  std::string batchParam;
  /// The version of the default domain; 0 when the model imports none.
  int64_t opset = 0;
};

LogicalResult ModelImporter::parse() {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return emitError(fileLoc)
           << "cannot open file: " << buffer.getError().message();
  StringRef data = (*buffer)->getBuffer();
  if (data.empty())
    return emitError(fileLoc) << "empty file: not an ONNX model";
  if (data.size() > static_cast<size_t>(INT_MAX))
    return emitError(fileLoc) << "file larger than 2 GiB: protobuf cannot "
                                 "hold it in one message";

  if (isTextFormat(path)) {
    google::protobuf::TextFormat::Parser parser;
    TextErrorCollector errors;
    parser.RecordErrorsTo(&errors);
    if (parser.ParseFromString(data.str(), &model))
      return success();
    if (!errors.hasError)
      return emitError(fileLoc) << "malformed ONNX text format";
    return emitError(
               FileLineColLoc::get(&ctx, path, errors.line, errors.column))
           << "malformed ONNX text format: " << errors.message;
  }
  if (!model.ParseFromArray(data.data(), static_cast<int>(data.size())))
    return emitError(fileLoc)
           << "truncated or malformed ONNX file: protobuf parse failed";
  return success();
}

Location ModelImporter::getNodeLoc(const onnx::NodeProto &node, int index) {
  std::string name =
      node.name().empty() ? "#" + std::to_string(index) : node.name();
  return NameLoc::get(
      StringAttr::get(&ctx, name),
      NameLoc::get(StringAttr::get(&ctx, node.op_type()), fileLoc));
}

std::string ModelImporter::whyUnsupported(const onnx::NodeProto &node) {
  if (!isDefaultDomain(node.domain()))
    return "unsupported op type '" + node.op_type() + "' in domain '" +
           node.domain() + "'";
  const OpInfo *op = lookupOp(node.op_type());
  if (!op) {
    std::string reason = "unsupported op type '" + node.op_type() + "'";
    if (opset > 0)
      reason += " (opset " + std::to_string(opset) + ")";
    return reason;
  }
  if (opset < op->minOpset || opset > op->maxOpset)
    return "op type '" + node.op_type() + "' is supported at opsets " +
           std::to_string(op->minOpset) + " to " +
           std::to_string(op->maxOpset) + "; the model imports opset " +
           std::to_string(opset);
  return "";
}

LogicalResult ModelImporter::checkSupported() {
  const onnx::GraphProto &graph = model.graph();
  bool supported = true;
  for (int i = 0, e = graph.node_size(); i < e; ++i) {
    std::string reason = whyUnsupported(graph.node(i));
    if (reason.empty())
      continue;
    supported = false;
    emitError(getNodeLoc(graph.node(i), i)) << reason;
  }
  for (const onnx::TensorProto &tensor : graph.initializer())
    if (failed(checkDataIsEmbedded(
            tensor, NameLoc::get(StringAttr::get(&ctx, tensor.name()), fileLoc),
            "initializer '" + tensor.name() + "'")))
      supported = false;
  return success(supported);
}

LogicalResult ModelImporter::printOpStats(raw_ostream &os) {
  if (failed(parseAndReadOpset()))
    return failure();
  // One row per (domain, op type), in order of first appearance.
  struct Row {
    std::string domain, opType, reason;
    int64_t count = 0;
  };
  std::vector<Row> rows;
  for (const onnx::NodeProto &node : model.graph().node()) {
    auto it = llvm::find_if(rows, [&](const Row &row) {
      return row.domain == node.domain() && row.opType == node.op_type();
    });
    if (it == rows.end()) {
      rows.push_back({node.domain(), node.op_type(), whyUnsupported(node)});
      it = rows.end() - 1;
    }
    ++it->count;
  }
  int64_t unsupported =
      llvm::count_if(rows, [](const Row &row) { return !row.reason.empty(); });
  os << path << ": " << model.graph().node_size() << " nodes, " << rows.size()
     << " op types (" << unsupported << " unsupported); default-domain opset "
     << opset << " (nncc imports " << kMinOpset << " to " << kMaxOpset
     << ")\n\n";
  os << "| op type | domain | opset | nodes | supported |\n";
  os << "|---|---|---|---|---|\n";
  for (const Row &row : rows) {
    std::string domainOpset = "-";
    for (const onnx::OperatorSetIdProto &import : model.opset_import())
      if (import.domain() == row.domain ||
          (isDefaultDomain(row.domain) && isDefaultDomain(import.domain())))
        domainOpset = std::to_string(import.version());
    os << "| " << row.opType << " | "
       << (isDefaultDomain(row.domain) ? "ai.onnx" : row.domain) << " | "
       << domainOpset << " | " << row.count << " | "
       << (row.reason.empty() ? "yes" : "no: " + row.reason) << " |\n";
  }
  return success();
}

LogicalResult ModelImporter::runChecker() {
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception &error) {
    return emitError(fileLoc) << "ONNX checker: " << joinLines(error.what());
  }
  return success();
}

LogicalResult ModelImporter::checkShapeInference(ImporterState &state) {
  try {
    // Strict mode: a node whose shapes do not work out is an error, not a
    // silently unknown type.
    onnx::ShapeInferenceOptions inferenceOptions(/*check_type_val=*/true,
                                                 /*strict_mode_val=*/1);
    onnx::shape_inference::InferShapes(
        model, onnx::OpSchemaRegistry::Instance(), inferenceOptions);
  } catch (const std::exception &error) {
    return emitError(fileLoc)
           << "ONNX shape inference: " << joinLines(error.what());
  }

  const onnx::GraphProto &graph = model.graph();
  // Graph outputs last: their declared types, merged with the inferred
  // ones, win over value_info.
  llvm::StringMap<RankedTensorType> inferred;
  auto addInferred = [&](const onnx::ValueInfoProto &info) {
    std::string whyNot;
    if (RankedTensorType type =
            convertValueType(&ctx, info.type(), whyNot, batchParam))
      inferred[info.name()] = type;
  };
  llvm::for_each(graph.value_info(), addInferred);
  llvm::for_each(graph.output(), addInferred);
  bool consistent = true;
  for (int i = 0, e = graph.node_size(); i < e; ++i)
    for (const std::string &output : graph.node(i).output()) {
      RankedTensorType expected = inferred.lookup(output);
      Type built = state.getBoundType(output);
      if (!expected || !built || expected == built)
        continue;
      emitError(getNodeLoc(graph.node(i), i))
          << "result type " << built << " differs from ONNX shape inference "
          << expected << " (output '" << output << "')";
      consistent = false;
    }
  return success(consistent);
}

/// Only the importers that handle the dynamic batch see it: the others
/// compute with static sizes.
LogicalResult checkDynamicBatch(NodeImporter &node, const OpInfo &op) {
  for (unsigned i = 0, e = node.getNumInputs(); i < e; ++i) {
    if (!node.hasInput(i))
      continue;
    FailureOr<Value> input = node.getInput(i);
    if (failed(input))
      return failure();
    auto type = dyn_cast<RankedTensorType>(input->getType());
    if (!type || type.hasStaticShape() || supportsDynamicBatch(op.opType))
      continue;
    return node.emitOpError()
           << "input " << i << " " << type
           << " has the dynamic batch, which this operator does not support "
              "yet (docs/supported-ops.md lists those that do); export the "
              "model with a fixed batch size";
  }
  return success();
}

LogicalResult ModelImporter::buildSignature(ImporterState &state,
                                            SmallVectorImpl<Type> &types,
                                            SmallVectorImpl<StringRef> &names) {
  bool valid = true;
  // The dynamic batch: a symbolic first dimension of an input
  // (torch.onnx.export's dynamic_axes), the same symbol in every input.
  for (const onnx::ValueInfoProto &input : model.graph().input()) {
    if (state.isInitializer(input.name()) || !input.type().has_tensor_type())
      continue;
    const auto &shape = input.type().tensor_type().shape();
    if (shape.dim_size() == 0 || !shape.dim(0).has_dim_param() ||
        shape.dim(0).dim_param().empty())
      continue;
    if (batchParam.empty())
      batchParam = shape.dim(0).dim_param();
  }
  for (const onnx::ValueInfoProto &input : model.graph().input()) {
    if (state.isInitializer(input.name()))
      continue;
    std::string whyNot;
    RankedTensorType type =
        convertValueType(&ctx, input.type(), whyNot, batchParam);
    if (!type) {
      emitError(fileLoc) << "input '" << input.name() << "' " << whyNot;
      valid = false;
      continue;
    }
    for (int64_t d = 1; d < type.getRank(); ++d)
      if (type.isDynamicDim(d)) {
        emitError(fileLoc) << "input '" << input.name() << "' has the batch '"
                           << batchParam << "' as dimension " << d
                           << "; the batch must be the first dimension";
        valid = false;
        break;
      }
    types.push_back(type);
    names.push_back(input.name());
  }
  return success(valid);
}

OwningOpRef<ModuleOp> ModelImporter::build(ImporterState &state) {
  const onnx::GraphProto &graph = model.graph();
  OpBuilder &builder = state.getBuilder();
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  (*module)->setAttr("nncc.source", builder.getStringAttr(path));
  (*module)->setAttr("nncc.opset", builder.getI64IntegerAttr(opset));

  for (const onnx::TensorProto &tensor : graph.initializer())
    state.addInitializer(tensor);

  SmallVector<Type> argTypes;
  SmallVector<StringRef> argNames;
  if (failed(buildSignature(state, argTypes, argNames)))
    return nullptr;
  builder.setInsertionPointToEnd(module->getBody());
  auto func = func::FuncOp::create(builder, fileLoc, options.functionName,
                                   builder.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  for (auto [index, name] : llvm::enumerate(argNames)) {
    func.setArgAttr(index, nn::NnDialect::kInputAttr,
                    builder.getStringAttr(name));
    state.bindValue(name, entry->getArgument(index));
  }
  builder.setInsertionPointToEnd(entry);

  // Training: initializers the graph reads become state arguments.
  SmallVector<std::pair<unsigned, StringAttr>> stateArgs;
  if (options.initializersAsParameters)
    state.setParameterFactory([&](StringRef name, DenseElementsAttr value,
                                  Location loc) -> Value {
      OpBuilder::InsertionGuard guard(builder);
      builder.setInsertionPoint(func);
      nn::ParameterOp::create(builder, loc, name, value);
      argTypes.push_back(value.getType());
      stateArgs.emplace_back(argTypes.size() - 1, builder.getStringAttr(name));
      return entry->addArgument(value.getType(), loc);
    });

  for (int i = 0, e = graph.node_size(); i < e; ++i) {
    const onnx::NodeProto &node = graph.node(i);
    // checkSupported guarantees a handler.
    const OpInfo *op = lookupOp(node.op_type());
    NodeImporter importer(state, node, getNodeLoc(node, i));
    if (!batchParam.empty() && failed(checkDynamicBatch(importer, *op)))
      return nullptr;
    if (failed(op->handler(importer)))
      return nullptr;
    // A handler that leaves a requested output unbound does not support it.
    for (int out = 0, numOutputs = node.output_size(); out < numOutputs; ++out)
      if (importer.hasOutput(out) && !state.isBound(node.output(out))) {
        importer.emitOpError() << "output " << out << " ('" << node.output(out)
                               << "') is not supported";
        return nullptr;
      }
  }

  SmallVector<Value> results;
  llvm::StringSet<> outputNames;
  for (const onnx::ValueInfoProto &output : graph.output()) {
    // The C API names every output; one name twice would be ambiguous.
    if (!outputNames.insert(output.name()).second) {
      emitError(fileLoc) << "graph output '" << output.name()
                         << "' is listed twice";
      return nullptr;
    }
    FailureOr<Value> value = state.lookupValue(output.name(), fileLoc);
    if (failed(value))
      return nullptr;
    results.push_back(*value);
  }
  func::ReturnOp::create(builder, fileLoc, results);
  // The argument attributes are sized for the signature the function was
  // created with; state arguments were added since.
  SmallVector<DictionaryAttr> argAttrs;
  for (unsigned i = 0; i < argNames.size(); ++i)
    argAttrs.push_back(func.getArgAttrDict(i));
  for (auto [index, name] : stateArgs)
    argAttrs.push_back(builder.getDictionaryAttr(builder.getNamedAttr(
        nn::NnDialect::kStateAttr, FlatSymbolRefAttr::get(name))));
  func.setFunctionType(
      builder.getFunctionType(argTypes, ValueRange(results).getTypes()));
  for (auto [index, output] : llvm::enumerate(graph.output()))
    func.setResultAttr(index, nn::NnDialect::kOutputAttr,
                       builder.getStringAttr(output.name()));
  func.setAllArgAttrs(argAttrs);
  // Without initializersAsParameters the weights are nn.constant ops, which
  // the compiler may fold (docs/contract.md).
  func->setAttr(nn::NnDialect::kEntryAttr,
                nn::EntryKindAttr::get(&ctx, nn::EntryKind::Infer));
  return module;
}

LogicalResult ModelImporter::parseAndReadOpset() {
  if (failed(parse()))
    return failure();
  for (const onnx::OperatorSetIdProto &import : model.opset_import())
    if (isDefaultDomain(import.domain()))
      opset = import.version();
  return success();
}

OwningOpRef<ModuleOp> ModelImporter::run() {
  ctx.getOrLoadDialect<func::FuncDialect>();
  ctx.getOrLoadDialect<nn::NnDialect>();
  if (options.functionName.empty()) {
    emitError(fileLoc) << "the function name must not be empty";
    return nullptr;
  }
  if (failed(parseAndReadOpset()))
    return nullptr;
  // Operators resolve to their version at the model's opset: an opset this
  // build does not know could mean semantics it does not implement.
  if (opset == 0 && llvm::none_of(model.opset_import(), [](const auto &i) {
        return isDefaultDomain(i.domain());
      })) {
    emitError(fileLoc) << "the model imports no opset of the default ONNX "
                          "domain (opset_import has no entry for \"\"); "
                          "nncc supports opsets "
                       << kMinOpset << " to " << kMaxOpset;
    return nullptr;
  }
  if (opset < kMinOpset || opset > kMaxOpset) {
    emitError(fileLoc) << "the model imports opset " << opset
                       << " of the default ONNX domain; nncc supports opsets "
                       << kMinOpset << " to " << kMaxOpset;
    return nullptr;
  }
  if (failed(checkSupported()) || failed(runChecker()))
    return nullptr;
  OpBuilder builder(&ctx);
  ImporterState state(builder, fileLoc, opset);
  OwningOpRef<ModuleOp> module = build(state);
  if (module && options.initializersAsParameters &&
      failed(attachModelFile(*module, model, fileLoc)))
    return nullptr;
  // The handlers check what they build; the verifier catches what slipped
  // through.
  if (!module || failed(checkShapeInference(state)) || failed(verify(*module)))
    return nullptr;
  return module;
}

} // namespace

LogicalResult printOnnxOpStats(MLIRContext &ctx, StringRef path,
                               raw_ostream &os) {
  OnnxImportOptions options;
  try {
    if (failed(ModelImporter(ctx, path, options).printOpStats(os)))
      return failure();
  } catch (const std::exception &error) {
    return emitError(FileLineColLoc::get(&ctx, path, 0, 0))
           << "internal error while reading the ONNX model: " << error.what();
  }
  os << "\nimport: ";
  os.flush();
  bool imported = static_cast<bool>(importOnnxFile(ctx, path, options));
  os << (imported ? "succeeds\n"
                  : "fails (the errors are on stderr; each names the node, "
                    "op type and reason)\n");
  return success();
}

OwningOpRef<ModuleOp> importOnnxFile(MLIRContext &ctx, StringRef path,
                                     const OnnxImportOptions &options) {
  try {
    return ModelImporter(ctx, path, options).run();
  } catch (const std::exception &error) {
    // libonnx and protobuf calls are guarded where they are made; this is
    // the last line for anything else (e.g. std::bad_alloc on a huge model).
    emitError(FileLineColLoc::get(&ctx, path, 0, 0))
        << "internal error while importing the ONNX model: " << error.what();
  } catch (...) {
    emitError(FileLineColLoc::get(&ctx, path, 0, 0))
        << "internal error while importing the ONNX model";
  }
  return nullptr;
}

} // namespace nncc
