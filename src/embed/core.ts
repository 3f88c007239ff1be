import type * as Ort from 'onnxruntime-web';
import { InvalidArgumentError, ModelLoadError, UnsupportedError } from '../errors/index.js';
import { Comlink } from '../worker/index.js';
import { type PoolingConfig, pool } from './pooling.js';
import { TextTokenizer } from './tokenize.js';

/** The parts of onnxruntime (web or node) the core uses; tests and Node users may inject `onnxruntime-node`. */
export type OrtRuntime = Pick<typeof Ort, 'InferenceSession' | 'Tensor' | 'env'>;

/** Execution backend. `webgpu` is opt-in and trusted only after it matches WASM on a probe batch. */
export type EmbedBackend = 'wasm' | 'webgpu';

/** Everything a worker needs to run a model; the main thread downloads the files once. */
export interface CoreLoadRequest {
  modelId: string;
  /** ONNX bytes. */
  model: Uint8Array;
  /** Name of the ONNX file, for error messages. */
  modelFile: string;
  tokenizerJson: object;
  tokenizerConfig: object;
  maxLength: number;
  pooling: PoolingConfig;
  backend: EmbedBackend;
  /** WASM threads inside this worker (only used when the page is cross-origin isolated). */
  threads: number;
  /** Where ORT's `.wasm`/`.mjs` live; unset = next to ORT's own module, i.e. our origin. */
  wasmPaths?: string | { wasm?: string; mjs?: string };
  /**
   * ORT graph optimisation at session creation. The int8 MiniLM dequantises its weights in the
   * graph (Cast × scale): `disabled` redoes that on every run (single query ≈ 1.5× slower);
   * `all` folds it once and fuses ops (measured fastest for single queries).
   * @default 'all'
   */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /** Upper bound of batch × token length per inference call (a call holds one length). */
  maxBatchTokens: number;
  maxBatchSize: number;
}

/** Where a worker's load time went: ORT module + WASM start, session creation, first inference. */
export interface CoreLoadTimings {
  runtimeMs: number;
  sessionMs: number;
  probeMs: number;
}

export interface CoreLoadResult {
  dimension: number;
  /** The backend really used: `webgpu` falls back to `wasm` when unavailable or when it disagrees. */
  backend: EmbedBackend;
  /** Why the requested backend was not used, when it was not. */
  fallbackReason?: string;
  timings?: CoreLoadTimings;
}

/** Options of `createEmbedCore`. */
export interface EmbedCoreOptions {
  /**
   * Returns the ONNX runtime for a backend.
   * @default `onnxruntime-web/wasm` (`/webgpu` for WebGPU) in browsers, `onnxruntime-web` in Node
   */
  runtime?: (backend: EmbedBackend) => Promise<OrtRuntime>;
}

type Session = Ort.InferenceSession;

const probeTexts = ['WebGPU check: the quick brown fox jumps over the lazy dog.', 'A second, shorter probe.'];

/**
 * The worker-side embedding core: tokenizes, batches by token length, runs ONNX, pools.
 * Plain TypeScript; a worker exposes it with `exposeCore(createEmbedCore())`, tests call it directly.
 */
