//===- ImportWindow.h - sliding-window import helpers -----------*- C++ -*-===//
//
// What the importers of Conv and the pooling ops share across files:
// ImportNN.cpp handles 1-D and 2-D windows with nn's 2-D ops,
// ImportWindow3D.cpp 3-D ones as 2-D ops over depth slices.
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_COMPILER_IMPORT_ONNX_IMPORTWINDOW_H
#define NNCC_COMPILER_IMPORT_ONNX_IMPORTWINDOW_H

#include "compiler/Import/Onnx/ImporterState.h"

namespace nncc::onnx_import {

/// Reads an attribute holding one value per spatial dimension (or two per
/// dimension for pads), each in [minValue, INT32_MAX]: the upper bound keeps
/// the window arithmetic far from overflowing. A 1-D window's values come
/// back as those of the 2-D window over an H of 1.
mlir::FailureOr<llvm::SmallVector<int64_t>>
getWindowAttr(NodeImporter &node, llvm::StringRef name,
              std::optional<int64_t> fill, size_t size, int64_t minValue,
              int64_t spatialRank);

/// The explicit padding, [begins..., ends...] (ONNX's order, nn's for
/// 2-D), of a window whose auto_pad is `autoPad` over `spatialSizes`:
/// `pads` for NOTSET, zeros for VALID, SAME_UPPER / SAME_LOWER's split;
/// a diagnostic for another value or for pads given with it.
mlir::FailureOr<llvm::SmallVector<int64_t>>
resolveAutoPad(NodeImporter &node, llvm::StringRef autoPad,
               llvm::ArrayRef<int64_t> spatialSizes,
               llvm::ArrayRef<int64_t> kernel, llvm::ArrayRef<int64_t> strides,
               llvm::ArrayRef<int64_t> dilations, llvm::ArrayRef<int64_t> pads);

/// Conv over X [N, C, D, H, W] with W [M, C / group, KD, KH, KW] and an
/// optional bias B [M] (null when absent); kernel_shape and group checked.
mlir::LogicalResult importConv3D(NodeImporter &node, mlir::Value input,
                                 mlir::Value filter, mlir::Value bias,
                                 int64_t group);

/// MaxPool (`max`) or AveragePool over X [N, C, D, H, W].
mlir::LogicalResult importPool3D(NodeImporter &node, mlir::Value input,
                                 bool max);

/// The windows of a 2-D transposed convolution of X [B, C, H, W] with W
/// [C, M / group, KH, KW] as nn.conv2d_backward_input of result `shape`
/// ([B, M, ...], the positions from `padding`'s top and left on); a
/// diagnostic when the attributes do not describe one (ImportNN.cpp).
mlir::FailureOr<mlir::Value>
buildTransposedHW(NodeImporter &node, mlir::Value input, mlir::Value filter,
                  llvm::ArrayRef<int64_t> shape,
                  llvm::ArrayRef<int64_t> strides,
                  llvm::ArrayRef<int64_t> padding,
                  llvm::ArrayRef<int64_t> dilations, int64_t group);

/// The same over X [N, C, D, H, W] with W [C, M / group, KD, KH, KW]: every
/// depth the windows reach (`shape` [N, M, reach, ...]), the depth taps'
/// 2-D windows placed at d * strideD + kd * dilationD and summed
/// (ImportWindow3D.cpp).
mlir::FailureOr<mlir::Value>
buildTransposedConv3D(NodeImporter &node, mlir::Value input, mlir::Value filter,
                      llvm::ArrayRef<int64_t> shape, int64_t strideD,
                      int64_t dilationD, llvm::ArrayRef<int64_t> stridesHW,
                      llvm::ArrayRef<int64_t> paddingHW,
                      llvm::ArrayRef<int64_t> dilationsHW, int64_t group);

} // namespace nncc::onnx_import

#endif // NNCC_COMPILER_IMPORT_ONNX_IMPORTWINDOW_H
