//===- Passes.td - CPU code generation passes --------------*- tablegen -*-===//

#ifndef NNCC_COMPILER_CODEGEN_CPU_PASSES_TD
#define NNCC_COMPILER_CODEGEN_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def SetTarget : Pass<"nncc-set-target", "::mlir::ModuleOp"> {
  let summary = "Record the target triple on the module";
  let description = [{
    Sets `llvm.target_triple`, which the translation to LLVM IR copies into
    the LLVM module, so that the IR at every later stage names its target.
  }];
  let options = [
    Option<"triple", "triple", "std::string", "\"\"",
           "Target triple (empty: the host's)">,
  ];
}

def StridedCopyToLinalg
    : Pass<"nncc-strided-copy-to-linalg", "::mlir::func::FuncOp"> {
  let summary = "Turn strided memref.copy into linalg.copy; split large copies and fills over the threads";
  let description = [{
    Bufferization copies into strided views (e.g. the interior of a padded
    buffer). Lowered as they are, such copies call `memrefCopy` from MLIR's
    C runner utilities, which generated objects cannot link against. As
    linalg.copy they become ordinary loops, over the trailing dimensions that
    are contiguous on both sides collapsed into one (a padded blocked
    tensor's interior is rows of W * b floats, copied as vectors, not W rows
    of b). Copies between contiguous buffers are left alone: they lower to
    memcpy. Copies and fills (a pad's) of at least
    CpuMachine::parallelMinIterations elements that are not already in a
    parallel loop get their first dimension of more than one iteration
    split by an scf.forall, for nncc-cpu-parallelize: they come after the
    tiling pass, and ran on the calling thread alone.
  }];
  let dependentDialects = [
    "::mlir::affine::AffineDialect", "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect", "::mlir::scf::SCFDialect"
  ];
}

def CpuBlockChannels
    : Pass<"nncc-cpu-block-channels", "::mlir::func::FuncOp"> {
  let summary = "Run convolutions over blocks of channels";
  let description = [{
    On linalg over tensors, before nncc-cpu-tile-and-vectorize: rewrites each
    2-D convolution with a constant filter whose channel counts split into
    blocks of whole vectors over the layout [N, C / b, H, W, b] (its filter
    packed at compile time to [F / b, C / b, KH, KW, b, b]), between a
    linalg.pack of its input and a linalg.unpack of its result; moves the
    packs and unpacks through the elementwise ops and pads between
    convolutions until they cancel, and lowers those left to copies. Then
    does the same for each convolution with a parameter filter that reads a
    few input channels unblocked (its filter packed by a transpose when it
    runs), its result unpacked in place.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "unsigned", "128",
           "Widest vector register in bits (128, 256, 512)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def CpuTileAndVectorize
    : Pass<"nncc-cpu-tile-and-vectorize", "::mlir::func::FuncOp"> {
  let summary = "Register tiles for contractions, fused with their epilogues";
  let description = [{
    On linalg over tensors, before bufferization: fuses elementwise chains,
    each computed into an input it reads last when a computation made it;
    tiles convolutions over blocks of channels (nncc-cpu-block-channels'
    generics) and 2-D convolutions with few filters directly (one kernel
    tap per step), turns the others into im2col copies and batched contractions (per
    image when only one image's copy fits); packs constant matmul B operands
    into panels; tiles every f32 contraction (with its elementwise consumer
    as the root and the fill of its accumulator fused in) into register
    tiles, an scf.forall over rows of tiles and a peeled scf.for over the
    tiles of a row, streams K with an scf.for and vectorizes the tiles;
    splits the outer loop of other large ops with an scf.forall; vectorizes
    the short contiguous rows of other all-parallel ops (im2col copies,
    unfused elementwise ops) one row at a time. Sizes come
    from the cost model in TileSizes.h. Ops it cannot handle are left for
    the loop lowering.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "unsigned", "128",
           "Widest vector register in bits (128, 256, 512)">,
    Option<"l2Bytes", "l2-bytes", "unsigned", "2097152",
           "One core's L2 cache in bytes (2 MiB: a Xeon's)">,
  ];
  let dependentDialects = [
    "::mlir::affine::AffineDialect", "::mlir::arith::ArithDialect",
    "::mlir::scf::SCFDialect", "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def CpuLowerVectors : Pass<"nncc-cpu-lower-vectors", "::mlir::func::FuncOp"> {
  let summary = "Lower the register tiles' n-D vector ops to 1-D ops";
  let description = [{
    After bufferization: hoists the accumulator transfers out of the K loops,
    fuses adjacent K loops over the same steps whose accumulators fit the
    registers together, prefetches before a K loop the lines its epilogue
    reads from a memref larger than the cache (and those that the next block
    of input channels, or the next tile of a blocked product, reads), lowers
    contractions to outer products and FMAs, and unrolls n-D transfers,
    shape casts, transposes and broadcasts into 1-D vector ops. With
    AVX-512, a 1-D load or store of f32 narrower than a register and of a
    ragged width (14 of 16 lanes) becomes one masked load or store.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "unsigned", "128",
           "Widest vector register in bits (128, 256, 512): the register "
           "budget of fused K loops; with 512, vectors of a ragged width "
           "load and store under a mask">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect", "::mlir::ub::UBDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def CpuParallelize : Pass<"nncc-cpu-parallelize", "::mlir::ModuleOp"> {
  let summary = "Run outermost scf.forall loops on libnnrt's thread pool";
  let description = [{
    After bufferization: outlines the body of every outermost scf.forall in
    a function with the runtime context into a function over a range of the
    linearized iterations, and replaces the loop with a call to
    `nnrt_parallel_for` (runtime/include/nnrt/parallel.h), passing the
    values the body uses in a closure of 64-bit slots on the stack. Loops
    whose body allocates, or uses a value that fits no slot, stay serial.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::LLVM::LLVMDialect",
    "::mlir::memref::MemRefDialect", "::mlir::scf::SCFDialect"
  ];
}

#endif // NNCC_COMPILER_CODEGEN_CPU_PASSES_TD
