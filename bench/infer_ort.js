// infer_ort.js - times ONNX Runtime's inference of a model (bench/infer.sh).
//
//   NODE_PATH=<node_modules> node infer_ort.js MODEL INPUT OUTPUT THREADS \
//     WARMUP RUNS
//
// Loads MODEL (one f32 input, its shape from the model) with onnxruntime-node
// at THREADS intra-op threads (one inter-op thread, sequential execution,
// all graph optimizations), reads the input from INPUT (raw f32), calls
// session.run WARMUP times untimed and RUNS times timed one by one
// (process.hrtime.bigint, the await included), writes the first output of
// the last call to OUTPUT (raw f32) and prints "ms <median> runs <RUNS>
// version <onnxruntime-node's version>".
'use strict';

const fs = require('fs');
const ort = require('onnxruntime-node');
const { version } = require('onnxruntime-node/package.json');

async function main() {
  const [model, inputPath, outputPath, threads, warmup, runs] =
    process.argv.slice(2);
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: Number(threads),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const bytes = fs.readFileSync(inputPath);
  // A copy: the Buffer's offset into its pool need not be 4-byte aligned.
  const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset,
    bytes.byteOffset + bytes.length));
  const meta = session.inputMetadata[0];
  const feeds = { [meta.name]: new ort.Tensor('float32', data, meta.shape) };

  let results;
  for (let i = 0; i < Number(warmup); ++i) results = await session.run(feeds);
  const times = [];
  for (let i = 0; i < Number(runs); ++i) {
    const start = process.hrtime.bigint();
    results = await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  const out = results[session.outputNames[0]].data;
  fs.writeFileSync(outputPath,
    Buffer.from(out.buffer, out.byteOffset, out.byteLength));
  times.sort((a, b) => a - b);
  // The upper median, as bench/timing.h takes it.
  const median = times[Math.floor(times.length / 2)];
  console.log(`ms ${median.toFixed(4)} runs ${times.length} version ${version}`);
}

main().catch((error) => {
  console.error(`infer_ort: ${error.message || error}`);
  process.exit(1);
});
