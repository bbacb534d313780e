import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

// JSX is compiled by Vite's own esbuild step (automatic runtime), so the desk needs no extra plugin.
const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  esbuild: { jsx: 'automatic' },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1000 },
  server: { proxy: { '/api': 'http://127.0.0.1:4600' } },
});
