import { fileURLToPath } from 'node:url';

/**
 * The bundled `views/` folder. Found from this file, which sits one level under the package root both as
 * source (`src/views.ts`) and built (`dist/index.js`, `dist/index.cjs`), so it lives here and not deeper.
 */
export const BUNDLED_VIEWS = fileURLToPath(new URL('../views/', import.meta.url));
