//===- ModelFile.cpp - the ONNX file a trained model is saved as ----------===//
//
// <model>_save writes the model file it was compiled from with the trained
// values in place of the initial ones: libnnrt copies the bytes kept here and
// overwrites, per parameter, the raw_data of its initializer. So every such
// initializer must hold its data in raw_data, as many bytes as the state,
// and the compiler must say where they are. Protobuf's API does not tell
// where a field lands in the serialized bytes; a small reader of the wire
// format finds them, following the fields that lead there.
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/Onnx/ModelFile.h"

#include "dialects/Nn/IR/NnContract.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/SwapByteOrder.h"

#include <algorithm>
#include <climits>

using namespace mlir;

namespace nncc::onnx_import {
namespace {

//===----------------------------------------------------------------------===//
// The protobuf wire format
//===----------------------------------------------------------------------===//

/// The field numbers that lead from a ModelProto to the data of its
/// initializers (onnx.proto).
enum : uint64_t {
  kModelGraph = 7,
  kGraphInitializer = 5,
  kTensorName = 8,
  kTensorRawData = 9,
};

/// A byte range of the serialized model.
struct Span {
  size_t begin = 0, end = 0;
};

/// Reads the fields of one message, `bytes[span.begin, span.end)`. Only
/// length-delimited fields are returned; the others are skipped by their
/// wire type. The bytes come from protobuf's own serializer, so malformed
/// input means a bug: it ends the message and sets `malformed`.
class FieldReader {
public:
  FieldReader(StringRef bytes, Span span)
      : bytes(bytes), pos(span.begin), end(span.end) {}

  /// The next length-delimited field: its number and its payload. False at
  /// the end of the message.
  bool next(uint64_t &number, Span &payload) {
    while (pos < end) {
      uint64_t tag, size;
      if (!readVarint(tag))
        return false;
      switch (tag & 7) {
      case 0: // varint
        if (!readVarint(size))
          return false;
        continue;
      case 1: // 64-bit
        size = 8;
        break;
      case 2: // length-delimited
        if (!readVarint(size))
          return false;
        break;
      case 5: // 32-bit
        size = 4;
        break;
      default: // groups (unused by ONNX) and invalid wire types
        malformed = true;
        return false;
      }
      if (size > end - pos) {
        malformed = true;
        return false;
      }
      Span field{pos, pos + (size_t)size};
      pos += size;
      if ((tag & 7) == 2) {
        number = tag >> 3;
        payload = field;
        return true;
      }
    }
    return false;
  }

  bool malformed = false;

private:
  bool readVarint(uint64_t &value) {
    value = 0;
    for (unsigned shift = 0; shift < 64 && pos < end; shift += 7) {
      uint8_t byte = bytes[pos++];
      value |= uint64_t(byte & 0x7f) << shift;
      if (!(byte & 0x80))
        return true;
    }
    malformed = true;
    return false;
  }

  StringRef bytes;
  size_t pos, end;
};

/// The raw_data of every initializer of the serialized ModelProto `bytes`
/// that has one, by initializer name, in file order. Fails on malformed
/// bytes.
FailureOr<llvm::StringMap<SmallVector<Span, 1>>> findRawData(StringRef bytes) {
  llvm::StringMap<SmallVector<Span, 1>> found;
  FieldReader model(bytes, {0, bytes.size()});
  uint64_t number;
  Span graphSpan;
  while (model.next(number, graphSpan)) {
    if (number != kModelGraph)
      continue;
    FieldReader graph(bytes, graphSpan);
    Span tensorSpan;
    while (graph.next(number, tensorSpan)) {
      if (number != kGraphInitializer)
        continue;
      FieldReader tensor(bytes, tensorSpan);
      Span field, name, raw;
      bool hasRaw = false;
      while (tensor.next(number, field)) {
        if (number == kTensorName)
          name = field;
        else if (number == kTensorRawData)
          raw = field, hasRaw = true;
      }
      if (tensor.malformed)
        return failure();
      if (hasRaw)
        found[bytes.slice(name.begin, name.end)].push_back(raw);
    }
    if (graph.malformed)
      return failure();
  }
  if (model.malformed)
    return failure();
  return found;
}

//===----------------------------------------------------------------------===//
// The model file
//===----------------------------------------------------------------------===//

/// The elements of `value` as raw_data stores them: packed, little-endian.
std::string getRawData(DenseElementsAttr value) {
  size_t width = value.getElementType().getIntOrFloatBitWidth() / 8;
  size_t count = value.getNumElements();
  ArrayRef<char> raw = value.getRawData();
  std::string data;
  data.reserve(count * width);
  // A splat stores one element.
  for (size_t i = 0, copies = value.isSplat() ? count : 1; i < copies; ++i)
    data.append(raw.begin(), raw.end());
  if (llvm::sys::IsBigEndianHost)
    for (size_t offset = 0; offset < data.size(); offset += width)
      std::reverse(data.begin() + offset, data.begin() + offset + width);
  return data;
}

} // namespace

LogicalResult attachModelFile(ModuleOp module, const onnx::ModelProto &model,
                              Location fileLoc) {
  llvm::StringMap<nn::ParameterOp> params;
  for (auto param : module.getOps<nn::ParameterOp>())
    params[param.getSymName()] = param;
  if (params.empty())
    return success();

  // A copy of the model as read: shape inference, which runs later on
  // `model`, adds value_info that a saved model should not gain.
  onnx::ModelProto copy = model;
  for (onnx::TensorProto &tensor :
       *copy.mutable_graph()->mutable_initializer()) {
    auto it = params.find(tensor.name());
    if (it == params.end())
      continue;
    tensor.clear_float_data();
    tensor.clear_int32_data();
    tensor.clear_int64_data();
    tensor.clear_double_data();
    tensor.clear_uint64_data();
    tensor.set_raw_data(
        getRawData(cast<DenseElementsAttr>(it->second.getInitialValue())));
  }
  std::string bytes;
  if (copy.ByteSizeLong() > static_cast<size_t>(INT_MAX) ||
      !copy.SerializeToString(&bytes))
    return emitError(fileLoc)
           << "cannot keep the model for <model>_save: with its parameters "
              "in raw_data it exceeds the 2 GiB protobuf can serialize";

  FailureOr<llvm::StringMap<SmallVector<Span, 1>>> found = findRawData(bytes);
  if (failed(found))
    return emitError(fileLoc) << "internal error: cannot read back the "
                                 "serialized model for <model>_save";
  Builder builder(module.getContext());
  for (auto param : module.getOps<nn::ParameterOp>()) {
    // The ONNX checker refuses two initializers of one name: each parameter
    // has one.
    SmallVector<Span, 1> spans = found->lookup(param.getSymName());
    if (spans.size() != 1)
      return emitError(param.getLoc())
             << "internal error: the serialized model has " << spans.size()
             << " initializers '" << param.getSymName() << "' with raw_data";
    param->setAttr(nn::kFileOffsetAttr,
                   builder.getI64IntegerAttr(spans.front().begin));
  }
  auto type = RankedTensorType::get({static_cast<int64_t>(bytes.size())},
                                    builder.getIntegerType(8));
  module->setAttr(nn::kModelFileAttr,
                  DenseResourceElementsAttr::get(
                      type, "nncc_model_file",
                      HeapAsmResourceBlob::allocateAndCopyInferAlign(
                          ArrayRef<char>(bytes.data(), bytes.size()))));
  return success();
}

} // namespace nncc::onnx_import
