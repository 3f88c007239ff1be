// Reads fp32 tensors from a safetensors file (8-byte header length, JSON header, raw data).
import type { BertShape, Weight } from './make-tiny-model-onnx.js';

/** A lookup of the file's F32 tensors by name; throws naming the tensor when it is missing. */
export function readSafetensors(bytes: Uint8Array): (name: string) => Weight {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] }
  >;
  const start = 8 + headerLength;
  return (name) => {
    const tensor = header[name];
    if (tensor?.dtype !== 'F32') throw new Error(`safetensors: no F32 tensor named ${name}`);
    const [from, to] = tensor.data_offsets;
    const data = new Float32Array((to - from) / 4);
    new Uint8Array(data.buffer).set(bytes.subarray(start + from, start + to));
    return { dims: tensor.shape, data };
  };
}

/** The encoder shape from a Hugging Face BERT or MPNet `config.json`. */
export function bertShapeFromConfig(config: Record<string, number> & { model_type?: string }): BertShape {
  return {
    family: config.model_type === 'mpnet' ? 'mpnet' : 'bert',
    relativeAttentionBuckets: config.relative_attention_num_buckets ?? 32,
    vocabSize: config.vocab_size!,
    hiddenSize: config.hidden_size!,
    numLayers: config.num_hidden_layers!,
    numHeads: config.num_attention_heads!,
    intermediateSize: config.intermediate_size!,
    maxPositions: config.max_position_embeddings!,
    typeVocabSize: config.type_vocab_size ?? 0,
    layerNormEpsilon: config.layer_norm_eps ?? 1e-12,
  };
}
