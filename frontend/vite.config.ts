import preact from '@preact/preset-vite';
import { defineConfig } from 'vitest/config';

// The build lands in dist/, which the `loggia` binary embeds and serves at `/`
// (assets under /assets/, immutable). `npm run dev` proxies the API to a
// Loggia running on LOGGIA_URL (default http://localhost:8080).
const target = process.env.LOGGIA_URL ?? 'http://localhost:8080';
const proxied = ['/api', '/oauth', '/auth', '/media', '/avatars', '/headers', '/.well-known'];

export default defineConfig({
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
  },
  server: {
    proxy: Object.fromEntries(proxied.map((p) => [p, { target, changeOrigin: false }])),
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
