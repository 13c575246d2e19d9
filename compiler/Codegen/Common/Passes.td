//===- Passes.td - target-independent code generation ------*- tablegen -*-===//
//
// The passes every target shares: the entry ABI before bufferization, and
// the C entry points after lowering to the LLVM dialect.
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_COMPILER_CODEGEN_COMMON_PASSES_TD
#define NNCC_COMPILER_CODEGEN_COMMON_PASSES_TD

include "mlir/Pass/PassBase.td"

def PrepareEntryAbi : Pass<"nncc-prepare-entry-abi", "::mlir::ModuleOp"> {
  let summary = "Shape the functions of a model for the generated C API";
  let description = [{
    Runs before bufferization:
    - every function with a body gets a leading `!llvm.ptr {nn.context}`
      argument, the runtime context, and every call passes its caller's: so
      all generated code can reach the context (workspace, later threads);
    - the tensor arguments of entry functions (nn.entry) are the caller's
      inputs or the context's current state, which the code must not write:
      they are marked `bufferization.writable = false`;
    - each returned value becomes a separate caller-provided output buffer:
      a value returned more than once is copied (linalg.copy);
    - every argument and result of an entry function records its tensor type
      in `nn.abi_type`, which the lowering to pointers would lose and the
      entry-point pass needs for the tensor-info tables.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::LLVM::LLVMDialect"];
}

def FlattenConstantGlobals
    : Pass<"nncc-flatten-constant-globals", "::mlir::ModuleOp"> {
  let summary = "Make constant memref.globals one-dimensional";
  let description = [{
    Runs after bufferization. A constant `memref.global` of rank 2 or more
    with an identity layout becomes one-dimensional (the same data), and
    each `memref.get_global` of it is viewed back in its shape by a
    `memref.expand_shape`. The LLVM translation turns an n-D constant into
    nested arrays, one uniqued constant per innermost row: the CPU target's
    packed filters, [F / r, K, r] with r = 4 to 16, made 1.5 million of them
    for ResNet-50, whose compile went from 8 to 25 s. One-dimensional, each
    global is one constant. (A tensor-level reshape of the constant would be
    folded back.)
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def UnshareDestinations
    : Pass<"nncc-unshare-destinations", "::mlir::ModuleOp"> {
  let summary = "Give every destination-passing use its own tensor.empty "
                "(or linalg.fill of one)";
  let description = [{
    Runs right before One-Shot Bufferize. CSE merges identical tensor.empty
    ops, and linalg.fill ops of them: a chain of N same-shaped ops then
    shares one destination, every result lands in one alias set, and the
    bufferization analysis checks every read against every write of that
    set for every op: cubic in N (25 s for 800 Relu ops). Each use gets its
    own copy instead: analysis linear, and fills done in place rather than
    copied from one shared filled buffer.
  }];
}

def PadsInPlace : Pass<"nncc-pads-in-place", "::mlir::ModuleOp"> {
  let summary = "Compute a padded tensor's interior in the padded buffer";
  let description = [{
    Before bufferization, from -O1: a `tensor.pad` with a constant value
    whose source is computed into a `tensor.empty` (a linalg op's init, an
    scf.forall's shared output, an scf.for's iteration argument) becomes a
    padded tensor whose border (what the pad adds) is filled before that
    computation, whose interior slice is the computation's init instead of
    the empty, and an insert of the result into it. One-Shot Bufferize then
    writes the result in place into the padded buffer (the insert of a slice
    into the buffer it was taken from is no copy): the pad's fill of the
    whole buffer, its copy of the interior, and the unpadded buffer are
    gone. A source that is a `tensor.collapse_shape` of such a computation
    (a max pooling's gradient) gets the interior expanded back as its init.
    Readers of the source after the pad read the padded tensor's interior
    instead, or bufferization would compute the source into a buffer of its
    own and copy it in.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def BindBatchSize : Pass<"nncc-bind-batch-size", "::mlir::ModuleOp"> {
  let summary = "Give entries with a dynamic batch a batch-size argument";
  let description = [{
    After bufferization: the CPU lowering passes memrefs as bare pointers,
    which only static memrefs can be. So every dynamically shaped memref
    argument of an entry becomes a `memref<1xT>` (the same pointer) and the
    function gets a trailing `index` argument marked `nn.batch_size`; the
    body reads the argument through a `memref.reinterpret_cast` to its old
    type, its sizes being the static ones and the batch size for `?`
    (every dynamic size is the batch, NnDialect.td).
    nncc-generate-entry-points passes the C API's batch_size to it.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect",
                           "::mlir::arith::ArithDialect"];
}

def ResultsInPlace : Pass<"nncc-results-in-place", "::mlir::ModuleOp"> {
  let summary = "Compute results returned through a reshape in their output "
                "buffers";
  let description = [{
    After buffer-results-to-out-params, which makes a result's allocation
    the caller's output buffer only when the function returns that
    allocation itself: in each entry function (nn.entry), a `memref.copy`
    into an output buffer (an argument marked nn.result, used by nothing
    else) from an allocation of the buffer's type, seen through
    memref.expand_shape and memref.collapse_shape views and scf.for
    results that yield their iteration argument, goes when nothing uses
    that chain after the copy: the output buffer replaces the allocation.
    A training step's convolution weights are updated in their gradient's
    [F, C * KH * KW] shape by a loop and returned as the [F, C, KH, KW]
    view; without this pass each was copied into its state buffer at the
    end of the step.
  }];
}

def PlanWorkspace : Pass<"nncc-plan-workspace", "::mlir::ModuleOp"> {
  let summary = "Place the static temporaries of each entry in one workspace";
  let description = [{
    After bufferization and the deallocation pipeline: in each entry function
    (nn.entry), every statically shaped memref.alloc whose views stay in the
    function becomes a memref.view at a fixed offset of one workspace
    buffer, allocated at the function's start and freed at its end; its
    deallocations go. A buffer lives from the top-level op that allocates it
    to the last top-level op that uses it or a view of it, and buffers are
    placed first fit by decreasing size, so buffers whose lives do not
    overlap share bytes. Buffers with dynamic sizes, allocated inside an
    scf.forall or scf.parallel, or with a view that leaves through a
    terminator or a call stay allocations. Records the most bytes of static
    temporaries live at once, the plan's lower bound, in the module
    attribute `nncc.live_temporaries_bytes = {<entry> = N}`.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def MeasureWorkspace : Pass<"nncc-measure-workspace", "::mlir::ModuleOp"> {
  let summary = "Record the temporary memory each entry needs";
  let description = [{
    After nncc-plan-workspace: walks each entry function (nn.entry) in
    program order, adding the bytes of every statically shaped memref.alloc
    (the planned workspace among them) and subtracting them at its
    memref.dealloc, and records the peak, the most bytes of temporaries
    one call holds at once, in the module attribute
    `nncc.workspace_bytes = {<entry> = N}`. nncc --report-memory and the
    header's memory macros print it. libnnrt's arena adds a header of up
    to 128 bytes per buffer (runtime/src/workspace.c).
  }];
}

def AllocateThroughContext
    : Pass<"nncc-allocate-through-context", "::mlir::ModuleOp"> {
  let summary = "Route the heap allocations of generated code through the "
                "runtime context";
  let description = [{
    After finalize-memref-to-llvm with generic allocation functions, replaces
    calls to `_mlir_memref_to_llvm_aligned_alloc` / `_alloc` / `_free` with
    `nnrt_hook_alloc(ctx, ...)` / `nnrt_hook_free(ctx, ...)`, `ctx` being
    the enclosing function's `nn.context` argument: temporaries come from the
    context's workspace, with no global state. A null result (out of memory)
    returns from the function at once; the runtime has recorded the failure
    and the entry point reports it.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def GenerateEntryPoints
    : Pass<"nncc-generate-entry-points", "::mlir::ModuleOp"> {
  let summary = "Build the C entry points of a model from its contract";
  let description = [{
    Runs on the LLVM dialect, after the lowering of a module whose functions
    carry the contract (docs/contract.md). Builds, for model `model-name`:
    - `<model>_create(opts, &ctx)` and `<model>_destroy(ctx)`, the context
      holding one buffer pair per nn.parameter, initialized from its initial
      value (embedded as read-only data);
    - for each entry function `f`: `<model>_f(ctx, inputs..., outputs...)`
      and `<model>_f_packed(ctx, inputs[], outputs[])`, which check their
      arguments (nnrt_hook_enter), bind state buffers, call `f`, commit the
      state it wrote and end the call (nnrt_hook_leave);
    - nnrt_tensor_info tables of every entry's inputs and outputs with query
      functions (`<model>_num_inputs`, `<model>_input_info`, ... for `infer`,
      `<model>_f_num_inputs`, ... for other entries) and of the states;
    - for a module with state and a train_step entry,
      `<model>_save_checkpoint(ctx, path)` and `<model>_load_checkpoint`, and
      when the module keeps its ONNX model file (`nncc.model_file`, with
      `nncc.file_offset` on the nn.parameter ops stored in it),
      `<model>_save(ctx, path)` and `<model>_load`: calls of the runtime's
      file hooks with the state table (and the file's bytes and the offsets
      of the states in it).
    Everything else becomes internal to the object; nn.parameter ops and the
    model file attribute are removed.
  }];
  let options = [
    Option<"modelName", "model-name", "std::string", "\"model\"",
           "Prefix of the generated C symbols">,
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // NNCC_COMPILER_CODEGEN_COMMON_PASSES_TD
