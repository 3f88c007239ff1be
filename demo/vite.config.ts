import { cpSync, createReadStream, existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

const repo = resolve(import.meta.dirname, '..');
const models = join(repo, 'models');

/** Serves `models/` at `/models/` in dev and copies it into the build, so the studio runs offline. */
function localModels(): Plugin {
  return {
    name: 'lumos:local-models',
    configureServer(server) {
      server.middlewares.use('/models', (request, response, next) => {
        const file = join(models, decodeURIComponent((request.url ?? '/').split('?')[0]!));
        if (!file.startsWith(models) || !existsSync(file) || !statSync(file).isFile()) return next();
        response.setHeader(
          'Content-Type',
          file.endsWith('.json') ? 'application/json' : 'application/octet-stream',
        );
        response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
        createReadStream(file).pipe(response);
      });
    },
    closeBundle() {
      if (existsSync(models)) cpSync(models, join(repo, 'demo/dist/models'), { recursive: true });
    },
  };
}

const headers = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: resolve(repo, 'demo'),
  publicDir: false,
  plugins: [localModels()],
  // The studio imports the public API by its package name, served from source.
  resolve: {
    alias: [
      { find: /^lumosai$/, replacement: join(repo, 'src/index.ts') },
      { find: /^lumosai\/(.+)$/, replacement: join(repo, 'src/$1/index.ts') },
    ],
  },
  server: { host: '127.0.0.1', port: 5173, headers, fs: { allow: [repo] } },
  preview: { host: '127.0.0.1', port: 4173, headers },
  worker: { format: 'es' },
  build: {
    outDir: resolve(repo, 'demo/dist'),
    emptyOutDir: true,
    target: 'es2022',
    rolldownOptions: { input: { studio: resolve(repo, 'demo/index.html') } },
  },
});
