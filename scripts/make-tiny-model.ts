// Generates test/fixtures/tiny-bert/: a BERT-shaped ONNX encoder with deterministic random weights
// (hidden 32, 2 layers, 4 heads, 64 positions), a WordPiece tokenizer.json whose vocabulary covers
// any lowercase ASCII text, and the config files transformers.js and sentence-transformers use.
// Small enough to commit; unit tests load it to exercise the real loading and inference path.
// Usage: npx tsx scripts/make-tiny-model.ts
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type BertShape, buildBertOnnx, type Weight } from './make-tiny-model-onnx.js';

const root = join(dirname(new URL(import.meta.url).pathname), '..');
const out = join(root, 'test/fixtures/tiny-bert');

const special = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
const characters = [...'abcdefghijklmnopqrstuvwxyz0123456789'];
const punctuation = [...'.,!?;:\'"()-/'];
const words = (
  'the a an and or of to in on is are was be it this that with for as by at from not no yes ' +
  'cat dog bird fish car road city sea sun rain snow tree house book code model vector search ' +
  'browser worker memory agent tool'
).split(' ');
const vocabList = [...special, ...characters, ...punctuation, ...characters.map((c) => `##${c}`), ...words];
const vocab = Object.fromEntries(vocabList.map((token, index) => [token, index]));

const shape: BertShape = {
  vocabSize: vocabList.length,
  hiddenSize: 32,
  numLayers: 2,
  numHeads: 4,
  intermediateSize: 64,
  maxPositions: 64,
  typeVocabSize: 2,
  layerNormEpsilon: 1e-12,
};

/** mulberry32: a tiny seeded PRNG so the weights are the same on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const next = random(20261122);
function weight(name: string): Weight {
  const h = shape.hiddenSize;
  const dims = tensorDims(name, h);
  const size = dims.reduce((product, dim) => product * dim, 1);
  const data = new Float32Array(size);
  const isNorm = name.includes('LayerNorm');
  for (let index = 0; index < size; index++) {
    if (isNorm) data[index] = name.endsWith('weight') ? 1 : 0;
    else data[index] = (next() - 0.5) * (name.endsWith('bias') ? 0.02 : 0.4);
  }
  return { dims, data };
}

function tensorDims(name: string, h: number): number[] {
  if (name === 'embeddings.word_embeddings.weight') return [shape.vocabSize, h];
  if (name === 'embeddings.position_embeddings.weight') return [shape.maxPositions, h];
  if (name === 'embeddings.token_type_embeddings.weight') return [shape.typeVocabSize, h];
  if (name.includes('intermediate.dense'))
    return name.endsWith('weight') ? [shape.intermediateSize, h] : [shape.intermediateSize];
  if (name.endsWith('output.dense.weight') && !name.includes('attention')) return [h, shape.intermediateSize];
  return name.endsWith('weight') && !name.includes('LayerNorm') ? [h, h] : [h];
}

const specialToken = (id: string) => ({ SpecialToken: { id, type_id: 0 } });
const tokenizer = {
  version: '1.0',
  truncation: null,
  padding: null,
  added_tokens: special.map((content, id) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  })),
  normalizer: {
    type: 'BertNormalizer',
    clean_text: true,
    handle_chinese_chars: true,
    strip_accents: null,
    lowercase: true,
  },
  pre_tokenizer: { type: 'BertPreTokenizer' },
  post_processor: {
    type: 'TemplateProcessing',
    single: [specialToken('[CLS]'), { Sequence: { id: 'A', type_id: 0 } }, specialToken('[SEP]')],
    pair: [
      specialToken('[CLS]'),
      { Sequence: { id: 'A', type_id: 0 } },
      specialToken('[SEP]'),
      { Sequence: { id: 'B', type_id: 1 } },
      { SpecialToken: { id: '[SEP]', type_id: 1 } },
    ],
    special_tokens: {
      '[CLS]': { id: '[CLS]', ids: [vocab['[CLS]']], tokens: ['[CLS]'] },
      '[SEP]': { id: '[SEP]', ids: [vocab['[SEP]']], tokens: ['[SEP]'] },
    },
  },
  decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
  model: {
    type: 'WordPiece',
    unk_token: '[UNK]',
    continuing_subword_prefix: '##',
    max_input_chars_per_word: 100,
    vocab,
  },
};
const tokenizerConfig = {
  do_lower_case: true,
  model_max_length: shape.maxPositions,
  tokenizer_class: 'BertTokenizer',
  unk_token: '[UNK]',
  sep_token: '[SEP]',
  pad_token: '[PAD]',
  cls_token: '[CLS]',
  mask_token: '[MASK]',
};
const config = {
  architectures: ['BertModel'],
  model_type: 'bert',
  hidden_act: 'gelu',
  hidden_size: shape.hiddenSize,
  intermediate_size: shape.intermediateSize,
  num_attention_heads: shape.numHeads,
  num_hidden_layers: shape.numLayers,
  max_position_embeddings: shape.maxPositions,
  type_vocab_size: shape.typeVocabSize,
  vocab_size: shape.vocabSize,
  layer_norm_eps: shape.layerNormEpsilon,
  pad_token_id: 0,
};
const pooling = {
  word_embedding_dimension: shape.hiddenSize,
  pooling_mode_cls_token: false,
  pooling_mode_mean_tokens: true,
};

const json = (value: unknown) => `${JSON.stringify(value, null, 1)}\n`;
mkdirSync(join(out, 'onnx'), { recursive: true });
mkdirSync(join(out, '1_Pooling'), { recursive: true });
writeFileSync(join(out, 'onnx/model.onnx'), buildBertOnnx(shape, weight));
writeFileSync(join(out, 'tokenizer.json'), json(tokenizer));
writeFileSync(join(out, 'tokenizer_config.json'), json(tokenizerConfig));
writeFileSync(join(out, 'config.json'), json(config));
writeFileSync(join(out, '1_Pooling/config.json'), json(pooling));
// Format the JSON files as the repo's formatter would, so regenerating leaves no diff.
execFileSync('npx', ['biome', 'format', '--write', out], { stdio: 'ignore' });
console.log(`make-tiny-model: wrote ${out}`);
