import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built into dist/console and served by the API at /console (src/console/console.router.ts).
export default defineConfig({
  root: __dirname,
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: path.resolve(__dirname, '../dist/console'),
    emptyOutDir: true,
    assetsDir: 'assets',
    // bench/console.ts reads the manifest to size the initial JS.
    manifest: true,
    sourcemap: false,
    // The strict CSP forbids inline data: scripts; keep every asset a file.
    assetsInlineLimit: 0,
    // The Lake chunk (editor + charts) is lazy; the budget that matters is the initial JS (bench/console.ts).
    chunkSizeWarningLimit: 600,
  },
});
