import { defineConfig } from 'vite';

// The pages are built into dist/ (index.html and hashed assets/), which the
// viz server serves at its root. Everything is bundled: the dashboard must
// work offline, so nothing loads from another origin.
export default defineConfig({
  root: 'src',
  base: '/',
  build: {
    outDir: '../dist',
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
  },
});
