import react from '@vitejs/plugin-react';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// The tab is served by the app server from tab/dist; `vite dev` proxies the API to it.
// Of the server's code the tab may import only the API contract (src/contract): dev serves nothing else.
export default defineConfig({
  root: __dirname,
  base: '/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1024 },
  server: { port: 53000, proxy: { '/api': 'http://127.0.0.1:3978' }, fs: { allow: [__dirname, resolve(__dirname, '../src/contract')] } },
});
