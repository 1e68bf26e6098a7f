#!/usr/bin/env node
// An independent reading of a TF.js model's weights, for checking qrd's
// reader (tests/io/test_tensor_tfjs.c): parses model.json itself, joins
// each weightsManifest group's shards (relative to model.json's directory)
// into one buffer, and writes every float32 and int32 tensor's raw bytes,
// as stored (little-endian), to OUTDIR/NNNN.bin, NNNN its index in the
// manifest (counting every entry of every group).  OUTDIR/index.tsv lists
// index, name, dtype, shape (comma-separated) and element count.
//
//   node experiments/tools/tfjs_dump.js MODEL_JSON OUTDIR
//
// Uses nothing but Node's own fs and path (Node 18 or later).
'use strict';
const fs = require('fs');
const path = require('path');

function fail(msg) {
  process.stderr.write(`tfjs_dump: ${msg}\n`);
  process.exit(1);
}

const [modelJson, outDir] = process.argv.slice(2);
if (!modelJson || !outDir) fail('usage: node tfjs_dump.js MODEL_JSON OUTDIR');

let model;
try {
  model = JSON.parse(fs.readFileSync(modelJson, 'utf8'));
} catch (e) {
  fail(`${modelJson}: ${e.message}`);
}
if (!Array.isArray(model.weightsManifest)) fail(`${modelJson}: no weightsManifest array`);

const BYTES = { float32: 4, int32: 4 };
const dir = path.dirname(modelJson);
fs.mkdirSync(outDir, { recursive: true });
const rows = ['index\tname\tdtype\tshape\tcount'];
let index = 0, floats = 0;
model.weightsManifest.forEach((group, g) => {
  const data = Buffer.concat(group.paths.map((p) => fs.readFileSync(path.join(dir, p))));
  let at = 0;
  for (const w of group.weights) {
    if (w.quantization || !(w.dtype in BYTES))
      fail(`${modelJson}: tensor '${w.name}': dtype ${w.dtype}` +
           (w.quantization ? ' (quantized)' : ''));
    const count = w.shape.reduce((a, b) => a * b, 1);
    const bytes = count * BYTES[w.dtype];
    if (at + bytes > data.length)
      fail(`${modelJson}: tensor '${w.name}': group ${g} holds ${data.length} bytes, ` +
           `needs ${at + bytes}`);
    const file = String(index).padStart(4, '0') + '.bin';
    fs.writeFileSync(path.join(outDir, file), data.subarray(at, at + bytes));
    rows.push([index, w.name, w.dtype, w.shape.join(','), count].join('\t'));
    if (w.dtype === 'float32') floats += count;
    at += bytes;
    index++;
  }
});
fs.writeFileSync(path.join(outDir, 'index.tsv'), rows.join('\n') + '\n');
process.stdout.write(`${index} tensors, ${floats} float32 values\n`);
