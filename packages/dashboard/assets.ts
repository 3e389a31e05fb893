import { fileURLToPath } from 'node:url';

/** Where `vite build` writes the dashboard: index.html and assets/. The viz server serves it. */
export const assetsDir = fileURLToPath(new URL('./dist/', import.meta.url));
