import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import { emitWasm } from './scripts/vite/emit-wasm.js';
import { plainAssetUrls } from './scripts/vite/plain-asset-urls.js';

// One library entry per capability folder that has a barrel, plus the root index.
const capabilities = readdirSync('src', { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(`src/${entry.name}/index.ts`))
  .map((entry) => entry.name);

const entry = Object.fromEntries([
  ['index', resolve('src/index.ts')],
  ...capabilities.map((name) => [name, resolve(`src/${name}/index.ts`)]),
]);

const pkg = await import('./package.json', { with: { type: 'json' } });
const dependencies = Object.keys(pkg.default.dependencies ?? {});

export default defineConfig({
  base: './',
  build: {
    lib: { entry, formats: ['es'] },
    target: 'es2022',
    sourcemap: true,
    minify: false,
    // Keep workers and .wasm as separate files resolved through `new URL(..., import.meta.url)`:
    // data: URLs would break MV3 extensions and strict CSPs.
    assetsInlineLimit: 0,
    rolldownOptions: {
      external: (id) =>
        dependencies.some((name) => id === name || id.startsWith(`${name}/`)) || id.startsWith('node:'),
    },
  },
  plugins: [emitWasm(), plainAssetUrls()],
  worker: { format: 'es', plugins: () => [emitWasm(), plainAssetUrls()] },
});
