//===- ModelFile.h - the ONNX file a trained model is saved as --*- C++ -*-===//
//
// Internal to the ONNX importer (it includes ONNX headers). A model compiled
// for training keeps its ONNX file, so that <model>_save can write it back
// with the trained values (docs/contract.md, nnrt_hook_save_onnx).
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_COMPILER_IMPORT_ONNX_MODELFILE_H
#define NNCC_COMPILER_IMPORT_ONNX_MODELFILE_H

#include "mlir/IR/BuiltinOps.h"

#include <onnx/onnx_pb.h>

namespace nncc::onnx_import {

/// Records `model`, as read from the file, in `module` for <model>_save:
/// every initializer that became an nn.parameter of `module` (the one of its
/// name) is made to keep its data in raw_data, little-endian, as the
/// parameter's initial value; the model is serialized into the module
/// attribute nn::kModelFileAttr, and each of those nn.parameter ops gets
/// nn::kFileOffsetAttr, where its raw data starts in those bytes. Does
/// nothing for a module without parameters. Errors go to `fileLoc`.
mlir::LogicalResult attachModelFile(mlir::ModuleOp module,
                                    const onnx::ModelProto &model,
                                    mlir::Location fileLoc);

} // namespace nncc::onnx_import

#endif // NNCC_COMPILER_IMPORT_ONNX_MODELFILE_H
