import { cpSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

const repo = resolve(import.meta.dirname, '../..');
const outDir = resolve(repo, 'demo/extension/dist');

/** Ships the manifest and the int8 model inside the extension: MV3 allows no remote code or models. */
function packageExtension(): Plugin {
  return {
    name: 'lumos:package-extension',
    closeBundle() {
      cpSync(resolve(repo, 'demo/extension/manifest.json'), join(outDir, 'manifest.json'));
      const model = resolve(repo, 'models/Xenova/all-MiniLM-L6-v2');
      if (!existsSync(model)) throw new Error('models/ is missing: run scripts/fetch-model first.');
      cpSync(model, join(outDir, 'models/Xenova/all-MiniLM-L6-v2'), { recursive: true });
    },
  };
}

export default defineConfig({
  root: resolve(repo, 'demo/extension'),
  publicDir: false,
  base: './',
  plugins: [packageExtension()],
  resolve: {
    alias: [
      { find: /^lumosai$/, replacement: join(repo, 'src/index.ts') },
      { find: /^lumosai\/(.+)$/, replacement: join(repo, 'src/$1/index.ts') },
    ],
  },
  worker: { format: 'es' },
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: false,
    rolldownOptions: {
      input: {
        sidepanel: resolve(repo, 'demo/extension/sidepanel.html'),
        offscreen: resolve(repo, 'demo/extension/offscreen.html'),
        background: resolve(repo, 'demo/extension/background.ts'),
      },
      output: {
        entryFileNames: (chunk) =>
          chunk.name === 'background' ? 'background.js' : 'assets/[name]-[hash].js',
      },
    },
  },
});
