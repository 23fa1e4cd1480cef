import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

// The sandboxed preload as one CommonJS file: it may require only 'electron'.
export default defineConfig({
  build: {
    outDir: fileURLToPath(new URL('./out/preload', import.meta.url)),
    emptyOutDir: true,
    minify: false,
    sourcemap: true,
    lib: { entry: fileURLToPath(new URL('./main/preload/preload.ts', import.meta.url)), formats: ['cjs'], fileName: () => 'preload.js' },
    rollupOptions: { external: ['electron'] },
  },
});
