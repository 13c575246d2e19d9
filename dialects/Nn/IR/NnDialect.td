//===- NnDialect.td - the nn dialect -----------------------*- tablegen -*-===//
//
// The nn dialect: neural-network layers on ranked, statically shaped tensors
// with value semantics. It is what the importers produce, what the autodiff
// pass differentiates, and what lowers to linalg.
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_DIALECT_NN_IR_NNDIALECT_TD
#define NNCC_DIALECT_NN_IR_NNDIALECT_TD

include "mlir/IR/OpBase.td"

def Nn_Dialect : Dialect {
  let name = "nn";
  let cppNamespace = "::nncc::nn";
  let summary = "Neural-network layers with value semantics";
  let description = [{
    Textbook layers (matmul, convolution, pooling, activations, shape ops)
    on ranked, statically shaped tensors. Every op verifies its operands and
    infers its result type, so importers and the differentiation pass can
    build graphs without computing shapes themselves.
  }];
  let hasConstantMaterializer = 1;
}

class Nn_Op<string mnemonic, list<Trait> traits = []>
    : Op<Nn_Dialect, mnemonic, traits>;

#endif // NNCC_DIALECT_NN_IR_NNDIALECT_TD
