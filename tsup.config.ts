import { defineConfig } from 'tsup';

export default defineConfig({
  // `cli` is the `unleash-maintenance` bin; `index` keeps its output names (dist/index.*).
  entry: { index: 'src/index.ts', cli: 'src/cli/main.ts' },
  // Each entry self-contained: no shared chunk between the library and the command.
  splitting: false,
  format: ['esm', 'cjs'],
  dts: true,
  // The default views folder is found through import.meta.url; the shim gives the CommonJS build the same.
  shims: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
});
