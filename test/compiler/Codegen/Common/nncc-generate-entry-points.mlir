// RUN: nncc-opt %s -split-input-file --nncc-generate-entry-points=model-name=m -verify-diagnostics | FileCheck %s
// RUN: not nncc-opt %s -split-input-file --nncc-generate-entry-points=model-name=nnrt_m 2>&1 | FileCheck %s --check-prefix=BADNAME
// RUN: not nncc-opt %s -split-input-file --nncc-generate-entry-points=model-name=1m 2>&1 | FileCheck %s --check-prefix=BADNAME
// BADNAME: error: model name '{{nnrt_m|1m}}' is not a C identifier, or takes the runtime's prefix 'nnrt'

// The model functions become internal, without contract attributes.
// CHECK-LABEL: llvm.func internal @nncc.infer(
// CHECK-SAME: %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) {
// CHECK-LABEL: llvm.func internal @nncc.step(

// The version variable of nnrt_hooks.h (a libnnrt with other hooks does
// not link); each state becomes read-only initial data and a row of the
// state table.
// CHECK-DAG: llvm.mlir.global external constant @nnrt_hooks_abi_1() {{.*}} : i32
// CHECK-DAG: llvm.mlir.global private unnamed_addr constant @nncc.state.0.init(dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>) {{.*}} : !llvm.array<2 x f32>
// CHECK-DAG: llvm.mlir.global private unnamed_addr constant @nncc.state_infos.0.name("w\00")
// CHECK-DAG: llvm.mlir.global private unnamed_addr constant @nncc.state_infos() {{.*}} : !llvm.array<1 x struct<(ptr, i32, i32, ptr, i64)>>
// CHECK-DAG: llvm.mlir.global private unnamed_addr constant @nncc.state_inits() {{.*}} : !llvm.array<1 x ptr>
// CHECK-NOT: nn.parameter

// create passes the state table and initial data to the runtime.
// CHECK: llvm.func @m_create(%[[OPTS:.*]]: !llvm.ptr, %[[OUT:.*]]: !llvm.ptr) -> i32
// CHECK: %[[ABI:.*]] = llvm.mlir.addressof @nnrt_hooks_abi_1
// CHECK: %[[INFOS:.*]] = llvm.mlir.addressof @nncc.state_infos
// CHECK: %[[INITS:.*]] = llvm.mlir.addressof @nncc.state_inits
// CHECK: %[[N:.*]] = llvm.mlir.constant(1 : i64)
// CHECK: llvm.call @nnrt_hook_context_create(%[[ABI]], %[[OPTS]], %[[OUT]], %[[INFOS]], %[[INITS]], %[[N]])
// Without workspace figures (nncc-measure-workspace) nothing is reserved.
// CHECK-NOT: nnrt_hook_reserve_workspace
// CHECK-LABEL: llvm.func @m_destroy(
// CHECK: llvm.call @nnrt_context_destroy(

// infer: queries with the short names, then the checked call that binds the
// input, the current state and the output.
// CHECK-LABEL: llvm.func @m_num_inputs() -> i64
// CHECK-LABEL: llvm.func @m_input_info(%{{.*}}: i64) -> !llvm.ptr
// CHECK: llvm.icmp "ult"
// CHECK: llvm.select
// CHECK: llvm.func internal @nncc.infer.impl(%[[CTX:.*]]: !llvm.ptr, %[[NAME:.*]]: !llvm.ptr, %{{.*}}: i64, %[[INS:.*]]: !llvm.ptr, %[[OUTS:.*]]: !llvm.ptr) -> i32
// CHECK: %[[ST:.*]] = llvm.call @nnrt_hook_enter(%[[CTX]], %[[NAME]], %[[INS]], %{{.*}}, %{{.*}}, %[[OUTS]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}})
// CHECK: llvm.cond_br
// CHECK: %[[X:.*]] = llvm.load
// CHECK: %[[W:.*]] = llvm.call @nnrt_hook_state(%[[CTX]], %{{.*}})
// CHECK: %[[Y:.*]] = llvm.load
// CHECK: llvm.call @nncc.infer(%[[CTX]], %[[X]], %[[W]], %[[Y]])
// CHECK-NOT: nnrt_hook_state_commit
// CHECK: %[[R:.*]] = llvm.call @nnrt_hook_leave(%[[CTX]])
// CHECK: llvm.return %[[R]]
// CHECK-LABEL: llvm.func @m_infer(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) -> i32
// CHECK: llvm.alloca
// CHECK: llvm.call @nncc.infer.impl(
// CHECK-LABEL: llvm.func @m_infer_packed(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) -> i32

// step: queries with the entry's name; reads the current buffer, writes the
// other one and commits it.
// CHECK-LABEL: llvm.func @m_step_num_inputs() -> i64
// CHECK: llvm.mlir.constant(0 : i64)
// CHECK-LABEL: llvm.func @m_step_input_info(
// CHECK: llvm.mlir.zero
// CHECK-LABEL: llvm.func internal @nncc.step.impl(
// CHECK: %[[CUR:.*]] = llvm.call @nnrt_hook_state(
// CHECK: %[[NEXT:.*]] = llvm.call @nnrt_hook_state_next(
// CHECK: llvm.call @nncc.step(%{{.*}}, %[[CUR]], %[[NEXT]])
// CHECK: llvm.call @nnrt_hook_state_commit(
// CHECK: llvm.call @nnrt_hook_leave(
// CHECK-LABEL: llvm.func @m_step(%{{.*}}: !llvm.ptr) -> i32
nn.parameter @w = dense<[1.0, 2.0]> : tensor<2xf32>
llvm.func @nncc.infer(%ctx: !llvm.ptr {nn.context},
    %x: !llvm.ptr {nn.abi_type = tensor<2xf32>, nn.input = "x"},
    %w: !llvm.ptr {nn.abi_type = tensor<2xf32>, nn.state = @w},
    %y: !llvm.ptr {nn.abi_type = tensor<2xf32>, nn.output = "y", nn.result})
    attributes {nn.entry = #nn.entry<infer>} {
  llvm.return
}
llvm.func @nncc.step(%ctx: !llvm.ptr {nn.context},
    %w: !llvm.ptr {nn.abi_type = tensor<2xf32>, nn.state = @w},
    %next: !llvm.ptr {nn.abi_type = tensor<2xf32>, nn.state = @w, nn.result})
    attributes {nn.entry = #nn.entry<train_step>} {
  llvm.return
}

