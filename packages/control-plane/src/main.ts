import { enableCompileCache } from 'node:module';

// The control plane's entry point: `node src/main.ts`, configured by WEFT_CP_*
// variables (see run.ts). Node strips the TypeScript of every module on load
// and the stripper's memory stays with the process; the compile cache keeps
// the stripped code on disk, so from the second start on the modules skip it.
// Hence the dynamic import: everything after this line comes from the cache.
enableCompileCache();
await import('./run.ts');
