// RUN: nncc-opt %s -split-input-file -verify-diagnostics

// Every error of the contract verifier (NnContract.cpp, ParameterOp).

// expected-error @+1 {{'nn.parameter' op initial value must be a statically shaped tensor}}
nn.parameter @w = dense<1.0> : vector<4xf32>

// -----

// expected-error @+1 {{'nn.parameter' op element type 'bf16' cannot be model state: the C API does not support it}}
nn.parameter @w = dense<1.0> : tensor<4xbf16>

// -----

// expected-error @+1 {{'func.func' op 'nn.entry' must be an #nn.entry<...> attribute}}
func.func @f() attributes {nn.entry = "infer"} {
  return
}

// -----

// expected-error @+1 {{'func.func' op unknown nn attribute 'nn.model'}}
func.func @f() attributes {nn.model} {
  return
}

// -----

// expected-error @+1 {{'func.func' op an entry function (nn.entry) must be public}}
func.func private @f() attributes {nn.entry = #nn.entry<infer>} {
  return
}

// -----

// expected-error @+1 {{'func.func' op an entry function (nn.entry) must have a body}}
func.func @f() attributes {nn.entry = #nn.entry<infer>}

// -----

// expected-error @+1 {{argument 0 of an entry function needs exactly one of nn.input, nn.state, nn.context or nn.batch_size}}
func.func @f(%x: tensor<4xf32>) attributes {nn.entry = #nn.entry<infer>} {
  return
}

// -----

nn.parameter @w = dense<1.0> : tensor<4xf32>
// expected-error @+1 {{argument 0 of an entry function needs exactly one of nn.input, nn.state, nn.context or nn.batch_size}}
func.func @f(%x: tensor<4xf32> {nn.input = "x", nn.state = @w}) attributes {nn.entry = #nn.entry<infer>} {
  return
}

// -----

// expected-error @+1 {{result 0 of an entry function needs exactly one of nn.output or nn.state}}
func.func @f(%x: tensor<4xf32> {nn.input = "x"}) -> tensor<4xf32> attributes {nn.entry = #nn.entry<infer>} {
  return %x : tensor<4xf32>
}

// -----

// expected-error @+1 {{argument 1 repeats the name 'x'}}
func.func @f(%x: tensor<4xf32> {nn.input = "x"}, %y: tensor<4xf32> {nn.input = "x"}) attributes {nn.entry = #nn.entry<infer>} {
  return
}

// -----

// expected-error @+1 {{result 1 repeats the name 'y'}}
func.func @f(%x: tensor<4xf32> {nn.input = "x"}) -> (tensor<4xf32> {nn.output = "y"}, tensor<4xf32> {nn.output = "y"}) attributes {nn.entry = #nn.entry<infer>} {
  return %x, %x : tensor<4xf32>, tensor<4xf32>
}

// -----

// expected-error @+1 {{'nn.input' must be a non-empty string (the tensor's name), got ""}}
func.func @f(%x: tensor<4xf32> {nn.input = ""}) attributes {nn.entry = #nn.entry<infer>} {
  return
}

// -----

// expected-error @+1 {{'nn.state' must be a symbol reference to an nn.parameter, got "w"}}
func.func @f(%x: tensor<4xf32> {nn.state = "w"}) attributes {nn.entry = #nn.entry<infer>} {
  return
}

// -----

// expected-error @+1 {{argument 0 refers to @w, which is not an nn.parameter of the module}}
func.func @f(%x: tensor<4xf32> {nn.state = @w}) attributes {nn.entry = #nn.entry<infer>} {
  return
}

// -----

nn.parameter @w = dense<1.0> : tensor<4xf32>
// expected-error @+1 {{argument 0 has type 'tensor<2xf32>' but state @w has type 'tensor<4xf32>'}}
func.func @f(%w: tensor<2xf32> {nn.state = @w}) attributes {nn.entry = #nn.entry<infer>} {
  return
}

// -----

nn.parameter @w = dense<1.0> : tensor<4xf32>
// expected-error @+1 {{argument 1 repeats state @w}}
func.func @f(%w: tensor<4xf32> {nn.state = @w}, %v: tensor<4xf32> {nn.state = @w}) attributes {nn.entry = #nn.entry<infer>} {
  return
}

// -----

nn.parameter @w = dense<1.0> : tensor<4xf32>
// expected-error @+1 {{result 0 writes state @w, but only a train_step entry may write state; this one is infer}}
func.func @f(%w: tensor<4xf32> {nn.state = @w}) -> (tensor<4xf32> {nn.state = @w}) attributes {nn.entry = #nn.entry<infer>} {
  return %w : tensor<4xf32>
}

// -----

nn.parameter @w = dense<1.0> : tensor<4xf32>
// expected-error @+1 {{result 1 repeats state @w}}
func.func @f(%w: tensor<4xf32> {nn.state = @w}) -> (tensor<4xf32> {nn.state = @w}, tensor<4xf32> {nn.state = @w}) attributes {nn.entry = #nn.entry<train_step>} {
  return %w, %w : tensor<4xf32>, tensor<4xf32>
}

// -----

// A dynamic size is the batch, which an input gives: an output cannot have
// it alone, and state never has it.
// expected-error @+1 {{result 0 has type 'tensor<?xf32>', but only outputs of an entry with a dynamic input may have a dynamic batch}}
func.func @f(%x: tensor<4xf32> {nn.input = "x"}) -> (tensor<?xf32> {nn.output = "y"}) attributes {nn.entry = #nn.entry<infer>} {
  %y = tensor.cast %x : tensor<4xf32> to tensor<?xf32>
  return %y : tensor<?xf32>
}

// -----

// expected-error @+1 {{argument 0 of an entry function needs exactly one of nn.input, nn.state, nn.context or nn.batch_size}}
func.func @f(%x: tensor<?xf32> {nn.batch_size, nn.input = "x"}) attributes {nn.entry = #nn.entry<infer>} {
  return
}

// -----

// expected-error @+1 {{argument 0 (the batch size) must be index or i64}}
func.func @f(%n: f32 {nn.batch_size}) attributes {nn.entry = #nn.entry<infer>} {
  return
}

// -----

// expected-error @+1 {{'nn.batch_size' marks arguments, not results}}
func.func @f(%x: tensor<?xf32> {nn.input = "x"}) -> (index {nn.batch_size}) {
  %c0 = arith.constant 0 : index
  return %c0 : index
}

// -----

// expected-error @+1 {{result 0 has element type 'bf16', which the C API does not support}}
func.func @f(%x: tensor<4xf32> {nn.input = "x"}) -> (tensor<4xbf16> {nn.output = "y"}) attributes {nn.entry = #nn.entry<infer>} {
  %0 = arith.truncf %x : tensor<4xf32> to tensor<4xbf16>
  return %0 : tensor<4xbf16>
}

// -----

// expected-error @+1 {{argument 0 (the context) must be !llvm.ptr}}
func.func @f(%c: i64 {nn.context}) attributes {nn.entry = #nn.entry<infer>} {
  return
}

// -----

// expected-error @+1 {{argument 0 is marked nn.output; outputs are results}}
func.func @f(%x: tensor<4xf32> {nn.output = "x"}) attributes {nn.entry = #nn.entry<infer>} {
  return
}

// -----

// expected-error @+1 {{'nn.input' marks arguments, not results}}
func.func @f(%x: tensor<4xf32> {nn.input = "x"}) -> (tensor<4xf32> {nn.input = "y"}) attributes {nn.entry = #nn.entry<infer>} {
  return %x : tensor<4xf32>
}

// -----

// expected-error @+1 {{unknown nn argument attribute 'nn.name'}}
func.func @f(%x: tensor<4xf32> {nn.name = "x"}) {
  return
}

// -----

// expected-error @+1 {{'nn.abi_type' must be a ranked tensor type, got i32}}
func.func @f(%x: tensor<4xf32> {nn.abi_type = i32}) {
  return
}

// -----

// expected-error @+1 {{entry function name 'nncc.a.b' is not a C identifier}}
func.func @"nncc.a.b"() attributes {nn.entry = #nn.entry<infer>} {
  return
}

// -----

// The nncc. prefix is taken by nncc-prepare-entry-abi.
// expected-error @+1 {{entry function name 'nncc.infer' is not a C identifier}}
func.func @"nncc.infer"(%x: tensor<4xf32> {nn.input = "x"}) attributes {nn.entry = #nn.entry<infer>} {
  return
}

// -----

// expected-error @+1 {{argument 0 has type 'i32'; the C API needs ranked tensors}}
func.func @f(%x: i32 {nn.input = "x"}) attributes {nn.entry = #nn.entry<infer>} {
  return
}

// -----

// expected-error @+1 {{argument 0 has type 'memref<2xf32>'; the C API needs ranked tensors}}
func.func @f(%x: memref<2xf32> {nn.input = "x"}) attributes {nn.entry = #nn.entry<infer>} {
  return
}

// -----

// expected-error @+1 {{result 0 has type 'i32'; the C API needs ranked tensors}}
func.func @f(%x: tensor<2xf32> {nn.input = "x"}) -> (i32 {nn.output = "z"}) attributes {nn.entry = #nn.entry<infer>} {
  %0 = arith.constant 0 : i32
  return %0 : i32
}

// -----

// expected-error @+1 {{'nn.abi_type' must be a tensor type of an element type the C API supports, got tensor<2xbf16>}}
func.func @f(%x: tensor<4xf32> {nn.abi_type = tensor<2xbf16>}) {
  return
}

// -----

// A recorded ABI type must be the tensor's own.
// expected-error @+1 {{argument 1 has type 'tensor<3xf32>' but records nn.abi_type 'tensor<2xf32>'}}
func.func @f(%c: !llvm.ptr {nn.context}, %x: tensor<3xf32> {nn.input = "x", nn.abi_type = tensor<2xf32>}) attributes {nn.entry = #nn.entry<infer>} {
  return
}

// -----

// Types are checked whatever the stage: a context argument does not turn
// the checks off.
nn.parameter @w = dense<1.0> : tensor<2xf32>
// expected-error @+1 {{argument 1 has type 'tensor<3xf32>' but state @w has type 'tensor<2xf32>'}}
func.func @f(%c: !llvm.ptr {nn.context}, %s: tensor<3xf32> {nn.state = @w}) attributes {nn.entry = #nn.entry<infer>} {
  return
}

// -----

// expected-error @+1 {{argument 1 has type 'i32'; the C API needs ranked tensors}}
func.func @f(%c: !llvm.ptr {nn.context}, %x: i32 {nn.input = "x"}) attributes {nn.entry = #nn.entry<infer>} {
  return
}
