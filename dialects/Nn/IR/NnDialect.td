//===- NnDialect.td - the nn dialect -----------------------*- tablegen -*-===//
//
// The nn dialect: neural-network layers on ranked, statically shaped tensors
// with value semantics. It is what the importers produce, what the autodiff
// pass differentiates, and what lowers to linalg.
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_DIALECT_NN_IR_NNDIALECT_TD
#define NNCC_DIALECT_NN_IR_NNDIALECT_TD

include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/OpBase.td"

def Nn_Dialect : Dialect {
  let name = "nn";
  let cppNamespace = "::nncc::nn";
  let summary = "Neural-network layers with value semantics";
  let description = [{
    Textbook layers (matmul, convolution, pooling, activations, shape ops)
    on ranked tensors, statically shaped except for the batch: a dynamic
    dimension (`?`) is always the batch size of the entry function's inputs,
    one run-time value (docs/design-notes.md, "Dynamic batch"). Every op
    verifies its operands and
    infers its result type, so importers and the differentiation pass can
    build graphs without computing shapes themselves.
  }];
  let hasConstantMaterializer = 1;
  // The module contract (docs/contract.md): nn.entry on functions, nn.input,
  // nn.output, nn.state on their arguments and results, and nn.context,
  // nn.abi_type, nn.result, which nncc-prepare-entry-abi adds for lowering.
  // All are verified by the dialect (NnContract.cpp).
  let hasOperationAttrVerify = 1;
  let hasRegionArgAttrVerify = 1;
  let hasRegionResultAttrVerify = 1;
  let useDefaultAttributePrinterParser = 1;
  let extraClassDeclaration = [{
    // Names of the contract's discardable attributes.
    static constexpr ::llvm::StringLiteral kEntryAttr = "nn.entry";
    static constexpr ::llvm::StringLiteral kInputAttr = "nn.input";
    static constexpr ::llvm::StringLiteral kOutputAttr = "nn.output";
    static constexpr ::llvm::StringLiteral kStateAttr = "nn.state";
    static constexpr ::llvm::StringLiteral kContextAttr = "nn.context";
    static constexpr ::llvm::StringLiteral kAbiTypeAttr = "nn.abi_type";
    static constexpr ::llvm::StringLiteral kResultAttr = "nn.result";
    /// The index argument nncc-bind-batch-size gives an entry with a
    /// dynamic batch: the batch size the C API passes.
    static constexpr ::llvm::StringLiteral kBatchSizeAttr = "nn.batch_size";
    /// Prefix nncc-prepare-entry-abi gives the symbols of the model's
    /// functions: no C identifier contains a '.', so they cannot clash with
    /// the C API, the runtime or libm.
    static constexpr ::llvm::StringLiteral kInternalPrefix = "nncc.";
  }];
}

//===----------------------------------------------------------------------===//
// The module contract
//===----------------------------------------------------------------------===//

def Nn_EntryKind : I32EnumAttr<"EntryKind", "what a model entry function does",
    [I32EnumAttrCase<"Infer", 0, "infer">,
     I32EnumAttrCase<"TrainStep", 1, "train_step">,
     I32EnumAttrCase<"Eval", 2, "eval">]> {
  let cppNamespace = "::nncc::nn";
  let genSpecializedAttr = 0;
}

def Nn_EntryKindAttr : EnumAttr<Nn_Dialect, Nn_EntryKind, "entry"> {
  let summary = "Marks a function as an entry point of the model";
  let description = [{
    `#nn.entry<infer>` on a public `func.func` makes it a C entry point
    `<model>_<function name>`: `infer` reads state and computes outputs,
    `train_step` also writes new state values, `eval` computes metrics.
  }];
  let assemblyFormat = "`<` $value `>`";
}

class Nn_Op<string mnemonic, list<Trait> traits = []>
    : Op<Nn_Dialect, mnemonic, traits>;

#endif // NNCC_DIALECT_NN_IR_NNDIALECT_TD
