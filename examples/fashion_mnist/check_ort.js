// check_ort.js - runs the ONNX model that train.c saved with ONNX Runtime.
//
//   NODE_PATH=<dir>/node_modules node check_ort.js TRAINED.onnx \
//       t10k-images-idx3-ubyte t10k-labels-idx1-ubyte test-predictions.txt \
//       [max-differing]
//
// Classifies the 10,000 Fashion-MNIST test images (decompressed idx files,
// pixels p as p / 255) with onnxruntime-node, one thread, in batches of the
// model's fixed batch size (the last batch padded with zero images whose
// rows are ignored), and compares with the predictions of nncc's final model
// (train.c's test-predictions.txt): prints both accuracies and the number of
// differing predictions, and exits 1 when more than max-differing (default
// 2) differ. They need not all be equal: ONNX Runtime and nncc sum the
// products of the convolutions and matrix products in different orders, so
// an image whose two best logits are (nearly) tied may flip.
//
// onnxruntime-node is the npm package (train.sh installs it with
// `npm install --ignore-scripts onnxruntime-node@1.30` into its output
// directory and sets NODE_PATH).

"use strict";

const fs = require("fs");
const path = require("path");

const IMAGE_SIZE = 28 * 28;
const NUM_CLASSES = 10;

function fail(message) {
  console.error(`check_ort.js: ${message}`);
  process.exit(1);
}

// Returns {dims, data} of an uncompressed idx file.
function readIdx(file, magic, ndim) {
  const bytes = fs.readFileSync(file);
  const headerSize = 4 + 4 * ndim;
  if (bytes.length < headerSize) fail(`${file}: truncated idx header`);
  if (bytes.readUInt32BE(0) !== magic)
    fail(`${file}: magic ${bytes.readUInt32BE(0)}, expected ${magic}`);
  const dims = [];
  for (let i = 0; i < ndim; ++i) dims.push(bytes.readUInt32BE(4 + 4 * i));
  const count = dims.reduce((a, b) => a * b, 1);
  if (bytes.length - headerSize !== count)
    fail(`${file}: expected ${count} bytes of data`);
  return { dims, data: bytes.subarray(headerSize) };
}

async function main() {
  const args = process.argv.slice(2);
  if (args.length < 4 || args.length > 5)
    fail(
      "usage: check_ort.js TRAINED.onnx t10k-images-idx3-ubyte " +
        "t10k-labels-idx1-ubyte test-predictions.txt [max-differing]",
    );
  const [modelPath, imagesPath, labelsPath, predictionsPath] = args;
  const maxDiffering = args.length === 5 ? Number(args[4]) : 2;

  let ort;
  try {
    ort = require("onnxruntime-node");
  } catch (error) {
    fail(
      `cannot load onnxruntime-node (${error.message}); install it with ` +
        "`npm install --ignore-scripts onnxruntime-node@1.30` and set NODE_PATH",
    );
  }

  const images = readIdx(imagesPath, 2051, 3);
  const labels = readIdx(labelsPath, 2049, 1);
  const total = labels.dims[0];
  if (images.dims[0] !== total || images.dims[1] * images.dims[2] !== IMAGE_SIZE)
    fail("the idx files do not hold matching 28x28 images and labels");
  const nncc = fs
    .readFileSync(predictionsPath, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map(Number);
  if (nncc.length !== total)
    fail(`${predictionsPath}: ${nncc.length} predictions, expected ${total}`);

  const session = await ort.InferenceSession.create(modelPath, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  const inputName = session.inputNames[0];
  const outputName = session.outputNames[0];
  const meta = session.inputMetadata && session.inputMetadata[0];
  const batch = meta && meta.shape ? Number(meta.shape[0]) : 64;
  if (!(batch > 0)) fail(`cannot tell the model's batch size (${meta.shape})`);

  const input = new Float32Array(batch * IMAGE_SIZE);
  let correct = 0;
  let nnccCorrect = 0;
  let differing = 0;
  for (let start = 0; start < total; start += batch) {
    const rows = Math.min(batch, total - start);
    input.fill(0);
    for (let i = 0; i < rows * IMAGE_SIZE; ++i)
      input[i] = images.data[start * IMAGE_SIZE + i] / 255;
    const feeds = {};
    feeds[inputName] = new ort.Tensor("float32", input, [batch, 1, 28, 28]);
    const results = await session.run(feeds);
    const logits = results[outputName].data;
    for (let i = 0; i < rows; ++i) {
      let best = 0;
      for (let c = 1; c < NUM_CLASSES; ++c)
        if (logits[i * NUM_CLASSES + c] > logits[i * NUM_CLASSES + best])
          best = c;
      const label = labels.data[start + i];
      correct += best === label;
      nnccCorrect += nncc[start + i] === label;
      differing += best !== nncc[start + i];
    }
  }
  const pct = (n) => ((100 * n) / total).toFixed(2);
  console.log(
    `ONNX Runtime ${require("onnxruntime-node/package.json").version} on ` +
      `${path.basename(modelPath)} (batch ${batch}): ${correct} / ${total} = ` +
      `${pct(correct)}%; nncc: ${nnccCorrect} / ${total} = ` +
      `${pct(nnccCorrect)}%; predictions differ on ${differing} image` +
      `${differing === 1 ? "" : "s"}`,
  );
  if (differing > maxDiffering) {
    console.log(
      `matches nncc: NO (at most ${maxDiffering} differing predictions ` +
        "are allowed)",
    );
    process.exit(1);
  }
  console.log("matches nncc: yes");
}

main().catch((error) => fail(error.stack || String(error)));
