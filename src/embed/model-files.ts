import { AbortedError, ModelLoadError } from '../errors/index.js';
import { type PoolingConfig, poolingFromConfig } from './pooling.js';
import type { EmbedProgress } from './types.js';

/** Where a model's files come from. */
export interface ModelSourceOptions {
  /** Model id, e.g. `Xenova/all-MiniLM-L6-v2`; also the `{model}` in `baseUrl`. */
  model: string;
  /**
   * Base URL of the model folder. `{model}` is replaced by the id. Use a same-origin URL for files
   * bundled with an app or extension, e.g. `new URL('/models/{model}/', location.href).href`.
   * @default 'https://huggingface.co/{model}/resolve/main/'
   */
  baseUrl?: string;
  /**
   * ONNX file inside the model folder.
   * @default 'onnx/model_quantized.onnx'
   */
  modelFile?: string;
  /**
   * Cache API cache that keeps downloaded files, so a second load works offline; `false` disables it.
   * @default 'lumos-models'
   */
  cacheName?: string | false;
  /**
   * `fetch` used for every file.
   * @default globalThis.fetch
   */
  fetch?: typeof fetch;
  /** Overrides `1_Pooling/config.json` (mean vs CLS pooling) and whether vectors are L2-normalised. */
  pooling?: Partial<PoolingConfig>;
  /**
   * Longest input in tokens; longer texts are truncated (the head is kept).
   * @default the model's `max_position_embeddings` (512 for MiniLM) capped by `model_max_length`
   */
  maxLength?: number;
}

/** The downloaded model: bytes and parsed configuration, ready to hand to workers. */
export interface ModelFiles {
  modelId: string;
  modelFile: string;
  model: Uint8Array;
  tokenizerJson: object;
  tokenizerConfig: object;
  pooling: PoolingConfig;
  maxLength: number;
}

export const defaultBaseUrl = 'https://huggingface.co/{model}/resolve/main/';

/** Downloads (or reads from the Cache API) a model's ONNX, tokenizer and config files. */
export async function loadModelFiles(
  source: ModelSourceOptions,
  options: { signal?: AbortSignal; onProgress?: (progress: EmbedProgress) => void } = {},
): Promise<ModelFiles> {
  // `new URL('/models/{model}/', …).href` percent-encodes the braces; accept both spellings.
  const base = (source.baseUrl ?? defaultBaseUrl).replace(/\{model\}|%7Bmodel%7D/gi, source.model);
  const modelFile = source.modelFile ?? 'onnx/model_quantized.onnx';
  const fetcher = new FileFetcher(base, source, options);
  const [config, tokenizerJson, tokenizerConfig, poolingConfig] = await Promise.all([
    fetcher.json('config.json', true),
    fetcher.json('tokenizer.json', true),
    fetcher.json('tokenizer_config.json', false),
    fetcher.json('1_Pooling/config.json', false),
  ]);
  const model = await fetcher.bytes(modelFile, true);
  const positions = numberOr(config?.max_position_embeddings, 512);
  const declared = numberOr(tokenizerConfig?.model_max_length, positions);
  return {
    modelId: source.model,
    modelFile,
    model: model!,
    tokenizerJson: tokenizerJson!,
    tokenizerConfig: tokenizerConfig ?? {},
    pooling: {
      mode: source.pooling?.mode ?? poolingFromConfig(poolingConfig),
      normalize: source.pooling?.normalize ?? true,
    },
    maxLength: source.maxLength ?? Math.min(positions, declared),
  };
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}

class FileFetcher {
  readonly #fetch: typeof fetch;
  constructor(
    readonly base: string,
    readonly source: ModelSourceOptions,
    readonly options: { signal?: AbortSignal; onProgress?: (progress: EmbedProgress) => void },
  ) {
    this.#fetch = source.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  async json(file: string, required: true): Promise<Record<string, unknown>>;
  async json(file: string, required: false): Promise<Record<string, unknown> | undefined>;
  async json(file: string, required: boolean): Promise<Record<string, unknown> | undefined> {
    const bytes = await this.bytes(file, required);
    if (!bytes) return undefined;
    try {
      return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
    } catch (error) {
      throw this.#error(file, 'is not valid JSON', error);
    }
  }

  async bytes(file: string, required: boolean): Promise<Uint8Array | undefined> {
    const url = new URL(file, this.base).href;
    const cache = await this.#cache();
    const cached = await cache?.match(url);
    const response = cached ?? (await this.#download(url, file));
    if (!response.ok) {
      if (!required && response.status === 404) return undefined;
      throw this.#error(file, `answered HTTP ${response.status}`);
    }
    const bytes = await this.#read(response, file);
    if (!cached && cache) {
      await cache
        .put(url, new Response(bytes, { headers: { 'content-type': 'application/octet-stream' } }))
        .catch(() => {});
    }
    return bytes;
  }

  async #download(url: string, file: string): Promise<Response> {
    try {
      const init: RequestInit = this.options.signal ? { signal: this.options.signal } : {};
      return await this.#fetch(url, init);
    } catch (error) {
      if (this.options.signal?.aborted)
        throw new AbortedError(`Loading ${file} was aborted.`, { cause: error });
      throw this.#error(file, 'could not be downloaded', error);
    }
  }

  /** Reads the body in chunks so a UI sees download progress. */
  async #read(response: Response, file: string): Promise<Uint8Array<ArrayBuffer>> {
    const length = Number(response.headers.get('content-length'));
    const total = Number.isFinite(length) && length > 0 ? length : undefined;
    const reader = response.body?.getReader();
    if (!reader) return new Uint8Array(await response.arrayBuffer());
    const chunks: Uint8Array[] = [];
    let loaded = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        loaded += value.byteLength;
        this.options.onProgress?.({ stage: 'download', file, loaded, total });
      }
    } catch (error) {
      if (this.options.signal?.aborted)
        throw new AbortedError(`Loading ${file} was aborted.`, { cause: error });
      throw this.#error(file, 'broke off while downloading', error);
    }
    if (total !== undefined && loaded !== total)
      throw this.#error(file, `is truncated (${loaded} of ${total} bytes)`);
    const bytes = new Uint8Array(loaded);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return bytes;
  }

  async #cache(): Promise<Cache | undefined> {
    const name = this.source.cacheName ?? 'lumos-models';
    const storage = (globalThis as { caches?: CacheStorage }).caches;
    if (name === false || !storage) return undefined;
    return storage.open(name).catch(() => undefined);
  }

  #error(file: string, problem: string, cause?: unknown): ModelLoadError {
    return new ModelLoadError(`Model file ${file} of ${this.source.model} ${problem}.`, {
      cause,
      data: { file, url: new URL(file, this.base).href, modelId: this.source.model },
      hint: 'Check baseUrl/model, your network, or run `npx tsx scripts/fetch-model.ts` for local files.',
    });
  }
}
