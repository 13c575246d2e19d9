// RUN: nncc-opt %s | nncc-opt | FileCheck %s

// The module contract round-trips: parameters, entry kinds, input, output
// and state markers, and the attributes nncc-prepare-entry-abi adds.

// CHECK: nn.parameter @w = dense<{{.*}}> : tensor<2x2xf32>
// CHECK: nn.parameter @fc.bias = dense<5.000000e-01> : tensor<2xf32>
// CHECK: nn.parameter @step = dense<0> : tensor<i64>
nn.parameter @w = dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
nn.parameter @"fc.bias" = dense<0.5> : tensor<2xf32>
nn.parameter @step = dense<0> : tensor<i64>

// CHECK-LABEL: func.func @infer(
// CHECK-SAME: %{{.*}}: tensor<1x2xf32> {nn.input = "x"}, %{{.*}}: tensor<2x2xf32> {nn.state = @w})
// CHECK-SAME: -> (tensor<1x2xf32> {nn.output = "y"}) attributes {nn.entry = #nn.entry<infer>}
func.func @infer(%x: tensor<1x2xf32> {nn.input = "x"}, %w: tensor<2x2xf32> {nn.state = @w}) -> (tensor<1x2xf32> {nn.output = "y"}) attributes {nn.entry = #nn.entry<infer>} {
  %0 = nn.matmul %x, %w : tensor<1x2xf32>, tensor<2x2xf32> -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// A train step reads and writes state; an entry may have no input.
// CHECK-LABEL: func.func @train(
// CHECK-SAME: %{{.*}}: tensor<2x2xf32> {nn.state = @w}) -> (tensor<2x2xf32> {nn.state = @w})
// CHECK-SAME: attributes {nn.entry = #nn.entry<train_step>}
func.func @train(%w: tensor<2x2xf32> {nn.state = @w}) -> (tensor<2x2xf32> {nn.state = @w}) attributes {nn.entry = #nn.entry<train_step>} {
  %0 = nn.add %w, %w : tensor<2x2xf32>, tensor<2x2xf32> -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// CHECK-LABEL: func.func @eval(
// CHECK-SAME: attributes {nn.entry = #nn.entry<eval>}
func.func @eval(%x: tensor<1x2xf32> {nn.input = "x"}, %b: tensor<2xf32> {nn.state = @"fc.bias"}) -> (tensor<1x2xf32> {nn.output = "y"}) attributes {nn.entry = #nn.entry<eval>} {
  %0 = nn.add %x, %b : tensor<1x2xf32>, tensor<2xf32> -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// Lowering attributes, as nncc-prepare-entry-abi leaves them.
// CHECK-LABEL: func.func @nncc.lowered(
// CHECK-SAME: !llvm.ptr {nn.context}
// CHECK-SAME: {nn.abi_type = tensor<1x2xf32>, nn.input = "x"}
// CHECK-SAME: {nn.abi_type = tensor<1x2xf32>, nn.output = "y", nn.result}
func.func @nncc.lowered(%ctx: !llvm.ptr {nn.context}, %x: tensor<1x2xf32> {nn.abi_type = tensor<1x2xf32>, nn.input = "x"}) -> (tensor<1x2xf32> {nn.abi_type = tensor<1x2xf32>, nn.output = "y", nn.result}) attributes {nn.entry = #nn.entry<infer>} {
  return %x : tensor<1x2xf32>
}

// Helper functions may take the context.
// CHECK-LABEL: func.func private @helper(
func.func private @helper(%ctx: !llvm.ptr {nn.context}) {
  return
}
