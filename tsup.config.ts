import { defineConfig, type Options } from 'tsup';

const shared: Options = {
  target: 'node20',
  sourcemap: true,
  // The default views folder is found through import.meta.url; the shim gives the CommonJS build the same.
  shims: true,
};

export default defineConfig([
  // The library and its admin client (`/control`): ESM and CommonJS, each with its own type declarations.
  { ...shared, entry: { index: 'src/index.ts', control: 'src/control/index.ts' }, format: ['esm', 'cjs'], dts: true, clean: ['index.*', 'control.*', 'chunk-*', '*-*.d.ts', '*-*.d.cts'] },
  // The `unleash-maintenance` command: one self-contained ESM file, no shared chunk with the library.
  { ...shared, entry: { cli: 'src/cli/main.ts' }, format: ['esm'], splitting: false, clean: ['cli.*'] },
]);