// -----

// expected-error @+1 {{no entry function (nn.entry) to build the C API from}}
module {
  llvm.func @f() {
    llvm.return
  }
}

// -----

// expected-error @+1 {{the C API needs the symbol 'm_infer', which the module already defines as a function}}
llvm.func @nncc.infer(%ctx: !llvm.ptr {nn.context}) attributes {nn.entry = #nn.entry<infer>} {
  llvm.return
}
llvm.func @m_infer() {
  llvm.return
}

// -----

llvm.func @nncc.infer(%ctx: !llvm.ptr {nn.context}) attributes {nn.entry = #nn.entry<infer>} {
  llvm.return
}
// expected-error @+1 {{two parts of the C API would both be named 'm_infer_packed'; rename an entry function}}
llvm.func @nncc.infer_packed(%ctx: !llvm.ptr {nn.context}) attributes {nn.entry = #nn.entry<infer>} {
  llvm.return
}

// -----

// The contract verifier refuses what the pass could not bind.
// expected-error @+1 {{argument 1 has type '!llvm.ptr'; the C API needs ranked tensors}}
llvm.func @nncc.infer(%ctx: !llvm.ptr {nn.context}, %x: !llvm.ptr {nn.input = "x"}) attributes {nn.entry = #nn.entry<infer>} {
  llvm.return
}

// -----

llvm.func @nncc.infer(%ctx: !llvm.ptr {nn.context}) attributes {nn.entry = #nn.entry<infer>} {
  llvm.return
}
// expected-error @+1 {{'nnrt_hook_leave' is a function of the nncc runtime; the module must not define it}}
llvm.func @nnrt_hook_leave(%ctx: !llvm.ptr) -> i32 {
  %0 = llvm.mlir.constant(0 : i32) : i32
  llvm.return %0 : i32
}

// -----

// expected-error @+1 {{two parts of the C API would both be named 'm_ctx'; rename an entry function}}
llvm.func @nncc.ctx(%ctx: !llvm.ptr {nn.context}) attributes {nn.entry = #nn.entry<infer>} {
  llvm.return
}

// -----

nn.parameter @w = dense<1.0> : tensor<2xf32>
// expected-error @+1 {{'llvm.func' op argument 2 repeats state @w}}
llvm.func @nncc.step(%ctx: !llvm.ptr {nn.context},
    %a: !llvm.ptr {nn.abi_type = tensor<2xf32>, nn.state = @w, nn.result},
    %b: !llvm.ptr {nn.abi_type = tensor<2xf32>, nn.state = @w, nn.result})
    attributes {nn.entry = #nn.entry<train_step>} {
  llvm.return
}

// -----

nn.parameter @w = dense<1.0> : tensor<2xf32>
// expected-error @+1 {{'llvm.func' op argument 1 writes state @w, but only a train_step entry may write state}}
llvm.func @nncc.infer(%ctx: !llvm.ptr {nn.context},
    %a: !llvm.ptr {nn.abi_type = tensor<2xf32>, nn.state = @w, nn.result})
    attributes {nn.entry = #nn.entry<infer>} {
  llvm.return
}

// -----

// create reserves the workspace the entries need at most: the largest fixed
// peak of bytes (a dynamic batch's [fixed, per item]: the fixed part) and of
// live buffers, and the largest per-thread scratch, passing on the status
// of nnrt_hook_context_create.
// CHECK: llvm.func @m_create(%{{.*}}: !llvm.ptr, %[[OUT:.*]]: !llvm.ptr) -> i32
// CHECK: %[[ST:.*]] = llvm.call @nnrt_hook_context_create(
// CHECK-DAG: %[[BYTES:.*]] = llvm.mlir.constant(4096 : i64)
// CHECK-DAG: %[[BUFFERS:.*]] = llvm.mlir.constant(3 : i64)
// CHECK-DAG: %[[SCRATCH:.*]] = llvm.mlir.constant(512 : i64)
// CHECK: %[[R:.*]] = llvm.call @nnrt_hook_reserve_workspace(%[[ST]], %[[OUT]], %[[BYTES]], %[[BUFFERS]], %[[SCRATCH]])
// CHECK: llvm.return %[[R]] : i32
module attributes {
    nncc.workspace_bytes = {infer = 1000 : i64, step = array<i64: 4096, 64>},
    nncc.workspace_buffers = {infer = 3 : i64, step = 2 : i64},
    nncc.thread_scratch_bytes = {infer = 0 : i64, step = 512 : i64}} {
  llvm.func @nncc.infer(%ctx: !llvm.ptr {nn.context}) attributes {nn.entry = #nn.entry<infer>} {
    llvm.return
  }
  llvm.func @nncc.step(%ctx: !llvm.ptr {nn.context}) attributes {nn.entry = #nn.entry<train_step>} {
    llvm.return
  }
}
