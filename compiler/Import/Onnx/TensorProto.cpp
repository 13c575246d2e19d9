//===- TensorProto.cpp - ONNX types and tensors to MLIR -------------------===//
//
// Element types, value types and stored tensors (initializers, Constant
// attributes). A tensor's data is either little-endian `raw_data` or one of
// the typed repeated fields; which field holds which data type is fixed by
// onnx.proto.
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/Onnx/ImporterState.h"

#include "llvm/Support/MathExtras.h"
#include "llvm/Support/SwapByteOrder.h"

#include <algorithm>
#include <vector>

using namespace mlir;

namespace nncc::onnx_import {

std::string getSupportedElementTypes() {
  std::string names;
  for (const nn::DTypeInfo &dtype : nn::getDTypes())
    names += (names.empty() ? "" : ", ") + getDataTypeName(dtype.onnx);
  return names;
}

Type convertElementType(MLIRContext *ctx, int32_t dataType) {
  const nn::DTypeInfo *dtype = nn::lookupOnnxDType(dataType);
  if (!dtype)
    return {};
  return dtype->getMlirType(ctx);
}

std::string getDataTypeName(int32_t dataType) {
  if (onnx::TensorProto::DataType_IsValid(dataType))
    return onnx::TensorProto::DataType_Name(
        static_cast<onnx::TensorProto::DataType>(dataType));
  return "<unknown data type " + std::to_string(dataType) + ">";
}

std::optional<int64_t> getNumElements(llvm::ArrayRef<int64_t> shape) {
  int64_t count = 1;
  for (int64_t size : shape)
    if (size < 0 || llvm::MulOverflow(count, size, count))
      return std::nullopt;
  return count;
}

RankedTensorType convertValueType(MLIRContext *ctx, const onnx::TypeProto &type,
                                  std::string &whyNot, StringRef batchParam) {
  if (!type.has_tensor_type()) {
    whyNot = "is not a tensor (nncc supports tensor values only)";
    return {};
  }
  const onnx::TypeProto::Tensor &tensor = type.tensor_type();
  Type elementType = convertElementType(ctx, tensor.elem_type());
  if (!elementType) {
    whyNot = "has unsupported element type " +
             getDataTypeName(tensor.elem_type()) +
             " (supported: " + getSupportedElementTypes() + ")";
    return {};
  }
  if (!tensor.has_shape()) {
    whyNot = "has no shape; nncc needs static shapes";
    return {};
  }
  llvm::SmallVector<int64_t> shape;
  for (const onnx::TensorShapeProto::Dimension &dim : tensor.shape().dim()) {
    if (dim.has_dim_value() && dim.dim_value() > 0) {
      shape.push_back(dim.dim_value());
      continue;
    }
    if (!batchParam.empty() && dim.has_dim_param() &&
        dim.dim_param() == batchParam) {
      shape.push_back(ShapedType::kDynamic);
      continue;
    }
    if (dim.has_dim_value())
      whyNot = dim.dim_value() == 0
                   ? "has a zero-sized dimension; nncc does not support "
                     "empty tensors"
                   : "has a negative dimension";
    else if (dim.has_dim_param() && !dim.dim_param().empty())
      whyNot = "has dynamic dimension '" + dim.dim_param() +
               "'; nncc needs static shapes but for the batch, the first "
               "dimension of inputs, one symbol for all";
    else
      whyNot = "has a dimension of unknown size; nncc needs static shapes";
    return {};
  }
  // With the batch: the elements of one batch item.
  SmallVector<int64_t> staticSizes;
  for (int64_t size : shape)
    if (!ShapedType::isDynamic(size))
      staticSizes.push_back(size);
  std::optional<int64_t> numElements = getNumElements(staticSizes);
  if (!numElements || *numElements > kMaxTensorElements) {
    whyNot =
        "has more than " + std::to_string(kMaxTensorElements) + " elements";
    return {};
  }
  return RankedTensorType::get(shape, elementType);
}

namespace {

/// Appends `values` converted to `Stored` in host byte order, the layout of
/// DenseElementsAttr's raw buffers.
template <typename Stored, typename Range>
void appendValues(std::vector<char> &buffer, const Range &values) {
  for (auto value : values) {
    Stored stored = static_cast<Stored>(value);
    const char *bytes = reinterpret_cast<const char *>(&stored);
    buffer.insert(buffer.end(), bytes, bytes + sizeof(Stored));
  }
}

/// Copies the typed repeated field that onnx.proto assigns to the tensor's
/// data type into `buffer`; `count` is the number of values the field held.
LogicalResult readTypedField(const onnx::TensorProto &tensor,
                             std::vector<char> &buffer, int64_t &count,
                             const char *&fieldName) {
  switch (tensor.data_type()) {
  case onnx::TensorProto::FLOAT:
    fieldName = "float_data";
    count = tensor.float_data_size();
    appendValues<float>(buffer, tensor.float_data());
    return success();
  case onnx::TensorProto::DOUBLE:
    fieldName = "double_data";
    count = tensor.double_data_size();
    appendValues<double>(buffer, tensor.double_data());
    return success();
  case onnx::TensorProto::INT64:
    fieldName = "int64_data";
    count = tensor.int64_data_size();
    appendValues<int64_t>(buffer, tensor.int64_data());
    return success();
  case onnx::TensorProto::INT32:
    fieldName = "int32_data";
    count = tensor.int32_data_size();
    appendValues<int32_t>(buffer, tensor.int32_data());
    return success();
  case onnx::TensorProto::INT16:
    fieldName = "int32_data";
    count = tensor.int32_data_size();
    appendValues<int16_t>(buffer, tensor.int32_data());
    return success();
  case onnx::TensorProto::INT8:
    fieldName = "int32_data";
    count = tensor.int32_data_size();
    appendValues<int8_t>(buffer, tensor.int32_data());
    return success();
  case onnx::TensorProto::UINT8:
    fieldName = "int32_data";
    count = tensor.int32_data_size();
    appendValues<uint8_t>(buffer, tensor.int32_data());
    return success();
  case onnx::TensorProto::UINT16:
    fieldName = "int32_data";
    count = tensor.int32_data_size();
    appendValues<uint16_t>(buffer, tensor.int32_data());
    return success();
  case onnx::TensorProto::UINT32:
    fieldName = "uint64_data";
    count = tensor.uint64_data_size();
    appendValues<uint32_t>(buffer, tensor.uint64_data());
    return success();
  case onnx::TensorProto::UINT64:
    fieldName = "uint64_data";
    count = tensor.uint64_data_size();
    appendValues<uint64_t>(buffer, tensor.uint64_data());
    return success();
  case onnx::TensorProto::FLOAT16:
    // int32_data holds the IEEE half bit patterns, one per entry.
    fieldName = "int32_data";
    count = tensor.int32_data_size();
    appendValues<uint16_t>(buffer, tensor.int32_data());
    return success();
  default:
    return failure();
  }
}

/// BOOL tensors: one byte per element in raw_data, one int32_data entry per
/// element otherwise. DenseElementsAttr packs i1 as bits, so they go
/// through a list of bools rather than a raw buffer.
FailureOr<DenseElementsAttr> convertBoolTensor(const onnx::TensorProto &tensor,
                                               RankedTensorType type,
                                               Location loc, StringRef what) {
  SmallVector<bool> values;
  if (tensor.has_raw_data())
    for (char byte : tensor.raw_data())
      values.push_back(byte != 0);
  else
    for (int32_t value : tensor.int32_data())
      values.push_back(value != 0);
  if (static_cast<int64_t>(values.size()) != type.getNumElements())
    return emitError(loc) << what << " holds " << values.size()
                          << " bool values, expected " << type.getNumElements();
  return DenseElementsAttr::get(type, values);
}

} // namespace

LogicalResult checkDataIsEmbedded(const onnx::TensorProto &tensor, Location loc,
                                  llvm::StringRef what) {
  if (tensor.data_location() != onnx::TensorProto::EXTERNAL)
    return success();
  std::string file;
  for (const onnx::StringStringEntryProto &entry : tensor.external_data())
    if (entry.key() == "location")
      file = entry.value();
  return emitError(loc) << what << " keeps its data in an external file ('"
                        << file
                        << "'); nncc needs the data inside the model file "
                           "(save the model without external data)";
}

FailureOr<DenseElementsAttr> convertTensorProto(const onnx::TensorProto &tensor,
                                                Location loc,
                                                llvm::StringRef what) {
  if (failed(checkDataIsEmbedded(tensor, loc, what)))
    return failure();
  if (tensor.has_segment())
    return emitError(loc) << what
                          << " is segmented; nncc does not support "
                             "segmented tensors";

  Type elementType = convertElementType(loc.getContext(), tensor.data_type());
  if (!elementType)
    return emitError(loc) << what << " has unsupported element type "
                          << getDataTypeName(tensor.data_type())
                          << " (supported: " << getSupportedElementTypes()
                          << ")";

  llvm::SmallVector<int64_t> shape(tensor.dims().begin(), tensor.dims().end());
  for (int64_t size : shape) {
    if (size < 0)
      return emitError(loc) << what << " has a negative dimension";
  }
  std::optional<int64_t> numElements = getNumElements(shape);
  if (!numElements || *numElements > kMaxTensorElements)
    return emitError(loc) << what << " has more than " << kMaxTensorElements
                          << " elements";
  auto type = RankedTensorType::get(shape, elementType);
  if (elementType.isInteger(1))
    return convertBoolTensor(tensor, type, loc, what);
  int64_t elementBytes = elementType.getIntOrFloatBitWidth() / 8;
  int64_t numBytes = *numElements * elementBytes;

  std::vector<char> buffer;
  if (tensor.has_raw_data()) {
    const std::string &raw = tensor.raw_data();
    if (static_cast<int64_t>(raw.size()) != numBytes)
      return emitError(loc)
             << what << ": raw_data holds " << raw.size() << " bytes, expected "
             << numBytes << " (" << *numElements << " elements of "
             << getDataTypeName(tensor.data_type()) << ")";
    buffer.assign(raw.begin(), raw.end());
    // raw_data is little-endian; DenseElementsAttr wants host order.
    if (llvm::sys::IsBigEndianHost)
      for (int64_t offset = 0; offset < numBytes; offset += elementBytes)
        std::reverse(buffer.begin() + offset,
                     buffer.begin() + offset + elementBytes);
  } else {
    buffer.reserve(numBytes);
    int64_t count = 0;
    const char *fieldName = "";
    if (failed(readTypedField(tensor, buffer, count, fieldName)))
      return emitError(loc) << what << " has no data for its element type";
    if (count != *numElements)
      return emitError(loc) << what << ": " << fieldName << " holds " << count
                            << " values, expected " << *numElements;
  }
  return DenseElementsAttr::getFromRawBuffer(type, buffer);
}

} // namespace nncc::onnx_import