export function createEmbedCore(options: EmbedCoreOptions = {}) {
  const runtimeFor = options.runtime ?? defaultRuntime;
  let loaded:
    | { request: CoreLoadRequest; runtime: OrtRuntime; session: Session; tokenizer: TextTokenizer }
    | undefined;
  let dimension = 0;
  let timings: CoreLoadTimings = { runtimeMs: 0, sessionMs: 0, probeMs: 0 };

  async function createSession(runtime: OrtRuntime, request: CoreLoadRequest, backend: EmbedBackend) {
    configureWasm(runtime, request);
    try {
      // Default providers: `wasm` in onnxruntime-web, `cpu` in onnxruntime-node.
      return await runtime.InferenceSession.create(request.model, {
        ...(backend === 'webgpu' ? { executionProviders: ['webgpu'] } : {}),
        graphOptimizationLevel: request.graphOptimizationLevel ?? 'all',
      });
    } catch (error) {
      throw new ModelLoadError(
        `${request.modelFile} of ${request.modelId} could not be loaded as an ONNX model.`,
        {
          cause: error,
          data: { file: request.modelFile, modelId: request.modelId, backend },
          hint: 'The file is missing, truncated or not ONNX: fetch it again (npx tsx scripts/fetch-model.ts) or clear the model cache.',
        },
      );
    }
  }

  async function run(
    runtime: OrtRuntime,
    session: Session,
    request: CoreLoadRequest,
    tokenized: number[][],
  ): Promise<Float32Array> {
    const batch = tokenized.length;
    const sequence = Math.max(...tokenized.map((ids) => ids.length));
    const ids = new BigInt64Array(batch * sequence);
    const mask = new BigInt64Array(batch * sequence);
    tokenized.forEach((row, index) => {
      row.forEach((id, position) => {
        ids[index * sequence + position] = BigInt(id);
        mask[index * sequence + position] = 1n;
      });
    });
    const dims = [batch, sequence];
    const feeds: Record<string, Ort.Tensor> = {
      input_ids: new runtime.Tensor('int64', ids, dims),
      attention_mask: new runtime.Tensor('int64', mask, dims),
    };
    if (session.inputNames.includes('token_type_ids')) {
      feeds.token_type_ids = new runtime.Tensor('int64', new BigInt64Array(batch * sequence), dims);
    }
    const outputs = await session.run(feeds);
    const hidden = outputs.last_hidden_state ?? outputs[session.outputNames[0]!]!;
    const hiddenSize = Number(hidden.dims[2]);
    const data = hidden.data as Float32Array;
    for (const output of Object.values(outputs)) output.dispose?.();
    return pool(data, mask, [batch, sequence, hiddenSize], request.pooling);
  }

  /**
   * Splits sorted token lists into calls that respect the batch-size and token budgets. A call
   * holds texts of one token length only: nothing is padded, so a text's vector never depends on
   * what it was batched with (padding shifts attention sums by ~1e-7, which a model that
   * quantises its activations turns into ~1e-2), and small unpadded calls measured faster than
   * large padded ones (400 README paragraphs in Node WASM: 12.5 vs 8.1 texts/s).
   */
  function plan(order: number[], tokenized: number[][], request: CoreLoadRequest): number[][] {
    const groups: number[][] = [];
    let current: number[] = [];
    for (const index of order) {
      const length = tokenized[index]!.length;
      if (
        current.length &&
        (length !== tokenized[current[0]!]!.length ||
          current.length + 1 > request.maxBatchSize ||
          (current.length + 1) * length > request.maxBatchTokens)
      ) {
        groups.push(current);
        current = [];
      }
      current.push(index);
    }
    if (current.length) groups.push(current);
    return groups;
  }

  async function embedWith(
    runtime: OrtRuntime,
    session: Session,
    request: CoreLoadRequest,
    tokenizer: TextTokenizer,
    texts: string[],
  ) {
    const tokenized = texts.map((text) => tokenizer.encode(text));
    const order = tokenized
      .map((_, index) => index)
      .sort((a, b) => tokenized[a]!.length - tokenized[b]!.length);
    let out: Float32Array | undefined;
    for (const group of plan(order, tokenized, request)) {
      const pooled = await run(
        runtime,
        session,
        request,
        group.map((index) => tokenized[index]!),
      );
      const width = pooled.length / group.length;
      out ??= new Float32Array(texts.length * width);
      const target = out;
      group.forEach((index, position) => {
        target.set(pooled.subarray(position * width, (position + 1) * width), index * width);
      });
    }
    return out ?? new Float32Array(0);
  }

  return {
    /** Loads the model; for `webgpu`, checks it against WASM first and falls back when they disagree. */
    async load(request: CoreLoadRequest): Promise<CoreLoadResult> {
      const started = performance.now();
      const tokenizer = new TextTokenizer(request.tokenizerJson, request.tokenizerConfig, request.maxLength);
      const wasmRuntime = await runtimeFor('wasm');
      const runtimeReady = performance.now();
      const wasmSession = await createSession(wasmRuntime, request, 'wasm');
      const sessionReady = performance.now();
      // One short probe learns the dimension and warms the session; WebGPU checks need the full set.
      const probe = request.backend === 'webgpu' ? probeTexts : probeTexts.slice(1);
      const reference = await embedWith(wasmRuntime, wasmSession, request, tokenizer, probe);
      timings = {
        runtimeMs: runtimeReady - started,
        sessionMs: sessionReady - runtimeReady,
        probeMs: performance.now() - sessionReady,
      };
      dimension = reference.length / probe.length;
      loaded = { request, runtime: wasmRuntime, session: wasmSession, tokenizer };
      if (request.backend !== 'webgpu') return { dimension, backend: 'wasm', timings };
      const fallbackReason = await tryWebGpu(request, tokenizer, reference);
      return fallbackReason === undefined
        ? { dimension, backend: 'webgpu', timings }
        : { dimension, backend: 'wasm', fallbackReason, timings };
    },

    /** Embeds `texts` and returns one packed, transferred `Float32Array` of `texts.length × dimension`. */
    async embedBatch(texts: string[]): Promise<Float32Array> {
      if (!loaded)
        throw new InvalidArgumentError('embedBatch called before load.', { hint: 'Call load() first.' });
      if (!Array.isArray(texts) || texts.some((text) => typeof text !== 'string')) {
        throw new InvalidArgumentError('embedBatch expects an array of strings.');
      }
      const out = await embedWith(loaded.runtime, loaded.session, loaded.request, loaded.tokenizer, texts);
      return Comlink.transfer(out, [out.buffer]);
    },

    /** Token ids as the model sees them (after truncation); for tests and debugging. */
    async tokenize(text: string): Promise<number[]> {
      if (!loaded)
        throw new InvalidArgumentError('tokenize called before load.', { hint: 'Call load() first.' });
      return loaded.tokenizer.encode(text);
    },

    async dispose(): Promise<void> {
      await loaded?.session.release();
      loaded = undefined;
    },
  };

  async function tryWebGpu(request: CoreLoadRequest, tokenizer: TextTokenizer, reference: Float32Array) {
    const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator
      ?.gpu;
    if (!gpu || !(await gpu.requestAdapter().catch(() => null))) return 'WebGPU is not available here.';
    try {
      const runtime = await runtimeFor('webgpu');
      const session = await createSession(runtime, request, 'webgpu');
      const candidate = await embedWith(runtime, session, request, tokenizer, probeTexts);
      const worst = worstCosine(reference, candidate, dimension);
      if (worst < 0.999) {
        await session.release();
        return `WebGPU output disagreed with WASM (cosine ${worst.toFixed(4)} < 0.999).`;
      }
      loaded = { request, runtime, session, tokenizer };
      return undefined;
    } catch (error) {
      return `WebGPU failed: ${(error as Error).message}`;
    }
  }
}

