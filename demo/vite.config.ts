// The demo's Vite configuration: `npm run demo` (dev server) and `npm run build:demo` (static
// site in demo-dist/). Both send COOP/COEP, which make the page cross-origin isolated: the thread
// pool needs SharedArrayBuffer. A static host must send the same two headers (docs/demo.md).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  worker: { format: 'es' },
  build: { outDir: fileURLToPath(new URL('../demo-dist', import.meta.url)), emptyOutDir: true, target: 'es2022' },
});
