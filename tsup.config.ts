import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  // The default views folder is found through import.meta.url; the shim gives the CommonJS build the same.
  shims: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
});