export type EmbedCore = ReturnType<typeof createEmbedCore>;

function worstCosine(a: Float32Array, b: Float32Array, dimension: number): number {
  let worst = 1;
  for (let offset = 0; offset < a.length; offset += dimension) {
    let dot = 0;
    for (let index = 0; index < dimension; index++) dot += a[offset + index]! * b[offset + index]!;
    worst = Math.min(worst, dot);
  }
  return worst;
}

function configureWasm(runtime: OrtRuntime, request: CoreLoadRequest): void {
  const wasm = runtime.env.wasm;
  if (!wasm) return;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  wasm.numThreads = isolated ? Math.max(1, request.threads) : 1;
  if (request.wasmPaths !== undefined) wasm.wasmPaths = request.wasmPaths;
}

const isNode = () => typeof process !== 'undefined' && typeof process.versions?.node === 'string';

async function defaultRuntime(backend: EmbedBackend): Promise<OrtRuntime> {
  if (isNode()) {
    if (backend === 'webgpu') throw new UnsupportedError('WebGPU is not available in Node.');
    return (await import('onnxruntime-web')) as OrtRuntime;
  }
  return backend === 'webgpu'
    ? ((await import('onnxruntime-web/webgpu')) as OrtRuntime)
    : ((await import('onnxruntime-web/wasm')) as OrtRuntime);
}
