// The functions that save and load the state: <model>_save_checkpoint and
// <model>_load_checkpoint for a module with state and a train_step entry,
// <model>_save and <model>_load when it also keeps its model file.
// RUN: nncc-opt %s -split-input-file --nncc-generate-entry-points=model-name=m -verify-diagnostics | FileCheck %s --implicit-check-not=nncc.file_offset

// The hooks are declared with the signatures of nnrt_hooks.h; the model
// file becomes read-only data, the offsets of the states in it an array (-1,
// i.e. UINT64_MAX, for a state the file does not hold), and the attributes
// are gone.
// CHECK: {{^}}module {
// CHECK: llvm.func @m_step_packed(
// CHECK: llvm.func @nnrt_hook_save_checkpoint(!llvm.ptr, !llvm.ptr, !llvm.ptr, i64, !llvm.ptr) -> i32
// CHECK: llvm.func @nnrt_hook_load_checkpoint(!llvm.ptr, !llvm.ptr, !llvm.ptr, i64, !llvm.ptr) -> i32
// CHECK: llvm.mlir.global private unnamed_addr constant @nncc.save_checkpoint.name("m_save_checkpoint\00")
// CHECK: llvm.func @m_save_checkpoint(%[[CTX:.*]]: !llvm.ptr, %[[PATH:.*]]: !llvm.ptr) -> i32
// CHECK: %[[NAME:.*]] = llvm.mlir.addressof @nncc.save_checkpoint.name
// CHECK: %[[INFOS:.*]] = llvm.mlir.addressof @nncc.state_infos
// CHECK: %[[N:.*]] = llvm.mlir.constant(2 : i64)
// CHECK: %[[S:.*]] = llvm.call @nnrt_hook_save_checkpoint(%[[CTX]], %[[NAME]], %[[INFOS]], %[[N]], %[[PATH]])
// CHECK: llvm.return %[[S]]
// CHECK: llvm.mlir.global private unnamed_addr constant @nncc.load_checkpoint.name("m_load_checkpoint\00")
// CHECK: llvm.func @m_load_checkpoint(
// CHECK: llvm.call @nnrt_hook_load_checkpoint(
// CHECK: llvm.func @nnrt_hook_save_onnx(!llvm.ptr, !llvm.ptr, !llvm.ptr, i64, !llvm.ptr, !llvm.ptr, i64, !llvm.ptr) -> i32
// CHECK: llvm.func @nnrt_hook_load_onnx(!llvm.ptr, !llvm.ptr, !llvm.ptr, i64, !llvm.ptr, !llvm.ptr) -> i32
// CHECK: llvm.mlir.global private unnamed_addr constant @nncc.model_file(dense_resource<model> : tensor<16xi8>) {{.*}} : !llvm.array<16 x i8>
// CHECK: llvm.mlir.global private unnamed_addr constant @nncc.model_file.patch_offsets(dense<[4, -1]> : tensor<2xi64>) {{.*}} : !llvm.array<2 x i64>
// CHECK: llvm.func @m_save(%[[CTX:.*]]: !llvm.ptr, %[[PATH:.*]]: !llvm.ptr) -> i32
// CHECK: %[[NAME:.*]] = llvm.mlir.addressof @nncc.save.name
// CHECK: %[[INFOS:.*]] = llvm.mlir.addressof @nncc.state_infos
// CHECK: %[[N:.*]] = llvm.mlir.constant(2 : i64)
// CHECK: %[[FILE:.*]] = llvm.mlir.addressof @nncc.model_file :
// CHECK: %[[SIZE:.*]] = llvm.mlir.constant(16 : i64)
// CHECK: %[[OFFSETS:.*]] = llvm.mlir.addressof @nncc.model_file.patch_offsets
// CHECK: %[[S:.*]] = llvm.call @nnrt_hook_save_onnx(%[[CTX]], %[[NAME]], %[[INFOS]], %[[N]], %[[PATH]], %[[FILE]], %[[SIZE]], %[[OFFSETS]])
// CHECK: llvm.return %[[S]]
// CHECK: llvm.func @m_load(%[[CTX:.*]]: !llvm.ptr, %[[PATH:.*]]: !llvm.ptr) -> i32
// CHECK: %[[NAME:.*]] = llvm.mlir.addressof @nncc.load.name
// CHECK: %[[OFFSETS:.*]] = llvm.mlir.addressof @nncc.model_file.patch_offsets
// CHECK: llvm.call @nnrt_hook_load_onnx(%[[CTX]], %[[NAME]], %{{.*}}, %{{.*}}, %[[PATH]], %[[OFFSETS]])
// CHECK: dialect_resources
module attributes {nncc.model_file = dense_resource<model> : tensor<16xi8>} {
  nn.parameter @w = dense<[1.0, 2.0]> : tensor<2xf32> {nncc.file_offset = 4 : i64}
  nn.parameter @"nncc:step" = dense<0> : tensor<i64>
  llvm.func @nncc.step(%ctx: !llvm.ptr {nn.context},
      %w: !llvm.ptr {nn.abi_type = tensor<2xf32>, nn.state = @w},
      %next: !llvm.ptr {nn.abi_type = tensor<2xf32>, nn.state = @w, nn.result})
      attributes {nn.entry = #nn.entry<train_step>} {
    llvm.return
  }
}
{-#
  dialect_resources: {
    builtin: {
      model: "0x01000000000102030000803F0000004008090A0B"
    }
  }
#-}

// -----

// Without a model file: checkpoints only.
// CHECK: {{^}}module {
// CHECK-NOT: @m_save(
// CHECK: llvm.func @m_save_checkpoint(
// CHECK-NOT: @m_save(
// CHECK: llvm.func @m_load_checkpoint(
// CHECK-NOT: @m_save(
// CHECK-NOT: @m_load(
nn.parameter @w = dense<[1.0, 2.0]> : tensor<2xf32>
llvm.func @nncc.step(%ctx: !llvm.ptr {nn.context},
    %w: !llvm.ptr {nn.abi_type = tensor<2xf32>, nn.state = @w},
    %next: !llvm.ptr {nn.abi_type = tensor<2xf32>, nn.state = @w, nn.result})
    attributes {nn.entry = #nn.entry<train_step>} {
  llvm.return
}

// -----

// A model that does not train (no train_step entry) saves nothing; its
// model file is dropped. The model file holds the data as a dense attribute
// here.
// CHECK: {{^}}module {
// CHECK-NOT: _checkpoint
// CHECK-NOT: @m_save
// CHECK-NOT: @m_load
// CHECK-NOT: nncc.model_file
module attributes {nncc.model_file = dense<[1, 2, 3, 4, 5, 6, 7, 8]> : tensor<8xi8>} {
  nn.parameter @w = dense<[1.0, 2.0]> : tensor<2xf32> {nncc.file_offset = 0 : i64}
  llvm.func @nncc.infer(%ctx: !llvm.ptr {nn.context},
      %w: !llvm.ptr {nn.abi_type = tensor<2xf32>, nn.state = @w})
      attributes {nn.entry = #nn.entry<infer>} {
    llvm.return
  }
}

// -----

// A model file held in a dense attribute works as well.
// CHECK: {{^}}module {
// CHECK: llvm.mlir.global private unnamed_addr constant @nncc.model_file(dense<[1, 2, 3, 4, 5, 6, 7, 8]> : tensor<8xi8>)
// CHECK: llvm.mlir.global private unnamed_addr constant @nncc.model_file.patch_offsets(dense<0> : tensor<1xi64>)
// CHECK: llvm.func @m_save(
module attributes {nncc.model_file = dense<[1, 2, 3, 4, 5, 6, 7, 8]> : tensor<8xi8>} {
  nn.parameter @w = dense<[1.0, 2.0]> : tensor<2xf32> {nncc.file_offset = 0 : i64}
  llvm.func @nncc.step(%ctx: !llvm.ptr {nn.context},
      %w: !llvm.ptr {nn.abi_type = tensor<2xf32>, nn.state = @w},
      %next: !llvm.ptr {nn.abi_type = tensor<2xf32>, nn.state = @w, nn.result})
      attributes {nn.entry = #nn.entry<train_step>} {
    llvm.return
  }
}

// -----

// The state's 8 bytes at offset 4 end past the 8 bytes of the file.
module attributes {nncc.model_file = dense<[1, 2, 3, 4, 5, 6, 7, 8]> : tensor<8xi8>} {
  // expected-error @+1 {{'nn.parameter' op 'nncc.file_offset' must be an i64 offset of the 8 bytes of the parameter within the 8 bytes of 'nncc.model_file', got 4 : i64}}
  nn.parameter @w = dense<[1.0, 2.0]> : tensor<2xf32> {nncc.file_offset = 4 : i64}
  llvm.func @nncc.step(%ctx: !llvm.ptr {nn.context},
      %w: !llvm.ptr {nn.abi_type = tensor<2xf32>, nn.state = @w},
      %next: !llvm.ptr {nn.abi_type = tensor<2xf32>, nn.state = @w, nn.result})
      attributes {nn.entry = #nn.entry<train_step>} {
    llvm.return
  }
}

// -----

module attributes {nncc.model_file = dense<[1, 2, 3, 4, 5, 6, 7, 8]> : tensor<8xi8>} {
  // expected-error @+1 {{'nncc.file_offset' must be an i64 offset of the 8 bytes of the parameter within the 8 bytes of 'nncc.model_file', got -1 : i64}}
  nn.parameter @w = dense<[1.0, 2.0]> : tensor<2xf32> {nncc.file_offset = -1 : i64}
  llvm.func @nncc.step(%ctx: !llvm.ptr {nn.context},
      %w: !llvm.ptr {nn.abi_type = tensor<2xf32>, nn.state = @w},
      %next: !llvm.ptr {nn.abi_type = tensor<2xf32>, nn.state = @w, nn.result})
      attributes {nn.entry = #nn.entry<train_step>} {
    llvm.return
  }
}

// -----

// expected-error @+1 {{'nncc.model_file' must be a rank-1 tensor of i8 (the serialized ONNX model)}}
module attributes {nncc.model_file = "model.onnx"} {
  nn.parameter @w = dense<[1.0, 2.0]> : tensor<2xf32>
  llvm.func @nncc.step(%ctx: !llvm.ptr {nn.context},
      %w: !llvm.ptr {nn.abi_type = tensor<2xf32>, nn.state = @w},
      %next: !llvm.ptr {nn.abi_type = tensor<2xf32>, nn.state = @w, nn.result})
      attributes {nn.entry = #nn.entry<train_step>} {
    llvm.return
  }
}

// -----

// A dense_resource whose blob the input does not define.
// expected-error @+1 {{'nncc.model_file' has no data (its resource is not defined)}}
module attributes {nncc.model_file = dense_resource<undefined> : tensor<16xi8>} {
  nn.parameter @w = dense<[1.0, 2.0]> : tensor<2xf32>
  llvm.func @nncc.step(%ctx: !llvm.ptr {nn.context},
      %w: !llvm.ptr {nn.abi_type = tensor<2xf32>, nn.state = @w},
      %next: !llvm.ptr {nn.abi_type = tensor<2xf32>, nn.state = @w, nn.result})
      attributes {nn.entry = #nn.entry<train_step>} {
    llvm.return
  }
}

// -----

// An entry whose C name is one of these functions'.
// expected-error @+1 {{two parts of the C API would both be named 'm_save_checkpoint'; rename an entry function}}
module {
  nn.parameter @w = dense<[1.0, 2.0]> : tensor<2xf32>
  llvm.func @nncc.save_checkpoint(%ctx: !llvm.ptr {nn.context},
      %w: !llvm.ptr {nn.abi_type = tensor<2xf32>, nn.state = @w},
      %next: !llvm.ptr {nn.abi_type = tensor<2xf32>, nn.state = @w, nn.result})
      attributes {nn.entry = #nn.entry<train_step>} {
    llvm.return
  }
}

// -----

// A module defining a hook otherwise.
module {
  nn.parameter @w = dense<[1.0, 2.0]> : tensor<2xf32>
  llvm.func @nncc.step(%ctx: !llvm.ptr {nn.context},
      %w: !llvm.ptr {nn.abi_type = tensor<2xf32>, nn.state = @w},
      %next: !llvm.ptr {nn.abi_type = tensor<2xf32>, nn.state = @w, nn.result})
      attributes {nn.entry = #nn.entry<train_step>} {
    llvm.return
  }
  // expected-error @+1 {{'nnrt_hook_load_checkpoint' is a function of the nncc runtime; the module must not define it}}
  llvm.func @nnrt_hook_load_checkpoint(%ctx: !llvm.ptr) -> i32
}

// -----

// A blob of another size than its type.
// expected-error @+1 {{'nncc.model_file' holds 4 bytes; its type says 16}}
module attributes {nncc.model_file = dense_resource<short> : tensor<16xi8>} {
  nn.parameter @w = dense<[1.0, 2.0]> : tensor<2xf32>
  llvm.func @nncc.step(%ctx: !llvm.ptr {nn.context},
      %w: !llvm.ptr {nn.abi_type = tensor<2xf32>, nn.state = @w},
      %next: !llvm.ptr {nn.abi_type = tensor<2xf32>, nn.state = @w, nn.result})
      attributes {nn.entry = #nn.entry<train_step>} {
    llvm.return
  }
}
{-#
  dialect_resources: {
    builtin: {
      short: "0x0100000001020304"
    }
  }
#-}
